"""A call keeps the script it started with; new calls get the new one; a broken edit never goes live."""

from __future__ import annotations

import dataclasses
import shutil
import xml.etree.ElementTree as ET

import pytest
from twilio.request_validator import RequestValidator

from tests.conftest import AUTH_TOKEN, ROOT
from webapp import create_app

BASE = "http://127.0.0.1:5000"


@pytest.fixture
def folder(tmp_path, sessions):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    shutil.copy(ROOT / "ivr_scripts" / "acme_bank.yaml", scripts / "acme_bank.yaml")
    return scripts


def post(client, path: str, sid: str, **fields) -> str:
    params = {"CallSid": sid, "From": "+15551230002", "To": "+15005550006", **fields}
    return " ".join(e.text or "" for e in respond(client, path, params).iter("Say"))


def respond(client, path: str, params: dict) -> ET.Element:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(BASE + path, params)
    response = client.post(path, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    return ET.fromstring(response.data)


def edit(folder, old: str, new: str) -> None:
    path = folder / "acme_bank.yaml"
    path.write_text(path.read_text().replace(old, new))


def test_a_call_in_progress_keeps_its_version_while_new_calls_get_the_new_one(settings, folder):
    web = create_app(dataclasses.replace(settings, ivr_scripts=folder)).test_client()
    other_web = create_app(dataclasses.replace(settings, ivr_scripts=folder)).test_client()
    assert "Acme Bank" in post(web, "/voice/incoming", "CA-old")
    edit(folder, 'prompt: "Cards, card payments and cash machines."', 'prompt: "Card services."')
    post(web, "/voice/incoming", "CA-new")
    assert "Card services." in post(web, "/voice/input", "CA-new", Digits="1")
    # The old call's next step runs its original version, even on another web process that never saw it.
    old = post(other_web, "/voice/input", "CA-old", Digits="1")
    assert "Cards, card payments and cash machines." in old and "Card services." not in old


def test_a_broken_edit_is_refused_and_the_last_valid_version_stays_in_service(settings, folder, caplog):
    client = create_app(dataclasses.replace(settings, ivr_scripts=folder)).test_client()
    post(client, "/voice/incoming", "CA-1")
    edit(folder, "main_menu: main", "main_menu: nowhere")
    assert "Acme Bank" in post(client, "/voice/incoming", "CA-2")
    assert "technical problem" not in post(client, "/voice/input", "CA-2", Digits="4")
    assert any("acme_bank.yaml" in r.getMessage() and "refused" in r.getMessage() for r in caplog.records)


def test_a_full_queue_sends_the_next_caller_to_the_overflow_number(settings, folder):
    edit(folder, '    overflow_number: "+442079460999"', '    overflow_number: "+442079460999"\n    max_queue: 1')
    client = create_app(dataclasses.replace(settings, ivr_scripts=folder)).test_client()
    post(client, "/voice/incoming", "CA-first")
    post(client, "/voice/input", "CA-first", Digits="4")  # waits in the fraud queue
    second = {"CallSid": "CA-second", "From": "+15551230003", "To": "+15005550006"}
    respond(client, "/voice/incoming", second)
    root = respond(client, "/voice/input", dict(second, Digits="4"))
    assert root.find("Enqueue") is None, ET.tostring(root)
    assert root.find("Dial/Number").text == "+442079460999"
    assert "too many callers are waiting" in " ".join(e.text or "" for e in root.iter("Say"))
