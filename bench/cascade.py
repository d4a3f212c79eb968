"""Quality of the reading cascade: the briefing with the cascade against the full-depth, full-model briefing.

Runs ``briefing.pipeline.run`` on the 710-article pool of ``bench/throughput.py`` (defaults of config.yaml, every
sentence read) once with ``extract.cascade`` on and once off, each in a fresh subprocess, and prints: the items of the
full briefing kept (an item is kept when the same sentence is shown), the ones lost with the cascade's verdict on
their sentences, sentences read cheaply vs parsed, and CPU seconds (user + system of the process and its workers:
far less sensitive to a busy machine than wall time).

    python bench/cascade.py [--size 710] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import throughput  # noqa: E402  (the pool)


def child(args) -> dict:
    import datetime as dt
    from dataclasses import replace

    from briefing.config import load_config
    from briefing.pipeline import run

    config, _ = load_config(throughput.ROOT / "config.yaml")
    extract = replace(config.extract, sentence_budget=0)
    if hasattr(extract, "cascade"):
        extract = replace(extract, cascade=args.cascade == "on")
    config = config.override(extract=extract, output=Path(args.out))
    start = time.monotonic()
    result = run(config, inputs=[Path(args.input)], date=dt.date.fromisoformat(throughput.DATE))
    wall = time.monotonic() - start
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    b = result.briefing
    shown = list(b.takeaways) + [it for s in b.sections for it in s.items]
    return {"cpu_s": own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime, "wall_s": wall,
            "sentences": b.stats.sentences, "parsed": getattr(b.stats, "parsed_sentences", b.stats.sentences),
            "facts": b.stats.facts, "timings": result.timings,
            "shown": [{"text": it.text, "theme": it.theme, "facts": [f.id for f in it.facts]} for it in shown],
            "figures": [f.context for f in b.key_figures]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=0, help="articles (default: the whole pool, 710)")
    ap.add_argument("--keep", type=Path, help="folder for the two runs' JSON (reused when already there)")
    ap.add_argument("--only", choices=["on", "off"], help="run one side only")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--cascade", help=argparse.SUPPRESS)
    ap.add_argument("--input", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args)))
        return 0
    if not (throughput.CORPORA / throughput.UKRAINE).exists():
        print("bench/cascade.py: corpora not found in ../shared/corpora; nothing measured.")
        return 0
    pool = throughput.build_pool(throughput.CORPORA)
    records = throughput.sample(pool, args.size or len(pool))
    keep = args.keep or Path(tempfile.mkdtemp(prefix="briefing-cascade-"))
    keep.mkdir(parents=True, exist_ok=True)
    data = keep / "pool.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    runs = {}
    # This checkout's package, whatever is installed (as bench/throughput.py does).
    env = dict(os.environ, PYTHONPATH=str(throughput.ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for side in ([args.only] if args.only else ["off", "on"]):
        path = keep / f"{side}-{len(records)}.json"
        if not path.exists():
            out = subprocess.run([sys.executable, __file__, "--child", "--cascade", side, "--input", str(data),
                                  "--out", str(keep / f"out-{side}")], capture_output=True, text=True,
                                 cwd=throughput.ROOT, env=env)
            if out.returncode:
                print(out.stderr[-3000:], file=sys.stderr)
                return 1
            path.write_text(out.stdout.strip().splitlines()[-1], encoding="utf-8")
        runs[side] = json.loads(path.read_text(encoding="utf-8"))
        r = runs[side]
        print(f"cascade {side}: {len(records)} articles, {r['sentences']} sentences read, {r['parsed']} parsed, "
              f"{r['facts']} facts, {r['cpu_s']:.0f} CPU s, {r['wall_s']:.0f} s wall, {len(r['shown'])} items")
    if len(runs) == 2:
        full = {it["text"] for it in runs["off"]["shown"]}
        cascade = {it["text"] for it in runs["on"]["shown"]}
        print(f"items of the full briefing kept: {len(full & cascade)} of {len(full)}")
        for it in runs["off"]["shown"]:
            if it["text"] not in cascade:
                print(f"  lost: [{it['theme']}] {it['facts'][:4]} {it['text'][:150]}")
        for it in runs["on"]["shown"]:
            if it["text"] not in full:
                print(f"  new:  [{it['theme']}] {it['facts'][:4]} {it['text'][:150]}")
        saved = runs["off"]["cpu_s"] - runs["on"]["cpu_s"]
        print(f"CPU seconds saved: {saved:.0f} ({saved / runs['off']['cpu_s']:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
