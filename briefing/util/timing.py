"""Light per-stage timing: ``with timer.stage("extract"): ...`` records wall seconds and logs them at DEBUG.

Used by :func:`briefing.pipeline.run` (the result's ``timings``) and read by ``bench/throughput.py``.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from typing import Iterator

log = logging.getLogger(__name__)


class Timer:
    """Wall seconds per named stage, in the order the stages ran (a stage run twice adds up)."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - start
            self.timings[name] = self.timings.get(name, 0.0) + spent
            log.debug("stage %s: %.3f s", name, spent)
