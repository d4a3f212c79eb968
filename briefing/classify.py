"""The classify stage: give each fact a theme (or none) with a score per theme.

The model is trained when it is loaded, in well under a second, from:

* the labelled sentences shipped in ``briefing/data/theme_examples.yaml`` (one list per default theme and
  one for "none": page boilerplate, background, opinion), unless ``classify.use_shipped_examples`` is off;
* each configured theme's ``examples`` and its ``description`` (so a theme added in ``config.yaml`` with a
  description and a handful of examples is learnt like the built-in ones);
* the desk's own labelled sentences in ``classify.examples_file`` (JSONL or YAML, see
  :func:`load_labelled_file`), if set.

Every sentence is embedded (MiniLM, :mod:`briefing.embed`) and scored by two simple models whose
probabilities are averaged:

1. a class-balanced linear classifier: ridge regression onto one-hot labels, solved in closed form (one
   385x385 linear solve, milliseconds, deterministic), its outputs turned into probabilities with a softmax,
   and
2. nearest examples: for each label, the mean cosine similarity of the ``k`` most similar training sentences,
   turned into probabilities with a softmax.

A third model reads the words: a class-balanced ridge classifier on TF-IDF words and word pairs plus a few
page-text shape markers (photo credits, captions ending in a date, text cut off without a full stop), solved
in the dual with one n x n solve; its softmax is mixed in with weight ``Params.word_weight``.

The theme's ``terms`` then add a light boost to the themes they match, the labelling guidelines' cues for the
default themes (``GUIDELINE_CUES``: "liberated", mobilisation, weapons deliveries...) a similar one (together at
most ``Params.max_boost``, so a term tips an undecided sentence but never overrides the examples), captions
and photo credits boost "none", and "none" gets a small prior boost (most sentences on a news page are not news
on a theme). The label with the highest probability wins; "none" means no theme. ``explain`` shows all of it:
the matched terms and cues, the words that pushed towards each label, the nearest examples per theme and what
decided.

In a run (:func:`classify`) a fact is judged with its article: the facts around it and its title vote (:func:`in_context`), and
the context-adjusted scores are what ``Fact.scores`` carries. :meth:`ThemeClassifier.predict` judges sentences
alone (``briefing classify``).
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from .config import ClassifyConfig, Config, Theme
from .errors import ConfigError
from .models import Article, Fact

log = logging.getLogger(__name__)

NONE = "none"
NO_NONE_MIN_SIMILARITY = 0.3
"""Without shipped "none" examples, a sentence this unlike every training sentence gets no theme."""
EXAMPLES_PATH = Path(__file__).parent / "data" / "theme_examples.yaml"


@dataclass(frozen=True)
class Params:
    """Hyper-parameters, tuned by cross-validation over the shipped examples (``bench/themes.py --cv``)."""

    none_bias: float = 0.8
    """Added to the log-probability of "none" (a prior: most sentences of a page are not news on a theme)."""
    ridge_l2: float = 1.0
    """L2 penalty of the ridge classifier over the embeddings."""
    ridge_temp: float = 0.1
    """Softmax temperature over the ridge classifier's outputs."""
    knn_k: int = 5
    """Nearest examples averaged per label."""
    knn_temp: float = 0.05
    """Softmax temperature over the nearest-example similarities."""
    mix: float = 0.5
    """Weight of the ridge classifier over the embeddings in the ensemble (the rest goes to nearest examples)."""
    term_boost: float = 1.0
    """Added to a theme's log-probability per matched term (at most ``max_terms`` count)."""
    max_terms: int = 2
    description_weight: float = 2.0
    """How much a theme's description counts, relative to one example sentence."""
    config_example_weight: float = 1.0
    """How much each example sentence from the config counts, relative to a shipped one."""
    word_weight: float = 0.2
    """Weight of the word model (TF-IDF ridge) in the ensemble; the rest goes to the embedding models."""
    cue_boost: float = 1.0
    """Added to a default theme's log-probability per matched guideline cue (``GUIDELINE_CUES``, at most 2)."""
    max_boost: float = 1.0
    """Most that terms and cues together add to one theme's log-probability. Terms are evidence, not verdicts:
    they tip a sentence the examples leave undecided, but cannot override one the examples place elsewhere
    (a sentence about residents' safety that names "troops" stays humanitarian)."""
    boilerplate_boost: float = 1.0
    """Added to the log-probability of "none" when the text looks like a caption or a photo credit."""
    word_l2: float = 1.0
    """L2 penalty of the word model."""
    word_temp: float = 0.05
    """Softmax temperature over the word model's outputs."""
    desk_example_weight: float = 1.0
    """How much each sentence of ``classify.examples_file`` counts, relative to a shipped one."""
    context_weight: float = 0.4
    """Share of a sentence's final probabilities that comes from its article neighbours (see :func:`in_context`);
    0 judges every sentence alone."""
    context_reach: int = 2
    """Neighbours up to this many sentences away vote."""
    context_title: float = 0.5
    """The article's title votes like a neighbour of this weight (a neighbour one sentence away weighs 1)."""
    context_decay: float = 0.5
    """Each step further away halves (by default) a neighbour's vote."""


DEFAULT_PARAMS = Params()


@functools.lru_cache(maxsize=1)
def load_shipped_examples(path: str = str(EXAMPLES_PATH)) -> dict[str, tuple[str, ...]]:
    """The shipped labelled sentences: label -> sentences (label "none" for no theme)."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        log.warning("%s: shipped theme examples missing; learning from the config only", path)
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for label, sentences in data.items():
        out[str(label)] = tuple(str(s).strip() for s in (sentences or ()) if str(s).strip())
    return out


def load_labelled_file(path: str | Path) -> list[tuple[str, str]]:
    """The desk's labelled sentences (``classify.examples_file``): (text, label) pairs, label "none" for no theme.

    JSONL (``.jsonl``/``.json``), one ``{"text": ..., "label": ...}`` object a line, or YAML: a list of such
    mappings, or a mapping label -> sentences like the shipped ``theme_examples.yaml``. A row whose ``label`` is
    null or missing takes the first of its ``labels`` (the layout of two-annotator files); a null label means
    "none". Rows without text or any label are skipped. Raises ConfigError when the file cannot be read."""
    path = Path(path)
    return list(_load_labelled(str(path), path.stat().st_mtime_ns if path.exists() else 0))


@functools.lru_cache(maxsize=4)
def _load_labelled(path: str, _mtime: int) -> tuple[tuple[str, str], ...]:
    """(text, label) rows of a JSONL or YAML examples file, cached until the file changes (``_mtime``)."""
    import json

    import yaml

    where = "classify.examples_file"
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found", where) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}", where) from None
    rows: list = []
    if path.endswith((".jsonl", ".json", ".ndjson")):
        for n, line in enumerate(raw.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{path}: line {n}: invalid JSON: {exc.msg}", where) from None
    else:
        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: invalid YAML: {exc}", where) from None
        if isinstance(data, dict):
            rows = [{"text": s, "label": lab} for lab, sents in data.items() for s in (sents or ())]
        elif isinstance(data, list):
            rows = data
        elif data is not None:
            raise ConfigError(f"{path}: expected a list of {{text, label}} rows or a mapping label -> sentences",
                              where)
    out: list[tuple[str, str]] = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        text = " ".join(str(row.get("text") or "").split())
        label = row.get("label")
        if label is None:
            given = row.get("labels") or ()
            if given:
                label = given[0] or NONE
            elif "label" in row:
                label = NONE  # an explicit null and no annotators' labels: no theme
        if not text or label is None:
            continue
        out.append((text, str(label).strip().lower() or NONE))
    return tuple(out)


def _term_pattern(term: str) -> re.Pattern:
    return re.compile(rf"(?<![\w]){_term_body(term)}(?![\w])", re.IGNORECASE)


def _term_body(term: str) -> str:
    """A config term as a regex: words joined by spaces or hyphens; a final * allows any ending."""
    term = term.strip().lower()
    prefix = term.endswith("*")
    core = term.rstrip("*").strip()
    words = [re.escape(w) for w in core.split()]
    tail = r"[\w'-]*" if prefix else ""
    return r"[\s\-]+".join(words) + tail


@functools.lru_cache(maxsize=64)
def _any_of(terms: tuple[str, ...]) -> re.Pattern:
    """One pattern matching wherever any of ``terms`` does (one word-boundary check for all of them)."""
    return re.compile(rf"(?<![\w])(?:{'|'.join(_term_body(t) for t in terms)})(?![\w])", re.IGNORECASE)


def _fit_ridge(X: np.ndarray, y: np.ndarray, sw: np.ndarray, k: int, l2: float) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares onto one-hot targets with an L2 penalty: one linear solve, deterministic."""
    n, d = X.shape
    Y = np.zeros((n, k))
    Y[np.arange(n), y] = 1.0
    Xb = np.hstack([X, np.ones((n, 1))])
    A = Xb.T @ (Xb * sw[:, None])
    reg = np.full(d + 1, l2)
    reg[-1] = 1e-6
    Wb = np.linalg.solve(A + np.diag(reg), Xb.T @ (Y * sw[:, None]))
    return Wb[:-1], Wb[-1]


_WORD = re.compile(r"[a-z][a-z'’\-]*[a-z]|[a-z]|\d+")
_STOP = frozenset(
    "a an the of to in on at for from by with and or but as is are was were be been being it its this that these "
    "those he she they we i you his her their our my your them him us me has have had do does did will would "
    "can could should may might must not no so than then there here which who whom what when where while also "
    "into over after before about said says say".split()
)
_CAPTION_DATE = re.compile(r"\b(?:on\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},\s+"
                           r"(?:19|20)\d\d\.?\s*$", re.IGNORECASE)
_CREDIT = re.compile(r"\b(?:image|photo|photograph|picture|video|credit|source)s?\s*(?:via|by|:|credit)|getty|"
                     r"shutterstock|afp\b|reuters/|/ap\b|\bap photo|\(photo|©|\bfile photo", re.IGNORECASE)


GUIDELINE_CUES: dict[str, tuple[str, ...]] = {
    # From the labelling guidelines: cues the default themes' terms miss. Used only when the theme is configured.
    "battlefield": ("liberat*", "mobilis*", "mobiliz*", "recaptur*", "retook", "retak*", "counter-attack*",
                    "weapons", "howitzer*", "air defen*", "ammunition", "anti-tank", "armoured", "armored",
                    "shelled", "airstrike*", "air strike*", "frontline*", "combat", "soldiers", "servicemen",
                    "invasion"),
    "humanitarian": ("unhcr", "unicef", "world food programme", "icrc", "fled", "flee*", "shelter*",
                     "residents", "war crime*", "bodies", "casualties"),
    "negotiations": ("negotiator*", "talks", "treaty", "round of talks", "go-between", "guarantor*"),
    "sanctions": ("blacklist*", "exports", "imports", "companies", "business", "economic*", "inflation"),
}


def _boilerplate(text: str) -> str | None:
    """Why ``text`` looks like page furniture rather than news (a photo credit or a caption ending in a date)."""
    if _CREDIT.search(text):
        return "photo credit"
    if _CAPTION_DATE.search(text.strip()):
        return "caption ending in a date"
    return None


def _text_features(text: str) -> list[str]:
    """The sparse features of the word model: content words, word pairs and a few page-text shape markers
    (photo credits, caption-style dates, quotes, sentences that stop without a full stop, very short texts)."""
    low = text.lower()
    words = _WORD.findall(low)
    feats = [w for w in words if w not in _STOP and len(w) > 1]
    feats += [f"{a} {b}" for a, b in zip(words, words[1:])]
    stripped = text.strip()
    if _CREDIT.search(text):
        feats.append("#credit")
    if _CAPTION_DATE.search(stripped):
        feats.append("#caption-date")
    if stripped and stripped[-1] not in ".!?\"'”’»)…:":
        feats.append("#no-full-stop")
    if stripped[:1] in "\"“‘«":
        feats.append("#quote-start")
    if len(words) <= 6:
        feats.append("#short")
    if "?" in stripped:
        feats.append("#question")
    return feats


class _WordModel:
    """A class-balanced ridge classifier on TF-IDF word and word-pair features, solved in the dual (one n x n
    linear solve over the training sentences), so it needs no sparse-matrix library and stays deterministic."""

    def __init__(self, texts: list[str], y: np.ndarray, sw: np.ndarray, n_labels: int, l2: float, min_df: int = 2):
        docs = [_text_features(t) for t in texts]
        df: dict[str, int] = {}
        for d in docs:
            for f in set(d):
                df[f] = df.get(f, 0) + 1
        vocab = sorted(f for f, c in df.items() if c >= min_df)
        self.index = {f: i for i, f in enumerate(vocab)}
        self.vocab = vocab
        n = len(texts)
        self.idf = np.log((1 + n) / (1 + np.array([df[f] for f in vocab], dtype=np.float64))) + 1.0
        rows = [self._vector(d) for d in docs]
        # Kernel through an inverted index: each feature adds the products of its documents' weights.
        postings: dict[int, list[tuple[int, float]]] = {}
        for i, (idx, val) in enumerate(rows):
            for j, v in zip(idx.tolist(), val.tolist()):
                postings.setdefault(j, []).append((i, v))
        K = np.zeros((n, n))
        for plist in postings.values():
            if len(plist) == 1:
                i, v = plist[0]
                K[i, i] += v * v
                continue
            ii = np.fromiter((i for i, _ in plist), dtype=np.int64, count=len(plist))
            vv = np.fromiter((v for _, v in plist), dtype=np.float64, count=len(plist))
            K[np.ix_(ii, ii)] += np.outer(vv, vv)
        Y = np.zeros((n, n_labels))
        Y[np.arange(n), y] = 1.0
        # Weighted ridge in the dual, with an (almost free) bias through a constant feature.
        alpha = np.linalg.solve(K + 1.0 + np.diag(l2 / sw), Y)
        self.W = np.zeros((len(vocab), n_labels))
        for (idx, val), a in zip(rows, alpha):
            self.W[idx] += np.outer(val, a)
        self.b = alpha.sum(axis=0)

    def _vector(self, feats: list[str]) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        for f in feats:
            j = self.index.get(f)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        idx = np.array(sorted(counts), dtype=np.int64)
        if not len(idx):
            return idx, np.zeros(0)
        val = (1.0 + np.log([counts[j] for j in idx.tolist()])) * self.idf[idx]
        return idx, val / np.linalg.norm(val)

    def scores(self, texts: list[str]) -> np.ndarray:
        out = np.tile(self.b, (len(texts), 1))
        for r, t in enumerate(texts):
            idx, val = self._vector(_text_features(t))
            if len(idx):
                out[r] += val @ self.W[idx]
        return out

    def contributions(self, text: str, label: int, top: int = 5) -> list[tuple[str, float]]:
        """The features that pushed ``text`` most towards ``label``."""
        idx, val = self._vector(_text_features(text))
        contrib = val * self.W[idx, label] if len(idx) else np.zeros(0)
        order = sorted(range(len(idx)), key=lambda k: (-contrib[k], self.vocab[idx[k]]))
        return [(self.vocab[idx[k]], round(float(contrib[k]), 4)) for k in order[:top] if contrib[k] > 0]


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class _Training:
    """The labelled sentences a classifier learns from, in parallel lists (label: a theme's index, or the
    number of themes for "none")."""

    texts: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    """Where each sentence comes from: shipped, desk, config, description or terms."""
    has_none: bool = False

    def add(self, text: str, label: int, weight: float, kind: str) -> None:
        text = " ".join(str(text).split())
        if text:
            self.texts.append(text)
            self.labels.append(label)
            self.weights.append(weight)
            self.kinds.append(kind)


def _training_set(themes: tuple[Theme, ...], shipped: dict, params: Params,
                  desk: list[tuple[str, str]]) -> _Training:
    """Each theme's shipped, desk and config examples and its description (or, with none of them, its terms),
    then the "none" examples; the desk's rows with an unknown label are ignored with a warning."""
    known = {t.key for t in themes} | {NONE}
    unknown = sorted({lab for _, lab in desk if lab not in known})
    if unknown:
        log.warning("classify.examples_file: label(s) %s are not theme keys or \"none\"; those rows are ignored",
                    ", ".join(unknown))
    by_label: dict[str, list[str]] = {}
    for text, lab in desk:
        by_label.setdefault(lab, []).append(text)
    out = _Training()
    for i, theme in enumerate(themes):
        for s in shipped.get(theme.key, ()):
            out.add(s, i, 1.0, "shipped")
        for s in by_label.get(theme.key, ()):
            out.add(s, i, params.desk_example_weight, "desk")
        for s in theme.examples:
            out.add(s, i, params.config_example_weight, "config")
        if theme.description:
            out.add(theme.description, i, params.description_weight, "description")
        if not any(lab == i for lab in out.labels):
            # Terms only: their phrase stands in for an example so the theme is not empty.
            out.add(", ".join(t.rstrip("*") for t in theme.terms) or theme.key, i, 1.0, "terms")
    none_examples = [(s, "shipped") for s in shipped.get(NONE, ())] + [(s, "desk") for s in by_label.get(NONE, ())]
    out.has_none = bool(none_examples)
    for s, kind in none_examples:
        out.add(s, len(themes), 1.0 if kind == "shipped" else params.desk_example_weight, kind)
    return out


def _balanced(w: np.ndarray, y: np.ndarray, n_labels: int) -> np.ndarray:
    """Class-balanced sample weights: every label carries the same total weight, however many examples it has."""
    totals = np.bincount(y, weights=w, minlength=n_labels)
    return w * (w.sum() / n_labels) / totals[y]


class ThemeClassifier:
    """Themes from sentence embeddings, nearest examples and the config's terms."""

    def __init__(self, themes: Sequence[Theme], settings: ClassifyConfig = ClassifyConfig()):
        shipped = load_shipped_examples() if settings.use_shipped_examples else {}
        desk: list[tuple[str, str]] = []
        if settings.examples_file and not Path(settings.examples_file).exists():
            log.warning("classify.examples_file: %s does not exist yet (`briefing label` creates it); learning "
                        "from the shipped and config examples only", settings.examples_file)
        elif settings.examples_file:
            desk = load_labelled_file(settings.examples_file)
        self._setup(tuple(themes), settings, shipped, DEFAULT_PARAMS, desk)

    @classmethod
    def with_examples(
        cls,
        themes: Sequence[Theme],
        shipped: dict[str, Sequence[str]],
        settings: ClassifyConfig = ClassifyConfig(),
        params: Params = DEFAULT_PARAMS,
        desk: Sequence[tuple[str, str]] = (),
    ) -> "ThemeClassifier":
        """A classifier trained on the given labelled sentences instead of the shipped file and
        ``settings.examples_file`` (for cross-validation): ``shipped`` maps label -> sentences, ``desk`` holds
        (text, label) pairs learnt like the rows of an examples file."""
        self = cls.__new__(cls)
        self._setup(tuple(themes), settings, {k: tuple(v) for k, v in shipped.items()}, params, list(desk))
        return self

    # -- training -------------------------------------------------------------------------------------------

    def _setup(self, themes: tuple[Theme, ...], settings: ClassifyConfig, shipped: dict, params: Params,
               desk: list[tuple[str, str]]) -> None:
        """Train every model on the labelled sentences (``_training_set``): embeddings, the ridge classifier,
        the word model, and the term and cue patterns."""
        if not themes:
            raise ValueError("at least one theme is needed")
        self.themes = themes
        self.settings = settings
        self.params = params
        self.keys = [t.key for t in themes]
        training = _training_set(themes, shipped, params, desk)
        self.has_none = training.has_none
        self.labels = self.keys + ([NONE] if self.has_none else [])
        self.texts = training.texts
        self.y = np.array(training.labels, dtype=np.int64)
        self.kinds = training.kinds
        self.X = _embed_training(self.texts, self.kinds)
        self.sample_weight = _balanced(np.array(training.weights, dtype=np.float64), self.y, len(self.labels))
        self.W, self.b = _fit_ridge(self.X.astype(np.float64), self.y, self.sample_weight, len(self.labels),
                                    params.ridge_l2)
        self.words = _WordModel(self.texts, self.y, self.sample_weight, len(self.labels), params.word_l2) \
            if params.word_weight > 0 else None
        self.term_patterns = {
            t.key: [(term, _term_pattern(term)) for term in t.terms if term.strip().rstrip("*").strip()]
            for t in themes
        }
        self.cue_patterns = {
            key: [(cue, _term_pattern(cue)) for cue in GUIDELINE_CUES.get(key, ())
                  if cue not in {t.strip().lower() for t in theme.terms}]
            for key, theme in zip(self.keys, themes)
        }

    # -- scoring --------------------------------------------------------------------------------------------

    def _matched_terms(self, text: str, patterns_by_key: dict | None = None) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key, patterns in (self.term_patterns if patterns_by_key is None else patterns_by_key).items():
            found = []
            # Most sentences match no term of a theme: one combined search rules that out before the
            # term-by-term search that says which ones matched (4.5 s -> well under 1 s for 7,000 facts).
            if not patterns or not _any_of(tuple(term for term, _ in patterns)).search(text):
                out[key] = found
                continue
            for term, pat in patterns:
                m = pat.search(text)
                if m:
                    found.append(m.group(0).lower())
            out[key] = list(dict.fromkeys(found))
        return out

    def _components(self, texts: list[str], vectors: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Per text: each model's probabilities (ridge "lr", nearest examples "knn", words "word"), the boosts of
        terms, cues and captions, the final mix with the prior on "none", and the nearest example's similarity."""
        p = self.params
        clean = [" ".join(str(t).split()) for t in texts]
        E = _embeddings(clean, texts, vectors).astype(np.float64)
        p_lr = _softmax((E @ self.W + self.b) / p.ridge_temp)
        sims = E @ self.X.T.astype(np.float64)
        knn = np.zeros((len(texts), len(self.labels)))
        for c in range(len(self.labels)):
            cols = sims[:, self.y == c]
            k = min(p.knn_k, cols.shape[1])
            top = -np.sort(-cols, axis=1)[:, :k]
            knn[:, c] = top.mean(axis=1)
        p_knn = _softmax(knn / p.knn_temp)
        probs = p.mix * p_lr + (1 - p.mix) * p_knn
        if self.words is not None:
            p_word = _softmax(self.words.scores(clean) / p.word_temp)
            probs = (1 - p.word_weight) * probs + p.word_weight * p_word
        else:
            p_word = np.full_like(probs, 1.0 / probs.shape[1])
        terms = [self._matched_terms(t) for t in clean]
        cues = [self._matched_terms(t, self.cue_patterns) for t in clean]
        boiler = [_boilerplate(t) if self.has_none else None for t in clean]
        boost = np.zeros_like(probs)
        for i, (found, cued) in enumerate(zip(terms, cues)):
            for j, key in enumerate(self.keys):
                boost[i, j] = min(p.max_boost, p.term_boost * min(len(found[key]), p.max_terms) +
                                  p.cue_boost * min(len(cued[key]), p.max_terms))
            if boiler[i]:
                boost[i, len(self.keys)] = p.boilerplate_boost
        logp = np.log(np.clip(probs, 1e-9, None)) + boost
        if self.has_none:
            logp[:, len(self.keys)] += p.none_bias
        final = _softmax(logp)
        nearest = sims.max(axis=1) if sims.size else np.zeros(len(texts))
        return {"final": final, "nearest": nearest, "lr": p_lr, "knn": p_knn, "word": p_word, "knn_sim": knn,
                "sims": sims,
                "terms": terms, "cues": cues, "boilerplate": boiler, "boost": boost}

    def _decide(self, row: np.ndarray, nearest: float) -> tuple[str | None, str]:
        # Stable tie-breaking: the first label in config order wins a tie (np.argmax takes the first).
        best = int(np.argmax(row))
        label = self.labels[best]
        if label == NONE:
            return None, "none"
        if not self.has_none and nearest < NO_NONE_MIN_SIMILARITY:
            return None, "far"
        if row[best] < self.settings.min_score:
            return None, "min_score"
        return label, "model"

    def theme_chance(self, texts: Sequence[str]) -> np.ndarray:
        """Per text, a cheap estimate (the word model alone: no embedding, ~0.1 ms a sentence) of the chance it
        belongs to some theme rather than to "none": what the reading cascade uses to skip sentences. 1.0 for
        every text when the classifier has no "none" examples or no word model (nothing can be ruled out)."""
        if self.words is None or not self.has_none or not len(texts):
            return np.ones(len(texts))
        p_word = _softmax(self.words.scores([" ".join(str(t).split()) for t in texts]) / self.params.word_temp)
        return 1.0 - p_word[:, self.labels.index(NONE)]

    def predict(self, texts: list[str]) -> list[tuple[str | None, dict[str, float]]]:
        """(theme key or None, score per theme key) per text, each judged alone; scores in [0,1]."""
        return self.decide(*self.probabilities(texts))

    def probabilities(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per text: the probability of every label (``self.labels``: the theme keys, then "none" when there are
        "none" examples), and the similarity of its nearest training sentence. ``vectors``, when given, are the
        texts' embeddings (the facts carry them), so they are not made again."""
        if not texts:
            return np.zeros((0, len(self.labels))), np.zeros(0)
        comp = self._components(list(texts), vectors)
        return comp["final"], comp["nearest"]

    def decide(self, rows: np.ndarray, nearest: np.ndarray) -> list[tuple[str | None, dict[str, float]]]:
        """(theme key or None, score per theme key) per row of :meth:`probabilities` (or of :func:`in_context`)."""
        out = []
        for row, near in zip(rows, nearest):
            theme, _ = self._decide(row, near)
            scores = {key: float(round(row[j], 6)) for j, key in enumerate(self.keys)}
            out.append((theme, scores))
        return out

    def explain(self, text: str) -> dict:
        """Why ``text`` gets its theme: scores, matched terms, nearest examples per theme and what decided."""
        comp = self._components([text])
        row = comp["final"][0]
        theme, why = self._decide(row, comp["nearest"][0])
        sims = comp["sims"][0]
        examples: dict[str, list[tuple[float, str]]] = {}
        for c, label in enumerate(self.labels):
            idx = np.flatnonzero(self.y == c)
            order = idx[np.lexsort((idx, -sims[idx]))][:3]
            examples[label] = [(round(float(sims[i]), 4), self.texts[i]) for i in order]
        best = int(np.argmax(row))
        lr_best = self.labels[int(np.argmax(comp["lr"][0]))]
        knn_best = self.labels[int(np.argmax(comp["knn"][0]))]
        word_best = self.labels[int(np.argmax(comp["word"][0]))] if self.words is not None else None
        words = {label: self.words.contributions(" ".join(text.split()), c) for c, label in enumerate(self.labels)} \
            if self.words is not None else {}
        boosted = [k for j, k in enumerate(self.keys) if comp["boost"][0, j] > 0]
        if why == "far":
            decided = (f"no shipped 'none' examples and no training sentence is similar enough "
                       f"(best {comp['nearest'][0]:.2f} < {NO_NONE_MIN_SIMILARITY}): no theme")
        elif why == "min_score":
            decided = (f"best theme {self.labels[best]} scored {row[best]:.2f}, below classify.min_score "
                       f"{self.settings.min_score:g}: no theme")
        else:
            decided = (f"{self.labels[best]} ({row[best]:.2f}): linear model said {lr_best}, "
                       f"nearest examples said {knn_best}")
            if word_best:
                decided += f", word model said {word_best}"
            if boosted:
                decided += f"; terms/cues boosted {', '.join(boosted)}"
            if comp["boilerplate"][0]:
                decided += f"; looks like page furniture ({comp['boilerplate'][0]}), 'none' boosted"
        return {
            "text": text,
            "theme": theme,
            "scores": {key: float(round(row[j], 4)) for j, key in enumerate(self.keys)},
            "none_score": float(round(row[self.labels.index(NONE)], 4)) if self.has_none else None,
            "terms": comp["terms"][0],
            "cues": {k: v for k, v in comp["cues"][0].items() if v},
            "words": words,
            "boilerplate": comp["boilerplate"][0],
            "examples": examples,
            "decided_by": decided,
        }


def in_context(rows: np.ndarray, articles: Sequence, positions: Sequence[int],
               params: Params = DEFAULT_PARAMS, titles: dict | None = None) -> np.ndarray:
    """Each row of label probabilities mixed with those of the sentences around it in the same article.

    ``rows[i]`` is sentence i's probability per label, ``articles[i]`` its article (any hashable) and
    ``positions[i]`` its sentence number there. A neighbour ``d`` sentences away (``d <= context_reach``) votes
    with weight ``context_decay ** (d - 1)``, the article's title (``titles``: article -> its row) with weight
    ``context_title``; the votes are averaged and make up ``context_weight`` of the result,
    the sentence itself the rest. A sentence with no neighbour keeps its own row. So a fragment ("Around 90 per
    cent of them are women and children.") leans towards the theme of the report it sits in, while a sentence
    that is clear on its own keeps its theme: its own row is the larger share and is usually far more confident
    than the average of its neighbours. Rows stay probabilities (each sums to what it summed to before)."""
    rows = np.asarray(rows, dtype=np.float64)
    out = rows.copy()
    share, reach = params.context_weight, max(params.context_reach, 0)
    if share <= 0 or not len(rows):
        return out
    # Sorted by (article, position), a neighbour within reach is a few places away: shift the sorted rows by
    # k = 1, 2, ... and keep the pairs of one article close enough, until a shift finds none (numpy, no loop
    # per sentence: 7,000 facts in milliseconds).
    keys = {a: n for n, a in enumerate(sorted(set(articles), key=str))}
    art = np.array([keys[a] for a in articles], dtype=np.int64)
    pos = np.asarray(positions, dtype=np.int64)
    order = np.lexsort((pos, art))
    art_s, pos_s, rows_s = art[order], pos[order], rows[order]
    votes = np.zeros_like(rows_s)
    total = np.zeros(len(rows_s))
    for k in range(1, len(rows_s)):
        same = art_s[k:] == art_s[:-k]
        dist = pos_s[k:] - pos_s[:-k]
        near = same & (dist <= reach)
        if not near.any():
            break
        w = np.where(near & (dist > 0), params.context_decay ** np.maximum(dist - 1, 0), 0.0)
        votes[k:] += w[:, None] * rows_s[:-k]  # the sentence k places before votes for the later one
        votes[:-k] += w[:, None] * rows_s[k:]  # and the later one for it
        total[k:] += w
        total[:-k] += w
    if titles and params.context_title > 0:
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))
        for n, a in enumerate(articles):
            title = titles.get(a)
            if title is not None:
                votes[inverse[n]] += params.context_title * np.asarray(title, dtype=np.float64)
                total[inverse[n]] += params.context_title
    has = total > 0
    mixed = rows_s.copy()
    mixed[has] = (1 - share) * rows_s[has] + share * votes[has] / total[has, None]
    out[order] = mixed
    return out


@functools.lru_cache(maxsize=8)
def _cached(themes: tuple[Theme, ...], settings: ClassifyConfig) -> ThemeClassifier:
    return ThemeClassifier(themes, settings)


def get_classifier(config: Config) -> ThemeClassifier:
    """The classifier for the config's themes, trained once per process per themes tuple."""
    return _cached(tuple(config.themes), config.classify)


def classify(facts: list[Fact], config: Config, articles: Sequence[Article] = ()) -> list[Fact]:
    """Each fact with .theme (a theme key or None) and .scores (via Fact.with_theme(theme, scores)), judged with
    its article: the facts next to it and the article's title (from ``articles``, when given) vote
    (:func:`in_context`), so ``scores`` are the context-adjusted ones."""
    if not facts:
        return []
    from .embed import vectors_of

    clf = get_classifier(config)
    rows, nearest = clf.probabilities([f.text for f in facts], vectors_of(facts))
    rows = in_context(rows, [f.article_id for f in facts], [f.index for f in facts], clf.params,
                      title_rows(clf, articles, {f.article_id for f in facts}))
    return [f.with_theme(theme, scores) for f, (theme, scores) in zip(facts, clf.decide(rows, nearest))]


def title_rows(clf: ThemeClassifier, articles: Sequence[Article], wanted: set[str] | None = None) -> dict:
    """Article id -> label probabilities of its title (articles without a title, or not in ``wanted``, left out)."""
    if clf.params.context_title <= 0:
        return {}
    titled = [a for a in articles if a.title.strip() and (wanted is None or a.id in wanted)]
    rows, _ = clf.probabilities([a.title for a in titled])
    return {a.id: row for a, row in zip(titled, rows)}


def _embeddings(clean: list[str], texts: list[str], vectors: np.ndarray | None) -> np.ndarray:
    """The vectors of the whitespace-normalised ``clean`` texts: the given ``vectors`` where a text needed no
    normalising (they are the same text's), the model's for the rest."""
    from .embed import embed

    if vectors is None:
        return embed(clean)
    redo = [i for i, (c, t) in enumerate(zip(clean, texts)) if c != t]
    if not redo:
        return np.asarray(vectors)
    out = np.array(vectors, dtype=np.float32, copy=True)
    out[redo] = embed([clean[i] for i in redo])
    return out


def _embed_training(texts: list[str], kinds: list[str]) -> np.ndarray:
    """The shipped examples' vectors come from the on-disk store (the same ~900 sentences every run); the
    config's own examples and descriptions are embedded as usual."""
    from .embed import DIM, embed, embed_stored

    shipped = [i for i, k in enumerate(kinds) if k == "shipped"]
    other = [i for i, k in enumerate(kinds) if k != "shipped"]
    X = np.zeros((len(texts), DIM), dtype=np.float32)
    if shipped:
        X[shipped] = embed_stored([texts[i] for i in shipped])
    if other:
        X[other] = embed([texts[i] for i in other])
    return X
