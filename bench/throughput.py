"""Throughput benchmark: the whole pipeline (ingest -> Markdown + PDF + JSON) on real articles, at several sizes.

The article pool is built from ``../shared/corpora/``: the 50 articles of
``ukraine_news_2022-03-28_to_30.jsonl`` and the documents of ``multinews_validation_sample.jsonl`` (250 clusters,
690 documents, 30 of them verbatim repeats), de-duplicated by text: 710 distinct articles, shuffled with a fixed seed and written as a
temporary JSONL (id, title, outlet, url, date, text). Sizes beyond the pool replay it with distinct ids.

Each size runs in fresh subprocesses, so model load and peak RSS are per size:

* ``pipeline``: ``briefing.pipeline.run`` as the CLI runs it, with the time per stage (``RunResult.timings``);
  the embedding model and theme classifier are loaded first, under the stage ``load``; spaCy loads inside
  ``extract`` (in each worker process on a big day, as in ``briefing run``). ``RSS MB`` is the peak of the
  main process and its worker processes together (sampled every 0.1 s);
* ``raw``: the NLP the pipeline relies on, alone, in one process: the spaCy pipeline (``nlp.pipe``, same
  settings as ``briefing.extract``) over the same text the pipeline read (each article's lead on a day over
  ``extract.sentence_budget``; with the cascade, the sentences it parses), then the embedding model over the same sentences the pipeline embedded.
  ``overhead`` = pipeline work (ingest .. select, without model load and render) / raw NLP: with two worker
  processes it can fall below 1;
* ``lexrank``: sumy's LexRank, the peer a user might pick instead, summarising every article to 3 sentences
  (pysbd sentences, regex words; sumy's own tokenizer needs NLTK punkt, which cannot be downloaded here).

Usage::

    python bench/throughput.py [--sizes 10,100,300,all[,3000,10000]] [--json] [--no-pdf] [--skip-lexrank]
                               [--skip-raw] [--sentence-budget N] [--cascade on|off] [--engine local|dask]

``all`` is the whole pool (710); a size above it replays the pool.

``wall`` is the pipeline subprocess from start to exit (interpreter, imports, model load, run, PDF).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
UKRAINE = "ukraine_news_2022-03-28_to_30.jsonl"
MULTINEWS = "multinews_validation_sample.jsonl"
DATE = "2022-03-30"
DEFAULT_SIZES = "10,100,300,all"
STAGES = ("load", "ingest", "extract", "classify", "dedupe", "select", "render")


# ------------------------------------------------------------------------------------------------------ pool


def build_pool(corpora: Path) -> list[dict]:
    """Distinct articles from both corpora, in a fixed shuffled order."""
    pool: list[dict] = []
    seen: set[str] = set()

    def add(record: dict) -> None:
        key = " ".join(record["text"].split())
        if key and key not in seen:
            seen.add(key)
            pool.append(record)

    with open(corpora / UKRAINE, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                add({"id": r["id"], "title": r.get("title", ""), "outlet": r.get("outlet", ""),
                     "url": r.get("url", ""), "date": r.get("date", DATE), "text": r["text"]})
    with open(corpora / MULTINEWS, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                for j, doc in enumerate(r.get("documents", [])):
                    add({"id": f"{r['id']}-{j}", "title": "", "outlet": f"Multi-News source {j + 1}",
                         "url": "", "date": DATE, "text": doc})
    random.Random(20220330).shuffle(pool)
    return pool


def sample(pool: list[dict], n: int) -> list[dict]:
    """``n`` articles: the pool's first ``n``, or the pool replayed with distinct ids."""
    out = []
    for i in range(n):
        r = dict(pool[i % len(pool)])
        if i >= len(pool):
            r["id"] = f"{r['id']}-r{i // len(pool)}"
        out.append(r)
    return out


# ---------------------------------------------------------------------------------------------------- children


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _config(args):
    from dataclasses import replace

    from briefing.config import load_config

    config, _ = load_config(ROOT / "config.yaml")
    if args.sentence_budget is not None:
        config = config.override(extract=replace(config.extract, sentence_budget=args.sentence_budget))
    if args.engine:
        config = config.override(extract=replace(config.extract, engine=args.engine))
    if args.cascade:
        config = config.override(extract=replace(config.extract, cascade=args.cascade == "on"))
    return config


def child_pipeline(args) -> dict:
    from dataclasses import replace

    from briefing.classify import get_classifier
    from briefing.embed import get_embedder
    from briefing.pipeline import run
    from briefing.util.timing import Timer

    config = _config(args)
    config = config.override(output=Path(args.out), pdf=replace(config.pdf, enabled=not args.no_pdf))
    timer = Timer()
    with timer.stage("load"):
        # What the main process of `briefing run` needs: the embedding model and the theme classifier. spaCy is
        # loaded inside extract, by each worker process on a big day (the main process never needs it then).
        get_classifier(config)
    trained = set(get_embedder()._cache)
    import datetime as dt

    with _MemorySampler() as memory:
        result = run(config, inputs=[Path(args.input)], date=dt.date.fromisoformat(args.date))
    sentences = [t for t in get_embedder()._cache if t not in trained]
    Path(args.sentences).write_text(json.dumps(sentences), encoding="utf-8")
    stats = result.briefing.stats
    return {"timings": {**timer.timings, **result.timings}, "articles": stats.articles, "sentences": stats.sentences,
            "parsed": stats.parsed_sentences or stats.sentences, "facts": stats.facts, "embedded": len(sentences), "rss_mb": max(_peak_rss_mb(), memory.peak_mb),
            "rss_processes": memory.peak_processes, "rss_each_mb": memory.peak_each,
            "depth": stats.reading_depth, "unread": stats.unread_sentences}


class _MemorySampler:
    """Peak of the summed resident memory of this process and every process under it (worker processes, and
    for a Dask LocalCluster its nannies and their workers, which are grandchildren), sampled every 0.1 s: VmHWM
    alone would miss the workers, which run at the same time."""

    def __init__(self) -> None:
        import threading

        self.peak_mb = 0.0
        self.peak_processes = 0
        self.peak_each: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            each = [_rss_mb(pid) for pid in _tree(os.getpid())]
            if sum(each) > self.peak_mb:
                self.peak_mb, self.peak_processes = sum(each), len(each)
                self.peak_each = [round(mb) for mb in each]  # main process first


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from /proc (no psutil needed)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, ()))
    return out


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def child_raw(args) -> dict:
    import datetime as dt

    from briefing.extract import facts as extract_mod
    from briefing.embed import Embedder
    from briefing.ingest import ingest
    from briefing.nlp import get_nlp

    config = _config(args)
    texts = [a.text for a in ingest([Path(args.input)], config, dt.date.fromisoformat(args.date)).articles]
    # The same text the pipeline parsed: on a day over extract.sentence_budget, each article's lead only; with the
    # cascade, the sentences it gives the full parse.
    depth, _ = extract_mod.reading_depth(texts, config.extract.sentence_budget, config.extract.min_sentences)
    texts = [extract_mod.lead(t, depth) for t in texts]
    if config.extract.cascade:
        texts = [extract_mod.cascade(t, extract_mod._sentence_ends(t), config).text for t in texts]
    sentences = json.loads(Path(args.sentences).read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    nlp = get_nlp()
    t1 = time.perf_counter()
    pipe_kwargs = getattr(extract_mod, "PIPE_KWARGS", {"batch_size": 16})
    for _ in nlp.pipe(texts, **pipe_kwargs):
        pass
    t2 = time.perf_counter()
    embedder = Embedder()
    t3 = time.perf_counter()
    embedder(sentences)
    t4 = time.perf_counter()
    return {"spacy_load": t1 - t0, "spacy": t2 - t1, "embed_load": t3 - t2, "embed": t4 - t3,
            "rss_mb": _peak_rss_mb()}


class _PlainTokenizer:
    """What sumy's parser needs from a tokenizer, without NLTK data: pysbd sentences, regex words."""

    language = "english"
    _words = re.compile(r"\w+(?:['’]\w+)*")

    def __init__(self) -> None:
        import pysbd

        self._seg = pysbd.Segmenter(language="en", clean=False)

    def to_sentences(self, paragraph: str):
        return tuple(s.strip() for s in self._seg.segment(paragraph) if s.strip())

    def to_words(self, sentence: str):
        return tuple(self._words.findall(sentence))


def child_lexrank(args) -> dict:
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    records = [json.loads(line) for line in open(args.input, encoding="utf-8") if line.strip()]
    tokenizer = _PlainTokenizer()
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    t0 = time.perf_counter()
    for r in records:
        parser = PlaintextParser.from_string(r["text"], tokenizer)
        summarizer(parser.document, 3)
    return {"lexrank": time.perf_counter() - t0, "rss_mb": _peak_rss_mb()}


CHILDREN = {"pipeline": child_pipeline, "raw": child_raw, "lexrank": child_lexrank}


def _spawn(kind: str, extra: list[str]) -> tuple[dict, float]:
    """Run one child; its JSON result gains ``cpu_s``, the user + system CPU seconds it used."""
    import resource

    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, *extra]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               SOURCE_DATE_EPOCH="1648598400")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} child failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result, wall


# ---------------------------------------------------------------------------------------------------- parent


def measure(pool: list[dict], n: int, args, tmp: Path) -> dict:
    data = tmp / f"articles-{n}.jsonl"
    with open(data, "w", encoding="utf-8") as fh:
        for r in sample(pool, n):
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    sentences = tmp / f"sentences-{n}.json"
    common = ["--input", str(data), "--date", DATE, "--sentences", str(sentences)]
    if args.sentence_budget is not None:
        common += ["--sentence-budget", str(args.sentence_budget)]
    if args.engine:
        common += ["--engine", args.engine]
    if args.cascade:
        common += ["--cascade", args.cascade]
    out = tmp / f"out-{n}"
    pipe, wall = _spawn("pipeline", common + ["--out", str(out)] + (["--no-pdf"] if args.no_pdf else []))
    # The sources list names the input file, a temporary path: the same for every run of the bench.
    markdown = (out / DATE / "briefing.md").read_text(encoding="utf-8").replace(str(tmp), "<tmp>").encode()
    raw = None if args.skip_raw else _spawn("raw", common)[0]
    lex = None if args.skip_lexrank else _spawn("lexrank", common)[0]
    t = pipe["timings"]
    work = sum(t.get(s, 0.0) for s in ("ingest", "extract", "classify", "dedupe", "select"))
    raw_nlp = raw["spacy"] + raw["embed"] if raw else 0.0
    return {
        "articles": pipe["articles"], "sentences": pipe["sentences"], "parsed": pipe.get("parsed", pipe["sentences"]),
        "facts": pipe["facts"],
        "depth": pipe.get("depth", 0), "unread": pipe.get("unread", 0),
        "embedded": pipe["embedded"], "wall_s": wall, "articles_per_s": pipe["articles"] / wall,
        "sentences_per_s": pipe["sentences"] / wall, "peak_rss_mb": pipe["rss_mb"], "cpu_s": pipe["cpu_s"],
        "cpu_ms_per_article": 1000 * pipe["cpu_s"] / pipe["articles"],
        "wall_ms_per_article": 1000 * wall / pipe["articles"],
        "processes": pipe.get("rss_processes"), "rss_each_mb": pipe.get("rss_each_mb"),
        "engine": args.engine or "config",
        "briefing_sha256": hashlib.sha256(markdown).hexdigest(),
        "load_avg": os.getloadavg()[0],
        "stages_s": {s: t.get(s, 0.0) for s in STAGES},
        "raw": ({"spacy_s": raw["spacy"], "embed_s": raw["embed"], "load_s": raw["spacy_load"] + raw["embed_load"]}
                if raw else None),
        "raw_nlp_s": raw_nlp, "overhead": work / raw_nlp if raw_nlp else None,
        "lexrank_s": lex["lexrank"] if lex else None,
        "lexrank_cpu_s": lex["cpu_s"] if lex else None,
        "vs_lexrank": wall / lex["lexrank"] if lex else None,
    }


def table(rows: list[dict]) -> str:
    head = ("arts", "sents", "parsed", "depth", "wall s", "CPU s", "CPU ms/art", "art/s", "sent/s", "RSS MB", *STAGES,
            "spaCy", "embed", "raw NLP", "ovh x", "LexRank", "wall/LexRank", "briefing.md")
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in rows:
        st = r["stages_s"]
        nlp = r.get("raw")
        cells = [r["articles"], r["sentences"], r.get("parsed", r["sentences"]), r.get("depth") or "all", f"{r['wall_s']:.1f}", f"{r.get('cpu_s', 0):.0f}",
                 f"{r['cpu_ms_per_article']:.0f}", f"{r['articles_per_s']:.1f}",
                 f"{r['sentences_per_s']:.0f}", f"{r['peak_rss_mb']:.0f}", *(f"{st[s]:.2f}" for s in STAGES),
                 *((f"{nlp['spacy_s']:.2f}", f"{nlp['embed_s']:.2f}", f"{r['raw_nlp_s']:.2f}") if nlp else ("-",) * 3),
                 f"{r['overhead']:.2f}" if r["overhead"] else "-",
                 f"{r['lexrank_s']:.2f}" if r["lexrank_s"] is not None else "-",
                 f"{r['vs_lexrank']:.0f}x" if r.get("vs_lexrank") else "-", r["briefing_sha256"][:12]]
        lines.append(" | ".join(str(c) for c in cells))
    return "\n".join("| " + line + " |" for line in lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default=DEFAULT_SIZES, help=f"comma-separated article counts (default {DEFAULT_SIZES}; "
                    "3000 and 10000 replay the pool and take long)")
    ap.add_argument("--corpora", type=Path, default=CORPORA, help="folder holding the two corpus files")
    ap.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    ap.add_argument("--no-pdf", action="store_true", help="skip the PDF (Markdown and JSON only)")
    ap.add_argument("--skip-lexrank", action="store_true", help="do not time sumy's LexRank")
    ap.add_argument("--sentence-budget", type=int, help="extract.sentence_budget for the run (0: read every "
                    "sentence; default: config.yaml's)")
    ap.add_argument("--engine", choices=["local", "dask"], help="extract.engine for the run (dask: a LocalCluster "
                    "on 127.0.0.1 with one worker process per core)")
    ap.add_argument("--cascade", choices=["on", "off"], help="extract.cascade for the run (off: parse and embed "
                    "every sentence; default: config.yaml's)")
    ap.add_argument("--skip-raw", action="store_true", help="do not time the models alone (halves the CPU used)")
    ap.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    ap.add_argument("--input", help=argparse.SUPPRESS)
    ap.add_argument("--date", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--sentences", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        print(json.dumps(CHILDREN[args.child](args)))
        return 0

    missing = [name for name in (UKRAINE, MULTINEWS) if not (args.corpora / name).exists()]
    if missing:
        print(f"bench/throughput.py: corpus not found: {', '.join(str(args.corpora / m) for m in missing)}; "
              "nothing measured (the corpora live in ../shared/corpora next to the repository).")
        return 0
    try:
        pool = build_pool(args.corpora)
        sizes = [len(pool) if s.strip() == "all" else int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        ap.error(f"--sizes: expected comma-separated integers or 'all', got {args.sizes!r}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as tmp:
        for n in sizes:
            try:
                row = measure(pool, n, args, Path(tmp))
            except RuntimeError as exc:  # one size failing should not lose the others
                print(f"{n} articles: FAILED: {exc}", file=sys.stderr)
                continue
            rows.append(row)
            # Each row as soon as it is measured (one JSON line on stderr): big sizes take long.
            print(f"{n} articles: {row['wall_s']:.1f} s wall, {row['peak_rss_mb']:.0f} MB peak; "
                  f"{json.dumps(row)}", file=sys.stderr)
    if args.json:
        print(json.dumps({"pool": len(pool), "cores": os.cpu_count(), "rows": rows}, indent=2))
    else:
        print(f"pool: {len(pool)} distinct articles; {os.cpu_count()} cores; stage times in seconds "
              "(load = embedding model + theme classifier; spaCy loads inside extract, in each worker on a big day)")
        print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
