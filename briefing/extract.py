"""Sentences to facts: who said it, what it quotes, the figures it gives, the date of the event.

One spaCy pass over every article (``nlp.pipe``, batched); figures and dates are found with fast pattern code
on each kept sentence.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Iterator, Sequence

from .config import Config
from .dates import resolve_date
from .embed import prefetch
from .figures import find_figures
from .models import Article, Entity, Fact
from .nlp import get_nlp, known_places, paragraph_sentences
from .speakers import Attribution, attribute, leans_on_context, name_subject

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extracted:
    facts: tuple[Fact, ...]
    sentences: int
    """Sentences read, kept or not."""


# Openers that only link a sentence to the one before; the fact reads better without them.
_OPENERS = re.compile(
    r"^(?:(?:Meanwhile|Elsewhere),? (?:on|in) the (?:battlefield|ground|front|diplomatic front|east|west|north|south)|"
    r"Meanwhile|However|But|And|Also|Still|Yet|Separately|Elsewhere|In addition|Additionally|Moreover|"
    r"Furthermore|Nevertheless|Nonetheless|Now|So|Then|Indeed|In other news|At the same time|"
    r"On the other hand)\b,?\s+",
)
_TERMINAL = re.compile(r"[.!?…]['\"”’)\]]*$|[\"”’]$")
_DATELINE_CAPS = re.compile(
    r"^[A-Z][A-Z .'-]{2,40}(?:,\s+[A-Z][a-z]+\.?\s+\d{1,2})?\s*(?:\([A-Za-z .]{2,30}\))?\s*[—–-]{1,2}\s+(?=[A-Z\"“])")
_DATELINE_PLACE = re.compile(r"^([A-Z][\w'.-]+(?: [A-Z][\w'.-]+){0,2}):\s+(?=[A-Z])")
_OPEN_QUOTES = "\"“«"
_CLOSE_QUOTES = "\"”»"
_ENTITY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"}
_NOT_A_FACT = re.compile(r"^(?:\W|click|tap|watch|listen|subscribe|sign up|follow|share)\b", re.IGNORECASE)


def extract(articles: Sequence[Article], config: Config) -> Extracted:
    """Every fact stated in ``articles``, in article order then sentence order."""
    nlp = get_nlp()
    facts: list[Fact] = []
    sentences = 0
    texts = (a.text for a in articles)
    for article, doc in zip(articles, nlp.pipe(texts, batch_size=16)):
        article_facts, n = _facts_of(article, doc, config)
        prefetch([f.text for f in article_facts])  # embeds on the other core meanwhile, inside pipeline.run only
        facts.extend(article_facts)
        sentences += n
    return Extracted(tuple(facts), sentences)


def _facts_of(article: Article, doc, config: Config) -> tuple[list[Fact], int]:
    facts: list[Fact] = []
    previous: Attribution | None = None
    last_person: str | None = None
    count = 0
    sentences = list(_sentences(doc))
    for index, sent in enumerate(sentences):
        count += 1
        text = sent.text.strip()
        attribution = attribute(sent, previous=previous, last_person=last_person)
        persons = [e.text for e in sent.ents if e.label_ == "PERSON"]
        # The last sentence of a page cut short ("... only feasible if both nation") is not a fact.
        cut_short = index == len(sentences) - 1 and not _TERMINAL.search(text)
        if cut_short or not _usable(text, config):
            previous, last_person = attribution, persons[-1] if persons else last_person
            continue
        # A lead-in ending with a colon ("..., he said:") is shown with what it introduces.
        joined_to_previous = bool(facts) and facts[-1].index == index - 1 and facts[-1].text.endswith(":")
        if not joined_to_previous and leans_on_context(sent):
            renamed = name_subject(sent, last_person)
            if renamed:
                text = renamed
            elif facts and facts[-1].index == index - 1:
                joined_to_previous = True
            else:
                log.debug("%s: dropped a sentence that leans on missing context: %.60s", article.id, text)
                previous, last_person = attribution, persons[-1] if persons else last_person
                continue
        text = _trim(text)
        fact = Fact(
            id=f"{article.id}#{index}",
            article_id=article.id,
            index=index,
            text=text,
            speaker=attribution.speaker,
            quotes=attribution.quotes,
            entities=_entities(sent),
            figures=find_figures(text),
            date=None,
            hedged=attribution.hedged,
            claim_by_party=attribution.party_claim,
        )
        day, precision = resolve_date(text, article.published)
        if day is None and facts and facts[-1].index == index - 1 and facts[-1].date and _same_paragraph(doc, sent):
            # The sentence after a dated one in the same paragraph reports the same event ("On Tuesday, a strike
            # hit ... At least 12 people were killed").
            day, precision = facts[-1].date, facts[-1].date_precision
        if day is not None:
            fact = _with(fact, date=day, date_precision=precision)
        if joined_to_previous:
            fact = _join(facts.pop(), fact)
        facts.append(fact)
        previous = attribution
        if persons:
            last_person = persons[-1]
    return facts, count


def _sentences(doc) -> Iterator:
    """Sentences, with paragraph breaks always ending one, and a sentence the parser cut inside brackets
    ("defending [Ukraine] from") joined again."""
    pending = None
    for span in paragraph_sentences(doc):
        if pending is not None:
            span = doc[pending.start : span.end]
            pending = None
        text = span.text
        if text.count("[") > text.count("]") or text.count("(") > text.count(")"):
            pending = span
            continue
        yield span
    if pending is not None:
        yield pending


def _same_paragraph(doc, sent) -> bool:
    if sent.start == 0:
        return False
    before = doc[sent.start - 1]
    return "\n" not in before.whitespace_ and not before.is_space


def _usable(text: str, config: Config) -> bool:
    words = text.split()
    if len(words) < config.select.min_words or len(words) > config.select.max_words * 2:
        return False
    if _NOT_A_FACT.match(text) and not text.startswith(("\"", "“", "'")):
        return False
    if text.endswith("?"):
        return False
    return sum(c.isalpha() for c in text) >= 0.6 * len(text)


def _trim(text: str) -> str:
    text = _strip_dateline(text)
    trimmed = _OPENERS.sub("", text, count=1)
    if trimmed != text and trimmed:
        trimmed = trimmed[0].upper() + trimmed[1:]
    return _balance_quotes(re.sub(r"\s+", " ", trimmed).strip())


def _strip_dateline(text: str) -> str:
    """"KYIV, March 30 (Reuters) - ..." and "Istanbul: Russia promised ..." lose their dateline."""
    match = _DATELINE_CAPS.match(text)
    if match:
        return text[match.end():]
    match = _DATELINE_PLACE.match(text)
    if match and match.group(1) in known_places():
        return text[match.end():]
    return text


def _balance_quotes(text: str) -> str:
    """A quote that spans sentences leaves an unmatched mark on one of them; drop that mark."""
    if sum(text.count(c) for c in '"“”«»') % 2 == 0:
        return text
    if text[:1] in _OPEN_QUOTES:
        return text[1:].lstrip()
    if text[-1:] in _CLOSE_QUOTES:
        return text[:-1].rstrip()
    return text


def _entities(sent) -> tuple[Entity, ...]:
    seen: dict[tuple[str, str], None] = {}
    for ent in sent.ents:
        if ent.label_ in _ENTITY_LABELS:
            seen.setdefault((ent.text.strip(), ent.label_), None)
    return tuple(Entity(t, l) for t, l in seen)


def _with(fact: Fact, **changes) -> Fact:
    from dataclasses import replace

    return replace(fact, **changes)


def _join(first: Fact, second: Fact) -> Fact:
    """A sentence that leans on the one before is shown with it, as one fact."""
    return _with(
        first,
        text=f"{first.text} {second.text}",
        speaker=first.speaker or second.speaker,  # the sentence shown first names who is speaking
        quotes=first.quotes + second.quotes,
        entities=first.entities + tuple(e for e in second.entities if e not in first.entities),
        figures=first.figures + second.figures,
        hedged=first.hedged or second.hedged,
        claim_by_party=first.claim_by_party or second.claim_by_party,
        date=first.date or second.date,
        date_precision=first.date_precision or second.date_precision,
    )
