"""What earlier briefings reported, as events, in SQLite: so a day's run knows what is new, updated or known.

One row per *event* of a day — shown or not — keyed by (date, event id), with its text, theme, sources,
independent outlets, figures, anchors (places, targets, actors, figures, dates: ``briefing.events``), whether
it was shown, when it was first reported, and every fact's sentence embedding (float32 matrix blob). A run
compares today's events with the rows of the ``lookback_days`` dates before today (never today's own: a rerun
for the same date replaces its rows and does not count itself), with ``events.same_event`` — the test the merge
uses — and marks each:

* ``new`` — no earlier event matches; or only events no earlier briefing *showed* (known from the articles
  only: the reader never saw it, so it is not hidden), then with ``first_reported`` the earliest such date;
* ``updated`` — an event an earlier briefing showed, with a real development: a new value for a measure
  already reported ("toll rises to 20 from 12"), a statement by an actor not heard on it before, a new place,
  or markedly more independent outlets (``_MORE_OUTLETS``), or new details (figures no earlier report of the
  story gave); ``previous`` holds the earlier values of the changed measures;
* ``reported`` — shown by an earlier briefing, nothing changed (selection leaves it out unless
  ``history.show_reported``).

Writes happen in one transaction: a crash mid-write leaves the old rows. ``rebuild`` recreates the store from
the ``briefing.json`` files in the output folder (their ``events`` list; older files: their shown items).
The schema is versioned in ``meta``; ``_migrate`` upgrades older stores in place and leaves alone every table
it does not own (a search index may share the file).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
import logging
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from . import events as ev
from .extract.figures import CATEGORIES as _FIGURE_CATEGORIES  # a new value for one of these makes "updated"
from .models import Briefing, Item

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3
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
    facts TEXT NOT NULL DEFAULT '[]',
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
     "OR json_type(sources) != 'array' OR json_type(figures) != 'array' OR NOT json_valid(facts) "
     "OR json_type(facts) != 'array'"),
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
        columns = {r[1] for r in conn.execute("PRAGMA table_info(events)")}
        if "facts" not in columns:
            # Version 3 keeps each fact's anchors and measures beside its vector; older rows fall back to the
            # event's pooled anchors for every fact.
            conn.execute("ALTER TABLE events ADD COLUMN facts TEXT NOT NULL DEFAULT '[]'")
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
        conn.execute("INSERT OR REPLACE INTO events (date, event_id, text, theme, sources, outlets, figures, "
                     "anchors, novelty, shown, first_reported, vectors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        """``items`` (today's events) with ``novelty``, ``first_reported``, ``previous``, ``changes`` and
        ``change_figures`` set against the events of the ``lookback_days`` dates before ``date``."""
        items = list(items)
        if self._conn is None or not items:
            return items
        past = self._past_rows(date)
        if not past:
            return [replace(it, novelty="new", first_reported=None, previous=(), changes=(), change_figures=())
                    for it in items]
        params = ev.Params()
        context = _day_context(items)
        owner = np.concatenate([np.full(len(r["vectors"]), k) for k, r in enumerate(past)])
        every = np.concatenate([r["vectors"] for r in past])
        out = []
        found: list[tuple[Item, _Profile, list[dict], list[dict]]] = []
        for it in items:
            today = _profile(it, context)
            sims = today.vectors @ every.T
            best = np.full(len(past), -1.0, dtype=np.float32)
            np.maximum.at(best, owner, sims.max(axis=0))
            floor = min(params.history_min_sim, params.history_fingerprint_sim, params.history_retold_sim)
            matches = [past[k] for k in np.argsort(-best, kind="stable")[:_CANDIDATES]
                       if best[k] >= floor
                       and ev.same_event_across_days(today.anchors, today.vectors, past[k]["facts"],
                                                     past[k]["vectors"], params, date,
                                                     dt.date.fromisoformat(past[k]["date"]))]
            # Voices heard before on the story's places count as known too (a governor quoted yesterday in a
            # report the history keeps as another event is not a new actor today).
            places = ev.pool(today.anchors).places
            nearby = [r for r in past if r["anchors"].places & places] if places else []
            found.append((it, today, matches, nearby))
        # Where each matched event of today stands in its articles: an unmatched one told beside it may retell it.
        beside: dict[tuple[str, int], list[int]] = defaultdict(list)
        for k, (it, _, matches, _) in enumerate(found):
            for f in it.facts if matches else ():
                beside[(f.article_id, f.index)].append(k)
        for it, today, matches, nearby in found:
            if not matches:
                near = sorted({k for f in it.facts for d in range(-_BESIDE, _BESIDE + 1)
                               for k in beside.get((f.article_id, f.index + d), ()) if found[k][0] is not it})
                matches = _told_beside(today, [found[k][2] for k in near], params)
            out.append(_marked(it, today, matches, params, nearby, past))
        return out

    def _past_rows(self, date: dt.date) -> list[dict]:
        start = (date - dt.timedelta(days=max(self.lookback_days, 0))).isoformat()
        rows = self._conn.execute(
            "SELECT date, event_id, text, theme, sources, outlets, figures, anchors, first_reported, vectors, facts, "
            "shown FROM events WHERE date < ? AND date >= ? ORDER BY date DESC, event_id",
            (date.isoformat(), start)).fetchall()
        out = []
        for r in rows:
            vectors = np.frombuffer(r[9], dtype=np.float32).reshape(-1, _DIM)
            pooled = ev.Anchors.from_json(json.loads(r[7]))
            figures = {(str(c), float(v)) for c, v in json.loads(r[6])}
            facts = _read_facts(json.loads(r[10]), len(vectors), pooled, figures)
            out.append({"date": r[0], "id": r[1], "text": r[2], "theme": r[3], "sources": json.loads(r[4]),
                        "outlets": r[5], "figures": figures, "anchors": pooled, "first_reported": r[8],
                        "vectors": vectors, "facts": [a for a, _, _ in facts], "measures": [m for _, m, _ in facts],
                        "speakers": [s for _, _, s in facts], "shown": bool(r[11])})
        return out

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
        records = fact_records(every)
        rows = [_row(date.isoformat(), it.id, it.text, it.theme, it.sources, it.support.outlets,
                     _figure_keys(it), _item_anchors(it).to_json(), it.novelty, it.id in shown_ids,
                     (it.first_reported or date).isoformat(), _item_vectors(it), records[it.id]) for it in every]
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
                texts = list(dict.fromkeys(t for t in (r.get("facts") or []) if isinstance(t, str))) or [r["text"]]
                figures = [(f.get("category") or f.get("unit") or "", float(f.get("value") or 0))
                           for f in r.get("figures") or []]
                anchors = r.get("anchors") or ev.Anchors(
                    targets=ev.targets_of(r["text"]),
                    figures=frozenset(f for f in figures if f[0] not in ("", "other", "money"))).to_json()
                facts = r.get("fact_anchors")
                if not isinstance(facts, list) or len(facts) != len(texts):
                    facts = []  # an older briefing.json: every fact gets the event's pooled anchors
                rows.append(_row(day, r["id"], r["text"], r.get("theme"), r.get("sources") or [],
                                 int((r.get("support") or {}).get("outlets") or len(r.get("sources") or []) or 1),
                                 figures, anchors, r.get("novelty") or "new", bool(r.get("shown", True)),
                                 r.get("first_reported") or day, embed(texts), facts))
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


def _row(day, item_id, text, theme, sources, outlets, figures, anchors, novelty, shown, first, vectors,
         facts=()) -> tuple:
    matrix = np.asarray(vectors, dtype=np.float32).reshape(-1, _DIM)
    return (day, str(item_id), str(text), theme, json.dumps(list(sources)), int(outlets),
            json.dumps(sorted([list(f) for f in figures])), json.dumps(anchors, sort_keys=True), novelty,
            int(bool(shown)), first, matrix.tobytes(), json.dumps(list(facts), sort_keys=True))


def _insert(conn: sqlite3.Connection, row: tuple) -> None:
    conn.execute("INSERT OR REPLACE INTO events (date, event_id, text, theme, sources, outlets, figures, anchors, "
                 "novelty, shown, first_reported, vectors, facts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 row)


def _figure_keys(item: Item) -> list[tuple[str, float]]:
    return sorted({(f.category or f.unit, float(f.value)) for f in item.figures})


def _item_anchors(item: Item) -> ev.Anchors:
    return ev.pool(ev.anchors_of(f) for f in item.facts) if item.facts else ev.Anchors(targets=ev.targets_of(item.text))


# ------------------------------------------------------------------------------------- one event's facts

# Past events given the full "same event" test per event of today (the closest by their closest facts).
_CANDIDATES = 20
# Where one figure category holds several measures, the figure's unit tells them apart: internally displaced
# people are not refugees, arrivals in one country are not the total, children killed are not the toll.
_MEASURE_KINDS = {"displaced": "displaced", "idps": "displaced", "deported": "deported", "relocated": "deported",
                  "arrived": "arrived", "entered": "arrived", "crossed": "arrived", "gone": "arrived",
                  "children": "children", "soldiers": "soldiers", "troops": "soldiers", "servicemen": "soldiers"}
# A count is a new value only when it rises by more than this share ("almost four million" after 3,862,797 is
# not a development; 15 killed after 12 is). A lower count than before is an older or partial report.
_RISE = 0.05


@dataclass(frozen=True)
class _Profile:
    """An event as the history compares it: per distinct fact text, its anchors, measures, speaker, vector."""

    texts: tuple[str, ...]
    anchors: tuple[ev.Anchors, ...]
    measures: tuple[tuple[tuple[str, str, float], ...], ...]
    speakers: tuple[str | None, ...]
    vectors: np.ndarray


def _measures(figures) -> tuple[tuple[str, str, float], ...]:
    """(category, kind, value) of the figures that count something the history follows."""
    return tuple(sorted({(f.category, _MEASURE_KINDS.get(f.unit, ""), float(f.value)) for f in figures
                         if f.category in _FIGURE_CATEGORIES}))


def _day_context(items: Sequence[Item]) -> dict[str, frozenset[str]]:
    return ev.context_places([f for it in items for f in it.facts])


def _fact_rows(item: Item, context: dict[str, frozenset[str]]) -> dict[str, tuple]:
    """Distinct fact text -> (anchors, measures, speaker), in the item's fact order."""
    rows: dict[str, tuple] = {}
    for f in item.facts:
        rows.setdefault(f.text, (ev.anchors_of(f, context.get(f.id, ())), _measures(f.figures), f.speaker))
    if not rows:
        rows[item.text] = (ev.Anchors(targets=ev.targets_of(item.text)), _measures(item.figures), item.speaker)
    return rows


def _profile(item: Item, context: dict[str, frozenset[str]]) -> _Profile:
    rows = _fact_rows(item, context)
    return _Profile(tuple(rows), tuple(r[0] for r in rows.values()), tuple(r[1] for r in rows.values()),
                    tuple(r[2] for r in rows.values()), _item_vectors(item))


def fact_records(items: Sequence[Item]) -> dict[str, list[dict]]:
    """Item id -> per distinct fact text (the order ``briefing.json`` lists an event's ``facts``): its anchors
    (with the places the day's neighbouring sentences lend it), measures and speaker — what the history keeps
    beside each fact's vector, and what ``rebuild`` reads back."""
    context = _day_context(items)
    return {it.id: [{"anchors": a.to_json(), "measures": [list(m) for m in ms], "speaker": s}
                    for a, ms, s in _fact_rows(it, context).values()] for it in items}


def _item_vectors(item: Item) -> np.ndarray:
    """One unit vector per distinct fact text (``_fact_rows``' order): the one the fact carries, else made."""
    from .embed import embed, vectors_of

    seen: set[str] = set()
    firsts = [f for f in item.facts if not (f.text in seen or seen.add(f.text))]
    return vectors_of(firsts) if firsts else embed([item.text])


def _read_facts(data, n: int, pooled: ev.Anchors, figures: set) -> list[tuple]:
    """(anchors, measures, speaker) per stored vector; rows written before schema 3 (or damaged by hand) give
    every fact the event's pooled anchors and its figures."""
    try:
        if isinstance(data, list) and len(data) == n and n:
            return [(ev.Anchors.from_json(d["anchors"]),
                     tuple((str(c), str(k), float(v)) for c, k, v in d.get("measures") or ()),
                     d.get("speaker") if isinstance(d.get("speaker"), str) else None) for d in data]
    except (TypeError, KeyError, ValueError, AttributeError):
        pass
    measures = tuple(sorted((c, "", v) for c, v in figures if c in _FIGURE_CATEGORIES))
    return [(pooled, measures if k == 0 else (), None) for k in range(n)]


# --------------------------------------------------------------------------------------------- marking


def _story_shown(match: dict, past: Sequence[dict], params: ev.Params) -> bool:
    """Did the briefing of ``match``'s day show its story: the event itself, or an event of that day it showed
    at ``history_story_sim`` or more (closest facts) with the same place or actor (one story the day's grouping
    kept as several events: an announcement and the reactions to it)."""
    if match["shown"]:
        return True
    for row in past:
        if row["date"] != match["date"] or not row["shown"]:
            continue
        sims = match["vectors"] @ row["vectors"].T
        for i, j in zip(*np.nonzero(sims >= params.history_story_sim)):
            if ev.same_scope(match["facts"][i], row["facts"][j]):
                return True
    return False


def _marked(item: Item, today: _Profile, matches: list[dict], params: ev.Params, nearby: list[dict] = (),
            past: Sequence[dict] = ()) -> Item:
    if not matches:
        return replace(item, novelty="new", first_reported=None, previous=(), changes=(), change_figures=())
    first = min(dt.date.fromisoformat(m["first_reported"]) for m in matches)
    if not any(_story_shown(m, past, params) for m in matches):
        # Known from earlier days' articles, but no earlier briefing (within the lookback) showed it: the reader
        # has not seen it, so it is news to them — never hidden as "reported". ``first_reported`` still tells
        # when the articles first had it.
        return replace(item, novelty="new", first_reported=first, previous=(), changes=(), change_figures=())
    changes: list[str] = []
    figures, previous = _figure_changes(today, matches)
    details = _new_details(item, today, matches)
    if figures:
        changes.append("figure")
    if details:
        changes.append("detail")
    figures += details
    if _new_actor(item, today, [*matches, *nearby]):
        changes.append("actor")
    if _new_place(item, today, matches):
        changes.append("place")
    before = max(m["outlets"] for m in matches)
    if item.support.outlets >= max(before + _MORE_OUTLETS, 2 * before):
        changes.append("outlets")
    if not changes:
        return replace(item, novelty="reported", first_reported=first, previous=(), changes=(), change_figures=())
    return replace(item, novelty="updated", first_reported=first, previous=previous, changes=tuple(changes),
                   change_figures=figures)


# Sentences at most this many apart in one article tell one story (``_told_beside``).
_BESIDE = 2


def _told_beside(today: _Profile, beside: Sequence[list[dict]], params: ev.Params) -> list[dict]:
    """The earlier events an unmatched event of today retells when its article tells them right beside it
    (``beside``: the matches of today's events with a sentence at most ``_BESIDE`` sentences away in one of its
    articles): this event names places (beyond seats of government), all of them places of those events, and
    reads like them (closest facts at ``history_retold_sim``). "Irpin would be one of the first towns
    liberated", between two retold lines on Irpin's recapture, is that story again, not news."""
    places = set().union(*(a.places for a in today.anchors)) - ev._seats()
    if not places:
        return []
    for matches in beside:
        hit = [m for m in matches
               if places <= set().union(*(a.places | a.context for a in m["facts"]), m["anchors"].places)
               and float((today.vectors @ np.asarray(m["vectors"]).T).max()) >= params.history_retold_sim]
        if hit:
            return hit
    return []


def _same_scope(a: ev.Anchors, b: ev.Anchors) -> bool:
    """Two counts of one measure are comparable only about the same place and target: both name the same
    specific place (or lean on it), or neither names one; and no two different attack targets."""
    ta, tb = a.targets - ev._GENERIC_TARGETS, b.targets - ev._GENERIC_TARGETS
    if ta and tb and not (ta & tb):
        return False
    if a.places or b.places:
        return bool((a.places | a.context) & (b.places | b.context)) and bool(a.places & (b.places | b.context)
                                                                             or b.places & (a.places | a.context))
    return True


def _figure_changes(today: _Profile, matches: list[dict]) -> tuple[tuple, tuple]:
    """``change_figures`` — (measure, value now, value before, date of the value before) for every measure
    whose count rose since it was reported (compared only within one measure and one place/target), and for
    a measure no earlier report of the event counted at all (the first toll, the first count of the internally
    displaced: before 0.0, "") — and ``previous``, the (category, value) pairs reported before for them."""
    past = [(a, ms, m["date"]) for m in matches for a, ms in zip(m["facts"], m["measures"]) if ms]
    now: dict[tuple[str, str], float] = {}
    before: dict[tuple[str, str], tuple[float, str]] = {}
    earlier: dict[tuple[str, str], set[float]] = {}
    for a, measures in zip(today.anchors, today.measures):
        for c, k, v in measures:
            olds = [(v2, day) for b, ms, day in past if _same_scope(a, b) for c2, k2, v2 in ms if (c2, k2) == (c, k)]
            if not olds:
                continue
            now[(c, k)] = max(now.get((c, k), v), v)
            before[(c, k)] = max([before.get((c, k), olds[0]), *olds])
            earlier.setdefault((c, k), set()).update(v2 for v2, _ in olds)
    changed = sorted(key for key in now if now[key] > before[key][0] * (1 + _RISE))
    figures = tuple((_measure_label(*key), now[key], *before[key]) for key in changed)
    known = {(c, k) for _, ms, _ in past for c, k, _ in ms}
    fresh: dict[tuple[str, str], float] = {}
    for measures in today.measures:
        for c, k, v in measures:
            if (c, k) not in known:
                fresh[(c, k)] = max(fresh.get((c, k), v), v)
    figures += tuple((_measure_label(*key), fresh[key], 0.0, "") for key in sorted(fresh))
    previous = tuple(sorted({(key[0], v) for key in changed for v in earlier[key]}))
    return figures, previous


# New details: at most this many of an event's figures nobody gave before are named on its since-yesterday line.
_DETAILS = 2


def _new_details(item: Item, today: _Profile, matches: list[dict]) -> tuple:
    """A known story told with new details: figures other than the followed measures ("90 % of the housing",
    "2,600 buildings") that no earlier report of the event gave, in a fact about the same place or by the same
    actor as an earlier report (so a number from another story's sentence never makes an update). As
    ``change_figures`` rows (unit, value now, 0.0, "detail"), the largest first."""
    known = {v for m in matches for _, v in m["figures"]} | {
        v for m in matches for a in m["facts"] for _, v in a.figures}
    places = set().union(*(a.places | a.context for m in matches for a in m["facts"])) - ev._seats()
    actors = set().union(*(a.actors for m in matches for a in m["facts"]))
    latest = max(dt.date.fromisoformat(m["date"]) for m in matches)
    found: dict[str, float] = {}
    for f in item.facts:
        if f.text not in today.texts:
            continue
        a = today.anchors[today.texts.index(f.text)]
        background = a.last and a.last < latest - dt.timedelta(days=1)
        if not ((a.places | a.context) & places or a.actors & actors) or background:
            continue  # another story's sentence, or background dated before the last report ("on March 23")
        for fig in f.figures:
            if fig.category in _FIGURE_CATEGORIES or not fig.unit or fig.value < 2 or fig.value in known \
                    or (1900 <= fig.value <= 2100 and float(fig.value).is_integer()):
                continue
            found[fig.unit] = max(found.get(fig.unit, fig.value), fig.value)
    ranked = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:_DETAILS]
    return tuple((unit, value, 0.0, "detail") for unit, value in ranked)


def _measure_label(category: str, kind: str) -> str:
    return {"displaced": "internally displaced", "deported": "deported", "arrived": "arrivals",
            "children": f"children {category}", "soldiers": f"soldiers {category}"}.get(kind, category)


def _representative(item: Item, today: _Profile) -> int:
    return today.texts.index(item.text) if item.text in today.texts else 0


def _name_words(name: str | None) -> set[str]:
    return {w.lower().removesuffix("'s").removesuffix("’s") for w in (name or "").split() if w[:1].isupper()}


def _new_actor(item: Item, today: _Profile, matches: list[dict]) -> bool:
    """The shown statement is by a named actor (two capitalised words) none of whose names was heard on the
    event before (as a speaker or a named person): "Vitaly Kim's Telegram channel" after "Vitaly Kim" is not."""
    k = _representative(item, today)
    speaker = today.speakers[k]
    words = _name_words(speaker)
    if len(words) < 2:
        return False
    known = set().union(*(m["anchors"].actors for m in matches), *(a.actors for m in matches for a in m["facts"]),
                        *(_name_words(s) for m in matches for s in m["speakers"]))
    return not (words & known)


def _new_place(item: Item, today: _Profile, matches: list[dict]) -> bool:
    """The shown statement names a place (one the gazetteer knows) that no earlier report of the event did."""
    from .nlp import is_known_place

    k = _representative(item, today)
    known = set().union(*(m["anchors"].places | m["anchors"].context for m in matches),
                        *(a.places | a.context for m in matches for a in m["facts"]))
    # "Kiev" yesterday and "Kyiv" today is no new place.
    known_forms = ev.place_forms(frozenset(known))
    fresh = {p for p in today.anchors[k].places - ev._seats() if ev.place_form(p) not in known_forms}
    return any(is_known_place(p) for p in fresh)
