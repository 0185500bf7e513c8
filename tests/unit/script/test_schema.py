"""The JSON Schema editors use agrees with the loader on the sample scripts and on common mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from callflow.domain.script.lint import lint_text

from .test_lint import BASE, edit

jsonschema = pytest.importorskip("jsonschema")
SCHEMA = json.loads((Path(__file__).resolve().parents[3] / "callflow/domain/script/schema.json").read_text())
SCRIPTS = Path(__file__).resolve().parents[3] / "ivr_scripts"


def as_json(text: str) -> object:
    # Editors read YAML 1.2, where dates stay text; round-trip through JSON to get the same view.
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


def test_the_schema_is_valid_2020_12():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("text", [BASE] + [p.read_text() for p in sorted(SCRIPTS.glob("*.yaml"))])
def test_valid_scripts_pass_the_schema(text):
    jsonschema.Draft202012Validator(SCHEMA).validate(as_json(text))


@pytest.mark.parametrize(
    "text",
    [
        edit({1: None}),
        edit(append="colour: blue\n"),
        edit({4: 'line: {numbers: ["020 7946 0000"]}'}),
        edit({13: '      "0": {label: a person, department: desk}'}),
        edit({13: '      "1": {label: x, department: desk, menu: main}'}),
        edit({8: '    hours: {weekly: {mon: ["8am-5pm"]}}'}),
    ],
)
def test_the_schema_and_the_loader_both_refuse(text):
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(as_json(text)))
    assert lint_text(text)
