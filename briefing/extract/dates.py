"""The date of the event a sentence reports, resolved against the article's publication date.

``resolve_date("On Tuesday, a Russian air strike hit ...", date(2022, 3, 30))`` -> ``(date(2022, 3, 29), "day")``.

A hand-written resolver for the patterns news uses (fast, deterministic; no dateparser call):

* weekdays ("on Tuesday", "Thursday night", "last Friday") -> the most recent such day on or before
  publication: a bare weekday is the past week, and the publication weekday itself is publication day
  ("on Friday" in a Friday article). "last Friday" in a Friday article is a week earlier. With a future
  cue in the sentence ("will", "next", "scheduled") the next such day is taken, which is then usually
  dropped by the future rule below;
* "today", "this morning", "tonight", "earlier today" -> publication day;
  "yesterday", "last night" -> the day before; "overnight" -> publication day (the night that ended on the
  morning of publication, which is how wire copy uses it); "N days ago" -> N days before;
* "March 29", "29 March", "on March 29, 2022", "Mar. 29", "29th of March", "29.03.2022", "2022-03-29",
  "03/29/2022" -> that day (a missing year is the publication year, or the year before when that would
  put the date more than six months after publication);
* "this week", "earlier this week", "early this week" -> Monday of the publication week, precision
  "week"; "last week" -> Monday of the week before, precision "week".

Dates in embedded-tweet signatures ("— CNN (@CNN) April 1, 2022"), page datelines ("Updated: ...",
"Posted at ..."), and dates that only bound a period ("since March 10", "until Friday", "by April 5") are
ignored. A date after publication + 1 day is never returned (future plans are not events). Without a
publication date only explicit dates with a year can be resolved. The first resolvable mention wins.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["MONTH", "MONTH_NAME", "MONTH_NAMES", "WEEKDAY_NAMES", "MONTH_NUMBERS", "iso_date", "latest_full_date", "parse_date", "resolve_date"]

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
"""The months, spelled out: this module owns them (figures, ingest, clean and the output use them from here)."""
MONTH_NAME = "(?:" + "|".join(MONTH_NAMES) + ")"
"""A regular expression for a month's full name ("March"), to build patterns from."""
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_WORDS = (r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
                r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?")
MONTH = rf"(?:{_MONTH_WORDS})\.?"
"""A regular expression for a month's name or abbreviation ("March", "Mar.", "Sept"), to build patterns from."""

MONTH_NUMBERS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
"""A month's number by its lower-case name or abbreviation."""
_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
_NUM_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
              "eight": 8, "nine": 9, "ten": 10}

_MONTH_RX = rf"(?P<month>{_MONTH_WORDS})\.?"
_DAY_RX = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR_RX = r"(?:,?\s+(?P<year>(?:19|20)\d{2}))?"
_WEEKDAY_RX = "(?P<weekday>" + "|".join(WEEKDAY_NAMES) + ")"

# Each pattern is tried over the sentence; every match is a candidate (position, kind, groups).
_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("md", re.compile(rf"\b{_MONTH_RX}\s+{_DAY_RX}\b(?!\s*(?:,\s*)?\d{{3}}\b(?!\d)){_YEAR_RX}")),
    ("dm", re.compile(rf"\b{_DAY_RX}\s+(?:of\s+)?{_MONTH_RX}(?![a-z]){_YEAR_RX}")),
    ("iso", re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<month>[01]?\d)-(?P<day>[0-3]?\d)\b")),
    ("dmy", re.compile(r"\b(?P<day>[0-3]?\d)[./-](?P<month>[01]?\d)[./-](?P<year>(?:19|20)\d{2})\b")),
    ("mdy", re.compile(r"\b(?P<month>[01]?\d)/(?P<day>[0-3]?\d)/(?P<year>(?:19|20)?\d{2})\b")),
    ("daybefore", re.compile(r"\bthe\s+day\s+before\s+yesterday\b", re.I)),
    ("yesterday", re.compile(r"\byesterday\b|\blast\s+(?:night|evening)\b", re.I)),
    ("today", re.compile(r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening))\b", re.I)),
    ("overnight", re.compile(r"\bovernight\b", re.I)),
    ("ago", re.compile(r"\b(?P<n>\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
                       r"(?P<unit>days?|weeks?)\s+ago\b", re.I)),
    ("lastweek", re.compile(r"\blast\s+week\b", re.I)),
    ("thisweek", re.compile(r"\b(?:(?:earlier|early)\s+)?this\s+week\b", re.I)),
    ("weekday", re.compile(rf"\b(?P<mod>last|this\s+past|past|next|this|coming)?\s*{_WEEKDAY_RX}\b", re.I)),
]

# Spans removed before matching: tweet signatures, datelines, URLs.
_NOISE = [
    re.compile(r"[—–-]\s*[^—–\n]{0,80}\(@\w+\)\s*" + _MONTH_RX + r"\s+\d{1,2},\s*\d{4}"),
    re.compile(r"\(@\w+\)\s*" + _MONTH_RX + r"\s+\d{1,2},\s*\d{4}"),
    re.compile(r"\b(?:Updated|Posted|Published|Created|Last\s+updated|First\s+published|Modified)\b:?"
               r"[^|\n]{0,60}?(?:19|20)\d{2}\b(?:[^|\n]{0,12}?(?:[AP]M|[ap]\.m\.|\d:\d\d)(?:\s*(?:ET|GMT|IST|UTC|BST|CET))?)?",
               re.I),
    re.compile(r"https?://\S+|pic\.twitter\.com/\S+|www\.\S+"),
]
# Words right before a date that make it a bound or a background date, not the event's date.
_BOUND = re.compile(r"(?:\bsince|\buntil|\btill|\bby|\bbefore|\bahead\s+of|\bfrom|\bthrough|\bstarting|\bbeginning"
                    r"|\bafter|\bborn\s+on|\bdated|\bcopyright|©|\bon\s+or\s+before)\s+(?:on\s+)?(?:the\s+)?$", re.I)
_FUTURE = re.compile(r"\b(?:will|shall|would\s+be\s+held|next|scheduled|planned|plans?\s+to|expected\s+to|"
                     r"is\s+to|are\s+to|set\s+to|due\s+to|upcoming|coming)\b", re.I)


def _mask(text: str) -> str:
    for rx in _NOISE:
        text = rx.sub(lambda m: " " * len(m.group()), text)
    return text


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _month_day(month: int, day: int, year: int | None, published: dt.date | None) -> dt.date | None:
    if year is not None:
        return _safe_date(year, month, day)
    if published is None:
        return None
    d = _safe_date(published.year, month, day)
    if d is not None and d > published + dt.timedelta(days=1):
        # "December 30" in a January article is last year's; "April 1" in a March article is a plan
        d = _safe_date(published.year - 1, month, day) if (d - published).days > 183 else None
    return d


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    y = int(raw)
    return y + 2000 if y < 100 else y


def _resolve(kind: str, m: re.Match, text: str, published: dt.date | None) -> tuple[dt.date | None, str]:
    """The date and precision that the match ``m`` of pattern ``kind`` (see ``_PATTERNS``) means for an article
    published on ``published``; ``(None, "")`` when it cannot be resolved."""
    g = m.groupdict()
    if kind in ("md", "dm"):
        month = MONTH_NUMBERS[g["month"].lower().rstrip(".")]
        return _month_day(month, int(g["day"]), _year(g.get("year")), published), "day"
    if kind in ("iso", "dmy", "mdy"):
        month, day = int(g["month"]), int(g["day"])
        if kind == "mdy" and month > 12 >= day:
            month, day = day, month
        if not 1 <= month <= 12:
            return None, ""
        return _safe_date(_year(g["year"]), month, day), "day"
    if published is None:
        return None, ""
    if kind == "daybefore":
        return published - dt.timedelta(days=2), "day"
    if kind == "yesterday":
        return published - dt.timedelta(days=1), "day"
    if kind == "today":
        # "earlier today" and "today" alike; "today" as a noun ("Ukraine today") is rare in news copy
        return published, "day"
    if kind == "overnight":
        return published, "day"
    if kind == "ago":
        n = g["n"].lower()
        count = int(n) if n.isdigit() else _NUM_WORDS[n]
        if g["unit"].lower().startswith("week"):
            return published - dt.timedelta(days=7 * count), "week"
        return published - dt.timedelta(days=count), "day"
    monday = published - dt.timedelta(days=published.weekday())
    if kind == "thisweek":
        if re.search(r"\b(?:later|next)\s+this\s+week", text[max(0, m.start() - 6):m.end()], re.I):
            return None, ""
        return monday, "week"
    if kind == "lastweek":
        return monday - dt.timedelta(days=7), "week"
    if kind == "weekday":
        target = _WEEKDAYS[g["weekday"].lower()]
        mod = (g.get("mod") or "").lower()
        back = (published.weekday() - target) % 7
        if mod in ("next", "coming"):
            return None, ""
        if mod in ("last", "past", "this past") and back == 0:
            back = 7
        if not mod and _FUTURE.search(text[:m.start()]) and back != 0:
            # "talks will resume on Monday": the coming Monday (dropped by the future rule below)
            return published + dt.timedelta(days=7 - back), "day"
        return published - dt.timedelta(days=back), "day"
    return None, ""


def resolve_date(text: str, published: dt.date | None) -> tuple[dt.date | None, str]:
    """The date of the event ``text`` reports and its precision ("day" or "week"), or ``(None, "")``."""
    if not text:
        return None, ""
    clean = _mask(text)
    candidates: list[tuple[int, str, re.Match]] = []
    taken: list[tuple[int, int]] = []
    for kind, rx in _PATTERNS:
        for m in rx.finditer(clean):
            s, e = m.span()
            if kind == "weekday":
                s = m.start("weekday")
                # "Tuesday, March 29" / "Wednesday (Mar 30)": the explicit date that follows decides
                if re.match(r"[\s,(]+(?:the\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?)?" + MONTH
                            + r"|[\s,(]+\d{1,2}[./]\d{1,2}", clean[e:e + 30]):
                    continue
            if any(a < e and s < b for a, b in taken):
                continue  # "Tuesday, March 29": one mention, the explicit date wins
            taken.append((m.start(), e))
            candidates.append((s, kind, m))
    candidates.sort(key=lambda c: c[0])
    limit = published + dt.timedelta(days=1) if published is not None else None
    for start, kind, m in candidates:
        if _BOUND.search(clean[max(0, start - 25):start]):
            continue
        date, precision = _resolve(kind, m, clean, published)
        if date is None:
            continue
        if limit is not None and date > limit:
            continue
        return date, precision
    return None, ""


# ------------------------------------------------------------------------------------- publication dates


def parse_date(value) -> dt.date | None:
    """A publication date as metadata gives it: a date or datetime, ISO 8601 ("2022-03-30",
    "2022-03-30T08:00:00Z"), RFC 2822 ("Wed, 30 Mar 2022 08:00:00 GMT") or what dateparser reads ("30 March
    2022"). None for no value; ValueError when it cannot be read."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for parse in (iso_date, _iso_datetime, _rfc2822_date, _dateparser_date):
        day = parse(text)
        if day is not None:
            return day
    raise ValueError(f"unreadable date {text[:40]!r}")


def iso_date(value) -> dt.date | None:
    """The date an ISO 8601 value starts with ("2022-03-30", "2022-03-30T08:00"), or None."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _iso_datetime(text: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _rfc2822_date(text: str) -> dt.date | None:
    import email.utils

    try:
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError):
        return None


def _dateparser_date(text: str) -> dt.date | None:
    try:
        import dateparser

        parsed = dateparser.parse(text, settings={"PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False})
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    return parsed.date() if parsed is not None else None


_FULL_DATE = re.compile(rf"\b({'|'.join(MONTH_NAMES)})\s+(\d{{1,2}}),\s+(\d{{4}})\b")


def latest_full_date(text: str) -> dt.date | None:
    """The latest full date written in the text ("April 1, 2022", as in embed signatures and datelines)."""
    found = []
    for month, day, year in _FULL_DATE.findall(text):
        day_of = _safe_date(int(year), MONTH_NUMBERS[month.lower()], int(day))
        if day_of is not None:
            found.append(day_of)
    return max(found) if found else None
