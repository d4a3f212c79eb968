"""The whole run, stage by stage: ingest -> extract -> classify -> dedupe -> select -> render."""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .config import Config
from .errors import NoInputError
from .models import Briefing, Stats

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunResult:
    briefing: Briefing
    out_dir: Path
    files: tuple[Path, ...]
    warnings: tuple[str, ...]


def run(config: Config, inputs: Sequence[str | Path] | None = None, date: dt.date | None = None) -> RunResult:
    """Make the briefing for ``date`` from ``inputs`` (default: the config's sources) and write it."""
    from .classify import classify
    from .dedupe import dedupe
    from .extract import extract
    from .ingest import ingest
    from .render import render
    from .select import select

    date = date or config.date or today(config)
    sources = list(inputs) if inputs else list(config.sources.folders)
    articles = ingest(sources, config, date)
    if not articles.articles:
        raise NoInputError(f"no usable article in {', '.join(str(s) for s in sources) or 'the configured sources'}")
    facts = extract(articles.articles, config)
    themed = classify(list(facts.facts), config)
    merged = dedupe(themed, articles.articles, config)
    stats = _stats(articles, facts, themed, merged)
    brief = select(merged.items, articles.articles, config, date, stats, generated_at())
    out_dir = config.output / date.isoformat()
    rendered = render(brief, out_dir, config)
    files = tuple(p for p in (rendered.markdown, rendered.pdf, rendered.json) if p is not None)
    log.info("briefing for %s: %d articles, %d facts, %d items shown -> %s", date, stats.articles, stats.facts,
             len(brief.takeaways) + sum(len(s.items) for s in brief.sections), out_dir)
    return RunResult(brief, out_dir, files, articles.warnings)


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
    )


def today(config: Config) -> dt.date:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(config.timezone)).date()


def generated_at() -> str:
    """Now, in UTC ISO 8601; SOURCE_DATE_EPOCH pins it (reproducible builds, tests)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")
