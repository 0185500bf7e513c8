"""Administrators move scripts between git and the live service from the command line: import (publish) files,
see the history, publish an older version (rollback), export what is live back to files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from callflow.runtime import Runtime

LINE = "+442079460100"  # Acme Bank's number in ivr_scripts/acme_bank.yaml
SOURCE = Path(__file__).resolve().parents[2] / "ivr_scripts" / "acme_bank.yaml"



@pytest.fixture
def web(settings, redis):
    """Another process's view: the web app's Runtime, serving calls."""
    runtime = Runtime(settings)
    yield runtime
    runtime.close()


def edited(tmp_path: Path, old: str, new: str) -> Path:
    """A checkout's copy of the bank's script with one change."""
    path = tmp_path / "acme_bank.yaml"
    path.write_text(SOURCE.read_text().replace(old, new, 1))
    return path


def test_import_publishes_for_every_process_and_history_rolls_back(run, web, tmp_path):
    assert web.script_for_number(LINE).company == "Acme Bank"
    renamed = edited(tmp_path, "company: Acme Bank", "company: Acme Bank plc")

    imported = run("scripts", "import", str(renamed), "--reason", "legal name", "--by", "ada")
    assert imported.exit_code == 0, imported.output
    assert web.script_for_number(LINE).company == "Acme Bank plc"  # seen by the next new call

    history = run("scripts", "history", "acme_bank.yaml").output.splitlines()
    assert re.search(r"published version \d+ by ada: legal name  \(in service\)$", history[0])
    file_version = re.search(r"published version (\d+) by ivr_scripts: in service from the file", history[1])
    assert file_version  # ids come from the database's sequence: not assumed to start at 1
    rollback = run("scripts", "publish", "acme_bank.yaml", file_version.group(1), "--reason", "undo", "--by", "ada")
    assert rollback.exit_code == 0, rollback.output
    assert web.script_for_number(LINE).company == "Acme Bank"

    out = tmp_path / "export"
    assert run("scripts", "export", "--to", str(out)).exit_code == 0
    assert (out / "acme_bank.yaml").read_text() == SOURCE.read_text()


def test_a_broken_file_is_refused_naming_its_line_and_nothing_changes(run, web, tmp_path):
    broken = edited(tmp_path, "main_menu: main", "main_menu: mian")
    line = broken.read_text().splitlines().index("main_menu: mian") + 1

    result = run("scripts", "import", str(broken))

    assert result.exit_code != 0
    assert f"acme_bank.yaml:{line}:" in result.output and "main_menu" in result.output
    assert web.script_for_number(LINE).main_menu == "main"
    assert "never saved here" in run("scripts", "history", "acme_bank.yaml").output
