"""The admin section in Chromium against the whole system: an administrator breaks a script and sees the error
at its line, fixes it, watches the diagram change, publishes, and rolls back; callers through the local carrier
get each published version for new calls while a call in progress keeps the one it started with.
"""

from __future__ import annotations

import dataclasses
import re
import threading

import pytest
from playwright.sync_api import expect

from callflow.carrier import Caller, Carrier, press
from callflow.store.agents import add_agent
from callflow.store.models import AuditEntry
from tests.browser.conftest import PASSWORD, log_in
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.e2e import conftest as e2e
from tests.e2e.conftest import LINE

app_server, carrier, clock_start = e2e.app_server, e2e.carrier, e2e.clock_start

BROKEN = ('      "3": {label: "anything else", department: general}',
          '      "3": {label: "anything else", department: genral}')
BRANCHES = '''      "4":
        label: "branch opening hours"
        message: "Our branches are open from 9 am to 5 pm, Monday to Friday."
'''
BRANCH_WORDS = "Our branches are open from 9 am to 5 pm"


@pytest.fixture
def admin(sessions) -> str:
    with sessions() as db:
        add_agent(db, "root", "Ada Admin", PASSWORD, "+15550000009", [], role="admin")
        add_agent(db, "alice", "Alice Archer", PASSWORD, "+15550000001", ["cards"])
        add_agent(db, "sam", "Sam Singh", PASSWORD, "+15550000003", ["cards"], role="supervisor")
    return "root"


def edit(page, old: str, new: str) -> None:
    """Select `old` in the editor and type `new` over it, as a person would; wait for the server's check."""
    before = page.locator("main").get_attribute("data-checked") or "0"
    editor = page.locator("#script-text")
    start = editor.input_value().index(old)
    editor.evaluate("(area, [start, end]) => { area.focus(); area.setSelectionRange(start, end); }",
                    [start, start + len(old)])
    page.keyboard.insert_text(new)
    expect(page.locator("main")).not_to_have_attribute("data-checked", before)


def info_then_four(released: threading.Event) -> Caller:
    """A caller who asks for information, then (once `released`) presses 4 at the information menu."""
    def on_prompt(prompt: str):
        if prompt.endswith("Information. For our opening hours, press 1. For reporting a lost or stolen card in "
                           "the app, press 2. For anything else, press 3.") or "branch opening hours" in prompt:
            released.wait(60)
            return press("4")
        if "tell me what you're calling about" in prompt:
            return press("5")
        return press("0") if "Sorry" in prompt else None
    return Caller(on_prompt=on_prompt, patience=5)


def test_an_admin_breaks_fixes_publishes_and_rolls_back_a_script(admin, console, carrier, sessions):
    page = console
    log_in(page, admin)
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="acme_bank.yaml").click()
    expect(page.locator("[data-problem-count]")).to_have_text("0 errors, 0 warnings")

    # A typo: the error is shown at its line, in the list and in the gutter, as they type.
    edit(page, *BROKEN)
    line = page.locator("#script-text").input_value().splitlines().index(BROKEN[1]) + 1
    problem = page.locator(".problem--error")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text(f"Line {line}, menus.info.options.3.department: ")
    expect(problem).to_contain_text("genral")
    expect(page.locator(f".code__gutter span:nth-child({line})")).to_have_class("gutter--error")
    expect(page.locator('[data-node="menu:info"]')).to_have_class(re.compile("flow__box--error"))

    # Fixed, and a new option: the error goes, the diagram and the diff show the new branch; the line also
    # speaks Spanish, so the new label and message are named as missing their Spanish (a warning: the
    # Spanish caller hears them in English until they are translated; publishing is not blocked).
    edit(page, BROKEN[1], BROKEN[0] + "\n" + BRANCHES.rstrip("\n"))
    expect(page.locator("[data-problem-count]")).to_have_text("0 errors, 2 warnings")
    expect(page.locator(".problem--warning")).to_have_count(2)
    expect(page.locator(".problem--warning").first).to_contain_text("menus.info.options.4.")
    expect(page.locator(".problem--warning").first).to_contain_text("es-US")
    expect(page.locator(".flow__box--message", has_text="branch opening hours")).to_be_visible()
    expect(page.locator(".diff__add", has_text="branch opening hours")).to_be_visible()

    # A caller is already in the menus when the new version goes live.
    released = threading.Event()
    in_progress = carrier.place_call(from_="+15551230001", to=LINE, caller=info_then_four(released))
    in_progress.wait_for("heard", "Information.", timeout=30)

    page.get_by_label("What changed").fill("Branch hours in the information menu")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^Draft saved as version \d+\. It can be published\."))
    page.get_by_label("Why publish").fill("Branches asked for it")
    page.get_by_role("button", name=re.compile(r"^Publish version \d+$")).click()
    expect(page.get_by_role("status")).to_contain_text("new calls get it now; calls in progress keep theirs")

    released.set()
    new_call = carrier.place_call(from_="+15551230002", to=LINE, caller=info_then_four(released))
    # The new caller hears the new option and its message; the caller in progress keeps the old menu.
    new_call.wait_for("heard", BRANCH_WORDS, timeout=60)
    in_progress.wait_for("heard", "Sorry, that isn't one of the options.", timeout=60)
    assert BRANCH_WORDS not in in_progress.heard_text()

    # History: who published what and why; roll back, and the next caller no longer hears the new option.
    page.get_by_role("link", name="History and rollback").click()
    rows = page.locator("table.publications tbody tr")
    expect(rows).to_have_count(2)  # ours, and the file that was in service before
    expect(rows.first).to_contain_text("Branches asked for it")
    expect(rows.first).to_contain_text("in service")
    expect(rows.last).to_contain_text("in service from the file ivr_scripts/acme_bank.yaml")
    rows.last.get_by_role("button", name=re.compile("^Roll back to version")).click()
    expect(page.get_by_role("status")).to_contain_text("Rolled back to version")
    expect(page.locator("table.publications tbody tr")).to_have_count(3)
    after = carrier.place_call(from_="+15551230003", to=LINE, caller=info_then_four(released))
    after.wait_for("heard", "Sorry, that isn't one of the options.", timeout=60)
    assert BRANCH_WORDS not in after.heard_text()

    with sessions() as db:
        actions = [(e.actor, e.action, e.target) for e in db.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions == [("root", "save-draft", "acme_bank.yaml"), ("root", "publish", "acme_bank.yaml"),
                       ("root", "rollback", "acme_bank.yaml")]
    page.goto("/admin/audit")
    expect(page.locator("table.audit tbody tr")).to_have_count(3)


@pytest.mark.parametrize("login", ["alice", "sam"])
def test_agents_and_supervisors_cannot_reach_the_admin_section(admin, console, login):
    log_in(console, login)
    expect(console.get_by_role("link", name="Admin", exact=True)).to_have_count(0)
    for path in ("/admin/", "/admin/scripts/acme_bank.yaml", "/admin/scripts/acme_bank.yaml/history",
                 "/admin/audit"):
        assert console.goto(path).status == 403
    response = console.request.post("/admin/scripts/acme_bank.yaml/drafts", form={"text": "x"})
    assert response.status in (400, 403)  # no CSRF token and not an admin: refused either way


def test_a_holiday_added_by_form_becomes_a_draft_that_keeps_the_files_comments(admin, console, sessions):
    page = console
    log_in(page, admin)
    page.goto("/admin/scripts/acme_bank.yaml")
    page.get_by_role("link", name="Opening hours and holidays").click()
    office = page.locator("[data-hours=office]")
    office.get_by_label("New holiday").fill("2026-12-24")
    office.get_by_role("button", name="Add holiday").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(
        r"^Holiday 2026-12-24 added to office: saved as draft version \d+\."))
    expect(page.locator("[data-hours=office] [data-holiday='2026-12-24']")).to_be_visible()
    office = page.locator("[data-hours=office]")
    office.get_by_label("Closed from").fill("2026-12-31T13:00")
    office.get_by_label("until").fill("2026-12-31T12:00")
    office.get_by_role("button", name="Add closure").click()
    expect(page.get_by_role("alert")).to_have_text("Not changed. End: the closure must end after it starts.")

    page.goto("/admin/scripts/acme_bank.yaml")
    expect(page.locator("[data-problem-count]")).to_have_text("0 errors, 0 warnings")
    expect(page.locator(".diff__add")).to_contain_text("2026-12-24")
    text = page.locator("#script-text").input_value()
    assert text.startswith("# Acme Bank's main customer line.")  # the administrator's comments are kept
    with sessions() as db:
        from callflow.store.publications import live_versions
        assert live_versions(db) == {}  # nothing goes live until someone publishes it


PERSON_RATE = 5.0  # a person clicks: a 5-second keypad timeout must last long enough in real time


@pytest.fixture
def person_paced(settings, sessions):
    """The app and the local carrier at a pace a person in a browser can answer, the app's REST client
    pointed at the carrier (the in-browser test phone is one of the carrier's interactive phones)."""
    from werkzeug.serving import make_server

    from webapp import create_app

    server = make_server("127.0.0.1", 0, None, threaded=True)
    public_url = f"http://127.0.0.1:{server.server_port}"
    phone_company = Carrier(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, rate=PERSON_RATE)
    phone_company.start()
    app = create_app(dataclasses.replace(settings, public_url=public_url, clock_rate=PERSON_RATE,
                                         clock_start=e2e.TUESDAY_MORNING, twilio_api_url=phone_company.url))
    server.app = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, public_url, phone_company
    server.shutdown()
    phone_company.stop()
    app.extensions["callflow"].close()


def test_an_admin_test_calls_a_draft_from_the_browser_and_nothing_reaches_a_queue(admin, browser, person_paced):
    app, public_url, phone_company = person_paced
    context = browser.new_context(base_url=public_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    log_in(page, admin)
    page.goto("/admin/scripts/acme_bank.yaml")
    edit(page, BROKEN[0], BROKEN[0] + "\n" + BRANCHES.rstrip("\n"))  # unsaved: the test call uses it as typed
    expect(page.locator("[data-problem-count]")).to_have_text("0 errors, 0 warnings")

    page.get_by_role("button", name="Test-call this script").click()
    expect(page.locator("[data-phone-note]")).to_contain_text("Ringing")
    page.get_by_role("button", name="Answer").click()
    log = page.locator("[data-phone-log]")
    expect(log).to_contain_text(timeout=30_000, expected="Thank you for calling Acme Bank")
    page.get_by_role("group", name="Keypad").get_by_role("button", name="5").click()
    expect(log).to_contain_text(timeout=30_000, expected="For branch opening hours, press 4.")  # the draft, not the live script
    page.get_by_role("group", name="Keypad").get_by_role("button", name="4").click()
    expect(log).to_contain_text(timeout=30_000, expected=BRANCH_WORDS)
    page.get_by_label("Say").fill("why was I charged a fee")
    page.get_by_role("button", name="Say it").click()
    expect(log).to_contain_text(timeout=30_000, expected="You said: why was I charged a fee")
    expect(log).to_contain_text(timeout=30_000, expected="This is a test call, so it ends here: a caller would "
                                                         "now be put through to Fees and Exchange.")
    expect(page.locator("[data-phone-note]")).to_have_text("The call has ended.", timeout=30_000)

    runtime = app.extensions["callflow"]
    assert all(not runtime.acd.queues.waiting(d) for d in runtime.scripts.current["acme_bank.yaml"].departments)
    [call] = [c for c in phone_company.calls.values() if c.to == "client:test-root"]
    assert call.from_ == "+442079460100" and not call.entries("application-error")
    context.close()
