"""``briefing label``: the least certain sentences, one key per answer, appended to classify.examples_file."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from briefing.cli import main
from briefing.label import Candidate, answer_keys, append_example, margins, session

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def _config(tmp_path: Path, examples: str | None = "labels/desk.jsonl") -> Path:
    cfg = {"output": str(tmp_path / "out"), "sources": {"folders": [str(SAMPLES)]}}
    if examples:
        cfg["classify"] = {"examples_file": examples}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


def _cand(text: str = "Around half of them are children.") -> Candidate:
    return Candidate(text, "art-1", "Thousands flee the city", "Example News", "Buses left the city.", None, 0.02,
                     (("humanitarian", 0.41), ("none", 0.39), ("battlefield", 0.1)))


def test_margins_are_the_gap_between_the_top_two():
    assert margins(np.array([[0.5, 0.3, 0.2], [0.34, 0.33, 0.33]])) == pytest.approx([0.2, 0.01])


def test_label_end_to_end(tmp_path, monkeypatch, capsys):
    cfg = _config(tmp_path)
    # theme 3 (humanitarian), none, a stray key (asked again), skip, theme 2 (battlefield), then quit
    monkeypatch.setattr(sys, "stdin", io.StringIO("3\nn\nx s 2 q"))
    assert main(["label", "--config", str(cfg), "--date", "2022-04-01", "--count", "8", "-q"]) == 0
    out = capsys.readouterr().out
    assert "[1/8]" in out and "article: " in out and "unsure between: " in out
    assert "1 negotiations  2 battlefield  3 humanitarian  4 sanctions  n none  s skip  q quit" in out
    assert "'x'? press a theme number, n, s or q" in out
    assert "3 labelled, 1 skipped, 3 not shown" in out
    desk = tmp_path / "labels" / "desk.jsonl"
    rows = [json.loads(line) for line in desk.read_text(encoding="utf-8").splitlines()]
    assert [r["label"] for r in rows] == ["humanitarian", "none", "battlefield"]
    assert all(r["date"] == "2022-04-01" and r["article"] and r["text"] for r in rows)
    shown = [line[4:] for line in out.splitlines() if line.startswith("  » ")]
    assert [r["text"] for r in rows] == [shown[0], shown[1], shown[3]]

    # the next session learns from them and does not ask about them again
    from briefing.classify import ThemeClassifier
    from briefing.config import load_config

    config, _ = load_config(cfg)
    assert sum(k == "desk" for k in ThemeClassifier(config.themes, config.classify).kinds) == 3
    monkeypatch.setattr(sys, "stdin", io.StringIO("q"))
    assert main(["label", "--config", str(cfg), "--date", "2022-04-01", "--count", "8", "-q"]) == 0
    again = [line[4:] for line in capsys.readouterr().out.splitlines() if line.startswith("  » ")]
    assert again and again[0] not in {r["text"] for r in rows}
    assert len(desk.read_text(encoding="utf-8").splitlines()) == 3  # quitting adds nothing


def test_label_needs_an_examples_file(tmp_path, capsys):
    cfg = _config(tmp_path, examples=None)
    assert main(["label", "--config", str(cfg), "--date", "2022-04-01"]) == 2
    assert capsys.readouterr().err == ("error: classify.examples_file: not set: name the file your labels go to, "
                                       "e.g. `classify: {examples_file: labels.jsonl}` in config.yaml\n")


def test_session_stops_when_the_keys_run_out():
    saved = []
    out = io.StringIO()
    done = session([_cand("One."), _cand("Two.")], iter("4"), out, ["negotiations", "battlefield", "humanitarian",
                   "sanctions"], lambda c, lab: saved.append((c.text, lab)), Path("x.jsonl"))
    assert saved == [("One.", "sanctions")] and done.shown == 2 and done.labelled == (("One.", "sanctions"),)
    assert "before: Buses left the city." in out.getvalue()


def test_answer_keys_past_nine_themes_skip_the_command_letters():
    keys = answer_keys([f"t{i}" for i in range(12)])
    assert keys["9"] == "t8" and keys["a"] == "t9" and keys["n"] == "none"
    assert not {"s", "q"} & set(keys)


def test_append_example_keeps_a_yaml_file_format(tmp_path):
    from briefing.classify import load_labelled_file

    mapping = tmp_path / "desk.yaml"
    mapping.write_text("sanctions:\n  - The EU froze the bank's assets.\n", encoding="utf-8")
    append_example(mapping, _cand(), "humanitarian", dt.date(2022, 4, 1))
    assert load_labelled_file(mapping) == [("The EU froze the bank's assets.", "sanctions"),
                                           ("Around half of them are children.", "humanitarian")]
    listed = tmp_path / "new.yml"
    append_example(listed, _cand(), "none", dt.date(2022, 4, 1))
    append_example(listed, _cand("Read more"), "none", dt.date(2022, 4, 1))
    assert load_labelled_file(listed) == [("Around half of them are children.", "none"), ("Read more", "none")]


def test_a_configured_examples_file_not_yet_written_is_a_warning(tmp_path, caplog):
    from briefing.classify import ThemeClassifier
    from briefing.config import DEFAULT_THEMES, ClassifyConfig

    missing = tmp_path / "desk.jsonl"
    clf = ThemeClassifier(DEFAULT_THEMES, ClassifyConfig(examples_file=missing))
    assert "desk" not in clf.kinds
    assert f"classify.examples_file: {missing} does not exist yet (`briefing label` creates it)" in caplog.text
