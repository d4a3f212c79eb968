"""What earlier briefings reported, in SQLite, so a day's run knows what is new, updated or already said.

One row per item shown in a briefing, keyed by (briefing date, item id), with the item's text, theme, sources,
outlets, figures and its sentence embedding (float32 blob). A run compares today's items with the rows of the
``lookback_days`` dates before today (never today's own rows: a rerun for the same date does not count itself),
and marks each item:

* ``new`` — nothing like it was reported;
* ``updated`` — a known event with new figures (a value not reported before) or more independent outlets;
* ``reported`` — said before, nothing changed (selection leaves it out).

After a successful render the date's rows are replaced in one transaction: a crash mid-write leaves the old
rows in place (SQLite rolls the transaction back). ``rebuild`` recreates the whole store from the
``briefing.json`` files in the output folder (``briefing history rebuild``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .models import Briefing, Item

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
# A history row this similar (cosine) to an item, with no conflicting target or place, is the same event.
MATCH_SIM = 0.8
ANCHORED_SIM = 0.65
# Figure categories whose new values make a known event "updated".
_FIGURE_CATEGORIES = ("killed", "injured", "evacuated", "refugees", "military", "money", "other")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    date TEXT NOT NULL,
    item_id TEXT NOT NULL,
    text TEXT NOT NULL,
    theme TEXT,
    sources TEXT NOT NULL,
    outlets INTEGER NOT NULL,
    figures TEXT NOT NULL,
    novelty TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (date, item_id)
);
CREATE INDEX IF NOT EXISTS items_date ON items (date);
CREATE TABLE IF NOT EXISTS runs (date TEXT PRIMARY KEY, recorded_at TEXT NOT NULL, items INTEGER NOT NULL);
"""


_REPAIRS = (
    ("a vector of the wrong length or unreadable JSON",
     f"DELETE FROM items WHERE typeof(vector) != 'blob' OR length(vector) != {384 * 4} OR NOT json_valid(sources) "
     "OR NOT json_valid(figures) OR json_type(sources) != 'array' OR json_type(figures) != 'array'"),
)


def _setup(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA synchronous=FULL")
    conn.executescript(_SCHEMA)
    conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))


class History:
    """The store of earlier briefings. ``History.open(path)``; a disabled history marks nothing new."""

    def __init__(self, conn: sqlite3.Connection | None, lookback_days: int = 7, path: Path | None = None):
        self._conn = conn
        self.lookback_days = lookback_days
        self.path = path

    # ------------------------------------------------------------------------------------------- opening

    @classmethod
    def open(cls, path: Path | str, lookback_days: int = 7) -> "History":
        from .store import open_sqlite

        path = Path(path)
        # Autocommit mode: transactions are opened explicitly (BEGIN IMMEDIATE) where rows are written. A damaged
        # file is moved aside and a new one started; rows a run could not use are dropped (briefing.store).
        conn = open_sqlite(path, _setup, _REPAIRS)
        return cls(conn, lookback_days, path)

    @classmethod
    def from_config(cls, config) -> "History":
        """The configured history, or a disabled one (marks every item new, records nothing)."""
        if not config.history.enabled:
            return cls(None, config.history.lookback_days)
        return cls.open(config.history_path, config.history.lookback_days)

    @property
    def enabled(self) -> bool:
        return self._conn is not None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --------------------------------------------------------------------------------------------- marking

    def mark(self, items: Sequence[Item], date: dt.date) -> list[Item]:
        """``items`` with ``novelty`` set against the briefings of the ``lookback_days`` dates before ``date``."""
        items = list(items)
        if self._conn is None or not items:
            return items
        past = self._past_rows(date)
        if not past:
            return [replace(it, novelty="new") for it in items]
        from .embed import embed

        vectors = embed([it.text for it in items])
        matrix = np.stack([r["vector"] for r in past])
        sims = vectors @ matrix.T
        out = []
        for it, row_sims in zip(items, sims):
            matches = [past[j] for j in np.argsort(-row_sims, kind="stable")[:10]
                       if _same_event(it, past[j], float(row_sims[j]))]
            out.append(replace(it, novelty=_novelty(it, matches)))
        return out

    def _past_rows(self, date: dt.date) -> list[dict]:
        start = (date - dt.timedelta(days=max(self.lookback_days, 0))).isoformat()
        rows = self._conn.execute(
            "SELECT date, item_id, text, theme, sources, outlets, figures, vector FROM items "
            "WHERE date < ? AND date >= ? ORDER BY date DESC, item_id", (date.isoformat(), start)).fetchall()
        return [{"date": r[0], "id": r[1], "text": r[2], "theme": r[3], "sources": json.loads(r[4]),
                 "outlets": r[5], "figures": {tuple(x) for x in json.loads(r[6])},
                 "vector": np.frombuffer(r[7], dtype=np.float32)} for r in rows]

    def dates(self) -> list[str]:
        if self._conn is None:
            return []
        return [r[0] for r in self._conn.execute("SELECT DISTINCT date FROM items ORDER BY date")]

    def rows(self, date: dt.date | str) -> list[dict]:
        """The stored rows of one date (for tools and tests)."""
        if self._conn is None:
            return []
        key = date.isoformat() if isinstance(date, dt.date) else date
        rows = self._conn.execute("SELECT item_id, text, theme, sources, outlets, figures, novelty FROM items "
                                  "WHERE date = ? ORDER BY item_id", (key,)).fetchall()
        return [{"id": r[0], "text": r[1], "theme": r[2], "sources": json.loads(r[3]), "outlets": r[4],
                 "figures": [tuple(x) for x in json.loads(r[5])], "novelty": r[6]} for r in rows]

    # ------------------------------------------------------------------------------------------- recording

    def record(self, briefing: Briefing, items_shown: Iterable[Item] | None = None,
               date: dt.date | None = None) -> int:
        """Replace the rows of ``date`` (default: the briefing's) with the items shown, in one transaction.
        Returns the number of rows written."""
        if self._conn is None:
            return 0
        date = date or briefing.date
        shown = _unique(items_shown if items_shown is not None else shown_items(briefing))
        from .embed import embed

        vectors = embed([it.text for it in shown]) if shown else np.zeros((0, 384), np.float32)
        rows = [_row(date.isoformat(), it.id, it.text, it.theme, it.sources, it.support.outlets,
                     _figure_keys(it), it.novelty, v) for it, v in zip(shown, vectors)]
        self._write({date.isoformat(): rows}, replace_all=False)
        return len(rows)

    def rebuild(self, output_dir: Path | str) -> int:
        """Recreate the whole history from ``<output_dir>/<date>/briefing.json`` files; returns rows written.
        Item texts are embedded again. One transaction: a failure leaves the old history as it was."""
        if self._conn is None:
            return 0
        from .embed import embed

        by_date: dict[str, list[tuple]] = {}
        for path in sorted(Path(output_dir).glob("*/briefing.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                day = dt.date.fromisoformat(str(data.get("date") or path.parent.name)).isoformat()
            except (OSError, ValueError, json.JSONDecodeError) as exc:
                log.warning("%s: skipped, not a readable briefing (%s)", path, exc)
                continue
            records = _unique_records(_json_items(data))
            vectors = embed([r["text"] for r in records]) if records else []
            by_date[day] = [
                _row(day, r["id"], r["text"], r.get("theme"), r.get("sources") or [],
                     int((r.get("support") or {}).get("outlets") or len(r.get("sources") or []) or 1),
                     [(f.get("category") or f.get("unit") or "", float(f.get("value") or 0))
                      for f in r.get("figures") or []],
                     r.get("novelty") or "new", v)
                for r, v in zip(records, vectors)]
        self._write(by_date, replace_all=True)
        return sum(len(rows) for rows in by_date.values())

    def _write(self, by_date: dict[str, list[tuple]], replace_all: bool) -> None:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if replace_all:
                conn.execute("DELETE FROM items")
                conn.execute("DELETE FROM runs")
            now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
            for day, rows in sorted(by_date.items()):
                conn.execute("DELETE FROM items WHERE date = ?", (day,))
                for row in rows:
                    _insert(conn, row)
                conn.execute("INSERT OR REPLACE INTO runs (date, recorded_at, items) VALUES (?, ?, ?)",
                             (day, now, len(rows)))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite may have rolled back already (a full disk): keep the first error
                conn.execute("ROLLBACK")
            raise


# ------------------------------------------------------------------------------------------------- helpers


def shown_items(briefing: Briefing) -> list[Item]:
    """Every item a briefing shows: takeaways, section items and the claims shown beside them."""
    items = list(briefing.takeaways) + [it for s in briefing.sections for it in s.items]
    items += [d for it in list(items) for d in it.disputed_by]
    return _unique(items)


def _unique(items: Iterable[Item]) -> list[Item]:
    return list({it.id: it for it in items}.values())


def _json_items(data: dict) -> list[dict]:
    items = list(data.get("takeaways") or [])
    for theme in data.get("themes") or []:
        items.extend(theme.get("items") or [])
    items += [d for it in list(items) for d in it.get("disputed_by") or []]
    return [it for it in items if isinstance(it, dict) and it.get("text") and it.get("id")]


def _unique_records(records: list[dict]) -> list[dict]:
    return list({r["id"]: r for r in records}.values())


def _row(day, item_id, text, theme, sources, outlets, figures, novelty, vector) -> tuple:
    return (day, str(item_id), str(text), theme, json.dumps(list(sources)), int(outlets),
            json.dumps(sorted([list(f) for f in figures])), novelty,
            np.asarray(vector, dtype=np.float32).tobytes())


def _insert(conn: sqlite3.Connection, row: tuple) -> None:
    conn.execute("INSERT OR REPLACE INTO items (date, item_id, text, theme, sources, outlets, figures, novelty, "
                 "vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)


def _figure_keys(item: Item) -> list[tuple[str, float]]:
    return sorted({(f.category or f.unit, float(f.value)) for f in item.figures})


def _novelty(item: Item, matches: list[dict]) -> str:
    if not matches:
        return "new"
    known_figures = set().union(*(m["figures"] for m in matches))
    known_values = {(c, float(v)) for c, v in known_figures}
    fresh = [k for k in _figure_keys(item) if k not in known_values and k[0] in _FIGURE_CATEGORIES]
    if fresh:
        return "updated"
    if item.support.outlets > max(m["outlets"] for m in matches):
        return "updated"
    return "reported"


def _same_event(item: Item, row: dict, sim: float) -> bool:
    """Close enough, with no different attack target; or less close but anchored by the same target and the
    same kind of figure (a new toll of a known strike reads differently from the first report)."""
    from .dedupe import _targets

    ta, tb = _targets(item.text), _targets(row["text"])
    if ta and tb and not (ta & tb):
        return False
    if sim >= MATCH_SIM:
        return True
    categories = {f.category or f.unit for f in item.figures} & {c for c, _ in row["figures"]}
    return sim >= ANCHORED_SIM and bool(ta & tb) and bool(categories)

