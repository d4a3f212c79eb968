"""Find claims that contradict each other on the same point, so the briefing can show them side by side.

"Russia says it will drastically scale down military activity around Kyiv" and "US officials called it a
regrouping, not a withdrawal" are one dispute: same theme, same topic, speakers from different sides, and one
of them carries an explicit contradiction cue aimed at what the other said.

Conservative by design (a false dispute is worse than a missed one). Two items are a dispute only when all hold:

1. same theme;
2. both speakers' sides are known and differ (a side is found from the speaker and the words that introduce
   them: "Russian Deputy Defence Minister…", "the mayor of the Ukrainian city…", "Pentagon spokesman…");
3. one of them carries a contradiction cue ("not", "rather than", "denied", "dismissed", "no sign of",
   "despite … claims"…) and the other none, and the words right after the cue name what the other item is
   about as a shared concept ("regrouping, not a withdrawal" answers "scale down its operations");
4. they are on one topic: moderately similar embeddings, or a shared named entity besides the sides
   (``events.same_topic``: the thresholds live with the rest of "same event").
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from pathlib import Path
from typing import Sequence

import numpy as np

from .events import stem
from .models import Item

SIDES_PATH = Path(__file__).parent / "data" / "sides.yaml"
"""The sides of a dispute and the names and seats of government that name each one: a data file a desk may
extend with the parties of the conflict it follows (general world knowledge only, no person names)."""


@functools.lru_cache(maxsize=4)
def load_sides(path: Path = SIDES_PATH) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(side -> every word or phrase that names it, side -> those of them that are seats of government)."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    names, seats = {}, {}
    for side, entry in data.items():
        own = tuple(str(w).lower() for w in entry.get("seats") or ())
        # Phrases first: "north korea" must be tried before "korea" would be.
        every = list(entry.get("names") or ()) + list(own)
        names[str(side)] = tuple(sorted((str(w).lower() for w in every), key=lambda w: (" " not in w, every.index(w))))
        seats[str(side)] = own
    return names, seats


SIDES, SEATS = load_sides()


_CUES = re.compile(
    r"\b(?:rather than|instead of|not|n't|never|no sign of|no signs? of|no evidence of|no indication of|"
    r"den(?:y|ies|ied|ying)|dismiss(?:ed|es|ing)?|reject(?:ed|s|ing)?|refut(?:e|ed|es|ing)|"
    r"contradict(?:ed|s|ing)?|disput(?:e|ed|es|ing)|despite|contrary to|false(?:ly)?|"
    r"sceptical of|skeptical of|doubt(?:ed|s)? (?:that|about|whether)|cast doubt on|hit out at|scoffed at)\b",
    re.IGNORECASE,
)
# Concepts: different words for one thing, so that a cue's object can answer the other item in other words.
_CONCEPTS: dict[str, tuple[str, ...]] = {
    "pullback": ("withdraw", "withdrawal", "withdrawing", "withdrew", "pull back", "pulling back", "pullback",
                 "pull-back", "retreat", "scale down", "scale back", "scaling down", "scaling back", "scale-back",
                 "scale-down", "scaled back", "scaled down", "reduce", "reducing", "reduction", "de-escalat",
                 "deescalat", "drawdown", "draw down", "regroup", "reposition", "redeploy", "pulled back",
                 "pulling out", "pull out", "pulled out"),
    "ceasefire": ("ceasefire", "cease-fire", "truce", "armistice", "halt the fighting", "stop the fighting"),
    "attack": ("attack", "strike", "struck", "shell", "bomb", "bombard", "missile", "rocket", "airstrike",
               "target"),
    "civilians": ("civilian", "residents", "non-combatant", "noncombatant"),
    "progress": ("progress", "breakthrough", "constructive", "positive sign", "advance in the talks"),
    "agreement": ("agreement", "deal", "accord", "treaty", "agreed"),
    "casualties": ("killed", "dead", "deaths", "died", "casualties", "wounded", "injured", "losses"),
}
_STOP = frozenset(
    "the a an of to in on at for and or but with by from as is are was were be been being has have had it its this "
    "that these those he she they we you his her their our not no any said says say told would will could should "
    "may might also than rather instead there what which who whom whose about into over after before during "
    "since while very more most much many some such only just even despite according".split()
)
_WORD = re.compile(r"[a-z][a-z'-]+")
_REPORTING = re.compile(
    r"\b(said|says|say|told|tells|announced|announces|claimed|stated|insisted|insists|added|"
    r"wrote|writes|described|describes|called|dismissed|dismisses|denied|denies|rejected|rejects|"
    r"warned|warns|reported|according to|promised|pledged|vowed|hit out at)\b",
    re.IGNORECASE,
)

# Concepts every war story touches: a cue about them says nothing about one particular claim.
_TOO_COMMON = frozenset({"attack", "casualties"})
_INITIALISMS = frozenset({"us", "u.s.", "uk", "u.k.", "eu", "un", "idf", "rsf", "usa"})
_CUE_WINDOW = 10
_NEGATION_WINDOW = 3


def find_disputes(items: Sequence[Item]) -> list[Item]:
    """The items with disputes folded in: a primary item gets ``disputed_by`` (the competing items, in
    order), and each competing item leaves the flat list. Items keep their order otherwise."""
    items = list(items)
    if len(items) < 2:
        return items
    from .embed import embed
    from .events import same_topic

    vectors = embed([it.text for it in items])
    sides = [side_of(it) for it in items]
    cues = [_cue_objects(it.text) for it in items]
    concepts = [_concepts(it.text) for it in items]
    stems = [_stems(it.text) for it in items]
    entities = [_entity_keys(it) for it in items]
    by_theme: dict[str | None, list[int]] = {}
    for i, it in enumerate(items):
        if it.theme is not None and sides[i] is not None:
            by_theme.setdefault(it.theme, []).append(i)
    competing: dict[int, list[int]] = {}
    used: set[int] = set()
    for theme in sorted(by_theme, key=str):
        idx = by_theme[theme]
        # Primaries: items without a cue (a plain claim); challengers: items whose cue answers one.
        for b in idx:
            if not cues[b] or b in used:
                continue
            best, best_sim = -1, -1.0
            for a in idx:
                if a == b or cues[a] or a in used or sides[a] == sides[b]:
                    continue
                sim = float(vectors[a] @ vectors[b])
                if not _answers(cues[b], concepts[a], stems[a]):
                    continue
                shared = (entities[a] & entities[b]) - _GENERIC_ENTITIES
                if same_topic(sim, bool(shared)):
                    if sim > best_sim:
                        best, best_sim = a, sim
            if best >= 0:
                competing.setdefault(best, []).append(b)
                used.add(b)
    if not competing:
        return items
    out: list[Item] = []
    for i, it in enumerate(items):
        if i in used and i not in competing:
            continue
        if i in competing:
            extra = tuple(items[j] for j in competing[i])
            it = replace(it, disputed_by=tuple(it.disputed_by) + extra)
        out.append(it)
    return out


def side_of(item: Item) -> str | None:
    """The side the item's speaker stands on, or None when unknown or ambiguous."""
    texts = []
    if item.speaker:
        texts.append(item.speaker)
        # The words introducing the speaker in the sentence: "Russian Deputy Defence Minister Alexander Fomin".
        pos = item.text.find(item.speaker)
        if pos > 0:
            texts.append(" ".join(item.text[:pos].split()[-5:]))
    # The words before the first reporting verb ("Russia says…", "US officials said…").
    m = _REPORTING.search(item.text)
    if m:
        texts.append(" ".join(item.text[: m.start()].split()[-10:]))
    for text in texts:
        found = sides_in(text)
        if len(found) == 1:
            return found.pop()
        if len(found) > 1:
            return None
    return None


def sides_in(text: str) -> set[str]:
    """The sides (``sides.yaml``) a text names: its countries, blocs, their people and seats of government."""
    low = " " + re.sub(r"[^\w.' -]", " ", text.lower()) + " "
    found = set()
    for side, words in SIDES.items():
        for w in words:
            # Short initialisms count only as written in capitals ("US", not "told us").
            hay, needle = (text, w.upper()) if w in _INITIALISMS else (low, w)
            if re.search(r"(?<![\w.])" + re.escape(needle) + r"(?:'s)?(?![\w])", hay):
                found.add(side)
                break
    return found


# Names too broad to show two items are on one topic: the sides themselves.
_GENERIC_ENTITIES = frozenset(
    w for side, words in SIDES.items() for w in words if w not in SEATS[side]) | {"west", "the west"}


def _cue_objects(text: str) -> list[tuple[set[str], set[str]]]:
    """For each contradiction cue: (concepts, stems) of the words right after it — what it contradicts."""
    out = []
    low = text.lower()
    for m in _CUES.finditer(low):
        after = low[m.end():]
        # A bare negation must be aimed at the point ("not a withdrawal"); "do not want to see anything less
        # than the complete withdrawal" negates something else.
        window = _NEGATION_WINDOW if m.group(0) in ("not", "n't", "never") else _CUE_WINDOW
        words = _WORD.findall(after)[:window]
        window = " ".join(words)
        out.append((_concepts(window), {stem(w) for w in words if w not in _STOP}))
    # "X is a regrouping, not a withdrawal": the words before "not" are part of the contrast too.
    for m in re.finditer(r"\b(\w[\w-]*),? (?:not|rather than|instead of) ", low):
        out.append((_concepts(m.group(1)), set()))
    return out


def _answers(cue_objects: list[tuple[set[str], set[str]]], concepts: set[str], stems: set[str]) -> bool:
    """Does a cue contradict what the other item is about? Only through a shared concept: shared words alone
    (names, places) are too loose a tie to call two statements a dispute."""
    for cue_concepts, _cue_stems in cue_objects:
        if cue_concepts & concepts - _TOO_COMMON:
            return True
    return False


def _concepts(text: str) -> set[str]:
    low = text.lower()
    return {key for key, words in _CONCEPTS.items() if any(re.search(r"\b" + re.escape(w), low) for w in words)}


def _stems(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 3}


def _entity_keys(item: Item) -> set[str]:
    keys = {e.text.lower().removeprefix("the ") for f in item.facts for e in f.entities}
    return keys
