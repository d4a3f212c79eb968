"""Merge the same fact reported by several articles into one item that lists every source.

Two facts are the same when their sentence embeddings are close (machine-reworded paraphrases included) or
their wording is nearly identical (syndicated copies, light edits), and nothing tells them apart:

* different places named, or event dates more than a day apart;
* different targets of an attack ("a strike on a market" vs "a strike on the administration building"), even in
  the same city;
* the same kind of figure with different values (5 killed vs 12 killed) and no shared target to show that one
  is an updated toll of the other.

Candidates are blocked by theme. Inside a block each fact is compared with a few anchors (members) of every
cluster found so far through one matrix-vector product; above a few thousand facts a block switches to
deterministic random-hyperplane LSH buckets (fixed seed) so that only anchors sharing a bucket are compared.

Support: every article is mapped to a *story* — articles that share most of their facts almost word for word
(syndicated or machine-reworded copies of one wire story) are one story — and an item's independent outlets
are its distinct stories (two articles of one outlet count once). An item whose every fact is a party's own
claim ("Russia's defence ministry said…") is a ``claim`` however many outlets repeat it.
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .config import Config
from .models import Article, Fact, Item, Support

log = logging.getLogger(__name__)

_PLACE_LABELS = {"GPE", "LOC", "FAC"}
# Above this the sentences say the same thing whatever the place guard says (the NER may have missed one).
_NEAR_CERTAIN = 0.93
# Below the merge threshold by at most this much, two facts still merge when anchored by a shared place,
# a shared attack target and a shared kind of figure (an updated toll worded differently).
_ANCHORED_MARGIN = 0.08
# Same kind of figure, different values, no shared target: only merge above this similarity.
_FIGURE_CONFLICT_SIM = 0.9
# Anchors kept per cluster (the seed and the members least like it), compared with each new fact.
_ANCHORS_PER_CLUSTER = 3
_CANDIDATES = 8
# Blocks larger than this use LSH buckets to find candidate anchors.
_LSH_MIN_BLOCK = 3000
_LSH_TABLES, _LSH_BITS = 8, 10
# Two articles are copies of one story when at least this share of the smaller one's facts are merged with
# the other's, and the merged pairs read as copies (near-identical wording or embedding).
_COPY_SHARE = 0.5
_COPY_SIM = 0.9
_COPY_RATIO = 85.0

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
    "vessel", "cruiser", "bus", "car", "queue", "bread", "park", "square", "museum", "library", "village",
    "district", "neighbourhood", "neighborhood", "port", "harbour", "harbor", "oil", "fuel", "ammunition",
    "arsenal", "airbase", "command", "hostel", "dormitory", "nursing", "cafe", "restaurant",
)
_TARGET_STEMS = frozenset(w[:5] for w in _TARGET_WORDS)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


@dataclass(frozen=True)
class Merged:
    items: tuple[Item, ...]
    unthemed: tuple[Fact, ...]
    copies: dict
    """article id -> id of the first article it is a copy of (syndicated or reworded; for counting outlets)."""


def dedupe(facts: Sequence[Fact], articles: Sequence[Article], config: Config) -> Merged:
    """Themed facts grouped into items (one per event or statement); facts with no theme are set aside."""
    from .embed import embed

    themed = [f for f in facts if f.theme]
    unthemed = tuple(f for f in facts if not f.theme)
    if not themed:
        return Merged((), unthemed, {})
    vectors = embed([f.text for f in themed])
    clusters = cluster_facts(themed, vectors, config)
    by_id = {a.id: a for a in articles}
    copies = copy_groups(themed, clusters, vectors, by_id)
    items = [_item(themed, members, by_id, copies) for members in clusters]
    items.sort(key=lambda it: it.id)
    return Merged(tuple(items), unthemed, copies)


# ------------------------------------------------------------------------------------------------ clustering


def cluster_facts(facts: Sequence[Fact], vectors: np.ndarray, config: Config) -> list[list[int]]:
    """Greedy single-pass clustering inside each theme block: a fact joins the most similar compatible
    cluster (compared through its anchors), else it seeds a new cluster. Deterministic: input order only."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, fact in enumerate(facts):
        blocks[fact.theme or ""].append(i)
    clusters: list[list[int]] = []
    for key in sorted(blocks):
        clusters.extend(_cluster_block(facts, vectors, blocks[key], config))
    return clusters


def _cluster_block(facts: Sequence[Fact], vectors: np.ndarray, members: list[int], config: Config) -> list[list[int]]:
    lsh = _Lsh(vectors.shape[1]) if len(members) > _LSH_MIN_BLOCK else None
    anchors: list[int] = []  # fact indices
    anchor_cluster: list[int] = []  # cluster number of each anchor
    out: list[list[int]] = []
    n_anchors: list[int] = []  # anchors per cluster
    for i in members:
        chosen = -1
        if anchors:
            cand = np.array(lsh.candidates(vectors[i]), dtype=np.int64) if lsh else np.arange(len(anchors))
            if cand.size:
                sims = vectors[[anchors[c] for c in cand]] @ vectors[i]
                order = np.argsort(-sims, kind="stable")[:_CANDIDATES]
                tried: set[int] = set()
                for j in order:
                    c = anchor_cluster[cand[j]]
                    if c in tried:
                        continue
                    tried.add(c)
                    if same_event(facts[anchors[cand[j]]], facts[i], float(sims[j]), config) and \
                            all(_compatible_member(facts[m], facts[i]) for m in out[c]):
                        chosen = c
                        break
        if chosen >= 0:
            out[chosen].append(i)
            if n_anchors[chosen] < _ANCHORS_PER_CLUSTER:
                seed = out[chosen][0]
                # Keep members that read differently from the seed: they reach paraphrases the seed misses.
                if float(vectors[seed] @ vectors[i]) < 0.95:
                    anchors.append(i)
                    anchor_cluster.append(chosen)
                    n_anchors[chosen] += 1
                    if lsh:
                        lsh.add(vectors[i], len(anchors) - 1)
        else:
            out.append([i])
            anchors.append(i)
            anchor_cluster.append(len(out) - 1)
            n_anchors.append(1)
            if lsh:
                lsh.add(vectors[i], len(anchors) - 1)
    return out


class _Lsh:
    """Random-hyperplane LSH with a fixed seed: the same input always gives the same buckets."""

    def __init__(self, dim: int) -> None:
        rng = np.random.default_rng(20220329)
        self.planes = rng.standard_normal((_LSH_TABLES, _LSH_BITS, dim)).astype(np.float32)
        self.tables: list[dict[int, list[int]]] = [defaultdict(list) for _ in range(_LSH_TABLES)]
        self.weights = (1 << np.arange(_LSH_BITS)).astype(np.int64)

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


def same_event(a: Fact, b: Fact, sim: float, config: Config) -> bool:
    """Do facts ``a`` and ``b`` (cosine similarity ``sim``) report the same event or statement?"""
    from rapidfuzz import fuzz

    verbatim = fuzz.ratio(_norm(a.text), _norm(b.text)) >= config.merge.syndicated_threshold
    if a.article_id == b.article_id:
        # One article restating itself is still one source; merge only what is said twice.
        return (verbatim or sim >= _NEAR_CERTAIN) and not _conflict(a, b, sim)
    if _conflict(a, b, sim):
        return False
    if verbatim or sim >= config.merge.threshold:
        return True
    if sim >= config.merge.threshold - _ANCHORED_MARGIN:
        return bool(_places(a) & _places(b)) and bool(_targets(a.text) & _targets(b.text)) \
            and bool(_figure_categories(a) & _figure_categories(b))
    return False


def _compatible_member(m: Fact, f: Fact) -> bool:
    """A new fact must not contradict any member of the cluster it joins (targets, places, dates)."""
    ta, tb = _targets(m.text), _targets(f.text)
    if ta and tb and not (ta & tb):
        return False
    if m.date and f.date and abs((m.date - f.date).days) > 1:
        return False
    return True


def _conflict(a: Fact, b: Fact, sim: float) -> bool:
    """Something that tells two similar sentences apart as two events."""
    if a.date and b.date and abs((a.date - b.date).days) > 1:
        return True
    ta, tb = _targets(a.text), _targets(b.text)
    if ta and tb and not (ta & tb):
        # Two strikes on two different targets are two events, even in one city.
        return True
    if sim < _NEAR_CERTAIN:
        pa, pb = _places(a), _places(b)
        # Two strikes in two different cities are two events, however alike the sentences read.
        if pa and pb and not (pa & pb):
            return True
        if _figures_conflict(a, b) and not (ta & tb) and sim < _FIGURE_CONFLICT_SIM:
            return True
    return False


def _figures_conflict(a: Fact, b: Fact) -> bool:
    """Same kind of figure given with clearly different values (and no value in common)."""
    by_a: dict[str, set[float]] = defaultdict(set)
    by_b: dict[str, set[float]] = defaultdict(set)
    for f in a.figures:
        by_a[f.category or f.unit].add(f.value)
    for f in b.figures:
        by_b[f.category or f.unit].add(f.value)
    for cat in set(by_a) & set(by_b):
        if cat in ("", "other", "money"):
            continue
        if not (by_a[cat] & by_b[cat]):
            return True
    return False


def _figure_categories(f: Fact) -> set[str]:
    return {fig.category or fig.unit for fig in f.figures}


def _places(f: Fact) -> set[str]:
    return {_norm(e.text).removeprefix("the ") for e in f.entities if e.label in _PLACE_LABELS}


def _targets(text: str) -> frozenset[str]:
    """Stems of what an attack in the sentence hit ("market", "build"+"admin"...), from the attack word on."""
    m = _ATTACK.search(text)
    if not m:
        return frozenset()
    words = _WORD.findall(text[m.start():])
    return frozenset(w.lower()[:5] for w in words if w.lower()[:5] in _TARGET_STEMS)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text.lower())).strip()


# ---------------------------------------------------------------------------------------------- copies, items


def copy_groups(facts: Sequence[Fact], clusters: list[list[int]], vectors: np.ndarray,
                articles: dict[str, Article]) -> dict[str, str]:
    """Articles that share most of their facts, worded as copies, with an earlier article are copies of one
    story (syndicated, lightly edited or machine-reworded wire copy): they count as one outlet.
    Returns article id -> the id of the story's first article (only for articles that are copies)."""
    from rapidfuzz import fuzz

    per_article: dict[str, int] = defaultdict(int)
    for fact in facts:
        per_article[fact.article_id] += 1
    shared: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for members in clusters:
        first: dict[str, int] = {}
        for i in members:
            first.setdefault(facts[i].article_id, i)
        ids = sorted(first)
        for x in range(len(ids)):
            for y in range(x + 1, len(ids)):
                i, j = first[ids[x]], first[ids[y]]
                copy_like = float(vectors[i] @ vectors[j]) >= _COPY_SIM or \
                    fuzz.ratio(_norm(facts[i].text), _norm(facts[j].text)) >= _COPY_RATIO
                shared[(ids[x], ids[y])].append(copy_like)
    order = _article_order(articles)
    parent: dict[str, str] = {}

    def root(a: str) -> str:
        while parent.get(a, a) != a:
            a = parent[a]
        return a

    for (a, b), pairs in sorted(shared.items()):
        smaller = min(per_article[a], per_article[b])
        copied = sum(pairs)
        if smaller and copied >= 2 and copied / smaller >= _COPY_SHARE:
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


def _item(facts: Sequence[Fact], members: list[int], articles: dict[str, Article], copies: dict[str, str]) -> Item:
    group = [facts[i] for i in members]
    best = max(group, key=_representative_score)
    ordered = sorted(group, key=_source_order(articles))
    sources = tuple(dict.fromkeys(f.article_id for f in ordered))
    return Item(
        id=best.id,
        text=best.text,
        theme=best.theme,
        facts=tuple(ordered),
        sources=sources,
        speaker=best.speaker or next((f.speaker for f in group if f.speaker), None),
        figures=tuple(dict.fromkeys(fig for f in ordered for fig in f.figures)),
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
                fuzz.ratio(_norm(body), _norm(_unquoted(f.text))) >= 95 for _, f in stories):
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


def _representative_score(fact: Fact) -> tuple:
    words = len(fact.text.split())
    # Clear, attributed, with figures, of news length, and early in its article.
    length_fit = -abs(words - 28) / 28
    return (
        bool(fact.speaker) + bool(fact.figures) + (not fact.hedged) + length_fit - 0.05 * min(fact.index, 10),
        -fact.index,
        fact.id,
    )


def _source_order(articles: dict[str, Article]):
    def key(fact: Fact):
        a = articles.get(fact.article_id)
        return (a.published.toordinal() if a and a.published else math.inf, fact.article_id, fact.index)

    return key
