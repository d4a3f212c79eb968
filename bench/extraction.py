"""Figures and speakers benchmark against the hand-annotated gold set ``bench/extraction_gold.jsonl``.

The gold set does not hold corpus text (licence): each line points at a sentence of the corpus
``ukraine_news_2022-03-28_to_30.jsonl`` by article id and character offsets, with the sha1 of the span so a
changed corpus is detected. Annotations: ``speaker`` (as a reader would name it, pronouns resolved from the
previous sentences, null when the sentence attributes nothing) and ``figures`` (value + unit).

Usage::

    python bench/extraction.py [--corpus PATH] [--json] [--verbose]

Figure matching
    A predicted figure matches a gold one (one-to-one) when the values are equal (relative tolerance 1e-6)
    and the units match after light normalisation: lower case, singular ("buses" -> "bus"), and synonym
    classes (dead/died/deaths/killed -> killed; wounded/hurt/hospitalised -> injured; refugees/fled ->
    fled; uprooted -> displaced; stranded -> trapped; relocated -> deported; remain -> remaining;
    kilometres -> km; percent -> %; dollars -> usd; euros -> eur). A prediction whose *category*
    (killed, injured, evacuated, refugees) normalises to the gold unit also matches: "12 civilians were
    killed" predicted as unit "civilians", category "killed" matches gold unit "killed".

Speaker matching
    Case-insensitive; a match when one string contains the other, or when the last word of one is a word
    of the other ("Boychenko" ~ "Vadym Boychenko"). Precision is over sentences with a predicted speaker,
    recall over sentences with a gold speaker.

What is measured: the pipeline's own path
    Each article of the gold set is read as the run reads it: ``briefing.extract.extract`` over the whole
    article (one spaCy parse, the extract stage's sentence splitter, its dropping of unusable sentences and
    joining of lead-ins), with the default config and no sentence budget. A gold sentence is given the
    facts whose sentence overlaps it by at least half of the shorter of the two; its predicted speaker is
    the first such fact's, its predicted figures those of these facts whose text lies in the gold sentence.
    A gold sentence that became no fact (too short, a question, page furniture) predicts nothing: it counts
    against recall, as the run would show nothing for it ("no fact" in the summary).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOLD = ROOT / "bench" / "extraction_gold.jsonl"
CORPUS = ROOT.parent / "shared" / "corpora" / "ukraine_news_2022-03-28_to_30.jsonl"
CONTEXT_CHARS = 800

_SYNONYMS = {
    "killed": "killed", "dead": "killed", "died": "killed", "death": "killed", "fatality": "killed",
    "toll": "killed", "death toll": "killed",
    "injured": "injured", "wounded": "injured", "hurt": "injured", "hospitalised": "injured",
    "hospitalized": "injured", "injury": "injured",
    "fled": "fled", "refugee": "fled", "refugees": "fled", "flee": "fled",
    "displaced": "displaced", "uprooted": "displaced", "idp": "displaced",
    "evacuated": "evacuated", "evacuee": "evacuated",
    "trapped": "trapped", "stranded": "trapped",
    "deported": "deported", "relocated": "deported",
    "remaining": "remaining", "remain": "remaining",
    "km": "km", "kilometre": "km", "kilometer": "km",
    "mile": "mile", "miles": "mile",
    "%": "%", "percent": "%", "per cent": "%",
    "usd": "usd", "dollar": "usd", "$": "usd", "eur": "eur", "euro": "eur", "€": "eur",
    "people": "people", "person": "people", "persons": "people",
}
_CATEGORY_KEYS = {"killed", "injured", "evacuated", "refugees"}


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def norm_unit(unit: str) -> str:
    u = re.sub(r"\s+", " ", (unit or "").strip().lower())
    if u in _SYNONYMS:
        return _SYNONYMS[u]
    s = _singular(u)
    return _SYNONYMS.get(s, s)


def unit_match(gold_unit: str, unit: str, category: str = "") -> bool:
    g = norm_unit(gold_unit)
    if g == norm_unit(unit):
        return True
    return bool(category in _CATEGORY_KEYS and g == norm_unit(category))


def value_match(a: float, b: float) -> bool:
    return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(a)), abs(float(b)))


def match_figures(gold: list[dict], pred: list) -> tuple[int, list[dict], list]:
    """(true positives, unmatched gold, unmatched predictions), one-to-one, greedy in order."""
    left = list(pred)
    missed = []
    tp = 0
    for g in gold:
        hit = next((p for p in left if value_match(g["value"], p.value) and unit_match(g["unit"], p.unit, p.category)),
                   None)
        if hit is None:
            missed.append(g)
        else:
            tp += 1
            left.remove(hit)
    return tp, missed, left


def speaker_match(gold: str, pred: str) -> bool:
    g = gold.lower().strip()
    p = pred.lower().strip()
    if not g or not p:
        return False
    if g in p or p in g:
        return True
    gw = re.findall(r"[\w'’.-]+", g)
    pw = re.findall(r"[\w'’.-]+", p)
    return bool(gw and pw and (gw[-1] in pw or pw[-1] in gw))


def _prf(tp: int, npred: int, ngold: int) -> dict:
    p = tp / npred if npred else 0.0
    r = tp / ngold if ngold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "predicted": npred,
            "gold": ngold}


def _pipeline_facts(articles: dict, ids: list[str]) -> dict[str, list[tuple[int, int, object]]]:
    """Per article id: (start, end, fact) for each fact the extract stage makes of the whole article, with
    the character range of the sentence(s) it comes from."""
    from dataclasses import replace

    from briefing.config import Config
    from briefing.extract.facts import _sentences, extract
    from briefing.models import Article
    from briefing.nlp import get_nlp

    config = Config()
    config = replace(config, extract=replace(config.extract, sentence_budget=0, workers=1))
    arts = [Article(id=str(i), title=articles[i].get("title") or "", outlet="", url="", published=None,
                    text=articles[i]["text"], path=str(i)) for i in ids]
    facts = extract(arts, config).facts
    nlp = get_nlp()
    spans: dict[str, list[tuple[int, int]]] = {}
    for art, doc in zip(arts, nlp.pipe([a.text for a in arts])):
        spans[art.id] = [(s.start_char, s.end_char, s.text) for s in _sentences(doc)]
    out: dict[str, list[tuple[int, int, object]]] = {i: [] for i in ids}
    for fact in facts:
        sents = spans[fact.article_id]
        start, end, _ = sents[fact.index]
        if fact.index + 1 < len(sents):  # a lead-in shown with the sentence after it ("..., he said:")
            nxt = " ".join(sents[fact.index + 1][2].split())[:40]
            if nxt and nxt in fact.text:
                end = sents[fact.index + 1][1]
        out[fact.article_id].append((start, end, fact))
    return out


def _facts_for(gold: dict, located: list[tuple[int, int, object]]) -> list:
    """The facts whose sentence overlaps the gold sentence by at least half of the shorter of the two."""
    found = []
    for start, end, fact in located:
        overlap = min(end, gold["end"]) - max(start, gold["start"])
        if overlap > 0 and overlap * 2 >= min(end - start, gold["end"] - gold["start"]):
            found.append(fact)
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--json", action="store_true", help="print the numbers as JSON")
    ap.add_argument("--verbose", "-v", action="store_true", help="list every mismatch")
    args = ap.parse_args(argv)

    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus} (pass --corpus PATH); nothing to benchmark")
        return 0
    articles = {}
    with args.corpus.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                a = json.loads(line)
                articles[a["id"]] = a
    gold = [json.loads(line) for line in args.gold.open(encoding="utf-8") if line.strip()]

    located = _pipeline_facts(articles, sorted({g["article"] for g in gold if g["article"] in articles}))
    fig_tp = fig_pred = fig_gold = 0
    sp_tp = sp_pred = sp_gold = 0
    bad_sha = no_fact = 0
    notes: list[str] = []
    for g in gold:
        art = articles.get(g["article"])
        if art is None:
            bad_sha += 1
            notes.append(f"missing article {g['article']}")
            continue
        text = art["text"][g["start"]:g["end"]]
        if hashlib.sha1(text.encode("utf-8")).hexdigest() != g["sha1"]:
            bad_sha += 1
            notes.append(f"sha1 mismatch {g['article']} {g['start']}:{g['end']}")
            continue
        facts = _facts_for(g, located[g["article"]])
        no_fact += not facts
        flat = " ".join(text.split())
        pred = [f for fact in facts for f in fact.figures if " ".join(f.text.split()) in flat]
        tp, missed, extra = match_figures(g["figures"], pred)
        fig_tp += tp
        fig_pred += len(pred)
        fig_gold += len(g["figures"])
        if args.verbose and (missed or extra):
            notes.append(f"[figures] {g['article']} {g['start']}:{g['end']} {text[:110]!r}")
            notes.extend(f"    missed {m['value']:g} {m['unit']}" for m in missed)
            notes.extend(f"    extra  {p.value:g} {p.unit} ({p.text!r})" for p in extra)
        sp = facts[0].speaker if facts else None
        gs = g.get("speaker")
        sp_pred += bool(sp)
        sp_gold += bool(gs)
        ok = bool(sp and gs and speaker_match(gs, sp))
        sp_tp += ok
        if args.verbose and (bool(sp) != bool(gs) or (sp and gs and not ok)):
            notes.append(f"[speakers] gold={gs!r} pred={sp!r}{'' if facts else ' (no fact)'}: {text[:100]!r}")

    result = {"sentences": len(gold), "skipped": bad_sha, "no_fact": no_fact,
              "figures": _prf(fig_tp, fig_pred, fig_gold), "speakers": _prf(sp_tp, sp_pred, sp_gold)}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"gold sentences: {len(gold)} (skipped: {bad_sha}; no fact made of it: {no_fact})")
        print(f"{'':10} {'P':>6} {'R':>6} {'F1':>6} {'TP':>5} {'pred':>5} {'gold':>5}")
        for name in ("figures", "speakers"):
            r = result[name]
            print(f"{name:10} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} {r['tp']:5d} "
                  f"{r['predicted']:5d} {r['gold']:5d}")
    if notes and (args.verbose or bad_sha):
        print()
        print("\n".join(notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
