"""Pick what matters: a few key takeaways, then the most important items per theme, key figures and quotes.

Importance favours what several outlets confirm, what carries figures and named actors, what is attributed,
and what stands early in its article; no two picked items may say the same thing.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from .config import Config
from .dedupe import TEXT_WORDS, first_sentence, trim
from .extract.figures import CATEGORIES as _KEY_CATEGORIES  # key figures, in the order the box lists them
from .models import Article, Briefing, Fact, Item, KeyFigure, Quote, Section, Source, Stats, cited_ids

# A quote is shown only when at most this share of its words already stand in a shown line.
_QUOTE_SHOWN_SHARE = 0.5
_SECOND_SENTENCE = re.compile(r"[.!?][\"”’]? [\"“]?[A-Z]")
_CATEGORY_LABELS = {"killed": "Killed", "injured": "Injured", "evacuated": "Evacuated", "refugees": "Refugees",
                    "military": "Military", "money": "Money", "other": "Other"}


@dataclass(frozen=True)
class Params:
    """Every weight of an item's importance (``score_item``) and of picking items (``rank_items``), in one place.
    The weights were set by hand and checked on bench/days.py and bench/rouge.py (see the README)."""

    outlets: float = 1.0
    """Per log2(1 + independent outlets): what several outlets report matters most (log: the 5th adds less)."""
    theme_confidence: float = 0.6
    """Times the classifier's score for the item's theme: a clear case of the theme before a borderline one."""
    key_figure: float = 0.45
    """A figure of a key kind (killed, injured, evacuated, refugees, military, money)."""
    figure: float = 0.2
    """Any other figure."""
    speaker: float = 0.25
    """Someone is named as saying it: attributed news before unattributed."""
    entity: float = 0.1
    """Per distinct named entity, up to ``entities_max``: who and where make a report concrete."""
    entities_max: int = 4
    lead: float = 0.35
    """Divided by 1 + the sentence's index in its article: what stands early in an article matters more."""
    long_words: int = 45
    """Past this many words an item loses ``long_per_word`` per word (all briefings, and the theme-free rank)."""
    long_per_word: float = 0.01
    hedged: float = 0.2
    """Lost when every report hedges ("may", "reportedly")."""
    mostly_quote: float = 0.25
    """Lost when the text is mostly a quote (the claim, not what happened)."""
    leans: float = 0.3
    """Lost in a sectioned briefing by a line that reads only after the sentence before it in its article
    (``events.leans_on_context``: "Twenty-five people have been wounded", "For this reason, ...") when no
    shown item tells what it points back at (then it is that item's detail, not shown)."""
    past_aim_per_word: float = 0.03
    """Lost per word past ``dedupe.TEXT_WORDS`` in a sectioned briefing: the day's word budget is shared by many
    events, so a long line costs the events it crowds out (0.03: days 28-29 tie 0.01 and 0.03, 0.06 lets a
    carried-over event in as new)."""
    per_article: int = 2
    """Items of one article a section shows at most, unless nothing else qualifies."""
    repeat_run: int = 8
    """Two lines sharing this many words in a row say the same thing: the lower-ranked one is not shown."""
    theme_rounds: int = 1
    """Sections are filled in rounds (every theme's best, then every theme's second...) for this many rounds,
    then by score alone while the word budget lasts: no theme with news is left empty, and a quiet theme's
    weak items do not crowd out a busy theme's strong ones (dev-day recall 1 and 2 rounds: 33/39, all rounds:
    28; leave-one-day-out 33/39)."""


PARAMS = Params()


def select(items: Sequence[Item], articles: Sequence[Article], config: Config, date: dt.date,
           stats: Stats, generated_at: str = "") -> Briefing:
    """The briefing: takeaways, per-theme sections, key figures, quotes and numbered sources."""
    # Already reported on an earlier day and nothing changed: not repeated.
    # A briefing's line without filler (``dedupe.trim``); a summary cut to a length keeps the sentence whole.
    fresh = [replace(it, text=trim(it.text)) for it in map(_with_the_update, items) if _presentable(it, config)
             and (it.novelty != "reported" or config.history.show_reported)]
    per_theme: dict[str, list[Item]] = defaultdict(list)
    budget = min(config.select.word_budget, max(150, int(stats.words_in * config.select.max_share)))
    ranked = rank_items(fresh, per_theme=config.select.per_theme, aim_words=TEXT_WORDS, p=PARAMS)
    for it in _within_budget(ranked, budget, PARAMS):
        per_theme[it.theme].append(it)
    takeaways = _takeaways(per_theme, config)
    taken = {t.id for t in takeaways}
    sections = tuple(
        Section(t.key, t.heading, tuple(it for it in per_theme.get(t.key, []) if it.id not in taken))
        for t in config.themes
    )
    shown = list(takeaways) + [it for s in sections for it in s.items]
    from .events import context_places

    # A count's place may be only in its article's lead or the sentence before it.
    figures = key_figures(shown, config.select.max_figures, context_places([f for it in items for f in it.facts]))
    quotes = _quotes(shown, config.select.max_quotes)
    sources = _sources(shown, figures, quotes, articles)
    words_out = sum(len(it.text.split()) for it in shown)
    stats = replace(stats, words_out=words_out)
    return Briefing(date=date, title=config.title, generated_at=generated_at, takeaways=tuple(takeaways),
                    sections=sections, sources=sources, key_figures=figures, quotes=quotes, stats=stats,
                    since_yesterday=since_yesterday(shown, items, articles=articles, themes=config.themes),
                    events=tuple(items))


def rank_items(items: Sequence[Item], budget_words: int | None = None, per_theme: int | None = None,
               aim_words: int | None = None, p: Params = PARAMS) -> list[Item]:
    """Items scored (``score_item``) and picked best first, skipping any that tells an event a picked one told
    (``events.same_event``), until ``budget_words`` words are picked (None: no budget) with at most
    ``per_theme`` per theme and then ``p.per_article`` per section from one article (more only when nothing else
    is left; a summary without sections, ``per_theme`` None, has no such cap).
    Works without themes (every item's theme None): the benchmark's theme-free mode. With ``aim_words`` an
    item loses ``p.past_aim_per_word`` per word past it (a summary cut to a length, as ROUGE reads it, has no such aim),
    and an item that is another piece of a picked item's report (``events.piece_of``) is not shown."""
    from .embed import embed
    from .events import Params as EventParams, anchors_of, detail_of, leans_on_context, piece_of, pool, same_event

    own = {it.id: anchors_of(it.facts[0]) for it in items}  # the shown sentence's own anchors
    leans = {it.id for it in items if leans_on_context(it.facts[0], own[it.id])} if aim_words is not None else set()

    def score(it: Item) -> float:
        over = max(0, len(it.text.split()) - aim_words) if aim_words is not None else 0
        return round(score_item(it, p) - p.past_aim_per_word * over - p.leans * (it.id in leans), 4)

    scored = sorted((replace(it, score=score(it)) for it in items), key=lambda it: (-it.score, it.id))
    vectors = {it.id: v for it, v in zip(scored, embed([it.text for it in scored]))} if scored else {}
    anchors = {it.id: pool(anchors_of(f) for f in it.facts) for it in scored}
    params = EventParams()
    at = {it.id: {(f.article_id, f.index) for f in it.facts} for it in scored}
    picked: list[Item] = []
    held: list[Item] = []
    orphans: list[Item] = []
    counts: dict[str | None, int] = defaultdict(int)
    per_article: dict[tuple[str | None, str], int] = defaultdict(int)
    words = 0

    texts = {it.id: _words(it.text) for it in scored}

    def covering(it: Item) -> int | None:
        """The picked item that already tells ``it``'s event, if any. In a briefing a line repeating a run of a
        picked line's words reads as the same thing shown twice."""
        for k, q in enumerate(picked):
            sim = float(vectors[it.id] @ vectors[q.id])
            if same_event(anchors[it.id], anchors[q.id], sim, params) or (aim_words is not None and (
                    _shares_run(texts[it.id], texts[q.id], p.repeat_run) or _part_of(q, it, sim))):
                return k
        return None

    def redundant(it: Item) -> bool:
        nonlocal words
        k = covering(it)
        if k is None:
            return False
        q = picked[k]
        detail = aim_words is not None and it.id in leans and detail_of(at[q.id], at[it.id], params)
        if detail and _tells_toll(q, it):
            # A toll that only reads after the shown sentence ("Around 350 people have died in the city") is
            # the event's toll: the line says it, and the key figures show it with the event's place.
            extra = trim(first_sentence(it.text) or it.text, aim=_TOLL_WORDS)
            picked[k] = replace(fold(q, it), text=f"{q.text} {extra}", figures=q.figures + it.figures)
            words += len(extra.split())
        elif detail:
            # Cited, but its counts are not the event's ("Of those who have left, 2.2 million went to Poland"
            # beside "3.9 million have fled" is no rival count).
            picked[k] = fold(q, replace(it, facts=tuple(replace(f, figures=()) for f in it.facts)))
        else:
            picked[k] = fold(q, it)
        return True

    def _part_of(q: Item, it: Item, sim: float) -> bool:
        # Another piece of a shown event's report, a detail that only reads after its sentence, or the same
        # party's claim about the same places told again.
        return piece_of(at[q.id], at[it.id], own[q.id], own[it.id], sim, params) or (
            it.id in leans and q.id not in leans and detail_of(at[q.id], at[it.id], params)) or (
            sim >= params.loose_sim and _same_claim(q, it, own[q.id], own[it.id]))

    def take(it: Item) -> None:
        nonlocal words
        picked.append(it)
        counts[it.theme] += 1
        per_article[(it.theme, it.facts[0].article_id)] += 1
        words += len(it.text.split())

    for it in scored:
        if budget_words is not None and words >= budget_words:
            break
        if per_theme is not None and counts[it.theme] >= per_theme:
            continue
        if redundant(it):
            continue
        if it.id in leans and it.support.outlets < 2:
            orphans.append(it)  # shown only as the detail of an item picked later, never alone
            continue
        if per_theme is not None and per_article[(it.theme, it.facts[0].article_id)] >= p.per_article:
            held.append(it)
            continue
        take(it)
    # Nothing else qualified: a section may show a third item of one article rather than stay short.
    for it in held:
        if budget_words is not None and words >= budget_words:
            break
        if (per_theme is None or counts[it.theme] < per_theme) and not redundant(it):
            take(it)
    for it in orphans:
        redundant(it)  # a line that reads only after its sentence: that item's detail, or not shown
    return picked


def _with_the_update(item: Item) -> Item:
    """An event updated by a count that rose is told by a sentence giving the new count ("At least 15 people were
    killed …"), not by an earlier report's lower one beside a since-yesterday line saying 15."""
    from .dedupe import complete_sentence, shorten

    rises = [(measure, now) for measure, now, before, since in item.change_figures if since != "detail" and before]
    if item.novelty != "updated" or not rises or not item.facts:
        return item
    if any(float(fig.value) == now and fig.category in measure for measure, now in rises
           for fig in item.facts[0].figures):
        return item
    for f in item.facts:
        if complete_sentence(f.text) and any(float(fig.value) == now and fig.category in measure
                                             for measure, now in rises for fig in f.figures):
            # The new statement the history saw was the other sentence's speaker's: this line does not show it.
            changes = item.changes if f.speaker == item.speaker else tuple(c for c in item.changes if c != "actor")
            return replace(item, text=shorten(f.text, f.speaker), speaker=f.speaker, changes=changes,
                           facts=(f,) + tuple(g for g in item.facts if g is not f))
    return item


def _same_claim(a: Item, b: Item, anchors_a, anchors_b) -> bool:
    """Two claims by one party (``disputes.side_of``) naming the same places (beyond its seats of government):
    "Moscow would radically reduce its activity near Kyiv and Chernihiv", the deputy minister said, and "Russia
    said it would scale down operations around Chernihiv and Kiev" are one claim, however worded."""
    from .disputes import side_of
    from .events import _seats, place_forms

    if not (a.support.kind == b.support.kind == "claim"):
        return False
    side = side_of(a)
    if side is None or side != side_of(b):
        return False
    return bool(place_forms(anchors_a.places - _seats()) & place_forms(anchors_b.places - _seats()))


# A toll added to the line of the event it belongs to keeps its colour clauses only up to this many words.
_TOLL_WORDS = 15


def _tells_toll(shown: Item, detail: Item) -> bool:
    """Does ``detail`` count the dead or injured of a kind ``shown`` does not?"""
    from .events import _TOLL_KINDS

    have = {f.category for f in shown.figures}
    return bool({f.category for f in detail.figures} & _TOLL_KINDS - have)


def fold(shown: Item, other: Item) -> Item:
    """``shown`` also cites what ``other`` (not shown: the same event told again) reported: its facts and its
    articles. Its support stays the larger of the two (the articles' copies are not known here, so the outlets
    are not recounted: never more independent outlets than an item was found to have)."""
    facts = shown.facts + tuple(f for f in other.facts if f not in shown.facts)
    sources = tuple(dict.fromkeys(shown.sources + other.sources))
    support = shown.support if shown.support.outlets >= other.support.outlets else other.support
    return replace(shown, facts=facts, sources=sources, support=support)


def _within_budget(ranked: list[Item], budget: int, p: Params = PARAMS) -> list[Item]:
    """Items taken theme by theme in rounds — every theme's best, then every theme's second best... — for
    ``p.theme_rounds`` rounds, then by rank alone, while the word budget lasts, so no theme with news is left
    empty and none crowds out the others. Rank order is kept."""
    by_theme: dict[str | None, list[Item]] = defaultdict(list)
    for it in ranked:
        by_theme[it.theme].append(it)
    keep: set[str] = set()
    words = 0
    for depth in range(min(p.theme_rounds, max((len(v) for v in by_theme.values()), default=0))):
        for items in by_theme.values():
            if depth < len(items):
                n = len(items[depth].text.split())
                if depth == 0 or words + n <= budget:
                    keep.add(items[depth].id)
                    words += n
    for it in ranked:
        n = len(it.text.split())
        if it.id not in keep and words + n <= budget:
            keep.add(it.id)
            words += n
    return [it for it in ranked if it.id in keep]


def since_yesterday(shown: Sequence[Item], items: Sequence[Item], limit: int = 8, articles: Sequence[Article] = (),
                    themes: Sequence = ()) -> tuple[Item, ...]:
    """One short generated line per shown event that is new or updated since earlier briefings, updated ones
    first: the change for an update ("Update, Mykolaiv: killed now 15 (12 on 29 Mar)."), where and what for a
    new one ("New, Mariupol: 2,000 evacuated."). Never a copy of an item's text. Empty when no
    event of the day matched the history (a first run: everything would be "new", which says nothing)."""
    if not any(it.novelty in ("updated", "reported") for it in items):
        return ()
    titles = {a.id: a.title for a in articles}
    theme_titles = {t.key: t.heading for t in themes}
    shown_words = [_words(it.text) for it in shown]
    fresh = [it for it in shown if it.novelty in ("new", "updated")]
    fresh.sort(key=lambda it: (it.novelty != "updated", -it.score, it.id))
    headlines = _headlines(fresh, articles, shown_words)
    # Events with one head and subject share a line ("New, Chernihiv: statement by X; 25 injured."), and a part
    # said on a line already is not said again: a compact list, no line repeating another.
    lines: dict[tuple[str, str], tuple[Item, list[str]]] = {}
    said: set[str] = set()
    for it in fresh:
        head, subject, parts = _change_line(it, titles, theme_titles, shown_words)
        if it.id in headlines:
            # What happened, in the words of a headline about it; an update then says what changed.
            subject = headlines[it.id]
            parts = parts if head == "Update" else []
            if (head, subject) not in lines and len(lines) >= limit:
                continue
            lines[(head, subject)] = (it, parts)
            continue
        parts = [p for p in parts if p.lower() not in said]
        if not parts or ((head, subject) not in lines and len(lines) >= limit):
            continue
        said.update(p.lower() for p in parts)
        first, kept = lines.setdefault((head, subject), (it, []))
        kept.extend(parts)
        if first is not it:
            lines[(head, subject)] = (replace(first, sources=tuple(dict.fromkeys(first.sources + it.sources))), kept)
    return tuple(replace(it, text=_since_text(head, subject, parts, it.id in headlines), disputed_by=())
                 for (head, subject), (it, parts) in lines.items())


def _since_text(head: str, subject: str, parts: list[str], headline: bool) -> str:
    if not headline:
        return f"{head}, {subject}: {_joined(parts)}."
    subject = subject.rstrip(".!?:;, ")
    return f"{head}: {subject}" + (f" — {_joined(parts)}." if parts else ".")


HEADLINE_SIM = 0.55
"""How close (cosine) an article's title must be to a new or updated event it reported to tell that event on its
since-yesterday line; each title tells at most the one event it is closest to."""

# A headline's kicker or live-blog label before a colon ("Russia-Ukraine war: ...", "LIVE: ...") says nothing.
_KICKER = re.compile(r"^(?:[^:]{0,40}\b(?:war|crisis|conflict|invasion|live|update[sd]?|latest|news|report|"
                     r"explained|analysis|watch|breaking)\b[^:]{0,20}|LIVE|BREAKING|UPDATE|WATCH):\s+(?=\S)",
                     re.IGNORECASE)


def headline(title: str, outlet: str = "") -> str:
    """An article's title as a since-yesterday line may show it: without a kicker ("War in Ukraine: "), a live
    label, or the outlet's name after a bar or dash; "" when what is left is too short to tell anything."""
    text = " ".join(title.split())
    if outlet:
        text = re.sub(rf"\s+[|\-–—]\s+{re.escape(outlet)}\s*$", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\s+\|\s+[^|]{1,40}$", "", text)
    text = _KICKER.sub("", text, count=1)
    return text if len(text.split()) >= 5 else ""


def _headlines(fresh: Sequence[Item], articles: Sequence[Article], shown_words: list[list[str]]) -> dict[str, str]:
    """Item id -> the headline of one of its articles that tells its event: the title closest to it among the
    fresh events (``HEADLINE_SIM`` or more), that shares no run of words with a shown item (never a copy)."""
    from .embed import embed

    by_id = {a.id: a for a in articles}
    candidates: dict[str, set[str]] = defaultdict(set)
    for it in fresh:
        for source in it.sources:
            a = by_id.get(source)
            line = headline(a.title, a.outlet) if a and a.title else ""
            if line and not any(_shares_run(_words(line), w, 8) for w in shown_words):
                candidates[line].add(source)
    if not candidates or not fresh:
        return {}
    lines = sorted(candidates)
    sims = embed([it.text for it in fresh]) @ embed(lines).T
    best: dict[str, int] = {}  # item id -> the index of its closest headline so far
    for j, line in enumerate(lines):
        k = int(np.argmax(sims[:, j]))
        it = fresh[k]
        if candidates[line] & set(it.sources) and sims[k, j] >= HEADLINE_SIM and (
                it.id not in best or sims[k, j] > sims[k, best[it.id]]):
            best[it.id] = j
    return {item_id: lines[j] for item_id, j in best.items()}


def _joined(parts: list[str]) -> str:
    """"statement by A; statement by B" reads "statements by A, B" (and reports by outlets likewise)."""
    others = [p for p in parts if not p.startswith(("statement by ", "report by "))]
    for kind in ("statement", "report"):
        names = [p.removeprefix(f"{kind} by ") for p in parts if p.startswith(f"{kind} by ")]
        others += [f"{kind}s by " + ", ".join(names)] if len(names) > 1 else [f"{kind} by {n}" for n in names]
    return "; ".join(others)


_FIGURE_WORDS = {"killed": "killed", "injured": "injured", "evacuated": "evacuated", "refugees": "refugees",
                 "military": "troops", "money": "money"}


def _change_line(item: Item, titles: dict[str, str], theme_titles: dict[str, str],
                 shown_words: list[list[str]]) -> tuple[str, str, list[str]]:
    """("Update" or "New", where or the theme, what changed or what is new) for one event."""
    from .events import actions_of, anchors_of, pool

    from .extract.speakers import is_outlet_name
    from .nlp import is_known_place

    anchors = pool(anchors_of(f) for f in item.facts)
    where = ", ".join(_where(item, is_known_place))
    if item.novelty == "updated":
        parts = []
        # A share with no measure named ("new figure: 10 %") tells a reader nothing.
        details = [f"{_num(now)} {unit}" for unit, now, _, since in item.change_figures
                   if since == "detail" and unit not in ('%', 'percent', 'per cent')]
        if "figure" in item.changes:
            # Each measure against its own earlier count (the history compares one measure, one place).
            for measure, now, before, since in item.change_figures:
                if since == "detail":
                    continue
                word = _FIGURE_WORDS.get(measure, measure)
                when = f" on {dt.date.fromisoformat(since).day} {dt.date.fromisoformat(since).strftime('%b')}" \
                    if since else ""
                parts.append(f"{word} now {_num(now)} ({_num(before)}{when})" if before else
                             f"{word}: {_num(now)}, first count")
        if details:
            parts.append("new figures: " + ", ".join(details) if len(details) > 1 else f"new figure: {details[0]}")
        if "actor" in item.changes and item.speaker:
            who = _short_speaker(item.speaker)
            if len(who.split()) <= _SHORT_SPEAKER_WORDS:  # "new statement" by no one named tells nothing
                parts.append(f"new statement by {who}")
        if "place" in item.changes and where:
            parts.append(f"now also reported in {where}")
        if "outlets" in item.changes:
            parts.append(f"now reported by {item.support.outlets} outlets")
        subject = where or theme_titles.get(item.theme or "", (item.theme or "").capitalize())
        return "Update", subject, parts
    top: dict[str, float] = {}  # one count per kind, the highest ("4 refugees, 4,000,000 refugees" says one)
    for c, v in anchors.figures:
        top[c] = max(top.get(c, v), v)
    what = [f"{_num(v)} {_FIGURE_WORDS.get(c, c)}" for c, v in sorted(top.items())[:2]]
    subject = where or theme_titles.get(item.theme or "", (item.theme or "").capitalize())
    # The speaker's short name only (the item beside it gives the full title and the words); a speaker that
    # takes a clause to name would copy the item's words. "New, X: first reported" would tell nothing.
    who = _short_speaker(item.speaker) if item.speaker else ""
    # A news organisation reports; it makes no statement of its own on the story.
    said = "report by" if item.speaker and is_outlet_name(item.speaker) else "statement by"
    statement = f"{said} {who}" if who and len(who.split()) <= _SHORT_SPEAKER_WORDS else ""
    if not what and "attack" in anchors.actions and "attack" in actions_of(item.text):
        # An attack is the news, not who told of it: "New, Chernihiv: attack, reported by 6 outlets".
        outlets = item.support.outlets
        return "New", subject, ["attack" + (f", reported by {outlets} outlets" if outlets > 1 else "")]
    about = ", ".join(what) or statement
    return "New", subject, [about] if about else []


# Words a speaker's name may take on a since-yesterday line.
_SHORT_SPEAKER_WORDS = 4


def _where(item: Item, known: Callable[[str], bool], context: dict[str, frozenset[str]] | None = None) -> list[str]:
    """The event's places for its line, at most two: those of the shown sentence, else those two or more of its
    reports name, else (with ``context``: ``events.context_places`` of the day's facts) those the shown sentence
    leans on in its article ("About 140,000 people had fled the city", in a report datelined Mariupol). Only
    places the gazetteer knows (``known``: the NER's "places" are sometimes outlets or agencies), and never a
    word of a person's name ("Kim" is a town, and a governor)."""
    from collections import Counter

    from .events import _seats, anchors_of, normalise

    names = _person_words(item)
    counts: Counter[str] = Counter()
    shown: set[str] = set()
    # The shown text may be its fact's sentence with the attribution cut or a quote mark added.
    head = normalise(item.text)[:60]
    for f in item.facts:
        places = {p.title() for p in anchors_of(f).places if known(p.title()) and p not in names}
        counts.update(places)
        if f.text == item.text or (head and head in normalise(f.text)):
            shown |= places
    text = item.text.lower()
    ranked = sorted(shown, key=lambda p: (text.find(p.lower()) % (len(text) + 1), p)) or \
        [p for p, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n >= 2]
    if not ranked and context and item.facts and _POINTS_AT_PLACE.search(item.text):
        ranked = sorted(p.title() for p in context.get(item.facts[0].id, ())
                        if known(p.title()) and p not in names)
    # A seat of government ("despite Moscow's claims") speaks for a side; it is where only when nothing else is.
    where = [p for p in ranked if p.lower() not in _seats()] or ranked
    return where[:2]


# A line that points at a place it does not name ("fled the city"): where, then, is its article's place.
_POINTS_AT_PLACE = re.compile(r"\bthe (?:city|town|village|region|area|port|capital)\b", re.IGNORECASE)


def _person_words(item: Item) -> set[str]:
    """Words of the item's people: a speaker's last name ("Kim said": Kim the governor, not the town), and the
    words of the NER's person names unless two or more of the item's facts name that word as a place (the NER
    takes "Mayor of Chernihiv Vladyslav Atroshenko" for one person)."""
    from collections import Counter

    from .events import anchors_of, speaker_surname

    speakers = {speaker_surname(f.speaker) for f in item.facts} - {None}
    as_place = Counter(p for f in item.facts for p in anchors_of(f).places)
    persons = {w.lower() for f in item.facts for e in f.entities if e.label == "PERSON" for w in e.text.split()}
    return speakers | {w for w in persons if as_place[w] < 2}


def _short_speaker(speaker: str) -> str:
    """A person by last name ("Fomin"); an institution as named, without its article ("the General Staff")."""
    words = speaker.split()
    if words[:1] == ["The"]:
        return speaker.removeprefix("The ")  # an institution by its name: "The Financial Times"
    if len(words) >= 2 and all(w[:1].isupper() for w in words[-2:]) and not any(
            w.lower() in ("ministry", "staff", "office", "agency", "council", "committee", "service") for w in words):
        return words[-1]
    return speaker.removeprefix("the ").removeprefix("The ")


def _num(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def _shares_run(a: list[str], b: list[str], run: int = 6) -> bool:
    grams = {tuple(b[i:i + run]) for i in range(len(b) - run + 1)}
    return any(tuple(a[i:i + run]) in grams for i in range(len(a) - run + 1))


def score_item(item: Item, p: Params = PARAMS) -> float:
    """Importance of an item; higher first (the weights: ``Params``)."""
    theme_conf = max((s for f in item.facts for k, s in f.scores if k == item.theme), default=0.5)
    lead = min(f.index for f in item.facts)
    score = p.outlets * math.log2(1 + item.support.outlets)
    score += p.theme_confidence * theme_conf
    score += p.key_figure if any(f.category in _KEY_CATEGORIES for f in item.figures) else (
        p.figure if item.figures else 0.0)
    score += p.speaker if any(f.speaker for f in item.facts) else 0.0
    score += p.entity * min(len({e.text for f in item.facts for e in f.entities}), p.entities_max)
    score += p.lead / (1 + lead)
    words = len(item.text.split())
    if words > p.long_words:
        score -= p.long_per_word * (words - p.long_words)
    if item.hedged:
        score -= p.hedged
    if _mostly_quote(item.text):
        score -= p.mostly_quote
    return score


def _presentable(item: Item, config: Config) -> bool:
    from .dedupe import complete_sentence

    if not complete_sentence(item.text):
        return False  # no report of the event reads as a whole sentence (headlines, cut-off lines only)
    if _opinion(item) or _goes_on(item):
        return False
    words = len(item.text.split())
    # A sentence shown with the one it leans on may run to two sentences' length.
    longest = config.select.max_words * (1.5 if _SECOND_SENTENCE.search(item.text) else 1)
    return config.select.min_words <= words <= longest and item.theme is not None


# What ought to be done, said by no one: the writer's own view ("Sanctions must be tightened much further.",
# "The port is the gateway to Europe, close all ports to their ships.").
_OUGHT = re.compile(r"\b(?:must|should|ought to|needs? to|it is (?:important|necessary|essential|vital|crucial|"
                    r"high time|time)|it's (?:important|time|high time))\b|"
                    r"(?:^|[,;:]\s+)(?:close|stop|ban|cut|end|impose|send|give|let|make|take|disconnect|freeze|"
                    r"boycott|isolate|expel|seize)\s+(?:all|the|our|every|more|any|their)\b", re.IGNORECASE)


def _opinion(item: Item) -> bool:
    """An opinion, not news: a line that says what ought to be done, with no speaker and no quote to say who
    holds that view (a comment piece in the day's input). "X said sanctions must be tightened" is news."""
    return not item.speaker and _OUGHT.search(item.text) is not None and not re.search(r"[\"“”]", item.text)


# "The fighting continues", "Clashes continue between the armies of the two countries": that a war goes on is
# no news of the day.
_GOES_ON = re.compile(r"^(?:the\s+)?(?:fighting|clashes|war|hostilities|battles?|combat|invasion)\b[^.;:]{0,80}?"
                      r"\b(?:continues?|goes on|go on|rages? on|grinds? on)\b", re.IGNORECASE)


def _goes_on(item: Item) -> bool:
    """A line that only says the fighting goes on: no count, no place of its own beyond the sides' capitals."""
    from .events import _seats, anchors_of

    if not _GOES_ON.match(item.text) or item.figures or not item.facts:
        return False
    return not anchors_of(item.facts[0]).places - _seats()


def _mostly_quote(text: str) -> bool:
    quoted = sum(len(q) for q in re.findall(r"[\"“]([^\"”]+)[\"”]", text))
    return quoted > 0.7 * len(text)


def _takeaways(per_theme: dict[str, list[Item]], config: Config) -> list[Item]:
    """The best item of each theme first (best themes first), then the next best overall, up to the cap."""
    want = config.select.takeaways
    firsts = sorted((items[0] for items in per_theme.values() if items), key=lambda it: (-it.score, it.id))
    chosen = firsts[:want]
    if len(chosen) < want:
        rest = sorted((it for items in per_theme.values() for it in items[1:]), key=lambda it: (-it.score, it.id))
        chosen.extend(rest[: want - len(chosen)])
    # Only items that can stand as a headline: a takeaway needs some weight of its own.
    floor = 3 if want >= 3 else want
    strong = [it for it in chosen if it.score >= 1.0]
    return strong if len(strong) >= floor else chosen[: max(floor, len(strong))]


def key_figures(items: Sequence[Item], limit: int,
                leaned_on: dict[str, frozenset[str]] | None = None) -> tuple[KeyFigure, ...]:
    """One row per figure category of an event. The same number from several sources is one value with all of
    them; different numbers for the same event stand side by side; two items giving the same numbers for the
    same category are one row."""
    from .disputes import sides_in
    from .nlp import is_known_place

    # (category, values) -> [best item score, context, {value: (text as written, [article ids])}, best item,
    # the sides of the reports that gave them]
    rows: dict[tuple[str, tuple[float, ...]], list] = {}
    for item in items:
        by_cat: dict[str, dict[float, tuple[str, list[str]]]] = defaultdict(dict)
        sides: dict[str, set[str]] = defaultdict(set)
        for fact in item.facts:
            seen: set[str] = set()
            for fig in fact.figures:
                # Two counts of one kind in one sentence count two things ("2.2 million fled to Poland, half a
                # million to Romania"; "140,000 fled before the siege and 150,000 since"): the first is the
                # sentence's count, never a rival of the second.
                if fig.category in _KEY_CATEGORIES and fig.category not in seen:
                    seen.add(fig.category)
                    by_cat[fig.category].setdefault(fig.value, (fig.text.strip(), []))[1].append(fact.article_id)
                    sides[fig.category] |= sides_in(fact.speaker or "")
        for cat, values in by_cat.items():
            row = rows.setdefault((cat, tuple(sorted(values))), [item.score, item.text, {}, item, set()])
            row[4] |= sides[cat]
            if item.score > row[0]:
                row[0], row[1], row[3] = item.score, item.text, item
            for value, (text, srcs) in values.items():
                row[2].setdefault(value, (text, []))[1].extend(srcs)
    figures = []
    for (cat, _), (score, context, values, item, sides) in rows.items():
        # "MORE THAN FOUR refugees" beside "over 4 million refugees" is a slip of a headline, not a dispute.
        top = max(values)
        values = _same_counts({v: entry for v, entry in values.items() if v * 1000 >= top})
        # A toll reported by one side (or by no side) at several values is the count as it rose: the highest is
        # the latest. Tolls given by two sides stand side by side.
        rising = cat in _RISING and len(values) > 1 and len(sides) <= 1
        ordered = sorted(values.items(), key=lambda kv: -kv[0] if rising else (-len(set(kv[1][1])), kv[0]))
        shown = tuple((text, tuple(dict.fromkeys(srcs))) for _, (text, srcs) in ordered)
        sources = tuple(dict.fromkeys(s for _, srcs in shown for s in srcs))
        figures.append((score, KeyFigure(category=cat, label=_CATEGORY_LABELS.get(cat, cat.capitalize()),
                                         values=shown, context=context, sources=sources,
                                         where=", ".join(_where(item, is_known_place, leaned_on)), rising=rising)))
    figures.sort(key=lambda r: (_KEY_CATEGORIES.index(r[1].category), -r[0], r[1].context))
    return tuple(f for _, f in figures[:limit])


# Counts that only rise as an event's day goes on: the dead and the injured.
_RISING = frozenset({"killed", "injured"})


ROUNDING = 0.03
"""Two values of a key figure this close (relative) are one count, written exactly or rounded ("3,862,797" and
"nearly 3.9 million"), not rival counts."""


def _same_counts(values: dict[float, tuple[str, list[str]]]) -> dict[float, tuple[str, list[str]]]:
    """Values that are one count written two ways, as one: the one more sources give (a tie: the rounder, as a
    reader reads it), with all their sources."""
    out: dict[float, tuple[str, list[str]]] = {}
    for value, (text, srcs) in sorted(values.items(), key=lambda kv: (-len(set(kv[1][1])), _digits(kv[0]), kv[0])):
        same = next((v for v in out if abs(v - value) <= ROUNDING * max(v, value)), None)
        if same is None:
            out[value] = (text, list(srcs))
        else:
            out[same][1].extend(srcs)
    return out


def _digits(value: float) -> int:
    """Significant digits: 3,900,000 has 2, 3,862,797 has 7."""
    return len(f"{value:.0f}".rstrip("0")) if value >= 1 else 9


def _quotes(items: Sequence[Item], limit: int) -> tuple[Quote, ...]:
    """Direct quotes of the shown items' speakers that add words no shown line carries."""
    found: list[tuple[float, Quote]] = []
    speakers: set[str] = set()
    shown_words = {w for it in items for w in _words(it.text)}
    for item in sorted(items, key=lambda it: (-it.score, it.id)):
        for fact in item.facts:
            if not fact.speaker or fact.speaker.lower() in speakers:
                continue
            quote = max(fact.quotes, key=len, default="")
            if len(quote.split()) < 6:
                continue
            words = _words(quote)
            if sum(w in shown_words for w in words) > _QUOTE_SHOWN_SHARE * len(words):
                continue
            found.append((item.score, Quote(fact.speaker, quote.strip(), (fact.article_id,))))
            speakers.add(fact.speaker.lower())
            break
    return tuple(q for _, q in found[:limit])


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _sources(items: Sequence[Item], figures: Sequence[KeyFigure], quotes: Sequence[Quote],
             articles: Sequence[Article]) -> tuple[Source, ...]:
    """Every article read, numbered: the cited ones in order of first citation, then the rest."""
    known = {a.id: a for a in articles}
    cited = [sid for sid in cited_ids(items, figures, quotes) if sid in known]
    rest = sorted((a.id for a in articles if a.id not in set(cited)),
                  key=lambda sid: (known[sid].published or dt.date.min, known[sid].outlet, sid))
    return tuple(
        Source(number=n, id=sid, title=known[sid].title, outlet=known[sid].outlet, url=known[sid].url,
               published=None if known[sid].published_guessed else known[sid].published, path=known[sid].path)
        for n, sid in enumerate(cited + rest, 1)
    )
