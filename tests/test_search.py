"""Search across past briefings: an FTS5 table in the history file, filled after each run, rebuilt from the
briefing.json files by `briefing history rebuild`, queried by `briefing search`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from briefing_fixture import DAY, LAVROV, SANCTIONS, make_briefing  # noqa: E402
from readers_fixture import write_day  # noqa: E402

from briefing import search  # noqa: E402
from briefing.output.archive import briefing_record  # noqa: E402
from briefing.cli import main  # noqa: E402
from briefing.config import Config  # noqa: E402
from briefing.errors import BriefingError  # noqa: E402

YESTERDAY = DAY - dt.timedelta(days=1)
TRUCE = dataclasses.replace(LAVROV, id="i-truce", text="Negotiators in Istanbul discussed a local truce around "
                            "Mariupol so that evacuation buses could leave.", theme="humanitarian")


def indexed(tmp_path: Path) -> Config:
    """Yesterday's briefing (with the truce item) and today's, indexed the way a run indexes them."""
    config = Config(output=tmp_path / "out")
    base = make_briefing()
    for date, extra in ((YESTERDAY, (TRUCE,)), (DAY, ())):
        sections = tuple(dataclasses.replace(s, items=s.items + tuple(i for i in extra if i.theme == s.key))
                         for s in base.sections)
        folder, _ = write_day(config, date, sections=sections)
        search.index_briefing(config.history_path, briefing_record(folder))
    return config


def test_search_returns_yesterdays_item_with_its_sources(tmp_path):
    config = indexed(tmp_path)
    (hit,) = search.search(config.history_path, "truce")
    assert hit.date == "2022-03-31" and hit.theme == "humanitarian"
    assert hit.text == TRUCE.text and hit.speaker == "Sergei Lavrov"
    assert [s["outlet"] for s in hit.sources] == ["Desk Monitor", "Wire Desk"]
    assert hit.sources[1]["url"] == "https://news.example.com/world/2022/04/01/kyiv-talks?ref=rss"


def test_newest_first_and_word_forms_match(tmp_path):
    config = indexed(tmp_path)
    hits = search.search(config.history_path, "sanction")  # stemmed: finds "sanctions"
    assert [h.date for h in hits] == ["2022-04-01", "2022-03-31"]
    assert all(h.text == SANCTIONS.text for h in hits)


def test_since_theme_phrases_and_or(tmp_path):
    config = indexed(tmp_path)
    db = config.history_path
    assert [h.date for h in search.search(db, "sanctions", since=DAY)] == ["2022-04-01"]
    assert search.search(db, "ceasefire", theme="humanitarian") == []
    assert {h.theme for h in search.search(db, "ceasefire")} == {"negotiations"}
    assert search.search(db, '"air strike" Mykolaiv')[0].text.startswith("At least 12 people were killed")
    assert search.search(db, '"strike air"') == []
    both = search.search(db, "truce OR hydrocarbons")
    assert {h.text for h in both} == {TRUCE.text, make_briefing().sections[3].items[1].text}
    # items are counted once a date even when they are also takeaways
    assert len(search.search(db, "Mykolaiv", since=DAY)) == 1


def test_punctuation_cannot_break_the_query(tmp_path):
    config = indexed(tmp_path)
    for query in ("U.S. official", "Kyiv-based AND", "NEAR( * ^", 'an "unclosed phrase'):
        search.search(config.history_path, query)  # no error
    with pytest.raises(BriefingError, match=r"nothing to search for in '\?\?': give one or more words"):
        search.search(config.history_path, "??")


def test_a_rerun_replaces_the_dates_rows_and_leaves_other_tables_alone(tmp_path):
    config = indexed(tmp_path)
    with sqlite3.connect(config.history_path) as conn:
        conn.execute("CREATE TABLE items (date TEXT, item_id TEXT)")
        conn.execute("INSERT INTO items VALUES ('2022-04-01', 'x')")
    search.index_briefing(config.history_path, briefing_record(config.output / "2022-04-01"))
    assert len(search.search(config.history_path, "sanctions")) == 2
    with sqlite3.connect(config.history_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM items").fetchone() == (1,)


def test_no_index_yet_says_how_to_make_one(tmp_path):
    with pytest.raises(BriefingError) as caught:
        search.search(tmp_path / "history.sqlite", "talks")
    assert str(caught.value) == (f"no search index at {tmp_path / 'history.sqlite'}; run 'briefing history rebuild' "
                                 "to make one from the briefing.json files")


def test_cli_search_prints_date_theme_item_and_sources_and_json(tmp_path, capsys):
    config = indexed(tmp_path)
    path = tmp_path / "config.yaml"
    path.write_text("output: out\n", encoding="utf-8")
    assert main(["search", "--config", str(path), "truce"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"2022-03-31  humanitarian  {TRUCE.text} (Sergei Lavrov)",
        "    Desk Monitor — Lavrov: Moscow preparing response to Ukraine's Istanbul proposals",
        "    Wire Desk — Evacuation convoy leaves Berdyansk as talks resume by video link "
        "<https://news.example.com/world/2022/04/01/kyiv-talks?ref=rss>",
    ]
    assert main(["search", "--config", str(path), "sanctions", "--since", "2022-04-01", "--theme", "sanctions",
                 "--json"]) == 0
    (hit,) = json.loads(capsys.readouterr().out)
    assert hit == {"date": "2022-04-01", "theme": "sanctions", "text": SANCTIONS.text, "speaker": "the White House",
                   "sources": [{"outlet": "", "url": "", "title": "Day 34 of the Invasion of Ukraine: Victims in "
                                "Mariupol, Battles around Kyiv, Aid from the US"}]}
    assert main(["search", "--config", str(path), "zeppelin"]) == 0
    assert capsys.readouterr().err == "no item matches 'zeppelin'\n"
    assert main(["search", "--config", str(path), "talks", "--since", "last week"]) == 2
    assert config.history_path.is_file()


def test_history_rebuild_rebuilds_the_search_index(tmp_path, capsys):
    config = indexed(tmp_path)
    config.history_path.unlink()
    broken = config.output / "2022-03-30"
    broken.mkdir()
    (broken / "briefing.json").write_text("{not json", encoding="utf-8")
    path = tmp_path / "config.yaml"
    path.write_text("output: out\n", encoding="utf-8")
    assert main(["history", "rebuild", "--config", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "search index rebuilt: 23 item(s) over 2 date(s)"
    assert main(["search", "--config", str(path), "truce", "--json"]) == 0
    assert [h["date"] for h in json.loads(capsys.readouterr().out)] == ["2022-03-31"]
