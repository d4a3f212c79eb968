"""What earlier briefings reported, as events, in SQLite: so a day's run knows what is new, updated or known.

One row per *event* of a day — shown or not — keyed by (date, event id), with its text, theme, sources,
independent outlets, figures, anchors (places, targets, actors, figures, dates: ``briefing.events``), whether
it was shown, when it was first reported, and every fact's sentence embedding (float32 matrix blob). A run
compares today's events with the rows of the ``lookback_days`` dates before today (never today's own: a rerun
for the same date replaces its rows and does not count itself), with ``events.same_event`` — the test the merge
uses — and marks each:

* ``new`` — no earlier event matches;
* ``updated`` — a known event with a real development: a new value for a measure already reported ("toll
  rises to 20 from 12"), a statement by an actor not heard on it before, a new place, or markedly more
  independent outlets (``_MORE_OUTLETS``); ``previous`` holds the earlier values of the changed measures;
* ``reported`` — known, nothing changed (selection leaves it out unless ``history.show_reported``).

Writes happen in one transaction: a crash mid-write leaves the old rows. ``rebuild`` recreates the store from
the ``briefing.json`` files in the output folder (their ``events`` list; older files: their shown items).
The schema is versioned in ``meta``; ``_migrate`` upgrades older stores in place and leaves alone every table
it does not own (a search index may share the file).
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

from . import events as ev
from .models import Briefing, Item

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
# Figure categories whose new values for a known measure make an event "updated".
_FIGURE_CATEGORIES = ("killed", "injured", "evacuated", "refugees", "military", "money")
# "Markedly more independent outlets": at least this many more, and at least twice as many.
_MORE_OUTLETS = 2
_DIM = 384

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    date TEXT NOT NULL,
    event_id TEXT NOT NULL,
    text TEXT NOT NULL,
    theme TEXT,
    sources TEXT NOT NULL,
    outlets INTEGER NOT NULL,
    figures TEXT NOT NULL,
    anchors TEXT NOT NULL,
    novelty TEXT NOT NULL,
    shown INTEGER NOT NULL,
    first_reported TEXT NOT NULL,
    vectors BLOB NOT NULL,
    PRIMARY KEY (date, event_id)
);
CREATE INDEX IF NOT EXISTS events_date ON events (date);
CREATE TABLE IF NOT EXISTS runs (date TEXT PRIMARY KEY, recorded_at TEXT NOT NULL, items INTEGER NOT NULL);
"""


# Rows a run could not use (a damaged or hand-edited file) are dropped on opening, with one warning (briefing.util.store).
_REPAIRS = (
    ("vectors of the wrong length or unreadable JSON",
     f"DELETE FROM events WHERE typeof(vectors) != 'blob' OR length(vectors) = 0 OR length(vectors) % {_DIM * 4} != 0 "
     "OR NOT json_valid(sources) OR NOT json_valid(figures) OR NOT json_valid(anchors) "
     "OR json_type(sources) != 'array' OR json_type(figures) != 'array'"),
)


def _connect(path: Path) -> sqlite3.Connection:
    """The one place the store is opened (autocommit: transactions are opened explicitly where rows are
    written), created and migrated to ``SCHEMA_VERSION``. A damaged file is moved aside and a new one started;
    rows a run could not use are dropped (``briefing.util.store``)."""
    from .util.store import open_sqlite

    return open_sqlite(path, _setup, _REPAIRS)


def _setup(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA synchronous=FULL")
    _migrate(conn)


def _migrate(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    version = int(row[0]) if row else 0
    if version > SCHEMA_VERSION:
        from .errors import BriefingError

        raise BriefingError(f"history: schema version {version} is newer than this program's ({SCHEMA_VERSION})")
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if version < 2 and "items" in tables:
            _migrate_items_v1(conn)
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _migrate_items_v1(conn: sqlite3.Connection) -> None:
    """Version 1 kept the shown sentences only: each becomes an event with the anchors its text gives."""
    rows = conn.execute("SELECT date, item_id, text, theme, sources, outlets, figures, novelty, vector "
                        "FROM items").fetchall()
    for day, iid, text, theme, sources, outlets, figures, novelty, vector in rows:
        try:
            figs = [(str(c), float(v)) for c, v in json.loads(figures)]
            json.loads(sources)
        except (TypeError, ValueError):
            continue  # a row a run could not use: not carried over
        if not isinstance(vector, bytes) or not vector or len(vector) % (_DIM * 4):
            continue
        anchors = ev.Anchors(targets=ev.targets_of(text),
                             figures=frozenset(f for f in figs if f[0] not in ("", "other", "money")))
        conn.execute("INSERT OR REPLACE INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (day, iid, text, theme, sources, outlets, figures, json.dumps(anchors.to_json()), novelty, 1,
                      day, vector))
    conn.execute("DROP TABLE items")
    log.info("history: %d shown item(s) of schema 1 migrated to events", len(rows))


class History:
    """The store of earlier briefings' events. ``History.open(path)``; a disabled history marks nothing new."""

    def __init__(self, conn: sqlite3.Connection | None, lookback_days: int = 7, path: Path | None = None):
        self._conn = conn
        self.lookback_days = lookback_days
        self.path = path

    # ------------------------------------------------------------------------------------------- opening

    @classmethod
    def open(cls, path: Path | str, lookback_days: int = 7) -> "History":
        path = Path(path)
        return cls(_connect(path), lookback_days, path)

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
        """``items`` (today's events) with ``novelty``, ``first_reported``, ``previous`` and ``changes`` set
        against the events of the ``lookback_days`` dates before ``date``."""
        items = list(items)
        if self._conn is None or not items:
            return items
        past = self._past_rows(date)
        if not past:
            return [replace(it, novelty="new") for it in items]
        params = ev.Params()
        centroids = np.stack([_centroid(r["vectors"]) for r in past])
        out = []
        for it in items:
            vectors = _item_vectors(it)
            anchors = _item_anchors(it)
            sims = centroids @ _centroid(vectors)
            matches = []
            for j in np.argsort(-sims, kind="stable")[:20]:
                row = past[j]
                # The centroids, or the closest pair of facts: one report worded like yesterday's is enough.
                sim = max(float(sims[j]), float((vectors @ row["vectors"].T).max()))
                if ev.same_event(anchors, row["anchors"], sim, params):
                    matches.append(row)
            out.append(_marked(it, anchors, matches))
        return out

    def _past_rows(self, date: dt.date) -> list[dict]:
        start = (date - dt.timedelta(days=max(self.lookback_days, 0))).isoformat()
        rows = self._conn.execute(
            "SELECT date, event_id, text, theme, sources, outlets, figures, anchors, first_reported, vectors "
            "FROM events WHERE date < ? AND date >= ? ORDER BY date DESC, event_id",
            (date.isoformat(), start)).fetchall()
        return [{"date": r[0], "id": r[1], "text": r[2], "theme": r[3], "sources": json.loads(r[4]),
                 "outlets": r[5], "figures": {(str(c), float(v)) for c, v in json.loads(r[6])},
                 "anchors": ev.Anchors.from_json(json.loads(r[7])), "first_reported": r[8],
                 "vectors": np.frombuffer(r[9], dtype=np.float32).reshape(-1, _DIM)} for r in rows]

    def dates(self) -> list[str]:
        if self._conn is None:
            return []
        return [r[0] for r in self._conn.execute("SELECT DISTINCT date FROM events ORDER BY date")]

    def rows(self, date: dt.date | str, shown_only: bool = True) -> list[dict]:
        """The stored events of one date (by default those the briefing showed; for tools and tests)."""
        if self._conn is None:
            return []
        key = date.isoformat() if isinstance(date, dt.date) else date
        rows = self._conn.execute(
            "SELECT event_id, text, theme, sources, outlets, figures, novelty, shown, first_reported, anchors "
            "FROM events WHERE date = ? AND shown >= ? ORDER BY event_id", (key, 1 if shown_only else 0)).fetchall()
        return [{"id": r[0], "text": r[1], "theme": r[2], "sources": json.loads(r[3]), "outlets": r[4],
                 "figures": [tuple(x) for x in json.loads(r[5])], "novelty": r[6], "shown": bool(r[7]),
                 "first_reported": r[8], "anchors": json.loads(r[9])} for r in rows]

    # ------------------------------------------------------------------------------------------- recording

    def record(self, briefing: Briefing, items_shown: Iterable[Item] | None = None,
               date: dt.date | None = None, events: Iterable[Item] | None = None) -> int:
        """Replace the rows of ``date`` (default: the briefing's) with the day's events — ``events`` (default:
        the briefing's ``events``, else the items shown) — marking those shown, in one transaction.
        Returns the number of rows written."""
        if self._conn is None:
            return 0
        date = date or briefing.date
        shown = _unique(items_shown if items_shown is not None else shown_items(briefing))
        shown_ids = {it.id for it in shown}
        every = _unique([*(events if events is not None else briefing.events), *shown])
        rows = [_row(date.isoformat(), it.id, it.text, it.theme, it.sources, it.support.outlets,
                     _figure_keys(it), _item_anchors(it).to_json(), it.novelty, it.id in shown_ids,
                     (it.first_reported or date).isoformat(), _item_vectors(it)) for it in every]
        self._write({date.isoformat(): rows}, replace_all=False)
        return len(rows)

    def rebuild(self, output_dir: Path | str) -> int:
        """Recreate the whole history from ``<output_dir>/<date>/briefing.json`` files; returns rows written.
        Texts are embedded again. One transaction: a failure leaves the old history as it was."""
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
            records = _json_events(data)
            rows = []
            for r in records:
                texts = [t for t in (r.get("facts") or []) if isinstance(t, str)] or [r["text"]]
                figures = [(f.get("category") or f.get("unit") or "", float(f.get("value") or 0))
                           for f in r.get("figures") or []]
                anchors = r.get("anchors") or ev.Anchors(
                    targets=ev.targets_of(r["text"]),
                    figures=frozenset(f for f in figures if f[0] not in ("", "other", "money"))).to_json()
                rows.append(_row(day, r["id"], r["text"], r.get("theme"), r.get("sources") or [],
                                 int((r.get("support") or {}).get("outlets") or len(r.get("sources") or []) or 1),
                                 figures, anchors, r.get("novelty") or "new", bool(r.get("shown", True)),
                                 r.get("first_reported") or day, embed(texts)))
            by_date[day] = rows
        self._write(by_date, replace_all=True)
        return sum(len(rows) for rows in by_date.values())

    def _write(self, by_date: dict[str, list[tuple]], replace_all: bool) -> None:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if replace_all:
                conn.execute("DELETE FROM events")
                conn.execute("DELETE FROM runs")
            now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
            for day, rows in sorted(by_date.items()):
                conn.execute("DELETE FROM events WHERE date = ?", (day,))
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


def _json_events(data: dict) -> list[dict]:
    """The day's events from a briefing.json: its ``events`` list (every event) plus the shown items."""
    shown = list(data.get("takeaways") or [])
    for theme in data.get("themes") or []:
        shown.extend(theme.get("items") or [])
    shown += [d for it in list(shown) for d in it.get("disputed_by") or []]
    shown_ids = {it.get("id") for it in shown if isinstance(it, dict)}
    records = [dict(r, shown=r.get("id") in shown_ids) for r in data.get("events") or [] if isinstance(r, dict)]
    records += [dict(r, shown=True) for r in shown if isinstance(r, dict)]
    records = [r for r in records if r.get("text") and r.get("id")]
    out: dict[str, dict] = {}
    for r in records:
        out.setdefault(str(r["id"]), r)
    return list(out.values())


def _row(day, item_id, text, theme, sources, outlets, figures, anchors, novelty, shown, first, vectors) -> tuple:
    matrix = np.asarray(vectors, dtype=np.float32).reshape(-1, _DIM)
    return (day, str(item_id), str(text), theme, json.dumps(list(sources)), int(outlets),
            json.dumps(sorted([list(f) for f in figures])), json.dumps(anchors, sort_keys=True), novelty,
            int(bool(shown)), first, matrix.tobytes())


def _insert(conn: sqlite3.Connection, row: tuple) -> None:
    conn.execute("INSERT OR REPLACE INTO events (date, event_id, text, theme, sources, outlets, figures, anchors, "
                 "novelty, shown, first_reported, vectors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)


def _figure_keys(item: Item) -> list[tuple[str, float]]:
    return sorted({(f.category or f.unit, float(f.value)) for f in item.figures})


def _item_anchors(item: Item) -> ev.Anchors:
    return ev.pool(ev.anchors_of(f) for f in item.facts) if item.facts else ev.Anchors(targets=ev.targets_of(item.text))


def _item_vectors(item: Item) -> np.ndarray:
    from .embed import embed

    texts = list(dict.fromkeys([item.text, *(f.text for f in item.facts)]))
    return embed(texts)


def _centroid(vectors: np.ndarray) -> np.ndarray:
    v = vectors.mean(axis=0)
    n = float(np.linalg.norm(v))
    return v / n if n else v


def _marked(item: Item, anchors: ev.Anchors, matches: list[dict]) -> Item:
    if not matches:
        return replace(item, novelty="new", first_reported=None, previous=(), changes=())
    first = min(dt.date.fromisoformat(m["first_reported"]) for m in matches)
    known = set().union(*(m["figures"] for m in matches))
    known_categories = {c for c, _ in known}
    changes: list[str] = []
    # A new value for a measure reported before ("toll rises to 20 from 12"); a first figure of a new kind is not
    # a change of that measure, and an old value repeated is nothing new.
    changed = {c for c, v in _figure_keys(item) if c in _FIGURE_CATEGORIES and c in known_categories
               and (c, v) not in known}
    previous = {k for k in known if k[0] in changed}
    if changed:
        changes.append("figure")
    known_anchors = ev.pool(m["anchors"] for m in matches)
    # Only what the shown sentence carries counts: a new named speaker, a new place in it.
    best = item.facts[0] if item.facts else None
    named = best is not None and best.speaker and sum(w[:1].isupper() for w in best.speaker.split()) >= 2
    if named and ev.actor_key(best.speaker) not in known_anchors.actors:
        changes.append("actor")
    if best is not None and ev.anchors_of(best).places - known_anchors.places - known_anchors.context:
        changes.append("place")
    before = max(m["outlets"] for m in matches)
    if item.support.outlets >= max(before + _MORE_OUTLETS, 2 * before):
        changes.append("outlets")
    if not changes:
        return replace(item, novelty="reported", first_reported=first, previous=(), changes=())
    return replace(item, novelty="updated", first_reported=first, previous=tuple(sorted(previous)),
                   changes=tuple(changes))

