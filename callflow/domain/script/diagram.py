"""The flow of a script as a tree a person can read: what a caller meets from the greeting down.

Pure data for the admin page to draw. The tree starts at the main menu; each option leads to a sub-menu
(drawn in place the first time, referred to afterwards so loops stay finite), a department (with its hours and
what happens when it is closed), a message, an outside number or the end of the call. Menus no path reaches and
departments callers cannot reach are listed apart, so an administrator sees a dead end before a caller does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callflow.domain.script.model import ClosedAction, Department, Hours, OptionKind, Script

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class Node:
    """One box of the diagram: a menu, a department, or the end of a branch."""

    kind: str  # menu | department | message | dial | hangup | see (a menu drawn elsewhere) | missing
    id: str
    title: str
    detail: str = ""
    key: str = ""  # the keypad key that leads here from the parent
    label: str = ""  # what the caller hears for that key
    children: list[Node] = field(default_factory=list)
    field: str = ""  # the script field this box comes from, to match the linter's problems


@dataclass
class Diagram:
    """The tree from the main menu, and what hangs apart from it."""

    root: Node | None
    unreachable_menus: list[Node]
    speech_only: list[Node]  # departments reached by what callers say, never by a key
    unreachable_departments: list[Node]
    conventions: list[str]


def diagram(script: Script) -> Diagram:
    """The whole diagram of a script."""
    drawn: set[str] = set()
    keyed: set[str] = set()
    root = _menu(script, script.main_menu, drawn, keyed) if script.main_menu in script.menus else None
    unreachable = [_menu(script, m, drawn, keyed) for m in script.menus if m not in drawn]
    speech, nowhere = [], []
    for department in script.departments.values():
        if department.id in keyed or department.id in (script.operator, script.safe_route):
            continue
        (speech if department.phrases else nowhere).append(_department(script, department))
    operator = script.departments.get(script.operator)
    conventions = [f"0 at any menu: {operator.name if operator else script.operator} (a person)",
                   "* repeats the menu", "# goes back one menu",
                   "Speech at any menu: straight to the department the words are about"]
    conventions += [f"{key} at the main menu: the line in {language}" for key, language in script.language_keys().items()]
    return Diagram(root, unreachable, speech, nowhere, conventions)


def _menu(script: Script, menu_id: str, drawn: set[str], keyed: set[str]) -> Node:
    menu = script.menus[menu_id]
    drawn.add(menu_id)
    node = Node("menu", menu_id, menu_id, f"{menu.prompt} (listens for {menu.input.value})",
                field=f"menus.{menu_id}")
    for option in menu.options:
        child = _option(script, option.kind, option.target, drawn, keyed)
        child.key, child.label = option.key, option.label
        node.children.append(child)
    return node


def _option(script: Script, kind: OptionKind, target: str, drawn: set[str], keyed: set[str]) -> Node:
    if kind is OptionKind.MENU:
        if target not in script.menus:
            return Node("missing", target, f"no menu '{target}'")
        if target in drawn:
            return Node("see", target, f"menu {target}", "drawn above")
        return _menu(script, target, drawn, keyed)
    if kind is OptionKind.DEPARTMENT:
        department = script.departments.get(target)
        if department is None:
            return Node("missing", target, f"no department '{target}'")
        keyed.add(target)
        return _department(script, department)
    if kind is OptionKind.MESSAGE:
        return Node("message", "", "Message, then back to the menu", target)
    if kind is OptionKind.DIAL:
        return Node("dial", target, f"Dials {target}")
    return Node("hangup", "", "Ends the call")


def _department(script: Script, department: Department) -> Node:
    closed = department.when_closed
    if department.hours is None or department.hours.always_open:
        when_closed = ""
    elif closed.action is ClosedAction.DEPARTMENT:
        other = script.departments.get(closed.department or "")
        when_closed = f"When closed: to {other.name if other else closed.department}"
    else:
        when_closed = {ClosedAction.MESSAGE: "When closed: a message with the opening time",
                       ClosedAction.CALLBACK: "When closed: a callback at opening time",
                       ClosedAction.VOICEMAIL: "When closed: voicemail"}[closed.action]
    overflow = f"; full queue ({department.max_queue}) goes to {department.overflow_number}" \
        if department.max_queue and department.overflow_number else ""
    detail = "; ".join(part for part in (_hours(department.hours), when_closed) if part) + overflow
    return Node("department", department.id, department.name, detail, field=f"departments.{department.id}")


def _hours(hours: Hours | None) -> str:
    """Opening hours in a line: "Mon-Fri 08:00-20:00, Sat 09:00-17:00 (Europe/London)"."""
    if hours is None or hours.always_open:
        return "Open 24/7"
    spans: list[tuple[str, str]] = []  # (days, periods)
    for day, periods in zip(DAYS, hours.weekly, strict=True):
        text = ", ".join(f"{p.start // 60:02}:{p.start % 60:02}-{p.end // 60:02}:{p.end % 60:02}"
                         for p in periods) or "closed"
        if spans and spans[-1][1] == text:
            first = spans[-1][0].split("-")[0]
            spans[-1] = (f"{first}-{day}", text)
        else:
            spans.append((day, text))
    weekly = ", ".join(f"{days} {text}" for days, text in spans if text != "closed")
    extra = f"; {len(hours.holidays)} holidays" if hours.holidays else ""
    extra += f"; {len(hours.closures)} closures" if hours.closures else ""
    return f"{weekly or 'Never open'} ({hours.time_zone}){extra}"
