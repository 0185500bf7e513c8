"""The editor on a line of several languages, in Chromium: the administrator sees the line's texts side by side,
a translation they remove marked missing at its line as they type, and the diagram as Spanish callers meet it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_admin import admin, edit  # noqa: F401  (the administrator, and typing in the editor)
from tests.e2e import conftest as e2e

app_server, carrier, clock_start = e2e.app_server, e2e.carrier, e2e.clock_start

pytestmark = pytest.mark.usefixtures("admin")

SPANISH_LABEL = '          "3": {label: "cualquier otra cosa"}\n'


def test_an_admin_sees_each_text_in_both_languages_and_a_missing_spanish_one_marked(console):
    page = console
    log_in(page, "root")
    page.goto("/admin/scripts/acme_bank.yaml")
    table = page.get_by_role("table", name="Texts by language")
    expect(table.locator("thead th")).to_have_text(["Text", "en-GB", "es-US"])
    fraud = table.locator('tr[data-field="departments.fraud.name"]')
    expect(fraud.locator('td[data-language="en-GB"]')).to_have_text("Fraud and Security")
    expect(fraud.locator('td[data-language="es-US"]')).to_contain_text("Fraude y Seguridad")
    expect(page.locator("[data-translation-count]")).to_have_text("0 missing translations.")

    # The Spanish label of the information menu's last option goes: it is marked missing as they type, at the
    # line of the English label, which the linter names too (a warning).
    edit(page, SPANISH_LABEL, "")
    text = page.locator("#script-text").input_value()
    line = text.splitlines().index('      "3": {label: "anything else", department: general}') + 1
    expect(page.locator("[data-translation-count]")).to_contain_text("1 missing translation")
    row = table.locator('tr[data-field="menus.info.options.3.label"]')
    expect(row.locator('td[data-language="en-GB"]')).to_have_text("anything else")
    missing = row.locator('td[data-language="es-US"][data-missing]')
    expect(missing).to_contain_text("Missing the es-US translation")
    expect(page.locator(".problem--warning")).to_contain_text(
        f"Line {line}, menus.info.options.3.label: missing the es-US translation")

    # Its button takes the administrator to that line in the editor.
    missing.get_by_role("button", name="Missing").click()
    selected = page.locator("#script-text").evaluate("area => area.value.slice(0, area.selectionStart)")
    assert selected.count("\n") + 1 == line

    # The diagram as Spanish callers meet it: Spanish prompts, labels and departments, the typing kept.
    diagram = page.locator('[data-fragment="diagram"]')
    expect(diagram.locator('[data-node="department:fraud"]')).to_contain_text("Fraud and Security")
    before = page.locator("main").get_attribute("data-checked")
    page.get_by_label("As callers in this language meet it").select_option("es-US")
    expect(page.locator("main")).not_to_have_attribute("data-checked", before)
    expect(diagram.locator("[data-diagram-in]")).to_have_attribute("data-diagram-in", "es-US")
    expect(diagram.locator('[data-node="department:fraud"]')).to_contain_text("Fraude y Seguridad")
    expect(diagram.locator('[data-node="menu:main"]')).to_contain_text("En pocas palabras, dígame el motivo")
    expect(diagram).to_contain_text("una tarjeta perdida o robada, o un pago que no reconoce")
    # the option whose Spanish label is missing is met in English by Spanish callers, as the diagram shows
    expect(diagram.locator('[data-node="department:general"]').last).to_contain_text("anything else")
    expect(page.locator("[data-translation-count]")).to_contain_text("1 missing translation")

    # Typing on keeps the Spanish diagram.
    edit(page, '"Información."', '"Información general."')
    expect(diagram.locator('[data-node="menu:info"]')).to_contain_text("Información general.")
    expect(page.get_by_label("As callers in this language meet it")).to_have_value("es-US")
