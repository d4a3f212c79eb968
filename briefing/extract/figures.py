"""Figures: numbers in a news sentence, each tied to what it counts.

``find_figures("At least 12 people were killed and 22 were injured")`` gives two
:class:`~briefing.models.Figure` objects: ``(12, "killed", "At least 12 people were killed", "at least",
"killed")`` and ``(22, "injured", "22 were injured", "", "injured")``.

Pure regex and word-number parsing (no spaCy): tens of thousands of sentences a second.

How a number becomes a figure
-----------------------------
1. Spans that hold numbers that are not counts are masked first: URLs, @handles, #hashtags, dates
   ("March 29, 2022", "29.03.2022", "Day 34"), times ("10 p.m.", "19:32"), ordinals ("3rd"), ages
   ("a 45-year-old", "Nazarov, 23,"), identifiers ("Article 5", "part 2", "Su-34", "G7"), phone numbers,
   numbers in brackets ("Tuesday (29)") and years ("in 2014").
2. A number is digits ("2,000", "1.5", "1,60,000") or words ("eleven", "twenty-five", "a dozen",
   "six and a half"), with an optional scale ("million", "bn", "m") and currency ("$", "€", "euros") or
   percent sign. Vague plurals ("hundreds of", "thousands") are not numbers.
3. The unit is the head of the noun phrase that follows ("4 million refugees", "nine apartment buildings").
   When that noun is generic ("people", "others", "more") or missing ("22 were injured") the verb that
   follows gives the unit ("were killed" -> "killed", "have fled" -> "fled"); failing that a verb before
   ("killing at least 12"), "N of the city's residents", "a population of 430,000", or the subject of
   "refugees are now 4 million". A number with no unit at all is not reported.
4. Durations ("15 days", "a 30-minute drive") and page furniture ("16 px", "19 Posts") are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Figure
from .dates import MONTH, MONTH_NAMES, MONTH_NUMBERS

__all__ = ["CATEGORIES", "find_figures", "parse_number_words"]

CATEGORIES = ("killed", "injured", "evacuated", "refugees", "military", "money")
"""What a figure may count (``Figure.category``), in the order a briefing lists them; any other figure's category
is "other". This module owns the names: the stages that group or show figures by category take them from here."""

# --------------------------------------------------------------------------------------------------
# Vocabulary

_UNITS_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS_WORDS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}
_SCALES = {
    "hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "mn": 1e6, "mln": 1e6, "m": 1e6, "bn": 1e9, "b": 1e9, "k": 1e3, "tn": 1e12, "trn": 1e12,
}
# Scales that may follow a number only when glued to it or to a currency amount ("$5bn", "5m").
_SHORT_SCALES = {"mn", "mln", "m", "bn", "b", "k", "tn", "trn"}

_CURRENCY_SYMBOLS = {"$": "usd", "us$": "usd", "€": "eur", "£": "gbp", "₴": "uah", "₽": "rub", "¥": "jpy"}
_CURRENCY_WORDS = {
    "dollar": "usd", "dollars": "usd", "usd": "usd", "euro": "eur", "euros": "eur", "eur": "eur",
    "pound": "gbp", "pounds": "gbp", "sterling": "gbp", "gbp": "gbp", "ruble": "rub", "rubles": "rub",
    "rouble": "rub", "roubles": "rub", "rub": "rub", "hryvnia": "uah", "hryvnias": "uah", "hryvnas": "uah",
    "hryvnya": "uah", "uah": "uah", "yen": "jpy", "yuan": "cny", "francs": "chf", "lira": "try",
}

_QUALIFIERS = [
    ("at least", "at least"), ("no fewer than", "at least"), ("no less than", "at least"),
    ("more than", "more than"), ("well over", "more than"), ("just over", "more than"), ("over", "over"),
    ("in excess of", "more than"), ("upwards of", "more than"),
    ("around", "around"), ("about", "about"), ("approximately", "about"), ("roughly", "about"),
    ("some", "some"), ("close to", "nearly"), ("nearly", "nearly"), ("almost", "almost"),
    ("up to", "up to"), ("as many as", "up to"), ("at most", "up to"),
    ("fewer than", "fewer than"), ("less than", "fewer than"), ("under", "fewer than"),
    ("just under", "fewer than"), ("an estimated", "estimated"), ("estimated", "estimated"),
    ("at", ""), ("only", ""), ("another", ""), ("an additional", ""), ("a further", ""),
]
_QUAL_WORDS = sorted(_QUALIFIERS, key=lambda q: -len(q[0].split()))

# Verbs (and predicate adjectives) that give the unit of a count with no specific noun.
_VERB_UNITS = {
    "killed": "killed", "dead": "killed", "died": "killed", "die": "killed", "perished": "killed",
    "slain": "killed", "murdered": "killed", "executed": "killed",
    "injured": "injured", "wounded": "injured", "hurt": "injured", "hospitalised": "injured",
    "hospitalized": "injured",
    "evacuated": "evacuated", "evacuate": "evacuated",
    "fled": "fled", "flee": "fled", "fleeing": "fled", "escaped": "fled",
    "displaced": "displaced", "uprooted": "displaced",
    "missing": "missing", "trapped": "trapped", "stranded": "trapped",
    "captured": "captured", "detained": "detained", "arrested": "detained",
    "rescued": "rescued", "deported": "deported", "relocated": "deported",
    "arrived": "arrived", "entered": "entered", "crossed": "crossed", "exited": "exited", "gone": "gone",
    "returned": "returned", "remain": "remaining", "remained": "remaining", "remaining": "remaining",
    "destroyed": "destroyed", "damaged": "damaged", "shot": "shot down",
}
# Active verbs that may precede the count: "killing at least 12", "the strike killed 9".
_PRE_VERB_UNITS = {
    "killing": "killed", "killed": "killed", "kill": "killed", "kills": "killed",
    "injuring": "injured", "injured": "injured", "wounding": "injured", "wounded": "injured",
    "evacuating": "evacuated", "evacuated": "evacuated", "evacuate": "evacuated",
    "rescuing": "rescued", "rescued": "rescued", "displacing": "displaced", "displaced": "displaced",
    "leaving": "remaining",
}
# Nouns that stand for the verb: "15 deaths", "a death toll of 12".
_NOUN_UNITS = {
    "deaths": "killed", "death": "killed", "dead": "killed", "fatalities": "killed", "toll": "killed",
    "injuries": "injured", "injuries.": "injured", "wounded": "injured", "injured": "injured",
    "evacuees": "evacuated", "refugees": "refugees", "refugee": "refugees",
    "idps": "displaced", "km": "km", "kilometres": "km", "kilometers": "km", "kilometre": "km",
    "kilometer": "km", "kms": "km", "miles": "miles", "mile": "miles", "percent": "%",
    "tonnes": "tonnes", "tons": "tonnes", "metres": "m", "meters": "m", "sq": "sq",
}
_GENERIC = {
    "people", "persons", "person", "others", "other", "more", "individuals", "ones", "of", "figure",
    "number", "total", "tally", "sum", "count", "them", "those", "new", "further",
}
_PEOPLE = {
    "people", "persons", "person", "civilians", "civilian", "residents", "resident", "inhabitants",
    "children", "child", "women", "men", "ukrainians", "russians", "citizens", "families", "people.",
    "others", "individuals", "locals", "elderly", "patients", "students", "workers", "employees",
}
_MILITARY = {
    "troops", "soldiers", "servicemen", "tanks", "aircraft", "helicopters", "jets", "planes", "drones",
    "personnel", "marines", "paratroopers", "fighters", "missiles", "rockets", "artillery",
    "warships", "ships", "battalions", "brigades", "mercenaries", "conscripts", "armoured", "apcs",
}
_DURATIONS = {
    "second", "seconds", "minute", "minutes", "min", "mins", "hour", "hours", "hr", "hrs", "day", "days",
    "week", "weeks", "month", "months", "year", "years", "decade", "decades", "century", "centuries",
    "night", "nights", "weekend", "weekends", "times", "time", "summers", "winters", "springs", "autumns",
    "seasons", "semesters", "terms", "generations", "innings", "rounds", "laps", "straight",
}
_FURNITURE = {
    "px", "posts", "post", "comments", "comment", "likes", "shares", "views", "replies", "retweets",
    "photos", "images", "slides", "read", "ago", "pm", "am", "gmt", "utc", "cet", "et", "ist", "bst",
    "edt", "est", "results", "pages", "page", "responses", "response", "followers", "subscribers",
}
_IDENT_BEFORE = {
    "day", "week", "article", "section", "part", "chapter", "annex", "paragraph", "no", "number", "nos",
    "resolution", "protocol", "flight", "route", "highway", "gate", "room", "level", "grade", "category",
    "phase", "stage", "round", "item", "page", "vol", "volume", "issue", "point", "clause", "rule",
    "line", "platform", "bus", "channel", "episode", "season", "unit", "brigade", "battalion", "division",
    "regiment", "squadron", "block", "building", "house", "apartment", "floor", "street", "district",
    "ward", "zone", "sector", "batch", "tranche", "version", "model", "code", "figure", "table", "step",
    "appendix", "schedule", "amendment", "tier", "size", "covid", "window", "hospital", "school",
    "kindergarten", "lyceum", "gymnasium", "aged", "age", "ages",
}
_YEAR_BEFORE = {
    "in", "since", "of", "by", "until", "till", "from", "before", "after", "year", "early", "late", "mid",
    "spring", "summer", "autumn", "fall", "winter", "through", "during", "between", "to", "and", "or", "for",
    "the", "circa",
} | set(MONTH_NUMBERS)
_DEF_BEFORE = {"the", "these", "those", "its", "their", "his", "her", "our", "your", "my", "both", "all",
               "every", "each", "first", "last", "next", "whose"}
_ONE_OK = {"person", "civilian", "child", "man", "woman", "soldier", "people", "dead", "killed",
           "injured", "wounded", "boy", "girl", "resident", "serviceman", "officer"}

# Words that end a noun phrase (function words, auxiliaries, adverbs, common verbs).
_STOP = set("""
a an the of in on at to for from by with without within into onto over under about around across after
before since during until till through throughout against among between per via than as like near off
and or but nor so yet while whereas although though because if when where whom who whose which that
what whether this these those there here it its it's they them their he him his she her we us our you
your i me my is are was were be been being am have has had having do does did done will would shall
should can could may might must not no also already still now just only even ever again yet soon then
reportedly allegedly reported said says say told according including included include includes such
more most less least other another each every all both some any many much few several very
too quite really almost nearly about approximately roughly up down out back away further additional
mostly mainly largely partly including, new same own last next first second third since
are were was is has have had been being got get gets getting became become becomes
""".split())
_AUX = set("""
have has had having were was are is be been being am will would could might may can must should
also still now already reportedly allegedly believed feared thought said reported confirmed known
found estimated expected understood presumed likely so far not yet just since then all more
to have been being seriously critically slightly badly fatally severely internally forcibly
""".split())

_WEEKDAYS = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"

_MASKS = [
    re.compile(r"https?://\S+|www\.\S+|\b\S+\.(?:com|org|net|ua|ru|uk|io|gov|info)/\S*|pic\.twitter\.com/\S+",
               re.I),
    re.compile(r"[@#][\w.]+"),
    re.compile(r"\+\d[\d\s().-]{7,}\d|\b\d{3}[-.]\d{3}[-.]\d{4}\b"),
    # numeric dates and times
    re.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b"),
    re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?\s?m\b\.?)?", re.I),
    re.compile(r"\b\d{1,2}(?:[.:]\d{2})?\s*(?:[ap]\.\s?m\.|[ap]m\b|o'clock\b)", re.I),
    # month-day, day-month, month-year
    re.compile(rf"\b{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}}\b)?"),
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}(?:,?\s+\d{{4}}\b)?"),
    re.compile(rf"\b{MONTH}\s+\d{{4}}\b"),
    re.compile(rf"\b{_WEEKDAYS}\s*\(\d{{1,2}}[^)]*\)"),
    # ordinals
    re.compile(r"\b\d+(?:st|nd|rd|th)\b", re.I),
    # ages
    re.compile(r"\b\d{1,3}[-\s]years?[-\s]old\b|\baged\s+\d{1,3}\b|\bage\s+(?:of\s+)?\d{1,3}\b", re.I),
    re.compile(r"(?<=[A-Za-z]), \d{1,3},(?= )"),
    re.compile(r"(?<=[A-Z][a-z]) \(\d{1,3}\)"),
    # numbers alone in brackets
    re.compile(r"\(\d{1,4}\)"),
    # World War I/II and the like have no digits; "COVID-19", "Su-34", "G7", "MH17", "S-400"
    re.compile(r"\b[A-Za-z]+-?\d+[A-Za-z]*\b"),
]

# --------------------------------------------------------------------------------------------------
# Tokens

_TOKEN = re.compile(
    r"\d+(?:,\d{2,3})*(?:\.\d+)?"  # digits with thousands separators and decimals
    r"|US\$|(?:[A-Z]\.){2,}|[A-Za-z]+(?:['’][A-Za-z]+)?(?:-[A-Za-z]+)*"  # words, hyphenated compounds
    r"|[$€£₴₽¥%]"
    r"|\S"
)


class _Tok:
    __slots__ = ("text", "low", "start", "end", "masked")

    def __init__(self, text: str, start: int, end: int, masked: bool):
        self.text = text
        self.low = text.lower()
        self.start = start
        self.end = end
        self.masked = masked

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"_Tok({self.text!r})"


def _mask_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for rx in _MASKS:
        spans.extend(m.span() for m in rx.finditer(text))
    return spans


def _tokenize(text: str) -> list[_Tok]:
    spans = _mask_spans(text)
    toks = []
    for m in _TOKEN.finditer(text):
        s, e = m.span()
        masked = any(a <= s < b or a < e <= b for a, b in spans) if spans else False
        toks.append(_Tok(m.group(), s, e, masked))
    return toks


def _is_word(t: _Tok) -> bool:
    return t.text[0].isalpha()


# --------------------------------------------------------------------------------------------------
# Numbers


def _word_value(low: str) -> float | None:
    if low in _UNITS_WORDS:
        return float(_UNITS_WORDS[low])
    if low in _TENS_WORDS:
        return float(_TENS_WORDS[low])
    if "-" in low:
        a, _, b = low.partition("-")
        if a in _TENS_WORDS and b in _UNITS_WORDS and 0 < _UNITS_WORDS[b] < 10:
            return float(_TENS_WORDS[a] + _UNITS_WORDS[b])
    if low == "dozen":
        return 12.0
    return None


def parse_number_words(text: str) -> float | None:
    """The value of a number written in words: "eleven" -> 11, "six and a half million" -> 6.5e6."""
    toks = [_Tok(m.group(), m.start(), m.end(), False) for m in _TOKEN.finditer(text)]
    parsed = _parse_number(toks, 0)
    if parsed is None or parsed[1] != len(toks):
        return None
    return parsed[0]


def _parse_number(toks: list[_Tok], i: int) -> tuple[float, int, str] | None:
    """Parse a number starting at token i: (value, index after it, kind "digits"|"words")."""
    n = len(toks)
    t = toks[i]
    if t.masked:
        return None
    kind = "digits"
    if t.text[0].isdigit():
        raw = t.text.replace(",", "")
        try:
            value = float(raw)
        except ValueError:
            return None
        j = i + 1
    else:
        low = t.low
        j = i + 1
        if low in ("a", "an") and j < n:
            nxt = toks[j].low
            if nxt == "dozen":
                return 12.0, j + 1, "words"
            if nxt in ("hundred", "thousand", "million", "billion"):
                return _SCALES[nxt], j + 1, "words"
            return None
        if low == "half" and j + 1 < n and toks[j].low == "a" and toks[j + 1].low in (
            "million", "billion", "thousand", "dozen"
        ):
            scale = 12.0 if toks[j + 1].low == "dozen" else _SCALES[toks[j + 1].low]
            return 0.5 * scale, j + 2, "words"
        v = _word_value(low)
        if v is None or low == "dozen":
            return None
        value = v
        kind = "words"
        # "twenty five", "one hundred and twenty"
        if low in _TENS_WORDS and j < n and toks[j].low in _UNITS_WORDS and 0 < _UNITS_WORDS[toks[j].low] < 10:
            value += _UNITS_WORDS[toks[j].low]
            j += 1
    # "six and a half million"
    if j + 3 < n and toks[j].low == "and" and toks[j + 1].low == "a" and toks[j + 2].low == "half" and toks[
        j + 3
    ].low in ("million", "billion", "thousand", "dozen"):
        value += 0.5
        j += 3
    # scales: "1.5 million", "two hundred thousand", "$5bn", "a dozen"
    while j < n:
        low = toks[j].low
        glued = toks[j].start == toks[j - 1].end
        if low == "dozen" and kind == "words":
            value *= 12
            j += 1
        elif low in _SCALES and (low not in _SHORT_SCALES or glued) and low != "b" or (low == "b" and glued):
            value *= _SCALES[low]
            j += 1
            # "one hundred and twenty"
            if low == "hundred" and j + 1 < n and toks[j].low == "and":
                nxt = _word_value(toks[j + 1].low)
                if nxt is not None and nxt < 100:
                    value += nxt
                    j += 2
        else:
            break
    return value, j, kind


# --------------------------------------------------------------------------------------------------
# Units


def _is_plural(low: str) -> bool:
    if low in _IRREG_PLURAL:
        return True
    return low.endswith("s") and not low.endswith(("ss", "us", "is")) and "." not in low and "'" not in low


def _noun_run(toks: list[_Tok], j: int, limit: int = 5) -> tuple[list[int], int]:
    """Indices of the noun-phrase words starting at j (adjectives + nouns), and the index after them.

    The run ends at a function word, a verb, a plural noun or a measure ("villages in", "buses escorted",
    "1500 km away"). A participle is kept only before a noun ("uniformed officers", "displaced people").
    """
    out: list[int] = []
    n = len(toks)
    while j < n and len(out) < limit:
        t = toks[j]
        if not _is_word(t) or t.masked:
            break
        low = t.low
        nxt = toks[j + 1] if j + 1 < n else None
        nxt_nounish = (
            nxt is not None and _is_word(nxt) and not nxt.masked and nxt.low not in _STOP
            and nxt.low not in _VERB_UNITS and nxt.low not in _CALENDAR and not nxt.low.endswith("ly")
            and not (nxt.low.endswith("ed") and nxt.low not in _NOUN_OK_ING)
        )
        if low in _CALENDAR:
            break
        if low in _DURATIONS or low in _MEASURES:
            if not out:
                out.append(j)
                j += 1
            break
        if low in _STOP or (out and low in _COPULA):
            break
        if low in _VERB_UNITS or low.endswith("ly") and low not in ("family", "elderly", "italy", "ally", "supply"):
            # "22 wounded soldiers", "6.5 million displaced people": an adjective before a noun
            if low in _VERB_UNITS and nxt_nounish and _is_plural(nxt.low):
                out.append(j)
                j += 1
                continue
            break
        if (low.endswith("ed") or low.endswith("ing")) and low not in _NOUN_OK_ING:
            if nxt_nounish:
                out.append(j)
                j += 1
                continue
            break
        out.append(j)
        j += 1
        if _is_plural(low):
            # a capitalised place ending in s may qualify a noun: "Two Minneapolis students"
            if t.text[0].isupper() and nxt_nounish and nxt.text[0].islower() and len(out) < limit:
                continue
            # "police officers", "staff members", "crew members": an invariant noun used as a modifier
            if low in _IRREG_PLURAL and low not in ("people", "women", "men", "children") and nxt_nounish and _is_plural(
                nxt.low
            ):
                continue
            break
    return out, j


_IRREG_PLURAL = {"people", "women", "men", "children", "police", "personnel", "aircraft", "staff", "crew",
                 "cattle", "sheep", "feet", "teeth", "mice", "geese", "data", "livestock", "militia", "youth",
                 "dead", "wounded", "injured", "elderly", "clergy", "infantry", "artillery", "ammunition",
                 "equipment", "media"}
_MEASURES = {"km", "kms", "kilometres", "kilometers", "kilometre", "kilometer", "miles", "mile", "metres",
             "meters", "metre", "meter", "m", "feet", "foot", "ft", "inches", "inch", "cm", "mm", "kg",
             "kilograms", "kilos", "grams", "g", "tonnes", "tons", "tonne", "ton", "litres", "liters", "barrels",
             "hectares", "acres", "sq", "square", "degrees", "mph", "kph", "knots", "mw", "gw", "kw", "kwh",
             "mwh", "bcm", "pounds", "lbs", "lb", "ounces", "oz", "percent", "gallons"}


_NOUN_OK_ING = {"building", "buildings", "housing", "wing", "wings", "belongings", "offering", "bedding",
                "evening", "morning", "ceiling", "warning", "warnings", "killing", "killings", "bombing",
                "bombings", "shelling", "shootings", "beings", "red", "hundred", "speed", "seed", "bed",
                "beds", "need", "needs", "feed", "shed", "armed"}


def _verb_after(toks: list[_Tok], j: int) -> tuple[str, int] | None:
    """A unit verb after optional auxiliaries: "were killed", "have also been displaced", "are in hospital"."""
    n = len(toks)
    k = j
    steps = 0
    while k < n and steps < 6:
        t = toks[k]
        if not _is_word(t):
            return None
        low = t.low
        if low in _VERB_UNITS:
            # "lost their lives"
            return _VERB_UNITS[low], k + 1
        if low == "lost" and k + 2 < n and toks[k + 2].low in ("lives", "life"):
            return "killed", k + 3
        if low == "in" and k + 1 < n and toks[k + 1].low in ("hospital", "hospitals"):
            return "injured", k + 2
        if low == "made" and k + 1 < n and toks[k + 1].low == "it":
            return "arrived", k + 2
        if low in _AUX or low.endswith("ly"):
            k += 1
            steps += 1
            continue
        return None
    return None


def _bad_head(tok: _Tok, value: float) -> bool:
    """A head that makes the number a name or an identifier: "3415 Neptune Ave", "30 Rock", "Top 10 hit"."""
    low = tok.low
    if _is_plural(low) or low in _MEASURES or low in _NOUN_UNITS:
        return False
    return tok.text[0].isupper() or value != 1


def _unit_for_noun(low: str) -> str:
    if low in _NOUN_UNITS:
        return _NOUN_UNITS[low]
    return low


def _category(unit: str, noun: str, verb: str, currency: str, sentence_low: str) -> str:
    if currency:
        return "money"
    key = verb or unit
    if key in ("killed",):
        return "killed"
    if key in ("injured",):
        return "injured"
    if key in ("evacuated",):
        return "evacuated"
    if key in ("refugees", "fled", "displaced", "deported"):
        return "refugees"
    if noun in _MILITARY or unit in _MILITARY:
        return "military"
    if noun in _PEOPLE or unit in _PEOPLE or unit in ("arrived", "entered", "crossed", "exited", "gone"):
        if "evacuat" in sentence_low:
            return "evacuated"
        if re.search(r"\b(?:refugees?|fled|flee|fleeing|displaced|exodus)\b", sentence_low):
            return "refugees"
    return "other"


def _qualifier_before(toks: list[_Tok], i: int) -> tuple[str, int]:
    """(normalised qualifier, index of its first token) for the words right before token i."""
    for phrase, norm in _QUAL_WORDS:
        words = phrase.split()
        k = i - len(words)
        if k < 0:
            continue
        if all(toks[k + m].low == w for m, w in enumerate(words)):
            if phrase == "at" and (k == 0 or toks[k - 1].low not in ("stood", "stands", "stand", "put", "is",
                                                                       "was", "estimated", "toll")):
                continue
            if phrase == "some" and k > 0 and toks[k - 1].low in ("for", "in"):
                continue
            if phrase == "over" and k > 0 and toks[k - 1].low in ("took", "take", "taken", "handed", "hand"):
                continue
            return norm, k
    return "", i


def _clause_subject(toks: list[_Tok], verb_idx: int) -> str | None:
    """The head of the first noun run of the clause that ends at verb_idx: "Refugees from Ukraine are"."""
    k = verb_idx - 1
    while k >= 0 and toks[k].text not in (",", ";", ":", '"', "“", "”", ".", "(", "—", "–") and verb_idx - k < 10:
        k -= 1
    k += 1
    first = k
    while k < verb_idx:
        t = toks[k]
        if _is_word(t) and t.low not in _STOP and not t.masked:
            if t.text[0].isupper() and (k != first or t.low in _CALENDAR):
                k += 1
                continue
            run, _ = _noun_run(toks, k)
            if run:
                return toks[run[-1]].low
            return None
        k += 1
    return None


_OF_NOUNS = {
    "population", "toll", "tally", "total", "increase", "rise", "jump", "decrease", "decline", "drop", "fall",
    "crowd", "community", "town", "city", "village", "force", "army", "contingent", "convoy", "fleet",
    "delegation", "workforce", "package", "loan", "fine", "budget", "deficit", "surplus", "debt", "bill",
    "aid", "sum", "amount",
}
_CALENDAR = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
             "yesterday", "tomorrow", "tonight", "overnight", "mon", "tue", "tues", "wed", "thu", "thurs", "fri",
             "sat", "sun"} | {m.lower() for m in MONTH_NAMES}
_COPULA = {"are", "is", "was", "were", "reached", "hit", "rose", "risen", "stood", "stands", "totalled",
           "totaled", "climbed", "increased", "jumped", "surpassed", "exceeded", "passed", "topped"}


def find_figures(text: str) -> tuple[Figure, ...]:
    """Numbers in ``text`` tied to what they count, in order of appearance."""
    if not text or not any(ch.isdigit() for ch in text) and not _HAS_NUMBER_WORD.search(text):
        return ()
    sentence = _Sentence(text, _tokenize(text), text.lower())
    toks = sentence.toks
    figures: list[Figure] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.masked or not (t.text[0].isdigit() or t.low in _NUMBER_STARTS):
            i += 1
            continue
        parsed = _parse_number(toks, i)
        if parsed is None:
            i += 1
            continue
        value, j, kind = parsed
        fig = _figure_at(sentence, i, j, value, kind)
        if fig is None:
            i = max(j, i + 1)
            continue
        figure, end_idx = fig
        figures.append(figure)
        i = max(end_idx, j, i + 1)
    return tuple(figures)


_NUMBER_STARTS = set(_UNITS_WORDS) | set(_TENS_WORDS) | {"a", "an", "half"} | {
    f"{a}-{b}" for a in _TENS_WORDS for b in list(_UNITS_WORDS)[1:10]
}
_HAS_NUMBER_WORD = re.compile(
    r"\b(?:" + "|".join(sorted(set(_UNITS_WORDS) | set(_TENS_WORDS) | {"dozen", "half"}, key=len, reverse=True)) + r")\b",
    re.I,
)


@dataclass(frozen=True)
class _Sentence:
    """What every step of reading one number needs about its sentence."""

    text: str
    toks: list[_Tok]
    low: str
    """The sentence in lower case (category cues anywhere in it: "evacuat", "fled")."""


@dataclass
class _Reading:
    """What is known so far about the number at token ``i`` (tokens ``i``..``j`` hold the number itself)."""

    i: int
    j: int
    value: float
    kind: str
    currency: str = ""
    start: int = 0
    """First token of the figure's text (a currency sign or qualifier before the number included)."""
    qualifier: str = ""
    end: int = 0
    """Token after the figure (where reading goes on)."""
    span_end: int = 0
    """When set, the token after the figure's *text*, past ``end`` ("between 20 and 30 people")."""
    unit: str = ""
    noun: str = ""
    verb: str = ""


_ADDED = ("more", "additional", "extra", "other", "further", "new")
_CASUALTY_VERBS = ("killed", "injured", "evacuated", "displaced", "fled")
_OWNERS = ("the", "its", "their", "his", "her", "our", "those", "these")
YEARS = (1800, 2100)
"""A bare four-digit number in this range is a year, not a count, unless a measure or plural noun follows."""


def _figure_at(s: _Sentence, i: int, j: int, value: float, kind: str) -> tuple[Figure, int] | None:
    """The figure that the number at tokens ``i``..``j`` gives, and the token where reading goes on; None when
    the number is not a count of something (a name, an identifier, a year, a duration, or no unit found).

    The steps, in order: refuse numbers that are not counts; take a currency before it and a qualifier ("at
    least"); then find the unit after it (percent, currency word, noun phrase, verb, "N of the ..."), from a
    range's second number, or from the words before it."""
    if _not_a_count(s, i, j, kind):
        return None
    r = _Reading(i, j, value, kind)
    _currency_before(s, r)
    r.qualifier, q_start = _qualifier_before(s.toks, r.start)
    # "another $500 million" -> qualifier "" but the word is not part of the span
    r.start = q_start if r.qualifier else r.start
    r.end = r.j
    _unit_right_after(s, r)
    if not r.unit:
        if not _unit_from_words_after(s, r):
            return None
        if not r.unit:
            _unit_from_range(s, r)
        if not r.unit:
            _unit_from_words_before(s, r)
    if not r.unit or r.unit in _FURNITURE or r.unit in _DURATIONS:
        return None
    category = _category(r.unit, r.noun, r.verb, r.currency, s.low)
    last = (r.span_end or r.end) - 1
    span_text = s.text[s.toks[r.start].start:s.toks[last].end]
    return Figure(value=float(r.value), unit=r.unit, text=span_text, qualifier=r.qualifier, category=category), r.end


def _not_a_count(s: _Sentence, i: int, j: int, kind: str) -> bool:
    """True for a number that is part of a name, an identifier or a date: glued to letters ("Su-34", "3rd"),
    a modifier ("15-year", "nine-story"), after a determiner ("the two sides"), "Article 5", "#3", a year."""
    text, toks = s.text, s.toks
    t = toks[i]
    prev = toks[i - 1] if i > 0 else None
    if t.text[0].isdigit():
        if _glued_digits(text, toks, i, j):
            return True
    elif _not_a_number_word(s, i, j, prev):
        return True
    if prev is not None and prev.low in _IDENT_BEFORE and kind == "digits":
        return True  # "Article 5", "Day 34", "part 2"
    if prev is not None and prev.text in ("#", "№"):
        return True
    if prev is not None and prev.text == "." and i >= 2 and toks[i - 2].low in _IDENT_BEFORE and kind == "digits":
        return True  # "No. 1"
    return _is_year(toks, i, j, kind, prev)


def _glued_digits(text: str, toks: list[_Tok], i: int, j: int) -> bool:
    """Digits glued to letters or identifiers: "Su-34", "G7", "3rd", "10am" (masked mostly; belt and braces)."""
    t = toks[i]
    if t.start > 0 and (text[t.start - 1].isalpha() or text[t.start - 1] in "-/#@_"):
        return True
    if t.end < len(text) and (text[t.end].isalpha() or text[t.end] == "-") and not (
        j > i + 1 and toks[i + 1].start == t.end
    ):
        # "15-year", "30-minute", "nine-story" are modifiers; "5bn" is parsed as a scale above
        if not (t.end < len(text) and text[t.end] == "%"):
            return True
    if t.end < len(text) and text[t.end] == "-" and j == i + 1:
        return True
    return t.start > 1 and text[t.start - 1] == "." and text[t.start - 2].isdigit()  # "iOS 5.0.1"


def _not_a_number_word(s: _Sentence, i: int, j: int, prev: _Tok | None) -> bool:
    """A number word that counts nothing: "nine-story", "the two sides", "one of", "one day"."""
    t = s.toks[i]
    if "-" in t.low and _word_value(t.low) is None:
        return True
    if t.end < len(s.text) and s.text[t.end] == "-" and j == i + 1:
        return True  # "nine-story"
    if prev is not None and prev.low in _DEF_BEFORE:
        return True  # "the two sides", "all three men"
    if t.low == "one" and j == i + 1:
        nxt = s.toks[j].low if j < len(s.toks) else ""
        if nxt not in _ONE_OK:
            return True
    return False


def _is_year(toks: list[_Tok], i: int, j: int, kind: str, prev: _Tok | None) -> bool:
    """A bare four-digit number in ``YEARS`` is a year ("in 2014") unless a measure or a plural noun follows
    ("2000 refugees")."""
    t = toks[i]
    raw = t.text.replace(",", "")
    if not (kind == "digits" and j == i + 1 and "," not in t.text and "." not in t.text and raw.isdigit()
            and len(raw) == 4 and YEARS[0] <= int(raw) <= YEARS[1]):
        return False
    nxt_t = toks[j] if j < len(toks) else None
    nxt = nxt_t.low if nxt_t is not None else ""
    return bool((prev is not None and prev.low in _YEAR_BEFORE) or not nxt.isalpha() or nxt in _STOP or not (
        nxt in _MEASURES or (_is_plural(nxt) and nxt_t is not None and nxt_t.text[0].islower())
    ))


def _currency_before(s: _Sentence, r: _Reading) -> None:
    """A currency before the number ("$5bn", "€2 billion", "US$ 3m") and a short scale glued after it
    ("$5 bn"): sets ``currency``, ``start`` (the sign's token), and scales ``value``."""
    toks, i = s.toks, r.i
    t = toks[i]
    prev = toks[i - 1] if i > 0 else None
    r.start = i
    if prev is not None and prev.text.lower() in _CURRENCY_SYMBOLS:
        r.currency = _CURRENCY_SYMBOLS[prev.text.lower()]
        r.start = i - 1
    elif prev is not None and prev.low in ("us", "usd", "eur", "uah", "rub") and i >= 1 and prev.end <= t.start:
        if prev.low in _CURRENCY_WORDS or prev.low == "us" and i >= 2 and toks[i - 2].text == "$":
            r.currency = _CURRENCY_WORDS.get(prev.low, "usd")
            r.start = i - 1 if prev.low != "us" else i - 2
    if r.currency and r.j < len(toks) and toks[r.j].low in _SHORT_SCALES and toks[r.j].low not in ("k",):
        r.value *= _SCALES[toks[r.j].low]
        r.j += 1


def _unit_right_after(s: _Sentence, r: _Reading) -> None:
    """Percent ("12%", "5 per cent") or a currency word ("300 million dollars") right after the number; a
    currency found before is the unit too."""
    toks, j, n = s.toks, r.j, len(s.toks)
    if j < n and (toks[j].text == "%" or toks[j].low in ("percent", "pc") or (
        toks[j].low == "per" and j + 1 < n and toks[j + 1].low == "cent"
    )):
        r.unit = "%"
        r.end = j + (2 if toks[j].low == "per" else 1)
    elif j < n and toks[j].low in _CURRENCY_WORDS and not r.currency and (
        toks[j].low not in ("pound", "pounds") or j > r.i + 1 or (j + 1 < n and toks[j + 1].low == "sterling")
    ):
        # "pounds" is money with a scale ("50 million pounds") or "sterling", else a weight
        r.currency = _CURRENCY_WORDS[toks[j].low]
        r.end = j + 1
    if r.currency:
        r.unit = r.currency


def _unit_from_words_after(s: _Sentence, r: _Reading) -> bool:
    """The unit from what follows the number ("more" and the like skipped): the head of a noun phrase, a verb
    ("22 were injured"), or "N of the city's residents". False when what follows shows the number is not a
    count (a duration, page furniture, a name)."""
    k = r.j
    while k < len(s.toks) and s.toks[k].low in _ADDED:
        k += 1
    run, after = _noun_run(s.toks, k)
    if run:
        return _unit_from_noun_run(s, r, run, after)
    vb = _verb_after(s.toks, k)
    if vb:
        r.verb, r.end = vb
        r.unit = r.verb
    elif k < len(s.toks) and s.toks[k].low == "of":
        _unit_after_of(s, r, k + 1)
    return True


def _unit_from_noun_run(s: _Sentence, r: _Reading, run: list[int], after: int) -> bool:
    """The unit from the noun phrase after the number: its head, or the verb after a generic head ("12 people
    were killed" -> "killed"); an adjective like "wounded" in it names the unit of a generic head."""
    toks = s.toks
    head = toks[run[-1]].low
    if head in _DURATIONS or head in _FURNITURE:
        return False
    if toks[r.i].low == "one" and head not in _ONE_OK:
        return False
    if _bad_head(toks[run[-1]], r.value):
        return False
    r.noun = head
    r.end = after
    vb = _verb_after(toks, after)
    if head in _GENERIC:
        if vb:
            r.verb, r.end = vb
            r.unit = r.verb
        else:
            r.unit = "people" if head in ("people", "persons", "person", "individuals") else ""
    else:
        r.unit = _unit_for_noun(head)
        if vb and vb[0] in _CASUALTY_VERBS:
            r.verb = vb[0]
    # "22 wounded soldiers", "6.5 million displaced people"
    adj = next((_VERB_UNITS[toks[x].low] for x in run[:-1] if toks[x].low in _VERB_UNITS), "")
    if adj:
        r.verb = r.verb or adj
        if head in _GENERIC or head in ("people", "persons"):
            r.unit = adj
    return True


def _unit_after_of(s: _Sentence, r: _Reading, m: int) -> None:
    """ "26,477 of the city's residents", "10 of the 11 humanitarian corridors" (the unit of the second number,
    which is read next): ``m`` is the token after "of"."""
    toks, n = s.toks, len(s.toks)
    while m < n and (toks[m].low in _OWNERS or toks[m].text in ("'", "’", "s") or toks[m].low.endswith("'s")
                     or toks[m].low.endswith("’s")
                     or toks[m].low in ("city", "country", "region", "town")
                     and m + 1 < n and toks[m + 1].text in ("'", "’")):
        m += 1
    if m < n and toks[m].text[0].isdigit() and not toks[m].masked:
        second = _parse_number(toks, m)
        if second is not None:
            run, after = _noun_run(toks, second[1])
            if run and _plain_head(toks[run[-1]]):
                r.noun = toks[run[-1]].low
                r.unit = _unit_for_noun(r.noun)
                r.end = m
                r.span_end = after
        return
    run, after = _noun_run(toks, m)
    if run and _plain_head(toks[run[-1]]) and toks[run[-1]].low not in ("them", "which", "whom"):
        r.noun = toks[run[-1]].low
        r.unit = _unit_for_noun(r.noun)
        r.end = after
        vb = _verb_after(toks, after)
        if vb and vb[0] in _CASUALTY_VERBS:
            r.verb = vb[0]


def _plain_head(tok: _Tok) -> bool:
    """A head noun that names what is counted: not generic ("people"), a duration, page furniture or a name."""
    return (tok.low not in _GENERIC and tok.low not in _DURATIONS and tok.low not in _FURNITURE
            and not _bad_head(tok, 2))


def _unit_from_range(s: _Sentence, r: _Reading) -> None:
    """A range takes the unit of its second number: "between 20,000 and 30,000 Mariupol people", "20 to 30
    people" (the figure's text spans both numbers)."""
    toks, j, n = s.toks, r.j, len(s.toks)
    if not (j + 1 < n and toks[j].low in ("and", "to", "-", "–", "or")):
        return
    p2 = _parse_number(toks, j + 1) if (toks[j + 1].text[0].isdigit() or toks[j + 1].low in _NUMBER_STARTS) else None
    between = r.start > 0 and toks[r.start - 1].low == "between"
    if p2 is None or (toks[j].low == "and" and not between):
        return
    second = _figure_at(s, j + 1, p2[1], p2[0], p2[2])
    if second is None:
        return
    r.unit, category_hint = second[0].unit, second[0].category
    r.noun = r.unit
    r.verb = r.unit if category_hint in ("killed", "injured", "evacuated") else r.verb
    r.span_end = second[1]
    r.end = j + 1
    if between and not r.qualifier:
        r.start -= 1
        r.qualifier = "between"


def _unit_from_words_before(s: _Sentence, r: _Reading) -> None:
    """The unit from a verb or noun before the number: "killing at least 12", "a population of 430,000",
    "refugees are now 4 million" (the subject of the clause)."""
    toks = s.toks
    p = r.start - 1
    if p >= 0 and toks[p].low in _PRE_VERB_UNITS:
        r.unit = r.verb = _PRE_VERB_UNITS[toks[p].low]
    elif p >= 1 and toks[p].low == "of" and _is_word(toks[p - 1]) and toks[p - 1].low not in _STOP:
        head = toks[p - 1].low
        if head in ("people", "persons"):
            r.noun = r.unit = "people"
        elif head in _OF_NOUNS:
            r.noun = head
            r.unit = _unit_for_noun(head)
    elif p >= 0 and (toks[p].low in _COPULA or (toks[p].low == "to" and p >= 1 and toks[p - 1].low in
                                                 _COPULA)) or (p >= 1 and toks[p].low == "now" and toks[p - 1].low in _COPULA):
        vi = p if toks[p].low in _COPULA else p - 1
        subj = _clause_subject(toks, vi)
        if subj and subj not in _GENERIC and subj not in _DURATIONS and subj not in _FURNITURE and (
            _is_plural(subj) or subj in _OF_NOUNS
        ):
            r.noun = subj
            r.unit = _unit_for_noun(subj)
