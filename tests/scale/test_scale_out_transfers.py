"""Transfers with two web processes and two workers (see tests/scale/conftest.py)."""

from __future__ import annotations

import pytest

from tests.e2e.test_transfers import (  # noqa: F401 -- fixtures and tests, run with this ring's fixtures
    centre,
    test_a_cold_transfer_requeues_the_caller_and_teaches_steering,
)

pytestmark = pytest.mark.e2e
