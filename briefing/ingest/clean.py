"""Remove the noise real pages carry before any sentence is read.

Embedded tweets, image credits, related-headline lines dropped between paragraphs, "Skip to main content",
cookie and newsletter prompts, "Read more" links, share buttons. Works on paragraphs (blank-line separated
blocks) first, then on spans inside kept paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..extract.dates import MONTH_NAME

# A tweet as pasted from an embed: "... pic.twitter.com/abc — Name (@handle) April 1, 2022"
_TWEET_SIGNATURE = re.compile(
    r"(?:—|–|-{1,2})\s*[^\n()]{1,80}\(@\w{1,30}\)\s+"
    rf"{MONTH_NAME}\s+\d{{1,2}},\s+\d{{4}}\s*$"
)
_SOCIAL_LINK = re.compile(r"\b(?:pic\.twitter\.com/\w+|https?://t\.co/\w+|https?://(?:www\.)?(?:twitter|x)\.com/\S+)")
_URL = re.compile(r"https?://\S+")

# Whole paragraphs that are page furniture, not article text.
_BOILERPLATE_LINE = re.compile(
    r"""^(?:
        skip\ to\ (?:main\ )?content
      | (?:read|see|watch)\ (?:more|also|next)\b.{0,120}
      | related(?:\ (?:articles?|stories|coverage|content))?:?.{0,150}
      | advertisement | sponsored(?:\ content)? | ad
      | (?:sign\ up|subscribe)\b.{0,160}
      | (?:we\ use\ cookies|this\ (?:web)?site\ uses\ cookies|accept\ (?:all\ )?cookies|cookie\ (?:settings|policy)).{0,300}
      | (?:share|share\ this(?:\ article)?|share\ on\ \w+|follow\ us\b.{0,100}|click\ here\b.{0,120})
      | (?:image|photo|picture|video|graphic)s?\ ?(?:via|credit|courtesy|source)?:?\ .{0,120}
      | (?:photograph|photo|image):\ .{0,160}
      | .{0,120}\b(?:getty\ images|afp\ via\ getty|shutterstock|reuters/\w+|ap\ photo|epa-efe|anadolu\ agency)\b.{0,60}
      | (?:copyright|©)\ .{0,160}
      | all\ rights\ reserved.{0,80}
      | (?:updated|published|last\ updated)\ (?:on\ )?[\w ,:.]{3,60}
      | by\ [A-Z][\w.'-]+(?:\ [A-Z][\w.'-]+){0,3}(?:\ and\ [A-Z][\w.'-]+(?:\ [A-Z][\w.'-]+){0,3})?
      | (?:listen|play)\ (?:to\ )?(?:this\ )?(?:article|story|audio).{0,60}
      | \d+\ min(?:ute)?s?\ read.{0,200}
      | (?:this\ )?material\ may\ not\ be\ published.{0,200}
      | (?:our\ )?standards:.{0,120}
      | reporting\ by\ .{0,200}
      | (?:writing|editing|additional\ reporting)\ by\ .{0,200}
      | details:?
      | video\ from\ .{0,120}
      | (?:most\ )?(?:popular|trending|top\ stories|more\ from\ \w+).{0,80}
      | newsletter.{0,160}
      | (?:loading|please\ wait)\.{0,3}
      | (?:next|previous)\ (?:article|story).{0,120}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# Spans removed inside a kept paragraph.
_INLINE_NOISE = [
    # Syndication notices and reading times glued to text: "This material may not be published, broadcast,
    # rewritten or redistributed.", "1 minute read".
    re.compile(r"\s*(?:This|The)? ?material may not be published, broadcast, rewritten,? or redistributed"
               r"(?: in whole or in part)?(?: without (?:the )?(?:express )?(?:written )?permission[^.]*)?\.?",
               re.IGNORECASE),
    re.compile(r"\s*\b\d+ min(?:ute)?s? read\b", re.IGNORECASE),
    # An agency dateline opening a paragraph: "KYIV, March 29 (Reuters) -", "LVIV, Ukraine (AP) —".
    re.compile(r"^(?:[A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,3},? ){1,3}(?:[A-Z][a-z]{2,8}\.? \d{1,2},? )?"
               r"\((?:Reuters|AP|AFP|Reuters/\w+|dpa|UPI|Bloomberg|Xinhua|TASS|Interfax|ANI|PA)\)\s*[-—–]+\s*"),
    re.compile(r"^\((?:Reuters|AP|AFP|dpa|UPI|Bloomberg|Xinhua|TASS|Interfax)\)\s*[-—–]+\s*"),
    # A label before the text: "Details: ..." (aggregators), "UPDATE 2-".
    re.compile(r"^(?:Details|Context|Background|Update|UPDATE \d+)\s*[:-]\s*(?=[A-Z\"“])"),
    re.compile(r"\s*\((?:photo|image|video|picture)[^)]{0,80}\)", re.IGNORECASE),
    re.compile(r"\s*\[(?:\+|more|read more|video|photo)[^\]]{0,60}\]", re.IGNORECASE),
    re.compile(r"\s*(?:Read more|READ MORE|Read More)\s*:?.{0,120}$"),
]
# A list item's mark at the start of a line ("• ", "- "), and the words a bullet needs to read as a sentence.
_BULLET = re.compile(r"^(?:[•●◦▪‣∙]|[-*–](?=\s))\s*")
_BULLET_SENTENCE_WORDS = 6
_SENTENCE_END = re.compile(r"[.!?…]['\"”’)\]]*\s*$|[.!?]['\"”’]")
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_SMALL_WORDS = {"a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to", "for", "from", "by", "with",
                "as", "is", "are", "vs", "via", "over", "after", "into", "amid", "says", "say"}


_CREDIT = re.compile(r"\b(?:getty images|afp via getty|shutterstock|reuters/\w+|ap photo|epa-efe|anadolu agency|"
                     r"photo:|image:|credit:)", re.IGNORECASE)
_CAPTION_CUES = re.compile(
    r"\b(?:is|are) (?:seen|pictured|shown)\b|\bpictured\b|\bin this (?:photo|picture|image)\b|\bposes?\b|"
    rf"\b{MONTH_NAME} \d{{1,2}}, \d{{4}}\.?$")


def _is_caption(para: str) -> bool:
    return len(para) < 320 and bool(_CAPTION_CUES.search(para))


@dataclass(frozen=True)
class Cleaned:
    text: str
    dropped: int
    """Paragraphs or spans removed."""


def clean(text: str, title: str = "") -> Cleaned:
    """The article's text without page noise, paragraphs separated by one blank line. With the article's
    ``title`` known, a paragraph that repeats it (the headline line of the page) is dropped too."""
    text = _normalise(text)
    if title:
        text = _below_headline(text, title)
    paragraphs = _paragraphs(text)
    if title:
        before = len(paragraphs)
        paragraphs = [(g, p) for g, p in paragraphs if not _is_title(p, title)]
        title_dropped = before - len(paragraphs)
    else:
        title_dropped = 0
    kept: list[str] = []
    dropped = 0
    gap_before = [g for g, _ in paragraphs]
    for i, (gap, para) in enumerate(paragraphs):
        if _is_tweet(para):
            dropped += 1
            # An embed's own text often stands as a separate block just before its signature, set off by
            # extra blank lines: drop it with the signature.
            if kept and gap >= 2 and i > 0 and _short_block(paragraphs[i - 1][1]) and kept[-1] == paragraphs[i - 1][1]:
                kept.pop()
                dropped += 1
            continue
        if _is_noise_paragraph(para, i, len(paragraphs), gap_before):
            dropped += 1
            # A photo credit closes a caption: the short descriptive paragraph just before it goes too.
            if kept and _CREDIT.search(para) and kept[-1] == paragraphs[i - 1][1] and _is_caption(kept[-1]):
                kept.pop()
                dropped += 1
            continue
        cleaned, n = _clean_inline(para)
        dropped += n
        if cleaned:
            kept.append(cleaned)
    return Cleaned("\n\n".join(kept), dropped + title_dropped)


# Above the headline line of a page stand only its furniture (a photo caption and credit, a section kicker, a
# breadcrumb): at most this many characters of it are dropped with the headline.
FURNITURE_CHARS = 400


def _below_headline(text: str, title: str) -> str:
    """The text from below the headline line, when a line near the top repeats the title ("Destroyed cars in
    front of ... Photo: Reuters / Ukraine war / <the title>"): what stands above a page's headline is its
    furniture, never the article's first sentence."""
    lines = text.split("\n")
    seen = 0
    for k, line in enumerate(lines):
        if seen > FURNITURE_CHARS:
            break
        if _is_title(line, title):
            return "\n".join(lines[k + 1:]).strip()
        seen += len(line)
    return text


def _is_title(para: str, title: str) -> bool:
    """The page's headline line: the title again, word for word or nearly (a dropped quote mark, a suffix)."""
    from rapidfuzz import fuzz

    a, b = _key(para), _key(title)
    if not a or not b:
        return False
    return a == b or (len(a) <= 1.3 * len(b) and fuzz.ratio(a, b) >= 90) or (
        not _SENTENCE_END.search(para) and len(a) <= len(b) + 40 and a.startswith(b))


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\u200b", "")
    text = re.sub(r"[ \t\f\v]+", " ", text)
    return text.strip()


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """(blank lines before, paragraph) pairs. Single newlines inside a block are lines of one paragraph
    unless they look like separate lines of a page (each short and unpunctuated)."""
    out: list[tuple[int, str]] = []
    gap = 0
    block: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            if block:
                out.extend((gap if j == 0 else 0, b) for j, b in enumerate(_split_block(block)))
                block, gap = [], 0
            gap += 1
            continue
        block.append(line)
    if block:
        out.extend((gap if j == 0 else 0, b) for j, b in enumerate(_split_block(block)))
    return out


_NEW_QUOTE = re.compile(r"^[\"“]\s?[A-Z]")
# A line that leads into a quote on the next: it ends in a comma, colon or dash, or a verb of saying and at
# most two words after it ("told reporters").
_OPENS_QUOTE = re.compile(r"(?:[,:;\-–—]|\b(?:said|says|say|told|tells|added|wrote|stated|declared|warned|asked|"
                          r"replied|continued|explained|noted|announced|tweeted|posted|reads?|that)(?:\s+\S+){0,2})$",
                          re.IGNORECASE)


def _split_block(lines: list[str]) -> list[str]:
    # Lines ending a sentence are separate paragraphs (many extractors emit one paragraph a line);
    # a line broken mid-sentence is joined to the next.
    out: list[str] = []
    current = ""
    for line in lines:
        bullet = _BULLET.match(line)
        if bullet:
            # A key-points box: each bullet is a sentence of its own, often written without a full stop.
            if current:
                out.append(current)
                current = ""
            line = line[bullet.end():].strip()
            if len(line.split()) >= _BULLET_SENTENCE_WORDS and not _SENTENCE_END.search(line):
                line += "."
            if line:
                out.append(line)
            continue
        if current and _NEW_QUOTE.match(line) and len(current.split()) >= _BULLET_SENTENCE_WORDS \
                and not _OPENS_QUOTE.search(current):
            # A quote opening a line after a line with no full stop starts a paragraph: the extractor lost
            # the first one's full stop ("... evacuated to Zaporozhye" / "“Our main mission ...").
            out.append(current + ".")
            current = ""
        current = f"{current} {line}".strip()
        if _SENTENCE_END.search(line) or _looks_like_headline(line) or _is_tweet(line):
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out


def _is_tweet(para: str) -> bool:
    return bool(_TWEET_SIGNATURE.search(para)) or (
        bool(_SOCIAL_LINK.search(para)) and len(_SOCIAL_LINK.sub("", para).split()) < 60
    )


def _short_block(para: str) -> bool:
    return len(para) < 320


# A photo credit closing a block: agencies and a photographer joined by slashes, no full stop after it.
_TRAILING_CREDIT = re.compile(r"[.!?\"”]\s+(?:[A-Z][A-Za-z]*[A-Z]/)+[A-Z][A-Za-z'\- ]{1,40}$")


def _is_noise_paragraph(para: str, index: int, total: int, gaps: list[int]) -> bool:
    if _BOILERPLATE_LINE.match(para):
        return True
    if re.fullmatch(r"[\W\d_]+", para):
        return True
    if para.endswith(("...", "…")) and len(para) < 200:
        # A teaser cut mid-sentence ("As to Chernihiv in the north, the governor assessed...").
        return True
    if para.endswith(":") and len(para.split()) <= 8:
        # A lead-in to an embed or quote block ("And Bloomberg also observes:").
        return True
    if len(para) < 400 and _TRAILING_CREDIT.search(para):
        # A photo caption with its credit in one block ("... in Dnipro, Ukraine, 28 March 2022. EFE/EPA/NUNO VEIGA").
        return True
    if _looks_like_headline(para) and index > 0:
        # A related-article headline dropped between paragraphs. The first paragraph may be the
        # article's own title and is kept for the title guess by ingest.
        return True
    return False


def _looks_like_headline(line: str) -> bool:
    """Short, unpunctuated at the end, and mostly capitalised words: a headline, not a sentence."""
    if len(line) > 160 or _SENTENCE_END.search(line) or line.endswith((",", ";")):
        return False
    words = _WORD.findall(line)
    if len(words) < 2:
        return len(line) < 40
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    if not content:
        return False
    capitalised = sum(1 for w in content if w[0].isupper())
    return capitalised / len(content) >= 0.6 or (":" in line[:60] and capitalised / len(content) >= 0.3)


def _clean_inline(para: str) -> tuple[str, int]:
    dropped = 0
    for pattern in _INLINE_NOISE:
        para, n = pattern.subn("", para)
        dropped += n
    para, n = _SOCIAL_LINK.subn("", para)
    dropped += n
    para, n = _URL.subn("", para)
    dropped += n
    return re.sub(r"\s{2,}", " ", para).strip(), dropped
