"""Opening a SQLite file the job keeps between runs (the history), so that a damaged one never stops tomorrow's
briefing: a file that is not a database, or fails ``PRAGMA quick_check``, is moved aside to
``<name>.corrupt-<UTC time>`` with one warning, and a fresh one is started in its place. Rows the store cannot use
are dropped by the caller's checks (``repairs``), with one warning saying how many."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from pathlib import Path
from typing import Callable, Sequence

from ..errors import OutputError

log = logging.getLogger(__name__)

_SIDE_FILES = ("-journal", "-wal", "-shm")


def open_sqlite(path: Path, setup: Callable[[sqlite3.Connection], None],
                repairs: Sequence[tuple[str, str]] = ()) -> sqlite3.Connection:
    """A connection to ``path`` in autocommit mode with ``setup`` (schema) applied. ``repairs``: pairs of (what
    the rows are, ``DELETE`` statement removing them), run once the file is known to be sound."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = _open_checked(path, setup)
        except sqlite3.OperationalError:  # locked, no permission, full disk: the file may be fine, keep it
            raise
        except sqlite3.DatabaseError as exc:  # not a database, or a damaged one
            aside = quarantine(path)
            log.warning("%s: not a usable SQLite database (%s); moved aside to %s, starting a new history "
                        "(briefing history rebuild refills it)", path, _one_line(exc), aside.name)
            conn = _open_checked(path, setup)
        dropped = []
        for what, sql in repairs:
            n = conn.execute(sql).rowcount
            if n > 0:
                dropped.append((n, what))
    except (OSError, sqlite3.Error) as exc:
        raise OutputError(f"{path}: cannot open or write the database: "
                          f"{getattr(exc, 'strerror', None) or _one_line(exc)}") from None
    if dropped:
        log.warning("%s: %d unusable row(s) dropped (%s)", path, sum(n for n, _ in dropped),
                    " or ".join(w for _, w in dropped))
    return conn


def _open_checked(path: Path, setup: Callable[[sqlite3.Connection], None]) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
    try:
        result = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
        if result != ["ok"]:
            raise sqlite3.DatabaseError("; ".join(str(r) for r in result[:3]))
        setup(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def quarantine(path: Path) -> Path:
    """Move ``path`` (and its journal) to ``<name>.corrupt-<UTC time>`` next to it; returns the new path."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.replace(path, aside)
    for suffix in _SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, aside.with_name(aside.name + suffix))
    return aside


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
