"""Command line: ``briefing run | extract | classify | check``. Only this module prints and picks exit codes.

Exit codes: 0 success, 1 run error (or warnings under --strict), 2 usage or config error, 3 another run
holds the lock.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from pathlib import Path
from typing import Sequence

from . import __version__
from .errors import BriefingError, ConfigError, UsageError

log = logging.getLogger("briefing")

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    handler = _setup_logging(args)
    try:
        return args.func(args)
    except BriefingError as exc:
        if args.debug:
            log.exception("%s", exc)
        else:
            print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an unexpected bug: one line unless --debug
        if args.debug:
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr)
        return EXIT_ERROR
    finally:
        if handler is not None:
            logging.getLogger().removeHandler(handler)
            handler.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefing", description="Turn a day's news articles into a daily briefing.")
    parser.add_argument("--version", action="version", version=f"briefing {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", "-c", metavar="PATH", help="config file (default: ./config.yaml if present)")
    common.add_argument("--debug", action="store_true", help="verbose logs and tracebacks")
    common.add_argument("--quiet", "-q", action="store_true", help="only warnings and errors (for cron)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("run", parents=[common], help="make the briefing and write Markdown, PDF and JSON")
    p.add_argument("--input", "-i", nargs="+", action="extend", metavar="PATH", help="files, folders or URLs to read (replaces the config's sources)")
    p.add_argument("--date", type=_date, help="briefing date YYYY-MM-DD (default: today)")
    p.add_argument("--output", "-o", metavar="DIR", help="output folder (a sub-folder per date is made inside)")
    p.add_argument("--strict", action="store_true", help="exit 1 when any input was skipped or warned about")
    p.add_argument("--no-pdf", action="store_true", help="skip the PDF")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("extract", parents=[common], help="print every fact before selection as JSON Lines")
    p.add_argument("--input", "-i", nargs="+", action="extend", metavar="PATH", required=True)
    p.add_argument("--date", type=_date, help="date relative expressions resolve against when an article has none")
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser("classify", parents=[common], help="classify sentences from stdin (one a line) into themes")
    p.add_argument("--explain", action="store_true", help="say which terms and examples decided")
    p.set_defaults(func=_cmd_classify)

    p = sub.add_parser("check", parents=[common], help="validate the config and the environment")
    p.set_defaults(func=_cmd_check)
    return parser


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {value!r}") from None


def _setup_logging(args) -> logging.Handler | None:
    level = logging.DEBUG if args.debug else logging.WARNING if args.quiet else logging.INFO
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s" if not args.debug
                                           else "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("weasyprint", "fontTools", "trafilatura", "htmldate", "urllib3", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    return handler


def _load(args):
    from .config import load_config

    path = args.config
    if path is None and Path("config.yaml").exists():
        path = "config.yaml"
    config, warnings = load_config(path)
    for w in warnings:
        log.warning("%s", w)
    return config, warnings


def _cmd_run(args) -> int:
    from .config import resolve_cli_path
    from .pipeline import run

    config, config_warnings = _load(args)
    changes = {}
    if args.output:
        changes["output"] = resolve_cli_path(args.output)
    if args.strict:
        changes["strict"] = True
    if args.no_pdf:
        from dataclasses import replace

        changes["pdf"] = replace(config.pdf, enabled=False)
    config = config.override(**changes)
    inputs = [a if a.startswith(("http://", "https://")) else resolve_cli_path(a) for a in (args.input or [])]
    result = run(config, inputs=inputs or None, date=args.date)
    for path in result.files:
        print(path)
    warnings = list(config_warnings) + list(result.warnings)
    if config.strict and warnings:
        print(f"error: {len(warnings)} warning(s) and --strict: treating the run as failed", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def _cmd_extract(args) -> int:
    from .classify import classify
    from .config import resolve_cli_path
    from .extract import extract
    from .ingest import ingest
    from .pipeline import today

    config, _ = _load(args)
    date = args.date or config.date or today(config)
    inputs = [a if a.startswith(("http://", "https://")) else resolve_cli_path(a) for a in args.input]
    articles = ingest(inputs, config, date)
    if not articles.articles:
        print("error: no usable article in the input", file=sys.stderr)
        return EXIT_ERROR
    facts = classify(list(extract(articles.articles, config).facts), config)
    out = sys.stdout
    for fact in facts:
        out.write(json.dumps(fact_record(fact), ensure_ascii=False) + "\n")
    return EXIT_OK


def fact_record(fact) -> dict:
    return {
        "id": fact.id,
        "text": fact.text,
        "theme": fact.theme,
        "scores": dict(fact.scores),
        "sources": [fact.article_id],
        "speaker": fact.speaker,
        "quotes": list(fact.quotes),
        "figures": [{"value": f.value, "unit": f.unit, "text": f.text, "qualifier": f.qualifier,
                     "category": f.category} for f in fact.figures],
        "date": fact.date.isoformat() if fact.date else None,
        "hedged": fact.hedged,
        "entities": [{"text": e.text, "label": e.label} for e in fact.entities],
    }


def _cmd_classify(args) -> int:
    from .classify import get_classifier

    config, _ = _load(args)
    classifier = get_classifier(config)
    lines = [line.strip() for line in sys.stdin if line.strip()]
    if args.explain:
        for line in lines:
            sys.stdout.write(json.dumps(classifier.explain(line), ensure_ascii=False) + "\n")
        return EXIT_OK
    for line, (theme, scores) in zip(lines, classifier.predict(lines)):
        record = {"text": line, "theme": theme, "scores": {k: round(v, 4) for k, v in scores.items()}}
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    return EXIT_OK


def _cmd_check(args) -> int:
    config, warnings = _load(args)
    problems = []
    try:
        from .nlp import get_nlp

        get_nlp()
    except BriefingError as exc:
        problems.append(f"model: {exc}")
    try:
        from .embed import get_embedder

        get_embedder()
    except BriefingError as exc:
        problems.append(f"embeddings: {exc}")
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if problems:
        return EXIT_USAGE
    print(f"config OK ({len(config.themes)} themes: {', '.join(t.key for t in config.themes)})"
          + (f", {len(warnings)} warning(s)" if warnings else ""))
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
