"""Articles from the web: RSS/Atom feeds and single pages, fetched over HTTP(S) with a disk cache.

* Feeds are parsed with feedparser from the bytes fetched here (feedparser never fetches anything itself).
  An item whose feed text is only a teaser (under ``TEASER_CHARS`` characters) has its page fetched and its
  main text extracted with trafilatura (``briefing.ingest.article.extract_html``).
* Every response is cached under ``<cache_dir>/sources/`` by URL hash: ``<hash>.body`` and ``<hash>.json``
  (URL, final URL, ETag, Last-Modified, content type, fetched-at), both written atomically. Later runs
  revalidate with If-None-Match / If-Modified-Since (a 304 uses the cache); article pages without validators
  are reused for ``PAGE_FRESH_SECONDS``; ``sources.offline`` reads the cache alone.
* Only http(s) URLs are fetched, redirects included. Timeouts, a size cap, retries with exponential backoff on
  connection errors and 5xx. A source that fails is one warning ("<source>: <problem>"); the rest goes on.
* The time window: the briefing time is the **end of the briefing date** (midnight that closes it, in
  ``config.timezone``); items published in the ``sources.window_hours`` before it are kept, items before or
  after are counted in ``out_of_window``. Items with no date are kept. ``window_hours: 0`` keeps every item.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import io
import ipaddress
import json
import logging
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from .. import __version__
from ..config import Config, FeedConfig
from ..errors import InputError, Problem
from ..extract.dates import iso_date
from ..models import Article
from ..util.atomic import write_bytes, write_text
from ..util.deadline import Watchdog
from ..util.urls import is_http_url, redact_credentials
from .article import SUFFIXES, display_path, extract_html, make_article, walk

log = logging.getLogger(__name__)

USER_AGENT = f"briefing/{__version__} (+daily briefing bot)"
BACKOFF_BASE = 0.5
"""Seconds before the first retry; doubled for each further one (tests set it near zero)."""
MAX_REDIRECTS = 5
TEASER_CHARS = 600
"""Feed text shorter than this is a teaser: the item's page is fetched for the full article."""
PAGE_FRESH_SECONDS = 6 * 3600
"""A cached article page with no ETag/Last-Modified is reused without a request for this long."""
DEAD_HOST_FAILURES = 2
"""After this many URLs of one host failed to connect or answer in a run, the host is not tried again."""
FEED_SUFFIXES = (".xml", ".rss", ".atom")

_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
               "text/xml", "application/x-rss+xml", "application/x-atom+xml"}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_SNIFF_TYPES = {"", "text/plain", "application/octet-stream", "binary/octet-stream"}
_FEED_MARK = re.compile(rb"<(?:rss|feed|rdf:rdf)\b", re.IGNORECASE)
_HTML_MARK = re.compile(rb"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Remote:
    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]
    """Each source that failed, or was used in part, and why."""
    out_of_window: int

    @property
    def warnings(self) -> tuple[str, ...]:
        """The problems as the one-line warnings shown ("<source>: <problem>")."""
        return tuple(str(p) for p in self.problems)


class FetchError(Exception):
    """This URL gave nothing usable; ``problem`` is one line for the warning."""

    def __init__(self, problem: str):
        self.problem = problem
        super().__init__(problem)


class _Transient(FetchError):
    """A failure worth retrying: connection error, timeout, 5xx, 429."""

    def __init__(self, problem: str, connection: bool = True):
        super().__init__(problem)
        self.connection = connection
        """True when the server could not be reached or did not answer (not an HTTP error status)."""

    overran = False
    """True when the fetch ran out of its whole time (not retried: a slow server stays slow)."""


@dataclass(frozen=True)
class Response:
    url: str
    final_url: str
    body: bytes
    content_type: str
    """Media type, lowercase, no parameters ("text/html")."""
    charset: str | None
    fetched_at: str
    from_cache: bool = False


# --------------------------------------------------------------------------------------------------- public API


def read_remote(urls: list[str], config: Config, briefing_date: dt.date) -> Remote:
    """Articles from ``urls`` (feeds or pages, told apart by content) and the config's feeds and pages."""
    reader = _Reader(config, briefing_date, urls=[str(u) for u in urls])
    for url in urls:
        reader.guard(str(url), lambda u=str(url): reader.read_any(u))
    for feed in config.sources.feeds:
        reader.guard(feed.url, lambda f=feed: reader.read_configured_feed(f))
    for page in config.sources.pages:
        reader.guard(page, lambda p=page: reader.read_any(p, expect="page"))
    return reader.result()


def read_feed_file(path: Path, config: Config, briefing_date: dt.date) -> Remote:
    """Articles from a local RSS/Atom file (teaser items still have their pages fetched)."""
    reader = _Reader(config, briefing_date)
    path = Path(path)
    reader.guard(display_path(path), lambda: reader.read_local_feed(path, FeedConfig(url=str(path))))
    return reader.result()


def describe_sources(config: Config) -> list[dict]:
    """What the config would read (folders with file counts, feeds, pages) and what the cache holds."""
    cache = _Cache(_cache_folder(config))
    cached = {e["url"]: e for e in cache.entries()}
    out: list[dict] = []
    for folder in config.sources.folders:
        folder = Path(folder)
        if folder.is_dir():
            files = sum(1 for p in walk(folder) if p.suffix.lower() in SUFFIXES)
        else:
            files = int(folder.is_file() and folder.suffix.lower() in SUFFIXES)
        out.append({"kind": "folder", "path": str(folder), "exists": folder.exists(), "files": files})
    for feed in config.sources.feeds:
        local = not is_http_url(feed.url)
        entry = {"kind": "feed", "url": feed.url, "outlet": feed.outlet, "max_items": feed.max_items,
                 "local": local}
        if local:
            entry["exists"] = _local_path(feed.url, config).is_file()
        else:
            entry["fetched_at"] = cached.get(feed.url, {}).get("fetched_at")
        out.append(entry)
    for page in config.sources.pages:
        out.append({"kind": "page", "url": page, "fetched_at": cached.get(page, {}).get("fetched_at")})
    for e in cache.entries():
        out.append({"kind": "cache", "url": e["url"], "final_url": e.get("final_url", e["url"]),
                    "fetched_at": e.get("fetched_at"), "validated_at": e.get("validated_at"),
                    "size": e.get("size", 0), "content_type": e.get("content_type", ""),
                    "etag": e.get("etag"), "last_modified": e.get("last_modified")})
    return out


def cache_folder(config: Config) -> Path:
    """Where fetched feeds and pages are kept."""
    return _cache_folder(config)


# ------------------------------------------------------------------------------------------------------ reading


@dataclass
class _Reader:
    config: Config
    briefing_date: dt.date
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    out_of_window: int = 0
    seen_sources: set[str] = field(default_factory=set)
    seen_items: set[str] = field(default_factory=set)
    urls: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.fetcher = _Fetcher(self.config, self.warn, self.urls)
        self.window = _window(self.config, self.briefing_date)

    def result(self) -> Remote:
        return Remote(tuple(self.articles), tuple(self.problems), self.out_of_window)

    def warn(self, source: str, problem: str) -> None:
        found = Problem(_one_line(source), _one_line(problem)).redacted()
        log.debug("%s", found)
        self.problems.append(found)

    def guard(self, source: str, action) -> None:
        """Run one source's reading; whatever goes wrong is one warning, and the next source is read."""
        if source in self.seen_sources:
            log.debug("%s: given twice, read once", source)
            return
        self.seen_sources.add(source)
        try:
            action()
        except FetchError as exc:
            self.warn(source, exc.problem)
        except InputError as exc:
            self.warn(source, exc.problem)
        except Exception as exc:  # a broken source must not end the run
            log.debug("%s: unexpected error", source, exc_info=True)
            self.warn(source, f"unexpected {type(exc).__name__}: {exc}; skipped")

    # -- sources

    def read_any(self, url: str, expect: str | None = None) -> None:
        """A URL from --input or ``sources.pages``: a feed or a page, whichever the content is."""
        if not is_http_url(url):
            raise FetchError("not an http(s) URL, refused")
        response = self.fetcher.get(url, kind="page" if expect == "page" else "any")
        kind = _sniff(response.content_type, response.body)
        if kind == "feed":
            self.read_feed_bytes(response.body, url, FeedConfig(url=url), response)
        elif kind == "html":
            self.read_page(response, url)
        else:
            raise FetchError(f"not an HTML page or a feed ({_type_label(response)}), skipped")

    def read_configured_feed(self, feed: FeedConfig) -> None:
        if is_http_url(feed.url):
            response = self.fetcher.get(feed.url, kind="feed")
            kind = _sniff(response.content_type, response.body)
            if kind != "feed":
                what = "an HTML page" if kind == "html" else _type_label(response)
                raise FetchError(f"not an RSS/Atom feed (got {what}), skipped")
            self.read_feed_bytes(response.body, feed.url, feed, response)
        elif "://" in feed.url or feed.url.lower().startswith(("javascript:", "data:")):
            raise FetchError("not an http(s) URL or a local file, refused")
        else:
            self.read_local_feed(_local_path(feed.url, self.config), feed)

    def read_local_feed(self, path: Path, feed: FeedConfig) -> None:
        name = display_path(path)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise FetchError(f"cannot read: {exc.strerror or exc}") from None
        limit = self.config.sources.max_bytes
        if size > limit:
            raise FetchError(f"feed file too large ({_size(size)} > {_size(limit)} limit, sources.max_bytes), skipped")
        if size == 0:
            raise FetchError("empty file, skipped")
        body = path.read_bytes()
        if _sniff("", body) != "feed":
            raise FetchError("not an RSS/Atom feed, skipped")
        self.read_feed_bytes(body, name, feed, None)

    def read_feed_bytes(self, body: bytes, source: str, feed: FeedConfig, response: Response | None) -> None:
        import feedparser

        headers = {}
        if response is not None:
            headers = {"content-location": response.final_url,
                       "content-type": response.content_type + (f"; charset={response.charset}"
                                                                if response.charset else "")}
        # A stream, never a str or bytes: feedparser would treat a string as a URL or a file name to open.
        parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
        entries = list(parsed.entries)
        if not entries:
            if parsed.get("bozo"):
                problem = _one_line(str(parsed.get("bozo_exception", "")))[:120]
                raise FetchError(f"not a readable RSS/Atom feed ({problem}), skipped")
            log.info("%s: feed has no items", source)
            return
        feed_title = _text_of(parsed.feed.get("title", ""))
        outlet = feed.outlet or feed_title
        limit = max(feed.max_items, 0)
        if len(entries) > limit:
            log.info("%s: %d items, reading the first %d (max_items)", source, len(entries), limit)
        for n, entry in enumerate(entries[:limit], 1):
            try:
                self.read_item(entry, n, source, outlet, local=response is None)
            except (FetchError, InputError) as exc:  # the problem names the item
                self.warn(source, getattr(exc, "problem", str(exc)))

    def read_item(self, entry: Any, n: int, source: str, outlet: str, local: bool = False) -> None:
        """One feed item. ``local``: the feed is a file of the operator's, whose items may link to any public
        site (a remote feed's items must stay on the configured sites)."""
        title = _text_of(entry.get("title", ""))
        link = (entry.get("link") or "").strip()
        guid = (entry.get("id") or "").strip()
        label = f"item {n}" + (f" '{title[:60]}'" if title else "")
        if link and not is_http_url(link):
            raise FetchError(f"{label} links to {_shorten(link)}, not an http(s) URL; refused")
        if not link and is_http_url(guid):
            link = guid
        key = link or guid or f"{source}#{n}:{title}"
        if key in self.seen_items:
            log.debug("%s: %s already read from another feed", source, key)
            return
        self.seen_items.add(key)
        moment = _entry_datetime(entry)
        where = link or f"{source}#{n}"
        if moment is None:
            log.debug("%s: no publication date; kept", where)
        elif not self.in_window(moment):
            log.debug("%s: published %s, outside the window; left out", where, moment.isoformat())
            self.out_of_window += 1
            return
        published = moment.astimezone(self.window.tz).date() if moment else None
        full = max((_text_of(c.get("value", "")) for c in entry.get("content", []) or []), key=len, default="")
        summary = _text_of(entry.get("summary", ""))
        text = full if len(full) >= len(summary) else summary
        page_meta: dict = {}
        if len(text) < TEASER_CHARS and link:
            try:
                response = self.fetcher.get(link, kind="page", any_site=local)
                if _sniff(response.content_type, response.body) != "html":
                    raise FetchError(f"not an HTML page ({_type_label(response)})")
                page_meta = _extract_page(response, link)
                text = page_meta["text"]
            except (FetchError, InputError) as exc:
                problem = getattr(exc, "problem", str(exc)).removesuffix(", skipped").removesuffix("; skipped")
                if not text.strip():
                    raise FetchError(f"{label}: page {link}: {problem}; skipped") from None
                self.warn(link, f"{problem}; used the feed's summary instead")
        if not text.strip():
            raise FetchError(f"{label} has no text, skipped")
        if published is None and iso_date(page_meta.get("date")):
            published = iso_date(page_meta["date"])
            if not self.day_in_window(published):
                log.debug("%s: page dated %s, outside the window; left out", where, published)
                self.out_of_window += 1
                return
        self.articles.append(make_article(where, text, title=title or page_meta.get("title") or "",
                                          outlet=outlet or page_meta.get("sitename") or _host(link),
                                          url=link, published=published, article_id=_article_id(key)))

    def read_page(self, response: Response, url: str) -> None:
        meta = _extract_page(response, url)
        published = iso_date(meta.get("date"))
        if published is None:
            log.debug("%s: no publication date; kept", url)
        elif not self.day_in_window(published):
            log.debug("%s: published %s, outside the window; left out", url, published)
            self.out_of_window += 1
            return
        if url in self.seen_items:
            return
        self.seen_items.add(url)
        self.articles.append(make_article(url, meta["text"], title=meta.get("title") or "",
                                          outlet=meta.get("sitename") or _host(response.final_url),
                                          url=response.final_url, published=published,
                                          article_id=_article_id(url)))

    # -- the time window

    def in_window(self, moment: dt.datetime) -> bool:
        w = self.window
        return w.start is None or w.start <= moment < w.end

    def day_in_window(self, day: dt.date) -> bool:
        """A date without a time is in the window when any part of that day (in the time zone) is."""
        w = self.window
        if w.start is None:
            return True
        day_start = dt.datetime.combine(day, dt.time(0), w.tz)
        return day_start < w.end and day_start + dt.timedelta(days=1) > w.start


@dataclass(frozen=True)
class _Window:
    start: dt.datetime | None
    """None: no window (``window_hours`` 0 or less)."""
    end: dt.datetime
    tz: dt.tzinfo


def _window(config: Config, briefing_date: dt.date) -> _Window:
    """The briefing time is the end of the briefing date in the config's time zone."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(config.timezone)
    end = dt.datetime.combine(briefing_date + dt.timedelta(days=1), dt.time(0), tz)
    hours = config.sources.window_hours
    return _Window(end - dt.timedelta(hours=hours) if hours > 0 else None, end, tz)


def _entry_datetime(entry: Any) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return dt.datetime(*value[:6], tzinfo=dt.timezone.utc)
            except (TypeError, ValueError):
                continue
    return None


def _extract_page(response: Response, url: str) -> dict:
    return extract_html(_decode_page(response.body, response.charset), url)


# ------------------------------------------------------------------------------------------------------ fetching


class _Fetcher:
    def __init__(self, config: Config, warn, urls: list[str] = ()):
        self.settings = config.sources
        self.cache = _Cache(_cache_folder(config))
        self.warn = warn
        self.hosts = _Hosts(config, urls)
        self.failures: dict[str, list[str]] = {}
        """Connection failures per host:port in this run. After ``DEAD_HOST_FAILURES`` URLs of one host failed,
        the host is not tried again (a dead site with 50 teaser items would otherwise cost 50 timeouts)."""

    def get(self, url: str, kind: str, any_site: bool = False) -> Response:
        """The body of ``url`` (from the cache when it is still valid). ``kind``: "feed", "page" or "any".
        ``any_site``: ``url`` may be on any public site, not only a configured one (a local feed's item)."""
        if not is_http_url(url):
            raise FetchError("not an http(s) URL, refused")
        url = redact_credentials(url)  # credentials in a URL are never sent, stored or shown
        self.hosts.check_url(url, any_site=any_site)
        cached = self.cache.load(url)
        if self.settings.offline:
            if cached is None:
                raise FetchError("not in the cache (offline run), skipped")
            return cached
        host = urllib.parse.urlsplit(url).netloc.lower()
        if len(self.failures.get(host, ())) >= DEAD_HOST_FAILURES:
            if cached is not None:
                return cached
            raise FetchError(f"{host} failed {len(self.failures[host])} times in this run "
                             f"({self.failures[host][-1]}); not tried again, skipped")
        meta = self.cache.meta(url) if cached is not None else None
        if meta is not None and kind == "page" and not meta.get("etag") and not meta.get("last_modified") \
                and _age_seconds(cached.fetched_at) < PAGE_FRESH_SECONDS:
            log.debug("%s: fresh in the cache", url)
            return cached
        headers = {"User-Agent": USER_AGENT, "Accept": _ACCEPT}
        if meta:
            if meta.get("etag"):
                headers["If-None-Match"] = meta["etag"]
            if meta.get("last_modified"):
                headers["If-Modified-Since"] = meta["last_modified"]
        attempts = max(self.settings.retries, 0) + 1
        for attempt in range(attempts):
            try:
                status, final_url, resp_headers, body = self._request(url, headers)
                break
            except _Transient as exc:
                if attempt + 1 < attempts and not exc.overran:
                    delay = BACKOFF_BASE * (2 ** attempt)
                    log.debug("%s: %s; retrying in %.2fs", url, exc.problem, delay)
                    time.sleep(delay)
                    continue
                if exc.connection:
                    self.failures.setdefault(host, []).append(exc.problem)
                tries = "" if exc.overran else f" (after {attempt + 1} attempt(s))"
                if cached is not None:
                    self.warn(url, f"{exc.problem}{tries}; used the copy cached at {cached.fetched_at}")
                    return cached
                raise FetchError(f"{exc.problem}{tries}, skipped") from None
        if status == 304:
            if cached is None:  # a server answering 304 to an unconditional request
                raise FetchError("HTTP 304 Not Modified without a cached copy, skipped")
            log.debug("%s: not modified, from the cache", url)
            self.cache.revalidated(url, resp_headers)
            return cached
        return self.cache.store(url, final_url, resp_headers, body)

    def _request(self, url: str, headers: dict) -> tuple[int, str, Any, bytes]:
        """One fetch, redirects included, within ``sources.timeout`` seconds in all (connect, headers, body)."""
        timeout = self.settings.timeout
        with _Deadline(timeout, self.hosts) as deadline:
            try:
                result = self._follow(url, headers, deadline)
            except FetchError:
                # The socket's own timeout (set to the time left) may fire a moment before the watchdog marks
                # the deadline expired: out of time either way, and never retried.
                if deadline.expired or deadline.remaining() <= _DEADLINE_SLACK:
                    raise _Overran(timeout) from None
                raise
            if deadline.expired:  # the sockets were shut down: what was read is cut short
                raise _Overran(timeout)
            return result

    def _follow(self, url: str, headers: dict, deadline: "_Deadline") -> tuple[int, str, Any, bytes]:
        current = url
        opener = urllib.request.build_opener(_NoRedirect(), _GuardedHTTP(deadline), _GuardedHTTPS(deadline))
        for _ in range(MAX_REDIRECTS + 1):
            request = urllib.request.Request(current, headers=headers, method="GET")
            try:
                response = opener.open(request, timeout=deadline.left())
            except FetchError:
                raise
            except urllib.error.HTTPError as exc:
                code, reason, location = exc.code, exc.reason, exc.headers.get("Location") if exc.headers else None
                resp_headers = exc.headers
                exc.close()
                if code in (301, 302, 303, 307, 308):
                    if not location:
                        raise FetchError(f"HTTP {code} redirect without a Location, skipped") from None
                    target = urllib.parse.urljoin(current, location.strip())
                    if not is_http_url(target):
                        raise FetchError(f"redirect to {_shorten(target)} refused (not http(s)), skipped") from None
                    self.hosts.check_url(target, redirect_from=current)
                    log.debug("%s: HTTP %d -> %s", current, code, target)
                    current = target
                    continue
                if code == 304:
                    return 304, current, resp_headers, b""
                if code >= 500 or code == 429:
                    raise _Transient(f"HTTP {code} {reason}", connection=False) from None
                raise FetchError(f"HTTP {code} {reason}, skipped") from None
            except ValueError as exc:  # http.client.InvalidURL and kin
                raise FetchError(f"invalid URL ({_one_line(str(exc))[:80]}), skipped") from None
            except (urllib.error.URLError, OSError) as exc:
                if isinstance(getattr(exc, "reason", None), FetchError):
                    raise exc.reason from None
                raise _Transient(_describe(exc)) from None
            except Exception as exc:  # http.client.HTTPException and kin: a broken server
                raise _Transient(f"bad response ({type(exc).__name__})") from None
            with response:
                body = self._read_capped(response)
                return response.status, response.geturl() or current, response.headers, body
        raise FetchError(f"more than {MAX_REDIRECTS} redirects, skipped")

    def _read_capped(self, response) -> bytes:
        limit = self.settings.max_bytes
        length = response.headers.get("Content-Length")
        if length and length.strip().isdigit() and int(length) > limit:
            raise FetchError(f"response too large ({_size(int(length))} > {_size(limit)} limit, "
                             "sources.max_bytes), skipped")
        chunks: list[bytes] = []
        total = 0
        try:
            while True:
                chunk = response.read1(65536)  # whatever has arrived: a trickle is noticed chunk by chunk
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                if total > limit:
                    raise FetchError(f"response larger than the {_size(limit)} limit (sources.max_bytes); "
                                     "stopped reading, skipped")
        except FetchError:
            raise
        except Exception as exc:  # timeouts, resets and incomplete reads mid-body
            raise _Transient(_describe(exc)) from None
        return b"".join(chunks)


_DEADLINE_SLACK = 0.05
"""Seconds: a fetch that failed this close to its deadline ran out of time."""


class _Overran(_Transient):
    overran = True

    def __init__(self, seconds: float):
        super().__init__(f"took longer than {seconds:g} s in all (sources.timeout)")


class _Deadline(Watchdog):
    """The whole of one fetch's time (``briefing.util.deadline``), and the address check on every connection."""

    def __init__(self, seconds: float, hosts: "_Hosts"):
        super().__init__(seconds)
        self.hosts = hosts

    def left(self) -> float:
        left = self.remaining()
        if left <= 0:
            raise _Overran(self.seconds)
        return left

    def connect(self, address, timeout=None, source_address=None, *args, **kwargs) -> socket.socket:
        """``socket.create_connection`` for http.client: bounded by the deadline, and the address actually
        connected to is checked (a name that resolves to a private address is caught here, after DNS)."""
        sock = socket.create_connection(address, min(self.left(), timeout or self.seconds), source_address)
        try:
            self.hosts.check_peer(address[0], sock.getpeername()[0])
        except FetchError:
            sock.close()
            raise
        return self.attach(sock)


def _guarded(cls, deadline: _Deadline):
    def make(*args, **kwargs):
        conn = cls(*args, **kwargs)
        conn._create_connection = deadline.connect
        return conn
    return make


class _GuardedHTTP(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline):
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):
        return self.do_open(_guarded(http.client.HTTPConnection, self.deadline), req)


class _GuardedHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline):
        super().__init__()
        self.deadline = deadline

    def https_open(self, req):
        return self.do_open(_guarded(http.client.HTTPSConnection, self.deadline), req,
                            context=self._context)


class _Hosts:
    """Which hosts may be fetched: those of the configured feeds and pages (and ``--input`` URLs), on the same
    registrable domain (``news.example.co.uk`` and ``www.example.co.uk`` are one site), and the hosts listed in
    ``sources.allow_hosts``. A redirect or a feed item's link elsewhere is refused. Private, loopback,
    link-local and other non-public addresses are refused unless their host or address is in ``allow_hosts``:
    a feed must never make the job read the machine's own services or a cloud metadata address."""

    def __init__(self, config: Config, urls: list[str]):
        configured = [*urls, *(f.url for f in config.sources.feeds), *config.sources.pages]
        self.domains = {_site(_hostname(u)) for u in configured if is_http_url(u)}
        self.allowed = tuple(a.strip().lower().rstrip(".") for a in config.sources.allow_hosts if a.strip())

    def listed(self, host: str) -> bool:
        host = host.lower().rstrip(".").strip("[]")
        for entry in self.allowed:
            if host == entry or host.endswith("." + entry):
                return True
            try:
                if ipaddress.ip_address(host) in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
        return False

    def check_url(self, url: str, redirect_from: str | None = None, any_site: bool = False) -> None:
        """FetchError unless ``url`` may be fetched. A redirect may also stay on the site it comes from."""
        host = _hostname(url)
        if self.listed(host):
            return
        sites = self.domains | ({_site(_hostname(redirect_from))} if redirect_from else set())
        if not any_site and _site(host) not in sites:
            what = "redirect to" if redirect_from else "link to"
            raise FetchError(f"{what} {host or '?'} refused: not the site of a configured source "
                             "(add it to sources.allow_hosts to allow it), skipped")
        try:
            ip = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return  # a name: its address is checked once connected (_Deadline.connect)
        self.check_peer(host, str(ip))

    def check_peer(self, host: str, address: str) -> None:
        if self.listed(host) or self.listed(address):
            return
        ip = ipaddress.ip_address(address.split("%")[0])
        if getattr(ip, "ipv4_mapped", None):
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            raise FetchError(f"{host} is a private, loopback or link-local address ({ip}); refused "
                             "(list it in sources.allow_hosts to allow it), skipped")


def _hostname(url: str) -> str:
    try:
        return (urllib.parse.urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def _site(host: str) -> str:
    """The registrable domain of ``host`` (public suffix list of the ``tld`` package), or the host itself."""
    from tld import get_fld

    try:
        return get_fld(host, fix_protocol=True, fail_silently=True) or host
    except Exception:  # tld raises assorted errors on odd names
        return host


_ACCEPT = ("application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, "
           "application/xhtml+xml;q=0.8, */*;q=0.1")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are followed by ``_Fetcher._request``, which refuses any that leave http(s)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class _Cache:
    """``<hash>.body`` and ``<hash>.json`` per URL; the JSON is written last, so it marks a complete entry."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
        return self.folder / f"{key}.body", self.folder / f"{key}.json"

    def meta(self, url: str) -> dict | None:
        _, meta_path = self._paths(url)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return meta if isinstance(meta, dict) and meta.get("url") == redact_credentials(url) else None

    def load(self, url: str) -> Response | None:
        meta = self.meta(url)
        if meta is None:
            return None
        body_path, _ = self._paths(url)
        try:
            body = body_path.read_bytes()
        except OSError:
            return None
        if len(body) != meta.get("size"):
            log.debug("%s: cached body is incomplete; ignored", url)
            return None
        ctype, charset = _content_type(meta.get("content_type", ""))
        return Response(url, meta.get("final_url") or url, body, ctype, charset, meta.get("fetched_at", ""), True)

    def store(self, url: str, final_url: str, headers: Any, body: bytes) -> Response:
        now = _now()
        raw_type = headers.get("Content-Type", "") if headers else ""
        meta = {"url": redact_credentials(url), "final_url": redact_credentials(final_url), "status": 200, "etag": headers.get("ETag"),
                "last_modified": headers.get("Last-Modified"), "content_type": raw_type,
                "fetched_at": now, "validated_at": now, "size": len(body),
                "sha256": hashlib.sha256(body).hexdigest()}
        body_path, meta_path = self._paths(url)
        try:
            write_bytes(body_path, body)
            write_text(meta_path, json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
        except OSError as exc:
            log.warning("%s: could not cache the response (%s)", url, exc)
        ctype, charset = _content_type(raw_type)
        return Response(url, final_url, body, ctype, charset, now, False)

    def revalidated(self, url: str, headers: Any) -> None:
        meta = self.meta(url)
        if meta is None:
            return
        meta["validated_at"] = _now()
        for header, key in (("ETag", "etag"), ("Last-Modified", "last_modified")):
            if headers is not None and headers.get(header):
                meta[key] = headers.get(header)
        try:
            write_text(self._paths(url)[1], json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
        except OSError as exc:
            log.debug("%s: could not update the cache entry (%s)", url, exc)

    def entries(self) -> list[dict]:
        if not self.folder.is_dir():
            return []
        found = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                meta = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(meta, dict) and meta.get("url"):
                found.append(meta)
        return sorted(found, key=lambda m: (m.get("fetched_at") or "", m["url"]), reverse=True)


# ------------------------------------------------------------------------------------------------------ helpers


def _cache_folder(config: Config) -> Path:
    return Path(config.cache_dir) / "sources"


def _local_path(value: str, config: Config) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else Path(config.base_dir) / path


def _host(url: str) -> str:
    try:
        host = urllib.parse.urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _article_id(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _content_type(raw: str) -> tuple[str, str | None]:
    if not raw:
        return "", None
    parts = [p.strip() for p in raw.split(";")]
    charset = None
    for p in parts[1:]:
        if p.lower().startswith("charset="):
            charset = p.split("=", 1)[1].strip().strip("\"'") or None
    return parts[0].lower(), charset


def _sniff(content_type: str, body: bytes) -> str | None:
    """ "feed", "html" or None (neither), from the content type and the first bytes."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    feed = _FEED_MARK.search(head)
    html = _HTML_MARK.search(head)
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    if content_type in _FEED_TYPES:
        if feed and (not html or feed.start() < html.start()):
            return "feed"
        return "html" if html else None
    if content_type in _HTML_TYPES or content_type in _SNIFF_TYPES:
        if feed and (not html or feed.start() < html.start()):
            return "feed"
        if html or content_type in _HTML_TYPES:
            return "html"
    return None


def _type_label(response: Response) -> str:
    return f"content type {response.content_type}" if response.content_type else "unknown content"


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _decode_page(body: bytes, charset: str | None) -> str:
    candidates = [charset] if charset else []
    found = _META_CHARSET.search(body[:4096])
    if found:
        candidates.append(found.group(1).decode("ascii", "ignore"))
    candidates.append("utf-8")
    for name in candidates:
        try:
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


class _TextParser(HTMLParser):
    _BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section",
              "article", "tr", "table", "pre", "figure", "header", "footer", "hr", "dd", "dt"}
    _SKIP = {"script", "style", "noscript", "iframe", "figcaption", "svg", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def _text_of(html: str) -> str:
    """Plain text of a feed's HTML fragment: paragraphs separated by blank lines."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        text = html
    else:
        parser = _TextParser()
        parser.feed(html)
        parser.close()
        text = "".join(parser.parts)
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _shorten(url: str, n: int = 80) -> str:
    url = _one_line(url)
    return url if len(url) <= n else url[: n - 1] + "…"


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n / 1000:.1f} kB"


def _describe(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    if isinstance(exc, urllib.error.URLError) and reason is not None:
        exc = reason if isinstance(reason, BaseException) else exc
        if not isinstance(reason, BaseException):
            return f"cannot connect ({_one_line(str(reason))})"
    if isinstance(exc, TimeoutError) or "timed out" in str(exc):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionError):
        return f"connection failed ({type(exc).__name__})"
    text = _one_line(getattr(exc, "strerror", None) or str(exc)) or type(exc).__name__
    return f"cannot connect ({text})"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _age_seconds(stamp: str) -> float:
    try:
        then = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return float("inf")
    return (dt.datetime.now(dt.timezone.utc) - then).total_seconds()
