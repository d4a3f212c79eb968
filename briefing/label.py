"""``briefing label``: a desk teaches the classifier its own sentences, least certain first.

The day's facts are read and classified as in a run (article context included); the ones the classifier is
least sure of (the smallest margin between its two most probable labels, "none" counted as a label) are shown
one at a time with their article's title and the sentences around them. One key per answer: a theme's number,
``n`` for none, ``s`` to skip, ``q`` to quit. Each answer is added to ``classify.examples_file`` at once (so
quitting or a crash loses nothing), and the next run learns from it.

The examples file keeps its format: JSONL (``.jsonl``, ``.json``, ``.ndjson``) gets one line per answer,
``{"text", "label", "article", "date"}`` (only ``text`` and ``label`` are read back); a YAML file, a list of
``{text, label}`` rows or a mapping label -> sentences, is read, extended and written back (its comments are not
kept). A file that does not exist yet is created, as JSONL unless its name ends in ``.yaml``/``.yml``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence, TextIO

import numpy as np

from .config import Config
from .errors import ConfigError

log = logging.getLogger(__name__)

NEAR_COPY = 0.9
"""Cosine similarity above which a sentence is a copy of one already queued (syndicated wire copy): shown once."""
_QUIT_KEYS = {"q", "\x03", "\x04", "\x1b"}  # q, Ctrl-C, Ctrl-D, Esc


@dataclass(frozen=True)
class Candidate:
    """A sentence to label, with what the desk needs to judge it."""

    text: str
    article_id: str
    title: str
    outlet: str
    before: str | None
    """The fact just before it in its article (None at the top)."""
    after: str | None
    margin: float
    """Gap between the two most probable labels: the smaller, the less certain the classifier."""
    ranked: tuple[tuple[str, float], ...]
    """Labels (theme keys and "none") with their probabilities, most probable first."""


@dataclass(frozen=True)
class Session:
    """What a labelling session did."""

    labelled: tuple[tuple[str, str], ...]
    skipped: int
    shown: int
    path: Path


def margins(rows: np.ndarray) -> np.ndarray:
    """Per row of label probabilities, the gap between the two most probable labels (0 = a coin toss)."""
    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[1] < 2:
        return np.ones(len(rows))
    top = -np.sort(-rows, axis=1)
    return top[:, 0] - top[:, 1]


def candidates(config: Config, date: dt.date, inputs: Sequence[str | Path] | None = None,
               limit: int = 20) -> list[Candidate]:
    """The day's ``limit`` least certain facts, least certain first, leaving out sentences already in the
    examples file and near-copies of one already chosen. Raises NoInputError when there is no article."""
    from .classify import get_classifier, in_context, load_labelled_file, title_rows
    from .embed import vectors_of
    from .extract import extract
    from .pipeline import read_articles

    articles = read_articles(config, inputs, date).articles
    facts = list(extract(articles, config).facts)
    if not facts:
        return []
    clf = get_classifier(config)
    rows, _ = clf.probabilities([f.text for f in facts])
    rows = in_context(rows, [f.article_id for f in facts], [f.index for f in facts], clf.params,
                      title_rows(clf, articles))
    gaps = margins(rows)
    path = config.classify.examples_file
    known = {_norm(t) for t, _ in load_labelled_file(path)} if path and path.exists() else set()
    by_id = {a.id: a for a in articles}
    order = sorted(range(len(facts)), key=lambda i: (round(float(gaps[i]), 6), facts[i].id))
    vectors = vectors_of(facts)
    chosen: list[int] = []
    for i in order:
        if len(chosen) >= limit:
            break
        if _norm(facts[i].text) in known:
            continue
        if chosen and float(np.max(vectors[chosen] @ vectors[i])) >= NEAR_COPY:
            continue
        chosen.append(i)
    labels = clf.labels
    out = []
    for i in chosen:
        fact = facts[i]
        article = by_id.get(fact.article_id)
        before = facts[i - 1].text if i > 0 and facts[i - 1].article_id == fact.article_id else None
        after = facts[i + 1].text if i + 1 < len(facts) and facts[i + 1].article_id == fact.article_id else None
        ranked = tuple(sorted(((lab, round(float(p), 4)) for lab, p in zip(labels, rows[i])),
                              key=lambda kv: (-kv[1], kv[0])))
        out.append(Candidate(fact.text, fact.article_id, article.title if article else "",
                             article.outlet if article else "", before, after, round(float(gaps[i]), 4), ranked))
    log.info("%d facts; showing the %d least certain", len(facts), len(out))
    return out


def answer_keys(theme_keys: Sequence[str]) -> dict[str, str]:
    """Key pressed -> label: 1-9 for the themes in config order (then letters that are not n, s or q), n none."""
    from .classify import NONE

    spare = [c for c in "abcdefghijklmoprtuvwxyz"]
    keys = [str(d) for d in range(1, 10)] + spare
    out = {k: theme for k, theme in zip(keys, theme_keys)}
    out["n"] = NONE
    return out


def render(cand: Candidate, number: int, total: int, choices: dict[str, str]) -> str:
    """The screen for one sentence: where it comes from, the sentences around it, what the model thinks."""
    guess = "  ·  ".join(f"{lab} {p:.2f}" for lab, p in cand.ranked[:2])
    source = cand.title or cand.article_id
    if cand.outlet:
        source += f" ({cand.outlet})"
    lines = ["", f"[{number}/{total}]  unsure between: {guess}", f"article: {source}"]
    if cand.before:
        lines.append(f"    before: {_short(cand.before)}")
    lines.append(f"  » {cand.text}")
    if cand.after:
        lines.append(f"    after:  {_short(cand.after)}")
    menu = "  ".join(f"{k} {lab}" for k, lab in choices.items() if lab != "none")
    lines.append(f"{menu}  n none  s skip  q quit > ")
    return "\n".join(lines)


def session(cands: Sequence[Candidate], keys: Iterable[str], out: TextIO, theme_keys: Sequence[str],
            save: Callable[[Candidate, str], None], path: Path) -> Session:
    """Ask about each candidate in turn, reading one key per answer from ``keys``; ``save`` is called on each
    answer as it is given. Stops at ``q`` (or Ctrl-C, Ctrl-D, Esc) or when ``keys`` runs out."""
    choices = answer_keys(theme_keys)
    keys = iter(keys)
    labelled: list[tuple[str, str]] = []
    skipped = shown = 0
    for n, cand in enumerate(cands, 1):
        out.write(render(cand, n, len(cands), choices))
        out.flush()
        shown += 1
        key = _next_answer(keys, choices, out)
        if key is None or key in _QUIT_KEYS:
            out.write("quit\n")
            break
        if key == "s":
            skipped += 1
            out.write("skipped\n")
            continue
        label = choices[key]
        save(cand, label)
        labelled.append((cand.text, label))
        out.write(f"{label}\n")
    return Session(tuple(labelled), skipped, shown, path)


def _next_answer(keys, choices: dict[str, str], out: TextIO) -> str | None:
    for key in keys:
        key = key.lower()
        if key in choices or key == "s" or key in _QUIT_KEYS:
            return key
        if key.strip():
            out.write(f"\n'{key}'? press a theme number, n, s or q > ")
            out.flush()
    return None


def append_example(path: Path, cand: Candidate, label: str, date: dt.date) -> None:
    """Add one answer to the examples file, keeping its format; written atomically (old file or new, never half)."""
    from .util.atomic import write_text

    path = Path(path)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if path.suffix.lower() in (".yaml", ".yml"):
        write_text(path, _yaml_with(old, path, cand.text, label))
        return
    row = {"text": cand.text, "label": label, "article": cand.article_id, "date": date.isoformat()}
    if old and not old.endswith("\n"):
        old += "\n"
    write_text(path, old + json.dumps(row, ensure_ascii=False) + "\n")


def _yaml_with(old: str, path: Path, text: str, label: str) -> str:
    import yaml

    try:
        data = yaml.safe_load(old) if old.strip() else []
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}", "classify.examples_file") from None
    if isinstance(data, dict):
        data.setdefault(label, [])
        data[label] = list(data[label] or []) + [text]
    elif isinstance(data, list) or data is None:
        data = list(data or []) + [{"text": text, "label": label}]
    else:
        raise ConfigError(f"{path}: expected a list of {{text, label}} rows or a mapping label -> sentences",
                          "classify.examples_file")
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def terminal_keys(stream: TextIO) -> Iterable[str]:
    """One key at a time: raw single keystrokes on a terminal (no Enter needed), else the non-blank characters of
    the input (scripted answers such as ``printf '1ns2q'`` or one per line)."""
    if stream.isatty():
        import termios
        import tty

        fd = stream.fileno()
        saved = termios.tcgetattr(fd)
        try:
            while True:
                tty.setcbreak(fd)
                try:
                    ch = stream.read(1)
                finally:
                    termios.tcsetattr(fd, termios.TCSADRAIN, saved)
                if not ch:
                    return
                yield ch
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    else:
        while True:
            ch = stream.read(1)
            if not ch:
                return
            if not ch.isspace():
                yield ch


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _short(text: str, width: int | None = None) -> str:
    """One line of the terminal at most (the sentence to label itself is always shown whole)."""
    import shutil

    width = width or max(40, shutil.get_terminal_size((120, 24)).columns - 13)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
