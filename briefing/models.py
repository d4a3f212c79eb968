"""The frozen dataclasses that are the contract between the pipeline's stages.

ingest -> Article; extract -> Fact; classify -> Fact (with theme); dedupe -> Item; select -> Briefing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Article:
    """One news article, cleaned of page noise."""

    id: str
    """Stable identifier: the JSONL ``id``, else derived from the file path or URL."""
    title: str
    outlet: str
    url: str
    published: dt.date | None
    """Publication date; None when neither metadata nor text gave one."""
    text: str
    """Main text after cleaning: paragraphs separated by blank lines."""
    path: str
    """Where it came from: a path relative to the working directory, a path:line for JSONL, or a URL."""
    language: str = "en"
    """Detected by ingest: "en", or a rough code ("cyrillic", "other") of an article ``ingest.languages`` lets in."""
    noise_dropped: int = 0
    """How many lines or spans of page noise cleaning removed."""
    published_guessed: bool = False
    """True when ``published`` was inferred (from the text or the briefing date), not given by metadata."""


@dataclass(frozen=True)
class Figure:
    """A number in a sentence tied to what it counts: "at least 12 people were killed"."""

    value: float
    """The number, in units (2,000 -> 2000.0; "$5bn" -> 5e9; "eleven" -> 11.0)."""
    unit: str
    """What it counts, normalised and short: "killed", "injured", "civilians", "buses", "villages", "usd"."""
    text: str
    """The span as written in the sentence."""
    qualifier: str = ""
    """"at least", "around", "more than", "up to"... or empty."""
    category: str = ""
    """A coarse key for the key-figures table: killed, injured, evacuated, refugees, money, other."""


@dataclass(frozen=True)
class Entity:
    text: str
    label: str
    """PERSON, ORG, GPE, LOC, NORP..."""


@dataclass(frozen=True)
class Fact:
    """One sentence (or a sentence with the one it leans on) that states something."""

    id: str
    """``<article id>#<sentence number>``"""
    article_id: str
    index: int
    """Position of the sentence in its article (0 = lead)."""
    text: str
    """The sentence, lightly trimmed ("Meanwhile, " and similar openers removed)."""
    speaker: str | None = None
    """Who said it, when the sentence attributes it: "Volodymyr Zelensky", "the General Staff", "CNN"."""
    quotes: tuple[str, ...] = ()
    """Direct quotes in the sentence, without the quote marks."""
    entities: tuple[Entity, ...] = ()
    figures: tuple[Figure, ...] = ()
    date: dt.date | None = None
    """The date of the event when the text gives one ("on Tuesday" resolved against publication)."""
    date_precision: str = ""
    """"day" or "week" (for "earlier this week"); empty when no date."""
    hedged: bool = False
    """Claimed, reportedly, purported, could not be verified: shown as unconfirmed."""
    claim_by_party: bool = False
    """Said by a party to the conflict (a ministry, a general staff, an army) about its own side's actions."""
    theme: str | None = None
    """Theme key after classify, None for no theme."""
    scores: tuple[tuple[str, float], ...] = ()
    """(theme key, score) for every theme, highest first."""
    vector: "np.ndarray | None" = field(default=None, compare=False, repr=False)
    """The sentence's unit embedding (384 float32), made by extract and read by the later stages
    (``briefing.embed.vectors_of``); None for a fact made elsewhere. Not part of a fact's equality."""

    def with_theme(self, theme: str | None, scores: dict[str, float]) -> "Fact":
        ordered = tuple(sorted(((k, round(v, 4)) for k, v in scores.items()), key=lambda kv: (-kv[1], kv[0])))
        return replace(self, theme=theme, scores=ordered)


@dataclass(frozen=True)
class Support:
    """How well an item is supported."""

    outlets: int
    """Independent outlets (syndicated copies of one wire story count once)."""
    kind: str
    """"corroborated" (2+ outlets), "single", or "claim" (a party's own claim not confirmed elsewhere)."""


@dataclass(frozen=True)
class Item:
    """One event or statement after merging: every fact that reports it, with all their sources."""

    id: str
    text: str
    """The representative wording (the clearest, best-attributed fact)."""
    theme: str | None
    facts: tuple[Fact, ...]
    sources: tuple[str, ...]
    """Article ids, in order of first appearance."""
    speaker: str | None
    figures: tuple[Figure, ...]
    date: dt.date | None
    hedged: bool
    support: Support
    score: float = 0.0
    novelty: str = "new"
    """"new", "updated" (a real development on a known event) or "reported" (known, nothing changed)."""
    first_reported: dt.date | None = None
    """The first date an earlier briefing's history holds this event (None when new)."""
    previous: tuple[tuple[str, float], ...] = ()
    """For an updated figure: the (category, value) pairs reported before for the measures that changed."""
    changes: tuple[str, ...] = ()
    """What makes an ``updated`` event updated: "figure", "detail", "actor", "place", "outlets"."""
    change_figures: tuple[tuple[str, float, float, str], ...] = ()
    """For an updated figure: (measure, value now, value before, ISO date of the value before) per measure
    that changed ("killed", 15.0, 12.0, "2022-03-29"), each compared only with earlier counts of the same
    measure and place; a measure counted for the first time has 0.0 and "" for before; a new detail (a figure
    of a kind the history does not follow, "90 %", "2,600 structures") has 0.0 and "detail"."""
    disputed_by: tuple["Item", ...] = ()
    """Contradicting claims on the same point, shown side by side."""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Source:
    """An article as the briefing cites it: ``[n]`` in Markdown."""

    number: int
    id: str
    title: str
    outlet: str
    url: str
    published: dt.date | None
    path: str


@dataclass(frozen=True)
class KeyFigure:
    """A row of the key-figures table: one figure category, the values sources gave, and who gave them."""

    category: str
    label: str
    values: tuple[tuple[str, tuple[str, ...]], ...]
    """(figure as written, article ids) — several rows when sources disagree."""
    context: str
    """The sentence of the best-supported value."""
    sources: tuple[str, ...]
    where: str = ""
    """Where it was counted: the places of the event it belongs to ("Mykolaiv"), at most two; empty if none."""
    rising: bool = False
    """The values are one toll counted as it rose through the day, highest first (reports from one side or none,
    of one event): the later count and the earlier ones, not sources that disagree."""


@dataclass(frozen=True)
class Quote:
    speaker: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Stats:
    articles: int = 0
    sentences: int = 0
    facts: int = 0
    merged: int = 0
    noise_dropped: int = 0
    unthemed: int = 0
    skipped_files: int = 0
    out_of_window: int = 0
    non_english: int = 0
    words_in: int = 0
    words_out: int = 0
    unread_sentences: int = 0
    """Sentences left unread on a day over ``extract.sentence_budget`` (estimated)."""
    reading_depth: int = 0
    """On such a day, the sentences of each article that were read; 0 when all were."""
    parsed_sentences: int = 0
    """Of the sentences read, those the reading cascade gave the full parse (the others yield no fact); 0 when
    every sentence read was parsed."""


@dataclass(frozen=True)
class Briefing:
    """The whole briefing, ready to render."""

    date: dt.date
    title: str
    generated_at: str
    takeaways: tuple[Item, ...]
    sections: tuple[Section, ...]
    sources: tuple[Source, ...]
    key_figures: tuple[KeyFigure, ...]
    quotes: tuple[Quote, ...]
    stats: Stats
    since_yesterday: tuple[Item, ...] = ()
    """One line per new or updated shown event; each Item's text is a generated change line."""
    events: tuple[Item, ...] = ()
    """Every event of the day, shown or not (for the history and ``briefing.json``'s ``events``)."""
    warnings: tuple[str, ...] = field(default=())
    """The run's one-line warnings about its input ("<source>: <problem>"): what was skipped or used in part."""


def cited_ids(items: Iterable[Item], figures: Iterable[KeyFigure] = (), quotes: Iterable[Quote] = ()) -> list[str]:
    """Ids of the articles that these lines cite, in order of first citation."""
    order: list[str] = []
    for line in (*items, *figures, *quotes):
        order.extend(line.sources)
    return list(dict.fromkeys(order))
