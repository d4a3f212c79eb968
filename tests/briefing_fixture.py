"""A hand-built Briefing for render tests, from real sentences of the two sample articles in samples/."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from briefing.models import Briefing, Figure, Item, KeyFigure, Quote, Section, Source, Stats, Support

DAY = dt.date(2022, 4, 1)
A = "000_986f4cd8ed297f09"  # samples/000_986f4cd8ed297f09.txt
B = "004_d52130d6b5804202"  # samples/004_d52130d6b5804202.txt
C = "wire-kyiv-0401"  # a third, made-up wire story with a URL


def item(id: str, text: str, theme: str | None, sources: tuple[str, ...], *, speaker: str | None = None,
         figures: tuple[Figure, ...] = (), date: dt.date | None = DAY, hedged: bool = False,
         kind: str | None = None, novelty: str = "new", disputed_by: tuple[Item, ...] = (),
         score: float = 1.0) -> Item:
    outlets = len(set(sources))
    kind = kind or ("corroborated" if outlets >= 2 else "single")
    return Item(id=id, text=text, theme=theme, facts=(), sources=sources, speaker=speaker, figures=figures,
                date=date, hedged=hedged, support=Support(outlets=outlets, kind=kind), score=score,
                novelty=novelty, disputed_by=disputed_by)


KILLED = Figure(value=12.0, unit="killed", text="At least 12 people", qualifier="at least", category="killed")
INJURED = Figure(value=22.0, unit="injured", text="22 were injured", category="injured")
EVACUATED = Figure(value=2000.0, unit="civilians", text="Around 2,000 civilians", qualifier="around",
                   category="evacuated")
BUSES = Figure(value=42.0, unit="buses", text="42 buses", category="other")
VILLAGES = Figure(value=11.0, unit="villages", text="Eleven villages", category="other")

LAVROV = item(
    "i-lavrov",
    "Russian Foreign Minister Sergei Lavrov said Moscow is preparing a response to Ukraine’s prior proposals "
    "issued in Istanbul early this week on reaching a ceasefire.",
    "negotiations", (B, C), speaker="Sergei Lavrov", score=3.1)
MEDINSKY = item(
    "i-medinsky",
    "Moscow's chief negotiator, Vladimir Medinsky, said Russia's promise to “drastically reduce” military "
    "operations does not mean a ceasefire.",
    "negotiations", (A,), speaker="Vladimir Medinsky", date=dt.date(2022, 3, 29), score=2.2)
LE_DRIAN = item(
    "i-le-drian",
    "French Foreign Minister Jean-Yves Le Drian said he saw no signs of a real and long-term change in "
    "Russia's position.",
    "negotiations", (B,), speaker="Jean-Yves Le Drian", date=dt.date(2022, 3, 31), score=2.0)
MYKOLAIV = item(
    "i-mykolaiv",
    "At least 12 people were killed and 22 were injured when a Russian air strike hit the regional "
    "administration building in Mykolaiv.",
    "humanitarian", (A, C), speaker="the Ukrainian Emergency Situations Agency", figures=(KILLED, INJURED),
    date=dt.date(2022, 3, 29), novelty="updated", score=3.5)
BERDYANSK = item(
    "i-berdyansk",
    "Around 2,000 civilians are on evacuation buses heading from Berdyansk to Zaporizhzhia, carrying civilians "
    "evacuating from the besieged city of Mariupol.",
    "humanitarian", (B,), speaker="CNN", figures=(EVACUATED,), score=2.8)
CONVOY = item(
    "i-convoy",
    "Many private vehicles have joined the 42 buses escorted by Red Cross and SES vehicles.",
    "humanitarian", (B,), speaker="Mariupol city council", figures=(BUSES,), score=1.6)
KYIV_FIGHTING = item(
    "i-kyiv-fighting",
    "Large-scale fighting has reportedly erupted around the capital of Kiev, from which the Russians earlier "
    "vowed they would also withdraw.",
    "battlefield", (B,), hedged=True, score=2.4)
REGROUPING = item(
    "i-regrouping",
    "Another US official said that any movement of Russian forces around Kyiv was “a regrouping rather than a "
    "withdrawal.”",
    "battlefield", (A,), speaker="a US official", date=dt.date(2022, 3, 29), score=1.9)
VILLAGES_ITEM = item(
    "i-villages",
    "Eleven villages in the southern Kherson region and several others in the Chernihiv region northeast of "
    "Kyiv have been returned to Ukrainian control.",
    "battlefield", (B,), speaker="the General Staff", figures=(VILLAGES,), kind="claim", score=2.1,
    disputed_by=(REGROUPING,))
SHOIGU = item(
    "i-shoigu",
    "Shoigu said Moscow's “main goal” in Ukraine now was to “liberate” the Donbas region.",
    "battlefield", (A,), speaker="Sergei Shoigu", date=dt.date(2022, 3, 29), kind="claim", score=1.7)
SANCTIONS = item(
    "i-sanctions",
    "Leaders agreed to “continue to increase sanctions and the price paid by Russia,” the White House said.",
    "sanctions", (A,), speaker="the White House", date=dt.date(2022, 3, 29), score=2.0)
HYDROCARBONS = item(
    "i-hydrocarbons",
    "Le Drian repeated calls for Europe to boycott Russian hydrocarbons.",
    "sanctions", (B,), speaker="Jean-Yves Le Drian", score=1.5)


def make_briefing(**changes) -> Briefing:
    sources = (
        Source(number=1, id=A, title="Day 34 of the Invasion of Ukraine: Victims in Mariupol, Battles around "
               "Kyiv, Aid from the US", outlet="", url="", published=dt.date(2022, 3, 30),
               path="samples/000_986f4cd8ed297f09.txt"),
        Source(number=2, id=B, title="Lavrov: Moscow preparing response to Ukraine's Istanbul proposals",
               outlet="Desk Monitor", url="", published=DAY, path="samples/004_d52130d6b5804202.txt"),
        Source(number=3, id=C, title="Evacuation convoy leaves Berdyansk as talks resume by video link",
               outlet="Wire Desk", url="https://news.example.com/world/2022/04/01/kyiv-talks?ref=rss",
               published=DAY, path="https://news.example.com/world/2022/04/01/kyiv-talks?ref=rss"),
    )
    briefing = Briefing(
        date=DAY,
        title="Ukraine daily briefing",
        generated_at="2022-04-01T06:30:00+00:00",
        takeaways=(MYKOLAIV, LAVROV, BERDYANSK, KYIV_FIGHTING),
        sections=(
            Section("negotiations", "Negotiations", (LAVROV, MEDINSKY, LE_DRIAN)),
            Section("battlefield", "Battlefield", (KYIV_FIGHTING, VILLAGES_ITEM, SHOIGU)),
            Section("humanitarian", "Humanitarian", (MYKOLAIV, BERDYANSK, CONVOY)),
            Section("sanctions", "Sanctions", (SANCTIONS, HYDROCARBONS)),
            Section("energy", "Energy", ()),
        ),
        sources=sources,
        key_figures=(
            KeyFigure("killed", "Killed in the Mykolaiv strike", (("At least 12", (A,)), ("15", (C,))),
                      MYKOLAIV.text, (A, C)),
            KeyFigure("injured", "Injured in the Mykolaiv strike", (("22", (A,)),), MYKOLAIV.text, (A,)),
            KeyFigure("evacuated", "Civilians on evacuation buses to Zaporizhzhia", (("Around 2,000", (B,)),),
                      BERDYANSK.text, (B,)),
            KeyFigure("other", "Buses in the Berdyansk convoy", (("42", (B,)),), CONVOY.text, (B,)),
        ),
        quotes=(
            Quote("Jean-Yves Le Drian", "I don’t see any signs indicating a real and long-term change in Russia’s "
                  "position", (B,)),
            Quote("Antony Blinken", "What Russia is saying and what Russia is doing are different things, and we "
                  "are focusing on the latter", (A,)),
            Quote("Vitaliy Klitschko", "The risk of dying [in Kyiv] is pretty high", (B,)),
        ),
        stats=Stats(articles=3, sentences=184, facts=61, merged=9, noise_dropped=7, unthemed=12, skipped_files=0,
                    words_in=2410, words_out=402),
        since_yesterday=(replace(MYKOLAIV, id="i-mykolaiv-since"),),
        warnings=("samples/broken.html: skipped (not UTF-8)",),
    )
    return replace(briefing, **changes) if changes else briefing


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "{{ 7*7 }}",
    "[link](javascript:alert(1))",
]


def hostile_briefing(port: int = 9) -> Briefing:
    """Article text that tries to be markup, template code, links and table syntax."""
    base = make_briefing()
    evil_text = (f"Officials said <script>alert(1)</script> and <img src=x onerror=\"alert(2)\"> then "
                 f"{{{{ 7*7 }}}} and [link](javascript:alert(1)) and <img src=\"http://127.0.0.1:{port}/x.png\"> "
                 f"and {{% raw %}} | # not a heading")
    evil = item("i-evil", evil_text, "battlefield", (A, "evil-src"), speaker="*Bold* <b>speaker</b> [x](y)")
    list_like = item("i-list", "1. not a list\nsecond line - with a newline", "battlefield", (A,))
    dash = item("i-dash", "- not a bullet", "battlefield", (A,))
    evil_source = Source(number=4, id="evil-src", title="Click [me](javascript:alert(3)) <script>x</script>",
                         outlet="Evil | Outlet", url="javascript:alert(4)", published=None,
                         path="feeds/`evil`.xml")
    data_source = Source(number=5, id="data-src", title="Data url", outlet="Data", url="data:text/html,<b>x</b>",
                         published=None, path="")
    return replace(
        base,
        title="Briefing <script>alert(0)</script>",
        takeaways=(evil,) + base.takeaways,
        sections=(Section("battlefield", "Battle <i>field</i> | #1", (evil, list_like, dash)),) + base.sections,
        sources=base.sources + (evil_source, data_source),
        key_figures=(KeyFigure("other", "a | b", (("3 | 4", ("evil-src",)), ("<b>5</b>", (A,))), "ctx",
                               ("evil-src", A)),) + base.key_figures,
        quotes=(Quote("<script>q</script>", "{{ 7*7 }} ” [x](javascript:alert(5))", ("evil-src",)),) + base.quotes,
    )
