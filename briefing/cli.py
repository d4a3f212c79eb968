"""Command line: ``briefing run | send | extract | classify | label | sources | check | history | search``. Only this module prints and picks exit codes.

Exit codes: 0 success, 1 run error (or warnings under --strict), 2 usage or config error, 3 another run
holds the lock, 4 the output folder cannot be used (read-only, a file, no permission), 143 stopped by SIGTERM.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import re
import sys
from pathlib import Path
from typing import Sequence

from . import __version__
from .errors import BriefingError, ConfigError, UsageError

log = logging.getLogger("briefing")

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_LOCKED, EXIT_OUTPUT, EXIT_TERMINATED = 0, 1, 2, 3, 4, 143
FUTURE_DAYS = 1
"""A --date up to this many days after today (in ``config.timezone``) is clock skew; later needs --allow-future."""


class _Terminated(BaseException):
    """SIGTERM (systemd stopping the job, ``timeout``, a kill): unwinds like Ctrl-C, releasing the lock."""


def _on_sigterm(signum, frame) -> None:
    import multiprocessing

    for child in multiprocessing.active_children():  # the worker processes: stopped now, not after their chunk
        child.terminate()
    raise _Terminated()


def _handle_sigterm():
    """Install the SIGTERM handler (main thread only); returns what to restore."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _on_sigterm)


def main(argv: Sequence[str] | None = None) -> int:
    """The ``briefing`` command: parse ``argv``, run the subcommand, turn its errors into one line on stderr
    and an exit code (``EXIT_*``)."""
    parser = _with_help(_parser())
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    handler = _setup_logging(args)
    previous = _handle_sigterm()
    try:
        return args.func(args)
    except BriefingError as exc:
        for warning in getattr(exc, "warnings", ()):  # a config's unknown keys, with its errors: one round
            log.warning("%s", warning)
        if args.debug:
            log.exception("%s", exc)
        else:
            print(f"error: {exc}", file=sys.stderr)
            _to_log_file(f"{exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except _Terminated:
        message = "terminated (SIGTERM); worker processes stopped, lock released, nothing half-written"
        print(f"error: {message}", file=sys.stderr)
        _to_log_file(message)
        return EXIT_TERMINATED
    except Exception as exc:  # an unexpected bug: one line unless --debug
        if args.debug:
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr)
        _to_log_file(f"unexpected {type(exc).__name__}: {exc}", sys.exc_info())
        return EXIT_ERROR
    finally:
        if previous is not None:
            import signal

            signal.signal(signal.SIGTERM, previous)
        for h in [handler, *_FILE_HANDLERS]:
            if h is not None:
                logging.getLogger().removeHandler(h)
                h.close()
        _FILE_HANDLERS.clear()


def _parser() -> argparse.ArgumentParser:
    """The command line: the options every subcommand shares (``common``), then one sub-parser per subcommand
    with its handler (``_cmd_<name>``) as ``func``. Each subcommand is in the README's command table."""
    parser = argparse.ArgumentParser(prog="briefing", description="Turn a day's news articles into a daily briefing.")
    parser.add_argument("--version", action="version", version=f"briefing {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", "-c", metavar="PATH", help="config file (default: ./config.yaml if present)")
    common.add_argument("--verbose", "-v", action="store_true", help="detailed progress logs (DEBUG level)")
    common.add_argument("--debug", action="store_true", help="like --verbose, with timestamps and tracebacks")
    common.add_argument("--quiet", "-q", action="store_true", help="only warnings and errors (for cron)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    _add_run(sub, common)

    p = sub.add_parser("send", parents=[common], help="email an existing briefing (default: the newest, and any still pending)")
    p.add_argument("--date", type=_date, help="briefing date: YYYY-MM-DD, today, yesterday or -N (default: the newest in the output folder)")
    p.add_argument("--output", "-o", metavar="DIR", help="output folder (default: the config's)")
    p.add_argument("--resend", action="store_true", help="send it even if it was already sent")
    p.add_argument("--allow-future", action="store_true", help="accept a --date more than a day after today")
    p.set_defaults(func=_cmd_send)

    p = sub.add_parser("extract", parents=[common], help="print every fact before selection as JSON Lines")
    p.add_argument("--input", "-i", nargs="+", action="extend", metavar="PATH", required=True)
    p.add_argument("--date", type=_date, help="date relative expressions resolve against when an article has none")
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser("classify", parents=[common], help="classify sentences from stdin (one a line) into themes")
    p.add_argument("--explain", action="store_true", help="say which terms and examples decided (a table for a person)")
    p.add_argument("--json", action="store_true", help="with --explain: one JSON object a line instead of the table")
    p.set_defaults(func=_cmd_classify)

    p = sub.add_parser("label", parents=[common], help="label the day's least certain sentences (one key each) "
                       "into classify.examples_file; the next run learns from them")
    _add_input(p)
    p.add_argument("--date", type=_date, help="the day whose articles are read YYYY-MM-DD (default: today)")
    p.add_argument("--count", "-n", type=_count, default=20, metavar="N", help="most sentences shown (default 20)")
    p.set_defaults(func=_cmd_label)

    p = sub.add_parser("sources", parents=[common], help="list the configured sources and what the cache holds")
    p.add_argument("--json", action="store_true", help="machine-readable JSON")
    p.set_defaults(func=_cmd_sources)

    p = sub.add_parser("check", parents=[common], help="validate the config and the environment")
    p.add_argument("--smtp", action="store_true", help="also connect and log in to the SMTP server (sends nothing)")
    p.add_argument("--explain", nargs="?", const="", metavar="KEY",
                   help="print every config key (or those under KEY, e.g. select) with its value and what it does")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("history", parents=[common], help="manage the history of earlier briefings")
    p.add_argument("action", choices=["rebuild"], help="rebuild: recreate it from the briefing.json files in the output folder")
    p.add_argument("--output", "-o", metavar="DIR", help="output folder holding <date>/briefing.json (default: the config's)")
    p.set_defaults(func=_cmd_history)

    p = sub.add_parser("search", parents=[common], help="search the items of past briefings")
    p.add_argument("query", help='words to find (all of them); "a phrase" in quotes; OR between alternatives')
    p.add_argument("--since", type=_date, metavar="DATE", help="only briefings of this date YYYY-MM-DD or later")
    p.add_argument("--theme", metavar="KEY", help="only items of this theme")
    p.add_argument("--limit", type=_count, default=50, metavar="N", help="most items shown (default 50)")
    p.add_argument("--json", action="store_true", help="a JSON list of {date, theme, text, speaker, sources}")
    p.add_argument("--output", "-o", metavar="DIR", help="output folder holding the history (default: the config's)")
    p.set_defaults(func=_cmd_search)
    return parser


def _add_run(sub, common: argparse.ArgumentParser) -> None:
    """``briefing run`` and its options."""
    p = sub.add_parser("run", parents=[common], help="make the briefing and write Markdown, PDF and JSON")
    _add_input(p)
    p.add_argument("--date", type=_date, help="briefing date: YYYY-MM-DD, today, yesterday or -N days (default: today)")
    p.add_argument("--output", "-o", metavar="DIR", help="output folder (a sub-folder per date is made inside)")
    p.add_argument("--strict", action="store_true", help="exit 1 when any input was skipped or warned about")
    p.add_argument("--no-pdf", action="store_true", help="skip the PDF")
    p.add_argument("--offline", action="store_true", help="read feeds and pages from the cache only, no network")
    p.add_argument("--workers", type=_count, metavar="N", help="processes reading articles (0: one per core on a big day)")
    p.add_argument("--sentence-budget", type=_count, metavar="N", help="most sentences read in one run (0: no limit)")
    p.add_argument("--engine", choices=["local", "dask"], help="where articles are read: this machine or a Dask cluster")
    p.add_argument("--scheduler", metavar="ADDRESS", help="with --engine dask: the scheduler (tcp://host:8786); "
                   "default: a LocalCluster on 127.0.0.1")
    p.add_argument("--send", action="store_true", help="email the PDF to config.smtp.recipients (and earlier dates still pending)")
    p.add_argument("--resend", action="store_true", help="email it even if this date was already sent (implies --send)")
    p.add_argument("--allow-future", action="store_true", help="accept a --date more than a day after today")
    p.set_defaults(func=_cmd_run)


def _add_input(p: argparse.ArgumentParser) -> None:
    p.add_argument("--input", "-i", nargs="+", action="extend", metavar="PATH",
                   help="files, folders or URLs to read (replaces the config's sources)")


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number, 0 or more, got {value!r}")
    return number


def _date(value: str) -> dt.date:
    """YYYY-MM-DD, ``today``, ``yesterday`` or ``-N`` (N days ago) — relative forms by this machine's clock, so a
    crontab line needs no ``date +\\%F`` escaping."""
    word = value.strip().lower()
    if word in ("today", "yesterday") or re.fullmatch(r"-\d{1,4}", word):
        days = 0 if word == "today" else 1 if word == "yesterday" else int(word[1:])
        return dt.date.today() - dt.timedelta(days=days)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date YYYY-MM-DD, today, yesterday or -N (days ago), got {value!r}") from None


def _setup_logging(args) -> logging.Handler | None:
    verbose = args.debug or getattr(args, "verbose", False)
    level = logging.DEBUG if verbose else logging.WARNING if args.quiet else logging.INFO
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    handler.addFilter(_clear_progress_line)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s" if not args.debug
                                           else "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("weasyprint", "fontTools", "trafilatura", "htmldate", "urllib3", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    return handler


def _config_path(args) -> str | None:
    path = args.config
    if path is None and Path("config.yaml").exists():
        path = "config.yaml"
    return path


def _load(args, file_log: bool = True):
    from .config import load_config

    config, warnings = load_config(_config_path(args))
    if file_log:
        _add_file_log(config, args)
    for w in warnings:
        log.warning("%s", w)
    return config, warnings


_FILE_HANDLERS: list[logging.Handler] = []


def _to_log_file(message: str, exc_info=None) -> None:
    """The error line the CLI prints also goes to config.log.file (cron jobs read that, not stderr)."""
    for h in _FILE_HANDLERS:
        h.handle(logging.LogRecord("briefing", logging.ERROR, __file__, 0, message, None, exc_info))


def _add_file_log(config, args) -> None:
    """config.log.file: a rotating log (1 MB x 5) at the config's level, --debug lowering it to DEBUG."""
    if config.log.file is None or _FILE_HANDLERS:
        return
    from logging.handlers import RotatingFileHandler

    try:
        config.log.file.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(config.log.file, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    except OSError as exc:
        log.warning("log.file: cannot write %s (%s); logging to stderr only", config.log.file, exc.strerror or exc)
        return
    verbose = args.debug or getattr(args, "verbose", False)
    level = logging.DEBUG if verbose else getattr(logging, config.log.level.upper(), logging.INFO)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(min(root.level, level))  # the stderr handler keeps its own level (_setup_logging)
    root.addHandler(handler)
    _FILE_HANDLERS.append(handler)


def _cmd_run(args) -> int:
    from dataclasses import replace

    from .config import resolve_cli_path

    config, config_warnings = _load(args)
    changes = {}
    if args.output:
        changes["output"] = resolve_cli_path(args.output)
    if args.strict:
        changes["strict"] = True
    if args.no_pdf:
        changes["pdf"] = replace(config.pdf, enabled=False)
    if getattr(args, "offline", False):
        changes["sources"] = replace(config.sources, offline=True)
    reading = {k: v for k, v in (("workers", getattr(args, "workers", None)),
                                 ("sentence_budget", getattr(args, "sentence_budget", None)),
                                 ("engine", getattr(args, "engine", None)),
                                 ("scheduler", getattr(args, "scheduler", None))) if v is not None}
    if reading:
        changes["extract"] = replace(config.extract, **reading)
    config = config.override(**changes)
    config, inputs = _with_inputs(config, args.input)
    send = args.send or args.resend
    _check_before_work(config, args, inputs, send)
    try:
        code, summary = _run_and_send(args, config, config_warnings, inputs, send)
    except Exception as exc:  # a failed run is pinged as one, whatever failed
        _ping(config, False, f"error: {type(exc).__name__}: {exc}")
        raise
    _ping(config, code == EXIT_OK, summary)
    return code


def _run_and_send(args, config, config_warnings, inputs, send: bool) -> tuple[int, str]:
    from .util.lock import run_lock
    from .pipeline import run

    # One lock from the first read to the last email: no other run can slip in between publishing and sending.
    with run_lock(config.output), _progress(args):
        result = run(config, inputs=inputs or None, date=args.date, locked=True, mark_send=send, resend=args.resend)
        if not args.quiet:  # cron mails whatever is printed: under --quiet a good run prints nothing at all
            for path in result.files:
                print(path)
        warnings = list(config_warnings) + list(result.warnings)
        if send:
            warnings += _send(config, [result.briefing.date], resend=args.resend, quiet=True, locked=True)
    summary = f"briefing for {result.briefing.date}: {len(warnings)} warning(s)"
    if config.strict and warnings:
        print(f"error: {len(warnings)} warning(s) and --strict: treating the run as failed", file=sys.stderr)
        return EXIT_ERROR, f"{summary} and --strict"
    return EXIT_OK, summary


def _ping(config, ok: bool, summary: str) -> None:
    """The monitoring ping (monitor.url): never changes the exit code."""
    from .output.monitor import ping

    ping(config, ok, summary)


def _check_before_work(config, args, inputs: list, send: bool) -> None:
    """What would make the run fail late, checked before any work: exit 2 at once, not after a minute."""
    from .util.lock import check_output_folder

    missing = [str(p) for p in inputs if isinstance(p, Path) and not p.exists()]
    if missing:
        raise UsageError(f"--input: no such file or folder: {', '.join(missing)}")
    if send:
        _require_smtp_config(config)
    _check_date(config, args)
    check_output_folder(config.output)


def _require_smtp_config(config) -> None:
    from .output.deliver import _require_smtp
    from .errors import DeliveryError

    try:
        _require_smtp(config.smtp)
    except DeliveryError as exc:
        raise ConfigError(f"--send: {exc}") from None


def _check_date(config, args) -> None:
    """A date in the future is a typo or a wrong clock: it would become latest.md and the default send target
    for good. Up to ``FUTURE_DAYS`` ahead is clock skew between time zones; beyond needs --allow-future."""
    from .pipeline import today

    date = getattr(args, "date", None) or config.date
    if date is None:
        return
    if date.year >= 9999:  # date arithmetic a year ahead would overflow
        raise UsageError(f"--date {date} is out of range")
    limit = today(config) + dt.timedelta(days=FUTURE_DAYS)
    if date > limit and not getattr(args, "allow_future", False):
        raise UsageError(f"--date {date} is in the future (today is {today(config)} in {config.timezone}); "
                         "use --allow-future if that is meant")


def _send(config, dates, *, resend: bool, quiet: bool = False, locked: bool = False) -> list[str]:
    """Email the briefings of ``dates`` and earlier pending ones; DeliveryError (exit 1) if any did not go."""
    from .output.deliver import send

    report = send(config, dates or None, resend=resend, locked=locked)
    if not quiet:
        for date in report.sent:
            print(f"sent {date} to {', '.join(config.smtp.recipients) or 'the configured channels'}")
        for date, why in report.skipped:
            print(f"{date} {why}; not sent again (use --resend)" if why.startswith("already") else f"{date}: {why}")
    return list(report.warnings)


def _cmd_send(args) -> int:
    from .config import resolve_cli_path

    config, _ = _load(args)
    if args.output:
        config = config.override(output=resolve_cli_path(args.output))
    _check_date(config, args)
    _send(config, [args.date] if args.date else [], resend=args.resend)
    return EXIT_OK


class _Progress:
    """An elapsed-time spinner on stderr while a run works, only when stderr is a terminal (never in cron)."""

    active = False
    frames = "|/-\\"

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self._stop = self._thread = None

    def __enter__(self):
        if self.enabled:
            import threading

            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._spin, daemon=True)
            self._thread.start()
        return self

    def _spin(self) -> None:
        import itertools
        import time

        start = time.monotonic()
        for n in itertools.count():
            if self._stop.wait(0.2):
                return
            _Progress.active = True
            sys.stderr.write(f"\r{self.frames[n % 4]} working… {time.monotonic() - start:.0f} s ")
            sys.stderr.flush()

    def __exit__(self, *exc) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            _clear_progress_line(None)


def _progress(args) -> _Progress:
    return _Progress(sys.stderr.isatty() and not args.quiet and not args.debug)


def _clear_progress_line(record) -> bool:
    if _Progress.active:
        _Progress.active = False
        sys.stderr.write("\r\033[K")
    return True


def _with_inputs(config, raw: Sequence[str] | None):
    """The config and the ``--input`` values (URLs as given, paths resolved); inputs given replace the
    configured folders, feeds and pages."""
    from dataclasses import replace

    from .config import resolve_cli_path
    from .util.urls import is_http_url

    inputs = [a if is_http_url(a) else resolve_cli_path(a) for a in (raw or [])]
    if inputs:
        config = config.override(sources=replace(config.sources, feeds=(), pages=()))
    return config, inputs


def _cmd_extract(args) -> int:
    from .output.render import fact_json
    from .pipeline import themed_facts

    config, _ = _load(args)
    config, inputs = _with_inputs(config, args.input)
    for fact in themed_facts(config, inputs, args.date):
        sys.stdout.write(json.dumps(fact_json(fact), ensure_ascii=False) + "\n")
    return EXIT_OK


def _cmd_classify(args) -> int:
    from .classify import get_classifier

    config, _ = _load(args)
    classifier = get_classifier(config)
    lines = [line.strip() for line in sys.stdin if line.strip()]
    if args.explain:
        for line in lines:
            record = classifier.explain(line)
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n" if args.json else explain_table(record))
        return EXIT_OK
    for line, (theme, scores) in zip(lines, classifier.predict(lines)):
        record = {"text": line, "theme": theme, "scores": {k: round(v, 4) for k, v in scores.items()}}
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    return EXIT_OK


def _cmd_label(args) -> int:
    from .label import append_example, candidates, session, terminal_keys
    from .pipeline import today

    config, _ = _load(args)
    path = config.classify.examples_file
    if path is None:
        raise ConfigError("not set: name the file your labels go to, e.g. `classify: {examples_file: labels.jsonl}` "
                          "in config.yaml", "classify.examples_file")
    date = args.date or config.date or today(config)
    config, inputs = _with_inputs(config, args.input)
    with _progress(args):
        cands = candidates(config, date, inputs or None, args.count)
    if not cands:
        print("nothing to label: no fact found for this day")
        return EXIT_OK
    done = session(cands, terminal_keys(sys.stdin), sys.stdout, [t.key for t in config.themes],
                   lambda cand, label: append_example(path, cand, label, date), path)
    print(f"{len(done.labelled)} labelled, {done.skipped} skipped, {len(cands) - done.shown} not shown -> {path}; "
          "the next run learns from them")
    return EXIT_OK


def explain_table(record: dict) -> str:
    """``classify --explain`` for a person: the decision, the scores as bars, the terms and the nearest examples."""
    lines = [f"“{record.get('text', '')}”", f"  theme:    {record.get('theme') or '(none)'}"]
    if record.get("decided_by"):
        lines.append(f"  because:  {record['decided_by']}")
    scores = dict(record.get("scores") or {})
    if record.get("none_score") is not None:
        scores["(none)"] = record["none_score"]
    width = max((len(k) for k in scores), default=0)
    for key, score in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])):
        bar = "█" * max(0, round(float(score) * 20))
        lines.append(f"  {key:<{width}}  {float(score):5.2f}  {bar}")
    for label, found in sorted((record.get("terms") or {}).items()):
        if found:
            lines.append(f"  terms {label}: {', '.join(map(str, found))}")
    for label, found in sorted((record.get("cues") or {}).items()):
        lines.append(f"  cues {label}: {found if isinstance(found, str) else ', '.join(map(str, found))}")
    examples = record.get("examples") or {}
    if examples:
        lines.append("  nearest examples:")
        for label, rows in examples.items():
            for similarity, text in list(rows)[:2]:
                lines.append(f"    {label:<{width}}  {float(similarity):4.2f}  {_clip(str(text), 90)}")
    return "\n".join(lines) + "\n\n"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Description, examples and exit codes shown by `briefing COMMAND --help`.
_HELP = {
    "run": ("Read the day's articles (the config's sources, or --input), make the briefing and write "
            "output/<date>/briefing.md, .pdf and .json; with --send, email it.",
            ["briefing run --input samples --date 2022-04-01",
             "briefing run --config /etc/briefing/config.yaml --date yesterday --send --quiet"]),
    "send": ("Email an existing briefing, and any earlier date whose email is still pending. A date already "
             "sent is not sent again without --resend.",
             ["briefing send", "briefing send --date 2022-04-01 --resend"]),
    "extract": ("Print every fact found in the input, before merging and selection, as JSON Lines.",
                ["briefing extract --input samples > facts.jsonl"]),
    "classify": ("Give each sentence read from stdin (one a line) a theme of the config, or none.",
                 ["echo \"Shelling hit the city overnight.\" | briefing classify",
                  "echo \"Shelling hit the city overnight.\" | briefing classify --explain"]),
    "sources": ("List what the config would read (folders, feeds, pages) and what the page cache holds.",
                ["briefing sources", "briefing sources --json"]),
    "check": ("Validate the config (every problem at once, with its dotted key) and the machine: models, fonts, "
              "the output folder and, with --smtp, the mail server login.",
              ["briefing check", "briefing check --config config.yaml --smtp"]),
    "history": ("Manage the history of earlier briefings (what 'new' and 'since yesterday' compare against) and "
                "the search index.",
                ["briefing history rebuild"]),
    "label": ("Show the day's least certain sentences, with their article's title and neighbours, and take one key "
              "per answer (theme number, n none, s skip, q quit); the answers go to classify.examples_file and the "
              "next run learns from them.",
              ["briefing label --input ~/articles/2022-04-01 --date 2022-04-01 --count 20"]),
    "search": ("Search the items of past briefings: every word must match (\"a phrase\" in quotes, OR between "
               "alternatives), newest first, with date, theme, item and sources.",
               ["briefing search ceasefire --since 2022-03-01 --theme negotiations",
                "briefing search '\"humanitarian corridor\" OR evacuation' --json"]),
}
EXIT_CODES_HELP = """exit codes:
  0  success
  1  run error: nothing usable left, an email not sent, or warnings under --strict
  2  usage or config error (nothing was done)
  3  another run holds the lock on the output folder (skip: the next run will do)
  4  the output folder cannot be used (read-only, a file, no permission, disk full)
  143  stopped by SIGTERM (workers stopped, lock released, nothing half-written)"""


def _with_help(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Each subcommand's --help gets a description, examples and the exit codes (kept here, in one table)."""
    parser.epilog = EXIT_CODES_HELP
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        for name, sub in action.choices.items():
            description, examples = _HELP.get(name, (sub.description or "", []))
            sub.description = description
            sub.formatter_class = argparse.RawDescriptionHelpFormatter
            shown = "\n".join(f"  {e}" for e in examples)
            sub.epilog = (f"examples:\n{shown}\n\n" if examples else "") + EXIT_CODES_HELP
    return parser


def _cmd_sources(args) -> int:
    from .ingest.sources import cache_folder, describe_sources

    config, _ = _load(args)
    entries = describe_sources(config)
    if args.json:
        sys.stdout.write(json.dumps({"cache_dir": str(cache_folder(config)), "sources": entries},
                                    ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    out = sys.stdout
    groups = {kind: [e for e in entries if e["kind"] == kind] for kind in ("folder", "feed", "page", "cache")}
    out.write("Folders:\n" if groups["folder"] else "Folders: none\n")
    for e in groups["folder"]:
        out.write(f"  {e['path']}  ({e['files']} file(s){'' if e['exists'] else ', missing'})\n")
    out.write("Feeds:\n" if groups["feed"] else "Feeds: none\n")
    for e in groups["feed"]:
        outlet = f", outlet {e['outlet']}" if e["outlet"] else ""
        state = ("local file" + ("" if e.get("exists") else ", missing")) if e["local"] else \
            (f"cached {e['fetched_at']}" if e.get("fetched_at") else "not cached")
        out.write(f"  {e['url']}  (max {e['max_items']} items{outlet}; {state})\n")
    out.write("Pages:\n" if groups["page"] else "Pages: none\n")
    for e in groups["page"]:
        out.write(f"  {e['url']}  ({'cached ' + e['fetched_at'] if e.get('fetched_at') else 'not cached'})\n")
    total = sum(e["size"] or 0 for e in groups["cache"])
    out.write(f"Cache: {cache_folder(config)} ({len(groups['cache'])} entries, {total / 1000:.1f} kB)\n")
    for e in groups["cache"]:
        out.write(f"  {e['fetched_at'] or '?':20}  {(e['size'] or 0) / 1000:9.1f} kB  {e['url']}\n")
    return EXIT_OK


def _cmd_history(args) -> int:
    from .config import resolve_cli_path
    from .history import History

    config, _ = _load(args)
    if args.output:
        config = config.override(output=resolve_cli_path(args.output))
    with History.open(config.history_path, config.history.lookback_days) as history:
        rows = history.rebuild(config.output)
        dates = history.dates()
    print(f"history rebuilt from {config.output}: {rows} item(s) over {len(dates)} date(s) -> {config.history_path}")
    if config.search.enabled:
        from .search import rebuild as rebuild_search

        indexed, days = rebuild_search(config.history_path, config.output)
        print(f"search index rebuilt: {indexed} item(s) over {days} date(s)")
    return EXIT_OK


def _cmd_search(args) -> int:
    from .config import resolve_cli_path
    from .search import search

    config, _ = _load(args)
    if args.output:
        config = config.override(output=resolve_cli_path(args.output))
    if args.theme and config.theme(args.theme) is None:
        log.warning("--theme %s: not a theme of the config (themes: %s); searching the past briefings anyway",
                    args.theme, ", ".join(t.key for t in config.themes))
    hits = search(config.history_path, args.query, since=args.since, theme=args.theme, limit=args.limit or 50)
    if args.json:
        sys.stdout.write(json.dumps([h.as_json() for h in hits], ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    if not hits:
        print(f"no item matches {args.query!r}", file=sys.stderr)
        return EXIT_OK
    for hit in hits:
        who = f" ({hit.speaker})" if hit.speaker else ""
        print(f"{hit.date}  {hit.theme or '-'}  {hit.text}{who}")
        for source in hit.sources:
            outlet = f"{source.get('outlet')} — " if source.get("outlet") else ""
            url = f" <{source['url']}>" if source.get("url") else ""
            print(f"    {outlet}{source.get('title') or 'untitled'}{url}")
    return EXIT_OK


def _cmd_check(args) -> int:
    config, warnings = _load(args, file_log=False)  # check creates nothing, not even the log file
    if args.explain is not None:
        return _explain_config(config, args.explain)
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
    notes = _check_environment(config, args, problems)
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if problems:
        return EXIT_USAGE
    for note in notes:
        print(note)
    path = _config_path(args)
    where = str(Path(path).resolve()) if path else "no config file (none given, no ./config.yaml): the defaults"
    print(f"config OK: {where} ({len(config.themes)} themes: {', '.join(t.key for t in config.themes)})"
          + (f", {len(warnings)} warning(s)" if warnings else ""))
    return EXIT_OK


def _explain_config(config, prefix: str) -> int:
    """Each config key under ``prefix`` with its value in effect (file, defaults and flags) and its docstring."""
    import dataclasses

    from .config import Config, field_docs

    internal = {f.name for f in dataclasses.fields(Config) if f.metadata.get("internal")}
    docs = {k: v for k, v in field_docs().items() if k.split(".")[0] not in internal
            and (not prefix or k == prefix or k.startswith(prefix + "."))}
    if not docs:
        raise UsageError(f"check --explain: no config key {prefix!r} (keys: {', '.join(_top_keys())})")
    for key, doc in docs.items():
        value = config
        for part in key.split("."):
            value = getattr(value, part, None)
        print(f"{key} = {_shown_value(value)}\n    {doc}")
    return EXIT_OK


def _top_keys() -> list[str]:
    from .config import field_docs

    return sorted({k.split(".")[0] for k in field_docs()} - {"base_dir"})


def _shown_value(value) -> str:
    """A config value as YAML would spell it, on one line (themes and long lists are shortened)."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple) and value and not isinstance(value[0], (str, int, float)):
        keys = [getattr(v, "key", None) for v in value]
        return f"[{', '.join(keys)}]" if all(keys) else f"[{len(value)} entries]"
    text = json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False, default=str)
    return text if len(text) <= 100 else text[:97] + "..."


def _check_environment(config, args, problems: list[str]) -> list[str]:
    """Fonts for the PDF, a writable output folder, SMTP (with --smtp). Appends problems; returns OK lines."""
    notes = []
    if config.pdf.enabled:
        notes += _check_fonts(problems)
    from .errors import OutputError
    from .util.lock import check_output_folder

    try:
        notes.append(f"output: {check_output_folder(config.output)}")
    except OutputError as exc:
        problems.append(f"output: {exc}")
    if config.deliver.notify:
        from .output.notify import check_urls

        problems.extend(check_urls(config.deliver.notify))
    if getattr(args, "smtp", False):
        from .output.deliver import check_smtp

        try:
            notes.append(f"smtp: {check_smtp(config)}")
        except BriefingError as exc:
            problems.append(f"smtp: {exc}")
    return notes


def _check_fonts(problems: list[str]) -> list[str]:
    import shutil
    import subprocess

    if shutil.which("fc-list") is None:
        problems.append("fonts: fc-list not found; install fontconfig (the PDF needs it), or set pdf.enabled: false")
        return []
    try:
        listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        problems.append(f"fonts: fc-list failed: {exc}")
        return []
    families = {f.strip() for line in listed.splitlines() for f in line.split(",") if f.strip()}
    if not families:
        problems.append("fonts: no fonts installed (fc-list lists none); install fonts-dejavu-core, or set "
                        "pdf.enabled: false")
        return []
    if "DejaVu Sans" not in families:
        log.warning("fonts: DejaVu Sans is not installed; the PDF falls back to another font "
                    "(install fonts-dejavu-core)")
    return [f"fonts: {len(families)} font families"]


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
