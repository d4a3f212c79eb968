import datetime as dt
from pathlib import Path

import pytest

from briefing.config import Config
from briefing.extract import extract
from briefing.ingest import ingest

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(scope="module")
def facts():
    articles = ingest([SAMPLES], Config(), dt.date(2022, 4, 1)).articles
    return extract(articles, Config()).facts


def find(facts, start: str):
    found = [f for f in facts if f.text.startswith(start)]
    assert found, f"no fact starts with {start!r}"
    return found[0]


def test_casualty_fact_has_speaker_figures_and_date(facts):
    fact = find(facts, "At least 12 people were killed")
    assert fact.speaker == "the Ukrainian Emergency Situations Agency"
    assert [(f.value, f.category) for f in fact.figures] == [(12.0, "killed"), (22.0, "injured")]


def test_relative_day_is_resolved_against_publication(facts):
    fact = find(facts, "Russia said on Tuesday it would scale down operations")
    assert fact.date == dt.date(2022, 3, 29)
    assert fact.speaker == "Russia"


def test_pronoun_subject_is_named_from_context(facts):
    fact = find(facts, "Le Drian further repeated by now familiar calls for Europe to boycott Russian hydrocarbons.")
    assert not any(f.text.startswith("He further repeated") for f in facts)
    assert fact.speaker


def test_sentence_leaning_on_the_one_before_is_not_shown_alone(facts):
    assert not any(f.text.startswith("They said they agreed") for f in facts)
    joined = find(facts, "According to Downing Street, Joe Biden")
    assert joined.text.endswith("They said they agreed to “continue to increase sanctions and the price paid by Russia,” the White House said.")


def test_linking_openers_are_trimmed(facts):
    assert not any(f.text.startswith(("Meanwhile", "However,", "But ")) for f in facts)
    find(facts, "While there are reports of a significant Russian troop drawdown")


def test_no_page_noise_becomes_a_fact(facts):
    texts = " ".join(f.text for f in facts)
    for noise in ("pic.twitter.com", "Image via", "Bloomberg also observes", "@", "Day 34 of the Invasion"):
        assert noise not in texts


def test_quotes_are_collected(facts):
    fact = find(facts, "Moscow's chief negotiator, Vladimir Medinsky")
    assert fact.quotes == ("drastically reduce",)
    assert fact.speaker == "Vladimir Medinsky"


def test_fact_ids_point_to_their_article(facts):
    for fact in facts:
        assert fact.id == f"{fact.article_id}#{fact.index}"
    assert {f.article_id for f in facts} == {"000_986f4cd8ed297f09", "004_d52130d6b5804202"}


def test_a_headline_set_as_a_sentence_is_not_a_fact():
    from briefing.config import Config
    from briefing.extract.facts import _usable

    config = Config()
    assert not _usable("Putin-Zelensky Meeting Possible Only After Agreement Ready.", config)
    assert not _usable("Russia Says It Will Drastically Scale Down Attacks in Kyiv and Chernihiv", config)
    assert _usable("Joe Biden, Emmanuel Macron and Olaf Scholz agreed in a call to raise the costs for Russia.", config)
