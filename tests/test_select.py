import datetime as dt
from dataclasses import replace

from briefing.config import Config, SelectConfig
from briefing.models import Article, Fact, Figure, Item, Stats, Support
from briefing.select import key_figures, score_item, select

DAY = dt.date(2022, 4, 1)


def fact(aid: str, text: str, theme: str, figures=(), speaker=None, index=0) -> Fact:
    return Fact(id=f"{aid}#{index}", article_id=aid, index=index, text=text, theme=theme, speaker=speaker,
                figures=tuple(figures), scores=((theme, 0.9),))


def item(text: str, theme: str, sources=("a",), figures=(), speaker=None, outlets=None, index=0) -> Item:
    facts = tuple(fact(s, text, theme, figures, speaker, index) for s in sources)
    n = outlets or len(sources)
    return Item(id=f"{sources[0]}#{text[:12]}", text=text, theme=theme, facts=facts, sources=tuple(sources),
                speaker=speaker, figures=tuple(figures), date=None, hedged=False,
                support=Support(n, "corroborated" if n > 1 else "single"))


def articles(*ids):
    return [Article(id=i, title=f"Title {i}", outlet=f"Outlet {i}", url=f"https://example.org/{i}", published=DAY,
                    text="x", path=f"{i}.txt") for i in ids]


KILLED = Figure(12, "killed", "at least 12 people were killed", "at least", "killed")

ITEMS = [
    item("A missile strike on the regional administration building killed at least 12 people, officials said.",
         "humanitarian", ("a", "b", "c"), [KILLED], "officials"),
    item("Negotiators met in Istanbul for a new round of talks on a ceasefire and security guarantees.",
         "negotiations", ("a", "b")),
    item("Troops withdrew from positions north of the capital as fighting moved to the east.", "battlefield", ("c",)),
    item("The European Union agreed a fifth package of sanctions including a ban on coal imports.", "sanctions",
         ("b",), speaker="the Commission"),
    item("Artillery shelled villages along the contact line overnight, the general staff said.", "battlefield",
         ("d",), speaker="the general staff", index=5),
]


def test_corroborated_items_with_figures_rank_first():
    scores = [score_item(i) for i in ITEMS]
    assert scores[0] == max(scores)
    assert score_item(ITEMS[2]) > score_item(ITEMS[4])  # same outlets count, but the lead sentence


def test_takeaways_cover_the_best_of_each_theme_and_sections_do_not_repeat_them():
    brief = select(ITEMS, articles("a", "b", "c", "d"), Config(select=SelectConfig(takeaways=4)), DAY, Stats())
    assert brief.takeaways[0].text == ITEMS[0].text
    assert sorted(t.theme for t in brief.takeaways) == ["battlefield", "humanitarian", "negotiations", "sanctions"]
    shown = [i.text for s in brief.sections for i in s.items]
    assert shown == [ITEMS[4].text]
    assert [s.key for s in brief.sections] == ["negotiations", "battlefield", "humanitarian", "sanctions"]


def test_sources_are_numbered_in_order_of_first_citation():
    brief = select(ITEMS, articles("d", "c", "b", "a", "z"), Config(), DAY, Stats())
    assert [(s.number, s.id) for s in brief.sources] == [(1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, "z")]


def test_near_duplicate_items_are_not_both_shown():
    twin = item("A missile strike on the regional administration building killed at least 12 people, "
                "officials told reporters.", "humanitarian", ("d",), [KILLED])
    brief = select(ITEMS + [twin], articles("a", "b", "c", "d"), Config(), DAY, Stats())
    texts = [t.text for t in brief.takeaways] + [i.text for s in brief.sections for i in s.items]
    assert twin.text not in texts


def test_per_theme_cap():
    many = [item(f"Shelling hit district number {n} of the city overnight, damaging {n + 2} homes and a school.",
                 "battlefield", (f"s{n}",), index=n) for n in range(10)]
    brief = select(many, articles(*[f"s{n}" for n in range(10)]), Config(select=SelectConfig(per_theme=2)),
                   DAY, Stats())
    shown = list(brief.takeaways) + [i for s in brief.sections for i in s.items]
    assert len(shown) <= 2


def _with_facts(*pairs, score=1.0, speakers=None):
    speakers = speakers or {}
    facts = tuple(Fact(id=f"{a}#0", article_id=a, index=0, text="t", figures=(f,), speaker=speakers.get(a))
                  for a, f in pairs)
    return Item(id=pairs[0][0], text=f"event {pairs[0][0]}", theme="humanitarian", facts=facts,
                sources=tuple(a for a, _ in pairs), speaker=None, figures=(), date=None, hedged=False,
                support=Support(len(pairs), "single"), score=score)


def test_key_figures_group_the_same_number_and_show_conflicts_side_by_side():
    moved = Figure(2000, "evacuated", "2,000 people were evacuated", "", "evacuated")
    moved_reworded = Figure(2000, "evacuees", "two thousand evacuees", "", "evacuated")
    more = Figure(2500, "evacuated", "2,500 evacuated", "", "evacuated")
    rows = key_figures([_with_facts(("a", moved), ("b", moved_reworded), ("c", more), score=2.0),
                        _with_facts(("d", moved), ("e", more))], 8)
    assert len(rows) == 1
    assert rows[0].values == (("2,000 people were evacuated", ("a", "b", "d")), ("2,500 evacuated", ("c", "e")))
    assert rows[0].context == "event a" and not rows[0].rising


def test_a_toll_told_at_several_values_by_one_side_is_the_count_as_it_rose():
    twelve = Figure(12, "killed", "12 people were killed", "", "killed")
    fifteen = Figure(15, "killed", "15 killed", "", "killed")
    three = Figure(3, "killed", "at least three people died", "", "killed")
    (row,) = key_figures([_with_facts(("a", twelve), ("b", fifteen), ("c", three), ("d", twelve),
                                      speakers={"a": "the regional governor", "b": "Ukraine's prosecutor general"})], 8)
    assert row.rising
    assert row.values == (("15 killed", ("b",)), ("12 people were killed", ("a", "d")),
                          ("at least three people died", ("c",)))
    # Two sides giving two tolls disagree: side by side, the count more sources give first.
    (row,) = key_figures([_with_facts(("a", twelve), ("b", fifteen), ("c", twelve),
                                      speakers={"a": "Russia's defence ministry", "b": "Ukrainian officials"})], 8)
    assert not row.rising
    assert row.values == (("12 people were killed", ("a", "c")), ("15 killed", ("b",)))


def test_a_key_figure_is_no_rival_of_a_second_count_in_its_sentence_nor_of_itself_rounded():
    def event(*facts):
        return Item(id=facts[0].id, text="event", theme="humanitarian", facts=facts,
                    sources=tuple(f.article_id for f in facts), speaker=None, figures=(), date=None, hedged=False,
                    support=Support(len(facts), "single"), score=1.0)

    def refugees(value, text):
        return Figure(value, "people", text, "", "refugees")

    poland = refugees(2_200_000, "2.2 million have fled")
    romania = refugees(500_000, "more than half a million")
    one = Fact(id="a#4", article_id="a", index=4, text="t", figures=(poland, romania))
    assert key_figures([event(one)], 8)[0].values == (("2.2 million have fled", ("a",)),)
    exact = Fact(id="b#1", article_id="b", index=1, text="t", figures=(refugees(3_862_797, "3,862,797 Ukrainians"),))
    rounded = Fact(id="c#0", article_id="c", index=0, text="t", figures=(refugees(3_900_000, "Nearly 3.9 million"),))
    assert key_figures([event(exact, rounded)], 8)[0].values == (("Nearly 3.9 million", ("c", "b")),)
    # Counts further apart are rival counts, side by side.
    far = Fact(id="d#0", article_id="d", index=0, text="t", figures=(refugees(4_500_000, "4.5 million"),))
    assert len(key_figures([event(exact, far)], 8)[0].values) == 2


def test_a_quiet_theme_gets_its_best_item_and_no_more_than_the_budget_leaves_it():
    from briefing.select import _within_budget

    busy = [item(f"Strike number {k} hit a depot in the east of the country overnight, officials said.",
                 "battlefield", (f"b{k}",), outlets=3) for k in range(6)]
    quiet = [item(f"Sanctions note number {k} on a minor company was published today.", "sanctions", (f"s{k}",))
             for k in range(3)]
    for n, it in enumerate(busy + quiet):
        object.__setattr__(it, "score", 10.0 - n)
    kept = _within_budget(busy + quiet, budget=90)
    assert quiet[0] in kept  # every theme with news keeps its best
    assert quiet[1] not in kept and busy[4] in kept  # then rank decides, not the theme's turn


def test_a_hidden_report_of_a_shown_event_adds_its_articles_but_never_more_outlets():
    from briefing.select import fold

    shown = item("A missile hit the regional administration building, killing at least 12 people.", "battlefield",
                 ("a", "b"))
    other = item("Rescuers pulled survivors from the rubble of the administration building.", "battlefield",
                 ("b", "c"))
    folded = fold(shown, other)
    assert folded.text == shown.text and folded.id == shown.id
    assert folded.sources == ("a", "b", "c")
    assert [f.article_id for f in folded.facts] == ["a", "b", "b", "c"]
    assert folded.support == shown.support  # copies are not known here: outlets are not recounted up


def test_a_toll_that_leans_on_the_shown_sentence_joins_its_line_and_a_dangling_line_is_not_shown():
    from briefing.models import Entity
    from briefing.select import rank_items

    def one(text, index, figures=(), places=(), outlets=3, theme="battlefield"):
        f = Fact(id=f"a#{index}", article_id="a", index=index, text=text, theme=theme, figures=tuple(figures),
                 entities=tuple(Entity(p, "GPE") for p in places), scores=((theme, 0.9),))
        return Item(id=f.id, text=text, theme=theme, facts=(f,), sources=("a",), speaker=None,
                    figures=tuple(figures), date=None, hedged=False, support=Support(outlets, "corroborated"))

    strike = one("Russian forces bombarded the northern city of Chernihiv overnight despite pledges to scale back.",
                 3, places=("Chernihiv",))
    wounded = Figure(25, "wounded", "Twenty-five people", category="injured")
    toll = one("Twenty-five people have been wounded and are now being treated in the city's two hospitals, while "
               "the city has no power.", 5,
               [wounded], outlets=1, theme="humanitarian")
    claim = one("Russia made the claim on Tuesday following talks it had in Turkey.", 6, outlets=1,
                theme="negotiations")
    picked = rank_items([strike, toll, claim], per_theme=5, aim_words=35)
    assert [it.id for it in picked] == [strike.id]
    line = picked[0]
    assert line.text == strike.text + (" Twenty-five people have been wounded and are now being treated in the "
                                       "city's two hospitals.")
    assert wounded in line.figures and {f.id for f in line.facts} == {"a#3", "a#5", "a#6"}
    # Far from any shown sentence, such a line of one source is not shown: it would dangle.
    alone = one("Russia made the claim on Tuesday following talks it had in Turkey.", 20, outlets=1)
    plain = one("Talks between the two delegations will resume online on Friday.", 30, outlets=1)
    assert [it.id for it in rank_items([alone, plain], per_theme=5, aim_words=35)] == [plain.id]
    # A summary cut to a length (no aim) reads sentences as they are.
    assert len(rank_items([alone, plain])) == 2


def test_one_partys_claim_about_the_same_places_told_twice_is_shown_once():
    from briefing.models import Entity
    from briefing.select import rank_items

    def claim(aid, text, speaker, places):
        f = Fact(id=f"{aid}#0", article_id=aid, index=0, text=text, theme="battlefield", speaker=speaker,
                 entities=tuple(Entity(p, "GPE") for p in places), scores=(("battlefield", 0.9),),
                 claim_by_party=True)
        return Item(id=f.id, text=text, theme="battlefield", facts=(f,), sources=(aid,), speaker=speaker,
                    figures=(), date=None, hedged=False, support=Support(1, "claim"))

    fomin = claim("a", "Russian Deputy Defence Minister Alexander Fomin said Moscow would radically reduce its military "
                       "activity in the direction of Kyiv and Chernihiv.", "Russian Deputy Defence Minister Alexander "
                       "Fomin", ("Kyiv", "Chernihiv"))
    again = claim("b", "Russia said on Tuesday it would scale down operations in the Chernihiv and Kiev regions.",
                  "Russia", ("Chernihiv", "Kiev"))
    picked = rank_items([fomin, again], per_theme=5, aim_words=35)
    assert len(picked) == 1 and picked[0].sources == ("a", "b")
    # The other side's claim about the same places is another claim.
    kyiv = claim("c", "Ukraine's general staff said Russian forces were still shelling Chernihiv and the suburbs of "
                      "Kyiv.", "Ukraine's general staff", ("Chernihiv", "Kyiv"))
    assert len(rank_items([fomin, kyiv], per_theme=5, aim_words=35)) == 2


def test_a_key_figure_says_where_it_was_counted():
    from briefing.models import Entity

    strike = Fact(id="a#3", article_id="a", index=3, speaker="the governor",
                  text="A missile hit the regional administration building in Mykolaiv, the governor said.",
                  entities=(Entity("Mykolaiv", "GPE"),))
    toll = Fact(id="a#4", article_id="a", index=4, text="At least 12 people were killed.", figures=(KILLED,))
    event = Item(id="a#3", text="A missile hit the regional administration building in Mykolaiv.",
                 theme="battlefield", facts=(strike, toll), sources=("a",), speaker="the governor",
                 figures=(KILLED,), date=None, hedged=False, support=Support(1, "single"))
    (row,) = key_figures([event], 8)
    assert (row.label, row.where) == ("Killed", "Mykolaiv")  # the shown sentence's place, attribution cut
    # A place the gazetteer does not know (an outlet, an agency) or a person's name is never shown.
    odd = Item(id="b#1", text="Officials at Reuters counted 12 dead.", theme="battlefield",
               facts=(Fact(id="b#1", article_id="b", index=1, text="Officials at Reuters counted 12 dead.",
                           entities=(Entity("Reuters", "GPE"),), figures=(KILLED,)),),
               sources=("b",), speaker=None, figures=(KILLED,), date=None, hedged=False, support=Support(1, "single"))
    assert key_figures([odd], 8)[0].where == ""


def test_a_count_that_points_at_the_city_says_where_from_its_article():
    from briefing.events import context_places
    from briefing.models import Entity

    lead = Fact(id="m#0", article_id="m", index=0, text="The mayor of Mariupol called for a full evacuation.",
                entities=(Entity("Mariupol", "GPE"),))
    fled = Fact(id="m#5", article_id="m", index=5, text="About 140,000 people had fled the city before the siege.",
                figures=(Figure(140_000, "people", "About 140,000 people had fled", "about", "refugees"),))
    national = Fact(id="m#6", article_id="m", index=6, text="Almost four million refugees have fled the country.",
                    figures=(Figure(4_000_000, "refugees", "almost four million refugees", "", "refugees"),))

    def event(f):
        return Item(id=f.id, text=f.text, theme="humanitarian", facts=(f,), sources=("m",), speaker=None,
                    figures=f.figures, date=None, hedged=False, support=Support(1, "single"))

    leaned = context_places([lead, fled, national])
    assert key_figures([event(fled)], 8, leaned)[0].where == "Mariupol"
    assert key_figures([event(national)], 8, leaned)[0].where == ""  # "the country" says no city
    assert key_figures([event(fled)], 8)[0].where == ""


def test_a_detail_folded_into_an_item_is_cited_but_its_counts_are_no_rivals():
    from briefing.select import rank_items

    total = item("Nearly 3.9 million people have fled the country since the invasion a month ago, UN figures show.",
                 "humanitarian", ("u",), [Figure(3_900_000, "people", "3.9 million", "", "refugees")], outlets=3)
    share = Item(id="u#4", text="Of those who have left, 2.2 million have fled for neighbouring Poland.",
                 theme="humanitarian",
                 facts=(Fact(id="u#4", article_id="u", index=4, text="Of those who have left, 2.2 million have fled "
                                                                     "for neighbouring Poland.", theme="humanitarian",
                             figures=(Figure(2_200_000, "people", "2.2 million", "", "refugees"),)),),
                 sources=("u",), speaker=None, figures=(), date=None, hedged=False, support=Support(1, "single"))
    (shown,) = rank_items([total, share], per_theme=5, aim_words=35)
    assert "u#4" in {f.id for f in shown.facts}
    assert key_figures([shown], 8)[0].values == (("3.9 million", ("u",)),)


def test_an_event_updated_by_a_rising_count_is_told_by_the_sentence_giving_the_new_count():
    from dataclasses import replace

    from briefing.select import _with_the_update

    seven = Figure(7, "dead", "at least seven dead", "at least", "killed")
    fifteen = Figure(15, "killed", "At least 15 people were killed", "at least", "killed")
    old = Fact(id="x#1", article_id="x", index=1, speaker="Zelensky", figures=(seven,),
               text="An attack on the regional headquarters in Mykolaiv left at least seven dead, Zelensky said.")
    new = Fact(id="y#0", article_id="y", index=0, speaker="Governor Kim", figures=(fifteen,),
               text="At least 15 people were killed by a missile strike on the regional headquarters in Mykolaiv.")
    event = Item(id="x#1", text="An attack on the regional headquarters in Mykolaiv left at least seven dead.",
                 theme="battlefield", facts=(old, new), sources=("x", "y"), speaker="Zelensky",
                 figures=(seven, fifteen), date=None, hedged=False, support=Support(2, "corroborated"),
                 novelty="updated", changes=("figure", "actor"), change_figures=(("killed", 15.0, 12.0, "2022-03-29"),))
    told = _with_the_update(event)
    assert told.text == new.text and told.facts[0] is new and told.id == event.id
    assert told.changes == ("figure",)  # the new statement the history saw is not the one shown
    assert _with_the_update(replace(event, novelty="new")) == replace(event, novelty="new")


def test_where_skips_a_seat_of_government_and_keeps_a_town_the_ner_also_took_for_a_name():
    from briefing.models import Entity
    from briefing.select import _where

    gazetteer = frozenset({"Chernihiv", "Moscow", "Kim"})
    shown = Fact(id="a#1", article_id="a", index=1, speaker="Ukrainian authorities",
                 text="Russian forces bombarded the city of Chernihiv despite Moscow's promise, officials said.",
                 entities=(Entity("Chernihiv", "GPE"), Entity("Moscow", "GPE")))
    mayor = Fact(id="b#2", article_id="b", index=2, text="Mayor of Chernihiv Vladyslav Atroshenko said it was a lie.",
                 entities=(Entity("Mayor of Chernihiv Vladyslav Atroshenko", "PERSON"), Entity("Chernihiv", "GPE")))
    event = Item(id="a#1", text="Russian forces bombarded the city of Chernihiv despite Moscow's promise.",
                 theme="battlefield", facts=(shown, mayor), sources=("a", "b"), speaker="Ukrainian authorities",
                 figures=(), date=None, hedged=False, support=Support(2, "corroborated"))
    assert _where(event, gazetteer.__contains__) == ["Chernihiv"]
    kim = Fact(id="c#4", article_id="c", index=4, speaker="Kim", text="Kim said that 34 more people were injured.",
               entities=(Entity("Kim", "GPE"),))
    said = Item(id="c#4", text=kim.text, theme="humanitarian", facts=(kim,), sources=("c",), speaker="Kim",
                figures=(), date=None, hedged=False, support=Support(1, "single"))
    assert _where(said, gazetteer.__contains__) == []


def test_what_ought_to_be_done_said_by_no_one_is_an_opinion_not_news():
    from briefing.select import _presentable

    config = Config()
    opinion = item("The freezing of billions in assets hidden in shell companies must be tackled much more actively.",
                   "sanctions")
    assert not _presentable(opinion, config)
    said = item("The freezing of billions in assets hidden in shell companies must be tackled much more actively.",
                "sanctions", speaker="the finance minister")
    assert _presentable(said, config)
    quoted = item('"We must close every port to ships under the Russian flag," the minister told parliament on Monday.',
                  "sanctions")
    assert _presentable(quoted, config)
    assert _presentable(item("The ministry said ships under the Russian flag can no longer enter the country's ports.",
                             "sanctions"), config)
    # An imperative with no one giving it is the writer's call too.
    assert not _presentable(item("The port is the gateway to the continent, close all its waterways to ships under the "
                                 "Russian flag.", "sanctions"), config)
    assert _presentable(item("Officials will close all crossings on the border to traffic from Friday morning.",
                             "sanctions"), config)


def test_a_since_yesterday_line_joins_statements_and_reports_of_outlets_apart():
    from briefing.select import _joined

    assert _joined(["statement by Kuleba", "report by Financial Times", "statement by Medinsky"]) == \
        "statements by Kuleba, Medinsky; report by Financial Times"
    assert _joined(["30,000 refugees", "statement by Boychenko"]) == "30,000 refugees; statement by Boychenko"


def test_a_line_that_only_says_the_fighting_goes_on_is_no_news():
    from briefing.models import Entity
    from briefing.select import _presentable

    config = Config()
    assert not _presentable(item("Clashes continue between the armies of the two countries.", "battlefield"), config)
    assert not _presentable(item("The fighting between the two capitals continues as the invasion of its neighbour "
                                 "progresses.", "battlefield"), config)
    # Where it goes on, or a count, is news.
    kharkiv = item("Fighting continues on the outskirts of Kharkiv, where shelling hit two districts overnight.",
                   "battlefield")
    kharkiv = replace(kharkiv, facts=tuple(replace(f, entities=(Entity("Kharkiv", "GPE"),)) for f in kharkiv.facts))
    assert _presentable(kharkiv, config)
