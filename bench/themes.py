"""Benchmark the theme classifier.

    python bench/themes.py [--labels PATH] [--json] [--cv [K]] [--cv-dev [K]] [--group-by-article] [--seed N]

Scores the classifier (default config, trained on the shipped examples) against the labelled sentences in
``../shared/labels/dev_labels.jsonl`` (beside the repository; ``--labels`` for another file). None of those
sentences is used for training, so all of them are held out. Where the two annotators disagreed, a prediction
equal to either label counts as right; the confusion matrix then files the sentence under the label the
prediction matched, or under the first annotator's label when it matched neither.

``--cv`` also runs a stratified K-fold cross-validation (default 5) over the shipped examples in
``briefing/data/theme_examples.yaml``: each fold is predicted by a classifier trained on the other folds
(plus the themes' descriptions).

``--cv-dev`` measures what ``classify.examples_file`` gives a desk that labels its own sentences: the labelled
sentences are split into K stratified folds (fixed ``--seed``; ``--group-by-article`` keeps each article's
sentences in one fold); each fold is predicted by a classifier trained on the shipped examples plus the other
K-1 folds (as an examples file would add them). Per-label scores and the confusion matrix are pooled over the
folds. The labelled sentences cannot ship with the project, so this is the honest figure for "a small model
trained on labelled examples".
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.classify import NONE, ThemeClassifier, load_shipped_examples  # noqa: E402
from briefing.config import Config  # noqa: E402

DEFAULT_LABELS = ROOT.parent / "shared" / "labels" / "dev_labels.jsonl"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "ukraine_news_2022-03-28_to_30.jsonl"


def scores(gold: list[list[str]], pred: list[str], labels: list[str]) -> dict:
    """Per-label precision/recall/F1, macro-F1, accuracy and confusion matrix.

    ``gold`` holds the acceptable labels per sentence (one, or the two annotators' labels). The macro mean is
    over the labels that occur in the gold or the predictions (as scikit-learn does): a day with no sanctions
    sentence and no sanctions prediction is scored on the other four labels, not given an F1 of 0 for sanctions;
    a sanctions prediction on such a day still counts (an F1 of 0 for that label)."""
    eff = [p if p in g else g[0] for g, p in zip(gold, pred)]
    idx = {lab: i for i, lab in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(eff, pred):
        matrix[idx[g]][idx[p]] += 1
    per = {}
    for lab in labels:
        tp = sum(1 for g, p in zip(eff, pred) if g == p == lab)
        fp = sum(1 for g, p in zip(eff, pred) if p == lab and g != lab)
        fn = sum(1 for g, p in zip(eff, pred) if g == lab and p != lab)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[lab] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4), "support": tp + fn}
    present = [lab for lab in labels if per[lab]["support"] or any(p == lab for p in pred)]
    macro = sum(per[lab]["f1"] for lab in present) / len(present) if present else 0.0
    acc = sum(1 for g, p in zip(eff, pred) if g == p) / len(pred) if pred else 0.0
    return {"n": len(pred), "macro_f1": round(macro, 4), "accuracy": round(acc, 4), "per_label": per,
            "labels": labels, "confusion": matrix}


def load_rows(path: Path) -> list[dict]:
    """The usable labelled rows: text, gold (the acceptable labels) and article (or None)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        labs = [row["label"]] if row.get("label") else [lab for lab in row.get("labels", []) if lab]
        if not labs:
            continue
        rows.append({"text": row["text"], "gold": [lab or NONE for lab in dict.fromkeys(labs)],
                     "article": row.get("article"), "date": row.get("date"), "sid": row.get("sid")})
    return rows


def load_labels(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = load_rows(path)
    return [r["text"] for r in rows], [r["gold"] for r in rows]


def dev_folds(rows: list[dict], k: int, seed: int = 0, by_article: bool = False) -> list[int]:
    """A fold number per row: stratified by the first gold label (round-robin over a seeded shuffle), or, with
    ``by_article``, whole articles dealt out so the folds get similar numbers of sentences."""
    rng = random.Random(seed)
    fold = [0] * len(rows)
    if by_article:
        groups: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            groups.setdefault(r["article"] or f"row-{i}", []).append(i)
        keys = sorted(groups)
        rng.shuffle(keys)
        keys.sort(key=lambda g: -len(groups[g]))  # largest first, each to the emptiest fold (stable: seeded order)
        sizes = [0] * k
        for g in keys:
            f = min(range(k), key=lambda j: (sizes[j], j))
            for i in groups[g]:
                fold[i] = f
            sizes[f] += len(groups[g])
        return fold
    by_label: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_label.setdefault(r["gold"][0], []).append(i)
    offset = 0
    for lab in sorted(by_label):
        idx = by_label[lab]
        rng.shuffle(idx)
        for n, i in enumerate(idx):
            fold[i] = (n + offset) % k
        offset += len(idx)
    return fold


def cross_validate_dev(rows: list[dict], k: int = 5, seed: int = 0, by_article: bool = False,
                       params=None, config: Config | None = None) -> dict:
    """Train on the shipped examples + K-1 folds of ``rows`` (as an examples file), test on the held-out fold."""
    from briefing.classify import DEFAULT_PARAMS

    config = config or Config()
    shipped = load_shipped_examples() if config.classify.use_shipped_examples else {}
    fold = dev_folds(rows, k, seed, by_article)
    gold: list[list[str]] = []
    pred: list[str] = []
    per_fold = []
    for f in range(k):
        # Training rows take the first annotator's label, as the examples-file loader does.
        desk = [(r["text"], r["gold"][0]) for r, ff in zip(rows, fold) if ff != f]
        test = [r for r, ff in zip(rows, fold) if ff == f]
        if not test:
            continue
        clf = ThemeClassifier.with_examples(config.themes, shipped, config.classify, params or DEFAULT_PARAMS,
                                            desk=desk)
        out = [theme or NONE for theme, _ in clf.predict([r["text"] for r in test])]
        per_fold.append(scores([r["gold"] for r in test], out, clf.keys + [NONE])["macro_f1"])
        gold += [r["gold"] for r in test]
        pred += out
    res = scores(gold, pred, [t.key for t in config.themes] + [NONE])
    res.update({"folds": k, "seed": seed, "by_article": by_article, "fold_macro_f1": per_fold})
    return res


def evaluate(clf: ThemeClassifier, texts: list[str], gold: list[list[str]]) -> dict:
    pred = [theme or NONE for theme, _ in clf.predict(texts)]
    return scores(gold, pred, clf.keys + [NONE])


def cross_validate(k: int = 5, params=None) -> dict:
    from briefing.classify import DEFAULT_PARAMS

    config = Config()
    shipped = load_shipped_examples()
    folds = {lab: [i % k for i in range(len(sents))] for lab, sents in shipped.items()}
    texts, gold, pred = [], [], []
    for f in range(k):
        train = {lab: [s for s, ff in zip(sents, folds[lab]) if ff != f] for lab, sents in shipped.items()}
        test = [(lab, s) for lab, sents in shipped.items() for s, ff in zip(sents, folds[lab]) if ff == f]
        clf = ThemeClassifier.with_examples(config.themes, train, config.classify, params or DEFAULT_PARAMS)
        out = clf.predict([s for _, s in test])
        for (lab, s), (theme, _) in zip(test, out):
            texts.append(s)
            gold.append([lab])
            pred.append(theme or NONE)
    labels = [t.key for t in config.themes] + [NONE]
    return scores(gold, pred, labels)


# ---------------------------------------------------------------------------------------------------------
# Article context, leave-one-day-out, bootstrap intervals and the labelled-examples curve.

_PARAGRAPH = re.compile(r"\n\s*\n|\n")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of ``text``: paragraphs (line breaks) always end one, then
    a plain rule-based split after . ! ? followed by a capital (the kind of splitter the labels were cut with)."""
    spans = []
    pos = 0
    for para in _PARAGRAPH.split(text):
        start = text.find(para, pos)
        pos = start + len(para)
        cut = start
        for m in _SENTENCE_END.finditer(para):
            spans.append((cut, start + m.start()))
            cut = start + m.end()
        spans.append((cut, start + len(para)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def context_units(rows: list[dict], corpus: Path | None) -> list[dict] | None:
    """Per article of the labelled rows: its sentences in order (each labelled sentence exactly as labelled,
    the others as the splitter cut them, only those the extract stage would keep as facts), their sentence
    numbers, and which labelled row sits where. None without the corpus (context cannot be measured)."""
    if corpus is None or not corpus.exists():
        return None
    from briefing.extract.facts import _usable

    config = Config()
    articles = {}
    for line in corpus.read_text(encoding="utf-8").splitlines():
        if line.strip():
            a = json.loads(line)
            articles[a["id"]] = a
    by_article: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_article.setdefault(r["article"], []).append(i)
    units = []
    for art_id in sorted(by_article):
        art = articles.get(art_id)
        if art is None:
            return None
        text = art["text"]
        spans = split_sentences(text)
        labelled: dict[int, list[int]] = {}  # sentence number -> rows (two labelled pieces may share one)
        for i in by_article[art_id]:
            at = text.find(rows[i]["text"])
            pos = next((n for n, (a, b) in enumerate(spans) if a <= max(at, 0) < b), 0)
            labelled.setdefault(pos, []).append(i)
        texts, positions, row_of = [], [], []
        for n, (a, b) in enumerate(spans):
            if n in labelled:
                for i in labelled[n]:
                    texts.append(rows[i]["text"])
                    row_of.append(i)
                    positions.append(n)
                continue
            elif _usable(" ".join(text[a:b].split()), config):
                texts.append(" ".join(text[a:b].split()))
                row_of.append(None)
            else:
                continue
            positions.append(n)
        units.append({"article": art_id, "title": art.get("title") or "", "texts": texts, "positions": positions,
                      "rows": row_of})
    return units


def predict_rows(clf: ThemeClassifier, rows: list[dict], units: list[dict] | None, context: bool,
                 only: set[int] | None = None) -> dict[int, list]:
    """Row index -> [predicted label, probability row] for the rows in ``only`` (default all): each sentence
    judged alone, or (``context``) with its article neighbours as a run judges facts."""
    from briefing.classify import in_context

    want = set(range(len(rows))) if only is None else only
    if not context or units is None:
        idx = sorted(want)
        probs, nearest = clf.probabilities([rows[i]["text"] for i in idx])
        decided = clf.decide(probs, nearest)
        return {i: [theme or NONE, p] for i, (theme, _), p in zip(idx, decided, probs)}
    texts, arts, positions, owner = [], [], [], []
    for u in units:
        if not any(r in want for r in u["rows"] if r is not None):
            continue
        texts += u["texts"]
        arts += [u["article"]] * len(u["texts"])
        positions += u["positions"]
        owner += u["rows"]
    probs, nearest = clf.probabilities(texts)
    used = [u for u in units if u["article"] in set(arts)]
    titles = {}
    if clf.params.context_title > 0:
        title_probs, _ = clf.probabilities([u["title"] for u in used])
        titles = {u["article"]: row for u, row in zip(used, title_probs) if u["title"].strip()}
    probs = in_context(probs, arts, positions, clf.params, titles)
    decided = clf.decide(probs, nearest)
    return {r: [theme or NONE, p] for r, (theme, _), p in zip(owner, decided, probs) if r is not None and r in want}


def bootstrap(groups: list[tuple[list[list[str]], list[str]]], labels: list[str], n: int = 1000,
              seed: int = 0) -> tuple[float, float]:
    """95 % percentile interval of the mean macro-F1 over ``groups`` (gold, pred), resampling sentences with
    replacement within each group (one group: the plain interval of its macro-F1)."""
    rng = random.Random(seed)
    stats = []
    for _ in range(n):
        vals = []
        for gold, pred in groups:
            pick = [rng.randrange(len(gold)) for _ in gold]
            vals.append(scores([gold[i] for i in pick], [pred[i] for i in pick], labels)["macro_f1"])
        stats.append(sum(vals) / len(vals))
    stats.sort()
    return round(stats[int(0.025 * n)], 4), round(stats[int(0.975 * n) - 1], 4)


def days_of(rows: list[dict]) -> list[str]:
    return sorted({r["date"] for r in rows if r.get("date")})


def leave_one_day_out(rows: list[dict], units, context: bool, boot: int, params=None,
                      with_dev: bool = False) -> dict:
    """Per dev day: macro-F1 (with its bootstrap interval) of a classifier that has not seen that day. With the
    shipped examples only nothing is trained on any day, so this is the per-day score; ``with_dev`` also trains
    on the other days' labelled sentences (as an examples file). Also: the macro mean of the days and the score
    of all days pooled, each with its interval."""
    from briefing.classify import DEFAULT_PARAMS

    config = Config()
    labels = [t.key for t in config.themes] + [NONE]
    shipped = load_shipped_examples()
    params = params or DEFAULT_PARAMS
    base = None if with_dev else ThemeClassifier.with_examples(config.themes, shipped, config.classify, params)
    per_day, groups = {}, []
    for day in days_of(rows):
        test = {i for i, r in enumerate(rows) if r["date"] == day}
        clf = base or ThemeClassifier.with_examples(
            config.themes, shipped, config.classify, params,
            desk=[(r["text"], r["gold"][0]) for r in rows if r["date"] != day])
        got = predict_rows(clf, rows, units, context, test)
        idx = sorted(test)
        gold, pred = [rows[i]["gold"] for i in idx], [got[i][0] for i in idx]
        res = scores(gold, pred, labels)
        per_day[day] = {"n": len(idx), "macro_f1": res["macro_f1"], "accuracy": res["accuracy"],
                        "ci95": bootstrap([(gold, pred)], labels, boot)}
        groups.append((gold, pred))
    pooled_gold = [g for gold, _ in groups for g in gold]
    pooled_pred = [p for _, pred in groups for p in pred]
    pooled = scores(pooled_gold, pooled_pred, labels)
    pooled["ci95"] = bootstrap([(pooled_gold, pooled_pred)], labels, boot)
    mean = round(sum(d["macro_f1"] for d in per_day.values()) / len(per_day), 4)
    return {"context": context, "with_dev": with_dev, "days": per_day, "mean_macro_f1": mean,
            "mean_ci95": bootstrap(groups, labels, boot), "pooled": pooled}


def label_curve(rows: list[dict], units, context: bool, sizes=(0, 10, 25, 50), seeds: int = 3, params=None,
                halves: bool = False) -> dict:
    """What a desk's own labels add: for each held-out day, train on the shipped examples + the other two days'
    labelled sentences + N labelled sentences of the held-out day, test on the rest of that day. The N are
    picked as ``briefing label`` picks them (smallest margin between the top two labels first) and, for
    comparison, at random (mean over ``seeds`` draws). Macro-F1 averaged over the held-out days.

    Picking the least certain sentences also takes the hardest ones out of "the rest", which flatters that
    curve. ``halves`` removes the bias: the held-out day's articles are split in two halves (as
    ``--group-by-article`` folds); the N are picked from one half and every N is tested on the other, whole
    half, both ways round (N capped at the half's size)."""
    from briefing.classify import DEFAULT_PARAMS
    from briefing.label import margins

    config = Config()
    labels = [t.key for t in config.themes] + [NONE]
    shipped = load_shipped_examples()
    params = params or DEFAULT_PARAMS
    out: dict = {"sizes": list(sizes), "halves": halves, "uncertainty": {}, "random": {}}
    for day in days_of(rows):
        day_rows = [i for i, r in enumerate(rows) if r["date"] == day]
        if halves:
            fold = dev_folds([rows[i] for i in day_rows], 2, 0, by_article=True)
            a = [i for i, f in zip(day_rows, fold) if f == 0]
            b = [i for i, f in zip(day_rows, fold) if f == 1]
            pairs = [(a, b), (b, a)]
        else:
            pairs = [(day_rows, None)]
        other = [(r["text"], r["gold"][0]) for r in rows if r["date"] != day]
        clf0 = ThemeClassifier.with_examples(config.themes, shipped, config.classify, params, desk=other)
        got0 = predict_rows(clf0, rows, units, context, set(day_rows))
        for n in sizes:
            vals: dict[str, list[float]] = {"uncertainty": [], "random": []}
            for pool, fixed in pairs:
                m = margins(np.array([got0[i][1] for i in pool]))
                by_margin = [pool[k] for k in sorted(range(len(pool)), key=lambda k: (m[k], pool[k]))]
                rng = random.Random(n)
                k = min(n, len(pool))
                draws = {"uncertainty": [by_margin[:k]],
                         "random": [rng.sample(pool, k) for _ in range(seeds if k else 1)]}
                for how, chosen_lists in draws.items():
                    for chosen in chosen_lists:
                        test = set(fixed) if fixed is not None else set(day_rows) - set(chosen)
                        if chosen:
                            desk = other + [(rows[i]["text"], rows[i]["gold"][0]) for i in chosen]
                            clf = ThemeClassifier.with_examples(config.themes, shipped, config.classify, params,
                                                                desk=desk)
                            got = predict_rows(clf, rows, units, context, test)
                        else:
                            got = got0
                        idx = sorted(test)
                        vals[how].append(scores([rows[i]["gold"] for i in idx], [got[i][0] for i in idx],
                                                labels)["macro_f1"])
            for how in vals:
                out[how].setdefault(n, {})[day] = round(sum(vals[how]) / len(vals[how]), 4)
    for how in ("uncertainty", "random"):
        for n, per in out[how].items():
            per["mean"] = round(sum(per[d] for d in days_of(rows)) / len(days_of(rows)), 4)
    return out


def render_lodo(title: str, res: dict) -> str:
    lines = [title]
    for day, v in res["days"].items():
        lines.append(f"  {day}  n={v['n']:<4} macro-F1 {v['macro_f1']:.3f}  95% CI [{v['ci95'][0]:.3f}, "
                     f"{v['ci95'][1]:.3f}]  accuracy {v['accuracy']:.3f}")
    lines.append(f"  mean of days     macro-F1 {res['mean_macro_f1']:.3f}  95% CI [{res['mean_ci95'][0]:.3f}, "
                 f"{res['mean_ci95'][1]:.3f}]")
    p = res["pooled"]
    lines.append(f"  pooled n={p['n']:<4} macro-F1 {p['macro_f1']:.3f}  95% CI [{p['ci95'][0]:.3f}, "
                 f"{p['ci95'][1]:.3f}]  accuracy {p['accuracy']:.3f}")
    return "\n".join(lines)


def render_curve(title: str, res: dict) -> str:
    days = [d for d in next(iter(res["uncertainty"].values())) if d != "mean"]
    lines = [title, f"  {'N':>3}  {'pick':<12}" + "".join(f"{d:>12}" for d in days) + f"{'mean':>9}"]
    for n in res["sizes"]:
        for how in ("uncertainty", "random"):
            per = res[how][n]
            lines.append(f"  {n:>3}  {how:<12}" + "".join(f"{per[d]:>12.3f}" for d in days) + f"{per['mean']:>9.3f}")
    return "\n".join(lines)


def render(title: str, res: dict) -> str:
    labels = res["labels"]
    lines = [f"{title}: {res['n']} sentences", f"{'label':<14}{'prec':>7}{'recall':>8}{'F1':>7}{'n':>6}"]
    for lab in labels:
        v = res["per_label"][lab]
        lines.append(f"{lab:<14}{v['precision']:>7.3f}{v['recall']:>8.3f}{v['f1']:>7.3f}{v['support']:>6}")
    lines.append(f"macro-F1 {res['macro_f1']:.3f}   accuracy {res['accuracy']:.3f}")
    short = [lab[:6] for lab in labels]
    lines.append("confusion (rows: gold, columns: predicted)")
    lines.append(" " * 14 + "".join(f"{s:>8}" for s in short))
    for lab, row in zip(labels, res["confusion"]):
        lines.append(f"{lab:<14}" + "".join(f"{c:>8}" for c in row))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--labels", type=Path, default=DEFAULT_LABELS, help="labelled sentences (JSONL)")
    ap.add_argument("--json", action="store_true", help="print machine-readable numbers")
    ap.add_argument("--cv", nargs="?", const=5, type=int, metavar="K",
                    help="also cross-validate over the shipped examples (K folds, default 5)")
    ap.add_argument("--cv-dev", nargs="?", const=5, type=int, metavar="K",
                    help="also cross-validate over the labelled sentences: train on the shipped examples + K-1 "
                    "folds, test on the other (K folds, default 5)")
    ap.add_argument("--group-by-article", action="store_true",
                    help="--cv-dev: keep each article's sentences in one fold")
    ap.add_argument("--seed", type=int, default=0, help="--cv-dev: seed of the fold split (default 0)")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                    help="the articles the labelled sentences come from (for article context)")
    ap.add_argument("--boot", type=int, default=1000, help="bootstrap resamples for the 95%% intervals")
    ap.add_argument("--curve", action="store_true",
                    help="also the labelled-examples curve: two dev days + N labels of the third (N=0,10,25,50)")
    args = ap.parse_args(argv)
    result: dict = {}
    units = None
    if args.labels.exists():
        rows = load_rows(args.labels)
        texts, gold = [r["text"] for r in rows], [r["gold"] for r in rows]
        units = context_units(rows, args.corpus)
        t0 = time.perf_counter()
        config = Config()
        clf = ThemeClassifier(config.themes, config.classify)
        t1 = time.perf_counter()
        result["dev"] = evaluate(clf, texts, gold)
        result["dev"]["held_out"] = True
        result["timing"] = {"load_s": round(t1 - t0, 3), "predict_s": round(time.perf_counter() - t1, 3)}
        if units is not None:
            got = predict_rows(clf, rows, units, True)
            result["dev_context"] = scores(gold, [got[i][0] for i in range(len(rows))], clf.keys + [NONE])
        if days_of(rows):
            result["lodo"] = leave_one_day_out(rows, units, False, args.boot)
            if units is not None:
                result["lodo_context"] = leave_one_day_out(rows, units, True, args.boot)
            result["lodo_dev"] = leave_one_day_out(rows, units, units is not None, args.boot, with_dev=True)
            if args.curve:
                result["curve"] = label_curve(rows, units, units is not None)
                result["curve_halves"] = label_curve(rows, units, units is not None, halves=True)
    else:
        print(f"no labelled sentences at {args.labels}; skipping the dev evaluation "
              "(pass --labels PATH)", file=sys.stderr)
    if args.cv_dev and "dev" in result:
        result["cv_dev"] = cross_validate_dev(rows, args.cv_dev, args.seed, args.group_by_article)
    if args.cv:
        result["cv"] = cross_validate(args.cv)
        result["cv"]["folds"] = args.cv
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        if "dev" in result:
            print(render(f"dev labels (all held out) {args.labels.name}", result["dev"]))
            print(f"timing: load {result['timing']['load_s']} s, predict {result['timing']['predict_s']} s")
        if "dev_context" in result:
            print()
            print(render(f"dev labels in article context (as in a run) {args.labels.name}", result["dev_context"]))
        for key, title in (("lodo", "leave-one-day-out, shipped examples only, each sentence alone"),
                           ("lodo_context", "leave-one-day-out, shipped examples only, in article context"),
                           ("lodo_dev", "leave-one-day-out, shipped examples + the other two days' labels")):
            if key in result:
                print()
                print(render_lodo(title, result[key]))
        if "curve" in result:
            print()
            print(render_curve("labelled examples of the held-out day: train shipped + two days + N, test on the "
                               "rest of the third (macro-F1)", result["curve"]))
            print()
            print(render_curve("the same, fair to both ways of picking: N picked from half of the day's articles, "
                               "tested on the other half, both ways round", result["curve_halves"]))
        if "cv_dev" in result:
            cv = result["cv_dev"]
            how = "folds by article" if cv["by_article"] else "stratified folds"
            print()
            print(render(f"{cv['folds']}-fold cross-validation over {args.labels.name} (train: shipped + other "
                         f"folds; {how}, seed {cv['seed']})", cv))
            print("macro-F1 per fold: " + " ".join(f"{v:.3f}" for v in cv["fold_macro_f1"]))
        if "cv" in result:
            print()
            print(render(f"{args.cv}-fold cross-validation over the shipped examples", result["cv"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
