"""The sample briefing's Markdown, byte for byte. Regenerate after an intended change: `make golden`."""

import datetime as dt
import os
from pathlib import Path

from briefing.config import load_config
from briefing.pipeline import run

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "sample-2022-04-01.md"


def _render(tmp_path: Path) -> str:
    config, _ = load_config(ROOT / "config.yaml")
    config = config.override(output=tmp_path / "out", pdf=config.pdf.__class__(enabled=False))
    config = config.override(history=config.history.__class__(enabled=False), publish=config.publish.__class__(index=False))
    result = run(config, inputs=[ROOT / "samples"], date=dt.date(2022, 4, 1))
    return (result.out_dir / "briefing.md").read_text(encoding="utf-8")


def test_sample_briefing_matches_golden_markdown(tmp_path):
    markdown = _render(tmp_path)
    if os.environ.get("BRIEFING_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(markdown, encoding="utf-8")
    assert markdown == GOLDEN.read_text(encoding="utf-8"), "run `make golden` and review the diff if intended"


def test_rerun_is_byte_identical(tmp_path):
    assert _render(tmp_path / "a") == _render(tmp_path / "b")
