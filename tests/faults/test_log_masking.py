"""A call's logs, from the web app and from a real worker process: no caller number in full, no auth token."""

from __future__ import annotations

import logging

import pytest

from callflow import log_masking
from callflow.carrier import Caller, press
from tests.conftest import AUTH_TOKEN
from tests.e2e.conftest import CALLER, LINE
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e


def test_a_calls_logs_mask_the_callers_number_and_never_hold_the_auth_token(centre, sessions, tmp_path, caplog):
    from callflow.store.models import Summary

    worker_log = tmp_path / "worker.log"
    centre.start_worker(log_path=worker_log)
    caplog.set_level(logging.DEBUG)
    call = centre.carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4"), press("1", expect="hold")],
                                                                          patience=20))
    call.wait(timeout=60)

    def summary():
        with sessions() as session:
            return session.get(Summary, call.sid)

    wait_for(summary, timeout=30, what="the summary (the worker logged its job)")
    app_logs = caplog.text
    worker_logs = wait_for(lambda: "close_call" in worker_log.read_text() and worker_log.read_text(),
                           what="the worker to log the close")
    for logs in (app_logs, worker_logs):
        assert CALLER not in logs and CALLER[1:] not in logs and "%2B" + CALLER[1:] not in logs
        assert AUTH_TOKEN not in logs
    assert "*" * 7 + CALLER[-4:] in app_logs  # masked, not dropped: the last digits still tell calls apart
    assert "*" * 7 + CALLER[-4:] in worker_logs


def test_mask_keeps_the_last_four_digits_and_hides_secrets():
    log_masking.install(["s3cret-token-value"], show_numbers=False)
    assert log_masking.mask("from +447700900123 to %2B15005550006 token s3cret-token-value") == \
        "from +********0123 to %2B*******0006 token [secret]"
    log_masking.install(show_numbers=True)
    try:
        assert log_masking.mask("from +447700900123") == "from +447700900123"
    finally:
        log_masking.install(show_numbers=False)
