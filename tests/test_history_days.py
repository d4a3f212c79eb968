"""Issue 12 across two days: events reworded from one day to the next are still known; figures compared only
within one measure and one place; reruns, gap days and a rebuild from briefing.json keep the marks."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import replace

from briefing import history as history_mod
from briefing.events import Anchors
from briefing.history import History, _same_scope, shown_items
from briefing.models import Article, Briefing, Entity, Fact, Figure, Item, Section, Stats, Support
from briefing.output.render import to_json
from briefing.select import headline, since_yesterday

DAY1 = dt.date(2022, 4, 5)
DAY2 = dt.date(2022, 4, 6)


def fig(n: float, category: str, unit: str | None = None) -> Figure:
    return Figure(value=float(n), unit=unit or category, text=str(n), category=category)


def fact(iid: str, k: int, text: str, places=(), figures=(), speaker=None, source=None) -> Fact:
    return Fact(id=f"{iid}#{k}", article_id=source or f"{iid}-a{k}", index=k, text=text, speaker=speaker,
                entities=tuple(Entity(p, "GPE") for p in places), figures=tuple(figures), theme="humanitarian")


def event(iid: str, *facts: Fact, outlets: int | None = None) -> Item:
    sources = tuple(dict.fromkeys(f.article_id for f in facts))
    n = outlets or len(sources)
    return Item(id=iid, text=facts[0].text, theme="humanitarian", facts=tuple(facts), sources=sources,
                speaker=facts[0].speaker, figures=tuple(g for f in facts for g in f.figures), date=None, hedged=False,
                support=Support(n, "corroborated" if n > 1 else "single"), score=1.0)


def brief(date: dt.date, items: list[Item]) -> Briefing:
    return Briefing(date=date, title="Test", generated_at="", takeaways=(), events=tuple(items),
                    sections=(Section("humanitarian", "Humanitarian", tuple(items)),), sources=(), key_figures=(),
                    quotes=(), stats=Stats())


# Day 1: a strike on a hospital in a city, a national refugee count, a bridge blown up elsewhere.
HOSPITAL = event("hospital",
                 fact("hospital", 0, "A missile struck the children's hospital in Kharkiv on Tuesday, killing 9 "
                                     "people, the regional governor said.", ("Kharkiv",), [fig(9, "killed")]),
                 fact("hospital", 1, "Rescuers were searching the rubble of the hospital in Kharkiv for survivors.",
                      ("Kharkiv",)))
REFUGEES = event("refugees",
                 fact("refugees", 0, "More than 4 million refugees have fled the country since the war began, the UN "
                                     "refugee agency said.", (), [fig(4_000_000, "refugees")]))
BRIDGE = event("bridge", fact("bridge", 0, "Retreating troops blew up the road bridge over the river near Chernihiv.",
                              ("Chernihiv",)))
DAY1_EVENTS = [HOSPITAL, REFUGEES, BRIDGE]

# Day 2, worded differently: the toll rose; the refugee count is repeated with a first count of the internally
# displaced; the bridge is told again; and a strike on a market in another city is new.
HOSPITAL_TOLL = event("hospital-toll",
                      fact("hospital-toll", 0, "The death toll from Tuesday's missile attack on a children's hospital "
                                               "in Kharkiv has risen to 14, officials said.", ("Kharkiv",),
                           [fig(14, "killed")]))
REFUGEES_IDP = event("refugees-idp",
                     fact("refugees-idp", 0, "The UN said more than four million refugees have fled the country, and "
                                             "another 6.5 million people are internally displaced.", (),
                          [fig(4_000_000, "refugees"), fig(6_500_000, "refugees", "displaced")]))
BRIDGE_AGAIN = event("bridge2", fact("bridge2", 0, "The road bridge over the river near Chernihiv was blown up by "
                                                   "retreating troops.", ("Chernihiv",)))
MARKET = event("market", fact("market", 0, "Shelling hit a crowded market in Mykolaiv on Wednesday, killing 5 people.",
                              ("Mykolaiv",), [fig(5, "killed")]))
DAY2_EVENTS = [HOSPITAL_TOLL, REFUGEES_IDP, BRIDGE_AGAIN, MARKET]


def marks(items: list[Item]) -> dict[str, str]:
    return {it.id: it.novelty for it in items}


def two_days(path) -> tuple[History, list[Item]]:
    history = History.open(path)
    first = history.mark(DAY1_EVENTS, DAY1)
    history.record(brief(DAY1, first), first, DAY1)
    return history, history.mark(DAY2_EVENTS, DAY2)


def test_each_mark_across_two_reworded_days(tmp_path):
    history, second = two_days(tmp_path / "h.sqlite")
    with history:
        assert marks(second) == {"hospital-toll": "updated", "refugees-idp": "updated", "bridge2": "reported",
                                 "market": "new"}
        toll = next(it for it in second if it.id == "hospital-toll")
        assert toll.changes == ("figure",) and toll.first_reported == DAY1
        assert toll.change_figures == (("killed", 14.0, 9.0, DAY1.isoformat()),)
        assert toll.previous == (("killed", 9.0),)
        assert next(it for it in second if it.id == "market").first_reported is None


def test_different_measures_are_never_compared(tmp_path):
    history, second = two_days(tmp_path / "h.sqlite")
    with history:
        idp = next(it for it in second if it.id == "refugees-idp")
        # 6.5 million internally displaced is not "refugees now 6.5 million (4 million)": a first count of its own.
        assert idp.change_figures == (("internally displaced", 6_500_000.0, 0.0, ""),)
        assert idp.previous == ()
        lines = since_yesterday([it for it in second if it.novelty != "reported"], second)
        text = " ".join(line.text for line in lines)
        assert "refugees now" not in text and "internally displaced: 6,500,000, first count" in text


def test_counts_of_two_places_or_targets_are_not_compared():
    kharkiv = Anchors(places=frozenset({"kharkiv"}), targets=frozenset({"hospi"}))
    assert _same_scope(kharkiv, Anchors(places=frozenset({"kharkiv"})))
    assert _same_scope(kharkiv, Anchors(context=frozenset({"kharkiv"})))  # "At least 14 were killed" after it
    assert not _same_scope(kharkiv, Anchors(places=frozenset({"mykolaiv"})))
    assert not _same_scope(kharkiv, Anchors(places=frozenset({"kharkiv"}), targets=frozenset({"marke"})))
    assert not _same_scope(kharkiv, Anchors())  # a national count is not the city's
    assert _same_scope(Anchors(), Anchors())


def test_a_rise_within_rounding_is_not_an_update(tmp_path):
    with History.open(tmp_path / "h.sqlite") as history:
        first = event("r1", fact("r1", 0, "Some 3,870,000 refugees have fled the country since the war began, the UN "
                                          "refugee agency said.", (), [fig(3_870_000, "refugees")]))
        history.record(brief(DAY1, [first]), [first], DAY1)
        again = event("r2", fact("r2", 0, "Almost four million refugees have fled the country since the war began, "
                                          "the UN refugee agency said.", (), [fig(4_000_000, "refugees")]))
        assert history.mark([again], DAY2)[0].novelty == "reported"


def test_a_new_development_in_the_same_city_is_not_hidden_as_known(tmp_path):
    with History.open(tmp_path / "h.sqlite") as history:
        history.record(brief(DAY1, [HOSPITAL]), [HOSPITAL], DAY1)
        station = event("station", fact("station", 0, "A rocket hit the railway station in Kharkiv on Wednesday "
                                                       "morning as civilians waited for evacuation trains.",
                                        ("Kharkiv",)))
        assert history.mark([station], DAY2)[0].novelty == "new"


def test_a_rerun_of_the_same_date_is_idempotent(tmp_path):
    history, second = two_days(tmp_path / "h.sqlite")
    with history:
        history.record(brief(DAY2, second), second, DAY2)
        rows = history.rows(DAY2, shown_only=False)
        again = history.mark(DAY2_EVENTS, DAY2)  # the rerun does not count its own first run
        assert marks(again) == marks(second)
        assert [it.change_figures for it in again] == [it.change_figures for it in second]
        history.record(brief(DAY2, again), again, DAY2)
        assert history.rows(DAY2, shown_only=False) == rows


def test_a_gap_day_compares_with_the_last_day_run(tmp_path):
    with History.open(tmp_path / "h.sqlite", lookback_days=7) as history:
        first = history.mark(DAY1_EVENTS, DAY1)
        history.record(brief(DAY1, first), first, DAY1)
        day3 = DAY1 + dt.timedelta(days=2)  # nothing was run on DAY2
        third = history.mark(DAY2_EVENTS, day3)
        assert marks(third) == {"hospital-toll": "updated", "refugees-idp": "updated", "bridge2": "reported",
                                "market": "new"}
        lines = since_yesterday([it for it in third if it.novelty != "reported"], third)
        assert any("killed now 14 (9 on 5 Apr)" in line.text for line in lines)


def test_rebuild_from_briefing_json_keeps_each_facts_anchors(tmp_path):
    out = tmp_path / "output"
    path = tmp_path / "h.sqlite"
    with History.open(path) as history:
        first = history.mark(DAY1_EVENTS, DAY1)
        day1 = brief(DAY1, first)
        (out / DAY1.isoformat()).mkdir(parents=True)
        data = to_json(day1)
        (out / DAY1.isoformat() / "briefing.json").write_text(json.dumps(data), encoding="utf-8")
        history.record(day1, shown_items(day1), DAY1)
        before = history.mark(DAY2_EVENTS, DAY2)
        assert [len(e["fact_anchors"]) for e in data["events"]] == [2, 1, 1]
        assert data["events"][0]["fact_anchors"][0]["anchors"]["places"] == ["kharkiv"]
    path.unlink()
    with History.open(path) as history:
        assert history.rebuild(out) == 3
        after = history.mark(DAY2_EVENTS, DAY2)
        assert marks(after) == marks(before)
        assert [it.change_figures for it in after] == [it.change_figures for it in before]


def test_a_version_2_store_gains_the_facts_column_and_still_matches(tmp_path):
    path = tmp_path / "h.sqlite"
    with History.open(path) as history:
        history.record(brief(DAY1, DAY1_EVENTS), DAY1_EVENTS, DAY1)
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE old AS SELECT date, event_id, text, theme, sources, outlets, figures, anchors, novelty, shown,
            first_reported, vectors FROM events;
        DROP TABLE events;
        ALTER TABLE old RENAME TO events;
        UPDATE meta SET value = '2' WHERE key = 'schema_version';
    """)
    conn.commit()
    conn.close()
    with History.open(path) as history:
        assert marks(history.mark([BRIDGE_AGAIN, MARKET], DAY2)) == {"bridge2": "reported", "market": "new"}
    conn = sqlite3.connect(path)
    assert "facts" in {r[1] for r in conn.execute("PRAGMA table_info(events)")}
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == \
        str(history_mod.SCHEMA_VERSION)
    conn.close()


def test_since_yesterday_is_a_compact_list_with_no_line_repeating_another(tmp_path):
    history, second = two_days(tmp_path / "h.sqlite")
    with history:
        other = event("market2", fact("market2", 0, "Officials in Mykolaiv said the market strike also injured 22 "
                                                    "people.", ("Mykolaiv",), [fig(22, "injured")]))
        fresh = [it for it in second if it.novelty != "reported"] + [other]
        lines = since_yesterday(fresh, second)
        texts = [line.text for line in lines]
        assert texts[0].startswith("Update, Kharkiv: killed now 14 (9 on 5 Apr)")
        # Two new events in one city share one line; nothing is said twice; no line copies an item's text.
        assert sum(t.startswith("New, Mykolaiv:") for t in texts) == 1
        assert "5 killed" in texts[-1] and "22 injured" in texts[-1]
        assert not {t for t in texts} & {it.text for it in fresh}


def test_a_since_yesterday_line_names_the_shown_sentences_place_not_a_persons_name(tmp_path):
    history, second = two_days(tmp_path / "h.sqlite")
    with history:
        kim = Entity("Kim", "PERSON")
        strike = event("port", fact("port", 0, "A missile hit the port in Odesa, killing 11 people, governor Kim said.",
                                    ("Odesa", "Kim"), [fig(11, "killed")], speaker="Vitaly Kim"),
                       fact("port", 1, "Officials in Kyiv condemned the attack.", ("Kyiv",)))
        strike = replace(strike, facts=(replace(strike.facts[0], entities=strike.facts[0].entities + (kim,)),
                                        strike.facts[1]))
        lines = since_yesterday([strike], second)
        assert [line.text for line in lines] == ["New, Odesa: 11 killed."]



def test_a_line_told_beside_a_retold_story_in_its_article_is_that_story_again(tmp_path):
    with History.open(tmp_path / "h.sqlite") as history:
        retaken = event("retaken", fact("retaken", 0, "Ukrainian forces retook the town of Irpin near Kyiv on Monday, "
                                                      "its mayor said.", ("Irpin", "Kyiv")))
        history.record(brief(DAY1, [retaken]), [retaken], DAY1)
        again = event("again", fact("again", 1, "The town of Irpin has been liberated by Ukrainian forces, the mayor "
                                                "said.", ("Irpin",), source="x"))
        first = event("first", fact("first", 2, "Irpin would be one of the first towns freed from occupation once "
                                                "this is confirmed.", ("Irpin",), source="x"))
        market = event("market3", fact("market3", 3, "Shelling hit a crowded market in Kharkiv on Tuesday.",
                                       ("Kharkiv",), source="x"))
        far = event("far", fact("far", 9, "Irpin would be one of the first towns freed from occupation once this "
                                          "is confirmed.", ("Irpin",), source="y"))
        marks_ = marks(history.mark([again, first, market, far], DAY2))
        assert marks_["again"] == "reported"
        # Beside it in one article, on the same town: the same story. Another town beside it, or the same line
        # in an article that does not retell the story, is judged on its own.
        assert marks_["first"] == "reported"
        assert marks_["market3"] == "new"
        assert marks_["far"] == "new"


def _article(aid: str, title: str, outlet: str = "Wire") -> Article:
    return Article(id=aid, title=title, outlet=outlet, url="", published=DAY2, text="x", path=f"{aid}.txt")


def test_a_since_yesterday_line_tells_the_event_by_its_articles_headline(tmp_path):
    history, second = two_days(tmp_path / "h.sqlite")
    with history:
        fresh = [it for it in second if it.novelty != "reported"]
        toll, market = (next(it for it in fresh if it.id == k) for k in ("hospital-toll", "market"))
        articles = [
            _article(toll.sources[0], "Ukraine war live: Kharkiv children's hospital strike toll rises to 14 | Wire"),
            # The market's article is titled after another story: it never tells the market strike.
            _article(market.sources[0], "Grain exports through the Black Sea ports remain blocked", "Other"),
        ]
        texts = [line.text for line in since_yesterday(fresh, second, articles=articles)]
        # The kicker and the outlet are dropped; the update still says what changed.
        assert texts[0] == "Update: Kharkiv children's hospital strike toll rises to 14 — killed now 14 (9 on 5 Apr)."
        assert "New, Mykolaiv: 5 killed." in texts
        assert not any("Grain" in t for t in texts)


def test_a_headline_that_copies_a_shown_item_is_not_used(tmp_path):
    history, second = two_days(tmp_path / "h.sqlite")
    with history:
        market = next(it for it in second if it.id == "market")
        copy = _article(market.sources[0], "Shelling hit a crowded market in Mykolaiv on Wednesday, killing 5 people")
        assert [line.text for line in since_yesterday([market], second, articles=[copy])] == \
            ["New, Mykolaiv: 5 killed."]


def test_headline_drops_kickers_live_labels_and_the_outlet_but_keeps_a_speaker():
    assert headline("War in Ukraine: Russia maintains that it will reduce its military activity") == \
        "Russia maintains that it will reduce its military activity"
    assert headline("LIVE: Putin-Zelensky Meeting Only Possible After Treaty Ready") == \
        "Putin-Zelensky Meeting Only Possible After Treaty Ready"
    assert headline("UN: Over 4 million people have fled Ukraine") == "UN: Over 4 million people have fled Ukraine"
    assert headline("Four million refugees have fled Ukraine - Reuters", "Reuters") == \
        "Four million refugees have fled Ukraine"
    assert headline("Day 35 in photos") == ""


def test_new_details_of_a_known_story_are_an_update_and_a_number_from_elsewhere_is_not(tmp_path):
    with History.open(tmp_path / "h.sqlite") as history:
        history.record(brief(DAY1, [HOSPITAL]), [HOSPITAL], DAY1)
        wards = event("wards", fact("wards", 0, "A missile struck the children's hospital in Kharkiv on Tuesday, "
                                                "killing 9 people; 120 beds were destroyed, the regional governor "
                                                "said.", ("Kharkiv",), [fig(9, "killed"), fig(120, "other", "beds")]))
        marked = history.mark([wards], DAY2)[0]
        assert (marked.novelty, marked.changes) == ("updated", ("detail",))
        assert marked.change_figures == (("beds", 120.0, 0.0, "detail"),)
        line = since_yesterday([marked], [marked])[0].text
        assert line == "Update, Kharkiv: new figure: 120 beds."
        # The same sentence with no new number is told again, not updated.
        again = event("again", fact("again", 0, "A missile struck the children's hospital in Kharkiv on Tuesday, "
                                                "killing 9 people, the regional governor said.", ("Kharkiv",),
                                    [fig(9, "killed")]))
        assert history.mark([again], DAY2)[0].novelty == "reported"


def test_an_event_known_only_from_earlier_articles_is_new_with_its_first_date(tmp_path):
    with History.open(tmp_path / "h.sqlite") as history:
        history.record(brief(DAY1, [REFUGEES]), [REFUGEES], DAY1, events=DAY1_EVENTS)  # bridge: not shown
        bridge = history.mark([BRIDGE_AGAIN], DAY2)[0]
        assert (bridge.novelty, bridge.first_reported) == ("new", DAY1)


def test_a_share_with_no_measure_is_no_new_figure_and_a_place_in_another_spelling_is_known(tmp_path):
    with History.open(tmp_path / "h.sqlite") as history:
        history.record(brief(DAY1, [HOSPITAL]), [HOSPITAL], DAY1)
        share = event("share", fact("share", 0, "A missile struck the children's hospital in Kharkiv on Tuesday, "
                                                "killing 9 people; 120 beds, 40% of the total, were destroyed, the "
                                                "regional governor said.", ("Kharkiv",),
                                    [fig(9, "killed"), fig(120, "other", "beds"), fig(40, "other", "%")]))
        marked = history.mark([share], DAY2)[0]
        assert since_yesterday([marked], [marked])[0].text == "Update, Kharkiv: new figure: 120 beds."

    with History.open(tmp_path / "k.sqlite") as history:
        depot = event("depot", fact("depot", 0, "A missile struck a fuel depot on the edge of Odesa overnight, the "
                                                "city's mayor said.", ("Odesa",)))
        history.record(brief(DAY1, [depot]), [depot], DAY1)
        # "Odessa" is yesterday's city in another transliteration: no new place, nothing changed.
        spelled = event("spelled", fact("spelled", 0, "A missile struck a fuel depot on the edge of Odessa overnight, "
                                                      "the city's mayor said.", ("Odessa",)))
        assert history.mark([spelled], DAY2)[0].novelty == "reported"


def test_a_place_known_only_in_another_transliteration_still_names_the_line():
    from briefing.nlp import is_known_place

    assert is_known_place("Khmelnytskyi") and is_known_place("Khmelnitskyi")
    assert not is_known_place("Ukrainian Pravda")
