"""The history of earlier briefings: new / updated / reported across two days, reruns, crash safety, rebuild."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from briefing import history as history_mod
from briefing.config import Config
from briefing.history import History, shown_items
from briefing.models import Briefing, Fact, Figure, Item, Section, Stats, Support
from briefing.select import since_yesterday

DAY1 = dt.date(2022, 3, 29)
DAY2 = dt.date(2022, 3, 30)
ROOT = Path(__file__).resolve().parent.parent


def killed(n: int) -> Figure:
    return Figure(value=float(n), unit="killed", text=f"{n} killed", category="killed")


def item(iid: str, text: str, *, theme="humanitarian", figures=(), outlets=1) -> Item:
    sources = tuple(f"{iid}-src{n}" for n in range(outlets))
    f = Fact(id=f"{iid}#0", article_id=sources[0], index=0, text=text, figures=tuple(figures), theme=theme)
    return Item(id=iid, text=text, theme=theme, facts=(f,), sources=sources, speaker=None, figures=tuple(figures),
                date=None, hedged=False, support=Support(outlets, "corroborated" if outlets > 1 else "single"),
                score=1.0)


def briefing(date: dt.date, items: list[Item]) -> Briefing:
    return Briefing(date=date, title="Test", generated_at="", takeaways=tuple(items[:1]),
                    sections=(Section("humanitarian", "Humanitarian", tuple(items[1:])),), sources=(),
                    key_figures=(), quotes=(), stats=Stats())


STRIKE = item("strike", "A Russian missile strike on the regional administration building in Mykolaiv killed 12 "
                        "people, the governor said.", figures=[killed(12)])
REFUGEES = item("refugees", "More than four million people have fled Ukraine since the invasion began, the UN "
                            "refugee agency said.", outlets=2)
TALKS = item("talks", "Russian and Ukrainian negotiators will meet in Istanbul on Tuesday for a new round of talks.",
             theme="negotiations")

STRIKE_LATER = item("strike2", "The death toll from the Russian missile strike on the regional administration "
                               "building in Mykolaiv rose to 15, the governor said.", figures=[killed(15)])
REFUGEES_AGAIN = item("refugees2", "More than four million people have fled Ukraine since the invasion started, "
                                   "the UN refugee agency said.", outlets=2)
CORRIDOR = item("corridor", "A humanitarian corridor opened to evacuate civilians from the port city of Berdyansk "
                            "by bus.")
DAY1_ITEMS = [STRIKE, REFUGEES, TALKS]
DAY2_ITEMS = [STRIKE_LATER, REFUGEES_AGAIN, CORRIDOR]


def novelty(items: list[Item]) -> dict[str, str]:
    return {it.id: it.novelty for it in items}


def test_two_days_new_updated_and_already_reported(tmp_path):
    with History.open(tmp_path / "h.sqlite") as history:
        first = history.mark(DAY1_ITEMS, DAY1)
        assert novelty(first) == {"strike": "new", "refugees": "new", "talks": "new"}
        # A first run has nothing to compare with: no "since yesterday" block.
        assert since_yesterday(first, first) == ()
        assert history.record(briefing(DAY1, first), shown_items(briefing(DAY1, first)), DAY1) == 3

        second = history.mark(DAY2_ITEMS, DAY2)
        assert novelty(second) == {"strike2": "updated", "refugees2": "reported", "corridor": "new"}
        block = since_yesterday([it for it in second if it.novelty != "reported"], second)
        # The corridor names no place, count or speaker: "New, Humanitarian: first reported." would say nothing.
        assert [it.id for it in block] == ["strike2"]

        # More independent outlets on a known event is an update too.
        wider = item("refugees3", REFUGEES_AGAIN.text, outlets=4)
        assert history.mark([wider], DAY2)[0].novelty == "updated"


def test_a_rerun_for_the_same_date_does_not_count_itself(tmp_path):
    with History.open(tmp_path / "h.sqlite") as history:
        history.record(briefing(DAY1, DAY1_ITEMS), DAY1_ITEMS, DAY1)
        history.record(briefing(DAY2, DAY2_ITEMS), DAY2_ITEMS, DAY2)
        again = history.mark(DAY2_ITEMS, DAY2)
        assert novelty(again) == {"strike2": "updated", "refugees2": "reported", "corridor": "new"}
        # Recording the rerun replaces the date's rows, never adds to them.
        history.record(briefing(DAY2, DAY2_ITEMS[:1]), DAY2_ITEMS[:1], DAY2)
        assert [r["id"] for r in history.rows(DAY2)] == ["strike2"]
        assert len(history.rows(DAY1)) == 3


def test_lookback_limits_what_counts_as_reported(tmp_path):
    with History.open(tmp_path / "h.sqlite", lookback_days=2) as history:
        history.record(briefing(DAY1, DAY1_ITEMS), DAY1_ITEMS, DAY1)
        assert history.mark([REFUGEES_AGAIN], DAY1 + dt.timedelta(days=2))[0].novelty == "reported"
        assert history.mark([REFUGEES_AGAIN], DAY1 + dt.timedelta(days=3))[0].novelty == "new"


def test_a_crash_inside_the_transaction_keeps_the_old_state(tmp_path, monkeypatch):
    path = tmp_path / "h.sqlite"
    with History.open(path) as history:
        history.record(briefing(DAY1, DAY1_ITEMS), DAY1_ITEMS, DAY1)
    before = sorted(r["id"] for r in History.open(path).rows(DAY1))

    calls = {"n": 0}
    real_insert = history_mod._insert

    def failing_insert(conn, row):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("killed mid-write")
        real_insert(conn, row)

    monkeypatch.setattr(history_mod, "_insert", failing_insert)
    with History.open(path) as history:
        with pytest.raises(RuntimeError):
            history.record(briefing(DAY1, DAY2_ITEMS), DAY2_ITEMS, DAY1)
        assert sorted(r["id"] for r in history.rows(DAY1)) == before
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_a_killed_writer_process_leaves_the_old_state(tmp_path):
    path = tmp_path / "h.sqlite"
    with History.open(path) as history:
        history.record(briefing(DAY1, DAY1_ITEMS), DAY1_ITEMS, DAY1)
    # A child process replaces DAY1's rows and is killed (os._exit, no cleanup) after two inserts.
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT / 'tests')!r})
        from briefing import history as h
        from test_history import DAY1, DAY2_ITEMS, briefing
        real, n = h._insert, [0]
        def insert(conn, row):
            real(conn, row)
            n[0] += 1
            if n[0] == 2:
                os._exit(9)
        h._insert = insert
        store = h.History.open({str(path)!r})
        store.record(briefing(DAY1, DAY2_ITEMS), DAY2_ITEMS, DAY1)
        os._exit(0)
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**os.environ}, timeout=300)
    assert proc.returncode == 9
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with History.open(path) as history:
        assert sorted(r["id"] for r in history.rows(DAY1)) == ["refugees", "strike", "talks"]


def test_rebuild_from_briefing_json_files(tmp_path):
    from briefing.output.render import json_text_of

    out = tmp_path / "output"
    for date, items in ((DAY1, DAY1_ITEMS), (DAY2, DAY2_ITEMS)):
        (out / date.isoformat()).mkdir(parents=True)
        (out / date.isoformat() / "briefing.json").write_text(json_text_of(briefing(date, items)), encoding="utf-8")
    (out / "not-a-date").mkdir()
    (out / "not-a-date" / "briefing.json").write_text("{broken", encoding="utf-8")
    with History.open(tmp_path / "rebuilt.sqlite") as history:
        history.record(briefing(dt.date(2022, 1, 1), [TALKS]), [TALKS], dt.date(2022, 1, 1))  # stale row, dropped
        assert history.rebuild(out) == 6
        assert history.dates() == [DAY1.isoformat(), DAY2.isoformat()]
        strike = next(r for r in history.rows(DAY1) if r["id"] == "strike")
        assert strike["figures"] == [("killed", 12.0)] and strike["outlets"] == 1
        marked = history.mark(DAY2_ITEMS, DAY2)
        assert novelty(marked) == {"strike2": "updated", "refugees2": "reported", "corridor": "new"}


def test_history_rebuild_command(tmp_path, capsys):
    from briefing.cli import main
    from briefing.output.render import json_text_of

    out = tmp_path / "output"
    (out / DAY1.isoformat()).mkdir(parents=True)
    (out / DAY1.isoformat() / "briefing.json").write_text(json_text_of(briefing(DAY1, DAY1_ITEMS)), encoding="utf-8")
    assert main(["history", "rebuild", "--output", str(out)]) == 0
    assert "3 item(s) over 1 date(s)" in capsys.readouterr().out
    with History.open(out / "history.sqlite") as history:
        assert len(history.rows(DAY1)) == 3


def test_a_disabled_history_marks_nothing_and_records_nothing(tmp_path):
    from dataclasses import replace

    config = Config(output=tmp_path)
    config = replace(config, history=replace(config.history, enabled=False))
    history = History.from_config(config)
    assert history.mark(DAY1_ITEMS, DAY1) == DAY1_ITEMS
    assert history.record(briefing(DAY1, DAY1_ITEMS)) == 0
    assert not (tmp_path / "history.sqlite").exists()


# ------------------------------------------------------------------------------------- corrupt or odd stores


def _json_output(tmp_path: Path) -> Path:
    from briefing.output.render import json_text_of

    out = tmp_path / "output"
    (out / DAY1.isoformat()).mkdir(parents=True)
    (out / DAY1.isoformat() / "briefing.json").write_text(json_text_of(briefing(DAY1, DAY1_ITEMS)), encoding="utf-8")
    return out


@pytest.mark.parametrize("damage", ["garbage", "torn-page"])
def test_a_corrupt_history_is_moved_aside_and_a_fresh_one_started(tmp_path, caplog, damage):
    path = tmp_path / "history.sqlite"
    with History.open(path) as history:
        history.record(briefing(DAY1, DAY1_ITEMS), DAY1_ITEMS, DAY1)
    data = bytearray(path.read_bytes())
    if damage == "garbage":
        data[:100] = b"\x00garbage" * 12 + b"\x00" * 4
    else:  # a page in the middle overwritten: the header is fine, the b-tree is not
        data[4096:8192] = b"\xff" * 4096
    path.write_bytes(bytes(data))
    with History.open(path) as history:
        assert history.dates() == []
        assert history.mark(DAY2_ITEMS, DAY2) == [_new(i) for i in DAY2_ITEMS]
    (aside,) = tmp_path.glob("history.sqlite.corrupt-*")
    assert aside.read_bytes() == bytes(data)
    (line,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert line.startswith(f"{path}: not a usable SQLite database (") and line.endswith(
        f"); moved aside to {aside.name}, starting a new history (briefing history rebuild refills it)")


def _new(it: Item) -> Item:
    from dataclasses import replace

    return replace(it, novelty="new")


def test_history_rebuild_recreates_a_corrupt_history(tmp_path, capsys):
    from briefing.cli import main

    out = _json_output(tmp_path)
    (out / "history.sqlite").write_bytes(b"this is not a database" * 100)
    assert main(["history", "rebuild", "--output", str(out)]) == 0
    assert "3 item(s) over 1 date(s)" in capsys.readouterr().out
    assert len(list(out.glob("history.sqlite.corrupt-*"))) == 1


def test_rows_with_a_wrong_vector_or_broken_json_are_dropped_with_one_warning(tmp_path, caplog):
    path = tmp_path / "history.sqlite"
    with History.open(path) as history:
        history.record(briefing(DAY1, DAY1_ITEMS), DAY1_ITEMS, DAY1)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE events SET vectors = ? WHERE event_id = 'strike'", (b"\x00" * 12,))
    conn.execute("UPDATE events SET figures = '{broken' WHERE event_id = 'talks'")
    conn.commit()
    conn.close()
    with History.open(path) as history:
        assert [r["id"] for r in history.rows(DAY1)] == ["refugees"]
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        f"{path}: 2 unusable row(s) dropped (vectors of the wrong length or unreadable JSON)"]


def _fact_item(iid: str, text: str, *, places=(), speaker=None, figures=(), outlets=1) -> Item:
    from briefing.models import Entity

    sources = tuple(f"{iid}-src{n}" for n in range(outlets))
    f = Fact(id=f"{iid}#0", article_id=sources[0], index=0, text=text, speaker=speaker, figures=tuple(figures),
             entities=tuple(Entity(p, "GPE") for p in places), theme="humanitarian")
    return Item(id=iid, text=text, theme="humanitarian", facts=(f,), sources=sources, speaker=speaker,
                figures=tuple(figures), date=None, hedged=False,
                support=Support(outlets, "corroborated" if outlets > 1 else "single"), score=1.0)


EVACUATION = _fact_item("evac", "About 2,000 civilians left Mariupol by bus through a humanitarian corridor to "
                                "Zaporizhzhia.", places=("Mariupol", "Zaporizhzhia"))


def test_a_new_actor_or_a_new_place_is_an_update_and_the_same_report_is_not(tmp_path):
    with History.open(tmp_path / "h.sqlite") as history:
        history.record(briefing(DAY1, [EVACUATION]), [EVACUATION], DAY1)
        same = _fact_item("evac2", "Around 2,000 civilians left Mariupol by bus through a humanitarian corridor "
                                   "towards Zaporizhzhia.", places=("Mariupol", "Zaporizhzhia"))
        actor = _fact_item("evac3", "About 2,000 civilians left Mariupol by bus through a humanitarian corridor to "
                                    "Zaporizhzhia, Iryna Vereshchuk said.", places=("Mariupol", "Zaporizhzhia"),
                           speaker="Iryna Vereshchuk")
        place = _fact_item("evac4", "About 2,000 civilians left Mariupol by bus through a humanitarian corridor to "
                                    "Zaporizhzhia and Berdyansk.", places=("Mariupol", "Zaporizhzhia", "Berdyansk"))
        marked = {it.id: it for it in history.mark([same, actor, place], DAY2)}
        assert marked["evac2"].novelty == "reported" and marked["evac2"].first_reported == DAY1
        assert marked["evac3"].novelty == "updated" and marked["evac3"].changes == ("actor",)
        assert marked["evac4"].novelty == "updated" and marked["evac4"].changes == ("place",)


def test_an_updated_toll_keeps_the_previous_figure(tmp_path):
    with History.open(tmp_path / "h.sqlite") as history:
        history.record(briefing(DAY1, DAY1_ITEMS), DAY1_ITEMS, DAY1)
        strike = history.mark([STRIKE_LATER], DAY2)[0]
        assert strike.novelty == "updated" and strike.previous == (("killed", 12.0),)
        assert strike.first_reported == DAY1


def test_a_gap_day_still_finds_the_event_within_lookback(tmp_path):
    with History.open(tmp_path / "h.sqlite", lookback_days=7) as history:
        history.record(briefing(DAY1, DAY1_ITEMS), DAY1_ITEMS, DAY1)
        day3 = DAY1 + dt.timedelta(days=2)  # nothing was run on DAY2
        assert novelty(history.mark(DAY2_ITEMS, day3)) == {"strike2": "updated", "refugees2": "reported",
                                                          "corridor": "new"}


def test_events_not_shown_are_remembered(tmp_path):
    with History.open(tmp_path / "h.sqlite") as history:
        history.record(briefing(DAY1, [STRIKE]), [STRIKE], DAY1, events=DAY1_ITEMS)
        assert [r["id"] for r in history.rows(DAY1)] == ["strike"]
        assert len(history.rows(DAY1, shown_only=False)) == 3
        # Known from day 1's articles, but day 1's briefing did not show it: the reader never saw it, so it is
        # not hidden as "reported" — it is new to them, first reported on day 1.
        again = history.mark([REFUGEES_AGAIN], DAY2)[0]
        assert (again.novelty, again.first_reported, again.changes) == ("new", DAY1, ())


def test_only_what_an_earlier_briefing_showed_is_hidden_as_reported(tmp_path):
    with History.open(tmp_path / "h.sqlite") as history:
        history.record(briefing(DAY1, DAY1_ITEMS), DAY1_ITEMS, DAY1)  # shown on day 1
        history.record(briefing(DAY2, [STRIKE]), [STRIKE], DAY2, events=DAY1_ITEMS)  # known, not shown on day 2
        again = history.mark([REFUGEES_AGAIN], DAY2 + dt.timedelta(days=1))[0]
        assert (again.novelty, again.first_reported) == ("reported", DAY1)


def test_a_version_1_store_is_migrated_and_foreign_tables_are_kept(tmp_path):
    import json

    import numpy as np

    from briefing.embed import embed

    path = tmp_path / "h.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '1');
        CREATE TABLE items (date TEXT NOT NULL, item_id TEXT NOT NULL, text TEXT NOT NULL, theme TEXT,
            sources TEXT NOT NULL, outlets INTEGER NOT NULL, figures TEXT NOT NULL, novelty TEXT NOT NULL,
            vector BLOB NOT NULL, PRIMARY KEY (date, item_id));
        CREATE TABLE search_docs (id INTEGER PRIMARY KEY, body TEXT);
        INSERT INTO search_docs VALUES (1, 'kept');
    """)
    vector = np.asarray(embed([REFUGEES.text])[0], dtype=np.float32).tobytes()
    conn.execute("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (DAY1.isoformat(), "refugees", REFUGEES.text, "humanitarian", json.dumps(["s1", "s2"]), 2,
                  "[]", "new", vector))
    conn.commit()
    conn.close()
    with History.open(path) as history:
        assert [r["id"] for r in history.rows(DAY1)] == ["refugees"]
        assert history.mark([REFUGEES_AGAIN], DAY2)[0].novelty == "reported"
    conn = sqlite3.connect(path)
    version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    assert version == str(history_mod.SCHEMA_VERSION)
    assert conn.execute("SELECT body FROM search_docs").fetchone()[0] == "kept"
    assert not conn.execute("SELECT name FROM sqlite_master WHERE name = 'items'").fetchall()
    conn.close()


def test_since_yesterday_lines_are_generated_not_copied(tmp_path):
    with History.open(tmp_path / "h.sqlite") as history:
        history.record(briefing(DAY1, DAY1_ITEMS), DAY1_ITEMS, DAY1)
        second = history.mark(DAY2_ITEMS, DAY2)
        lines = since_yesterday([it for it in second if it.novelty != "reported"], second)
        assert [it.id for it in lines] == ["strike2"]
        assert lines[0].text == "Update, Humanitarian: killed now 15 (12 on 29 Mar)."
        assert all(line.text not in {it.text for it in second} for line in lines)


def test_a_failed_commit_is_reported_not_masked_by_the_rollback(tmp_path):
    path = tmp_path / "history.sqlite"
    history = History.open(path)
    real = history._conn

    class FullDisk:
        """SQLite rolls a transaction back by itself when COMMIT fails on a full disk."""

        @property
        def in_transaction(self):
            return real.in_transaction

        def execute(self, sql, *args):
            if sql == "COMMIT":
                real.execute("ROLLBACK")
                raise sqlite3.OperationalError("database or disk is full")
            return real.execute(sql, *args)

    history._conn = FullDisk()
    with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
        history._write({DAY1.isoformat(): []}, replace_all=False)
    real.close()
