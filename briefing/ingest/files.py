"""Read articles from folders and files: .txt, .md (YAML front matter), .html, .jsonl.

Every file that cannot be used becomes one warning naming the file and the problem; the run goes on.
"""

from __future__ import annotations

import datetime as dt
import codecs
import json
import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from ..config import Config
from ..errors import InputError, Problem
from ..extract.dates import latest_full_date, parse_date
from ..models import Article
from ..util.urls import is_http_url
from .article import SUFFIXES, display_path, extract_html, id_from_name, make_article, walk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ingested:
    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]
    """Each file, line or item that could not be (fully) used, and why."""
    skipped: int
    """Files, lines or items that could not be used."""
    non_english: int = 0
    out_of_window: int = 0

    @property
    def warnings(self) -> tuple[str, ...]:
        """The problems as the one-line warnings shown ("<source>: <problem>")."""
        return tuple(str(p) for p in self.problems)


@dataclass
class _Collector:
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0
    non_english: int = 0
    out_of_window: int = 0

    def warn(self, source: str, problem: str, skipped: bool = True) -> None:
        self.add(Problem(source, problem), skipped)

    def add(self, problem: Problem, skipped: bool = True) -> None:
        problem = problem.redacted()
        log.warning("%s", problem)
        self.problems.append(problem)
        if skipped:
            self.skipped += 1


def ingest(paths: Sequence[Path | str], config: Config, briefing_date: dt.date) -> Ingested:
    """Every article found under ``paths`` (files or folders, read recursively; http(s) URLs and feeds are
    read by ``briefing.ingest.sources``), cleaned, deduplicated by id, in a stable order."""
    out = _Collector()
    for path in _expand(paths, out):
        _read_file(path, config, briefing_date, out)
    _read_remote([p for p in paths if is_http_url(str(p))], config, briefing_date, out)
    articles = _unique_ids(out.articles)
    return Ingested(tuple(articles), tuple(out.problems), out.skipped, out.non_english, out.out_of_window)


def _read_remote(urls: list[str], config: Config, briefing_date: dt.date, out: _Collector) -> None:
    if not urls and not config.sources.feeds and not config.sources.pages:
        return
    from . import sources  # feeds and pages: imported only when asked for (network code, feedparser)

    _take(sources.read_remote(urls, config, briefing_date), config, briefing_date, out)


def _read_feed_file(path: Path, config: Config, briefing_date: dt.date, out: _Collector) -> None:
    from . import sources

    _take(sources.read_feed_file(path, config, briefing_date), config, briefing_date, out)


def _take(result, config: Config, briefing_date: dt.date, out: _Collector) -> None:
    """Articles and problems from feeds and pages (a ``sources.Remote``)."""
    for problem in result.problems:
        out.add(problem)
    out.out_of_window += result.out_of_window
    for article in result.articles:
        _accept(article, config, briefing_date, out)


def _expand(paths: Iterable[Path | str], out: _Collector) -> Iterator[Path]:
    for raw in paths:
        if is_http_url(str(raw)):
            continue
        path = Path(raw)
        if path.is_dir():
            for child in sorted(walk(path)):
                if child.suffix.lower() in SUFFIXES:
                    yield child
                elif not child.name.startswith(".") and child.name.lower() not in ("readme", "license"):
                    out.warn(display_path(child), f"unsupported file type '{child.suffix or child.name}', skipped")
        elif path.is_file() or path.is_symlink():  # a link that loops or points nowhere: read, and say why not
            if path.suffix.lower() in SUFFIXES:
                yield path
            else:
                out.warn(display_path(path), f"unsupported file type '{path.suffix or path.name}' "
                         f"(expected {', '.join(sorted(set(SUFFIXES)))}), skipped")
        elif not path.exists():
            out.warn(display_path(path), "no such file or folder")
        else:
            out.warn(display_path(path), "not a regular file, skipped")


def _read_file(path: Path, config: Config, briefing_date: dt.date, out: _Collector) -> None:
    kind = SUFFIXES[path.suffix.lower()]
    name = display_path(path)
    if kind == "feed":
        _read_feed_file(path, config, briefing_date, out)
        return
    try:
        if kind == "jsonl":
            for article in _read_jsonl(path, name, config, out):
                _accept(article, config, briefing_date, out)
            return
        notes: list[str] = []
        text = read_text(path, config.ingest.max_file_bytes, notes)
        reader = {"text": _from_text, "markdown": _from_markdown, "html": _from_html}[kind]
        article = reader(text, name, out)
    except InputError as exc:
        out.warn(exc.source, exc.problem)
        return
    if article is not None:
        before = len(out.articles)
        _accept(article, config, briefing_date, out)
        if notes and len(out.articles) > before:  # a file left out anyway gets only the warning saying why
            out.warn(name, notes[0], skipped=False)


def _nonempty_size(path: Path, name: str) -> int:
    import stat

    try:
        info = path.stat()
    except OSError as exc:  # gone, no permission, a symlink loop or one pointing nowhere
        raise InputError(name, f"cannot read: {exc.strerror or exc}, skipped") from None
    if not stat.S_ISREG(info.st_mode):  # a FIFO would block the run for ever
        raise InputError(name, "not a regular file (a pipe, device or socket), skipped")
    size = info.st_size
    if size == 0:
        raise InputError(name, "empty file, skipped")
    return size


def read_text(path: Path, max_bytes: int, notes: list[str] | None = None) -> str:
    """A text file's content as str, or InputError saying why it is not usable text. With ``notes``, text that
    is not UTF-8 is decoded with its likely legacy encoding and a note saying so is appended."""
    name = display_path(path)
    size = _nonempty_size(path, name)
    if size > max_bytes:
        raise InputError(name, f"file too large ({_mb(size)} > {_mb(max_bytes)} limit, ingest.max_file_bytes), skipped")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(name, f"cannot read: {exc.strerror or exc}, skipped") from None
    return decode(data, name, notes)


def decode(data: bytes, name: str, notes: list[str] | None = None) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode_utf16(data, name)
    elif b"\x00" in data[:8192]:
        raise InputError(name, "binary file, not text; skipped")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            problem = f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start})"
            text = _decode_legacy(data) if notes is not None else None
            if text is None:
                raise InputError(name, f"{problem}; convert it to UTF-8; skipped") from None
            notes.append(f"{problem}; read as {text.encoding} (a guess: convert it to UTF-8 to be sure)")
    if not text.strip():
        raise InputError(name, "no text (only white space), skipped")
    return text


def _decode_utf16(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-16")
    except UnicodeDecodeError:
        raise InputError(name, "broken UTF-16 text; skipped") from None


class _Decoded(str):
    encoding = ""


# Legacy encodings news text still arrives in: Western European (cp1252, a superset of latin-1's printable
# range) and Cyrillic (cp1251, koi8-r). A short list keeps charset_normalizer's guess reliable.
_LEGACY = ("cp1252", "cp1251", "koi8_r")
_MIXED_SCRIPT = re.compile(r"[A-Za-z][\u0400-\u04FF]|[\u0400-\u04FF][A-Za-z]")


def _decode_legacy(data: bytes) -> _Decoded | None:
    """``data`` decoded with its likeliest legacy encoding, or None when none reads as text."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000], cp_isolation=list(_LEGACY)).best()
    if best is None or best.chaos > 0.2:
        return None
    encoding = best.encoding
    guess = data.decode(encoding, "replace")
    if encoding != "cp1252" and (_MIXED_SCRIPT.search(guess) or not re.search(r"[\u0400-\u04FF]", guess)):
        encoding = "cp1252"  # "Cafй" (a Cyrillic letter inside Latin words), or no Cyrillic at all: Western text
    try:
        text = _Decoded(data.decode(encoding))
    except UnicodeDecodeError:
        return None
    text.encoding = encoding
    return text


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def _from_text(text: str, name: str, out: _Collector) -> Article:
    return make_article(name, text, title="", outlet="", url="", published=None)


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def _from_markdown(text: str, name: str, out: _Collector) -> Article | None:
    import yaml

    meta: dict = {}
    body = text
    match = _FRONT_MATTER.match(text)
    if text.startswith("---") and not match:
        out.warn(name, "front matter opened with '---' but never closed; read as plain text", skipped=False)
    elif match:
        body = text[match.end():]
        try:
            loaded = yaml.load(match.group(1), Loader=_front_matter_loader())  # noqa: S506 - a SafeLoader
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 2}" if mark is not None else ""
            out.warn(name, f"malformed YAML front matter{where}: {getattr(exc, 'problem', None) or 'syntax error'}; "
                     "metadata ignored", skipped=False)
            loaded = {}
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            out.warn(name, "front matter is not a mapping of keys; metadata ignored", skipped=False)
            loaded = {}
        meta = loaded
    body = _strip_markdown(body)
    if not body.strip():
        raise InputError(name, "no article text after the front matter, skipped")
    published = _parse_date(meta.get("published", meta.get("date")), name, out)
    structured = [k for k in ("title", "outlet", "source", "url", "id") if isinstance(meta.get(k), (dict, list))]
    if structured:
        out.warn(name, f"front matter {', '.join(repr(k) for k in structured)} "
                 f"{'is' if len(structured) == 1 else 'are'} not text; ignored", skipped=False)
        meta = {k: v for k, v in meta.items() if k not in structured}
    return make_article(name, body, title=_str(meta.get("title")), outlet=_str(meta.get("outlet", meta.get("source"))),
                 url=_str(meta.get("url")), published=published, article_id=_str(meta.get("id")) or None)


def _front_matter_loader():
    import yaml

    class Loader(yaml.SafeLoader):
        """safe_load's loader, refusing documents with many aliases: 386 bytes of nested aliases expand to
        millions of nodes once anything walks them."""

        aliases = 0

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    raise yaml.composer.ComposerError(None, None, f"more than {MAX_ALIASES} aliases (a YAML "
                                                      "alias bomb?)", self.peek_event().start_mark)
            return super().compose_node(parent, index)

    return Loader


MAX_ALIASES = 20


def _strip_markdown(body: str) -> str:
    body = re.sub(r"^#{1,6}\s+", "", body, flags=re.MULTILINE)
    body = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", body)
    body = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", body)
    body = re.sub(r"(\*\*|__)(.+?)\1", r"\2", body)
    body = re.sub(r"^>\s?", "", body, flags=re.MULTILINE)
    return body


def _from_html(text: str, name: str, out: _Collector) -> Article | None:
    meta = extract_html(text, name)
    published = _parse_date(meta.get("date"), name, out)
    return make_article(name, meta["text"], title=meta.get("title") or "", outlet=meta.get("sitename") or "",
                 url=meta.get("url") or "", published=published)


def _read_jsonl(path: Path, name: str, config: Config, out: _Collector) -> Iterator[Article]:
    _nonempty_size(path, name)
    with path.open("rb") as fh:
        for lineno, raw in enumerate(_bounded_lines(fh, config.ingest.max_file_bytes), 1):
            where = f"{name}:{lineno}"
            if raw is None:
                out.warn(where, f"line too large (over {_mb(config.ingest.max_file_bytes)}, ingest.max_file_bytes), "
                         "skipped")
                continue
            if not raw.strip():
                continue
            try:
                record = json.loads(decode(raw, where))
            except InputError as exc:
                out.warn(exc.source, exc.problem)
                continue
            except json.JSONDecodeError as exc:
                out.warn(where, f"invalid JSON ({exc.msg} at column {exc.colno}), line skipped")
                continue
            if not isinstance(record, dict):
                out.warn(where, "expected a JSON object, line skipped")
                continue
            text = record.get("text")
            if not isinstance(text, str) or not text.strip():
                out.warn(where, "no 'text' field, line skipped")
                continue
            published = _parse_date(record.get("published", record.get("date")), where, out)
            article_id = _str(record.get("id")) or f"{id_from_name(name)}-{lineno}"
            yield make_article(where, text, title=_str(record.get("title")), outlet=_str(record.get("outlet")),
                        url=_str(record.get("url")), published=published, article_id=article_id)


def _bounded_lines(fh, limit: int) -> Iterator[bytes | None]:
    """The file's lines, None for a line longer than ``limit`` bytes (read past, never held in memory)."""
    while True:
        parts, size, line = [], 0, b""
        while size <= limit:
            line = fh.readline(1 << 20)
            parts.append(line)
            size += len(line)
            if not line or line.endswith(b"\n"):
                break
        if size > limit:
            parts.clear()
            while line and not line.endswith(b"\n"):
                line = fh.readline(1 << 20)
            yield None
        elif size == 0:
            return
        else:
            yield b"".join(parts)


def _str(value) -> str:
    return "" if value is None else str(value)


def _parse_date(value, name: str, out: _Collector) -> dt.date | None:
    """The publication date given in metadata (``dates.parse_date``); one that cannot be read is a warning."""
    try:
        return parse_date(value)
    except ValueError:
        out.warn(name, f"unreadable date {str(value).strip()[:40]!r}; treated as unknown", skipped=False)
        return None


# Letters of other scripts, and the commonest short words of English; together they tell English text
# from most other languages without a model.
_NON_LATIN = re.compile(r"[\u0400-\u04FF\u0590-\u05FF\u0600-\u06FF\u0900-\u097F\u3040-\u30FF\u4E00-\u9FFF\uAC00-\uD7AF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
_EN_WORDS = frozenset("the of and to in a is that for on with as was by it said at from has have are be this "
                      "were which an not but his her their they will been after who".split())


def detect_language(text: str) -> str:
    """"en", or a rough code of the other language ("cyrillic", "other") for text that is not English."""
    sample = text[:5000]
    other = len(_NON_LATIN.findall(sample))
    latin = len(_LATIN.findall(sample))
    if other > latin:
        return "cyrillic" if re.search(r"[\u0400-\u04FF]", sample) else "other"
    words = re.findall(r"[a-zA-Z]+", sample.lower())
    if len(words) < 8:
        return "en"
    share = sum(w in _EN_WORDS for w in words) / len(words)
    return "en" if share >= 0.12 else "other"


def _accept(article: Article, config: Config, briefing_date: dt.date, out: _Collector) -> None:
    if not article.text.strip():
        out.warn(article.path, "nothing left after removing page noise, skipped")
        return
    language = detect_language(article.text)
    if language != "en" and "en" in config.ingest.languages and language not in config.ingest.languages:
        out.non_english += 1
        out.warn(article.path, f"not in English (detected: {language}); left out")
        return
    article = replace(article, language=language)
    if len(article.text) > config.ingest.max_article_chars:
        out.warn(article.path, f"article text cut to {config.ingest.max_article_chars:,} characters "
                 f"(it had {len(article.text):,})", skipped=False)
        article = replace(article, text=article.text[: config.ingest.max_article_chars])
    if article.published and article.published > briefing_date + dt.timedelta(days=1):
        out.warn(article.path, f"publication date {article.published} is after the briefing date "
                 f"{briefing_date}; treated as unknown", skipped=False)
        article = replace(article, published=None)
    if article.published is None:
        guessed = latest_full_date(article.text)
        if guessed and guessed <= briefing_date:
            article = replace(article, published=guessed, published_guessed=True)
        else:
            log.info("%s: no publication date; relative dates resolved against the briefing date %s",
                     article.path, briefing_date)
            article = replace(article, published=briefing_date, published_guessed=True)
    out.articles.append(article)


def _unique_ids(articles: list[Article]) -> list[Article]:
    seen: dict[str, int] = {}
    result = []
    for article in articles:
        n = seen.get(article.id, 0)
        seen[article.id] = n + 1
        result.append(article if n == 0 else replace(article, id=f"{article.id}-{n + 1}"))
    return result
