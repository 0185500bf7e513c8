"""The demo's softphone in Spanish (issue 24), in real Chromium: a visitor who chooses Español says "perdí mi
tarjeta" and the bank answers in Spanish, each Spanish prompt shown and read out as Spanish.

Debian's headless Chromium has no voice, so the page is given one that notes each utterance's language and ends
it at once (the phone then tells the carrier it has read the prompt, as it does after a real voice).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from callflow import demo as demo_mode
from tests.browser.test_demo import RATE, SLOW, run_demo

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

VOICE = """(() => {
  const said = window.said = [];
  const synthesis = {
    speak(u) { said.push([u.text, u.lang]); setTimeout(() => u.dispatchEvent(new Event("end")), 0); },
    cancel() {}, pause() {}, resume() {}, getVoices() { return []; }, speaking: false, pending: false,
  };
  Object.defineProperty(window, "speechSynthesis", {value: synthesis, configurable: true});
})();"""


@pytest.fixture
def demo(tmp_path):
    yield from run_demo(tmp_path, "--rate", str(RATE))


def test_a_spanish_speaker_calls_the_demo_line_and_is_answered_in_spanish(demo, browser):
    tab = browser.new_context(base_url=demo).new_page()
    tab.set_default_timeout(SLOW)
    tab.add_init_script(VOICE)
    tab.goto("/demo/phone")
    phone = tab.locator("[data-phone]")
    log = phone.locator("[data-phone-log]")

    phone.get_by_label("You speak").select_option(label="Español")
    expect(phone.get_by_label("Say")).to_have_attribute("placeholder", "perdí mi tarjeta")
    expect(phone.get_by_label("Say")).to_have_attribute("lang", "es-US")
    phone.get_by_role("button", name="Call Acme Bank").click()
    # Jane is a known customer of the line's own language: greeted in it, offered Spanish in Spanish.
    expect(log).to_contain_text(f"Hello {demo_mode.CALLER_NAME}, thank you for calling Acme Bank", timeout=SLOW)
    expect(log.locator('li[lang="es-US"]', has_text="Para español, oprima 8.")).to_be_visible(timeout=SLOW)

    phone.get_by_label("Say").fill("perdí mi tarjeta")
    phone.get_by_role("button", name="Say it").click()
    expect(log).to_contain_text("You said: perdí mi tarjeta", timeout=SLOW)
    answer = log.locator('li[lang="es-US"]', has_text="Le comunico con Fraude y Seguridad.")
    expect(answer).to_be_visible(timeout=SLOW)
    said = tab.evaluate("window.said")
    assert [lang for text, lang in said if "Le comunico con Fraude y Seguridad." in text] == ["es-US"]
    assert [lang for text, lang in said if text.startswith(f"Hello {demo_mode.CALLER_NAME}")] == ["en-GB"]

    phone.get_by_role("button", name="Hang up").click()
    expect(phone.locator("[data-phone-note]")).to_have_text("The call has ended.", timeout=SLOW)
