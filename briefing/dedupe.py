"""Merge the same fact reported by several articles into one item that lists every source.

Two facts are the same when their sentence embeddings are close (reworded paraphrases included) or their
wording is nearly identical (syndicated copies), and nothing tells them apart: different places named,
different event dates, or a different theme. Candidates are blocked by theme and compared through a matrix
product per block, so cost grows with the size of a theme's block, not with all pairs of the day.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .config import Config
from .models import Article, Fact, Item, Support

log = logging.getLogger(__name__)

_PLACE_LABELS = {"GPE", "LOC", "FAC"}
# Above this the sentences say the same thing whatever the entity guards say (the NER may have missed one).
_NEAR_CERTAIN = 0.93


@dataclass(frozen=True)
class Merged:
    items: tuple[Item, ...]
    unthemed: tuple[Fact, ...]
    copies: dict
    """article id -> id of the first article it is a syndicated copy of (for counting outlets)."""


def dedupe(facts: Sequence[Fact], articles: Sequence[Article], config: Config) -> Merged:
    """Themed facts grouped into items (one per event or statement); facts with no theme are set aside."""
    from .embed import embed

    themed = [f for f in facts if f.theme]
    unthemed = tuple(f for f in facts if not f.theme)
    if not themed:
        return Merged((), unthemed, {})
    vectors = embed([f.text for f in themed])
    clusters = _cluster(themed, vectors, config)
    by_id = {a.id: a for a in articles}
    copies = _copy_groups(themed, clusters, by_id)
    items = [_item(themed, members, vectors, by_id, copies) for members in clusters]
    items.sort(key=lambda it: it.id)
    return Merged(tuple(items), unthemed, copies)


def _cluster(facts: list[Fact], vectors: np.ndarray, config: Config) -> list[list[int]]:
    """Greedy single-pass clustering inside each theme block: a fact joins the cluster whose seed it is
    most similar to, when close enough and compatible; else it seeds a new cluster."""
    from rapidfuzz import fuzz

    blocks: dict[str, list[int]] = defaultdict(list)
    for i, fact in enumerate(facts):
        blocks[fact.theme or ""].append(i)
    clusters: list[list[int]] = []
    for key in sorted(blocks):
        members = blocks[key]
        seeds: list[int] = []
        seed_clusters: list[list[int]] = []
        for i in members:
            best, best_sim = -1, 0.0
            if seeds:
                sims = vectors[seeds] @ vectors[i]
                order = np.argsort(-sims, kind="stable")
                for j in order[:5]:
                    s = seeds[j]
                    sim = float(sims[j])
                    same_wording = fuzz.token_set_ratio(facts[s].text, facts[i].text) >= config.merge.syndicated_threshold
                    if (sim >= config.merge.threshold or same_wording) and _compatible(facts[s], facts[i], sim, same_wording):
                        best, best_sim = j, sim
                        break
            if best >= 0:
                seed_clusters[best].append(i)
            else:
                seeds.append(i)
                seed_clusters.append([i])
        clusters.extend(seed_clusters)
    return clusters


def _compatible(a: Fact, b: Fact, sim: float, same_wording: bool) -> bool:
    if a.article_id == b.article_id and not same_wording:
        # One article restating itself is still one source; keep both only if they differ.
        return sim >= _NEAR_CERTAIN
    if same_wording or sim >= _NEAR_CERTAIN:
        return True
    if a.date and b.date and abs((a.date - b.date).days) > 1:
        return False
    places_a = {e.text.lower() for e in a.entities if e.label in _PLACE_LABELS}
    places_b = {e.text.lower() for e in b.entities if e.label in _PLACE_LABELS}
    # Two strikes in two different cities are two events, however alike the sentences read.
    if places_a and places_b and not (places_a & places_b):
        return False
    return True


def _copy_groups(facts: list[Fact], clusters: list[list[int]], articles: dict[str, Article]) -> dict[str, str]:
    """Articles that share most of their facts with an earlier article are copies of one story
    (syndicated or reworded wire copy): they count as one outlet."""
    shared: dict[tuple[str, str], int] = defaultdict(int)
    per_article: dict[str, int] = defaultdict(int)
    for fact in facts:
        per_article[fact.article_id] += 1
    for members in clusters:
        ids = sorted({facts[i].article_id for i in members})
        for x in range(len(ids)):
            for y in range(x + 1, len(ids)):
                shared[(ids[x], ids[y])] += 1
    parent: dict[str, str] = {}

    def root(a: str) -> str:
        while parent.get(a, a) != a:
            a = parent[a]
        return a

    for (a, b), n in sorted(shared.items()):
        smaller = min(per_article[a], per_article[b])
        if smaller and n >= 2 and n / smaller >= 0.5:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {a: root(a) for a in per_article if root(a) != a}


def _item(facts: list[Fact], members: list[int], vectors: np.ndarray, articles: dict[str, Article],
          copies: dict[str, str]) -> Item:
    group = [facts[i] for i in members]
    best = max(group, key=_representative_score)
    sources = tuple(dict.fromkeys(f.article_id for f in sorted(group, key=_source_order(articles))))
    outlets = _independent_outlets(sources, articles, copies)
    claim = all(f.claim_by_party for f in group) or (best.claim_by_party and outlets < 2)
    kind = "corroborated" if outlets >= 2 else ("claim" if claim else "single")
    figures = tuple(dict.fromkeys(fig for f in group for fig in f.figures))
    dates = sorted(f.date for f in group if f.date)
    return Item(
        id=best.id,
        text=best.text,
        theme=best.theme,
        facts=tuple(sorted(group, key=_source_order(articles))),
        sources=sources,
        speaker=best.speaker or next((f.speaker for f in group if f.speaker), None),
        figures=figures,
        date=dates[0] if dates else None,
        hedged=all(f.hedged for f in group) if outlets < 2 else best.hedged and all(f.hedged for f in group),
        support=Support(outlets=outlets, kind=kind),
    )


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


def _independent_outlets(sources: Sequence[str], articles: dict[str, Article], copies: dict[str, str]) -> int:
    keys = set()
    for sid in sources:
        root = copies.get(sid, sid)
        article = articles.get(root)
        # Copies of one story count once; two articles of one outlet count once.
        keys.add((article.outlet.lower() if article and article.outlet else root))
    return len(keys)
