"""How articles are read: the cascade (every sentence read, the full parse only where it can matter), the depth on a
day over the sentence budget, and worker processes."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from briefing.config import Config, ExtractConfig
from briefing.embed import get_embedder
from briefing.extract.facts import LEAD, Reading, _sentence_ends, cascade, extract, lead, reading_depth
from briefing.ingest import ingest

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

TEXT = ("Mr. Smith said the U.S. would act on Monday. Twelve people died in the strike.\n\n"
        "A second paragraph follows. \"We will rebuild,\" the mayor said. Talks resume on Friday.")


def test_lead_keeps_whole_sentences_and_skips_abbreviations():
    assert lead(TEXT, 1) == "Mr. Smith said the U.S. would act on Monday."
    assert lead(TEXT, 2) == "Mr. Smith said the U.S. would act on Monday. Twelve people died in the strike."
    assert lead(TEXT, 4).endswith('"We will rebuild," the mayor said.')
    assert lead(TEXT, 5) == TEXT
    assert lead(TEXT, 50) == TEXT
    assert lead(TEXT, None) == TEXT


def test_depth_is_the_same_for_every_article_and_fits_the_budget():
    texts = ["One. " * 30, "Two. " * 5, "Three. " * 12]  # 30, 5 and 12 sentences: 47 in all
    assert reading_depth(texts, 0, 8) == (None, 0)  # 0: no limit
    assert reading_depth(texts, 47, 8) == (None, 0)  # everything fits
    depth, unread = reading_depth(texts, 30, 8)
    assert depth == 13  # 13 + 5 + 12 = 30 <= 30; 14 would need 31
    assert unread == 47 - 30


def test_depth_never_goes_below_the_floor():
    texts = ["Word. " * 20] * 10
    assert reading_depth(texts, 10, 8) == (8, 120)


def test_a_day_over_the_budget_reads_each_article_from_its_start():
    articles = ingest([SAMPLES], Config(), dt.date(2022, 4, 1)).articles
    whole = extract(articles, Config())
    config = Config(extract=ExtractConfig(sentence_budget=20, min_sentences=6, workers=1))
    cut = extract(articles, config)
    assert whole.depth is None and whole.unread == 0
    assert cut.depth is not None and cut.depth >= 6
    assert cut.unread > 0
    assert cut.sentences < whole.sentences
    assert cut.facts and all(f.index < cut.depth + 2 for f in cut.facts)  # + a sentence spaCy splits in two
    # What was read is read the same way: the facts of the lead are those of the whole article.
    leads = {f.id: f for f in whole.facts}
    assert [f.text for f in cut.facts[:3]] == [leads[f.id].text for f in cut.facts[:3]]


def test_worker_processes_give_the_same_facts_and_vectors(tmp_path):
    articles = ingest([SAMPLES], Config(), dt.date(2022, 4, 1)).articles
    # Each sample article twice, under new ids, so that two workers get a chunk each.
    many = [replace(a, id=f"{a.id}-{n}") for n in range(5) for a in articles]
    serial = extract(many, Config(extract=ExtractConfig(workers=1)))
    get_embedder()._cache.clear()  # the workers cannot borrow this process's vectors
    parallel = extract(many, Config(extract=ExtractConfig(workers=2)))
    assert parallel.facts == serial.facts
    assert parallel.sentences == serial.sentences
    # The vectors travel on the facts, made in the worker, equal to this process's own.
    assert all(f.vector is not None for f in parallel.facts)
    from_workers = np.stack([f.vector for f in parallel.facts])
    assert np.array_equal(from_workers, np.stack([f.vector for f in serial.facts]))
    assert np.array_equal(from_workers, get_embedder()([f.text for f in parallel.facts]))


def test_facts_carry_their_vectors_and_later_stages_use_them(monkeypatch):
    """Vectors travel with the facts: once extract has made them, classify and dedupe embed no fact again."""
    from briefing.classify import classify
    from briefing.dedupe import dedupe

    articles = ingest([SAMPLES], Config(), dt.date(2022, 4, 1)).articles
    facts = extract(articles, Config()).facts
    assert facts and all(f.vector is not None and f.vector.shape == (384,) for f in facts)
    assert extract(articles, Config(), vectors=False).facts[0].vector is None
    embedded: list[str] = []
    embedder = get_embedder()
    real = type(embedder).__call__
    monkeypatch.setattr(type(embedder), "__call__", lambda self, texts: embedded.extend(texts) or real(self, texts))
    themed = classify(list(facts), Config(), articles)
    dedupe(themed, articles, Config())
    assert not {f.text for f in facts} & set(embedded)


@pytest.mark.parametrize("key, value, message", [
    ("workers", -1, "extract.workers: expected a number from 0 (one per core) to 256, got -1"),
    ("sentence_budget", -5, "extract.sentence_budget: expected a number from 0 (no limit) to 1e+07, got -5"),
    ("min_sentences", 0, "extract.min_sentences: expected a number from 1 to 100000, got 0"),
])
def test_reading_settings_are_checked(tmp_path, key, value, message):
    from briefing.config import load_config
    from briefing.errors import ConfigError

    path = tmp_path / "config.yaml"
    path.write_text(f"extract:\n  {key}: {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message in str(info.value)


# ---------------------------------------------------------------------------------------------- the cascade

FILLER = "Boston won the championship game on Sunday night."
LONG = " ".join([f"Lead sentence number {n} tells the main news of the day." for n in range(LEAD)] +
                [FILLER, FILLER, "Talks between the two delegations resume in Istanbul on Tuesday.", FILLER,
                 "Coldplay played a new album at a festival in London.", FILLER, "Officials met in the town hall.",
                 "He said 12 civilians were evacuated through the corridor overnight.", FILLER, FILLER, FILLER,
                 "Mayor Ivan Petrov spoke to reporters after the meeting.", FILLER, FILLER])
SKIPPED = {12, 13, 17, 21}  # sentences neither candidates nor next to one


def test_the_cascade_parses_leads_likely_theme_sentences_and_their_neighbours():
    reading = cascade(LONG, _sentence_ends(LONG), Config())
    assert reading.skipped == len(SKIPPED)
    assert "Coldplay" not in reading.text  # past the lead, nothing of a theme, no candidate next to it
    # Next to a theme term: the sentence before ("Officials met") and after are parsed with it.
    assert f"the day. {FILLER} {FILLER} Talks between" in reading.text
    assert f"Tuesday. {FILLER}\n\nOfficials met in the town hall. He said 12 civilians" in reading.text
    # A blank line where sentences were skipped, so no two kept runs parse as one sentence or paragraph.
    # No term, but the theme classifier's word model finds it likely to belong to a theme (a mayor speaking).
    assert f"overnight. {FILLER}\n\n{FILLER} Mayor Ivan Petrov spoke to reporters after the meeting. {FILLER}" \
        in reading.text
    assert reading.text.endswith(f"meeting. {FILLER}")
    # Parsed sentences keep their number in the whole article.
    assert reading.before(0) == 0
    assert reading.before(reading.text.index("Talks")) == 0
    assert reading.before(reading.text.index("He said")) == 2
    assert reading.before(reading.text.index("Mayor Ivan")) == 3


def test_an_article_with_nothing_to_skip_is_parsed_as_it_is():
    short = " ".join([FILLER] * LEAD)
    assert cascade(short, _sentence_ends(short), Config()) == Reading(short)
    every = " ".join(["Talks went on in the capital all day."] * 20)
    assert cascade(every, _sentence_ends(every), Config()) == Reading(every)


def test_the_cascade_gives_the_facts_of_a_full_parse_for_what_it_parses():
    article = replace(ingest([SAMPLES], Config(), dt.date(2022, 4, 1)).articles[0], id="long", text=LONG)
    full = extract([article], Config(extract=ExtractConfig(cascade=False, workers=1)))
    cheap = extract([article], Config(extract=ExtractConfig(cascade=True, workers=1)))
    assert full.parsed is None and full.sentences == 22
    assert cheap.parsed == 18 and cheap.sentences == 22  # every sentence read, 18 of them parsed
    kept = [f for f in full.facts if f.index not in SKIPPED]
    assert len(kept) < len(full.facts)
    assert [(f.id, f.index, f.text, f.speaker, f.figures) for f in cheap.facts] == \
        [(f.id, f.index, f.text, f.speaker, f.figures) for f in kept]


def test_the_themes_of_the_config_decide_what_is_parsed():
    sports = Config(themes=(replace(Config().themes[0], key="sports", terms=("championship",)),))
    assert cascade(LONG, _sentence_ends(LONG), sports).skipped == 0  # the filler names the sports theme's term
    assert cascade(LONG, _sentence_ends(LONG), Config()).skipped > 0


def test_reading_everything_is_the_default():
    # Every sentence read and parsed: the cascade is opt-in (it changed 3 of 20 items on the 710-article pool).
    assert Config().extract.sentence_budget == 0 and Config().extract.cascade is False
