"""Group the day's facts into events and make one item per event, with every source that reported it.

"The same event" is decided by ``briefing.events`` (one owner of the test and its thresholds): facts of every
theme, and facts the classifier left without one, are grouped first into statements (copies and rewrites of
one sentence) and then into events (the strike, its toll and the reactions to it). An event's theme is the
weighted vote of its facts' theme scores; an event no fact gave a theme to is set aside as unthemed.

Support: every article is mapped to a *story* — articles that share most of their facts almost word for word
(syndicated or machine-reworded copies of one wire story) are one story — and an item's independent outlets
are its distinct stories (two articles of one outlet count once). An item whose every fact is a party's own
claim ("Russia's defence ministry said…") is a ``claim`` however many outlets repeat it.

An item's text is one complete sentence, the clearest report of the event: not a headline or the article's
own title, from an original rather than a reworded copy, central to what the sources say, naming its place,
attributed and short; the attribution the speaker line already shows is cut ("…, the governor said").
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from . import events
from .config import Config
from .models import Article, Fact, Item, Support

log = logging.getLogger(__name__)

# An item's text aims at this many words at most (longer sentences are chosen only when nothing shorter says it).
TEXT_WORDS = 35


@dataclass(frozen=True)
class Merged:
    items: tuple[Item, ...]
    unthemed: tuple[Fact, ...]
    copies: dict
    """article id -> id of the first article it is a copy of (syndicated or reworded; for counting outlets)."""


def dedupe(facts: Sequence[Fact], articles: Sequence[Article], config: Config) -> Merged:
    """Facts grouped into items, one per event; facts of events no fact gave a theme to are set aside."""
    from .embed import vectors_of

    facts = list(facts)
    if not facts:
        return Merged((), (), {})
    vectors = vectors_of(facts)
    params = events.Params.from_config(config)
    groups = events.group(facts, vectors, params, events.title_vectors(articles))
    by_id = {a.id: a for a in articles}
    copies = copy_groups(facts, groups, vectors, by_id, params)
    items: list[Item] = []
    unthemed: list[Fact] = []
    for members in groups:
        theme = events.theme_of([facts[i] for i in members])
        if theme is None:
            unthemed.extend(facts[i] for i in members)
            continue
        items.append(_item(facts, members, vectors, theme, by_id, copies))
    items.sort(key=lambda it: it.id)
    return Merged(tuple(items), tuple(unthemed), copies)


# ---------------------------------------------------------------------------------------------- copies, items


def copy_groups(facts: Sequence[Fact], groups: list[list[int]], vectors: np.ndarray,
                articles: dict[str, Article], params: events.Params = events.Params()) -> dict[str, str]:
    """Articles that share most of their facts, worded as copies, with an earlier article are copies of one
    story (syndicated, lightly edited or machine-reworded wire copy): they count as one outlet.
    Returns article id -> the id of the story's first article (only for articles that are copies)."""
    per_article: dict[str, int] = defaultdict(int)
    for fact in facts:
        per_article[fact.article_id] += 1
    # (article x, article y) -> facts of x that have a copy in y
    copied: dict[tuple[str, str], set[int]] = defaultdict(set)
    for members in groups:
        if len({facts[i].article_id for i in members}) < 2:
            continue
        sims = vectors[members] @ vectors[members].T
        texts = {i: events.Anchors(text=events.normalise(facts[i].text)) for i in members}
        for x, i in enumerate(members):
            for y, j in enumerate(members):
                ai, aj = facts[i].article_id, facts[j].article_id
                if ai != aj and i not in copied[(ai, aj)] and events.copy_like(texts[i], texts[j], float(sims[x, y]),
                                                                                params):
                    copied[(ai, aj)].add(i)
    order = _article_order(articles)
    parent: dict[str, str] = {}

    def root(a: str) -> str:
        while parent.get(a, a) != a:
            a = parent[a]
        return a

    for (a, b) in sorted(copied):
        if a > b:
            continue
        n = min(len(copied[(a, b)]), len(copied.get((b, a), ())))
        smaller = min(per_article[a], per_article[b])
        if smaller and n >= 2 and n / smaller >= params.copy_share:
            ra, rb = root(a), root(b)
            if ra != rb:
                first, second = sorted((ra, rb), key=order)
                parent[second] = first
    return {a: root(a) for a in per_article if root(a) != a}


def _article_order(articles: dict[str, Article]):
    def key(aid: str):
        a = articles.get(aid)
        return (a.published.toordinal() if a and a.published else math.inf, aid)

    return key


def _item(facts: Sequence[Fact], members: list[int], vectors: np.ndarray, theme: str,
          articles: dict[str, Article], copies: dict[str, str]) -> Item:
    group = [facts[i] for i in members]
    best = representative(group, vectors[members], articles, copies)
    ordered = sorted(group, key=_source_order(articles))
    sources = tuple(dict.fromkeys(f.article_id for f in ordered))
    speaker = best.speaker
    return Item(
        id=best.id,
        text=shorten(best.text, speaker),
        theme=theme,
        facts=(best,) + tuple(f for f in ordered if f is not best),
        sources=sources,
        speaker=speaker,
        figures=tuple(dict.fromkeys(fig for f in (best, *ordered) for fig in f.figures)),
        date=min((f.date for f in group if f.date), default=None),
        hedged=all(f.hedged for f in group),
        support=support_of(group, articles, copies),
    )


def support_of(facts: Sequence[Fact], articles: dict[str, Article], copies: dict[str, str]) -> Support:
    """Independent outlets behind ``facts`` and the kind of support: corroborated, single or claim."""
    from rapidfuzz import fuzz

    stories: list[tuple[str, Fact]] = []  # (outlet key, a fact) per independent story
    for fact in sorted(facts, key=lambda f: (f.article_id, f.index)):
        key = _outlet_key(fact.article_id, articles, copies)
        if any(k == key for k, _ in stories):
            continue
        # The same long sentence word for word in two outlets is one wire story, printed twice.
        body = _unquoted(fact.text)
        if len(body.split()) >= 12 and any(
                fuzz.ratio(events.normalise(body), events.normalise(_unquoted(f.text))) >= 95 for _, f in stories):
            continue
        stories.append((key, fact))
    outlets = len(stories)
    if all(f.claim_by_party for f in facts):
        kind = "claim"
    elif outlets >= 2 and sum(1 for _, f in stories if not f.claim_by_party) >= 1:
        kind = "corroborated"
    else:
        kind = "single"
    return Support(outlets=outlets, kind=kind)


def _unquoted(text: str) -> str:
    return re.sub(r"[\"“][^\"”]*[\"”]", " ", text)


def _outlet_key(article_id: str, articles: dict[str, Article], copies: dict[str, str]) -> str:
    root = copies.get(article_id, article_id)
    article = articles.get(root)
    outlet = (article.outlet or "").strip().lower() if article else ""
    # Copies of one story count once; two articles of one outlet count once.
    return outlet if outlet and not outlet.startswith("unknown") else root


def representative(group: Sequence[Fact], vectors: np.ndarray, articles: dict[str, Article],
                   copies: dict[str, str]) -> Fact:
    """The fact whose sentence best tells the event (see the module docstring)."""
    n = len(group)
    central = (vectors @ vectors.T).sum(axis=1) - 1.0 if n > 1 else np.ones(1)
    central = central / max(n - 1, 1)
    has_place = any(e.label in ("GPE", "LOC", "FAC") for f in group for e in f.entities)

    def score(k: int) -> tuple:
        fact = group[k]
        words = len(fact.text.split())
        article = articles.get(fact.article_id)
        value = 0.5 * float(central[k]) if n > 1 else 0.0
        value += 0.5 * bool(fact.speaker) + 0.4 * bool(fact.figures) + 0.3 * (not fact.hedged)
        value -= 0.05 * min(fact.index, 10)
        value -= 0.04 * max(0, words - TEXT_WORDS) + 0.04 * max(0, 12 - words)
        if has_place and not any(e.label in ("GPE", "LOC", "FAC") for e in fact.entities):
            value -= 1.0  # "At least 12 people were killed" says nothing without where
        if not complete_sentence(fact.text) or (article is not None and _is_title(fact.text, article.title)):
            value -= 3.0
        if fact.article_id in copies:
            value -= 0.3  # a reworded copy: the original reads cleaner
        return (value, -fact.index, fact.id)

    return group[max(range(n), key=score)]


_SENTENCE_END = re.compile(r"[.!?][\"”’)\]]*$")


def complete_sentence(text: str) -> bool:
    """Starts like a sentence and ends with one, its quotes balanced: not a headline, a caption, a line cut off
    or the tail of a quote whose opening was left in another sentence."""
    text = text.strip()
    if not text or text.endswith(("...", "…")) or not _SENTENCE_END.search(text):
        return False
    if not (text[0].isupper() or text[0] in "\"“‘'(0123456789"):
        return False
    # Straight and curly marks are mixed in real copy ("“Time is running out\" for…"): count them together.
    return (text.count('"') + text.count("“") + text.count("”")) % 2 == 0


def _is_title(text: str, title: str) -> bool:
    if not title:
        return False
    from rapidfuzz import fuzz

    return fuzz.ratio(events.normalise(text), events.normalise(title)) >= 90


_SAID = r"(?:said|says|told [\w ]{1,20}|reported|reports|added|wrote|stated|announced|noted)"
_TRAILING_ATTRIBUTION = re.compile(
    r"(?P<end>[,.!?]?[\"”’]?),? (?:(?:according to|citing) (?P<a>[^,;\"“”]{2,70})|"
    r"(?P<b>[^,;\"“”]{2,70}) " + _SAID + r"(?: on \w+day| late \w+| earlier| today| yesterday)?)\.$")
_LEADING_ATTRIBUTION = re.compile(r"^According to (?P<a>[^,;\"“”]{2,70}), (?P<rest>(?!(?:who|whom|whose|which|where)\b)\S)")


# A sentence of its own that only says who said the one before: "This was stated by the head of the faction, X."
_ATTRIBUTION_SENTENCE = re.compile(r"\s+(?:This|That|It) (?:was|has been) (?:stated|reported|announced|said|declared|"
                                   r"noted|written|posted) (?:by|on) (?P<who>[^\n]{2,160}?)\.$")


def shorten(text: str, speaker: str | None) -> str:
    """The sentence without the attribution the item's speaker line already shows ("…, the governor said.",
    "… This was stated by the governor.")."""
    if not speaker:
        return text
    key = speaker.split()[-1].lower().strip("'’s") if speaker.split() else ""
    m = _ATTRIBUTION_SENTENCE.search(text)
    if m and key and key in m.group("who").lower() and len(text[:m.start()].split()) >= 6:
        return text[:m.start()]
    m = _TRAILING_ATTRIBUTION.search(text)
    if m:
        who = (m.group("a") or m.group("b") or "").lower()
        pronoun = who in ("he", "she", "they", "it") or who.startswith(("he ", "she ", "they "))
        if (key and key in who) or pronoun:
            body = text[:m.start()]
            if len(body.split()) >= 6:
                end = m.group("end") or ""
                quote = end[-1] if end and end[-1] in "\"”’" else ""
                body = body.rstrip(",;: ")
                return (body + ("." if not body.endswith((".", "!", "?")) else "") + quote) if quote \
                    else body.rstrip(".!?") + "."
    m = _LEADING_ATTRIBUTION.match(text)
    if m and key and key in m.group("a").lower() and len(text[m.start("rest"):].split()) >= 6:
        rest = text[m.start("rest"):]
        return rest[0].upper() + rest[1:]
    return text


# Discourse markers that only tie a sentence to the one before it in its article ("Meanwhile, ...").
_LEADING_FILLER = re.compile(r"^(?:Meanwhile|However|Also|In addition|Additionally|Moreover|Furthermore|Separately|"
                             r"At the same time|In the meantime|Still|Yet|And|But|So),\s+(?=\S)")
# How long the war has lasted, opening a sentence ("More than a month after the invasion, ...", "On day 35 of the
# war, ..."): every report of the day could say it; the reader knows. Also what came just before ("Following
# Russia's statement, ...").
_WAR_CLOCK = re.compile(
    r"^(?:(?:(?:More than|Over|Nearly|Almost|About|Some|Just)\s+)?(?:a|an|one|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve|\d+)\s+(?:days?|weeks?|months?|years?)\s+(?:after|since|into)\s+(?:the|its|Russia's|"
    r"Russia’s)\s+(?:\w+\s+)?(?:invasion|war|conflict|offensive)|On\s+(?:the\s+)?(?:day\s+\d+|\d+(?:st|nd|rd|th)\s+day)"
    r"\s+of\s+(?:the\s+)?(?:\w+\s+)?(?:invasion|war|conflict)|"
    # ... or what came just before, told in the line itself or the item beside it ("Following Russia's statement, ").
    r"(?:Following|After|In response to)\s+(?:the|this|that|[A-Z][\w-]*['’]s)\s+(?:statement|announcement|remarks|"
    r"comments|decision|move|pledge|claim)s?),\s+(?!(?:which|who|that|when|where)\b)(?=\S)",
    re.IGNORECASE)


# The same as a sentence of its own after the news: "It's been over a month since Russia's incursion into Ukraine."
_WAR_CLOCK_SENTENCE = re.compile(
    r"\s+(?:It['’]s|It has|It is)(?: been)?\s+(?:(?:over|more than|nearly|almost|about|just over)\s+)?(?:a|an|one|two|"
    r"three|four|five|six|seven|eight|nine|ten|\d+)\s+(?:days?|weeks?|months?|years?)\s+since\s+[^.!?]{0,60}"
    r"(?:invasion|incursion|war|offensive|began|started)[^.!?]{0,40}\.$", re.IGNORECASE)


def _without_war_clock(text: str) -> str:
    m = _WAR_CLOCK.match(text)
    if m and len(text[m.end():].split()) >= 8:
        text = text[m.end()].upper() + text[m.end() + 1:]
    m = _WAR_CLOCK_SENTENCE.search(text)
    if m and len(text[:m.start()].split()) >= 8:
        text = text[:m.start()]
    return text
# Asides a reader can skip: a bracketed remark, a dash-set aside, an example list ("such as ...").
_ASIDES = (re.compile(r"\s*\([^()]{3,120}\)"), re.compile(r"\s+[—–]\s[^—–\"“”]{3,120}\s[—–](?=\s)"),
           # A comma-set relative clause about what was just named (", which is largely a dead end in the eyes of
           # the West,"; ", who survived the attack,"): the sentence reads whole without it.
           re.compile(r",\s+(?:which|who)\s[^,;\"“”()]{3,100},(?=\s)"))


def _aside_cut(m: re.Match) -> str:
    """What replaces a cut aside: nothing, or the comma that ended an opening phrase when the aside closed it
    ("More than a month after the invasion, which ..., the minister said" keeps its comma)."""
    before = m.string[:m.start()]
    opening = m.group(0).startswith(",") and "," not in before and _OPENING_PHRASE.match(before)
    return "," if opening else ""


_OPENING_PHRASE = re.compile(r"(?:According to|After|Before|Following|More than|Less than|On|In|At|As|Since|"
                             r"Despite|With|During|Amid|Under|Over|Hours|Days|Weeks)\b")
# A closing clause that adds colour, not the event: ", which ...", ", adding ...", ", as ...", ", while ...".
_TRAILING_CLAUSE = re.compile(r",\s+(?:which|adding|as|while|saying|noting|citing|in what|in a move)\b[^\"“”.!?]*"
                              r"(?P<end>[.!?])$")


# A clause that ends on a word asking for more ("stated that, while ..., residents were unable to flee"): what
# follows the comma is its object, not a closing clause.
_OPEN_END = re.compile(r"\b(?:that|which|and|or|but|because|if|when|whether|to|of|the|a|an|by|with|for|from|in|on|"
                       r"at|as|than|said|says|stated|told)$", re.IGNORECASE)


def trim(text: str, aim: int = TEXT_WORDS) -> str:
    """The sentence without filler: a leading discourse marker or war clock ("More than a month after the
    invasion, ") always; past ``aim`` words, bracketed and
    dash-set asides; past 1.5 x ``aim``, a second sentence (the one shown with the sentence it leans on); then
    a closing colour clause (", which ...") while the rest keeps at least 12 words. Quoted words are never cut
    (a quote stays as said)."""
    m = _LEADING_FILLER.match(text)
    if m and not text[m.end()].islower():
        text = text[m.end():]
    elif m:
        text = text[m.end()].upper() + text[m.end() + 1:]
    text = _without_war_clock(text)
    for pattern in _ASIDES:
        if len(text.split()) <= aim:
            break
        cut = pattern.sub(_aside_cut, text)
        if len(cut.split()) >= 12 and complete_sentence(cut):
            text = _without_war_clock(cut)
    if len(text.split()) > 1.5 * aim:
        # Two sentences shown together (the second leaned on the first) and still far too long: the first
        # tells the event; the second adds commentary or detail a reader can skip.
        first = first_sentence(text)
        if first and len(first.split()) >= 12 and complete_sentence(first):
            text = first
    if len(text.split()) > aim:
        m = _TRAILING_CLAUSE.search(text)
        if m and len(text[:m.start()].split()) >= 12 and not _OPEN_END.search(text[:m.start()]):
            text = text[:m.start()] + m.group("end")
    return text


_BREAK = re.compile(r"[.!?][\"”’]?(?=\s+[\"“]?[A-Z])")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Col|Sgt|Lt|No|Jr|Sr|Gov|Sen|Rep))[.]$")


def first_sentence(text: str) -> str | None:
    """The first sentence of a text that holds more than one, or None: a break outside quotes, not after an
    initial or a title ("U.S.", "Gen.")."""
    for m in _BREAK.finditer(text):
        head = text[:m.end()]
        if _ABBREVIATION.search(head.rstrip("\"”’")):
            continue
        if (head.count("“") > head.count("”")) or head.count('"') % 2:
            continue  # inside a quote
        return head
    return None


def _source_order(articles: dict[str, Article]):
    def key(fact: Fact):
        a = articles.get(fact.article_id)
        return (a.published.toordinal() if a and a.published else math.inf, fact.article_id, fact.index)

    return key
