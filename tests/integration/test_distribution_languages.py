"""Issue 24: a caller is offered to an agent who speaks their language, and after the line's interpreter wait
to anyone (the offer then says an interpreter is needed); callers behind them are not held up meanwhile."""

from __future__ import annotations

from callflow.store.acd import ACD, CallerInfo
from callflow.store.distribution import INTERPRETER_DUE_KEY
from callflow.store.presence import Presence


def _acd(redis, wait: float = 120.0) -> ACD:
    return ACD(redis, interpreter_after=lambda department: wait)


def _caller(acd: ACD, sid: str, entered_at: float, language: str = "", department: str = "cards") -> None:
    acd.caller_waits(CallerInfo(sid, "+15550100", "+15550000", department, entered_at=entered_at,
                                language=language), now=entered_at)


def _agent(acd: ACD, login: str, idle_since: float, languages: tuple[str, ...] = (),
           departments: tuple[str, ...] = ("cards",)) -> None:
    acd.set_presence(login, Presence.AVAILABLE, list(departments), idle_since, languages=languages)


def test_a_spanish_caller_gets_the_spanish_agent_though_the_english_one_has_been_idle_longer(redis):
    acd = _acd(redis)
    _agent(acd, "ann", 10.0, ("en-GB",))
    _agent(acd, "bea", 50.0, ("en-GB", "es-MX"))  # Mexican Spanish serves a US Spanish caller
    _caller(acd, "CA-es", 100.0, "es-US")
    (offer,) = acd.offers(["cards"], now=101.0)
    assert (offer.caller_sid, offer.agent, offer.interpreter) == ("CA-es", "bea", False)
    assert not acd.interpreter_needed("CA-es")
    assert acd.presence.available("cards") == ["ann"]


def test_an_english_caller_behind_a_spanish_caller_gets_the_english_agent_at_once(redis):
    acd = _acd(redis)
    _agent(acd, "ann", 10.0, ("en-GB",))
    _caller(acd, "CA-es", 100.0, "es-US")
    _caller(acd, "CA-en", 110.0, "en-GB")
    (offer,) = acd.offers(["cards"], now=115.0)
    assert (offer.caller_sid, offer.agent, offer.interpreter) == ("CA-en", "ann", False)
    assert acd.queues.position("cards", "CA-es") == 1  # still first in line, for the next Spanish speaker
    _agent(acd, "bea", 116.0, ("es-US",))
    (offer,) = acd.offers(["cards"], now=116.0)
    assert (offer.caller_sid, offer.agent) == ("CA-es", "bea")


def test_after_the_interpreter_wait_any_agent_takes_the_caller_with_an_interpreter(redis):
    acd = _acd(redis, wait=60.0)
    _agent(acd, "ann", 10.0, ("en-GB",))
    _caller(acd, "CA-es", 100.0, "es-US")
    assert acd.offers(["cards"], now=159.0) == []
    # The worker's timer is told when the wait runs out (the agent is idle: nothing else would distribute).
    assert acd.distributor.interpreter_waits_over(now=159.0) == []
    assert acd.distributor.interpreter_waits_over(now=160.0) == ["cards"]
    assert acd.distributor.interpreter_waits_over(now=161.0) == []  # taken once, by one worker
    (offer,) = acd.offers(["cards"], now=160.0)
    assert (offer.caller_sid, offer.agent, offer.interpreter) == ("CA-es", "ann", True)
    assert acd.interpreter_needed("CA-es")
    assert acd.record("CA-es").offered_to == "ann"


def test_a_caller_taken_back_in_line_keeps_their_original_wait_for_the_interpreter(redis):
    acd = _acd(redis, wait=60.0)
    _caller(acd, "CA-es", 100.0, "es-US")
    _agent(acd, "bea", 101.0, ("es-US",))
    (offer,) = acd.offers(["cards"], now=101.0)
    acd.offer_declined(offer, ["cards"], now=121.0)  # bea did not answer: away, the caller back in line
    _agent(acd, "ann", 130.0, ("en-GB",))
    (offer,) = acd.offers(["cards"], now=161.0)  # 61 s since they first entered the line
    assert (offer.agent, offer.interpreter) == ("ann", True)


def test_agents_and_callers_without_languages_are_matched_exactly_as_before(redis):
    acd = _acd(redis)
    _agent(acd, "ann", 50.0)
    _agent(acd, "bob", 10.0)  # no languages: speaks every language, and is the longest idle
    _agent(acd, "cyd", 5.0, ("es-US",))
    _caller(acd, "CA-1", 100.0, "en-GB")
    _caller(acd, "CA-2", 110.0)  # a callback's place, say: no language known
    _caller(acd, "CA-3", 120.0, "es-US")
    offers = acd.offers(["cards"], now=130.0)
    assert [(o.caller_sid, o.agent, o.interpreter) for o in offers] == [
        ("CA-1", "bob", False),  # cyd, idle longer, does not speak English: bob, who makes no preference
        ("CA-2", "cyd", False),  # no language: the longest-idle agent, as always
        ("CA-3", "ann", False),
    ]
    assert redis.zcard(INTERPRETER_DUE_KEY) == 0


def test_an_agent_s_languages_follow_them_into_presence_and_change_at_once(redis):
    acd = _acd(redis)
    _agent(acd, "ann", 10.0, ("en-GB",))
    acd.set_presence("ann", Presence.WRAP_UP, ["cards"], 20.0)  # a call's event: languages kept
    assert acd.presence.get("ann").languages == ("en-GB",)
    acd.set_presence("ann", Presence.AVAILABLE, ["cards"], 30.0)
    _caller(acd, "CA-es", 100.0, "es-US")
    assert acd.offers(["cards"], now=101.0) == []
    acd.presence.set_languages("ann", ("en-GB", "es-ES"))  # a supervisor adds Spanish on the staff page
    assert acd.offers(["cards"], now=102.0)[0].agent == "ann"
    acd.presence.set_languages("nobody", ("es-ES",))
    assert acd.presence.get("nobody") is None  # no presence made for an agent who never logged in
