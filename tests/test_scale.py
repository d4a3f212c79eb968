"""Bounded memory at any size: the merge's nearest clusters found in blocks, classification over runs of articles —
the same results as the whole-day computation."""

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from briefing import events
from briefing.classify import classify
from briefing.config import load_config
from briefing.models import Article, Fact
from briefing.pipeline import classify_by_article


@pytest.mark.parametrize("block", [1, 3, 512])
def test_nearest_rows_are_the_first_of_a_stable_sort_whatever_the_block(monkeypatch, block):
    monkeypatch.setattr(events, "NEAREST_BLOCK", block)
    rng = np.random.default_rng(7)
    base = rng.standard_normal((6, 8)).astype(np.float32)
    vectors = base[rng.integers(0, 6, 40)]  # many exact copies: ties at the cut, broken by the lower index
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for n in (1, 5, 13, 40):
        seen = 0
        for a, row, nearest in events.nearest_rows(vectors, n):
            expected = np.argsort(-row, kind="stable")[:n]
            assert nearest.tolist() == expected.tolist()
            assert np.allclose(row, vectors @ vectors[a])
            seen += 1
        assert seen == len(vectors)


def test_classifying_runs_of_whole_articles_gives_the_days_themes(monkeypatch, tmp_path):
    import briefing.pipeline as pipeline

    monkeypatch.setattr(pipeline, "CLASSIFY_CHUNK", 3)
    config, _ = load_config(Path(__file__).resolve().parent.parent / "config.yaml")
    sentences = ["Russian forces shelled the city overnight, killing four civilians, the governor said.",
                 "Talks between the two delegations resumed in Istanbul on Tuesday.",
                 "The European Union agreed a new package of sanctions on oil imports.",
                 "Aid convoys reached the besieged port with food and medicine.",
                 "The weather was mild.", "He said more talks were planned.", "Prices of grain rose again."]
    articles = [Article(id=f"a{n}", title=t, text=" ".join(sentences[n:]), outlet=f"O{n}", url="",
                        published=dt.date(2022, 3, 30), path=f"a{n}.txt")
                for n, t in enumerate(["Strikes go on", "", "Sanctions widened"])]
    facts = [Fact(id=f"{a.id}#{i}", article_id=a.id, index=i, text=s)
             for n, a in enumerate(articles) for i, s in enumerate(sentences[n:])]
    chunked = classify_by_article(facts, config, articles)
    assert chunked == classify(list(facts), config, articles)
