"""The whole run, stage by stage: ingest -> extract -> classify -> dedupe -> select -> render."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from .config import Config
from .errors import NoInputError, OutputError
from .models import Briefing, Fact, Stats
from .util.timing import Timer

if TYPE_CHECKING:
    from .ingest.files import Ingested

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunResult:
    briefing: Briefing
    out_dir: Path
    files: tuple[Path, ...]
    warnings: tuple[str, ...]
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    """Wall seconds per stage (ingest, extract, classify, dedupe, select, render)."""


def run(config: Config, inputs: Sequence[str | Path] | None = None, date: dt.date | None = None, *,
        locked: bool = False, mark_send: bool = False, resend: bool = False) -> RunResult:
    """Make the briefing for ``date`` from ``inputs`` (default: the config's sources), write it and publish it
    (index.md, latest.md, git), holding the output folder's lock (LockError if another run has it; ``locked``:
    the caller holds it already, to send under the same lock). ``mark_send``: the date is marked pending for
    email as soon as it is rendered, so a failure after that (publishing, a kill) leaves it to the next send."""
    from contextlib import nullcontext

    from .util.lock import run_lock

    from .util.atomic import recover

    with nullcontext() if locked else run_lock(config.output):
        recover(config.output)  # a killed run's half-replaced set finished, its temp files removed
        made = _make(config, inputs, date)
        if mark_send:
            from .output.deliver import mark_requested

            mark_requested(config.output, made.briefing.date, resend=resend)
        return _publish(config, made)


def _publish(config: Config, result: RunResult) -> RunResult:
    """index.md and latest.md in the output folder, and a git commit with ``publish.git``."""
    from .output.publish import publish

    published = publish(config, result.briefing.date)
    return replace(result, warnings=result.warnings + published.warnings)


def _make(config: Config, inputs: Sequence[str | Path] | None, date: dt.date | None) -> RunResult:
    """The stages: ingest -> extract -> classify -> dedupe -> select -> render."""
    from .output.archive import update as update_archive
    from .disputes import find_disputes
    from .extract import extract
    from .history import History, shown_items
    from .output.render import render
    from .select import select

    date = date or config.date or today(config)
    timer = Timer()
    history = History.from_config(config)  # opened (a damaged file moved aside) before the expensive stages
    with timer.stage("ingest"):
        articles = read_articles(config, inputs, date)
    with _engine(config) as merge:  # on a Dask cluster: one connection for reading and merging
        with timer.stage("extract"):
            facts = extract(articles.articles, config)
        with timer.stage("classify"):
            themed = classify_by_article(facts.facts, config, articles.articles)
        with timer.stage("dedupe"):
            merged = merge(themed, articles.articles, config)
            items = find_disputes(merged.items)
    with timer.stage("select"):
        stats = _stats(articles, facts, themed, merged)
        marked = history.mark(items, date)
        brief = select(marked, articles.articles, config, date, stats, generated_at())
        brief = replace(brief, warnings=articles.warnings)  # what was left out, kept in briefing.json for tools
    out_dir = config.output / date.isoformat()
    with timer.stage("render"):
        rendered = render(brief, out_dir, config)
    with history:
        try:
            history.record(brief, shown_items(brief), date)
        except sqlite3.Error as exc:  # a full disk, a read-only file: the briefing is written, say what is not
            raise OutputError(f"{config.history_path}: cannot record the briefing in the history ({exc}); the "
                              f"briefing files are written in {out_dir}") from None
    with timer.stage("archive"):
        readers = update_archive(config, brief)  # web pages, feed, search index: after history lets go of its file
    files = tuple(p for p in (rendered.markdown, rendered.pdf, rendered.json) if p is not None)
    log.info("briefing for %s: %d articles, %d facts, %d items shown -> %s", date, stats.articles, stats.facts,
             len(brief.takeaways) + sum(len(s.items) for s in brief.sections), out_dir)
    return RunResult(brief, out_dir, files, tuple(articles.warnings) + readers.warnings, timer.timings)


@contextmanager
def _engine(config: Config):
    """The merge to use: ``dedupe.dedupe`` here, or the same on the Dask cluster (``extract.engine: dask``),
    inside one session with the cluster that also reads the articles."""
    if config.extract.engine != "dask":
        from .dedupe import dedupe

        yield dedupe
        return
    from .extract.engine_dask import dedupe_on_dask, session

    with session(config):
        yield dedupe_on_dask


CLASSIFY_CHUNK = 2000
"""Facts classified at a time: the classifier's working arrays (each fact's similarity to every training example,
in float64) grow with the facts it is given, and a day of thousands of articles has hundreds of thousands."""


def classify_by_article(facts: Sequence[Fact], config: Config, articles: Sequence) -> list[Fact]:
    """``classify.classify`` over runs of whole articles of about ``CLASSIFY_CHUNK`` facts: the same themes (a
    fact is judged on its own text, its article's neighbours and title), in bounded memory."""
    from .classify import classify

    by_id = {a.id: a for a in articles}
    out: list[Fact] = []
    start = 0
    while start < len(facts):
        end = min(start + CLASSIFY_CHUNK, len(facts))
        while end < len(facts) and facts[end].article_id == facts[end - 1].article_id:
            end += 1  # an article's facts are consecutive (article order): never split one
        chunk = list(facts[start:end])
        ids = dict.fromkeys(f.article_id for f in chunk)
        out.extend(classify(chunk, config, [by_id[a] for a in ids if a in by_id]))
        start = end
    return out


def read_articles(config: Config, inputs: Sequence[str | Path] | None, date: dt.date) -> Ingested:
    """The ingest stage: the articles of ``inputs`` (default: the config's folders), or NoInputError when none
    is usable."""
    from .ingest import ingest

    sources = list(inputs) if inputs else list(config.sources.folders)
    articles = ingest(sources, config, date)
    if not articles.articles:
        raise NoInputError(f"no usable article in {', '.join(str(s) for s in sources) or 'the configured sources'}")
    return articles


def themed_facts(config: Config, inputs: Sequence[str | Path] | None = None,
                 date: dt.date | None = None) -> tuple[Fact, ...]:
    """Every fact of the day's articles with its theme, before merging and selection (what ``briefing
    extract`` prints): the run's first three stages, ingest -> extract -> classify."""
    from .classify import classify
    from .extract import extract

    articles = read_articles(config, inputs, date or config.date or today(config))
    return tuple(classify(list(extract(articles.articles, config).facts), config, articles.articles))


def _stats(articles, facts, themed, merged) -> Stats:
    return Stats(
        articles=len(articles.articles),
        sentences=facts.sentences,
        facts=len(facts.facts),
        merged=sum(len(it.facts) - 1 for it in merged.items),
        noise_dropped=sum(a.noise_dropped for a in articles.articles),
        unthemed=len(merged.unthemed),
        skipped_files=articles.skipped,
        out_of_window=articles.out_of_window,
        non_english=articles.non_english,
        words_in=sum(len(a.text.split()) for a in articles.articles),
        unread_sentences=facts.unread,
        reading_depth=facts.depth or 0,
        parsed_sentences=facts.parsed or 0,
    )


def today(config: Config) -> dt.date:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(config.timezone)).date()


def generated_at() -> str:
    """Now, in UTC ISO 8601; SOURCE_DATE_EPOCH pins it (reproducible builds, tests)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")
