"""Issue 12 on the two sample articles, run as two days into one output folder with one history: the second
day marks what the first day's briefing carried as known, and keeps what is new new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
DAY1, DAY2 = "2022-03-29", "2022-04-01"


@pytest.fixture(scope="module")
def day2(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("samples")
    cfg = tmp / "config.yaml"
    cfg.write_text("output: out\npdf:\n  enabled: false\n", encoding="utf-8")
    for name, day in (("000_986f4cd8ed297f09.txt", DAY1), ("004_d52130d6b5804202.txt", DAY2)):
        assert main(["run", "--config", str(cfg), "--input", str(SAMPLES / name), "--date", day, "-q"]) == 0
    out = tmp / "out" / DAY2
    return json.loads((out / "briefing.json").read_text(encoding="utf-8")), (out / "briefing.md").read_text(
        encoding="utf-8")


def _shown(data: dict) -> list[dict]:
    return list(data["takeaways"]) + [it for theme in data["themes"] for it in theme["items"]]


def _event(data: dict, words: str) -> dict:
    found = [e for e in data["events"] if words in e["text"]]
    assert len(found) == 1, words
    return found[0]


def test_the_first_days_pledge_restated_as_background_is_known_and_not_repeated(day2):
    data, markdown = day2
    pledge = _event(data, "scale down operations")  # day 1's briefing led with the pledge to reduce activity
    assert (pledge["novelty"], pledge["first_reported"]) == ("reported", DAY1)
    assert pledge["id"] not in {it["id"] for it in _shown(data)}
    assert "scale down operations" not in markdown


@pytest.mark.parametrize("words", ["Lavrov said Moscow is preparing a response", "I don’t see any signs",
                                   "evacuation convoy left Berdyansk", "Eleven villages"])
def test_what_happened_after_the_first_day_stays_new(day2, words):
    event = _event(day2[0], words)
    assert (event["novelty"], event["first_reported"]) == ("new", None)


def test_no_day2_item_is_updated_without_a_change(day2):
    for event in _shown(day2[0]):
        assert event["novelty"] != "updated" or event["changes"], event["text"]


def test_since_yesterday_lists_changes_without_copying_shown_text(day2):
    data, _ = day2
    lines = [s["text"] for s in data["since_yesterday"]]
    assert lines and all(line.startswith(("New, ", "Update, ")) for line in lines)
    shown = [it["text"] for it in _shown(data)]
    for line in lines:
        words = line.rstrip(".").split(": ", 1)[1].split()
        assert not any(" ".join(words[k:k + 8]) in text for text in shown for k in range(max(len(words) - 7, 1)))
