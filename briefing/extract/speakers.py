"""Who said it: reported speech, direct quotes, hedges, and sentences that lean on the one before.

Everything here works on a sentence that spaCy has already parsed (tagger + parser + NER; no lemmatizer),
so ``attribute`` costs a few passes over the sentence's tokens and makes no extra spaCy call.

The shapes covered: "X said (that) ...", "..., X said.", '"...," said X', "according to X" (anywhere),
"X told Y", "CNN reports", "X announced on Telegram", "X warned, adding ...", "quoted X as saying",
"... was announced by X", "a statement from X said", and a quote followed by "he added" (the pronoun is
resolved to the previous speaker or to the last person named, never returned bare).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

# --------------------------------------------------------------------------------------------------------
# Configurable data
# --------------------------------------------------------------------------------------------------------

REPORTING_VERBS: dict[str, tuple[str, ...]] = {
    # lemma: irregular or extra forms (regular -s/-ed/-ing forms are generated)
    "say": ("says", "said", "saying"),
    "tell": ("tells", "told", "telling"),
    "write": ("writes", "wrote", "written", "writing"),
    "report": (),
    "announce": (),
    "warn": (),
    "add": (),
    "claim": (),
    "state": (),
    "note": (),
    "confirm": (),
    "deny": (),
    "accuse": (),
    "urge": (),
    "insist": (),
    "stress": (),
    "explain": (),
    "acknowledge": (),
    "describe": (),
    "call": (),
    "declare": (),
    "assert": (),
    "argue": (),
    "admit": (),
    "allege": (),
    "reiterate": (),
    "repeat": (),
    "emphasize": (),
    "emphasise": (),
    "underline": (),
    "comment": (),
    "reply": (),
    "respond": (),
    "vow": (),
    "promise": (),
    "threaten": (),
    "predict": (),
    "suggest": (),
    "ask": (),
    "appeal": (),
    "observe": (),
    "assess": (),
    "estimate": (),
    "indicate": (),
    "maintain": (),
    "tweet": (),
    "post": (),
    "quote": (),
    "recall": (),
    "conclude": (),
    "complain": (),
    "assure": (),
    "dismiss": (),
    "reject": (),
    "condemn": (),
    "continue": (),
    "demand": (),
    "point": (),
    "order": (),
    "inform": (),
    "brief": (),
    "publish": (),
    "blame": (),
    "project": (),
    "forecast": ("forecast", "forecasts", "forecasting"),
    "clarify": (),
    "specify": (),
    "show": ("shows", "showed", "shown", "showing"),
}
"""Reporting verbs by lemma. The pipeline has no lemmatizer, so forms are generated from these."""

WEAK_VERBS = frozenset(
    "add call describe repeat comment reply respond suggest ask observe assess estimate indicate maintain "
    "post recall conclude point predict promise demand order publish brief appeal dismiss reject continue blame project "
    "forecast".split()
)
"""Reporting verbs that also have non-speech senses ("the attack added to tensions"): they count only with
a clause complement, a quote in the sentence, or their speech particle ("called on/for", "pointed out")."""

SPEECH_OBJECTS = frozenset(
    "call calls warning warnings statement statements claim claims demand demands appeal appeals threat threats "
    "promise promises pledge pledges accusation accusations allegation allegations message remarks comments "
    "position stance request requests criticism denial assertion view views".split()
)
"""Objects that make a weak verb speech: "repeated calls for ...", "added a warning"."""

SOURCE_NOUNS = frozenset(
    "statement statements report reports words comments remarks data figures estimate estimates message "
    "post posts tweet release communique announcement briefing update account accounts sources source "
    "assessment count tally information footage video letter letters publication publications media".split()
)
"""Nouns naming a channel, not a speaker: "according to the governor's words" -> "the governor"."""

STATE_METONYMS = frozenset(
    {"kremlin", "white house", "downing street", "pentagon", "elysee", "élysée", "elysee palace", "élysée palace",
     "whitehall", "quai d'orsay", "bankova", "zhongnanhai", "state department", "foggy bottom"}
)
"""Buildings and streets that stand for a government when they "say" something. Extend as needed."""

PARTY_INSTITUTIONS = re.compile(
    r"\b(ministry of (?:defen[cs]e|foreign affairs)|(?:defen[cs]e|foreign|interior) ministry|"
    r"defen[cs]e minist(?:er|ry)|minister of defen[cs]e|general staff|armed forces|joint chiefs|"
    r"military(?!\s+(?:analyst|expert|observer|historian|blogger|source)s?\b)|army|navy|air force|"
    r"high command|command|kremlin|pentagon|government(?!\s+(?:critic|opponent)s?\b)|cabinet|"
    r"presidential office|president's office|office of the president|national guard|"
    r"security service|border (?:guard|service)|defen[cs]e department|department of defen[cs]e)\b",
    re.IGNORECASE,
)
"""A speaker matching this is an institution of a state speaking officially (a party's own claim)."""

HEDGES = re.compile(
    r"\b(purported(?:ly)?|reportedly|allegedly|alleged|claim(?:s|ed|ing)?|unconfirmed|unverified|"
    r"supposedly|could not (?:be )?(?:independently |immediately )?(?:verif(?:y|ied)|confirm(?:ed)?)|"
    r"cannot (?:be )?(?:independently |immediately )?(?:verif(?:y|ied)|confirm(?:ed)?)|"
    r"(?:was|were|has|have|had) not (?:been )?(?:independently )?(?:verified|confirmed)|"
    r"not (?:be )?(?:been )?independently (?:verified|confirmed)|"
    r"(?:is|are|was|were) said to|said to (?:be|have)|(?:is|are|was|were) believed to|"
    r"(?:is|are|was|were) thought to)\b",
    re.IGNORECASE,
)

NEWS_OUTLETS = re.compile(
    r"\b(reuters|bloomberg|associated press|ap|afp|agence france-presse|cnn|bbc|nbc|cbs|abc|fox news|sky news|"
    r"al jazeera|tass|ria novosti|ria|interfax|ukrinform|unian|xinhua|kyodo|yonhap|dpa|efe|ansa|"
    r"the (?:new york times|washington post|wall street journal|guardian|independent|telegraph|times|economist))\b",
    re.IGNORECASE,
)
"""News organisations: never a party to a conflict, even when the NER calls one a place."""

_THE_TITLES = re.compile(
    r"^The\s.*\b(Times|Post|Journal|Guardian|Independent|Telegraph|Economist|Hill|Atlantic|Observer|Sun|"
    r"Mirror|Herald|Globe|Tribune|Chronicle|Gazette|Mail|Express|Spectator|Insider|Intercept|Hague)$"
)
"""Names whose leading "The" is part of the name (newspapers): kept capitalised."""

_ADVERBIAL_PREPS = frozenset(
    {"particular", "turn", "total", "response", "addition", "part", "general", "fact", "short", "least", "most", "time", "times", "once", "first", "all"}
)

_CLAIM_NOUN = re.compile(r"\bclaims?\b", re.IGNORECASE)

PERSON_ROLES = frozenset(
    "minister president prime spokesman spokeswoman spokesperson mayor governor adviser advisor official "
    "officials diplomat negotiator analyst secretary chief commander general envoy ambassador senator "
    "leader head lawmaker deputy aide colonel captain lieutenant sergeant major director chancellor "
    "premier correspondent reporter journalist witness resident residents officer soldier expert "
    "representative ombudsman ombudswoman ombudsperson prosecutor judge king queen prince pope commissioner "
    "coordinator president-elect mp".split()
)

ORG_WORDS = frozenset(
    "agency ministry staff committee council office house street service department army forces command "
    "government news times post press network agency union organisation organization commission bank "
    "fund company group institute university police guard military navy kremlin pentagon "
    "cross nations tv radio".split()
)

SURNAME_PARTICLES = frozenset("le la de di da du des del della van von der den ter al el bin ibn ben st".split())

_SUBJECT_PRONOUNS = frozenset({"he", "she", "they", "we", "i", "you", "it"})
_NOT_SPEAKERS = frozenset(
    {"it", "this", "that", "these", "those", "which", "who", "whom", "there", "what", "all", "both", "some",
     "one", "many", "others", "another", "each", "any", "none", "here", "everyone", "nobody", "someone"}
)
_DETERMINERS = frozenset({"the", "a", "an", "another", "this", "that", "these", "those"})
_POSSESSIVE_DETS = frozenset({"his", "her", "their", "its", "our"})


def _forms() -> dict[str, str]:
    out: dict[str, str] = {}
    for lemma, extra in REPORTING_VERBS.items():
        forms = {lemma, *extra}
        if lemma.endswith("e"):
            forms |= {lemma + "s", lemma + "d", lemma[:-1] + "ing"}
        elif lemma.endswith("y") and lemma[-2] not in "aeiou":
            forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
        elif lemma.endswith(("s", "sh", "ch", "x")):
            forms |= {lemma + "es", lemma + "ed", lemma + "ing"}
        else:
            forms |= {lemma + "s", lemma + "ed", lemma + "ing"}
            if re.fullmatch(r"[^aeiou]*[aeiou][bdgmnprt]", lemma):  # "admit" -> "admitted"
                forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
        if lemma.endswith("ay") and lemma != "say":
            forms.add(lemma + "ed")
        for f in forms:
            out.setdefault(f, lemma)
    out.update({"said": "say", "says": "say", "told": "tell", "wrote": "write", "written": "write"})
    return out


_VERB_FORMS = _forms()


# --------------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Memory:
    """What an article has said so far that later sentences lean on, carried from sentence to sentence."""

    roles: tuple[tuple[str, frozenset, str], ...] = ()
    """(role word, words of the role phrase, name): "Mariupol Mayor Vadym Boychenko" -> ("mayor", {...}, ...)."""
    outlet: str | None = None
    """The last news organisation named ("the newspaper said")."""
    org: str | None = None
    """The last organisation that was the subject of a clause ("the bank said")."""
    speaker: str | None = None
    """The last speaker found ("the report said")."""
    dateline: str | None = None
    """The wire service of a dateline the sentence splitter cut off on its own ("KYIV (Reuters) -"): the
    sentence right after it is credited to it when nothing else attributes that sentence."""


@dataclass(frozen=True)
class Attribution:
    speaker: str | None
    """"Volodymyr Zelensky", "the Ukrainian Emergency Situations Agency", "CNN", "a spokesman for ..."."""
    quotes: tuple[str, ...]
    """Direct quotes in the sentence, without quote marks, in order."""
    hedged: bool
    """Unconfirmed: purported, reportedly, allegedly, claimed, could not be verified, is said to..."""
    party_claim: bool
    """The speaker is a state institution speaking officially (ministry, general staff, army, government)."""
    verb: str | None
    """The reporting verb lemma ("say", "tell", "warn"...) or "according to"."""
    memory: Memory | None = field(default=None, repr=False, compare=False)
    """The article so far (roles and names, the last outlet...), for the sentences after this one."""


def attribute(sent, previous: "Attribution | None" = None, last_person: str | None = None) -> Attribution:
    """Who said ``sent`` (a spaCy Span), its direct quotes, and whether it is hedged or a party's claim.

    ``previous``: the attribution of the sentence before in the same article (for "he added" after a quote).
    ``last_person``: the last PERSON named in the article before this sentence.
    """
    text = sent.text
    base = sent.start_char
    quote_spans = _quote_spans(text)
    quotes = tuple(q for q in (_clean_quote(text[a:b]) for a, b in quote_spans) if q)
    in_quote = _in_quote_fn(quote_spans, base)
    memory = previous.memory if previous is not None and previous.memory is not None else None
    if memory is None:
        memory = Memory(speaker=previous.speaker if previous is not None else None)

    speaker, verb = _tweet_author(text)
    if speaker is None:
        speaker, verb = _find_speaker(sent, in_quote, bool(quote_spans), previous, last_person, memory)

    if speaker is None and previous is not None and previous.speaker and previous.quotes and quote_spans:
        # A quote that goes on from the sentence before: "...," the council said. "Many vehicles ..."
        quoted = sum(b - a for a, b in quote_spans)
        if quoted >= 0.7 * len(text.strip()):
            speaker, verb = previous.speaker, previous.verb
    if speaker is None:
        speaker, verb = _credit_line(sent, text)
    if speaker is None and memory.dateline:
        speaker, verb = memory.dateline, "report"

    hedged = _is_hedged(sent, text, quote_spans)
    party = bool(speaker) and _is_party(speaker, sent, previous, last_person)
    if speaker and not party and previous is not None and previous.party_claim and previous.speaker:
        # "Fomin added" after "Russian deputy defence minister Alexander Fomin told ..."
        party = speaker == previous.speaker or speaker.lower() in previous.speaker.lower()
    return Attribution(speaker=speaker, quotes=quotes, hedged=hedged, party_claim=party, verb=verb,
                       memory=_remember(sent, memory, speaker, in_quote))


def leans_on_context(sent) -> bool:
    """True when the sentence's first subject is a bare pronoun ("He further repeated...", "They said...",
    "This comes after...") or a phrase that needs the sentence before ("The city has been...",
    "His statements were..."): it should not be shown alone."""
    start, end = sent.start, sent.end
    text = sent.text
    quote_spans = _quote_spans(text)
    in_quote = _in_quote_fn(quote_spans, sent.start_char)
    roots = [t for t in sent if t.head.i == t.i or not (start <= t.head.i < end)]
    if not roots:
        return False
    clauses: list = []
    for r in roots:
        if r.is_space or r.is_punct:
            continue
        clauses.append(r)
        for c in r.children:
            if c.dep_ in ("ccomp", "parataxis", "conj") and start <= c.i < end and c.i < r.i:
                clauses.append(c)
    subjects = []
    for v in clauses:
        for c in v.children:
            if c.dep_ in ("nsubj", "nsubjpass") and start <= c.i < end and not in_quote(c):
                subjects.append(c)
    if not subjects:
        return False
    subj = min(subjects, key=lambda t: t.i)
    return _needs_context(subj)


def name_subject(sent, last_person: str | None) -> str | None:
    """Replace a sentence-initial subject he/she by ``last_person`` (surname only when the name has two or
    more words, as news style does after first mention). None when that does not apply."""
    last_person = _usable_person(last_person)
    if not last_person:
        return None
    first = next((t for t in sent if not t.is_space), None)
    if first is None or first.lower_ not in ("he", "she") or first.dep_ not in ("nsubj", "nsubjpass"):
        return None
    name = _surname(last_person.strip())
    if not name:
        return None
    name = name[0].upper() + name[1:]
    text = sent.text
    offset = first.idx - sent.start_char
    out = text[:offset] + name + text[offset + len(first.text):]
    return out.strip()


# --------------------------------------------------------------------------------------------------------
# Quotes
# --------------------------------------------------------------------------------------------------------

_OPEN = "“«„"
_CLOSE = "”»"
_STRAIGHT = '"'
_QUOTE_CHARS = _OPEN + _CLOSE + _STRAIGHT


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of quoted text (marks excluded). A quote left open runs to the end of
    the sentence; a closing mark with no opener means the quote began in an earlier sentence."""
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    n = len(text)
    for i, ch in enumerate(text):
        if ch not in _QUOTE_CHARS:
            continue
        if ch in _OPEN:
            kind = "open"
        elif ch in _CLOSE:
            kind = "close"
        else:
            prev = text[i - 1] if i else " "
            nxt = text[i + 1] if i + 1 < n else " "
            if open_at is not None:
                kind = "close"
            elif (prev.isspace() or prev in "([—–-:") and not nxt.isspace():
                kind = "open"
            elif not prev.isspace() and (nxt.isspace() or nxt in ".,;:!?)]"):
                kind = "close"
            else:
                kind = "open"
        if kind == "open":
            if open_at is None:
                open_at = i + 1
        else:
            if open_at is not None:
                spans.append((open_at, i))
                open_at = None
            elif not spans and text[:i].strip():
                spans.append((0, i))
    if open_at is not None and text[open_at:].strip():
        spans.append((open_at, n))
    return spans


def _clean_quote(q: str) -> str:
    q = q.strip()
    q = q.strip(_QUOTE_CHARS).strip()
    q = re.sub(r"[,;:]+$", "", q).strip()
    return q


def _in_quote_fn(spans: list[tuple[int, int]], base: int):
    if not spans:
        return lambda tok: False

    def inside(tok) -> bool:
        rel = tok.idx - base
        return any(a <= rel < b for a, b in spans)

    return inside


# --------------------------------------------------------------------------------------------------------
# Speakers
# --------------------------------------------------------------------------------------------------------


def _in_span(tok, sent) -> bool:
    return sent.start <= tok.i < sent.end


SUBORDINATE = 10
"""Depth one clause inside another (a relative clause, a modifier) adds in ``_depth``: a speech verb at this
depth or more is "too far from the main clause" (its pronoun subject is not resolved, its agent not taken)."""
MAX_DEPTH = 50
"""Depth at which ``_depth`` stops climbing (a parse deeper than this is as far as it gets)."""


def _depth(tok, sent) -> int:
    """How far ``tok`` is from its sentence's main clause: one per step up the parse, ``SUBORDINATE`` more per
    subordinate clause crossed."""
    depth = 0
    cur = tok
    while cur.head.i != cur.i and _in_span(cur.head, sent) and depth < MAX_DEPTH:
        if cur.dep_ in ("relcl", "acl", "amod", "pcomp", "csubj"):
            depth += SUBORDINATE
        depth += 1
        cur = cur.head
    return depth


def _verb_lemma(tok) -> str | None:
    if not tok.tag_.startswith("VB"):
        return None
    return _VERB_FORMS.get(tok.lower_)


def _is_speech_use(verb, lemma: str, has_quotes: bool, sent) -> bool:
    kids = [c for c in verb.children if _in_span(c, sent)]
    deps = {c.dep_ for c in kids}
    if lemma == "say":
        if any(c.dep_ in ("auxpass", "nsubjpass") for c in kids):
            return False  # "is said to" - a hedge, not a speaker
        nxt = verb.doc[verb.i + 1] if verb.i + 1 < len(verb.doc) else None
        if nxt is not None and nxt.lower_ == "to" and not any(c.dep_ == "ccomp" for c in kids):
            return False  # headline "Moscow said to be resetting its forces"
    if lemma == "call":
        return any(c.dep_ in ("prep", "prt") and c.lower_ in ("on", "for", "upon") for c in kids) or (
            "ccomp" in deps or "oprd" in deps
        )
    if lemma == "show":  # "UN figures showed ...", not "the video shows a tank"
        return any(c.dep_ == "nsubj" and c.lower_ in _FIGURE_NOUNS for c in kids)
    if lemma == "continue":
        return has_quotes and not deps & {"xcomp", "dobj"}
    if lemma == "point":
        return any(c.lower_ == "out" for c in kids)
    if lemma == "add" and any(c.dep_ == "prep" and c.lower_ == "to" for c in kids):
        return False
    if lemma in WEAK_VERBS:
        objs = [c for c in kids if c.dep_ == "dobj"]
        objs += [g for c in kids if c.dep_ in ("prep", "agent") for g in c.children if g.dep_ == "pobj"]
        if any(o.lower_ in SPEECH_OBJECTS for o in objs):
            return True
        return has_quotes or bool(deps & {"ccomp", "parataxis"}) or verb.dep_ in ("parataxis",)
    return True


@dataclass(frozen=True)
class _Search:
    """What every step of finding a sentence's speaker needs: the sentence, which tokens are quoted, where
    each token's line starts, and the earlier sentences' speaker (pronouns) and memory."""

    sent: Any
    in_quote: Callable
    line_start: Callable
    previous: Any
    last_person: str | None
    memory: Any


def _find_speaker(sent, in_quote, has_quotes: bool, previous, last_person, memory=None):
    """(speaker, verb lemma) of ``sent``, or (None, None). Speech verbs closest to the main clause first, then
    "according to X", then the deeper verbs; finally "the report said" after an organisation reported."""
    search = _Search(sent, in_quote, _line_start_fn(sent), previous, last_person, memory)
    candidates, according = _speech_candidates(sent, in_quote, has_quotes)
    unowned_report: list[str] = []
    found = _speaker_from_verbs(search, candidates, 1, unowned_report)
    if found:
        return found
    if according is not None:
        speaker = _according_speaker(search, according)
        if speaker:
            return speaker, "according to"
    found = _speaker_from_verbs(search, candidates, 10_000, unowned_report)
    if found:
        return found
    if unowned_report and memory is not None and _org_like(memory.speaker):
        return memory.speaker, unowned_report[0]  # "the report said" after "Reuters reported"
    return None, None


def _speech_candidates(sent, in_quote, has_quotes: bool) -> tuple[list, Any]:
    """The speech verbs outside quotes as (depth, index, token, lemma), shallowest first, and the object of
    the first "according to" (or None)."""
    candidates = []
    according = None
    for tok in sent:
        if in_quote(tok):
            continue
        if tok.lower_ == "according":
            obj = _according_object(tok, sent)
            if obj is not None and according is None:
                according = obj
            continue
        lemma = _verb_lemma(tok)
        if lemma is None or tok.dep_ in ("amod", "compound") or (tok.dep_ == "acl" and tok.tag_ == "VBN"):
            continue  # "the announced corridor", "casualties reported after ..."
        if not _is_speech_use(tok, lemma, has_quotes, sent):
            continue
        candidates.append((_depth(tok, sent), tok.i, tok, lemma))
    candidates.sort(key=lambda c: (c[0], c[1]))
    return candidates, according


def _according_object(tok, sent):
    """The object of "according to" at ``tok``, or None."""
    to = next((c for c in tok.children if c.lower_ == "to"), None)
    if to is None and tok.i + 1 < sent.end and sent.doc[tok.i + 1].lower_ == "to":
        to = sent.doc[tok.i + 1]
    if to is None:
        return None
    return next((c for c in to.children if c.dep_ == "pobj" and _in_span(c, sent)), None)


def _according_speaker(search: _Search, according) -> str | None:
    """Who "according to ..." names: a pronoun resolved from the sentences before, or the noun phrase."""
    if according.tag_ == "PRP" or according.lower_ in _SUBJECT_PRONOUNS | {"him", "her", "them"}:
        pron = {"him": "he", "her": "she", "them": "they"}.get(according.lower_, according.lower_)
        return _resolve_pronoun(pron, search.previous, search.last_person)
    sent = search.sent
    speaker = _np_text(according, sent, search.line_start(according), source=True, in_quote=search.in_quote)
    if speaker:
        speaker = _by_memory(according, sent, search.memory) or speaker
    return speaker


def _speaker_from_verbs(search: _Search, candidates: list, depth_limit: int, unowned_report: list[str]):
    """(speaker, lemma) from the subject of the first candidate verb no deeper than ``depth_limit`` that has
    a usable one; None otherwise. "The report said" with no owner is noted in ``unowned_report``."""
    sent = search.sent
    for depth, _, verb, lemma in candidates:
        if depth > depth_limit:
            break
        subj = _verb_subject(verb, lemma, sent, search.line_start(verb), search.in_quote)
        if subj is None:
            continue
        if not hasattr(subj, "dep_"):  # a bare phrase (Span)
            speaker = _clean_tokens(list(subj))
            if speaker:
                return speaker, lemma
            continue
        if lemma in _ANIMATE_ONLY and not (
            subj.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") or subj.tag_ == "PRP"
            or subj.lower_ in PERSON_ROLES or subj.lower_ in _ANIMATE_WORDS
        ):
            continue  # "new research suggests", "the size of the mound suggests"
        if depth >= SUBORDINATE and (subj.tag_ == "PRP" or subj.lower_ in _SUBJECT_PRONOUNS):
            continue  # "... following what he describes as ...": too far from the main clause to resolve
        speaker = _subject_text(subj, sent, search.previous, search.last_person, search.line_start(verb),
                                search.in_quote)
        if speaker:
            if lemma == "report":
                inner = _person_inside_report(search, candidates, verb)
                if inner:
                    return inner
            return (_by_memory(subj, sent, search.memory) or speaker), lemma
        if subj.lower_ in ("report", "statement") and any(c.lower_ == "the" for c in subj.children):
            unowned_report.append(lemma)
    return None


def _person_inside_report(search: _Search, candidates: list, outer):
    """'Mayor X said the city needs help, Outlet reported': (the person inside the outlet's report, lemma)."""
    sent = search.sent
    for _, _, verb, lemma in candidates:
        if verb.i >= outer.i or lemma in WEAK_VERBS or lemma in ("report", "show") or not _governed_by(verb, outer):
            continue
        subj = _verb_subject(verb, lemma, sent, search.line_start(verb), search.in_quote)
        if subj is None or not hasattr(subj, "dep_"):
            continue
        if subj.ent_type_ == "PERSON" or _role_token(subj) or subj.lower_ in ("he", "she"):
            speaker = _subject_text(subj, sent, search.previous, search.last_person, search.line_start(verb),
                                    search.in_quote)
            if speaker:
                return (_by_memory(subj, sent, search.memory) or speaker), lemma
    return None


def _governed_by(tok, head) -> bool:
    cur = tok
    for _ in range(50):
        if cur.head.i == cur.i:
            return False
        cur = cur.head
        if cur.i == head.i:
            return True
    return False


_FIGURE_NOUNS = frozenset("figures data statistics numbers count tally estimates records survey poll".split())


def _colon_dateline(tok, sent, line_start) -> bool:
    """'Istanbul: Russia promised ...': a place name opening the line before a colon is a dateline."""
    doc = sent.doc
    right = max((t.i for t in tok.subtree if not t.is_punct), default=tok.i)
    if tok.left_edge.i > max(line_start, sent.start) or right - tok.left_edge.i > 2 or right + 1 >= sent.end:
        return False
    return doc[right + 1].text == ":" and tok.ent_type_ in ("GPE", "LOC", "FAC")


def _line_start_fn(sent):
    """A sentence span may run over a headline and a paragraph: a speaker must be on the verb's line."""
    breaks = [t.i for t in sent if "\n" in t.text or "\n" in t.whitespace_]
    if not breaks:
        return lambda tok: sent.start

    def start_for(tok) -> int:
        best = sent.start
        for b in breaks:
            if b < tok.i:
                best = b + 1
        return best

    return start_for


def _verb_subject(verb, lemma, sent, line_start, in_quote):
    """Who performs the speech verb ``verb``: a token (or a bare phrase, a Span) or None. The parsed subject
    first (the agent of a passive, the name in "the mayor, X, said", an inverted subject), then fallbacks for
    parses that lost it (``_lost_subject``)."""
    kids = [c for c in verb.children if _in_span(c, sent)]
    if any(c.dep_ in ("auxpass", "nsubjpass") for c in kids):
        return _passive_agent(verb, lemma, sent, kids, in_quote)
    subjects = _nominal_subjects(kids, sent, line_start)
    if not subjects and verb.dep_ == "acl" and verb.tag_ == "VBD" and verb.head.i < verb.i and _in_span(verb.head, sent) \
            and verb.head.dep_ == "ROOT" and verb.head.pos_ in ("NOUN", "PROPN") and verb.head.i >= line_start:
        return verb.head  # "A source familiar with the file confirmed ..." parsed as a noun phrase
    if lemma == "quote":  # "TASS quoted Medinsky as saying"
        dobj = next((c for c in kids if c.dep_ == "dobj"), None)
        if dobj is not None and any(c.lower_ == "as" for c in kids):
            return dobj
    adjacent = any(
        not in_quote(c) and c.i < verb.i
        and all(t.dep_ in ("advmod", "aux", "neg") for t in sent.doc[c.right_edge.i + 1 : verb.i])
        for c in subjects
    )
    if not adjacent and lemma not in ("tell", "quote", "call", "urge", "accuse"):
        inverted = _inverted_subject(verb, sent, in_quote)
        if inverted is not None:
            return inverted
    for c in subjects:
        if not in_quote(c):
            return c
    for c in kids:  # "... was announced by the ministry" (not "reports written by its analysts")
        if c.dep_ == "agent" and _depth(verb, sent) < SUBORDINATE:
            obj = next((g for g in c.children if g.dep_ == "pobj"), None)
            if obj is not None:
                return obj
    return _lost_subject(verb, lemma, sent, line_start, in_quote, kids, bool(subjects))


def _passive_agent(verb, lemma, sent, kids, in_quote):
    """A passive: "was announced by the ministry" names the speaker; "was warned that" names the listener."""
    if lemma in _PASSIVE_AGENT_VERBS and _depth(verb, sent) < SUBORDINATE:
        for c in kids:
            if c.dep_ == "agent":
                obj = next((g for g in c.children if g.dep_ == "pobj"), None)
                if obj is not None and not in_quote(obj):
                    return obj
    return None


def _nominal_subjects(kids, sent, line_start: int) -> list:
    """The verb's subjects on its line (not a "Place:" dateline); a person's name after a comma first ("the
    Mayor of the besieged city, Vadym Boychenko has claimed")."""
    subjects = [c for c in kids if c.dep_ == "nsubj" and c.i >= line_start and not _colon_dateline(c, sent, line_start)]
    if len(subjects) > 1:
        named = [c for c in subjects if c.ent_type_ == "PERSON" and c.left_edge.i > sent.start
                 and sent.doc[c.left_edge.i - 1].text == ","]
        if named:
            subjects = named + [c for c in subjects if c not in named]
    return subjects


def _lost_subject(verb, lemma, sent, line_start, in_quote, kids, has_subject: bool):
    """The subject of a verb whose parse lost it: a headline's bare phrase, the subject of the first of two
    verbs, the phrase opening a line run into a headline, or the speaker parsed as the object of "said"."""
    # "... - Ukrainian army claims" (a headline the parser split badly): the bare phrase before the verb
    if not has_subject and verb.tag_ in ("VBZ", "VBD", "VBP"):
        run = _phrase_before(verb, sent, line_start)
        if run is not None and not any(in_quote(t) for t in run):
            return run
    # "Governor X gave no details, but said ...": the subject of the first verb
    if not has_subject and (verb.dep_ == "conj" or (verb.tag_ == "VBG" and verb.dep_ in ("advcl", "xcomp"))) \
            and _in_span(verb.head, sent):
        for c in verb.head.children:
            if c.dep_ == "nsubj" and c.i >= line_start and _in_span(c, sent) and not in_quote(c):
                return c
    # The parser hung the subject on a headline run into this line: the noun phrase opening the line, when
    # it runs up to the verb ("Talks set to begin\n\nA spokesperson for the ministry has told ...").
    ls = max(line_start, sent.start)
    if any(c.dep_ == "nsubj" and c.i < ls for c in verb.children):
        tops = [t for t in sent.doc[ls : verb.i] if not (t.is_punct or t.is_space) and not (ls <= t.head.i < verb.i)
                and t.dep_ not in ("aux", "auxpass", "neg", "advmod")]
        if len(tops) == 1 and tops[0].pos_ in ("NOUN", "PROPN") and not in_quote(tops[0]):
            return tops[0]
    # The parser hung the subject on a headline run into this line: take the phrase just before the verb.
    if not has_subject or any(c.dep_ == "nsubj" and c.i < ls for c in verb.children):
        before = _subject_before(verb, sent, line_start)
        if before is not None and not in_quote(before):
            return before
    if lemma == "say" and verb.i > sent.start:
        return _speaker_as_object(verb, sent, kids)
    return None


def _speaker_as_object(verb, sent, kids):
    """Inverted '"...," said a spokesman' parsed with the speaker as object, or hung elsewhere: the noun
    phrase right after the verb ("..., says local mayor")."""
    before = sent.doc[verb.i - 1]
    if before.text not in _QUOTE_CHARS and before.text != ",":
        return None
    for c in kids:
        if c.dep_ in ("dobj", "attr", "npadvmod", "nsubj") and c.i > verb.i and c.pos_ in ("NOUN", "PROPN"):
            return c
    last = None
    for t in sent.doc[verb.i + 1 : sent.end]:
        if t.pos_ in ("DET", "ADJ", "NOUN", "PROPN", "NUM") or t.tag_ == "POS":
            if t.pos_ in ("NOUN", "PROPN"):
                last = t
            continue
        break
    return last


def _inverted_subject(verb, sent, in_quote):
    """'"...," said a spokesman for X.' / '..., says local mayor': a verb right after a comma or closing quote,
    followed by a noun phrase that ends the sentence, has that phrase as its subject."""
    if verb.i == sent.start:
        return None
    before = sent.doc[verb.i - 1]
    if not (before.text in _QUOTE_CHARS or before.text in (",", ":", "—", "–", "-")):
        return None
    last = None
    j = verb.i + 1
    while j < sent.end:
        t = sent.doc[j]
        if t.pos_ in ("DET", "ADJ", "NOUN", "PROPN", "NUM") or t.tag_ == "POS" or (t.text in (",", "-") and last is not None):
            if t.pos_ in ("NOUN", "PROPN"):
                last = t
            j += 1
            continue
        break
    rest = sent.doc[j : sent.end]
    if last is None or in_quote(last):
        return None
    if any(not (t.is_punct or t.is_space) for t in rest) and not (rest[0].text == "," or rest[0].lower_ in ("in", "on", "at", "after", "when", "as", "during", "of")):
        return None
    # the head of the phrase: the token whose head lies outside it
    phrase = range(verb.i + 1, last.i + 1)
    for i in phrase:
        t = sent.doc[i]
        if t.head.i not in phrase or t.head.i == t.i:
            return t
    return last


_PASSIVE_AGENT_VERBS = frozenset(
    "say announce report state confirm claim deny describe write tell note declare stress reiterate".split()
)
_ANIMATE_ONLY = frozenset("suggest indicate threaten predict conclude respond".split())
_ANIMATE_WORDS = frozenset(
    "researchers scientists experts analysts police authorities officials sources spokesman spokeswoman "
    "spokesperson people residents witnesses investigators prosecutors lawyers".split()
)


def _phrase_before(verb, sent, line_start):
    """The noun phrase directly before the verb, when a punctuation mark or the line start precedes it."""
    doc = sent.doc
    i = verb.i - 1
    start = max(line_start, sent.start)
    while i >= start and doc[i].pos_ in ("DET", "ADJ", "NOUN", "PROPN", "NUM", "PART") and doc[i].dep_ not in ("pobj", "dobj"):
        if doc[i].pos_ == "PART" and doc[i].tag_ != "POS":
            break
        i -= 1
    if i == verb.i - 1 or doc[verb.i - 1].pos_ not in ("NOUN", "PROPN"):
        return None
    if i >= start and not (doc[i].is_punct or doc[i].is_space):
        return None
    return doc[i + 1 : verb.i]


def _subject_before(verb, sent, line_start):
    i = verb.i - 1
    doc = sent.doc
    while i >= line_start and (doc[i].is_punct or doc[i].dep_ in ("advmod", "aux", "neg") or doc[i].is_space):
        i -= 1
    if i < line_start:
        return None
    tok = doc[i]
    if tok.pos_ in ("PROPN", "NOUN") and tok.dep_ in ("appos", "nsubj", "ROOT", "conj", "dep", "nsubjpass"):
        return tok
    return None


def _subject_text(subj, sent, previous, last_person, line_start, in_quote=None):
    low = subj.lower_
    if subj.tag_ in ("PRP",) or low in _SUBJECT_PRONOUNS:
        return _resolve_pronoun(low, previous, last_person)
    return _np_text(subj, sent, line_start, source=True, in_quote=in_quote)


def _usable_person(name: str | None) -> str | None:
    """A person's name fit to stand in for a pronoun: not a social-media handle or a stray token."""
    if not name:
        return None
    name = " ".join(name.split())
    if name.startswith("@") or "#" in name or not re.search(r"[A-Za-z]", name) or not name[:1].isupper():
        return None
    if len(name) <= 3 or (name.isupper() and " " not in name):
        return None  # "ET", "UN": a tagging slip, not a person
    return name


def _resolve_pronoun(pron: str, previous, last_person) -> str | None:
    prev = previous.speaker if previous is not None else None
    last_person = _usable_person(last_person)
    if pron in ("he", "she"):
        if prev and last_person and _surname(last_person).lower() in prev.lower():
            return prev
        if prev and _name_like(prev):
            return prev
        if prev and _role_person(prev) and re.match(r"(?i)(a|an|one)\s", prev):
            return prev  # "A spokesperson for the ministry told ... He added": not a name mentioned in passing
        if last_person:
            return last_person
        if prev and _role_person(prev):
            return prev
        return None
    if pron == "they" and prev and _plural_like(prev):
        return prev
    if pron == "it" and prev and _org_like(prev) and not _plural_like(prev):
        return prev  # "..., the agency said. It added ..."
    return None


def _name_like(s: str) -> bool:
    words = s.split()
    if not words or len(words) > 7 or not words[0][:1].isupper():
        return False
    if any(w.lower().strip(".,'’s") in ORG_WORDS for w in words):
        return False
    if len(words) == 1 and (s.isupper() or len(s) <= 3):
        return False
    return all(w[:1].isupper() or w.lower() in SURNAME_PARTICLES or w.lower() in ("of", "for") for w in words)


def _role_person(s: str) -> bool:
    """'the mayor', 'a spokesperson for the ministry': one person named by a role (the head before 'for'...)."""
    head = re.split(r"\s(?:for|of|to|at|in|with|from|familiar|close)\s", s, maxsplit=1)[0]
    words = [w.lower().strip(".,") for w in head.split()]
    return bool(words) and words[-1] in PERSON_ROLES and not words[-1].endswith("s")


def _plural_like(s: str) -> bool:
    words = s.split()
    last = words[-1].lower() if words else ""
    return (last.endswith("s") and not words[-1][:1].isupper()) or " and " in s


def _np_text(head, sent, line_start: int, source: bool = False, in_quote=None) -> str | None:
    """The noun phrase headed by ``head`` as a speaker string, or None when it is not a speaker. With
    ``source``, a channel ("a statement from the ministry") gives its owner."""
    low = head.lower_
    if low in _NOT_SPEAKERS or head.tag_ in ("PRP", "WDT", "WP", "EX", "CD") or head.like_num:
        return None
    if head.tag_ == "DT" and not any(c.dep_ in ("prep",) for c in head.children):
        return None
    kids = [c for c in head.children if _in_span(c, sent)]
    if _is_dateline(head):  # "ALLENTOWN, Pa. (AP) — Animal welfare workers say"
        nxt = next(
            (c for c in kids if c.dep_ in ("appos", "conj") and not _is_dateline(c) and c.i > head.i + 2
             and sent.doc[c.left_edge.i - 1].text != "(" and c.left_edge.text != "("),
            None,
        )
        return _np_text(nxt, sent, line_start, source, in_quote) if nxt is not None else None
    if head.ent_type_ != "PERSON":
        named = _name_in_apposition(head, kids, sent, line_start)
        if named:
            return named
    if source and low in SOURCE_NOUNS and head.tag_ not in ("NNP", "NNPS"):  # not "The Washington Post"
        found, owner = _channel_owner(head, kids, sent, line_start, in_quote)
        if found:
            return owner
        if low not in ("source", "sources"):
            return None
        # "a source familiar with the talks", "sources close to the Kremlin": the source is the speaker
    return _clean_tokens(_phrase_tokens(head, sent, line_start, in_quote))


def _name_in_apposition(head, kids, sent, line_start: int) -> str | None:
    """ "the mayor, Vitaliy Klitschko," -> the person's name; "The UN refugee agency, UNHCR, said" -> the
    organisation's name; None when no apposition names one."""
    for c in kids:
        if c.dep_ == "appos" and c.i >= line_start:
            if c.ent_type_ == "PERSON":
                return _entity_text(c) or c.text
            last = max(c.subtree, key=lambda t: t.i)
            if last.ent_type_ == "PERSON" and _in_span(last, sent):
                return _entity_text(last) or last.text
            if c.ent_type_ == "ORG" and head.tag_ in ("NN", "NNS") and not head.ent_type_ and head.i < c.i:
                ent = next((e for e in sent.doc.ents if e.start <= c.i < e.end), None)
                if ent is not None and len(ent) <= 6:
                    return _clean_tokens(list(ent)) or ent.text
    return None


def _channel_owner(head, kids, sent, line_start: int, in_quote) -> tuple[bool, str | None]:
    """Who speaks through a channel noun: "according to the governor's words", "a statement from the
    ministry said", "UN figures showed". (True, speaker or None) when the phrase names an owner, else
    (False, None)."""
    poss = next((c for c in kids if c.dep_ == "poss"), None)
    if poss is not None and poss.lower_ not in _POSSESSIVE_DETS:
        return True, _np_text(poss, sent, line_start, in_quote=in_quote)
    for c in kids:
        if c.dep_ == "prep" and c.lower_ in ("from", "by", "of", "in", "at"):
            obj = next((g for g in c.children if g.dep_ == "pobj"), None)
            if obj is not None and (c.lower_ not in ("in", "at") or obj.ent_type_ == "ORG" or obj.lower_ in ORG_WORDS):
                return True, _np_text(obj, sent, line_start, in_quote=in_quote)
    # "UN figures showed": the organisation named before the channel
    owner = [c for c in kids if c.dep_ == "compound" and c.i < head.i and (c.pos_ == "PROPN" or c.ent_type_ in ("ORG", "GPE"))]
    if owner and not any(c.dep_ == "poss" for c in kids):  # not "her Twitter account"
        lo = min(t.i for t in owner[0].subtree)
        return True, _clean_tokens(list(sent.doc[lo : owner[-1].i + 1]))
    return False, None


def _phrase_tokens(head, sent, line_start: int, in_quote) -> list:
    """The tokens of the phrase around ``head`` that name the speaker: clauses, quotes, appositions, adverbs
    and most prepositional phrases dropped; the contiguous run around the head kept."""
    low = head.lower_
    skip: set[int] = set()
    for t in head.subtree:
        if t.i == head.i or t.i in skip:
            continue
        drop = False
        if t.dep_ in ("relcl", "acl", "advcl") or (in_quote is not None and in_quote(t)):
            drop = True
        elif t.head.i == head.i and t.dep_ in ("appos", "advmod"):
            drop = True
        elif t.dep_ == "prep":
            # keep "a spokesman for ...", "the city of ...", "adviser to ..."; not "in a statement"
            drop = t.lower_ not in _KEEP_PREPS or _is_channel(t)
            if t.head.lower_ in ("familiar", "close") or (t.head.i == head.i and low in ("source", "sources")):
                drop = False  # "a source familiar with the talks", "sources with knowledge of the plan"
            elif not drop and t.lower_ in ("in", "at", "with"):
                obj = next((g for g in t.children if g.dep_ == "pobj"), None)
                drop = obj is None or obj.ent_type_ not in ("GPE", "LOC", "FAC", "ORG")
        if drop:
            skip.update(x.i for x in t.subtree)
    kept = {t.i for t in head.subtree if t.i not in skip and t.i >= line_start and _in_span(t, sent)}
    lo = hi = head.i
    while lo - 1 in kept:
        lo -= 1
    while hi + 1 in kept:
        hi += 1
    return list(sent.doc[lo : hi + 1])


def _clean_tokens(toks) -> str | None:
    # trim punctuation, quote marks and a possessive 's at either end
    while toks and (toks[0].is_punct or toks[0].is_space or toks[0].text in _QUOTE_CHARS):
        toks.pop(0)
    while toks and (toks[-1].is_punct or toks[-1].is_space or toks[-1].text in _QUOTE_CHARS or toks[-1].tag_ == "POS"):
        toks.pop()
    if not toks:
        return None
    if len(toks) > 20:  # a runaway subtree
        return None
    out = "".join(t.text_with_ws for t in toks[:-1]) + toks[-1].text
    out = re.sub(r"\s+", " ", re.sub(f"[{_QUOTE_CHARS}]", "", out)).strip()
    first = toks[0]
    if _is_dateline(first) or first.lower_ in ("whose", "which", "who", "whom", "that", "what"):
        return None
    out = re.sub(r"\s*\([^()]*\)?$", "", out).strip()  # "the Red Cross (ICRC)" -> "the Red Cross"
    if first.lower_ in _DETERMINERS and first.text[:1].isupper() and not _THE_TITLES.match(out):
        out = first.lower_ + out[len(first.text):]
    if not re.search(r"[A-Za-z]", out) or out.lower() in _NOT_SPEAKERS or out.lower() in _SUBJECT_PRONOUNS:
        return None
    return out


_KEEP_PREPS = frozenset({"for", "of", "to", "at", "in", "from", "with"})


def _is_dateline(tok) -> bool:
    doc = tok.doc
    return (
        tok.text.isupper() and tok.text.isalpha() and len(tok.text) >= 4
        and tok.i + 1 < len(doc) and doc[tok.i + 1].text in (",", "—", "-")
        and tok.ent_type_ in ("GPE", "LOC", "ORG", "")
    )


def _is_channel(prep) -> bool:
    obj = next((g for g in prep.children if g.dep_ == "pobj"), None)
    if obj is None or obj.lower_ in _ADVERBIAL_PREPS:
        return True
    return obj.lower_ in SOURCE_NOUNS | {"interview", "address", "speech", "call", "conversation"}


def _entity_text(tok) -> str | None:
    for ent in tok.doc.ents:
        if ent.start <= tok.i < ent.end:
            return ent.text
    return None


def _surname(name: str) -> str:
    words = name.split()
    if len(words) <= 1:
        return name
    i = len(words) - 1
    while i > 0 and words[i - 1].lower() in SURNAME_PARTICLES:
        i -= 1
    return " ".join(words[i:])


# --------------------------------------------------------------------------------------------------------
# Article memory: roles named earlier, the last outlet and organisation, credit lines
# --------------------------------------------------------------------------------------------------------

_OUTLET_NOUNS = frozenset(
    "newspaper paper daily outlet broadcaster tabloid publication magazine weekly".split()
)
"""'according to the American newspaper' -> the last news organisation named."""
_ORG_NOUNS = frozenset(
    "company bank firm group lender insurer carrier airline retailer charity organisation organization "
    "manufacturer producer operator giant conglomerate corporation".split()
)
"""'the bank said' -> the organisation that was the subject of a recent sentence."""
_ORG_RECENT = 3
"""Sentences for which an organisation named as a subject stays 'the company'."""

_TWEET = re.compile(
    r"[—–]\s*([^—–()\n]{2,80}?)\s*\(@\w{1,30}\)\s*(?:[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]{2,8} \d{4})\s*$"
)
"""An embedded tweet's credit line: '... — Name (@handle) March 30, 2022'."""

_WIRE_DATELINE = re.compile(r"^\s*[A-Z][\w.,' -]{1,60}?\(([A-Z][\w.& -]{0,30})\)\s*[-—–]")
"""'KYIV (Reuters) -', 'ALLENTOWN, Pa. (AP) —': the wire service credited with the story."""

_TRAILING_CREDIT = re.compile(r"\s[-—–]+\s*([A-Z][\w.'’&-]*(?:\s+[\w.'’&()-]+){0,4})\s*$")
_COLON_CREDIT = re.compile(r":\s*([A-Z][\w.'’&-]*(?:\s+[\w.'’&-]+){0,2})\s*$")
_NOT_CREDITS = frozenset(
    "live updates update latest explained analysis opinion watch video photos photo pictures report day timeline "
    "map maps what why how who when where as here in on at the a an more read listen".split()
)


def _tweet_author(text: str):
    m = _TWEET.search(text)
    if not m:
        return None, None
    name = m.group(1).split(",")[0].strip()
    if not name or not name[:1].isupper() or len(name.split()) > 6:
        return None, None
    return name, "tweet"


def _credit_line(sent, text: str):
    """A sentence nothing else attributes: a wire dateline ('KYIV (Reuters) -') or a headline's trailing
    credit ('Nine killed in strike on city – prosecutors' office', 'Death toll rises to 12: Governor')."""
    m = _WIRE_DATELINE.match(text)
    if m:
        name = m.group(1).strip()
        if NEWS_OUTLETS.fullmatch(name) or (name.isupper() and 2 <= len(name) <= 6):
            return name, "report"
    stripped = text.rstrip()
    m = _TRAILING_CREDIT.search(stripped)
    colon = False
    if m is None and stripped[-1:] not in ".!?\"”'’":
        m = _COLON_CREDIT.search(stripped)
        colon = True
    if m is None:
        return None, None
    name = m.group(1).strip()
    head = stripped[: m.start()].strip()
    words = name.split()
    if any(ch.isdigit() for ch in name) or any(w.lower().strip("().,") in _NOT_CREDITS for w in words[:1]):
        return None, None
    if len(head.split()) < 3:
        return None, None
    rel = m.start(1)
    toks = [t for t in sent if t.idx - sent.start_char >= rel]
    if not toks or any(t.pos_ in ("VERB", "AUX", "PRON") for t in toks):
        return None, None
    if not any(t.pos_ == "PROPN" or t.lower_ in PERSON_ROLES or t.lower_ in ORG_WORDS for t in toks):
        return None, None
    if colon:
        # "Ukraine war: Zelensky" is a topic line, not a credit, unless the part before reads as a headline
        before = [t for t in sent if t.idx - sent.start_char < m.start() and not (t.is_space or t.is_punct)]
        if not any(t.tag_.startswith("VB") for t in before) or before[0].pos_ == "VERB" or before[-1].pos_ in ("ADP", "VERB", "DET"):
            return None, None  # "Read more about: X", "Topics: X"
    if toks[0].ent_type_ in ("DATE", "TIME", "CARDINAL"):
        return None, None
    return re.sub(r"\s*\([^()]*\)\s*$", "", name).strip() or None, "report"


def _org_like(s: str | None) -> bool:
    if not s:
        return False
    if NEWS_OUTLETS.search(s):
        return True
    words = [w.strip(".,'’") for w in s.split()]
    if any(w.lower() in ORG_WORDS for w in words):
        return True
    return any(w.isupper() and len(w) >= 2 and w.isalpha() for w in words) and not _role_person(s)


def is_outlet_name(name: str) -> bool:
    """Is ``name`` a news organisation's (a known agency or network, a 'The ... Times' title)?"""
    if NEWS_OUTLETS.fullmatch(name.strip()):
        return True
    n = name.strip()
    if n[:4].lower() == "the ":
        n = "The " + n[4:]
    return bool(_THE_TITLES.match(n))


def _dateline_ent(ent) -> bool:
    """'PARIS (Reuters) -', 'LONDON, March 3 -': a place in capitals opening a story, tagged as an organisation."""
    doc = ent.doc
    nxt = doc[ent.end].text if ent.end < len(doc) else ""
    return _is_dateline(ent.root) or (ent.text.isupper() and nxt in ("(", ",", "-", "—", "–", "--"))


def _outlet_ent(ent) -> bool:
    """A news organisation: a known one, a 'The ... Times' title, or one introduced as 'newspaper X'."""
    if is_outlet_name(ent.text):
        return True
    before = ent.doc[ent.start - 1] if ent.start > 0 else None
    return before is not None and before.lower_ in _OUTLET_NOUNS | {"agency", "website", "channel", "network"}


def _phrase_words(toks) -> frozenset:
    return frozenset(t.lower_ for t in toks if t.is_alpha and t.dep_ not in ("det", "case", "cc") and t.lower_ not in ("of", "for", "to", "in"))


def _role_token(t) -> bool:
    return t.lower_ in PERSON_ROLES and t.tag_ in ("NN", "NNP") and t.pos_ in ("NOUN", "PROPN")


def _role_of(ent, sent):
    """(role word, role phrase words) given to the PERSON ``ent`` in ``sent``, or None."""
    doc = sent.doc
    # "Mariupol Mayor Vadym Boychenko", "the mayor Oleksandr Markushin", "Foreign Minister Dmytro Kuleba"
    run = []
    i = ent.start - 1
    while i >= sent.start and doc[i].pos_ in ("PROPN", "NOUN", "ADJ") and doc[i].ent_type_ != "PERSON":
        run.append(doc[i])
        i -= 1
    roles = [t for t in run if _role_token(t)]
    if roles:
        return roles[0].lower_, _phrase_words(run)
    # "the Mayor of the besieged city Mariupol, Vadym Boychenko" (a role phrase, a comma, the name)
    if ent.start - 2 >= sent.start and doc[ent.start - 1].text == ",":
        comma = ent.start - 1
        best = None
        for t in doc[sent.start : comma]:
            if _role_token(t):
                edge = max(x.i for x in t.subtree if x.i < comma)
                if edge == comma - 1:
                    best = t
        if best is not None:
            lo = min(x.i for x in best.subtree)
            return best.lower_, _phrase_words(doc[lo:comma])
    # "Vadym Boychenko, the mayor of Mariupol,"
    j = ent.end
    if j + 1 < sent.end and doc[j].text == ",":
        k = j + 1
        while k < sent.end and doc[k].pos_ in ("DET", "ADJ", "PROPN", "NOUN") and not _role_token(doc[k]):
            k += 1
        if k < sent.end and _role_token(doc[k]) and doc[k].dep_ == "appos":
            hi = max(x.i for x in doc[k].subtree)
            return doc[k].lower_, _phrase_words(doc[j + 1 : hi + 1])
    return None


def _remember(sent, memory: Memory, speaker: str | None, in_quote) -> Memory:
    roles = list(memory.roles)
    outlet = memory.outlet
    org = memory.org
    for ent in sent.ents:
        if ent.label_ == "PERSON":
            name = re.sub(r"[’']s$", "", ent.text).strip()
            if not _usable_person(name):
                continue
            found = _role_of(ent, sent)
            if found:
                roles.append((found[0], found[1], name))
        elif ent.label_ == "ORG":
            if _outlet_ent(ent):
                outlet = ent.text
            elif ent.root.dep_ in ("nsubj", "nsubjpass") and not in_quote(ent.root) and not _dateline_ent(ent):
                org = (ent.text, 0)
    if speaker and is_outlet_name(speaker):
        outlet = speaker
    if org is not None:
        org = (org[0], org[1] + 1) if org is memory.org else org
    dateline = None
    text = sent.text.strip()
    m = _WIRE_DATELINE.match(text)
    if m and speaker and not text[m.end():].strip():
        dateline = speaker  # the whole sentence is "KYIV (Reuters) -"
    return Memory(roles=tuple(roles[-16:]), outlet=outlet, org=org, speaker=speaker or memory.speaker,
                  dateline=dateline)


def _by_memory(head, sent, memory: Memory | None) -> str | None:
    """'the mayor' -> the person last introduced as mayor; 'the newspaper' -> the last outlet named;
    'the bank' -> the organisation just named as a subject. None when the memory does not say."""
    if memory is None or not hasattr(head, "dep_") or head.tag_ not in ("NN", "NNP"):
        return None
    dets = [c for c in head.children if c.dep_ in ("det", "poss")]
    if len(dets) != 1:
        return None
    d = dets[0]
    if (d.dep_ == "det" and d.lower_ != "the") or (d.dep_ == "poss" and (d.tag_ == "PRP$" or d.lower_ in _POSSESSIVE_DETS)):
        return None
    sub = [t for t in head.subtree if _in_span(t, sent)]
    if any(t.ent_type_ == "PERSON" for t in sub):
        return None
    low = head.lower_
    if low in PERSON_ROLES:
        need = {t.lower_ for t in sub if t.i != head.i and t.ent_type_ != "NORP" and (
            (t.dep_ == "compound" and t.head.i == head.i) or t.pos_ == "PROPN")}
        norp = {t.lower_ for t in sub if t.ent_type_ == "NORP"}
        fits = [(w, n) for r, w, n in memory.roles if r == low and need <= w]
        narrowed = [(w, n) for w, n in fits if norp <= w] if norp else []
        if narrowed:
            fits = narrowed
        if not fits:
            return None
        if len({n for _, n in fits}) > 1 and not need and not narrowed:
            return None  # "the president" after two presidents: ambiguous
        return fits[-1][1]
    if d.lower_ != "the" or any(t.pos_ == "PROPN" and t.ent_type_ != "NORP" for t in sub if t.i != head.i):
        return None  # "the sub's website", "the Moscow newspaper": not the last one named
    if low in _OUTLET_NOUNS:
        here = [e.text for e in sent.ents if e.label_ == "ORG" and e.end <= head.i and _outlet_ent(e)]
        return here[-1] if here else memory.outlet
    if low in _ORG_NOUNS and memory.org and memory.org[1] <= _ORG_RECENT:
        return memory.org[0]
    return None


# --------------------------------------------------------------------------------------------------------
# Hedges and parties
# --------------------------------------------------------------------------------------------------------


def _is_hedged(sent, text: str, quote_spans=()) -> bool:
    for m in HEDGES.finditer(text):
        if any(a <= m.start() < b for a, b in quote_spans):
            continue  # the speaker's own word ("unverified information") does not hedge the report
        word = m.group(0).lower()
        if word.startswith("claim"):
            # "claimed"/"claims" as a verb hedges; "Russia's claim that" (a noun) only when it is the subject
            tok = _token_at(sent, sent.start_char + m.start())
            if tok is not None and not tok.tag_.startswith("VB") and _CLAIM_NOUN.fullmatch(tok.text):
                continue
        return True
    return False


def _token_at(sent, char: int):
    for t in sent:
        if t.idx <= char < t.idx + len(t.text):
            return t
    return None


def _is_party(speaker: str, sent, previous=None, last_person=None) -> bool:
    s = speaker.strip()
    low = s.lower()
    if NEWS_OUTLETS.search(s):
        return False
    if PARTY_INSTITUTIONS.search(s):
        return True
    bare = re.sub(r"^(the|a)\s+", "", low)
    if bare in STATE_METONYMS:
        return True
    # A country or a capital speaking as a whole ("Russia said", "Moscow announced") is its government.
    known_people = " ".join(x for x in ((previous.speaker if previous else None), last_person) if x).lower()
    if bare and bare in known_people:
        return False  # a surname the tagger took for a place
    for ent in sent.ents:
        if ent.label_ == "GPE" and ent.text.lower().removeprefix("the ") == bare:
            return True
    return False


# --------------------------------------------------------------------------------------------------------
# Context
# --------------------------------------------------------------------------------------------------------

_CONTEXT_NOUN_DETS = frozenset({"the", "this", "that", "these", "those", "his", "her", "their", "its", "such"})


def _needs_context(subj) -> bool:
    low = subj.lower_
    if low in ("he", "she", "they", "we", "him", "her", "them"):
        return True
    if low in ("this", "that", "these", "those", "the former", "the latter"):
        return True
    if low == "it":
        # "It is unclear whether..." stands alone; "It said..." / "It has been..." leans.
        head = subj.head
        if head.lower_ in ("is", "was", "'s") and any(c.dep_ in ("acomp", "ccomp", "xcomp") for c in head.children):
            return False
        return True
    if subj.pos_ in ("NOUN",) and subj.tag_ in ("NN", "NNS") and not subj.ent_type_ and not subj.text.isupper():
        kids = list(subj.children)
        dets = [c for c in kids if c.dep_ in ("det", "poss")]
        others = [c for c in kids if c.dep_ not in ("det", "poss", "punct")]
        if len(dets) == 1 and not others and dets[0].lower_ in _CONTEXT_NOUN_DETS:
            return True
        if any(c.lower_ in ("latter", "former", "same") for c in kids):
            return True
    return False
