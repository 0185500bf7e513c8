"""Semantic checks on a converted script: references, reachability, ways out, and what callers must hear.

These run on the model, so they work the same for a file, a browser edit or a test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from callflow.domain import callback_guard
from callflow.domain.script.model import ClosedAction, Menu, OptionKind, Script
from callflow.domain.script.problems import ScriptProblem, Severity

MAX_OPTIONS = 5
MAX_DEPTH = 3
WORDS_PER_MINUTE = 150
MAX_PROMPT_SECONDS = 20
EXITS = (OptionKind.DEPARTMENT, OptionKind.DIAL, OptionKind.HANGUP)


def check(script: Script, dial_countries: frozenset[str] | None = None) -> list[ScriptProblem]:
    """Every semantic problem in a structurally valid script; `dial_countries`: the countries calls may go to
    (the deployment's CALLFLOW_CALLBACK_COUNTRIES; None: any)."""
    problems: list[ScriptProblem] = []

    def report(field: str, message: str, severity: Severity = Severity.ERROR) -> None:
        pos = script.position(field)
        problems.append(ScriptProblem(script.source, pos.line, pos.column, field, message, severity))

    for field, message, severity in _findings(script):
        report(field, message, severity)
    for field, message, severity in _destinations(script, dial_countries):
        report(field, message, severity)
    return problems


Finding = tuple[str, str, Severity]
ERROR, WARNING = Severity.ERROR, Severity.WARNING


def _findings(script: Script) -> Iterator[Finding]:
    yield from _references(script)
    yield from _departments(script)
    yield from _menu_graph(script)
    yield from _prompts(script)
    yield from _ring_back(script)
    yield from _language_keys(script)
    if not script.numbers and not script.is_default:
        yield "line", "the script answers no phone line: add line.numbers or line.default: true", WARNING


def _language_keys(script: Script) -> Iterator[Finding]:
    """The keys that choose a language at the greeting (8, then 7 and 6) belong to no option of the main menu,
    whose gather hears them."""
    menu = script.menus.get(script.main_menu)
    for key, language in script.language_keys().items():
        if menu is not None and menu.option(key):
            yield (f"menus.{menu.id}.options.{key}", (f"key {key} chooses {language} at the main menu on this line "
                   f"of {len(script.spoken())} languages: give this option another key"), ERROR)


def _references(script: Script) -> Iterator[Finding]:
    departments = script.departments
    if script.main_menu not in script.menus:
        yield "main_menu", f"unknown menu '{script.main_menu}'", ERROR
    if not script.operator:
        yield "operator", "no route to a person: set 'operator' to the department that answers 0", ERROR
    elif script.operator not in departments:
        yield "operator", f"unknown department '{script.operator}'", ERROR
    if script.safe_route and script.safe_route not in departments:
        yield "safe_route", f"unknown department '{script.safe_route}'", ERROR
    for menu in script.menus.values():
        for option in menu.options:
            field = f"menus.{menu.id}.options.{option.key}"
            if option.kind == OptionKind.MENU and option.target not in script.menus:
                yield f"{field}.menu", f"unknown menu '{option.target}'", ERROR
            elif option.kind == OptionKind.DEPARTMENT and option.target not in departments:
                yield f"{field}.department", f"unknown department '{option.target}'", ERROR


def _departments(script: Script) -> Iterator[Finding]:
    keypad_targets = {
        o.target for m in script.menus.values() for o in m.options if o.kind == OptionKind.DEPARTMENT
    }
    for dept in script.departments.values():
        field = f"departments.{dept.id}"
        if dept.hours is None:
            if f"{field}.hours" not in script.positions:
                yield (
                    f"{field}",
                    "department has no hours: add 'hours' (a name, inline hours or 'always')",
                    ERROR,
                )
        elif not dept.hours.always_open and not any(dept.hours.weekly):
            yield f"{field}.hours", "department is never open: no weekly hours", ERROR
        closed = dept.when_closed
        if closed.action == ClosedAction.DEPARTMENT and closed.department:
            if closed.department not in script.departments:
                yield f"{field}.when_closed.department", f"unknown department '{closed.department}'", ERROR
            elif _hands_over_in_circle(script, dept.id):
                yield (
                    f"{field}.when_closed.department",
                    "closed departments hand callers over in a circle",
                    ERROR,
                )
        reachable = (
            dept.id in keypad_targets or dept.id in (script.operator, script.safe_route) or dept.phrases
        )
        if not reachable:
            yield field, "callers cannot reach this department: no menu option and no phrases", WARNING


def _hands_over_in_circle(script: Script, start: str) -> bool:
    seen = {start}
    current = script.departments[start]
    while current.when_closed.action == ClosedAction.DEPARTMENT:
        target = current.when_closed.department
        if target in seen:
            return True
        if target not in script.departments:
            return False
        seen.add(target)
        current = script.departments[target]
    return False


def _menu_graph(script: Script) -> Iterator[Finding]:
    menus = script.menus
    depth = _depths(script)
    for menu in menus.values():
        field = f"menus.{menu.id}"
        if menu.id not in depth:
            yield field, f"unreachable menu: no path leads here from '{script.main_menu}'", WARNING
        elif depth[menu.id] > MAX_DEPTH:
            yield field, f"menu is {depth[menu.id]} levels deep; callers get lost beyond {MAX_DEPTH}", WARNING
        if len(menu.options) > MAX_OPTIONS:
            yield (
                f"{field}.options",
                f"{len(menu.options)} options; callers remember at most {MAX_OPTIONS}",
                WARNING,
            )
        if not menu.options:
            yield f"{field}.options", "dead end: the menu has no options", ERROR
        elif not _has_way_out(menus, menu.id):
            if _in_loop(menus, menu.id):
                yield f"{field}.options", "loop with no way out: its menus only lead to each other", ERROR
            else:
                yield (
                    f"{field}.options",
                    "dead end: no option leads to a department, a number or hanging up",
                    ERROR,
                )


def _children(menu: Menu) -> list[str]:
    return [o.target for o in menu.options if o.kind == OptionKind.MENU]


def _depths(script: Script) -> dict[str, int]:
    """Menu id -> level (the main menu is 1), by breadth-first search."""
    if script.main_menu not in script.menus:
        return {}
    depth = {script.main_menu: 1}
    frontier = [script.main_menu]
    while frontier:
        menu_id = frontier.pop(0)
        for child in _children(script.menus[menu_id]):
            if child in script.menus and child not in depth:
                depth[child] = depth[menu_id] + 1
                frontier.append(child)
    return depth


def _reachable(menus: dict[str, Menu], start: str) -> set[str]:
    seen, stack = set(), [start]
    while stack:
        menu_id = stack.pop()
        if menu_id in seen or menu_id not in menus:
            continue
        seen.add(menu_id)
        stack.extend(_children(menus[menu_id]))
    return seen


def _has_way_out(menus: dict[str, Menu], start: str) -> bool:
    return any(o.kind in EXITS for m in _reachable(menus, start) for o in menus[m].options)


def _in_loop(menus: dict[str, Menu], start: str) -> bool:
    return any(start in _reachable(menus, child) for child in _children(menus[start]) if child in menus)


def _prompts(script: Script) -> Iterator[Finding]:
    texts = [(f"menus.{m.id}.prompt", m.prompt) for m in script.menus.values()]
    texts += [
        (f"menus.{m.id}.options.{o.key}.message", o.target)
        for m in script.menus.values()
        for o in m.options
        if o.kind == OptionKind.MESSAGE
    ]
    texts += [
        (f"departments.{d.id}.when_closed.message", d.when_closed.message)
        for d in script.departments.values()
        if d.when_closed.message is not None
    ]
    texts += [
        (f"messages.{name}", text)
        for name, text in script.messages.items()
        if f"messages.{name}" in script.positions
    ]
    for field, text in texts:
        words = len(text.split())
        if words == 0:
            yield field, "empty prompt: the caller would hear nothing", WARNING
        elif words * 60 / WORDS_PER_MINUTE > MAX_PROMPT_SECONDS:
            seconds = round(words * 60 / WORDS_PER_MINUTE)
            message = (
                f"prompt takes about {seconds} s to say ({words} words); keep it under {MAX_PROMPT_SECONDS} s"
            )
            yield field, message, WARNING


# "call back", "call us again", "ring back later", "try again tomorrow", "phone back": the caller is asked to
# hang up and ring again. "We'll call you back" is a promise of ours and is not matched.
RING_BACK = re.compile(r"\b(?:call|ring|phone|try)(?:ing)?\s+(?:us\s+|the\s+\w+\s+)?(?:back|again)\b",
                       re.IGNORECASE)


def _ring_back(script: Script) -> Iterator[Finding]:
    """A closed department's words must not send a caller who is on the line away to ring again: the call
    itself offers the departments open now, a callback and a message after them."""
    texts = [(f"departments.{d.id}.when_closed.message", d.when_closed.message)
             for d in script.departments.values() if d.when_closed.message]
    texts += [(f"messages.{name}", script.messages[name]) for name in ("closed", "opens")
              if f"messages.{name}" in script.positions]
    for field, text in texts:
        found = RING_BACK.search(text)
        if found:
            message = (f"tells a caller who is on the line to '{found.group(0)}': callers at a closed department "
                       "are offered the departments open now, a callback and a message on the call; say what is "
                       "closed and when it opens instead")
            yield field, message, WARNING


def _destinations(script: Script, countries: frozenset[str] | None) -> Iterator[Finding]:
    """Every number the script can send a call to passes the toll-fraud guard callbacks pass: a script that
    dials a premium-rate or far-away number makes the centre pay whoever owns it, on every call."""
    numbers = [(f"departments.{d.id}.overflow_number", d.overflow_number)
               for d in script.departments.values()]
    numbers += [(f"menus.{m.id}.options.{o.key}.dial", o.target) for m in script.menus.values()
                for o in m.options if o.kind == OptionKind.DIAL]
    for field, number in numbers:
        if number:
            refusal = callback_guard.destination_refusal(number, countries)
            if refusal is not None:
                yield field, callback_guard.why_not_dial(number, refusal, countries), ERROR
