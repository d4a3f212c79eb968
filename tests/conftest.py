"""Shared test helpers. Tests that use ../shared skip cleanly where it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLES = ROOT / "samples"
SHARED = Path(os.environ.get("BRIEFING_SHARED", ROOT.parent / "shared"))

# Reproducible generated_at in JSON, whatever the clock says.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1648800000")


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not here")
    return SHARED
