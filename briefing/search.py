"""Full-text search across past briefings (``briefing search "QUERY" [--since DATE] [--theme T] [--json]``).

The index is one SQLite FTS5 table, ``search_items``, in the history file (``history.path``, default
``output/history.sqlite``), beside the history's own tables, which it never reads or writes. One row per item
shown on a date (takeaways and theme sections, each item once): its date, theme, text, speaker, and sources
(outlet, title, URL). Words match across forms (Porter stemming: "sanction" finds "sanctions") and accents.
After each run the date's rows are replaced; ``briefing history rebuild`` re-indexes every briefing.json.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from .errors import BriefingError

log = logging.getLogger(__name__)

TABLE = "search_items"
_SCHEMA = f"""CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(
    date UNINDEXED, theme UNINDEXED, item_id UNINDEXED, text, speaker, outlets, sources UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2')"""


class SearchError(BriefingError):
    """The search index cannot be read or written, or the query is unusable."""


@dataclass(frozen=True)
class Hit:
    date: str
    theme: str | None
    text: str
    speaker: str | None
    sources: tuple[dict, ...]
    """{"outlet", "title", "url"} per source, in the item's order."""

    def as_json(self) -> dict:
        return {"date": self.date, "theme": self.theme, "text": self.text, "speaker": self.speaker,
                "sources": list(self.sources)}


# ------------------------------------------------------------------------------------------------- writing


def index_briefing(db: Path, data: dict) -> int:
    """Replace the rows of ``data``'s date (a briefing.json as a dict) by its items; returns rows written."""
    day = _day(data)
    rows = _rows(day, data)
    _replace(db, rows, "WHERE date = ?", (day,))
    return len(rows)


def rebuild(db: Path, output: Path) -> tuple[int, int]:
    """Index every ``<output>/<date>/briefing.json`` again, in one transaction; returns (rows, dates). A file
    that cannot be read is skipped with a warning naming it."""
    from .output.archive import briefing_record, date_folders

    by_date: list[tuple] = []
    dates = 0
    for folder in date_folders(Path(output)):
        try:
            data = briefing_record(folder)
            by_date += _rows(_day(data, folder.name), data)
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            log.warning("%s: not indexed for search (%s)", folder / "briefing.json", type(exc).__name__)
            continue
        dates += 1
    _replace(db, by_date, "", ())
    return len(by_date), dates


def _replace(db: Path, rows: list[tuple], where: str, args: tuple) -> None:
    """Delete the rows ``where`` says and insert ``rows``, in one transaction (all or nothing)."""
    with _connect(db) as conn:
        try:
            with conn:
                conn.execute(f"DELETE FROM {TABLE} {where}", args)
                conn.executemany(f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        except sqlite3.Error as exc:
            raise SearchError(f"cannot write the search index in {db}: {exc}") from None


def _rows(day: str, data: dict) -> list[tuple]:
    sources = {str(s.get("id")): {"outlet": s.get("outlet") or "", "title": s.get("title") or "",
                                  "url": s.get("url") or ""}
               for s in data.get("sources") or [] if isinstance(s, dict)}
    seen: set[str] = set()
    rows = []
    items = [*(data.get("takeaways") or []),
             *(it for section in data.get("themes") or [] for it in section.get("items") or [])]
    for item in items:
        key = str(item.get("id") or item.get("text"))
        if key in seen or not item.get("text"):
            continue
        seen.add(key)
        cited = [sources.get(str(s), {"outlet": "", "title": str(s), "url": ""}) for s in item.get("sources") or []]
        outlets = " ".join(f"{c['outlet']} {c['title']}" for c in cited)
        rows.append((day, item.get("theme"), key, str(item["text"]), item.get("speaker") or "", outlets,
                     json.dumps(cited, ensure_ascii=False)))
    return rows


def _day(data: dict, fallback: str = "") -> str:
    return dt.date.fromisoformat(str(data.get("date") or fallback)).isoformat()


# ------------------------------------------------------------------------------------------------- reading


def search(db: Path, query: str, *, since: dt.date | None = None, theme: str | None = None,
           limit: int = 50) -> list[Hit]:
    """Items matching every word of ``query`` (``"a phrase"`` in double quotes, ``OR`` between words), newest
    date first, best match first within a date."""
    expression = match_expression(query)
    if not Path(db).is_file():
        raise SearchError(f"no search index at {db}; run 'briefing history rebuild' to make one from the "
                          "briefing.json files")
    sql = f"SELECT date, theme, text, speaker, sources FROM {TABLE} WHERE {TABLE} MATCH ?"
    args: list = [expression]
    if since is not None:
        sql += " AND date >= ?"
        args.append(since.isoformat())
    if theme:
        sql += " AND theme = ?"
        args.append(theme)
    sql += f" ORDER BY date DESC, bm25({TABLE}) LIMIT ?"
    args.append(limit)
    with _connect(db) as conn:
        try:
            rows = conn.execute(sql, args).fetchall()
        except sqlite3.OperationalError as exc:
            raise SearchError(f"cannot search {db}: {exc}") from None
    return [Hit(d, t, text, speaker or None, tuple(json.loads(src or "[]"))) for d, t, text, speaker, src in rows]


_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


def match_expression(query: str) -> str:
    """The user's words as an FTS5 expression: each word or quoted phrase a literal string (so "U.S." or
    "Kyiv-based" cannot break the syntax), ``OR`` kept as the operator, everything else ANDed."""
    parts = []
    for phrase, word in _TOKEN.findall(query or ""):
        if word == "OR":
            if parts and parts[-1] != "OR":
                parts.append("OR")
            continue
        text = (phrase if phrase else word).strip()
        if re.search(r"\w", text):
            parts.append('"' + text.replace('"', '""') + '"')
    while parts and parts[-1] == "OR":
        parts.pop()
    if not parts:
        raise SearchError(f"nothing to search for in {query!r}: give one or more words")
    return " ".join(parts)


def _connect(db: Path) -> closing:
    try:
        Path(db).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(db), timeout=30)
        conn.execute(_SCHEMA)
    except sqlite3.Error as exc:
        raise SearchError(f"cannot open the search index in {db}: {exc}") from None
    return closing(conn)
