"""The one owner of "the same event": merging, selection, history and disputes all ask this module.

An event is what happened (a strike, a statement, an evacuation), however many sentences and outlets report
it. Two reports are compared through their *anchors* — the specific places (countries are too broad; spelling
variants such as Kiev/Kyiv or Chernigiv/Chernihiv compare equal), the attack targets ("market", "administration
building"), the figures by category, the actors (speakers and named people), the kind of action (an attack) and
the event dates — together with the cosine similarity of their sentence embeddings:

* **conflict** (never the same event): event dates more than ``date_window_days`` apart; different attack
  targets; or, unless the sentences are near-identical, different specific places, or the same kind of figure
  with different values and no shared target (5 killed at a market vs 12 killed at a station);
* otherwise the same event when the wording is a copy (``verbatim_ratio``), the meaning is close
  (``merge_sim``), or less close but tied by shared anchors: one kind (``related_sim``), two kinds
  (``anchored_sim``), three (``loose_sim``) or four (``tied_sim``) — sentences about one event written by
  different outlets often score only 0.45-0.75 — or the same large count of one kind ("4 million refugees",
  ``history_fingerprint_min``) at ``loose_sim``. Anchor kinds: place (own or context), target, figure category,
  actor, action, and two or more of the day's rare words (a topic's own vocabulary: "poisoned", "symptoms").

Grouping runs in two passes, both deterministic (input order only):

1. *statements*: each fact joins the most similar compatible cluster (compared through a few anchor members),
   so copies and rewrites of one sentence become one cluster;
2. *events*: clusters whose pooled anchors and centroid meaning pass the same test are joined (the strike
   sentence, its toll and the governor's reaction from several articles), closest pairs first; each join is
   tested again on the two groups as they stand (average linkage), so a chain never glues two strikes together.
   Event dates are not compared at this level: a day's sentences often date their background.

A fact that names no specific place borrows the places of the sentences just before it (else its article's
lead) as *context* ("At least 12 people were killed" after a sentence on a strike in a named city): context
counts as a shared anchor but never as a conflict.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping, Sequence

import numpy as np

from .models import Fact


@dataclass(frozen=True)
class Params:
    """Every threshold of "same event", in one place. ``Params.from_config`` takes ``merge.*`` overrides."""

    merge_sim: float = 0.78
    """Cosine at or above which two reports say the same thing (unless anchors conflict)."""
    verbatim_ratio: float = 92.0
    """rapidfuzz ratio of the normalised texts at or above which one is a copy of the other (syndication)."""
    near_certain: float = 0.93
    """Cosine above which the place and figure guards are overruled (the NER may have missed or split a place);
    also what two sentences of one article need to merge (an article restating itself)."""
    related_sim: float = 0.74
    """Cosine enough when one kind of anchor is shared (place, target, figure, actor, rare words)."""
    anchored_sim: float = 0.62
    """Cosine enough when two kinds of anchors are shared."""
    loose_sim: float = 0.45
    """Cosine enough when three kinds of anchors are shared."""
    tied_sim: float = 0.35
    """Cosine enough when four kinds of anchors are shared (place, target, actor and action: the regional head's
    account of the strike on his building beside the toll of that strike)."""
    figure_conflict_sim: float = 0.9
    """Same kind of figure with different values and no shared target: the same event only above this."""
    date_window_days: int = 1
    """Event dates further apart than this are two events."""
    copy_sim: float = 0.9
    """Cosine at or above which two sentences of two articles read as copies (for story groups)."""
    copy_ratio: float = 85.0
    copy_share: float = 0.5
    """Two articles are copies of one story when this share of the smaller one's facts are copies."""
    topic_sim: float = 0.45
    """Disputes: two claims on one topic (moderately similar)."""
    topic_sim_with_entity: float = 0.3
    """Disputes: two claims on one topic when they also share a named entity."""
    anchors_per_cluster: int = 3
    candidates: int = 8
    title_sim: float = 0.6
    """Grouping with titles: the cosine of an article's title to an event's centroid at or above which the
    article is about that event (``group``'s ``titles``)."""
    story_sim: float = 0.65
    """Grouping with titles: two articles whose titles are this close (cosine) tell one story ("Abramovich
    suspected of poisoning", "Peace negotiators suffer suspected poisoning"); the part of each that tells its
    title is one event (``_join_stories``)."""
    story_fit: float = 0.5
    """Grouping with titles: the cosine of a group's centroid to its article's title (or a same-story title) at or
    above which the group can be the part of the article that tells the title's story."""
    event_neighbours: int = 12
    """Clusters compared with each cluster in the event pass (nearest by centroid)."""
    piece_gap: int = 2
    """Selection: two items with sentences at most this many sentences apart in one article may be pieces of
    one report (``piece_of``)."""
    detail_gap: int = 4
    """Selection: a sentence that leans on its context up to this many sentences after a shown item's sentence
    in one of its articles is a detail of that item (``detail_of``), not an item of its own."""
    piece_sim: float = 0.55
    """Selection: cosine of two such items' texts at or above which they are pieces of one event's report
    (dev-day recall 0.55: 33/39, 0.6: 32, 0.7 and off: 30; leave-one-day-out 32/39)."""

    # -- Across days (history: is today's event one an earlier briefing already held?) -- see ``same_event_across_days``
    history_min_sim: float = 0.66
    """Across days, the closest pair of facts (today's, an earlier day's) must reach this cosine before the
    "same event" test is asked at all: reports of one event on two days are worded apart (0.45-0.8), but an
    ongoing story brings many loosely similar reports of *other* events (yesterday's pledge, today's shelling)."""
    history_date_window_days: int = 3
    """Across days, event dates further apart than this are two events (a tally "as of Sunday" is still the
    count a Wednesday report updates; a strike on the same market a week later is another strike)."""
    history_fingerprint_min: float = 10.0
    """Two facts giving the same count of the same kind (4 million refugees) tell one fact when the count is at
    least this (2 killed, 3 injured recur everywhere): within a day at ``loose_sim``, across days above
    ``history_min_sim`` (or ``history_fingerprint_sim`` with a shared place or actor)."""
    history_fingerprint_sim: float = 0.6
    """Across days, the cosine enough (below ``history_min_sim``) for two facts giving the same count of the same
    kind (a fingerprint, above) that also name the same place or the same actor: a count is not reworded, the
    sentence around it is (a story told again with new details)."""
    history_retold_sim: float = 0.45
    """Across days, the cosine enough for a fact that dates itself to an earlier briefing's day ("Russia said on
    Tuesday it would scale down...", read on Friday) and names the same place or actor as a fact of that day's
    event: a report that dates its own event days back is retelling it (background), worded anew."""
    history_retold_days: int = 3
    """A fact "dates itself days back" when its event date is at least this many days before today's report (a
    tally "as of" two days ago is still news a report may give as current)."""
    history_story_sim: float = 0.55
    """Did an earlier briefing show the story? An event it did not show counts as shown when the briefing showed
    an event of the same day this close (closest facts) naming the same place or actor: one story the day's
    grouping kept as several events (an announcement, and the reactions to it)."""

    @classmethod
    def from_config(cls, config) -> "Params":
        merge = getattr(config, "merge", None)
        if merge is None:
            return cls()
        return cls(merge_sim=merge.threshold, verbatim_ratio=merge.syndicated_threshold)


_PLACE_LABELS = {"GPE", "LOC", "FAC"}
_ACTOR_LABELS = {"PERSON", "ORG"}  # nationalities ("Russian", "Ukrainian") are in every report: no tie
_ATTACK = re.compile(
    r"\b(strik\w*|struck|hit|hits|hitting|attack\w*|shell\w*|bomb\w*|missiles?|rockets?|airstrikes?|"
    r"air\s+strikes?|target\w*|destroy\w*|damag\w*|raid\w*|explosions?|blasts?|fire\w*)\b",
    re.IGNORECASE,
)
# What an attack hits: a generic vocabulary of news targets, compared by 5-letter stems.
_TARGET_WORDS = (
    "market", "bazaar", "building", "hospital", "clinic", "school", "kindergarten", "university", "theatre",
    "theater", "station", "depot", "plant", "factory", "base", "airport", "airfield", "bridge", "port", "mall",
    "shopping", "supermarket", "store", "shop", "bakery", "church", "cathedral", "mosque", "synagogue",
    "apartment", "residential", "house", "homes", "administration", "administrative", "headquarters",
    "barracks", "warehouse", "refinery", "tower", "maternity", "shelter", "train", "railway", "convoy", "dam",
    "substation", "stadium", "hotel", "office", "embassy", "checkpoint", "prison", "reactor", "pipeline", "ship",
    "vessel", "cruiser", "bus", "car", "queue", "bread", "park", "square", "museum", "library",
    "neighbourhood", "neighborhood", "harbour", "harbor", "oil", "fuel", "ammunition",
    "arsenal", "airbase", "command", "hostel", "dormitory", "nursing", "cafe", "restaurant",
)
def stem(word: str) -> str:
    """The crude stem every same-event and same-point test compares: the first five letters ("hospitals" ->
    "hospi"). Good enough for English news nouns and verbs, and the same everywhere it is used."""
    return word.lower()[:5]


_TARGET_STEMS = frozenset(stem(w) for w in _TARGET_WORDS)
# Targets that name the same thing in other words ("the administration building" = "administrative building").
# "Regional government headquarters" and "regional administration building" name one seat of an authority.
_TARGET_SYNONYMS = {"admin": "admin", "headq": "admin", "build": "build", "house": "homes", "homes": "homes",
                    "apart": "homes", "resid": "homes", "theat": "theat", "harbo": "port", "airba": "airpo", "airfi": "airpo"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_PLACE_NOISE = re.compile(r"^(?:the |city of |town of |village of )|(?:'s| region| oblast| province| city)$")
# Generic targets: only a tie when nothing more specific is named.
_GENERIC_TARGETS = frozenset({"build", "homes"})
# Above this many facts, candidate clusters are found through deterministic random-hyperplane LSH buckets.
LSH_MIN = 3000
LSH_TABLES, LSH_BITS = 8, 10
_FIGURE_KINDS_IGNORED = ("", "other", "money")


@dataclass(frozen=True)
class Anchors:
    """What ties a report to an event, besides its meaning."""

    places: frozenset[str] = frozenset()
    """Specific places named (countries left out: too broad to tell two events apart)."""
    context: frozenset[str] = frozenset()
    """The article's lead places, for a fact that names none (a shared anchor, never a conflict)."""
    targets: frozenset[str] = frozenset()
    figures: frozenset[tuple[str, float]] = frozenset()
    """(category, value) of figures that count something specific (killed, injured, evacuated...)."""
    actors: frozenset[str] = frozenset()
    """Lower-cased last words of speakers and named people or organisations."""
    first: dt.date | None = None
    last: dt.date | None = None
    """Range of the event dates the reports give."""
    terms: frozenset[str] = frozenset()
    """Rare words of the day (stems) the report uses: "poisoned", "symptoms"… (only while grouping a day)."""
    actions: frozenset[str] = frozenset()
    """Kinds of action the report tells of (``ACTIONS``: "attack"…): a tie, never a conflict."""
    text: str = field(default="", compare=False)
    """Normalised wording (single facts only: for the copy test)."""

    def pooled(self, other: "Anchors") -> "Anchors":
        dates = [d for d in (self.first, self.last, other.first, other.last) if d is not None]
        return Anchors(self.places | other.places, (self.context | other.context) - (self.places | other.places),
                       self.targets | other.targets, self.figures | other.figures, self.actors | other.actors,
                       min(dates, default=None), max(dates, default=None), terms=self.terms | other.terms,
                       actions=self.actions | other.actions)

    def to_json(self) -> dict:
        return {"places": sorted(self.places), "context": sorted(self.context), "targets": sorted(self.targets),
                "figures": sorted([c, v] for c, v in self.figures), "actors": sorted(self.actors),
                "first": self.first.isoformat() if self.first else None,
                "last": self.last.isoformat() if self.last else None, "actions": sorted(self.actions)}

    @classmethod
    def from_json(cls, data: dict) -> "Anchors":
        def day(v):
            return dt.date.fromisoformat(v) if v else None

        return cls(frozenset(data.get("places") or ()), frozenset(data.get("context") or ()),
                   frozenset(data.get("targets") or ()),
                   frozenset((str(c), float(v)) for c, v in data.get("figures") or ()),
                   frozenset(data.get("actors") or ()), day(data.get("first")), day(data.get("last")),
                   actions=frozenset(data.get("actions") or ()))


# -------------------------------------------------------------------------------------------------- anchors


def _last_day(fact: Fact) -> dt.date | None:
    """The latest day the fact's event can be on: its date, or the week's last day for a date known only to the
    week ("earlier this week" is dated to the Monday), so that it never conflicts with a day of that week."""
    if fact.date is not None and fact.date_precision == "week":
        return fact.date + dt.timedelta(days=6)
    return fact.date


def anchors_of(fact: Fact, context: Iterable[str] = ()) -> Anchors:
    """The anchors of one fact; ``context`` are the places it leans on (used when it names none)."""
    places = frozenset(p for p in (_place_key(e.text) for e in fact.entities if e.label in _PLACE_LABELS) if p)
    from .extract.speakers import is_outlet_name

    # A news organisation that reports it ("Reuters", "the Wall Street Journal") is no actor of the event.
    actors = {actor_key(e.text) for e in fact.entities if e.label in _ACTOR_LABELS and not is_outlet_name(e.text)}
    if fact.speaker and not is_outlet_name(fact.speaker):
        actors.add(actor_key(fact.speaker))
    actors -= _broad_actors(frozenset(actors))
    figures = frozenset((f.category or f.unit, float(f.value)) for f in fact.figures
                        if (f.category or f.unit) not in _FIGURE_KINDS_IGNORED)
    return Anchors(places=places, context=frozenset() if places else frozenset(context),
                   targets=targets_of(fact.text), figures=figures, actors=frozenset(a for a in actors if a),
                   first=fact.date, last=_last_day(fact), text=normalise(fact.text), actions=actions_of(fact.text))


@functools.lru_cache(maxsize=65536)
def _broad_actors(actors: frozenset[str]) -> frozenset[str]:
    """Actors that tie nothing: a country or a people ("Russia said", "Ukrainian negotiators", an ORG the NER took
    for one) is a side of every report of the war, not who did this."""
    from .nlp import known_countries

    return frozenset(a for a in actors if a in known_countries() or _DEMONYM.search(a))


_DEMONYM = re.compile(r"(?:ian|ean|ese|ish)$")


def pool(anchors: Iterable[Anchors]) -> Anchors:
    out = Anchors()
    for a in anchors:
        out = out.pooled(a)
    return out


def context_places(facts: Sequence[Fact], lead: int = 2, before: int = 2) -> dict[str, frozenset[str]]:
    """Fact id -> the specific places a sentence leans on when it names none: those of the ``before`` sentences
    just before it in its article, else its article's first ``lead`` sentences (the lead or dateline)."""
    by_article: dict[str, list[Fact]] = defaultdict(list)
    for f in facts:
        by_article[f.article_id].append(f)
    out: dict[str, frozenset[str]] = {}
    for members in by_article.values():
        members.sort(key=lambda f: f.index)
        places = [frozenset(p for p in (_place_key(e.text) for e in f.entities if e.label in _PLACE_LABELS) if p)
                  for f in members]
        lead_set = frozenset().union(*(p for f, p in zip(members, places) if f.index < lead))
        for k, f in enumerate(members):
            near = frozenset().union(*(p for g, p in zip(members[max(0, k - before):k], places[max(0, k - before):k])
                                       if f.index - g.index <= before))
            out[f.id] = near or lead_set
    return out


_STOPWORDS = frozenset(
    "about above after again against among around because before being below between billion could during "
    "every further having million other their there these those through under until where which while would "
    "should since still today tuesday monday wednesday thursday friday saturday sunday said says according "
    "people country countries government president minister officials official state states region added "
    "reported report reports told statement think without within another including already however".split())
# A word is rare on the day when at most this share of the day's articles use it (and at least two do).
RARE_SHARE = 0.25
RARE_MIN = 3


def rare_terms(facts: Sequence[Fact]) -> list[frozenset[str]]:
    """Per fact, the stems of its words that few of the day's facts use (a topic's own vocabulary)."""
    stems = [frozenset(w.lower()[:7] for w in _WORD.findall(f.text)
                       if len(w) >= 5 and w.lower() not in _STOPWORDS and not w[0].isupper()) for f in facts]
    df: dict[str, set[str]] = defaultdict(set)
    for f, ss in zip(facts, stems):
        for stem in ss:
            df[stem].add(f.article_id)
    limit = max(RARE_MIN, int(RARE_SHARE * len({f.article_id for f in facts})))
    return [frozenset(x for x in ss if 2 <= len(df[x]) <= limit) for ss in stems]


def targets_of(text: str) -> frozenset[str]:
    """Stems of what an attack in the sentence hit ("market", "build"+"admin"...), from the attack word on."""
    m = _ATTACK.search(text)
    if not m:
        return frozenset()
    words = _WORD.findall(text[m.start():])
    stems = (stem(w) for w in words)
    return frozenset(_TARGET_SYNONYMS.get(s, s) for s in stems if s in _TARGET_STEMS)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text.lower())).strip()


def _place_key(name: str) -> str:
    from .nlp import known_countries

    key = _PLACE_NOISE.sub("", normalise(name)).strip()
    key = _PLACE_NOISE.sub("", key).strip()
    if not key or key in known_countries() or key in _BROAD_PLACES:
        return ""
    if _DEMONYM.search(key):
        return ""  # a demonym the NER took for a place ("Ukrainian")
    return key


def place_form(key: str) -> str:
    """A place key with the usual transliteration variants folded, for comparing, never for showing: "Kyiv" and
    "Kiev", "Chernihiv" and "Chernigiv", "Luhansk" and "Lugansk", "Odesa" and "Odessa" give one form."""
    form = key.replace("ie", "i")
    form = re.sub(r"(?<=[a-z])y", "i", form)
    form = re.sub(r"(?<=[aeiou])g(?=[aeiou])", "h", form)
    return re.sub(r"([a-z])\1+", r"\1", form)


@functools.lru_cache(maxsize=65536)
def _forms(places: frozenset[str]) -> frozenset[str]:
    return frozenset(place_form(p) for p in places)


def place_forms(places: frozenset[str]) -> frozenset[str]:
    """The ``place_form`` of each place of a set (cached: the same sets are compared many times a day)."""
    return _forms(places) if places else places


# Kinds of action a report tells of: two reports of one kind at one place are likely one event. Attacks only for
# now: the other kinds of a conflict day (talks, evacuations) are told of by most of that day's reports.
ACTIONS = {"attack": re.compile(
    r"\b(shell(?:s|ed|ing)?|bomb(?:s|ed|ing|ard\w*)?|(?:air\s*)?strikes?|struck(?!\s+(?:a|an|the)\s+(?:deal|agreement|balance|tone|chord))|missiles?|rockets?|artillery|"
    r"attack(?:s|ed)?|raids?|explosions?|blasts?|drones?)\b", re.IGNORECASE)}


def actions_of(text: str) -> frozenset[str]:
    return frozenset(kind for kind, pattern in ACTIONS.items() if pattern.search(text))


# Regions too broad to tell two events apart (continents, blocs, the usual "the West").
_BROAD_PLACES = frozenset({"europe", "the west", "west", "east", "eastern europe", "western europe", "asia",
                           "africa", "america", "north america", "the united states", "us", "u s", "uk", "eu"})


def actor_form(key: str) -> str:
    """An actor key with its vowels left out after the first letter (``y`` a vowel) and doubled letters folded,
    for comparing, never for showing: transliterations of one name differ in their vowels ("Podolyak",
    "Podolik", "Podoliak"; "Boychenko", "Boichenko"), other names in their consonants ("Peskov", "Pestov").
    Names of fewer than six letters, places and peoples ("Ukraine", "Ukrainian": not a name spelled two ways)
    are compared as they are."""
    from .nlp import known_places

    if len(key) < 6 or not key.isalpha() or _DEMONYM.search(key) or key.title() in known_places():
        return key
    return key[0] + re.sub(r"([a-z])\1+", r"\1", re.sub(r"[aeiouy]", "", key[1:]))


@functools.lru_cache(maxsize=65536)
def actor_forms(actors: frozenset[str]) -> frozenset[str]:
    """The ``actor_form`` of each actor of a set (cached, like ``place_forms``)."""
    return frozenset(actor_form(a) for a in actors)


def actor_key(name: str) -> str:
    words = [w for w in _WORD.findall(name) if w[0].isupper()]
    return words[-1].lower().removesuffix("'s") if words else normalise(name).removeprefix("the ")


# ------------------------------------------------------------------------------------------------ the test


def conflict(a: Anchors, b: Anchors, sim: float, p: Params = Params(), dates: bool = True) -> bool:
    """Something that tells two similar reports apart as two events. Seats of government ("Washington said",
    "the Kremlin") stand for a side, not for where something happened: they never set two reports apart."""
    if dates and a.first and b.first and a.last and b.last:
        gap = max((a.first - b.last).days, (b.first - a.last).days)
        if gap > p.date_window_days:
            return True
    ta, tb = _specific(a.targets), _specific(b.targets)
    if ta and tb and not (ta & tb):
        # Two strikes on two different targets are two events, even in one city.
        return True
    if sim < p.near_certain:
        # Two strikes in two different cities are two events, however alike the sentences read.
        pa, pb = place_forms(a.places - _seats()), place_forms(b.places - _seats())
        if pa and pb and not (pa & pb):
            return True
        if _figures_conflict(a, b) and not (_specific(a.targets) & _specific(b.targets)) \
                and not (pa & pb) and sim < p.figure_conflict_sim:
            return True
    return False


@functools.lru_cache(maxsize=1)
def _seats() -> frozenset[str]:
    from .disputes import SEATS

    names = set()
    for phrases in SEATS.values():
        for phrase in phrases:
            names.update([phrase] if " " in phrase else [])
            names.update(w for w in phrase.split() if len(w) > 3)
    return frozenset(names)


def shared_anchors(a: Anchors, b: Anchors) -> int:
    """Kinds of anchors two reports share: place (own or context, any spelling), target, figure category, actor,
    kind of action, and two or more of the day's rare words."""
    pa, pb = place_forms(a.places), place_forms(b.places)
    places = bool(pa & pb) or bool(place_forms(a.context) & pb) or bool(pa & place_forms(b.context))
    targets = bool(_specific(a.targets) & _specific(b.targets)) or (
        bool(a.targets & b.targets) and not (_specific(a.targets) or _specific(b.targets)))
    figures = bool({c for c, _ in a.figures} & {c for c, _ in b.figures})
    actors = bool(a.actors & b.actors) or bool(actor_forms(a.actors) & actor_forms(b.actors))
    terms = len(a.terms & b.terms) >= 2
    actions = bool(a.actions & b.actions)
    return places + targets + figures + actors + terms + actions


def same_event(a: Anchors, b: Anchors, sim: float, p: Params = Params(), same_article: bool = False,
               dates: bool = True) -> bool:
    """Do two reports (their anchors, and the cosine ``sim`` of their embeddings) tell of the same event?
    ``dates=False`` when the anchors pool many sentences of one day, whose dates are often background."""
    if conflict(a, b, sim, p, dates):
        return False
    verbatim = bool(a.text and b.text) and _ratio(a.text, b.text) >= p.verbatim_ratio
    if same_article:
        # One article restating itself is still one source; merge only what is said twice.
        return verbatim or sim >= p.near_certain
    if verbatim or sim >= p.merge_sim:
        return True
    shared = shared_anchors(a, b)
    return (sim >= p.related_sim and shared >= 1) or (sim >= p.anchored_sim and shared >= 2) \
        or (sim >= p.loose_sim and shared >= 3) or (sim >= p.tied_sim and shared >= 4) \
        or (sim >= p.loose_sim and _same_count(a, b, sim, p))


def compatible(a: Anchors, b: Anchors, p: Params = Params()) -> bool:
    """A report may join a group only if it contradicts none of its members (targets, dates)."""
    ta, tb = _specific(a.targets), _specific(b.targets)
    if ta and tb and not (ta & tb):
        return False
    if a.first and b.first and abs((a.first - b.first).days) > p.date_window_days:
        return False
    return True


def same_topic(sim: float, shares_entity: bool, p: Params = Params()) -> bool:
    """Two claims on one topic (for disputes): moderately similar, or less so with a shared named entity."""
    return sim >= p.topic_sim or (shares_entity and sim >= p.topic_sim_with_entity)


def copy_like(a: Anchors, b: Anchors, sim: float, p: Params = Params()) -> bool:
    """Two sentences of two articles that read as copies of one another (syndicated or reworded wire copy)."""
    return sim >= p.copy_sim or (bool(a.text and b.text) and _ratio(a.text, b.text) >= p.copy_ratio)


def _specific(targets: frozenset[str]) -> frozenset[str]:
    return targets - _GENERIC_TARGETS


def _figures_conflict(a: Anchors, b: Anchors) -> bool:
    """Same kind of figure given with clearly different values (none in common or within ``_FIGURE_CLOSE``:
    "3.9 million" and "4 million" refugees are one count, rounded)."""
    by_a: dict[str, set[float]] = defaultdict(set)
    by_b: dict[str, set[float]] = defaultdict(set)
    for c, v in a.figures:
        by_a[c].add(v)
    for c, v in b.figures:
        by_b[c].add(v)
    return any(not any(abs(x - y) <= _FIGURE_CLOSE * max(x, y) for x in by_a[c] for y in by_b[c])
               for c in set(by_a) & set(by_b))


_FIGURE_CLOSE = 0.1


def _ratio(x: str, y: str) -> float:
    from rapidfuzz import fuzz

    return fuzz.ratio(x, y)


def piece_of(a_at: Iterable[tuple[str, int]], b_at: Iterable[tuple[str, int]], a: Anchors, b: Anchors, sim: float,
             p: Params = Params()) -> bool:
    """For selection, not grouping: is ``b`` another piece of the report ``a`` belongs to? Two items whose
    sentences stand at most ``piece_gap`` sentences apart in one article (``a_at``, ``b_at``: (article id,
    sentence index) of their facts) and read alike (``piece_sim``) continue one report ("Japan will ban luxury
    exports..." then "Goods in the ban include..."), unless their own anchors tell them apart: ``conflict``
    (places, targets, tolls), or figures of different kinds (a toll beside a count of evacuees). ``a``, ``b``
    are the anchors of the shown sentences, not pooled: a pooled event names every place of its sources."""
    if sim < p.piece_sim:
        return False
    near = any(x == y and abs(i - j) <= p.piece_gap for x, i in a_at for y, j in b_at)
    if not near or conflict(a, b, sim, p, dates=False):
        return False
    kinds_a, kinds_b = {c for c, _ in a.figures}, {c for c, _ in b.figures}
    return not (kinds_a and kinds_b and not (kinds_a & kinds_b))


# A sentence that points back at one before it: "the claim", "that figure", "such a meeting", "the city" (in a
# sentence that names no place).
_BACK_REFERENCE = re.compile(
    r"\b(?:such an?|(?:of|among) (?:them|those|these)|(?:the|that|this|these|those)(?-i: [a-z][\w-]*)? (?:claims?|figures?|numbers?|tolls?|"
    r"moves?|decisions?|announcements?|statements?|remarks|comments|proposals?|suggestions?|offers?|incidents?|"
    r"reasons?|city|town|village|region|building|attacks?|strikes?|targets?|damage|blast|explosion|victims|"
    r"meeting))\b", re.IGNORECASE)


# A sentence that opens on someone or something named before it ("He added ...", "This comes after ..."), or a
# subordinate clause standing alone ("Although we don't see him as a neutral party.").
_POINTS_BACK = re.compile(r"[\"“']?(?:(?:He|She|They|His|Her|Their|Its|This|These|Those|Other|Another)\b|"
                          r"(?:Although|Though|Because|Whereas)\b[^,;:]*[.!?][\"”']?(?:\s|$))")


# A count standing for people named before it, with no noun of its own: "Nearly 300,000 have gone to Russia",
# "Another 2.3 million have arrived in Poland" (of the refugees the sentence before counted).
_BARE_COUNT = re.compile(r"(?:(?:Nearly|Almost|About|Around|Over|Some|Roughly|Another|More than|Less than|Fewer than|"
                         r"At least|Up to|An additional)\s+)?[\d][\d,.]*(?:\s+(?:million|thousand|billion))?\s+"
                         r"(?:have|had|has|were|are|was|is|more|others|of them)\b")


# Casualties told without a number or an attack ("No casualties have been confirmed so far") lean on where as much
# as a toll; "shelling along the contact line, with civilian casualties" tells its own event.
_CASUALTIES = re.compile(r"\b(?:casualties|injuries|injured|wounded|killed|dead|victims)\b", re.IGNORECASE)


def speaker_surname(speaker: str | None) -> str | None:
    """A person's last name in lower case ("Kim said": Kim the governor, not the town), or None for no speaker or
    an office ("the governor of the Kherson region": its place is a place)."""
    words = (speaker or "").split()
    if not words or not words[-1][:1].isupper() or " of " in (speaker or ""):
        return None
    return words[-1].lower().strip(".,'’")


def leans_on_context(fact: Fact, anchors: Anchors | None = None) -> bool:
    """Does a sentence read only after the one before it? A count of the dead or injured that names no place
    ("Twenty-five people have been wounded"), a back-reference ("Russia made the claim on Tuesday", "He added"),
    or a clause that is no sentence on its own ("Although we don't see him as neutral."). ``anchors``: the
    fact's own (``anchors_of``), when the caller has them."""
    names = {speaker_surname(fact.speaker)} - {None}
    own = (anchors or anchors_of(fact)).places
    if own - names - _seats():  # "returned to Moscow" does not say where it happened
        return False
    tolls = {f.category for f in fact.figures} & _TOLL_KINDS or (
        _CASUALTIES.search(fact.text) and "attack" not in actions_of(fact.text))
    return bool(tolls) or _BACK_REFERENCE.search(fact.text) is not None or _POINTS_BACK.match(fact.text) is not None \
        or _BARE_COUNT.match(fact.text) is not None


def detail_of(a_at: Iterable[tuple[str, int]], b_at: Iterable[tuple[str, int]], p: Params = Params()) -> bool:
    """For selection: is ``b``, a sentence that leans on its context (``leans_on_context``), a detail of the
    report ``a`` belongs to? It stands in one of ``a``'s articles, from the sentence before one of ``a``'s to
    ``detail_gap`` sentences after it: what it points back at is ``a``'s event."""
    return any(x == y and -1 <= j - i <= p.detail_gap for x, i in a_at for y, j in b_at)


# ------------------------------------------------------------------------------------------------ grouping


def group(facts: Sequence[Fact], vectors: np.ndarray, p: Params = Params(),
          titles: Mapping[str, np.ndarray] | None = None) -> list[list[int]]:
    """Facts (with their unit embeddings) grouped into events: lists of fact indices, in input order.
    ``titles``: article id -> the unit embedding of its title (``title_vectors``), when titles are known."""
    if not len(facts):
        return []
    context = context_places(facts)
    terms = rare_terms(facts)
    anchors = [replace(anchors_of(f, context.get(f.id, ())), terms=t) for f, t in zip(facts, terms)]
    statements = _join_continuations(_statements(facts, anchors, vectors, p), facts, anchors)
    grouped = _events(statements, anchors, vectors, p)
    if not titles:
        return grouped
    grouped = _join_stories(grouped, facts, anchors, vectors, titles, p)
    return _join_by_title(grouped, facts, anchors, vectors, titles, p)


def title_vectors(articles: Iterable) -> dict[str, np.ndarray]:
    """Article id -> unit embedding of its title, for the articles that have one."""
    from .embed import embed

    titled = sorted((a.id, a.title.strip()) for a in articles if a.title and a.title.strip())
    if not titled:
        return {}
    return {aid: v for (aid, _), v in zip(titled, embed([t for _, t in titled]))}


class _Joins:
    """Groups of fact indices joined two at a time (union-find): a joined pair keeps the lower index as its root,
    and ``groups()`` gives the joined groups, each sorted, in the order of their first fact."""

    def __init__(self, groups: list[list[int]]):
        self._groups = groups
        self._parent = list(range(len(groups)))

    def root(self, k: int) -> int:
        while self._parent[k] != k:
            self._parent[k] = self._parent[self._parent[k]]
            k = self._parent[k]
        return k

    def join(self, a: int, b: int) -> tuple[int, int] | None:
        """Join the groups of ``a`` and ``b``: (the root kept, the root joined into it), or None if already one."""
        ra, rb = self.root(a), self.root(b)
        if ra == rb:
            return None
        first, second = min(ra, rb), max(ra, rb)
        self._parent[second] = first
        return first, second

    def groups(self) -> list[list[int]]:
        joined: dict[int, list[int]] = defaultdict(list)
        for k, g in enumerate(self._groups):
            joined[self.root(k)].extend(g)
        return [sorted(m) for _, m in sorted(joined.items(), key=lambda kv: min(kv[1]))]


def _join_stories(groups: list[list[int]], facts: Sequence[Fact], anchors: list[Anchors], vectors: np.ndarray,
                  titles: Mapping[str, np.ndarray], p: Params) -> list[list[int]]:
    """Articles whose titles are close (``story_sim``) tell one story, and the group of each that tells its title
    best (``story_fit`` or more to its title or a same-story title; an event it shares with other articles
    first) is that story's report in it. Two such parts join when one of them is an article's own (joined with
    no other article), they read alike (``loose_sim``) and contradict each other in nothing (``conflict``):
    three outlets' accounts of a suspected poisoning, each worded and quoted its own way, are one event though
    no two sentences of theirs match."""
    ids = sorted(a for a in {f.article_id for f in facts} if a in titles)
    if len(ids) < 2:
        return groups
    matrix = np.stack([titles[a] for a in ids])
    story = matrix @ matrix.T >= p.story_sim
    row = {a: x for x, a in enumerate(ids)}
    articles_of = [{facts[i].article_id for i in g} for g in groups]
    of_article: dict[str, list[int]] = defaultdict(list)
    for k, arts in enumerate(articles_of):
        for aid in arts & row.keys():
            of_article[aid].append(k)
    centroids = np.stack([_unit(vectors[g].mean(axis=0)) for g in groups])
    best: dict[str, int] = {}  # article id -> its group that tells the story its title tells
    for aid, mine in of_article.items():
        fits = (centroids[mine] @ matrix[story[row[aid]]].T).max(axis=1)
        # An article already in an event of several articles that tells its story adds no more of its parts.
        for alone in (False, True):
            scored = [(float(f), -k) for f, k in zip(fits, mine) if (len(articles_of[k]) == 1) == alone]
            if scored and max(scored)[0] >= p.story_fit:
                best[aid] = -max(scored)[1]
                break
    joins = _Joins(groups)
    pairs = sorted((-float(centroids[best[a]] @ centroids[best[b]]), best[a], best[b])
                   for x, a in enumerate(ids) for y, b in enumerate(ids)
                   if x < y and story[x, y] and a in best and b in best and best[a] != best[b])
    for neg, k, m in pairs:
        sim = -neg
        if sim < p.loose_sim or min(len(articles_of[k]), len(articles_of[m])) != 1:
            continue
        if joins.root(k) != joins.root(m) and not conflict(pool(anchors[i] for i in groups[k]),
                                                           pool(anchors[i] for i in groups[m]), sim, p, dates=False):
            joins.join(k, m)
    return joins.groups()


def _join_by_title(groups: list[list[int]], facts: Sequence[Fact], anchors: list[Anchors], vectors: np.ndarray,
                   titles: Mapping[str, np.ndarray], p: Params) -> list[list[int]]:
    """An article is about the event its title tells: the event of two or more articles closest to its title
    (``title_sim`` or more). A group of that article's own sentences (none of them joined with another
    article's) joins that event when it reads like it (centroid cosine ``loose_sim``), shares an anchor with it
    and contradicts none (``conflict``): the governor's words in a report titled after the strike are the
    strike's, though they name neither the building nor the city."""
    articles_of = [{facts[i].article_id for i in g} for g in groups]
    shared = [k for k, arts in enumerate(articles_of) if len(arts) >= 2]
    if not shared:
        return groups
    centroids = np.stack([_unit(vectors[g].mean(axis=0)) for g in groups])
    pooled = [pool(anchors[i] for i in g) for g in groups]
    joins = _Joins(groups)
    told: dict[str, int | None] = {}  # article id -> the event its title tells (once per article)
    for k, g in enumerate(groups):
        if len(articles_of[k]) != 1:
            continue
        (aid,) = articles_of[k]
        if aid not in titles:
            continue
        if aid not in told:
            sims = centroids[shared] @ titles[aid]
            best = int(np.argmax(sims))
            told[aid] = shared[best] if sims[best] >= p.title_sim else None
        target = told[aid]
        if target is None:
            continue
        sim = float(centroids[k] @ centroids[target])
        a, b = pooled[k], pooled[target]
        # Who (the same actor, the same target) ties a report to the story; a place alone does not: an article
        # tells other news of the same city.
        tied = bool(actor_forms(a.actors) & actor_forms(b.actors)) or bool(_specific(a.targets) & _specific(b.targets)) \
            or all(leans_on_context(facts[i], anchors[i]) for i in g)
        if sim >= p.loose_sim and tied and not conflict(a, b, sim, p, dates=False):
            joins.join(k, target)
    return joins.groups()


_TOLL_KINDS = frozenset({"killed", "injured", "dead", "wounded", "casualties"})


def _join_continuations(clusters: list[list[int]], facts: Sequence[Fact], anchors: list[Anchors]) -> list[list[int]]:
    """A toll that names no place right after a sentence on an attack ("A missile hit the station in X. At
    least 12 people were killed.") continues that attack's report: its cluster joins the attack's."""
    where = {i: c for c, members in enumerate(clusters) for i in members}
    position = {(f.article_id, f.index): i for i, f in enumerate(facts)}
    joins = _Joins(clusters)
    for i, f in enumerate(facts):
        a = anchors[i]
        prev = position.get((f.article_id, f.index - 1))
        if prev is None or a.places or a.targets or not ({c for c, _ in a.figures} & _TOLL_KINDS):
            continue
        if anchors[prev].targets and compatible(anchors[prev], a):
            joins.join(where[prev], where[i])
    return joins.groups()


def _statements(facts: Sequence[Fact], anchors: list[Anchors], vectors: np.ndarray, p: Params) -> list[list[int]]:
    """Greedy single pass: a fact joins the most similar compatible cluster, else it seeds one."""
    lsh = Lsh(vectors.shape[1]) if len(facts) > LSH_MIN else None
    reps: list[int] = []  # fact indices compared with new facts
    rep_cluster: list[int] = []
    out: list[list[int]] = []
    n_reps: list[int] = []
    for i in range(len(facts)):
        chosen = -1
        if reps:
            cand = np.array(lsh.candidates(vectors[i]), dtype=np.int64) if lsh else np.arange(len(reps))
            if cand.size:
                sims = vectors[[reps[c] for c in cand]] @ vectors[i]
                tried: set[int] = set()
                for j in np.argsort(-sims, kind="stable")[:p.candidates]:
                    c = rep_cluster[cand[j]]
                    if c in tried:
                        continue
                    tried.add(c)
                    r = reps[cand[j]]
                    if same_event(anchors[r], anchors[i], float(sims[j]), p,
                                  same_article=facts[r].article_id == facts[i].article_id) and \
                            all(compatible(anchors[m], anchors[i], p) for m in out[c]):
                        chosen = c
                        break
        if chosen >= 0:
            out[chosen].append(i)
            # Keep members that read differently from the seed: they reach paraphrases the seed misses.
            if n_reps[chosen] < p.anchors_per_cluster and float(vectors[out[chosen][0]] @ vectors[i]) < 0.95:
                reps.append(i)
                rep_cluster.append(chosen)
                n_reps[chosen] += 1
                if lsh:
                    lsh.add(vectors[i], len(reps) - 1)
        else:
            out.append([i])
            reps.append(i)
            rep_cluster.append(len(out) - 1)
            n_reps.append(1)
            if lsh:
                lsh.add(vectors[i], len(reps) - 1)
    return out


def _events(clusters: list[list[int]], anchors: list[Anchors], vectors: np.ndarray, p: Params) -> list[list[int]]:
    """Clusters joined into events when their pooled anchors and centroid meaning pass ``same_event``."""
    if len(clusters) < 2:
        return clusters
    pooled = [pool(anchors[i] for i in members) for members in clusters]
    centroids = np.stack([_unit(vectors[members].mean(axis=0)) for members in clusters])
    pairs: list[tuple[float, int, int]] = []
    seen: set[tuple[int, int]] = set()
    k = min(p.event_neighbours, len(clusters) - 1)
    # Either cluster may have the other among its nearest: a small cluster's neighbours are not a big one's.
    for a, row, nearest in nearest_rows(centroids, k + 1):
        for b in nearest:
            b = int(b)
            pair = (min(a, b), max(a, b))
            if b == a or pair in seen or row[b] < min(p.loose_sim, p.tied_sim):
                continue
            seen.add(pair)
            if same_event(pooled[pair[0]], pooled[pair[1]], float(row[b]), p, dates=False):
                pairs.append((-float(row[b]), *pair))
    # Join the closest pairs first, and only when the two groups as they now stand still pass the test (their
    # pooled anchors, the cosine of their centroids): a chain of pairwise links never glues two events together.
    joins = _Joins(clusters)
    group_anchors = list(pooled)
    sums = [vectors[members].sum(axis=0) for members in clusters]
    for _, a, b in sorted(pairs):
        ra, rb = joins.root(a), joins.root(b)
        if ra == rb:
            continue
        sim = float(_unit(sums[ra]) @ _unit(sums[rb]))
        if not same_event(group_anchors[ra], group_anchors[rb], sim, p, dates=False):
            continue
        first, second = joins.join(ra, rb)
        group_anchors[first] = group_anchors[first].pooled(group_anchors[second])
        sums[first] = sums[first] + sums[second]
    return joins.groups()


NEAREST_BLOCK = 512
"""Rows of the cluster-to-cluster similarities held at a time: a day of n clusters never holds the n x n matrix."""


def nearest_rows(vectors: np.ndarray, n: int) -> Iterable[tuple[int, np.ndarray, np.ndarray]]:
    """For each row ``a`` of ``vectors``: (a, its similarities to every row, the ``n`` most similar rows) — the
    first ``n`` of a stable sort by decreasing similarity (ties: lower index first), found by partitioning, in
    blocks of ``NEAREST_BLOCK`` rows: memory and time grow with the rows, not with their square."""
    for start in range(0, len(vectors), NEAREST_BLOCK):
        block = vectors[start : start + NEAREST_BLOCK] @ vectors.T
        if n >= block.shape[1]:
            for r, row in enumerate(block):
                yield start + r, row, np.argsort(-row, kind="stable")
            continue
        neg = -block
        kth = np.partition(neg, n - 1, axis=1)[:, n - 1]  # per row, the n-th largest similarity
        for r in range(len(block)):
            better = np.flatnonzero(neg[r] < kth[r])
            tied = np.flatnonzero(neg[r] == kth[r])[: n - len(better)]
            chosen = np.concatenate([better, tied])
            yield start + r, block[r], chosen[np.lexsort((chosen, neg[r][chosen]))]


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n else v


class Lsh:
    """Random-hyperplane LSH with a fixed seed: the same input always gives the same buckets."""

    def __init__(self, dim: int) -> None:
        rng = np.random.default_rng(20220329)
        self.planes = rng.standard_normal((LSH_TABLES, LSH_BITS, dim)).astype(np.float32)
        self.tables: list[dict[int, list[int]]] = [defaultdict(list) for _ in range(LSH_TABLES)]
        self.weights = (1 << np.arange(LSH_BITS)).astype(np.int64)

    def _keys(self, v: np.ndarray) -> list[int]:
        bits = (self.planes @ v) > 0
        return [int(k) for k in bits.astype(np.int64) @ self.weights]

    def add(self, v: np.ndarray, anchor: int) -> None:
        for table, key in zip(self.tables, self._keys(v)):
            table[key].append(anchor)

    def candidates(self, v: np.ndarray) -> list[int]:
        found: set[int] = set()
        for table, key in zip(self.tables, self._keys(v)):
            found.update(table.get(key, ()))
        return sorted(found)


# -------------------------------------------------------------------------------------------------- theme


def theme_of(facts: Sequence[Fact]) -> str | None:
    """The event's theme by weighted vote: every themed fact votes with its score for each theme (a fact with
    a theme but no scores gives its theme one vote); facts the classifier left without a theme do not vote.
    None when no fact has a theme."""
    votes: dict[str, float] = defaultdict(float)
    for f in facts:
        if not f.theme:
            continue
        scores = dict(f.scores)
        if not scores:
            votes[f.theme] += 1.0
            continue
        for key, score in scores.items():
            votes[key] += max(float(score), 0.0)
        votes[f.theme] += 0.0
    if not votes:
        return None
    return min(votes, key=lambda k: (-votes[k], k))


# ------------------------------------------------------------------------------------------- across days


def same_event_across_days(today: Sequence[Anchors], today_vectors: np.ndarray, past: Sequence[Anchors],
                           past_vectors: np.ndarray, p: Params = Params(), today_date: dt.date | None = None,
                           past_date: dt.date | None = None) -> bool:
    """Is today's event (its facts' anchors and unit embeddings) one an earlier day's event (the same, as
    stored by the history) already told? The test the merge uses (``same_event``), asked of the two events
    as wholes (pooled anchors; the better of the centroids' cosine and the closest pair of facts) and of
    every pair of their facts, with the date window of ``history_date_window_days``; nothing matches unless
    the closest pair of facts reaches ``history_min_sim`` — save a count told again (``_fingerprint``) or,
    given the two report dates, a fact dated to the earlier report's day (``_retold``)."""
    if not len(today) or not len(past) or _later_attack(today, past):
        return False
    # A kind of action is no tie across days: an ongoing war has attacks at the same places every day.
    today = [replace(a, actions=frozenset()) if a.actions else a for a in today]
    past = [replace(a, actions=frozenset()) if a.actions else a for a in past]
    sims = np.asarray(today_vectors, dtype=np.float32) @ np.asarray(past_vectors, dtype=np.float32).T
    best = float(sims.max())
    q = replace(p, date_window_days=p.history_date_window_days)
    if today_date and past_date and _retold(today, past, sims, q, today_date, past_date):
        return True
    if best < p.history_min_sim:
        return _fingerprint(today, past, sims, q)
    centroid = float(_unit(np.asarray(today_vectors).mean(axis=0)) @ _unit(np.asarray(past_vectors).mean(axis=0)))
    if same_event(pool(today), pool(past), max(centroid, best), q):
        return True
    for i, j in zip(*np.nonzero(sims >= p.history_min_sim)):
        if same_event(today[i], past[j], float(sims[i, j]), q):
            return True
        # The same count of the same kind (6.5 million displaced, 2,600 buildings) in two similar reports is
        # one fact told again: a count is a fingerprint the wording does not change.
        if _same_count(today[i], past[j], float(sims[i, j]), q):
            return True
        # The same two (or more) named actors, at a cosine that two kinds of shared anchors would need: one
        # statement about them told again ("a meeting between the two presidents"), spelled either way.
        if sims[i, j] >= p.anchored_sim and len(_spellings(today[i].actors) & _spellings(past[j].actors)) >= 2 \
                and not conflict(today[i], past[j], float(sims[i, j]), q):
            return True
    return False


def _later_attack(today: Sequence[Anchors], past: Sequence[Anchors]) -> bool:
    """Today's event is an attack dated after every date of the earlier event: another attack, however much its
    reports recall the earlier event (shelling the night after a pledge to scale down; the same town hit again).
    An attack dated to the earlier event's days (its toll updated today) is still that event."""
    attack_days = [a.first for a in today if a.first and "attack" in a.actions]
    past_days = [d for a in past for d in (a.first, a.last) if d]
    return bool(attack_days and past_days) and min(attack_days) > max(past_days)


def _spellings(actors: frozenset[str]) -> set[str]:
    """Actor keys with doubled letters collapsed: two transliterations of one name ("Zelenskyy", "Zelensky";
    "Al-Assad", "Al-Asad") compare equal."""
    return {re.sub(r"(.)\1+", r"\1", a) for a in actors}


def _same_count(a: Anchors, b: Anchors, sim: float, p: Params) -> bool:
    """Two facts giving the same count (at least ``history_fingerprint_min``) of the same kind, not in conflict."""
    return bool(a.figures & b.figures) and not conflict(a, b, sim, p) and \
        any(v >= p.history_fingerprint_min for _, v in a.figures & b.figures)


def same_scope(a: Anchors, b: Anchors) -> bool:
    """Two facts naming the same specific place (own, or one's context) or the same actor (``shared_anchors``)."""
    return bool(a.places & (b.places | b.context)) or bool(a.context & b.places) or \
        bool(actor_forms(a.actors) & actor_forms(b.actors))


def _retold(today: Sequence[Anchors], past: Sequence[Anchors], sims: np.ndarray, p: Params, today_date: dt.date,
            past_date: dt.date) -> bool:
    """A fact of today dated ``history_retold_days`` or more back, on the earlier report's day (or the day
    before it: news tells yesterday's events), at ``history_retold_sim`` or more to a fact of that report with the
    same place or actor and no conflict: the same event retold as background."""
    for i, j in zip(*np.nonzero(sims >= p.history_retold_sim)):
        a, b = today[i], past[j]
        if not (a.first and a.last) or a.last > today_date - dt.timedelta(days=p.history_retold_days):
            continue
        if not (past_date - dt.timedelta(days=1) <= a.first and a.last <= past_date):
            continue
        if same_scope(a, b) and not conflict(a, b, float(sims[i, j]), p):
            return True
    return False


def _fingerprint(today: Sequence[Anchors], past: Sequence[Anchors], sims: np.ndarray, p: Params) -> bool:
    """Below ``history_min_sim``: a pair of facts at ``history_fingerprint_sim`` or more giving the same count of
    the same kind about the same place or by the same actor."""
    for i, j in zip(*np.nonzero(sims >= p.history_fingerprint_sim)):
        a, b = today[i], past[j]
        if same_scope(a, b) and _same_count(a, b, float(sims[i, j]), p):
            return True
    return False
