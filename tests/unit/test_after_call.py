"""What the caller reads and hears after the call: the SMS of promised actions and the survey's scoring."""

from __future__ import annotations

from callflow.store.after_call import SMS_LIMIT, actions_text, survey_score, survey_thanks


def test_the_sms_lists_the_actions_promised_in_one_sentence():
    text = actions_text("Acme Bank", ["We've blocked your card.", "  ", "a new one arrives in 3-5 days"])
    assert text == "Acme Bank: as promised on your call today: We've blocked your card; a new one arrives in 3-5 days."


def test_nothing_promised_means_no_sms_and_a_long_list_fits_one_message():
    assert actions_text("Acme Bank", []) is None and actions_text("Acme Bank", [" ", "."]) is None
    long = actions_text("Acme Bank", ["x" * 100] * 30)
    assert len(long) == SMS_LIMIT and long.endswith("…")


def test_only_keys_1_to_5_are_scores():
    assert [survey_score(k) for k in ("1", "5", " 3 ")] == [1, 5, 3]
    assert [survey_score(k) for k in ("", None, "0", "6", "*", "#", "12")] == [None] * 7


def test_an_answer_is_thanked_and_silence_gets_a_plain_goodbye():
    assert survey_thanks("Acme Bank", None) == "Thank you for calling Acme Bank. Goodbye."
    assert survey_thanks("Acme Bank", 2).startswith("Thank you, your answer helps us improve.")
