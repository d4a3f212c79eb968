"""Contradicting claims on the same point are shown side by side; unrelated or same-side items are not."""

from __future__ import annotations

import datetime as dt

from briefing.disputes import find_disputes, side_of
from briefing.models import Entity, Fact, Item, Support

DAY = dt.date(2022, 3, 29)


def item(iid: str, text: str, *, speaker=None, theme="battlefield", places=("Kyiv", "Chernihiv"),
         kind="single") -> Item:
    ents = tuple(Entity(p, "GPE") for p in places)
    f = Fact(id=f"{iid}#0", article_id=iid, index=0, text=text, speaker=speaker, entities=ents, theme=theme)
    return Item(id=iid, text=text, theme=theme, facts=(f,), sources=(iid,), speaker=speaker, figures=(), date=DAY,
                hedged=False, support=Support(1, kind))


RUSSIA = item("ru", "Russian Deputy Defence Minister Alexander Fomin said Moscow would drastically reduce military "
                    "activity around Kyiv and Chernihiv to build trust in the talks.",
              speaker="Alexander Fomin", kind="claim")
US = item("us", "Pentagon spokesman John Kirby said the movement of Russian troops away from Kyiv was a "
                "regrouping, not a withdrawal, and warned the world not to be fooled.",
          speaker="John Kirby", places=("Kyiv",))
MAYOR = item("ua", "The mayor of the Ukrainian city of Chernihiv dismissed Moscow's promise to scale back its "
                   "operations, saying the city had been shelled all night.",
             speaker="The mayor of the Ukrainian city of Chernihiv", places=("Chernihiv",))
IRPIN = item("irpin", "Ukrainian forces have retaken the Kyiv suburb of Irpin, the town's mayor said.",
             speaker="the town's mayor", places=("Kyiv", "Irpin"))
TERRITORY = item("terr", "Ukrainian President Volodymyr Zelensky said Ukraine would not give up any territory "
                         "in the talks with Russia.",
                 speaker="Volodymyr Zelensky", theme="negotiations", places=("Ukraine", "Russia"))
RU_TALKS = item("rutalks", "Russia's chief negotiator Vladimir Medinsky said the talks in Istanbul had been "
                           "constructive and that Moscow would reduce military activity near Kyiv.",
                speaker="Vladimir Medinsky", theme="negotiations", places=("Istanbul", "Kyiv"))


def test_sides_are_read_from_the_speaker_and_the_words_introducing_them():
    assert side_of(RUSSIA) == "russia"
    assert side_of(US) == "united states"
    assert side_of(MAYOR) == "ukraine"
    assert side_of(item("x", "Officials told us the shelling went on all night.")) is None


def test_a_regrouping_not_a_withdrawal_disputes_the_scale_down_claim():
    out = find_disputes([RUSSIA, US, IRPIN])
    assert [it.id for it in out] == ["ru", "irpin"]
    assert [d.id for d in out[0].disputed_by] == ["us"]


def test_several_challengers_gather_on_one_claim():
    out = find_disputes([US, RUSSIA, MAYOR])
    assert [it.id for it in out] == ["ru"]
    assert {d.id for d in out[0].disputed_by} == {"us", "ua"}


def test_no_dispute_without_a_contradiction_cue_or_across_themes_or_within_one_side():
    # Same topic, different sides, but nobody contradicts anybody.
    agree = item("us2", "US officials said Russian troops were moving away from Kyiv and Chernihiv.",
                 places=("Kyiv", "Chernihiv"))
    assert [it.disputed_by for it in find_disputes([RUSSIA, agree])] == [(), ()]
    # The challenger in another theme.
    other = item("us3", US.text, speaker="John Kirby", theme="negotiations")
    assert all(not it.disputed_by for it in find_disputes([RUSSIA, other]))
    # Two Ukrainian voices are not a dispute between sides.
    ua_claim = item("ua2", "Ukraine's general staff said Ukrainian forces would reduce operations near Kyiv.",
                    speaker="Ukraine's general staff")
    assert all(not it.disputed_by for it in find_disputes([ua_claim, MAYOR]))


def test_a_negation_about_something_else_is_not_a_dispute():
    out = find_disputes([RU_TALKS, TERRITORY])
    assert [it.id for it in out] == ["rutalks", "terr"]
    assert all(not it.disputed_by for it in out)


def test_a_negation_aimed_elsewhere_does_not_dispute_the_claim():
    uk = item("uk", "“We do not want to see anything less than the complete withdrawal of Russian forces from "
                    "Ukrainian territory,” said a spokesman for Prime Minister Johnson.",
              speaker="a spokesman for Prime Minister Johnson", places=("Ukraine",))
    out = find_disputes([RUSSIA, uk])
    assert all(not it.disputed_by for it in out) and len(out) == 2


def test_sides_are_a_data_file_a_desk_can_extend(tmp_path):
    from briefing.disputes import SIDES, load_sides

    assert "kyiv" in SIDES["ukraine"] and "white house" in SIDES["united states"]
    path = tmp_path / "sides.yaml"
    path.write_text("ruritania:\n  names: [ruritania, ruritanian]\n  seats: [strelsau, royal palace]\n",
                    encoding="utf-8")
    names, seats = load_sides(path)
    assert names == {"ruritania": ("royal palace", "ruritania", "ruritanian", "strelsau")}
    assert seats == {"ruritania": ("strelsau", "royal palace")}
