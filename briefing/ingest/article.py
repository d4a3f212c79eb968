"""Making an :class:`~briefing.models.Article`, whatever its source: the one place both readers use.

``briefing.ingest.files`` (files and folders) and ``briefing.ingest.sources`` (feeds and pages over HTTP) each read their
input, then hand the text and its metadata to :func:`make_article`; HTML from either goes through
:func:`extract_html`. Neither reader imports the other's internals: data flows readers -> article -> models.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import urllib.parse
from pathlib import Path
from typing import Iterator

from ..errors import InputError
from ..models import Article
from ..util.urls import is_http_url, redact_credentials
from .clean import clean

SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html",
            ".htm": "html", ".jsonl": "jsonl", ".ndjson": "jsonl",
            ".xml": "feed", ".rss": "feed", ".atom": "feed"}  # local RSS/Atom files: read by briefing.ingest.sources
"""Input files read, by suffix, and how."""

MAX_TITLE, MAX_OUTLET, MAX_ID, MAX_URL, MAX_PATH = 300, 100, 100, 2000, 1000
"""Longest title, outlet, id, URL and path kept (characters). Metadata is the article's own claim about itself:
unbounded, one line could fill the briefing, or an unbreakable one take the PDF layout minutes."""

# Text direction overrides and isolates ("Safe \u202egpj.exe" shows as "Safe exe.jpg"), zero-width characters
# and other invisible format/control characters: removed from metadata; the direction controls from text too.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_INVISIBLE = re.compile("[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
                        "\ufff9-\ufffb]")


def make_article(name: str, text: str, *, title: str, outlet: str, url: str, published: dt.date | None,
                 article_id: str | None = None) -> Article:
    """Every article is made here, whatever its source: the text cleaned of page noise, the metadata capped
    and cleaned (``_meta``), the title guessed from the first paragraph when there is none, the URL made safe.
    ``name`` is where it came from (a file, "file:line", a URL), shown in warnings and kept as ``path``."""
    cleaned = clean(_BIDI.sub("", text), title=_meta(title, MAX_TITLE))
    body = cleaned.text
    title = _meta(title, MAX_TITLE)
    if not title:
        title = _guess_title(body)
    return Article(id=_meta(article_id or "", MAX_ID) or id_from_name(name), title=title,
                   outlet=_meta(outlet, MAX_OUTLET), url=safe_url(url), published=published, text=body,
                   path=_cap(redact_credentials(printable_path(name)), MAX_PATH), noise_dropped=cleaned.dropped)


def extract_html(html: str, name: str) -> dict:
    """Main text and metadata of an HTML page through trafilatura (no network access)."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False,
                                      favor_precision=True)
    if doc is None:
        raise InputError(name, "no article text found in the HTML, skipped")
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    if not (data.get("text") or "").strip():
        raise InputError(name, "no article text found in the HTML, skipped")
    return data


def safe_url(url: str) -> str:
    """An http(s) URL without user name or password (never shown or stored), capped; anything else: ""."""
    url = "".join(_INVISIBLE.sub("", str(url)).split())
    if not is_http_url(url):
        return ""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return ""
    if not host:
        return ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{port}" if port else "")
    clean_url = urllib.parse.urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))
    return clean_url if len(clean_url) <= MAX_URL else ""


def walk(folder: Path) -> Iterator[Path]:
    """Every file under ``folder``, hidden files and folders left out, folders in name order."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if not name.startswith("."):
                yield Path(root) / name


def display_path(path: Path) -> str:
    """The path as shown in warnings and stored in ``Article.path``: relative to the current folder when inside
    it, never failing (a symlink loop), and always valid text (bytes of a non-UTF-8 name escaped as ``\\xe9``)."""
    try:
        shown = str(path.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError, RuntimeError):  # outside the current folder; a symlink loop
        shown = str(path)
    return printable_path(shown)


def printable_path(name: str) -> str:
    """A path from the file system as valid UTF-8 text: undecodable bytes (surrogate escapes) as ``\\xNN``."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")


def id_from_name(name: str) -> str:
    """An article id from the file name ("reports/kyiv.md" -> "kyiv"), or a hash when nothing is left."""
    stem = Path(name.split("#")[0]).stem
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-")[:60]
    return slug or hashlib.sha1(name.encode()).hexdigest()[:12]


def _meta(value: str, limit: int) -> str:
    """One line of metadata: invisible and direction characters removed, white space collapsed, capped."""
    return _cap(" ".join(_INVISIBLE.sub(" ", str(value)).split()), limit)


def _cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    head = cut.rsplit(" ", 1)[0] if " " in cut[limit // 2:] else cut
    return head.rstrip(",;: ") + "…"


def _guess_title(body: str) -> str:
    first = body.split("\n\n", 1)[0].strip()
    if len(first) <= 120:
        return first.rstrip(".")
    cut = first[:110].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
