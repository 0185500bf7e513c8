"""A publication parses its text once, from the admin's "publish" and from `callflow scripts publish`/`import`:
the trial against the lines in service loads it, and that loaded script is what goes in service here (the
library, the history, Redis's copy for other processes and their routers take it from there)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from callflow.domain.script import lint, loader
from callflow.services import draft_calls, publishing
from callflow.store import publications
from callflow.store.agents import add_agent
from webapp import create_app

LINE = "+442079460100"  # Acme Bank's number in ivr_scripts/acme_bank.yaml
SOURCE = Path(__file__).resolve().parents[2] / "ivr_scripts" / "acme_bank.yaml"
PASSWORD = "correct horse battery"


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """Every text handed to the script parser, wherever it is called from."""
    seen: list[str] = []
    parse = loader.parse_script

    def counted(text, *args, **kwargs):
        seen.append(text)
        return parse(text, *args, **kwargs)

    for module in (loader, lint, publishing, draft_calls):
        monkeypatch.setattr(module, "parse_script", counted)
    return seen



def renamed(company: str) -> str:
    return SOURCE.read_text().replace("company: Acme Bank", f"company: {company}", 1)


def test_publishing_in_the_admin_section_parses_the_text_once(settings, sessions, parses):
    with sessions() as db:
        add_agent(db, "root", "Root", PASSWORD, "+15557770003", ["fraud"], role="admin")
    app = create_app(settings)
    admin = app.test_client()
    page = admin.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert admin.post("/login", data={"login": "root", "password": PASSWORD, "csrf_token": token}).status_code == 303
    with admin.session_transaction() as session:
        token = session["csrf_token"]
    text = renamed("Acme Bank plc")
    assert admin.post("/admin/scripts/acme_bank.yaml/drafts", data={"text": text, "csrf_token": token}).status_code \
        == 303
    with sessions() as db:
        version = publications.latest_draft(db, "acme_bank.yaml").id

    parses.clear()
    published = admin.post("/admin/scripts/acme_bank.yaml/publish",
                           data={"version": version, "reason": "legal name", "csrf_token": token})
    assert published.status_code == 303
    rt = app.extensions["callflow"]
    assert rt.script_for_number(LINE).company == "Acme Bank plc"  # in service here at once
    assert parses.count(text) == 1
    rt.close()


def test_importing_and_publishing_from_the_command_line_parse_the_text_once(run, settings, tmp_path, parses):
    edited = tmp_path / "acme_bank.yaml"
    edited.write_text(renamed("Acme Bank plc"))
    imported = run("scripts", "import", str(edited), "--reason", "legal name", "--by", "ada")
    assert imported.exit_code == 0, imported.output
    assert parses.count(edited.read_text()) == 1

    draft = renamed("Acme Bank Group")
    result = run("scripts", "import", str(_write(tmp_path / "draft", draft)), "--by", "ada")
    assert result.exit_code == 0, result.output
    older = re.search(r"published version (\d+) by ada: legal name", run("scripts", "history",
                                                                          "acme_bank.yaml").output).group(1)
    parses.clear()
    rollback = run("scripts", "publish", "acme_bank.yaml", older, "--by", "ada")
    assert rollback.exit_code == 0, rollback.output
    assert parses.count(edited.read_text()) == 1  # the trial; this command loaded only the files and the live one


def _write(folder: Path, text: str) -> Path:
    folder.mkdir()
    path = folder / "acme_bank.yaml"
    path.write_text(text)
    return path
