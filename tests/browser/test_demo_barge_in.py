"""Barge-in in the demo's softphone (issue 23): a caller who presses a key or says something while the phone is
still reading a prompt aloud is taken at once, the reading stops, and is never told "Sorry, I didn't catch that".

The phone reads prompts at a person's pace, in real time, whatever the demo's clock rate; the carrier waits for
it before a Gather's timeout starts. Debian's headless Chromium has no voice (every utterance fails at once), so
the page is given one that reads word by word at a person's pace and says where it is (`window.voice`).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_demo import RATE, SLOW, run_demo

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

WORDS_PER_SECOND = 2.5  # 150 words a minute: a prompt of 20 words takes 8 real seconds, the carrier's clock 2
MENU = "tell me what you're calling about"
QUESTION = "Would you like to hold"

VOICE = """(() => {
  const queue = [];
  let current = null, timer = null;
  const voice = window.voice = {saying: "", left: 0, said: [], cut: []};
  function done(kind) {
    clearInterval(timer);
    const u = current;
    current = null; voice.saying = ""; voice.left = 0;
    if (u) { u.dispatchEvent(new Event(kind)); }
  }
  function next() {
    if (current || !queue.length) { return; }
    current = queue.shift();
    const words = current.text.split(/\\s+/).filter(Boolean);
    voice.saying = current.text; voice.left = words.length; voice.said.push(current.text);
    current.dispatchEvent(new Event("start"));
    timer = setInterval(() => {
      voice.left -= 1;
      if (voice.left <= 0) { done("end"); next(); }
    }, 1000 / WORDS_PER_SECOND);
  }
  const synthesis = {
    speak(u) { queue.push(u); next(); },
    cancel() { queue.length = 0; if (current) { voice.cut.push(current.text); done("error"); } },
    pause() {}, resume() {}, getVoices() { return []; },
    get speaking() { return current !== null; },
    get pending() { return queue.length > 0; },
  };
  Object.defineProperty(window, "speechSynthesis", {value: synthesis, configurable: true});
})();""".replace("WORDS_PER_SECOND", str(WORDS_PER_SECOND))


@pytest.fixture
def demo(tmp_path):
    yield from run_demo(tmp_path, "--rate", str(RATE))


def near_the_end_of(page, prompt: str) -> None:
    """Wait until the phone's voice is reading `prompt` and has two words left (the carrier's clock, four times
    a person's pace, finished it long ago)."""
    page.wait_for_function("([p]) => window.voice.saying.includes(p) && window.voice.left <= 2", arg=[prompt],
                           timeout=SLOW)


def reading_stopped(page, prompt: str) -> None:
    """The phone stopped reading `prompt` before its end (the caller barged in)."""
    page.wait_for_function("([p]) => window.voice.cut.some(t => t.includes(p))", arg=[prompt], timeout=5_000)


@pytest.mark.parametrize("by", ["keys", "words"])
def test_a_caller_answers_while_the_phone_reads_the_prompt(demo, browser, by):
    tab = browser.new_context(base_url=demo).new_page()
    tab.set_default_timeout(SLOW)
    tab.add_init_script(VOICE)
    tab.goto("/demo/phone")
    phone = tab.locator("[data-phone]")
    log = phone.locator("[data-phone-log]")

    def answer(key: str, words: str) -> None:
        if by == "keys":
            phone.get_by_role("group", name="Keypad").get_by_role("button", name=key).click()
        else:
            phone.get_by_label("Say").fill(words)
            phone.get_by_role("button", name="Say it").click()

    phone.get_by_role("button", name="Call Acme Bank").click()
    near_the_end_of(tab, MENU)  # the main menu, still being read
    answer("4", "I think my card was stolen")
    expect(log).to_contain_text("I'll put you through to Fraud and Security.", timeout=SLOW)
    expect(log).not_to_contain_text("didn't catch that")
    reading_stopped(tab, MENU)
    near_the_end_of(tab, QUESTION)  # the hold question, still being read
    answer("1", "I'll hold")
    expect(log).to_contain_text("I'll keep your place in line.", timeout=SLOW)
    reading_stopped(tab, QUESTION)
    expect(phone).to_have_attribute("data-music", re.compile("."), timeout=SLOW)  # on hold
    expect(log).not_to_contain_text("didn't catch that")
    said = tab.evaluate("window.voice.said")
    assert not [s for s in said if "didn't catch that" in s], said
