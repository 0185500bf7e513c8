"""Callbacks with two web processes and two workers (see tests/scale/conftest.py)."""

from __future__ import annotations

import pytest

from tests.e2e.test_hold_and_callbacks import (  # noqa: F401 -- fixtures and tests, run with this ring's fixtures
    centre,
    test_a_callback_keeps_the_callers_place_and_rings_them_first_at_their_turn,
)

pytestmark = pytest.mark.e2e
