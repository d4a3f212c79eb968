"""Benchmark the theme classifier.

    python bench/themes.py [--labels PATH] [--json] [--cv [K]]

Scores the classifier (default config, trained on the shipped examples) against the labelled sentences in
``../shared/labels/dev_labels.jsonl`` (beside the repository; ``--labels`` for another file). None of those
sentences is used for training, so all of them are held out. Where the two annotators disagreed, a prediction
equal to either label counts as right; the confusion matrix then files the sentence under the label the
prediction matched, or under the first annotator's label when it matched neither.

``--cv`` also runs a stratified K-fold cross-validation (default 5) over the shipped examples in
``briefing/data/theme_examples.yaml``: each fold is predicted by a classifier trained on the other folds
(plus the themes' descriptions).
"""

from __future__ import annotations

import argparse
import json
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


def load_labels(path: Path) -> tuple[list[str], list[list[str]]]:
    texts, gold = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        labs = [row["label"]] if row.get("label") else [lab for lab in row.get("labels", []) if lab]
        if not labs:
            continue
        texts.append(row["text"])
        gold.append([lab or NONE for lab in dict.fromkeys(labs)])
    return texts, gold


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
    args = ap.parse_args(argv)
    result: dict = {}
    if args.labels.exists():
        texts, gold = load_labels(args.labels)
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
    if args.cv:
        result["cv"] = cross_validate(args.cv)
        result["cv"]["folds"] = args.cv
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        if "dev" in result:
            print(render(f"dev labels (all held out) {args.labels.name}", result["dev"]))
            print(f"timing: load {result['timing']['load_s']} s, predict {result['timing']['predict_s']} s")
        if "cv" in result:
            print()
            print(render(f"{args.cv}-fold cross-validation over the shipped examples", result["cv"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
