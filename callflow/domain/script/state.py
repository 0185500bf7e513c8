"""A call's progress through its script, JSON-safe so Redis can keep it by CallSid between webhooks."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import Enum
from typing import Any

from callflow.domain.actions import Action


class Stage(str, Enum):
    """Which question the caller is answering."""

    CONTINUE_OFFER = "continue_offer"  # "continue with the department you reached last time?"
    MENU = "menu"  # a menu's prompt (keypad and/or speech)
    CONFIRM = "confirm"  # "is this about X, or about Y?"
    CLOSED_OFFER = "closed_offer"  # the department is closed: a department open now, a callback or a message?
    DONE = "done"  # handed to a queue, a number, voicemail or a callback offer, or ended


@dataclass(frozen=True)
class CallState:
    """Everything the engine remembers about one call; the script version is the one it started with."""

    script_version: str
    caller: str = ""
    customer_name: str | None = None
    language: str = "en-US"  # the language the caller is answered in: the line's first until they choose
    language_chosen: bool = False  # chosen on the keypad at the main menu: their words no longer switch it
    stage: Stage = Stage.MENU
    menu: str = ""
    menu_stack: tuple[str, ...] = ()  # the menus above this one, for '#'
    no_input: int = 0  # silences in a row at this prompt
    invalid: int = 0  # wrong keys in a row at this prompt
    not_understood: int = 0  # speech steering could not place, over the whole call
    confirmation_asked: bool = False  # never more than one per call
    keypad_only: bool = False  # speech gave up; the caller uses the keypad from now on
    choices: tuple[str, ...] = ()  # departments offered by a pending confirmation, continue or closed offer
    pressed: tuple[str, ...] = ()
    said: tuple[str, ...] = ()
    path: tuple[str, ...] = ()  # what happened, in order, for the call summary
    department: str | None = None  # the department the call was handed to
    outcome: str | None = (
        None  # routed, callback_offered, voicemail, closed, dialled, hung_up, caller_hung_up
    )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict of the state (every field a string, number, bool, None or tuple of strings: a
        shallow copy serves, where `dataclasses.asdict` would walk it all on every webhook)."""
        data = dict(vars(self))
        data["stage"] = self.stage.value
        for name, value in data.items():
            if isinstance(value, tuple):
                data[name] = list(value)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallState:
        """Rebuild a state from `to_dict` output, ignoring keys a newer release may have added."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if isinstance(value, list):
                value = tuple(value)
            values[f.name] = value
        values["stage"] = Stage(values.get("stage", Stage.MENU.value))
        return cls(**values)


@dataclass(frozen=True)
class Step:
    """The engine's answer to one event: the new state and what the caller hears or where they go."""

    state: CallState
    actions: tuple[Action, ...]
