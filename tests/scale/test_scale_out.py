"""A representative subset of the e2e suite, run unchanged against two web processes and two workers sharing
one Redis and one database, with every webhook alternating between the web processes (tests/scale/conftest.py):
a call routed to an agent, a callback, and a cold transfer."""

from __future__ import annotations

import pytest

from tests.e2e.test_agents import (  # noqa: F401 -- fixtures and tests, collected here with this ring's fixtures
    rest_settings,
    staff,
    test_a_caller_who_held_is_thanked_when_an_agent_frees_up,
    test_a_free_agent_is_rung_hears_the_whisper_and_talks_to_the_caller,
)

pytestmark = pytest.mark.e2e
