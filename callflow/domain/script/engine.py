"""The call's state machine: (script, state, event, now, steer) -> (state, actions); pure, deterministic.

It behaves as a good contact centre does: greet and say who is speaking, let the caller say what
they need or use the keypad, always allow 0 for a person, * to repeat and # to go back, explain
every retry, confirm at most once, and never loop: repeated trouble ends at the safe route.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from callflow.domain.actions import Dial, Gather, Hangup, Say
from callflow.domain.events import CallStarted, Digits, Event, HungUp, NoInput, Speech
from callflow.domain.script import utterances
from callflow.domain.script.call_language import known_language, language_choices, switched_by_words
from callflow.domain.script.closing import offer_keys, route_to
from callflow.domain.script.hints import HINT_CHARACTERS, MAX_HINTS, fit_hints, speech_hints  # noqa: F401 (HINT_CHARACTERS: read as engine.HINT_CHARACTERS)
from callflow.domain.script.model import InputMode, Menu, OptionKind, Script
from callflow.domain.script.state import CallState, Stage, Step
from callflow.domain.script.translated import in_language
from callflow.domain.steering.decision import SteeringDecision, SteeringKind
from callflow.domain.steering.policy import doubtful_speech

Steer = Callable[[str], SteeringDecision]


def start(script: Script, event: CallStarted, now: datetime, steer: Steer | None = None) -> Step:
    """Answer a new call: greet (by name when known, in their language when known), then offer last time's
    department or the main menu."""
    state = CallState(
        script.version,
        caller=event.caller,
        customer_name=event.customer_name,
        language=script.language,
        menu=script.main_menu,
        path=(f"menu:{script.main_menu}",),
    )
    known = known_language(script, event.customer_language)
    if known != script.language:  # their words or keys can still switch it, as any caller's can
        state = replace(state, language=known, path=state.path + (f"language:{known}:known",))
        script = in_language(script, known)
    if event.customer_name:
        greeting = script.message("greeting_known", name=event.customer_name)
        state = _log(state, "greeted-by-name")
    else:
        greeting = script.message("greeting")
    last = _department_id(script, event.last_department)
    if last:
        offer = script.message("continue_offer", department=script.departments[last].name)
        state = replace(
            state, stage=Stage.CONTINUE_OFFER, choices=(last,), path=state.path + (f"offer:{last}",)
        )
        return Step(state, (_gather(script, state, (greeting, offer), hints=("yes", "no")),))
    return Step(state, (_menu_gather(script, state, before=greeting),))


def handle(script: Script, state: CallState, event: Event, now: datetime, steer: Steer | None = None) -> Step:
    """Take the caller's next move and decide what they hear or where they go."""
    if state.script_version != script.version:
        raise ValueError(f"call runs script version {state.script_version}, not {script.version}")
    script = in_language(script, state.language)  # everything from here on speaks the caller's language
    if isinstance(event, CallStarted):
        raise TypeError("CallStarted starts a call: use start()")
    if isinstance(event, HungUp):
        return Step(
            replace(state, outcome=state.outcome or "caller_hung_up", path=state.path + ("hung-up",)), ()
        )
    if state.stage == Stage.DONE:
        return Step(state, ())
    if isinstance(event, Digits):
        state = replace(state, pressed=state.pressed + (event.digits,))
    elif isinstance(event, Speech):
        state = replace(state, said=state.said + (event.text,))
    if state.stage == Stage.CONTINUE_OFFER:
        return _continue_offer(script, state, event, now, steer)
    if state.stage == Stage.CONFIRM:
        return _confirm(script, state, event, now, steer)
    if state.stage == Stage.CLOSED_OFFER:
        return _closed_offer(script, state, event, now, steer)
    return _menu(script, state, event, now, steer)


def _continue_offer(
    script: Script, state: CallState, event: Event, now: datetime, steer: Steer | None
) -> Step:
    text = event.text if isinstance(event, Speech) else ""
    key = event.digits[:1] if isinstance(event, Digits) else utterances.spoken_key(text)
    if key == "1" or (text and utterances.is_yes(text)):
        return _route(script, _log(state, "continue:yes"), state.choices[0], now, "continued from last call")
    state = replace(state, stage=Stage.MENU, choices=())
    if key == "0":
        return _operator(script, state, now)
    if text and not utterances.is_no(text) and not key:
        return _menu(script, _log(state, "continue:other"), event, now, steer)
    # "No", silence or any other key: the caller wants the main menu, without a reprimand.
    return Step(_log(state, "continue:no"), (_menu_gather(script, state),))


def _confirm(script: Script, state: CallState, event: Event, now: datetime, steer: Steer | None) -> Step:
    first, second = state.choices
    text = event.text if isinstance(event, Speech) else ""
    key = event.digits[:1] if isinstance(event, Digits) else utterances.spoken_key(text)
    state = replace(state, stage=Stage.MENU, choices=())
    if key in ("1", "2"):
        chosen = first if key == "1" else second
        return _route(
            script, _log(state, f"confirmed:{chosen}"), chosen, now, f"confirmed by keypad; {_said(state)}"
        )
    if key == "0" or (text and not key and utterances.asks_for_person(text)):
        return _operator(script, state, now)
    if text and not key:
        one, two = script.departments[first], script.departments[second]
        picked = utterances.choice(text, ((one.name, one.topic), (two.name, two.topic)))
        if picked == utterances.NEITHER:
            # Neither guess was right: the caller was not understood. Asked once more at most, then the
            # keypad menu (with 0 for a person), never a third time round (`_speech` counts the same way).
            state = replace(state, not_understood=state.not_understood + 1)
            if state.not_understood >= 2:
                return _keypad_fallback(script, _log(state, "confirm:neither"))
            ask = script.message("confirm_neither")
            return Step(_log(state, "confirm:neither"), (_gather(script, state, (ask,), hints=speech_hints(script)),))
        if picked is not None:
            chosen = (first, second)[picked]
            return _route(script, _log(state, f"confirmed:{chosen}"), chosen, now, f"confirmed: {text}")
        decision = steer(text) if steer else None
        chosen = _department_id(script, decision.department) if decision else None
        if chosen in (first, second):
            return _route(script, _log(state, f"confirmed:{chosen}"), chosen, now, f"confirmed: {text}")
        if chosen and decision.kind == SteeringKind.ROUTE:  # a fresh reason, clear enough to route at once
            return _route(script, _log(state, f"confirm:new-reason:{chosen}"), chosen, now, text)
    return _keypad_fallback(script, _log(state, "confirm:unclear"))


def _menu(script: Script, state: CallState, event: Event, now: datetime, steer: Steer | None) -> Step:
    menu = script.menus[state.menu]
    if isinstance(event, NoInput):
        return _retry(script, replace(state, no_input=state.no_input + 1), "no_input", now)
    if isinstance(event, Speech):
        key = utterances.spoken_key(event.text)
        if key is None:
            script, state = switched_by_words(script, state, event.text)
        if key is None and state.keypad_only:
            return _option_words(script, state, event.text, now, steer)
        if key is None:
            return _speech(script, state, event.text, now, steer, event.confidence)
        state = _log(state, f"said-key:{key}")
    else:
        key = event.digits[:1]
    if key == "*":
        return Step(_log(state, "repeat"), (_menu_gather(script, state),))
    if key == "#":
        if not state.menu_stack:
            return Step(_log(state, "back:top"), (_menu_gather(script, state),))
        back = replace(
            state, menu=state.menu_stack[-1], menu_stack=state.menu_stack[:-1], no_input=0, invalid=0
        )
        return Step(_log(back, f"back:{back.menu}"), (_menu_gather(script, back),))
    if key == "0":
        return _operator(script, state, now)
    language = script.language_keys(state.language).get(key) if menu.id == script.main_menu else None
    if language:
        chosen = _log(replace(state, language=language, language_chosen=True, no_input=0, invalid=0),
                      f"language:{language}:key")
        return Step(chosen, (_menu_gather(in_language(script, language), chosen),))
    option = menu.option(key)
    if option is None:
        return _retry(
            script, _log(replace(state, invalid=state.invalid + 1), f"invalid:{key}"), "invalid", now
        )
    state = _log(replace(state, no_input=0, invalid=0), f"option:{menu.id}.{key}")
    if option.kind == OptionKind.MENU:
        deeper = replace(state, menu=option.target, menu_stack=state.menu_stack + (menu.id,))
        return Step(_log(deeper, f"menu:{option.target}"), (_menu_gather(script, deeper),))
    if option.kind == OptionKind.DEPARTMENT:
        return _route(script, state, option.target, now, f"keypad: {option.label}")
    if option.kind == OptionKind.MESSAGE:
        return Step(state, (_menu_gather(script, state, before=option.target),))
    done = replace(state, stage=Stage.DONE)
    if option.kind == OptionKind.DIAL:
        return Step(
            replace(done, outcome="dialled"),
            (_say(script, state, script.message("dial")), Dial(option.target)),
        )
    return Step(replace(done, outcome="hung_up"), (_say(script, state, script.message("goodbye")), Hangup()))


def _speech(
    script: Script, state: CallState, text: str, now: datetime, steer: Steer | None, heard: float = 0.0
) -> Step:
    if utterances.asks_for_person(text):
        return _operator(script, state, now)
    if steer is None or state.keypad_only:
        return _keypad_fallback(script, _log(state, "speech:no-steering"))
    decision = steer(text)
    first = _department_id(script, decision.department)
    second = _department_id(script, decision.alternative)
    state = _log(state, f"steer:{decision.kind.value}:{first or '-'}:{decision.confidence:.2f}")
    if decision.kind == SteeringKind.ROUTE and first and doubtful_speech(heard) and not state.confirmation_asked:
        # Sure of words the recogniser was not sure of: ask, offering the line's catch-all as the other choice.
        second = script.operator if script.operator in script.departments and script.operator != first else None
        if second:
            state = _log(state, f"speech-doubtful:{heard:.2f}")
            decision = SteeringDecision(SteeringKind.CONFIRM, first, decision.confidence, second)
    if decision.kind == SteeringKind.ROUTE and first:
        return _route(script, state, first, now, text)
    if (
        decision.kind == SteeringKind.CONFIRM
        and first
        and second
        and first != second
        and not state.confirmation_asked
    ):
        one, two = script.departments[first], script.departments[second]
        question = script.message(
            "confirm", first_topic=one.topic, second_topic=two.topic, first=one.name, second=two.name
        )
        state = replace(state, stage=Stage.CONFIRM, choices=(first, second), confirmation_asked=True)
        return Step(
            _log(state, f"confirm:{first}|{second}"),
            (_gather(script, state, (question,), hints=(one.topic, two.topic, one.name, two.name)),),
        )
    state = replace(state, not_understood=state.not_understood + 1)
    if state.not_understood >= 2:
        return _keypad_fallback(script, state)
    examples = [d.phrases[0] for d in script.departments.values() if d.phrases][:3]
    quoted = [f"'{e}'" for e in examples]
    listed = ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else "".join(quoted)
    ask = script.message("not_understood", examples=listed)
    return Step(_log(state, "ask-again"), (_gather(script, state, (ask,), hints=speech_hints(script)),))


def _keypad_fallback(script: Script, state: CallState) -> Step:
    """Speech has not worked: offer the menu's options (pressed or said) and a person, without its prompt,
    which may invite the free words that just failed."""
    state = _log(replace(state, keypad_only=True, no_input=0, invalid=0), "keypad-only")
    return Step(state, (_menu_gather(script, state, before=script.message("keypad_fallback"), prompt=False),))


def _option_words(script: Script, state: CallState, text: str, now: datetime, steer: Steer | None) -> Step:
    """Words after the keypad fallback: an option by its label, a person, or a department steering is sure of.

    The caller was told to press or say a number; a caller who speaks anyway is still heard, and anything
    else counts as a wrong key, so repeated trouble ends at the safe route rather than in a loop.
    """
    if utterances.asks_for_person(text):
        return _operator(script, state, now)
    menu = script.menus[state.menu]
    picked = utterances.named(text, [(o.label,) for o in menu.options])
    if picked is not None:
        key = menu.options[picked].key
        return _menu(script, _log(state, f"said-option:{key}"), Digits(key), now, steer)
    decision = steer(text) if steer else None
    department = _department_id(script, decision.department) if decision else None
    if department and decision.kind == SteeringKind.ROUTE:
        return _route(script, _log(state, f"steer:route:{department}:{decision.confidence:.2f}"), department, now,
                      text)
    return _retry(script, _log(replace(state, invalid=state.invalid + 1), "invalid:words"), "invalid", now)


def _retry(script: Script, state: CallState, why: str, now: datetime) -> Step:
    limit = script.retries.no_input if why == "no_input" else script.retries.invalid
    count = state.no_input if why == "no_input" else state.invalid
    if count > limit:
        state = _log(state, f"safe-route:{why}")
        lead_in = _say(script, state, script.message("safe_route"))
        step = _route(
            script, state, script.safe_route, now, f"safe route after {why.replace('_', ' ')}", announce=False
        )
        return Step(step.state, (lead_in,) + step.actions)
    state = _log(state, why.replace("_", "-"))
    return Step(state, (_menu_gather(script, state, before=script.message(why)),))


def _closed_offer(script: Script, state: CallState, event: Event, now: datetime, steer: Steer | None) -> Step:
    """The answer to a closed department's offer, when it picks a department open now: by its key, its name or
    subject ("fraud", "a lost card"), or words steering routes there with confidence.

    Any other answer gives no actions: it is the callback's or the message's, which the callbacks take.
    """
    text = event.text if isinstance(event, Speech) else ""
    key = event.digits[:1] if isinstance(event, Digits) else utterances.spoken_key(text)
    chosen = offer_keys(state.choices).get(key or "")
    if chosen is None and text and not key:
        offered = [script.departments[d] for d in state.choices]
        picked = utterances.named(text, [(d.name, d.topic) for d in offered])
        decision = steer(text) if steer and picked is None else None
        steered = _department_id(script, decision.department) if decision else None
        if picked is not None:
            chosen = state.choices[picked]
        elif steered in state.choices and decision.kind == SteeringKind.ROUTE:
            chosen = steered
    if chosen is None:
        return Step(state, ())
    closed = script.departments[state.department].name if state.department else "the department"
    reason = f"{closed} closed, chose {script.departments[chosen].name}; {_said(state)}"
    return _route(script, _log(replace(state, choices=()), f"open-now:{chosen}"), chosen, now, reason)


def _operator(script: Script, state: CallState, now: datetime) -> Step:
    return _route(script, _log(state, "operator"), script.operator, now, "asked for a person")


def _route(
    script: Script, state: CallState, department: str, now: datetime, reason: str, announce: bool = True
) -> Step:
    handover = route_to(script, department, now, reason, state.language, announce)
    for entry in handover.path:
        state = _log(state, entry)
    stage = Stage.CLOSED_OFFER if handover.offered else Stage.DONE
    state = replace(state, stage=stage, choices=handover.offered, department=handover.department,
                    outcome=handover.outcome)
    return Step(state, handover.actions)


def _menu_gather(script: Script, state: CallState, before: str | None = None, prompt: bool = True) -> Gather:
    """The current menu's prompt and options, with anything to say first; the main menu of a line of several
    languages ends with each other language's keypad choice (`call_language.language_choices`)."""
    menu = script.menus[state.menu]
    texts = ([before] if before else []) + [_menu_text(script, menu, prompt)]
    gather = _gather(
        script,
        state,
        tuple(texts),
        hints=_menu_hints(script, menu, state),
        dtmf=menu.input != InputMode.SPEECH or state.keypad_only,
        speech=menu.input != InputMode.KEYPAD,
    )
    if menu.id != script.main_menu or len(script.spoken()) < 2:
        return gather
    return replace(gather, prompts=gather.prompts + language_choices(script, state.language))


def _menu_text(script: Script, menu: Menu, prompt: bool = True) -> str:
    options = [script.message("option", label=o.label, key=o.key) for o in menu.options]
    return " ".join([menu.prompt] + options if menu.prompt and prompt else options)


def _menu_hints(script: Script, menu: Menu, state: CallState) -> tuple[str, ...]:
    """What the recogniser should expect: departments' words, or after the keypad fallback the options."""
    if menu.input == InputMode.KEYPAD:
        return ()
    if not state.keypad_only:
        return speech_hints(script)
    names: dict[str, str] = {}
    for word, key in utterances.KEYS.items():  # the first word of each key is its name: "one", not "to"
        names.setdefault(key, word)
    numbers = [word for key, word in names.items() if menu.option(key) or key == "0"]
    return tuple(dict.fromkeys([o.label for o in menu.options] + numbers + ["agent", "operator"]))[:MAX_HINTS]


def _gather(
    script: Script,
    state: CallState,
    texts: tuple[str, ...],
    hints: tuple[str, ...] = (),
    dtmf: bool = True,
    speech: bool = True,
) -> Gather:
    return Gather(
        prompts=(_say(script, state, " ".join(texts)),),
        dtmf=dtmf,
        speech=speech,
        num_digits=1,
        timeout=script.retries.timeout_seconds,
        hints=fit_hints(hints) if speech else (),
        language=state.language,
        speech_model=script.speech_model if speech else None,
    )


def _say(script: Script, state: CallState, text: str) -> Say:
    return Say(text, voice=script.voice, language=state.language)


def _department_id(script: Script, name: str | None) -> str | None:
    """Accept a department id or its name (steering and stored history may use either)."""
    if not name:
        return None
    if name in script.departments:
        return name
    return next((d.id for d in script.departments.values() if d.name.lower() == name.lower()), None)


def _log(state: CallState, entry: str) -> CallState:
    return replace(state, path=state.path + (entry,))


def _said(state: CallState) -> str:
    return f"said: {state.said[-1]}" if state.said else "no speech"
