"""Sentences to facts: who said it, what it quotes, the figures it gives, the date of the event.

Every sentence of every article is read by a cheap pass first (a fast splitter and pattern features); spaCy's full
parse (``nlp.pipe``, batched) and the embedding model then run only on the sentences that can matter (the cascade,
``extract.cascade``): each article's lead, sentences naming a theme's terms or cues or that the theme classifier's
word model finds likely enough to belong to a theme, and the sentences next to those. Figures and dates are found with fast pattern code on each kept
sentence.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Iterator, Sequence

from ..config import Config
from ..embed import get_embedder, with_vectors
from ..models import Article, Entity, Fact
from ..nlp import get_nlp, known_places, paragraph_sentences
from .dates import resolve_date
from .figures import find_figures
from .speakers import Attribution, attribute, leans_on_context, name_subject

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extracted:
    facts: tuple[Fact, ...]
    sentences: int
    """Sentences read, kept or not."""
    unread: int = 0
    """Sentences left unread on a day over ``extract.sentence_budget`` (an estimate: counted by a fast splitter)."""
    depth: int | None = None
    """How many sentences of each article were read on such a day; None when every sentence was."""
    parsed: int | None = None
    """Of the sentences read, how many the cascade gave the full parse; None when all of them were."""


@dataclass(frozen=True)
class Reading:
    """What is parsed of one article: ``text`` (the article, or its candidate sentences with a blank line where
    sentences were skipped) and where it skips: (offset in ``text``, sentences skipped before that offset)."""

    text: str
    skips: tuple[tuple[int, int], ...] = ()
    skipped: int = 0
    """Sentences read by the cheap pass only (estimated by the fast splitter)."""

    def before(self, offset: int) -> int:
        """Sentences skipped before ``offset`` of ``text``: added to a parsed sentence's number, so a fact keeps
        about the position it has in the whole article."""
        n = 0
        for at, count in self.skips:
            if at > offset:
                break
            n = count
        return n


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


MIN_ARTICLES_PER_WORKER = 20
"""With ``extract.workers: 0``, a worker process per core only on a day with at least this many articles per
worker: a process takes 2-3 s to start and load its models."""
CHUNK = 8
"""Articles handed to a worker process at a time: large enough for spaCy's batching, small enough that both
workers finish together."""


def extract(articles: Sequence[Article], config: Config, vectors: bool = True) -> Extracted:
    """Every fact stated in ``articles``, in article order then sentence order, each carrying its vector
    (``Fact.vector``) unless ``vectors`` is false."""
    texts = [a.text for a in articles]
    ends = [_sentence_ends(t) for t in texts]  # one scan per text serves both the depth and the cut
    depth, unread = _depth([len(e) for e in ends], config.extract.sentence_budget, config.extract.min_sentences)
    if depth is not None:
        log.info("%d articles: over extract.sentence_budget (%d sentences), reading the first %d sentences of each "
                 "(about %d left unread)", len(articles), config.extract.sentence_budget, depth, unread)
        texts = [_cut(t, e, depth) for t, e in zip(texts, ends)]
        ends = [e[:depth] for e in ends]
    if config.extract.cascade:
        readings = [cascade(t, e, config) for t, e in zip(texts, ends)]
    else:
        readings = [Reading(t) for t in texts]
    skipped = sum(r.skipped for r in readings)
    if skipped:
        log.info("cascade: %d of about %d sentences read cheaply only (past the lead, no theme term or cue, "
                 "unlikely to belong to a theme)",
                 skipped, sum(len(e) for e in ends))
    if config.extract.engine == "dask":
        from .engine_dask import read_on_dask

        per_article = read_on_dask(articles, readings, config, vectors)
    else:
        workers = _workers(config.extract.workers, len(articles))
        per_article = (_in_processes(articles, readings, config, workers, vectors) if workers > 1
                       else _in_process(articles, readings, config, vectors))
    facts: list[Fact] = []
    parsed = 0
    for article_facts, n in per_article:
        facts.extend(article_facts)
        parsed += n
    facts = _resolved(facts)
    if not skipped:
        return Extracted(tuple(facts), parsed, unread, depth)
    return Extracted(tuple(facts), parsed + skipped, unread, depth, parsed)


def _in_process(articles: Sequence[Article], readings: Sequence[Reading], config: Config, vectors: bool):
    """Parse and read articles in this process, streamed: one batch of docs at a time is alive, never every
    parse of the day. With ``vectors``, each article's facts are embedded on a background thread while spaCy
    parses the next ones; they come out as :class:`_Pending` until :func:`_resolved` collects the vectors."""
    nlp = get_nlp()
    embedder = get_embedder() if vectors else None
    for article, reading, doc in zip(articles, readings, nlp.pipe((r.text for r in readings), batch_size=16)):
        article_facts, n = _facts_of(article, doc, config, reading)
        if embedder is not None and article_facts:
            article_facts = [_Pending(article_facts, embedder.submit([f.text for f in article_facts]))]
        yield article_facts, n


@dataclass(frozen=True)
class _Pending:
    """An article's facts whose vectors are being made on the embedding thread."""

    facts: list[Fact]
    future: object


def _resolved(items: list) -> list[Fact]:
    """Facts in order, the pending ones with their vectors attached (waited for here, after the parsing)."""
    out: list[Fact] = []
    for item in items:
        if isinstance(item, _Pending):
            out.extend(with_vectors(item.facts, item.future.result()))
        else:
            out.append(item)
    return out


def _in_processes(articles: Sequence[Article], texts: Sequence[Reading], config: Config, workers: int,
                  vectors: bool):
    """The same reading split over worker processes (spaCy holds the GIL, so threads would not help). Each
    worker reads chunks of articles in order and, with ``vectors``, embeds their facts too: the vectors come
    back on the facts, so the main process never embeds them again."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    from itertools import repeat

    chunks = [(articles[i : i + CHUNK], texts[i : i + CHUNK]) for i in range(0, len(articles), CHUNK)]
    log.debug("reading %d articles in %d worker processes", len(articles), workers)
    done = 0
    # "spawn", not fork: the parent may already run threads (the embedding thread, a log handler).
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker) as pool:
            for chunk_facts in pool.map(read_chunk, chunks, repeat(config), repeat(vectors)):
                yield from chunk_facts
                done += 1
    except BrokenProcessPool as exc:
        # A worker killed (out of memory, a signal): the run goes on in this process rather than fail.
        log.warning("a worker process died (%s); reading the remaining articles in the main process", exc)
        yield from _in_process(articles[done * CHUNK :], texts[done * CHUNK :], config, vectors)


def _start_worker() -> None:
    import os

    # One thread each for the embedding model and BLAS: the workers already use every core.
    os.environ["BRIEFING_THREADS"] = "1"
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def read_chunk(chunk, config: Config, vectors: bool) -> list[tuple[list[Fact], int]]:
    """In a worker (a process of this machine's pool or of a Dask cluster): (facts, sentences read) of each of a
    few articles, the facts carrying their vectors when asked (a vector depends on its text only, so it is the one
    the main process would make)."""
    articles, texts = chunk
    return [(_resolved(facts), n) for facts, n in _in_process(articles, texts, config, vectors)]


def _workers(setting: int, articles: int) -> int:
    if setting:
        return min(setting, max(1, -(-articles // CHUNK)))
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, articles // MIN_ARTICLES_PER_WORKER))


# ---------------------------------------------------------------------------------------------- reading depth

# Where a sentence may end: terminal punctuation (and closing quotes), then space and a capital, digit or quote.
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])|\n\s*\n")
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|Prof|St|Sr|Jr|Gen|Lt|Col|Capt|Sgt|Maj|Adm|Rep|Sen|Gov|Pres|Rev|No|Nos|Vol|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Corp|Co|Ltd|vs|approx|est|U\.S|U\.K|U\.N))\.$")


def _sentence_ends(text: str) -> list[int]:
    """Offsets just after each likely sentence end, the text's own end included (a fast estimate; spaCy
    splits what is read). An empty text has none."""
    start = len(text) - len(text.lstrip())
    if start == len(text):
        return []
    ends = []
    for match in _SENTENCE_END.finditer(text):
        if match.start() <= start:
            continue
        if match.group(0).startswith(".") and _ABBREVIATION.search(text, max(0, match.start() - 12),
                                                                      match.start() + 1):
            continue
        ends.append(match.end())
    if not ends or text[ends[-1]:].strip():
        ends.append(len(text))
    return ends


# ---------------------------------------------------------------------------------------------- the cascade

LEAD = 8
"""Sentences at the start of every article always given the full parse: news puts its main facts first."""
THEME_CHANCE = 0.3
"""A sentence past the lead, naming no theme term or cue, is parsed when the theme classifier's word model (cheap:
no embedding) gives it at least this chance of belonging to a theme. Lower parses more; 0 parses everything."""
CONTEXT = 1
"""Sentences on each side of a parsed candidate parsed too: who "he" is, a sentence shown joined to the one it leans
on, and the neighbours whose themes vote on its own (``classify.in_context``)."""


def cascade(text: str, ends: Sequence[int], config: Config) -> Reading:
    """What of ``text`` (split at ``ends`` by the fast splitter) gets the full parse: the first ``LEAD``
    sentences, every sentence naming a term or cue of a configured theme or that the theme classifier's word
    model gives at least ``THEME_CHANCE``, and ``CONTEXT`` sentences on each side of those. The rest is read by
    this cheap pass only. When every sentence is kept: the text as it is, so nothing differs from a full
    parse."""
    if len(ends) <= LEAD:
        return Reading(text)
    pattern = _theme_pattern(config)
    starts = [0, *ends[:-1]]
    keep = [i < LEAD or (pattern is not None and pattern.search(text, starts[i], ends[i]) is not None)
            for i in range(len(ends))]
    unsure = [i for i, kept in enumerate(keep) if not kept]
    if unsure:
        chances = _theme_chance(config, [text[starts[i] : ends[i]] for i in unsure])
        for i, chance in zip(unsure, chances):
            keep[i] = bool(chance >= THEME_CHANCE)
    candidates = [i for i, kept in enumerate(keep) if kept]
    for i in candidates:
        for j in range(max(0, i - CONTEXT), min(len(keep), i + CONTEXT + 1)):
            keep[j] = True
    if all(keep):
        return Reading(text)
    parts: list[str] = []
    skips: list[tuple[int, int]] = []
    skipped = length = 0
    for i, kept in enumerate(keep):
        if not kept:
            skipped += 1
            continue
        piece = text[starts[i] : ends[i]]
        if i and not keep[i - 1]:  # the first sentence after skipped ones (sentence 0 is always kept)
            # A blank line: two kept runs never parse as one sentence, nor as one paragraph.
            length -= len(parts[-1])
            parts[-1] = parts[-1].rstrip() + "\n\n"
            length += len(parts[-1])
            skips.append((length, skipped))
            piece = piece.lstrip()
        parts.append(piece)
        length += len(piece)
    return Reading("".join(parts).rstrip(), tuple(skips), skipped)


def _theme_chance(config: Config, sentences: list[str]):
    from ..classify import get_classifier

    return get_classifier(config).theme_chance(sentences)


def _theme_pattern(config: Config):
    from ..classify import GUIDELINE_CUES, _any_of

    terms = tuple(dict.fromkeys(t.strip() for theme in config.themes
                                for t in (*theme.terms, *GUIDELINE_CUES.get(theme.key, ())) if t.strip().rstrip("*")))
    return _any_of(terms) if terms else None


def _cut(text: str, ends: list[int], sentences: int) -> str:
    return text[: ends[sentences - 1]].rstrip() if sentences < len(ends) else text


def lead(text: str, sentences: int | None) -> str:
    """The first ``sentences`` sentences of ``text`` (all of it when None or when it has no more)."""
    return text if sentences is None else _cut(text, _sentence_ends(text), sentences)


def reading_depth(texts: Sequence[str], budget: int, floor: int) -> tuple[int | None, int]:
    """How many sentences of each text to read so that all of them together stay within ``budget``: the same
    depth for every text, never below ``floor``. Returns (depth, sentences left unread), or (None, 0) when the
    budget is 0 or every sentence fits."""
    return _depth([len(_sentence_ends(t)) for t in texts], budget, floor)


def _depth(counts: list[int], budget: int, floor: int) -> tuple[int | None, int]:
    total = sum(counts)
    if not budget or total <= budget:
        return None, 0
    low, high = floor, max(counts)  # the deepest reading that fits, found by bisection
    while low < high:
        middle = (low + high + 1) // 2
        if sum(min(c, middle) for c in counts) <= budget:
            low = middle
        else:
            high = middle - 1
    return low, total - sum(min(c, low) for c in counts)


def _facts_of(article: Article, doc, config: Config, reading: Reading | None = None) -> tuple[list[Fact], int]:
    """The facts of one parsed article and the number of sentences read.

    Sentence by sentence: attribute it (the previous sentence's speaker carries over to "He added..."), drop what
    is not a fact (a page cut short, a caption, a sentence leaning on context that was dropped), name the subject
    of a sentence that leans on the one before or join it to that one, and date it (a sentence after a dated one
    in the same paragraph tells the same event). ``reading`` maps positions when the cascade skipped sentences.
    """
    facts: list[Fact] = []
    previous: Attribution | None = None
    last_person: str | None = None
    count = 0
    sentences = list(_sentences(doc))
    gap = 0
    for number, sent in enumerate(sentences):
        count += 1
        index = number
        if reading is not None and reading.skips:
            skipped = reading.before(sent.start_char)
            if skipped != gap:  # sentences were skipped just before: the one parsed before is not this one's context
                gap, previous = skipped, None
            index += skipped
        text = sent.text.strip()
        attribution = attribute(sent, previous=previous, last_person=last_person)
        persons = [e.text for e in sent.ents if e.label_ == "PERSON"]
        # The last sentence of a page cut short ("... only feasible if both nation") is not a fact.
        cut_short = number == len(sentences) - 1 and not _TERMINAL.search(text)
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
    if text.endswith("?") or _title_case(text):
        return False
    return sum(c.isalpha() for c in text) >= 0.6 * len(text)


_SMALL = frozenset("a an and as at but by for from in into of on or the to with vs".split())


def _title_case(text: str) -> bool:
    """A headline set as a sentence ("Putin-Zelensky Meeting Possible Only After Agreement Ready."): short, and
    every word but the small ones capitalised. A sentence has lower-case verbs and nouns."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", text) if w.lower() not in _SMALL]
    return 4 <= len(words) <= 14 and all(w[0].isupper() for w in words)


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
