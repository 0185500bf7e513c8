"""Building the training set from a script and from what agents' transfers taught."""

from __future__ import annotations

import pytest

from callflow.domain.steering.training import department_names, examples_from_script, merge_examples

SCRIPT_AS_MAPPING = {
    "departments": {
        "cards": {"name": "Cards", "phrases": ["I lost my PIN"]},
        "fraud": {"name": "Fraud and Security", "phrases": ["my card was stolen"]},
        "general": {"name": "Customer Service"},
    }
}
SCRIPT_AS_LIST = {
    "departments": [
        {"id": "cards", "name": "Cards", "phrases": ["I lost my PIN"]},
        {"id": "fraud", "name": "Fraud and Security", "phrases": ["my card was stolen"]},
        {"id": "general", "name": "Customer Service"},
    ]
}


@pytest.mark.parametrize("script", [SCRIPT_AS_MAPPING, SCRIPT_AS_LIST], ids=["mapping", "list"])
def test_departments_may_be_a_mapping_or_a_list(script):
    assert examples_from_script(script) == {
        "cards": ["I lost my PIN"],
        "fraud": ["my card was stolen"],
        "general": [],
    }
    assert department_names(script)["fraud"] == "Fraud and Security"


def test_the_acme_script_gives_phrases_for_every_department(acme_script):
    examples = examples_from_script(acme_script)
    assert examples and all(len(phrases) >= 10 for phrases in examples.values())


@pytest.mark.parametrize(
    ("learned", "expected"),
    [
        ([], {"cards": ["I lost my PIN"], "fraud": ["my card was stolen"]}),
        (
            [("it got nicked", "fraud")],
            {"cards": ["I lost my PIN"], "fraud": ["my card was stolen", "it got nicked"]},
        ),
        # The department that finally served the caller wins over the script's guess.
        ([("i LOST my pin ", "fraud")], {"cards": [], "fraud": ["I lost my PIN", "my card was stolen"]}),
        # Departments the script no longer has cannot be routed to.
        (
            [("close my account", "closed_team")],
            {"cards": ["I lost my PIN"], "fraud": ["my card was stolen"]},
        ),
        (
            [("my card was stolen", "fraud")] * 3,
            {"cards": ["I lost my PIN"], "fraud": ["my card was stolen"]},
        ),
    ],
)
def test_learned_examples_are_merged_with_the_script(learned, expected):
    script = {"cards": ["I lost my PIN"], "fraud": ["my card was stolen"]}
    merged = merge_examples(script, learned)
    assert {d: sorted(p) for d, p in merged.items()} == {d: sorted(p) for d, p in expected.items()}
