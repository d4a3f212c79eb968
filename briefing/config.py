"""Typed configuration: dataclasses with defaults and a docstring per field, loaded from ``config.yaml``.

Every problem is reported with its dotted key (``themes[2].examples``); unknown keys are warnings, not errors;
relative paths are resolved against the folder of the config file. CLI flags override the file afterwards
(see ``Config.override``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .util.urls import is_http_url

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Theme:
    """A theme facts are grouped under. Adding one here (say ``energy``) needs no code."""

    key: str
    """Short identifier used in JSON and the CLI: lowercase letters, digits, dashes or underscores."""
    title: str = ""
    """Heading in the briefing; defaults to the key, capitalised."""
    description: str = ""
    """One or two sentences saying what belongs here; embedded and compared with each fact."""
    terms: tuple[str, ...] = ()
    """Words or phrases that point to this theme (case-insensitive, whole words; "sanction*" matches a prefix)."""
    examples: tuple[str, ...] = ()
    """Example sentences of this theme; the classifier learns from them alongside the shipped examples."""

    @property
    def heading(self) -> str:
        return self.title or self.key.replace("_", " ").capitalize()


DEFAULT_THEMES: tuple[Theme, ...] = (
    Theme(
        key="negotiations",
        title="Negotiations",
        description="Diplomacy to end or manage the war: peace talks, delegations, negotiating positions, "
        "ceasefire terms, security guarantees, mediators, leaders' calls about a settlement.",
        terms=("talks", "negotiat*", "ceasefire", "delegation", "peace", "diplomat*", "mediat*", "neutral*",
               "security guarantee*", "round of"),
    ),
    Theme(
        key="battlefield",
        title="Battlefield",
        description="The military situation: attacks, strikes, shelling, fighting, troop movements, "
        "withdrawals, territory taken or retaken, military losses and aid, weapons.",
        terms=("troops", "forces", "shelling", "offensive", "missile*", "strike*", "fighting", "military",
               "withdraw*", "regroup*", "artillery", "drone*", "tank*", "counteroffensive", "front line"),
    ),
    Theme(
        key="humanitarian",
        title="Humanitarian",
        description="The war's impact on civilians and the response: civilian deaths and injuries, "
        "evacuations, corridors, refugees, aid convoys, shortages, damage to homes and hospitals.",
        terms=("civilian*", "evacuat*", "refugee*", "humanitarian", "corridor*", "aid", "displaced",
               "red cross", "hospital*", "shortage*", "killed", "injured", "wounded"),
    ),
    Theme(
        key="sanctions",
        title="Sanctions",
        description="Economic pressure: sanctions, asset freezes, export controls, embargoes and boycotts "
        "of oil and gas, payments in roubles, companies leaving, economic countermeasures.",
        terms=("sanction*", "embargo*", "boycott*", "export control*", "asset freeze*", "frozen assets",
               "rouble*", "ruble*", "oil", "gas", "hydrocarbons", "swift", "tariff*"),
    ),
)


@dataclass(frozen=True)
class ClassifyConfig:
    """How facts are assigned to themes."""

    min_score: float = 0.0
    """A fact whose best theme scores below this gets no theme (it stays in ``extract`` output, not in the
    briefing). 0 means: trust the classifier's own "none" decision."""
    use_shipped_examples: bool = True
    """Learn from the labelled example sentences that ship with the project, as well as the config's."""
    examples_file: Path | None = None
    """The desk's own labelled sentences, JSONL or YAML (``{"text", "label"}`` per row; label a theme key or
    "none"), learnt alongside the shipped examples. ``briefing label`` appends to it (and creates it); a file
    that does not exist yet is a warning, not an error."""


@dataclass(frozen=True)
class MergeConfig:
    """How the same fact from several articles becomes one item."""

    threshold: float = 0.78
    """Cosine similarity of sentence embeddings above which two facts are the same (0-1)."""
    syndicated_threshold: float = 92.0
    """rapidfuzz token-set ratio above which two facts are copies of one wire story (0-100)."""


@dataclass(frozen=True)
class SelectConfig:
    """How much of what was found makes it into the briefing."""

    takeaways: int = 5
    """Key takeaways on top (3 to 6)."""
    per_theme: int = 12
    """Most items shown per theme, takeaways included (the word budget usually ends a section first)."""
    max_quotes: int = 5
    """Most notable quotes shown."""
    max_figures: int = 8
    """Most rows in the key-figures table."""
    min_words: int = 6
    """Sentences shorter than this are not facts."""
    max_words: int = 60
    """Sentences longer than this are cut from selection (usually run-on page text)."""
    word_budget: int = 600
    """Most words in the takeaways and theme items together: about two minutes of reading."""
    max_share: float = 0.35
    """At most this share of the input's words is shown (a briefing of two short articles stays short)."""


@dataclass(frozen=True)
class PdfConfig:
    enabled: bool = True
    """Render briefing.pdf next to the Markdown."""
    page_size: str = "A4"
    """CSS page size for the PDF."""
    uncited_sources: int = 30
    """Articles read but cited by no line are listed in the PDF up to this many; past it, the PDF says how many
    there were (briefing.md and briefing.json always list them all). A paper briefing of a 700-article day
    should not end in 25 pages of links."""


@dataclass(frozen=True)
class MailingList:
    """A list of people who get the whole briefing or only some themes' sections (``smtp.lists``)."""

    name: str
    """Short name, shown in logs and kept in the delivery state (``desk-humanitarian``)."""
    recipients: tuple[str, ...] = ()
    """To addresses of this list."""
    themes: tuple[str, ...] = ()
    """Theme keys whose sections this list gets; empty: the whole briefing, PDF attached."""


@dataclass(frozen=True)
class SmtpConfig:
    """Email delivery of the PDF (``briefing run --send``, ``briefing send``)."""

    host: str = ""
    """SMTP server; empty disables email."""
    port: int = 587
    security: str = "starttls"
    """"starttls", "ssl" or "none"."""
    username: str = ""
    password_env: str = "BRIEFING_SMTP_PASSWORD"
    """Name of the environment variable holding the password (the password itself never goes in this file)."""
    sender: str = ""
    """From address."""
    recipients: tuple[str, ...] = ()
    """To addresses."""
    subject: str = "{title} — {date}"
    """Subject line; {title} and {date} are filled in."""
    timeout: float = 30.0
    """Seconds before giving up on the server."""
    lists: tuple[MailingList, ...] = ()
    """More lists, each emailed separately: the whole briefing, or the sections of its ``themes`` only."""


@dataclass(frozen=True)
class PublishConfig:
    """Publishing for readers of a git repository."""

    index: bool = True
    """Keep ``index.md`` (every briefing with its headline takeaway) and ``latest.md`` in the output folder."""
    git: bool = False
    """Commit the new files into the git repository that holds the output folder."""


@dataclass(frozen=True)
class DeliverConfig:
    """Delivery besides email (``briefing run --send``, ``briefing send``), kept in the same delivery state."""

    notify: tuple[str, ...] = ()
    """Chat and webhook URLs (apprise syntax: ``slack://...``, ``mmost://...``, ``json://host/path``) that get the
    takeaways and a link to the briefing."""
    notify_timeout: float = 15.0
    """Seconds before giving up on one chat or webhook server."""
    send_when_nothing_new: bool = False
    """Email and post even on a day whose briefing holds nothing new or updated (a list with ``themes``: nothing
    new in those sections). Off: such a day is recorded as skipped, not sent."""


@dataclass(frozen=True)
class ArchiveConfig:
    """The static web archive and the Atom feed, updated after every run."""

    enabled: bool = True
    """Write ``<output>/<date>/briefing.html`` and ``<output>/index.html`` (every date, newest first)."""
    feed: bool = True
    """Write ``<output>/feed.xml``, an Atom feed with one entry per date."""
    feed_entries: int = 30
    """Most recent dates in the feed."""
    base_url: str = ""
    """Address where the output folder is served (``https://desk.example.org/briefings/``): makes the links in
    the feed and in chat messages absolute. Empty: relative links and local paths."""


@dataclass(frozen=True)
class SearchConfig:
    """Full-text search across past briefings (``briefing search``), kept in the history SQLite file."""

    enabled: bool = True
    """Index each date's items after the run; ``briefing history rebuild`` indexes every briefing.json again."""


@dataclass(frozen=True)
class MonitorConfig:
    """A ping to a monitoring service after every ``briefing run`` (healthchecks-style), success or failure."""

    url: str = ""
    """http(s) URL pinged on success; empty: no ping."""
    fail_suffix: str = "/fail"
    """Appended to ``url`` when the run failed."""
    timeout: float = 10.0
    """Seconds before giving up on the ping; a ping that fails never fails the run."""


@dataclass(frozen=True)
class HistoryConfig:
    """What earlier briefings reported, so a day's run knows what is new."""

    enabled: bool = True
    path: Path | None = None
    """SQLite file; default ``$STATE_DIRECTORY/history.sqlite`` under a systemd unit with ``StateDirectory=``,
    else ``<output>/history.sqlite``."""
    lookback_days: int = 7
    """Earlier days compared against."""
    show_reported: bool = False
    """Also show events already reported with nothing new (marked ``reported``); by default they are left out."""


@dataclass(frozen=True)
class FeedConfig:
    url: str
    """RSS/Atom feed: an http(s) URL or a local file."""
    outlet: str = ""
    """Outlet name for this feed's articles; default: the feed's own title (else the site's host name)."""
    max_items: int = 50
    """Most items read from this feed per run."""


@dataclass(frozen=True)
class SourcesConfig:
    """Where articles come from. ``--input`` on the command line replaces ``folders``, ``feeds`` and ``pages``."""

    folders: tuple[Path, ...] = (Path("samples"),)
    """Folders (read recursively) or single files: .txt, .md (YAML front matter), .html, .jsonl."""
    feeds: tuple[FeedConfig, ...] = ()
    pages: tuple[str, ...] = ()
    """Single article URLs."""
    cache_dir: Path | None = None
    """Where fetched pages are cached; default ``$CACHE_DIRECTORY`` under a systemd unit with ``CacheDirectory=``,
    else ``<output>/.cache``."""
    window_hours: float = 24.0
    """Feed and page items published more than this many hours before the briefing time are left out."""
    timeout: float = 15.0
    """Most seconds one fetch may take in all: connecting, headers, body and redirects together (a server that
    trickles bytes is cut off there, and not retried)."""
    max_bytes: int = 5_000_000
    """Largest page or feed read, in bytes."""
    retries: int = 2
    """Retries, with backoff, after a failed request."""
    offline: bool = False
    """Read from the cache only; never touch the network."""
    allow_hosts: tuple[str, ...] = ()
    """Hosts (a name also allows its subdomains), addresses or networks (``10.0.0.0/8``) fetched besides the
    sites of the configured feeds and pages. Redirects and feed item links to other sites are refused, and so
    are private, loopback and link-local addresses unless listed here (an intranet feed: list its host)."""


@dataclass(frozen=True)
class IngestConfig:
    """Limits on what is read."""

    max_file_bytes: int = 20_000_000
    """Files larger than this are skipped with a warning (only their first part is never a fair article)."""
    max_article_chars: int = 60_000
    """Article text beyond this is cut (a wall of text is not a news article)."""
    languages: tuple[str, ...] = ("en",)
    """Languages kept; articles detected as another language are left out with a warning."""


@dataclass(frozen=True)
class ExtractConfig:
    """How the articles are read: in how many processes, and how deep on a heavy day."""

    workers: int = 0
    """Processes that read articles (each runs its own spaCy and embedding model, ~300 MB). 0: one per CPU core,
    on a day with at least 40 articles (fewer do not repay the 2-3 s start of a process); 1: read in the main
    process only."""
    sentence_budget: int = 0
    """Most sentences read in one run; 0 (the default): every sentence of every article is read and parsed
    (``cascade`` can make that cheaper). Set it to cap a run's time on a slow machine: on a heavier day every article is then
    read from its start to the same depth, so one long article cannot crowd out the others; the briefing's header
    says how deep and how many sentences were left unread."""
    min_sentences: int = 8
    """Sentences of every article read however heavy the day (the lead and what follows it)."""
    cascade: bool = False
    """Off by default (quality first: on the 710-article pool it saved 13 % of the CPU but changed 3 of the 20
    items and lost one event, docs/performance.md). true: read every sentence cheaply (a fast splitter, the themes' terms and cues, the theme classifier's word
    model), and give spaCy's full parse and the embedding model only to the sentences that can matter: each
    article's first 8 sentences, every sentence naming a term or cue of a configured theme or likely to belong to
    a theme by its words, and the sentence before any of those that leans on it ("He said ..."). Other sentences
    are counted as read but yield no fact. false: parse and embed every sentence."""
    engine: str = "local"
    """Where articles are read: ``local`` (this machine: the main process, or ``workers`` processes) or ``dask``
    (the workers of a Dask cluster, each loading the models once; needs ``pip install 'briefing[dask]'``). The
    merge, selection and rendering always run here; the briefing is the same either way."""
    scheduler: str = ""
    """With ``engine: dask``: the scheduler's address, e.g. ``tcp://10.0.0.5:8786``. Empty: a LocalCluster on
    127.0.0.1 is started for the run with ``workers`` processes (0: one per core)."""


@dataclass(frozen=True)
class LogConfig:
    level: str = "INFO"
    """DEBUG, INFO, WARNING or ERROR."""
    file: Path | None = None
    """Also log to this file, rotated at 1 MB, 5 kept."""


@dataclass(frozen=True)
class Config:
    """The whole configuration. Every field has a default: an empty file is a valid config."""

    title: str = "Daily briefing"
    """Title on top of every briefing."""
    date: dt.date | None = None
    """Briefing date; default: today in ``timezone`` (``--date`` overrides)."""
    timezone: str = "UTC"
    """IANA time zone for "today" and the feed time window."""
    output: Path = Path("output")
    """Folder that gets one sub-folder per date."""
    templates: Path | None = None
    """Your own template folder, searched before the packaged templates."""
    strict: bool = False
    """Exit 1 when any input was skipped or any warning was raised."""
    themes: tuple[Theme, ...] = DEFAULT_THEMES
    """The briefing's sections, in order: each a key, title, description, terms and example sentences."""
    classify: ClassifyConfig = ClassifyConfig()
    merge: MergeConfig = MergeConfig()
    select: SelectConfig = SelectConfig()
    pdf: PdfConfig = PdfConfig()
    sources: SourcesConfig = SourcesConfig()
    ingest: IngestConfig = IngestConfig()
    extract: ExtractConfig = ExtractConfig()
    smtp: SmtpConfig = SmtpConfig()
    publish: PublishConfig = PublishConfig()
    history: HistoryConfig = HistoryConfig()
    deliver: DeliverConfig = DeliverConfig()
    archive: ArchiveConfig = ArchiveConfig()
    search: SearchConfig = SearchConfig()
    monitor: MonitorConfig = MonitorConfig()
    log: LogConfig = LogConfig()
    base_dir: Path = field(default=Path("."), metadata={"internal": True})
    """Folder of the config file; relative paths are resolved against it."""

    def override(self, **changes: Any) -> "Config":
        """A copy with the CLI's flags applied (None values are ignored)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def theme(self, key: str) -> Theme | None:
        return next((t for t in self.themes if t.key == key), None)

    @property
    def history_path(self) -> Path:
        return self.history.path or _systemd_dir("STATE_DIRECTORY", "history.sqlite") or self.output / "history.sqlite"

    @property
    def cache_dir(self) -> Path:
        return self.sources.cache_dir or _systemd_dir("CACHE_DIRECTORY") or self.output / ".cache"


def _systemd_dir(variable: str, name: str = "") -> Path | None:
    """The first folder systemd made for the unit (``StateDirectory=``, ``CacheDirectory=``; a colon-separated
    list), so a service keeps its state out of the published output folder without any config."""
    value = os.environ.get(variable, "").split(":")[0]
    return (Path(value) / name if name else Path(value)) if value else None


def load_config(path: Path | str | None) -> tuple[Config, list[str]]:
    """Read and validate a config file. Returns the config and warnings (unknown keys).

    ``None`` gives the defaults with paths relative to the current folder. Raises ConfigError listing every
    problem, each with its dotted key.
    """
    if path is None:
        return _finish(Config(base_dir=Path.cwd()), Path.cwd()), []
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", str(path)) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> tuple[Config, list[str]]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{where}invalid YAML: {problem}", str(path)) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"expected a mapping of settings at the top, got {_kind(data)}", str(path))
    base = path.resolve().parent
    problems: list[str] = []
    warnings: list[str] = []
    values = _build(Config, data, "", problems, warnings)
    # Every problem in one pass: a value of the wrong type falls back to its default, and the ranges and
    # choices of everything else are still checked; unknown keys travel with the error as warnings.
    config = _finish(Config(**values, base_dir=base), base)
    _validate(config, problems)
    warnings = [f"{path}: {w}" for w in warnings]
    if problems:
        raise ConfigError(problems, str(path), warnings)
    return config, warnings


def _finish(config: Config, base: Path) -> Config:
    """Resolve every relative path against the config's folder."""
    return _resolve_paths(config, base)


def _resolve_paths(obj: Any, base: Path) -> Any:
    if dataclasses.is_dataclass(obj):
        changes = {}
        for f in dataclasses.fields(obj):
            if f.metadata.get("internal"):
                continue
            value = getattr(obj, f.name)
            new = _resolve_paths(value, base)
            if new is not value:
                changes[f.name] = new
        return dataclasses.replace(obj, **changes) if changes else obj
    if isinstance(obj, Path):
        return obj if obj.is_absolute() else (base / obj)
    if isinstance(obj, tuple):
        items = tuple(_resolve_paths(v, base) for v in obj)
        return items if any(a is not b for a, b in zip(items, obj)) else obj
    return obj


def resolve_cli_path(value: str | Path) -> Path:
    """Paths given on the command line are relative to the current folder, not the config's."""
    return Path(value).expanduser().resolve()


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", int: "a number", float: "a number",
            bool: "true/false", type(None): "nothing"}.get(type(value), type(value).__name__)


def _build(cls: type, data: dict, prefix: str, problems: list[str], warnings: list[str]) -> dict:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
    out: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if key not in fields:
            close = _close_match(str(key), fields)
            hint = f" (did you mean '{prefix}{close}'?)" if close else ""
            warnings.append(f"{dotted}: unknown key, ignored{hint}")
            continue
        converted = _convert(hints[key], value, dotted, problems, warnings)
        if converted is not _INVALID:
            out[key] = converted
    for name, f in fields.items():
        if name not in out and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            if not any(p.startswith(f"{prefix}{name}:") for p in problems):
                problems.append(f"{prefix}{name}: required")
    return out


_INVALID = object()


def _convert(tp: Any, value: Any, key: str, problems: list[str], warnings: list[str]) -> Any:
    """``value`` from the YAML as the type ``tp`` of the field at dotted ``key``, or ``_INVALID`` with the
    reason appended to ``problems`` (an optional type, a list, a section, or a scalar)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value, key, problems, warnings)
    if origin is tuple:
        return _convert_list(args[0] if args else Any, value, key, problems, warnings)
    if dataclasses.is_dataclass(tp):
        return _convert_section(tp, value, key, problems, warnings)
    return _convert_scalar(tp, value, key, problems)


def _convert_list(item: Any, value: Any, key: str, problems: list[str], warnings: list[str]) -> Any:
    """A YAML list as a tuple of ``item`` (a lone string stands for a list of one string or path); items that
    do not convert are left out, each with its problem."""
    if value is None:
        return ()
    if isinstance(value, (str, dict)) or not isinstance(value, list):
        if item in (str, Path) and isinstance(value, str):
            value = [value]
        else:
            problems.append(f"{key}: expected a list, got {_kind(value)}")
            return _INVALID
    items = []
    for i, v in enumerate(value):
        c = _convert(item, v, f"{key}[{i}]", problems, warnings)
        if c is not _INVALID:
            items.append(c)
    return tuple(items)


def _convert_section(tp: type, value: Any, key: str, problems: list[str], warnings: list[str]) -> Any:
    """A YAML mapping as the dataclass ``tp`` (a feed may be given as its URL alone)."""
    if isinstance(value, str) and tp is FeedConfig:
        value = {"url": value}
    if not isinstance(value, dict):
        problems.append(f"{key}: expected a mapping, got {_kind(value)}")
        return _INVALID
    values = _build(tp, value, f"{key}.", problems, warnings)
    try:
        return tp(**values)  # the fields given right; the others keep their defaults (reported already)
    except TypeError:  # a required field missing or wrong
        return _INVALID


def _convert_scalar(tp: Any, value: Any, key: str, problems: list[str]) -> Any:
    """A YAML scalar as bool, int, float, str, Path or date; anything else is passed through."""
    if tp is bool:
        if isinstance(value, bool):
            return value
        problems.append(f"{key}: expected true or false, got {value!r}")
        return _INVALID
    if tp in (int, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            problems.append(f"{key}: expected a number, got {value!r}")
            return _INVALID
        if tp is int and isinstance(value, float) and not value.is_integer():
            problems.append(f"{key}: expected a whole number, got {value!r}")
            return _INVALID
        return tp(value)
    if tp is str:
        if isinstance(value, (dict, list)) or value is None:
            problems.append(f"{key}: expected a string, got {_kind(value)}")
            return _INVALID
        return str(value)
    if tp is Path:
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{key}: expected a path, got {value!r}")
            return _INVALID
        return Path(value).expanduser()
    if tp is dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            problems.append(f"{key}: expected a date YYYY-MM-DD, got {value!r}")
            return _INVALID
    return value


def _close_match(key: str, fields: dict) -> str | None:
    import difflib

    found = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.75)
    return found[0] if found else None


def _validate(config: Config, problems: list[str]) -> None:
    """Rules across fields (ranges, theme keys, mailing lists, URLs): each broken one appended to ``problems``."""
    import re

    seen: set[str] = set()
    for i, theme in enumerate(config.themes):
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", theme.key):
            problems.append(f"themes[{i}].key: {theme.key!r} must be lowercase letters, digits, - or _")
        if theme.key in seen:
            problems.append(f"themes[{i}].key: duplicate theme {theme.key!r}")
        if theme.key == "none":
            problems.append(f"themes[{i}].key: 'none' is reserved for facts with no theme")
        seen.add(theme.key)
        if not (theme.description or theme.terms or theme.examples):
            problems.append(f"themes[{i}]: give at least a description, terms or examples")
    if not config.themes and not any(p.startswith("themes") for p in problems):
        problems.append("themes: at least one theme is needed")
    for key, value, low, high in _ranges(config):
        above = low == 0 and isinstance(low, float)  # 0.0: the value must be above 0
        if not (low < value if above else low <= value) or value > high:
            zero = f" ({_ZERO_MEANS[key]})" if key in _ZERO_MEANS and low == 0 and not above else ""
            problems.append(f"{key}: expected a number {'above' if above else 'from'} {low:g}{zero} "
                            f"{'and at most' if above else 'to'} {high:g}, got {value!r}")
    if config.select.max_words < config.select.min_words:
        problems.append(f"select.max_words: expected at least select.min_words ({config.select.min_words}), "
                        f"got {config.select.max_words}")
    if config.smtp.security not in ("starttls", "ssl", "none"):
        problems.append(f"smtp.security: expected starttls, ssl or none, got {config.smtp.security!r}")
    if config.extract.engine not in ("local", "dask"):
        problems.append(f"extract.engine: expected local or dask, got {config.extract.engine!r}")
    _validate_readers(config, problems)
    if config.log.level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        problems.append(f"log.level: expected DEBUG, INFO, WARNING or ERROR, got {config.log.level!r}")
    if config.templates is not None:
        problem = _templates_problem(config.templates)
        if problem:
            problems.append(f"templates: {problem}")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(config.timezone)
    except Exception:
        problems.append(f"timezone: unknown time zone {config.timezone!r}")


_ZERO_MEANS = {"extract.workers": "one per core", "extract.sentence_budget": "no limit",
               "sources.window_hours": "every item", "sources.retries": "no retry", "history.lookback_days": "none"}


def _ranges(config: Config) -> list[tuple[str, float, float, float]]:
    """Every number of the config with its allowed range, inclusive; a low end of ``0.0`` means above 0."""
    c, s = config, config.sources
    above_0 = 0.0
    checks = [
        ("classify.min_score", c.classify.min_score, 0, 1),
        ("merge.threshold", c.merge.threshold, above_0, 1),
        ("merge.syndicated_threshold", c.merge.syndicated_threshold, 0, 100),
        ("select.takeaways", c.select.takeaways, 1, 10),
        ("select.per_theme", c.select.per_theme, 1, 100),
        ("select.max_quotes", c.select.max_quotes, 0, 100),
        ("select.max_figures", c.select.max_figures, 0, 100),
        ("select.min_words", c.select.min_words, 1, 1000),
        ("select.max_words", c.select.max_words, 1, 1000),
        ("select.word_budget", c.select.word_budget, 1, 100_000),
        ("select.max_share", c.select.max_share, above_0, 1),
        ("pdf.uncited_sources", c.pdf.uncited_sources, 0, 100_000),
        ("smtp.port", c.smtp.port, 1, 65535),
        ("smtp.timeout", c.smtp.timeout, above_0, 3600),
        ("history.lookback_days", c.history.lookback_days, 0, 3660),
        ("sources.window_hours", s.window_hours, 0, 24 * 3660),
        ("sources.timeout", s.timeout, above_0, 3600),
        ("sources.max_bytes", s.max_bytes, 1, 2_000_000_000),
        ("sources.retries", s.retries, 0, 10),
        ("ingest.max_file_bytes", c.ingest.max_file_bytes, 1, 2_000_000_000),
        ("ingest.max_article_chars", c.ingest.max_article_chars, 1, 10_000_000),
        ("extract.workers", c.extract.workers, 0, 256),
        ("extract.sentence_budget", c.extract.sentence_budget, 0, 10_000_000),
        ("extract.min_sentences", c.extract.min_sentences, 1, 100_000),
    ]
    checks += [(f"sources.feeds[{i}].max_items", f.max_items, 1, 10_000) for i, f in enumerate(s.feeds)]
    return checks


def _templates_problem(folder: Path) -> str | None:
    """The template folder is searched for templates, and the PDF renderer may read any file under it (styles,
    images): it has to exist, and be a folder of its own, not the root, a top-level system folder or home."""
    try:
        resolved = folder.resolve()
    except (OSError, RuntimeError) as exc:
        return f"cannot resolve {folder}: {exc}"
    if not resolved.is_dir():
        return f"{folder} is not a folder" if resolved.exists() else f"folder {folder} does not exist"
    home = Path(os.environ["HOME"]).resolve() if os.environ.get("HOME") else None
    if len(resolved.parts) < 3 or resolved == home:
        return (f"{folder} is too broad (the PDF renderer may read every file in it); point it at a folder "
                "holding only your templates")
    return None


def _validate_readers(config: Config, problems: list[str]) -> None:
    """smtp.lists, deliver, archive and monitor."""
    keys = {t.key for t in config.themes}
    names: set[str] = set()
    for i, group in enumerate(config.smtp.lists):
        if not group.name.strip() or any(c in group.name for c in ":\n\r"):
            problems.append(f"smtp.lists[{i}].name: expected a short name without ':', got {group.name!r}")
        if group.name in names:
            problems.append(f"smtp.lists[{i}].name: duplicate list {group.name!r}")
        names.add(group.name)
        if not group.recipients:
            problems.append(f"smtp.lists[{i}].recipients: at least one address is needed")
        for j, key in enumerate(group.themes):
            if key not in keys:
                problems.append(f"smtp.lists[{i}].themes[{j}]: unknown theme {key!r} (themes: {', '.join(sorted(keys))})")
    for i, url in enumerate(config.deliver.notify):
        if "://" not in url:
            problems.append(f"deliver.notify[{i}]: expected a URL like json://host/path or slack://..., got {url!r}")
    for key, value in (("deliver.notify_timeout", config.deliver.notify_timeout),
                       ("monitor.timeout", config.monitor.timeout)):
        if not value > 0:
            problems.append(f"{key}: expected a number of seconds above 0, got {value}")
    if config.archive.feed_entries < 1:
        problems.append(f"archive.feed_entries: expected at least 1, got {config.archive.feed_entries}")
    for key, url in (("archive.base_url", config.archive.base_url), ("monitor.url", config.monitor.url)):
        if url and not is_http_url(url):
            problems.append(f"{key}: expected an http(s) URL, got {url!r}")


def field_docs(cls: type = Config) -> dict[str, str]:
    """Field docstrings by dotted key ("select.takeaways" -> its docstring), read from the source of the config
    dataclasses (the typed config's rule: a docstring per field); `briefing check --explain` prints them."""
    import ast
    import inspect
    import textwrap

    docs: dict[str, str] = {}

    def walk(c: type, prefix: str) -> None:
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(c)))
        except (OSError, TypeError):
            return
        body = tree.body[0].body
        for node, nxt in zip(body, body[1:]):
            if isinstance(node, ast.AnnAssign) and isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant):
                docs[prefix + node.target.id] = " ".join(str(nxt.value.value).split())
        hints = typing.get_type_hints(c)
        for f in dataclasses.fields(c):
            if dataclasses.is_dataclass(hints[f.name]):
                walk(hints[f.name], f"{prefix}{f.name}.")

    walk(cls, "")
    return docs
