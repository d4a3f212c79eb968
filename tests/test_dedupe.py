"""Merging the same fact from several articles: verbatim, edited and reworded copies merge; a different event in
the same city does not; syndicated copies count as one outlet; a party's own claim stays a claim."""

from __future__ import annotations

import datetime as dt

import pytest

from briefing import dedupe as dedupe_mod
from briefing import events as events_mod
from briefing.config import Config
from briefing.dedupe import dedupe
from briefing.models import Article, Entity, Fact, Figure

DAY = dt.date(2022, 3, 29)
CONFIG = Config()


def article(aid: str, outlet: str) -> Article:
    return Article(id=aid, title=aid, outlet=outlet, url=f"https://example.org/{aid}", published=DAY, text="",
                   path=aid)


def fact(aid: str, index: int, text: str, *, places=("Mykolaiv",), figures=(), theme="humanitarian",
         speaker=None, claim=False) -> Fact:
    ents = tuple(Entity(p, "GPE") for p in places)
    return Fact(id=f"{aid}#{index}", article_id=aid, index=index, text=text, speaker=speaker, entities=ents,
                figures=tuple(figures), theme=theme, claim_by_party=claim)


def killed(n: int) -> Figure:
    return Figure(value=float(n), unit="killed", text=f"{n} people were killed", category="killed")


STRIKE = ("A Russian missile strike on the regional administration building in Mykolaiv killed 12 people on "
          "Tuesday, the regional governor said.")
STRIKE_EDITED = ("A Russian missile strike on the regional administration building in Mykolaiv killed 12 people "
                 "Tuesday, the region's governor said.")
STRIKE_REWORDED = ("The regional governor said 12 people died when a Russian missile hit the building of the "
                   "regional administration in Mykolaiv on Tuesday.")
MARKET = "A Russian missile strike on a market in Mykolaiv killed 5 people on Tuesday, the regional governor said."
KHARKIV = ("A Russian missile strike on the regional administration building in Kharkiv killed 12 people on "
           "Tuesday, the regional governor said.")
RESCUE = "Rescuers were still searching the rubble for survivors late on Tuesday, emergency services said."
RESCUE_COPY = "Rescuers were still searching the rubble for survivors late on Tuesday, emergency services said."


def items_with(merged, text_part: str):
    return [it for it in merged.items if any(text_part in f.text for f in it.facts)]


def test_verbatim_edited_and_reworded_copies_merge_into_one_item():
    arts = [article("a1", "Wire One"), article("a2", "Daily Two"), article("a3", "Times Three"),
            article("a4", "Post Four")]
    facts = [fact("a1", 0, STRIKE, figures=[killed(12)]), fact("a2", 0, STRIKE, figures=[killed(12)]),
             fact("a3", 0, STRIKE_EDITED, figures=[killed(12)]), fact("a4", 0, STRIKE_REWORDED, figures=[killed(12)])]
    merged = dedupe(facts, arts, CONFIG)
    assert len(merged.items) == 1
    item = merged.items[0]
    assert item.sources == ("a1", "a2", "a3", "a4")
    assert item.support.kind == "corroborated"
    # The verbatim (a2) and lightly edited (a3) long sentences are a1's wire story printed again: one outlet.
    assert item.support.outlets == 2


def test_a_different_event_in_the_same_city_does_not_merge():
    arts = [article("a1", "Wire One"), article("a5", "Other Five")]
    facts = [fact("a1", 0, STRIKE, figures=[killed(12)]), fact("a5", 0, MARKET, figures=[killed(5)])]
    merged = dedupe(facts, arts, CONFIG)
    assert len(merged.items) == 2
    assert all(it.support == dedupe_mod.Support(1, "single") for it in merged.items)


def test_the_same_event_in_another_city_does_not_merge():
    arts = [article("a1", "Wire One"), article("a6", "Other Six")]
    facts = [fact("a1", 0, STRIKE, figures=[killed(12)]),
             fact("a6", 0, KHARKIV, places=("Kharkiv",), figures=[killed(12)])]
    assert len(dedupe(facts, arts, CONFIG).items) == 2


def test_an_updated_toll_of_the_same_strike_merges():
    arts = [article("a1", "Wire One"), article("a7", "Seven News")]
    later = ("At least 15 people were killed by the Russian missile strike on the regional administration "
             "building in Mykolaiv, the governor said on Wednesday.")
    facts = [fact("a1", 0, STRIKE, figures=[killed(12)]), fact("a7", 0, later, figures=[killed(15)])]
    merged = dedupe(facts, arts, CONFIG)
    assert len(merged.items) == 1
    assert {f.value for f in merged.items[0].figures} == {12.0, 15.0}


def test_syndicated_articles_count_as_one_outlet():
    # a2 reprints a1 whole (two sentences); a3 reports the strike on its own.
    arts = [article("a1", "Wire One"), article("a2", "Daily Two"), article("a3", "Times Three")]
    facts = [fact("a1", 0, STRIKE, figures=[killed(12)]), fact("a1", 1, RESCUE),
             fact("a2", 0, STRIKE, figures=[killed(12)]), fact("a2", 1, RESCUE_COPY),
             fact("a3", 0, STRIKE_REWORDED, figures=[killed(12)])]
    merged = dedupe(facts, arts, CONFIG)
    assert merged.copies == {"a2": "a1"}
    strike = items_with(merged, "missile")[0]
    rescue = items_with(merged, "Rescuers")[0]
    assert strike.sources == ("a1", "a2", "a3") and strike.support == dedupe_mod.Support(2, "corroborated")
    assert rescue.sources == ("a1", "a2") and rescue.support == dedupe_mod.Support(1, "single")


def test_two_articles_of_one_outlet_count_once():
    arts = [article("a1", "Wire One"), article("a1b", "Wire One")]
    facts = [fact("a1", 0, STRIKE), fact("a1b", 3, STRIKE_REWORDED)]
    merged = dedupe(facts, arts, CONFIG)
    assert len(merged.items) == 1 and merged.items[0].support.outlets == 1


def test_a_party_claim_stays_a_claim_however_often_repeated():
    claim = ("Russia's defence ministry said its forces had destroyed a large fuel depot near Kalynivka with "
             "high-precision missiles.")
    claim2 = ("The Russian defence ministry said its troops destroyed a big fuel depot near Kalynivka using "
              "high-precision missiles.")
    arts = [article("a1", "Wire One"), article("a2", "Daily Two")]
    facts = [fact("a1", 0, claim, places=("Kalynivka",), theme="battlefield", speaker="Russia's defence ministry",
                  claim=True),
             fact("a2", 0, claim2, places=("Kalynivka",), theme="battlefield", speaker="the Russian defence ministry",
                  claim=True)]
    merged = dedupe(facts, arts, CONFIG)
    assert len(merged.items) == 1
    assert merged.items[0].support == dedupe_mod.Support(2, "claim")
    single = dedupe(facts[:1], arts, CONFIG).items[0]
    assert single.support == dedupe_mod.Support(1, "claim")


def test_different_themes_and_unthemed_facts_stay_apart():
    arts = [article("a1", "Wire One"), article("a2", "Daily Two")]
    facts = [fact("a1", 0, STRIKE), fact("a2", 0, RESCUE, theme=None)]
    merged = dedupe(facts, arts, CONFIG)
    assert len(merged.items) == 1 and len(merged.unthemed) == 1


@pytest.mark.parametrize("lsh", [False, True])
def test_clustering_is_deterministic_with_and_without_lsh(monkeypatch, lsh):
    if lsh:
        monkeypatch.setattr(events_mod, "LSH_MIN", 0)
    arts = [article(a, f"Outlet {a}") for a in ("a1", "a2", "a3", "a4", "a5")]
    facts = [fact("a1", 0, STRIKE, figures=[killed(12)]), fact("a2", 0, STRIKE_EDITED, figures=[killed(12)]),
             fact("a3", 0, MARKET, figures=[killed(5)]), fact("a4", 0, STRIKE, figures=[killed(12)]),
             fact("a5", 0, RESCUE)]
    first = dedupe(facts, arts, CONFIG)
    again = dedupe(facts, arts, CONFIG)
    assert first == again
    groups = sorted(tuple(it.sources) for it in first.items)
    assert groups == [("a1", "a2", "a4"), ("a3",), ("a5",)]


def test_trim_cuts_filler_but_keeps_the_event():
    from briefing.dedupe import trim

    assert trim("Meanwhile, the president said another $500 million in direct aid was on the way.") == \
        "The president said another $500 million in direct aid was on the way."
    long = ("Russian troops also stepped up their attacks on the region in the east and around the city, which lies "
            "on a key road toward the front and where heavy fighting has gone on for weeks as the army regroups.")
    assert trim(long) == "Russian troops also stepped up their attacks on the region in the east and around the city."
    short = "Troops shelled the city, which lies on the river, officials said."
    assert trim(short) == short  # short enough: nothing is cut
    # How long the war has lasted is no news; how long since another event is.
    assert trim("More than a month after the invasion, the deputy defence minister said Moscow would reduce its "
                "activity.") == "The deputy defence minister said Moscow would reduce its activity."
    assert trim("On day 35 of the war, shelling continued in Kharkiv and in the north of the country.") == \
        "Shelling continued in Kharkiv and in the north of the country."
    after = "Three days after the strike, rescuers found more bodies in the rubble of the building."
    assert trim(after) == after
    assert trim("The first day of peace talks between Moscow and Kiev has come to an end in Istanbul. It's been over "
                "a month since Russia's incursion into Ukraine.") == \
        "The first day of peace talks between Moscow and Kiev has come to an end in Istanbul."
    assert trim("Following Russia's statement, two senior US officials said the United States was watching Russia "
                "withdraw some of its forces.") == \
        "Two senior US officials said the United States was watching Russia withdraw some of its forces."
    # ", while ..." after "stated that" is what was stated, not a closing clause: never cut to "stated that."
    opened = ("The deputy prime minister responsible for the occupied territories stated on Sunday that, while ten of "
              "the eleven agreed corridors were working, residents in private cars were unable to leave the city.")
    assert trim(opened) == opened


def test_a_far_too_long_pair_of_sentences_keeps_the_first():
    from briefing.dedupe import first_sentence, trim

    lead = ("On Friday the foreign minister said his government is preparing a response to the proposals made at the "
            "talks early this week on reaching a ceasefire, as the next round is underway by video link.")
    more = ("His statements were generally positive, saying that in light of the other side of late showing more "
            "understanding on the disputed regions, his government stands ready to engage on its proposals for the "
            "country's neutral status, according to a news agency.")
    assert trim(f"{lead} {more}") == lead
    pair = "Officials said 12 people were killed in the strike on the market. They said 30 more were injured."
    assert trim(pair) == pair  # not far too long: both sentences stay
    assert first_sentence("U.S. officials said talks would resume. They gave no date.") == \
        "U.S. officials said talks would resume."
    assert first_sentence('He said: "We will hold. They will not pass." Then he left.') == \
        'He said: "We will hold. They will not pass."'
    assert first_sentence("Only one sentence here.") is None


def test_a_comma_set_relative_clause_is_an_aside_past_the_aim():
    from briefing.dedupe import trim

    opening = ("More than a month after the invasion, which is largely a dead end in the eyes of the West, the deputy "
               "defence minister said Moscow would \u201cradically reduce its military activity\u201d near the capital and "
               "in the north.")
    # The aside goes, and then the war clock it hung on.
    assert trim(opening) == ("The deputy defence minister said Moscow would "
                             "\u201cradically reduce its military activity\u201d near the capital and in the north.")
    subject = ("The regional governor, who survived the attack on his office on Tuesday morning with minor injuries, "
               "said that half of the nine-story building still stands and that rescuers are searching the rubble for "
               "survivors under the collapsed floors.")
    assert trim(subject) == ("The regional governor said that half of the nine-story building still stands and "
                             "that rescuers are searching the rubble for survivors under the collapsed floors.")
    listed = ("The city, which has no water, power or heating, was shelled again overnight by artillery and rockets "
              "fired from positions to the east of the river, the governor said on his channel.")
    assert trim(listed) == listed  # the clause holds commas of its own: not cut
