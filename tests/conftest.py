"""Shared test fixtures. Tests that need the real embedded model are marked `local_model`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


def pytest_collection_modifyitems(config, items):
    if os.environ.get("LADDER_PAID_TESTS") == "1":
        return
    skip_paid = pytest.mark.skip(reason="needs a paid API key; set LADDER_PAID_TESTS=1 to run")
    for item in items:
        if "paid_api" in item.keywords:
            item.add_marker(skip_paid)
