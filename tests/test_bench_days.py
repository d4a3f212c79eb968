"""bench/days.py: the gold's matchers and the scoring rules (no pipeline run here)."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from conftest import ROOT


def _load_days():
    spec = importlib.util.spec_from_file_location("bench_days", ROOT / "bench" / "days.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_days"] = module
    spec.loader.exec_module(module)
    return module


days = _load_days()


def test_matcher_needs_every_group_of_one_alternative_at_word_starts():
    m = days.Matcher.from_gold([[["evacuat"], ["corridor", "convoy"]], [["26 bus"]]], exclude=["rehears"])
    assert m("Evacuation corridors opened in the south.")
    assert m("Officials said 26 buses were waiting.")
    assert not m("Evacuations resumed.")  # second group missing
    assert not m("The reevacuation corridor")  # a stem must start a word
    assert not m("An evacuation corridor rehearsal.")  # excluded stem vetoes


def test_numbers_match_without_thousands_separators():
    m = days.Matcher.from_gold([[["5000"], ["died", "killed"]]])
    assert m("More than 5,000 people have died.")
    assert not m("More than 15,000 people have died.")


def test_repeated_text_by_shared_run_or_word_overlap():
    item = "The mayor said about 160,000 residents were still trapped in the city on Monday."
    assert days.repeated(item, "about 160,000 residents were still trapped in the city")
    assert days.repeated("Russia hit the regional administration building in Mykolaiv.",
                         "In Mykolaiv, Russia hit the regional administration building.")
    assert days.repeated(item, "Ukraine proposed a neutral status with security guarantees.") is None


def test_noise_reasons():
    titles = ["Ukraine reports shelling outside Kyiv, fighting around Chernihiv"]
    assert "headline" in days.noise_reasons("Ukraine reports shelling outside Kyiv, fighting around Chernihiv", titles)
    assert days.noise_reasons("1 min read As a result of a missile attack, nine people were killed.", [])
    assert any(r.startswith("cut-off") for r in days.noise_reasons('The sweep is underway," the mayor said.', []))
    assert any(r.startswith("cut-off") for r in days.noise_reasons("Japan to ban export of luxury items", []))
    assert days.noise_reasons("Japan will ban exports of luxury goods to Russia from 5 April.", titles) == []


def test_a_takeaway_and_its_section_item_are_one_shown_unit():
    item = {"id": "a#1", "text": "Talks resume in Istanbul.", "theme": "negotiations", "sources": ["a"]}
    briefing = {"takeaways": [item], "themes": [{"key": "negotiations", "items": [dict(item, sources=["a", "b"])]}],
                "quotes": [], "since_yesterday": []}
    units = days.shown_units(briefing)
    assert len(units) == 1 and units[0].sources == ["a", "b"]
    assert len(days.repeated_pairs(days.shown_texts(briefing))) == 1


def test_words_shown_leave_out_sources_and_reference_markers():
    md = "# Title\n\n- One two three. [[1]](#sources)\n\n## Sources\n\n1. Outlet — [A title](https://x.org)\n"
    assert days.words_shown(md) == 4


def test_gold_is_consistent():
    gold = days.load_gold()
    ids = [e.id for evs in gold.days.values() for e in evs]
    assert len(ids) == len(set(ids))
    for day, events in gold.days.items():
        assert 10 <= len(events) <= 18, day
        for e in events:
            assert e.themes and set(e.themes) <= {"negotiations", "battlefield", "humanitarian", "sanctions"}
            assert all(a.startswith(f"art-{day}") for a in e.articles), e.id
            if e.carried_over:
                assert e.carried_over in ids[:ids.index(e.id)], e.id


def test_gold_sentences_still_point_at_matching_sentences(shared):
    corpus_path = shared / "corpora" / "ukraine_news_2022-03-28_to_30.jsonl"
    if not corpus_path.is_file():
        pytest.skip("Ukraine corpus not here")
    corpus = days.load_corpus(corpus_path)
    gold = days.load_gold()
    assert days.check_refs(gold, corpus) == []
    texts = {r["id"]: r["text"] for r in corpus}
    for events in gold.days.values():
        for e in events:
            assert e.sentences, e.id
            for ref in e.sentences:
                assert e.matcher(texts[ref["article"]][ref["offset"]:ref["offset"] + ref["length"]]), e.id
