"""The Atom feed of the briefings, ``output/feed.xml``: one entry per date (the newest ``archive.feed_entries``),
the takeaways as the summary and the briefing's HTML as the content, written by feedgen (a well-kept library
that gets Atom's escaping, dates and ids right).

Ids are stable (``archive.base_url`` + the date's page, or a name-based UUID without one) and every time in the
feed is a briefing's own ``generated_at``: the same briefings give the same feed.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from pathlib import Path

from ..config import Config
from ..errors import RenderError
from ..models import Briefing
from ..util import atomic
from .archive import FEED_NAME, date_folders, entry_html, load_briefing, page_url
from .render import long_date

log = logging.getLogger(__name__)


def write_feed(config: Config, warnings: list[str]) -> Path:
    """Write ``<output>/feed.xml`` from the newest dates' briefing.json; returns its path."""
    output = Path(config.output)
    briefings = []
    for folder in reversed(date_folders(output)):
        if len(briefings) == config.archive.feed_entries:
            break
        try:
            briefings.append(load_briefing(folder / "briefing.json"))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            message = f"{folder / 'briefing.json'}: left out of the feed ({type(exc).__name__}: {exc})"
            log.warning("%s", message)
            warnings.append(message)
    try:
        return atomic.write_bytes(output / FEED_NAME, feed_xml(config, briefings))
    except OSError as exc:
        raise RenderError(f"cannot write {output / FEED_NAME}: {exc.strerror or exc}") from None


def feed_xml(config: Config, briefings: list[Briefing]) -> bytes:
    """The Atom document for ``briefings`` (newest first)."""
    from feedgen.feed import FeedGenerator

    base = config.archive.base_url.rstrip("/")
    fg = FeedGenerator()
    fg.id(f"{base}/{FEED_NAME}" if base else _urn(config.title, "feed"))
    fg.title(_xml(config.title))
    fg.author({"name": "briefing"})
    fg.language("en")
    fg.generator("briefing")
    if base:
        fg.link(href=f"{base}/{FEED_NAME}", rel="self", type="application/atom+xml")
        fg.link(href=f"{base}/", rel="alternate", type="text/html")
    fg.updated(_when(briefings[0]) if briefings else dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc))
    for briefing in reversed(briefings):  # feedgen puts the entry added last on top
        entry = fg.add_entry()
        link = page_url(config, briefing.date)
        entry.id(link if base else _urn(config.title, briefing.date.isoformat()))
        entry.title(_xml(f"{briefing.title or config.title} — {long_date(briefing.date)}"))
        entry.link(href=link, rel="alternate", type="text/html")
        entry.summary(_xml(summary_text(briefing)), type="text")
        entry.content(_xml(entry_html(config, briefing)), type="html")
        entry.published(_when(briefing))
        entry.updated(_when(briefing))
    return fg.atom_str(pretty=True)


def summary_text(briefing: Briefing) -> str:
    """The takeaways, one a line."""
    return "\n".join(f"• {item.text}" for item in briefing.takeaways) or "No takeaway on this date."


def _when(briefing: Briefing) -> dt.datetime:
    """The briefing's generated_at; its date at midnight UTC when that is missing or unreadable."""
    try:
        moment = dt.datetime.fromisoformat(briefing.generated_at.replace("Z", "+00:00"))
    except ValueError:
        moment = dt.datetime.combine(briefing.date, dt.time())
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    """``text`` without the control characters XML 1.0 cannot carry (article text may hold them)."""
    return _NOT_XML.sub("", text)


def _urn(title: str, name: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"briefing:{title}:{name}").urn
