"""The web archive: ``output/<date>/briefing.html`` for every date, ``output/index.html`` (the latest briefing's
takeaways, then every date, newest first) and the Atom feed ``output/feed.xml`` — static files that any web
server, a file share or a phone's browser reads, no JavaScript.

A date's page is the PDF's own HTML document (``base.html.j2``, the ``html/`` partials, ``briefing.css``) with
the screen styles of ``web.css`` and a link back to the index. Pages of earlier dates are rendered again from
their ``briefing.json`` when they are missing (a history older than this feature) or when ``rebuild`` is asked.
After every run ``update`` writes the day's page, the index, the feed, and the day's rows of the search index.
Nothing here carries a timestamp of its own: the same briefings give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, fields
from pathlib import Path

from ..config import Config
from ..errors import RenderError
from ..extract.dates import MONTH_NAMES
from ..models import Briefing, Figure, Item, KeyFigure, Quote, Section, Source, Stats, Support
from ..util import atomic

log = logging.getLogger(__name__)

PAGE_NAME = "briefing.html"
INDEX_NAME = "index.html"
FEED_NAME = "feed.xml"


@dataclass(frozen=True)
class Updated:
    files: tuple[Path, ...]
    warnings: tuple[str, ...]


def update(config: Config, briefing: Briefing) -> Updated:
    """After a run: the date's page, pages missing for earlier dates, index.html and feed.xml (as configured),
    and the date's rows of the search index. A problem (a broken web template, a full disk, an unreadable
    earlier briefing.json) is a warning: the briefing itself is already written."""
    output = Path(config.output)
    warnings: list[str] = []
    files: list[Path] = []
    try:
        if config.archive.enabled:
            files.append(write_page(config, briefing))
            files += _backfill(config, warnings)
            files.append(write_index(config, warnings))
        if config.archive.feed:
            from .feed import write_feed

            files.append(write_feed(config, warnings))
    except RenderError as exc:  # a broken web template: the briefing is out, the archive waits for a fix
        _warn(warnings, f"web archive not updated: {exc}")
    if config.search.enabled:
        from .. import search

        try:
            search.index_briefing(config.history_path, briefing_record(output / briefing.date.isoformat()))
        except (OSError, ValueError, search.SearchError) as exc:
            _warn(warnings, f"search index not updated for {briefing.date}: {exc}")
    return Updated(tuple(files), tuple(warnings))


def rebuild(config: Config) -> Updated:
    """Every date's page again from its briefing.json, then index.html and feed.xml (after a template change)."""
    warnings: list[str] = []
    files = []
    for folder in date_folders(Path(config.output)):
        page = _page_from_json(config, folder, warnings)
        if page is not None:
            files.append(page)
    files.append(write_index(config, warnings))
    if config.archive.feed:
        from .feed import write_feed

        files.append(write_feed(config, warnings))
    return Updated(tuple(files), tuple(warnings))


# ------------------------------------------------------------------------------------------------------ pages


def page_html(config: Config, briefing: Briefing, *, pdf: bool) -> str:
    from .render import render_html

    return render_html(briefing, config, "web/briefing.html.j2", index_href=f"../{INDEX_NAME}",
                       feed_href=f"../{FEED_NAME}" if config.archive.feed else "",
                       pdf_href="briefing.pdf" if pdf else "")


def entry_html(config: Config, briefing: Briefing) -> str:
    """The briefing's body for a feed entry: takeaways, figures, themes, quotes, sources; no page chrome."""
    from .render import render_html

    return render_html(briefing, config, "web/entry.html.j2")


def write_page(config: Config, briefing: Briefing) -> Path:
    folder = Path(config.output) / briefing.date.isoformat()
    html = page_html(config, briefing, pdf=(folder / "briefing.pdf").is_file())
    try:
        return atomic.write_text(folder / PAGE_NAME, html)
    except OSError as exc:
        raise RenderError(f"cannot write {folder / PAGE_NAME}: {exc.strerror or exc}") from None


def _backfill(config: Config, warnings: list[str]) -> list[Path]:
    """Pages of earlier dates that have a briefing.json but no page yet."""
    written = []
    for folder in date_folders(Path(config.output)):
        if not (folder / PAGE_NAME).is_file():
            page = _page_from_json(config, folder, warnings)
            if page is not None:
                written.append(page)
    return written


def _page_from_json(config: Config, folder: Path, warnings: list[str]) -> Path | None:
    try:
        briefing = load_briefing(folder / "briefing.json")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        _warn(warnings, f"{folder / 'briefing.json'}: no web page for this date ({_why(exc)})")
        return None
    return write_page(config, briefing)


# ------------------------------------------------------------------------------------------------------ index


@dataclass(frozen=True)
class Entry:
    """One date of the archive, as the index and the feed list it."""

    date: dt.date
    folder: Path
    href: str
    pdf_href: str
    headline: str
    takeaways: tuple[str, ...]

    @property
    def month(self) -> str:
        return self.date.strftime("%Y-%m")

    @property
    def month_title(self) -> str:
        return f"{MONTH_NAMES[self.date.month - 1]} {self.date.year}"


def entries(output: Path, warnings: list[str]) -> list[Entry]:
    """Every date folder with a briefing.json, newest first."""
    found = []
    for folder in reversed(date_folders(output)):
        day = folder.name
        try:
            data = json.loads((folder / "briefing.json").read_text(encoding="utf-8"))
            takeaways = tuple(str(t.get("text") or "") for t in data.get("takeaways") or [] if t.get("text"))
        except (OSError, ValueError, AttributeError, TypeError) as exc:
            _warn(warnings, f"{folder / 'briefing.json'}: listed without its takeaways ({_why(exc)})")
            takeaways = ()
        page = folder / PAGE_NAME
        href = f"{day}/{PAGE_NAME}" if page.is_file() else f"{day}/briefing.md"
        pdf = f"{day}/briefing.pdf" if (folder / "briefing.pdf").is_file() else ""
        found.append(Entry(dt.date.fromisoformat(day), folder, href, pdf, takeaways[0] if takeaways else "",
                           takeaways))
    return found


def write_index(config: Config, warnings: list[str]) -> Path:
    from .render import render_html_page

    output = Path(config.output)
    listed = entries(output, warnings)
    html = render_html_page(config, "web/index.html.j2", {
        "title": config.title, "entries": listed, "latest": listed[0] if listed else None,
        "feed_href": FEED_NAME if config.archive.feed else ""})
    try:
        return atomic.write_text(output / INDEX_NAME, html)
    except OSError as exc:
        raise RenderError(f"cannot write {output / INDEX_NAME}: {exc.strerror or exc}") from None


def date_folders(output: Path) -> list[Path]:
    """``<output>/YYYY-MM-DD`` folders holding a briefing.json, oldest first."""
    if not output.is_dir():
        return []
    found = []
    for folder in output.iterdir():
        try:
            dt.date.fromisoformat(folder.name)
        except ValueError:
            continue
        if len(folder.name) == 10 and (folder / "briefing.json").is_file():
            found.append(folder)
    return sorted(found, key=lambda f: f.name)


def page_url(config: Config, date: dt.date) -> str:
    """The date's page: absolute under ``archive.base_url``, else relative to the output folder."""
    relative = f"{date.isoformat()}/{PAGE_NAME}"
    base = config.archive.base_url
    return (base.rstrip("/") + "/" + relative) if base else relative


# ------------------------------------------------------------------------------------------- briefing.json


def briefing_record(folder: Path) -> dict:
    """A date's briefing.json as a dict (ValueError when it is not one)."""
    data = json.loads((folder / "briefing.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def load_briefing(path: Path) -> Briefing:
    """A Briefing back from its briefing.json (render.to_json's contract). Item facts are not kept in the JSON;
    everything the templates show is."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    date = dt.date.fromisoformat(str(data.get("date") or Path(path).parent.name))
    stat_names = {f.name for f in fields(Stats)}
    return Briefing(
        date=date,
        title=str(data.get("title") or ""),
        generated_at=str(data.get("generated_at") or ""),
        takeaways=tuple(_item(i) for i in data.get("takeaways") or []),
        sections=tuple(Section(str(s["key"]), str(s.get("title") or s["key"]),
                               tuple(_item(i) for i in s.get("items") or []))
                       for s in data.get("themes") or []),
        sources=tuple(Source(number=int(s["number"]), id=str(s["id"]), title=str(s.get("title") or ""),
                             outlet=str(s.get("outlet") or ""), url=str(s.get("url") or ""),
                             published=_date(s.get("published")), path=str(s.get("path") or ""))
                      for s in data.get("sources") or []),
        key_figures=tuple(KeyFigure(str(k.get("category") or ""), str(k.get("label") or ""),
                                    tuple((str(v["text"]), tuple(v.get("sources") or ())) for v in k.get("values") or []),
                                    str(k.get("context") or ""), tuple(k.get("sources") or ()),
                                    str(k.get("where") or ""))
                          for k in data.get("key_figures") or []),
        quotes=tuple(Quote(str(q.get("speaker") or ""), str(q.get("text") or ""), tuple(q.get("sources") or ()))
                     for q in data.get("quotes") or []),
        stats=Stats(**{k: v for k, v in (data.get("stats") or {}).items() if k in stat_names}),
        since_yesterday=tuple(_item(i) for i in data.get("since_yesterday") or []),
        warnings=tuple(str(w) for w in data.get("warnings") or []),
    )


def _item(d: dict) -> Item:
    support = d.get("support") or {}
    sources = tuple(str(s) for s in d.get("sources") or ())
    return Item(
        id=str(d.get("id") or ""), text=str(d.get("text") or ""), theme=d.get("theme"), facts=(), sources=sources,
        speaker=d.get("speaker"),
        figures=tuple(Figure(float(f.get("value") or 0), str(f.get("unit") or ""), str(f.get("text") or ""),
                             str(f.get("qualifier") or ""), str(f.get("category") or ""))
                      for f in d.get("figures") or []),
        date=_date(d.get("date")), hedged=bool(d.get("hedged")),
        support=Support(int(support.get("outlets") or len(set(sources)) or 1), str(support.get("kind") or "single")),
        score=float(d.get("score") or 0.0), novelty=str(d.get("novelty") or "new"),
        disputed_by=tuple(_item(x) for x in d.get("disputed_by") or []),
    )


def _date(value) -> dt.date | None:
    return dt.date.fromisoformat(str(value)) if value else None


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _warn(warnings: list[str], message: str) -> None:
    log.warning("%s", message)
    warnings.append(message)
