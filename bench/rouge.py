"""How good is the project's selection as a multi-document summariser? ROUGE against Multi-News references.

    python bench/rouge.py [--corpus PATH] [--limit N] [--json]

For each cluster of ``../shared/corpora/multinews_validation_sample.jsonl`` (JSON lines: ``id``, ``documents``,
``summary``) four summaries are cut to the reference's length in words:

* ours — the project's own selection: extract -> dedupe -> ``briefing.select.rank_items`` (the function the
  briefing's ``select`` uses), in theme-free mode (every fact in one block), read in lead order;
* lexrank, textrank — sumy 0.13, ranked over all the cluster's sentences;
* lead — the first sentences of each article, round-robin.

ROUGE-1/2/L F1 (rouge-score, stemming on), averaged over clusters, printed side by side. sumy's own tokenizer
needs NLTK punkt data, which is not shipped; it gets a pysbd/regex tokenizer instead.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "multinews_validation_sample.jsonl"
SYSTEMS = ("ours", "lexrank", "textrank", "lead")
METRICS = ("rouge1", "rouge2", "rougeL")
_WORDS = re.compile(r"[\w'’-]+")


class SentenceTokenizer:
    """What sumy asks of a tokenizer, without NLTK data: pysbd sentences, regex words."""

    language = "english"

    def __init__(self) -> None:
        import pysbd

        self._seg = pysbd.Segmenter(language="en", clean=False)

    def to_sentences(self, paragraph: str) -> list[str]:
        return [s.strip() for s in self._seg.segment(paragraph) if s.strip()]

    def to_words(self, sentence: str) -> list[str]:
        return _WORDS.findall(sentence)


def clean_document(text: str) -> str:
    """Multi-News separates paragraphs with " \\n \\n "; make them plain blank lines."""
    text = text.replace("\u2019", "'")
    return re.sub(r"\s*\n\s*(?:\n\s*)+", "\n\n", text).strip()


def truncate(text_or_sentences, budget: int) -> str:
    sentences = [text_or_sentences] if isinstance(text_or_sentences, str) else list(text_or_sentences)
    words = " ".join(sentences).split()
    return " ".join(words[:budget])


def _budget_picker(budget: int):
    """A sumy ``sentences_count`` callable: best-rated sentences until the word budget is met."""

    def pick(infos):
        out, words = [], 0
        for info in infos:
            if words >= budget:
                break
            out.append(info)
            words += len(str(info.sentence).split())
        return out

    return pick


def sumy_summary(kind: str, documents: list[str], budget: int, tokenizer: SentenceTokenizer) -> str:
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    parser = PlaintextParser.from_string("\n\n".join(documents), tokenizer)
    summarizer = (LexRankSummarizer if kind == "lexrank" else TextRankSummarizer)(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    sentences = summarizer(parser.document, _budget_picker(budget))
    return truncate([str(s) for s in sentences], budget)


def lead_summary(documents: list[str], budget: int, tokenizer: SentenceTokenizer) -> str:
    per_doc = [tokenizer.to_sentences(d.replace("\n\n", " ")) for d in documents]
    out, words, depth = [], 0, 0
    while words < budget and any(depth < len(s) for s in per_doc):
        for sents in per_doc:
            if depth < len(sents) and words < budget:
                out.append(sents[depth])
                words += len(sents[depth].split())
        depth += 1
    return truncate(out, budget)


def our_summaries(clusters: list[dict], budgets: list[int]) -> list[str]:
    """The project's selection, theme-free: every fact in one block, ranked by ``rank_items``."""
    from briefing.config import Config
    from briefing.dedupe import dedupe
    from briefing.extract import extract
    from briefing.models import Article
    from briefing.select import rank_items

    config = Config()
    articles = [
        Article(id=f"{c['id']}-{k}", title="", outlet=f"{c['id']}-outlet{k}", url="", published=None,
                text=clean_document(doc), path=f"{c['id']}:{k}")
        for c in clusters for k, doc in enumerate(c["documents"]) if doc.strip()
    ]
    facts = extract(articles, config).facts
    by_cluster: dict[str, list] = {}
    for f in facts:
        by_cluster.setdefault(f.article_id.rsplit("-", 1)[0], []).append(replace(f, theme="news"))
    summaries = []
    for cluster, budget in zip(clusters, budgets):
        cluster_facts = by_cluster.get(cluster["id"], [])
        cluster_articles = [a for a in articles if a.id.rsplit("-", 1)[0] == cluster["id"]]
        merged = dedupe(cluster_facts, cluster_articles, config)
        picked = rank_items(merged.items, budget_words=budget)
        # Picked by importance, read in news order: leads first, then by source (as sumy keeps document order).
        order = {a.id: n for n, a in enumerate(cluster_articles)}
        picked.sort(key=lambda it: (min(f.index for f in it.facts), min(order.get(s, 0) for s in it.sources)))
        summaries.append(truncate([it.text for it in picked], budget))
    return summaries


def evaluate(clusters: list[dict]) -> dict:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    tokenizer = SentenceTokenizer()
    budgets = [len(c["summary"].split()) for c in clusters]
    docs = [[clean_document(d) for d in c["documents"] if d.strip()] for c in clusters]
    outputs = {
        "ours": our_summaries(clusters, budgets),
        "lexrank": [sumy_summary("lexrank", d, b, tokenizer) for d, b in zip(docs, budgets)],
        "textrank": [sumy_summary("textrank", d, b, tokenizer) for d, b in zip(docs, budgets)],
        "lead": [lead_summary(d, b, tokenizer) for d, b in zip(docs, budgets)],
    }
    result = {}
    for system in SYSTEMS:
        totals = dict.fromkeys(METRICS, 0.0)
        for cluster, summary in zip(clusters, outputs[system]):
            scores = scorer.score(cluster["summary"], summary)
            for m in METRICS:
                totals[m] += scores[m].fmeasure
        result[system] = {m: round(100 * totals[m] / max(len(clusters), 1), 2) for m in METRICS}
    return result


def load(path: Path, limit: int | None) -> list[dict]:
    clusters = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                if row.get("documents") and row.get("summary"):
                    clusters.append(row)
            if limit and len(clusters) >= limit:
                break
    return clusters


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="Multi-News style JSON lines")
    parser.add_argument("--limit", type=int, default=None, help="only the first N clusters")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"corpus not found: {args.corpus} (pass --corpus PATH); nothing to benchmark", file=sys.stderr)
        return 0
    clusters = load(args.corpus, args.limit)
    if not clusters:
        print(f"no usable cluster in {args.corpus}; nothing to benchmark", file=sys.stderr)
        return 0
    start = time.perf_counter()
    result = evaluate(clusters)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"ROUGE F1 x100 over {len(clusters)} clusters ({time.perf_counter() - start:.0f}s), "
          "summaries cut to the reference length")
    print(f"{'system':<10}" + "".join(f"{m:>9}" for m in METRICS))
    for system in SYSTEMS:
        print(f"{system:<10}" + "".join(f"{result[system][m]:>9.2f}" for m in METRICS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
