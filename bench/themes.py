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
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.classify import NONE, ThemeClassifier, load_shipped_examples  # noqa: E402
from briefing.config import Config  # noqa: E402

DEFAULT_LABELS = ROOT.parent / "shared" / "labels" / "dev_labels.jsonl"


def scores(gold: list[list[str]], pred: list[str], labels: list[str]) -> dict:
    """Per-label precision/recall/F1, macro-F1, accuracy and confusion matrix.

    ``gold`` holds the acceptable labels per sentence (one, or the two annotators' labels)."""
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
    macro = sum(v["f1"] for v in per.values()) / len(per)
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
                     "article": row.get("article")})
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
    args = ap.parse_args(argv)
    result: dict = {}
    if args.labels.exists():
        rows = load_rows(args.labels)
        texts, gold = [r["text"] for r in rows], [r["gold"] for r in rows]
        t0 = time.perf_counter()
        config = Config()
        clf = ThemeClassifier(config.themes, config.classify)
        t1 = time.perf_counter()
        result["dev"] = evaluate(clf, texts, gold)
        result["dev"]["held_out"] = True
        result["timing"] = {"load_s": round(t1 - t0, 3), "predict_s": round(time.perf_counter() - t1, 3)}
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
