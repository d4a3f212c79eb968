"""Publishing for readers of a git repository: ``index.md`` and ``latest.md`` in the output folder, and
optionally a commit of the new files into the repository that holds the output folder.

``output/`` keeps one folder per date (``2022-04-01/briefing.md``, ``.pdf``, ``.json``); ``index.md`` lists every
briefing, newest first, with its headline takeaway read from ``briefing.json``; ``latest.md`` is the newest
briefing's Markdown with its relative links rewritten to be valid from ``output/``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..errors import DeliveryError
from ..util import atomic

log = logging.getLogger(__name__)

INDEX_NAME = "index.md"
LATEST_NAME = "latest.md"
BRIEFING_FILES = ("briefing.md", "briefing.pdf", "briefing.json", "briefing.html")
ARCHIVE_FILES = ("index.html", "feed.xml")
"""The web archive's front page and feed (archive.py), committed with the date's files: a repository served as
a static site (GitHub or GitLab Pages) then shows the archive."""
_DATE_DIR = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Entry:
    """One briefing found in the output folder."""

    date: dt.date
    folder: Path
    title: str
    headline: str
    """The first takeaway's text, or empty when briefing.json has none or cannot be read."""


@dataclass(frozen=True)
class Published:
    files: tuple[Path, ...]
    """index.md and latest.md as written (empty when ``publish.index`` is off)."""
    commit: str | None
    """The new commit's hash, when ``publish.git`` made one."""
    warnings: tuple[str, ...]


def publish(config: Config, date: dt.date) -> Published:
    """Update index.md and latest.md (``publish.index``) and commit the date's files (``publish.git``)."""
    output = Path(config.output)
    warnings: list[str] = []
    entries = find_briefings(output, warnings)
    files: list[Path] = []
    if config.publish.index and entries:
        try:
            files.append(write_index(output, entries, config.title))
            files.append(write_latest(output, entries[0]))
        except OSError as exc:
            raise DeliveryError(f"cannot update {output / INDEX_NAME} or {LATEST_NAME}: {exc.strerror or exc}; "
                                "the briefing files stay in place") from None
    commit = None
    if config.publish.git:
        paths = [p for p in (output / date.isoformat() / n for n in BRIEFING_FILES) if p.exists()] + files
        paths += [p for p in (output / n for n in ARCHIVE_FILES) if p.exists()]
        commit = git_commit(output, paths, commit_message(date, entries), warnings)
    return Published(tuple(files), commit, tuple(warnings))


# ------------------------------------------------------------------------------------------------ the archive


def find_briefings(output: Path, warnings: list[str] | None = None) -> list[Entry]:
    """Every date folder of ``output`` holding a briefing.md, newest first."""
    if not output.is_dir():
        return []
    entries = []
    for folder in output.iterdir():
        date = _folder_date(folder)
        if date is not None and (folder / "briefing.md").is_file():
            entries.append(_read_entry(folder, date, warnings if warnings is not None else []))
    return sorted(entries, key=lambda e: e.date, reverse=True)


def _folder_date(folder: Path) -> dt.date | None:
    if not folder.is_dir() or not _DATE_DIR.fullmatch(folder.name):
        return None
    try:
        return dt.date.fromisoformat(folder.name)
    except ValueError:
        return None


def _read_entry(folder: Path, date: dt.date, warnings: list[str]) -> Entry:
    path = folder / "briefing.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        title = data.get("title") or ""
        takeaways = data.get("takeaways") or []
        headline = (takeaways[0].get("text") or "") if takeaways else ""
    except FileNotFoundError:
        return Entry(date, folder, "", "")
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        message = f"{path}: cannot read the headline ({type(exc).__name__}); listed without it"
        log.warning("%s", message)
        warnings.append(message)
        return Entry(date, folder, "", "")
    return Entry(date, folder, str(title), str(headline))


def write_index(output: Path, entries: list[Entry], title: str) -> Path:
    """index.md: every briefing, newest first, each with its headline takeaway. No timestamps: a re-run that
    changes nothing rewrites the same bytes."""
    lines = [f"# {_escape(title)}: all briefings", "", f"Newest first. The latest is also in [{LATEST_NAME}]({LATEST_NAME}).", ""]
    for entry in entries:
        lines.append(_index_line(entry))
    return atomic.write_text(output / INDEX_NAME, "\n".join(lines) + "\n")


def _index_line(entry: Entry) -> str:
    day = entry.date.isoformat()
    line = f"- **[{day}]({day}/briefing.md)** ({entry.date.strftime('%A')})"
    if (entry.folder / "briefing.pdf").is_file():
        line += f" · [PDF]({day}/briefing.pdf)"
    if entry.headline:
        line += f" — {_escape(_one_line(entry.headline))}"
    return line


def write_latest(output: Path, entry: Entry) -> Path:
    """latest.md: the newest briefing's Markdown, relative links pointing into its date folder."""
    text = (entry.folder / "briefing.md").read_text(encoding="utf-8")
    return atomic.write_text(output / LATEST_NAME, rebase_links(text, entry.folder.name))


_INLINE_LINK = re.compile(r"(?<!\\)\]\(\s*(<[^>\n]*>|[^)\s]+)")
_REF_DEF = re.compile(r"^( {0,3}\[[^\]\n]+\]:[ \t]*)(<[^>\n]*>|\S+)", re.MULTILINE)
_HTML_ATTR = re.compile(r"""(\b(?:href|src)=)(["'])([^"']*)\2""", re.IGNORECASE)


def rebase_links(markdown: str, prefix: str) -> str:
    """Make relative link targets in ``markdown`` relative to the folder above: ``x.pdf`` -> ``prefix/x.pdf``.
    Absolute URLs, ``mailto:``, ``#fragments`` and ``/rooted`` paths are left alone."""
    def fix(target: str) -> str:
        bare = target[1:-1] if target.startswith("<") else target
        if not bare or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:|[#/]", bare):
            return target
        new = f"{prefix}/{bare}"
        return f"<{new}>" if target.startswith("<") else new

    markdown = _INLINE_LINK.sub(lambda m: "](" + fix(m.group(1)), markdown)
    markdown = _REF_DEF.sub(lambda m: m.group(1) + fix(m.group(2)), markdown)
    return _HTML_ATTR.sub(lambda m: f"{m.group(1)}{m.group(2)}{fix(m.group(3))}{m.group(2)}", markdown)


def _escape(text: str) -> str:
    from .render import md_escape

    return str(md_escape(text))


def _one_line(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


# ------------------------------------------------------------------------------------------------------- git


def commit_message(date: dt.date, entries: list[Entry]) -> str:
    entry = next((e for e in entries if e.date == date), None)
    subject = f"briefing: {date.isoformat()}"
    if entry and entry.title:
        subject += f" — {_one_line(entry.title, 60)}"
    body = f"\n\nHeadline: {_one_line(entry.headline, 200)}" if entry and entry.headline else ""
    return subject + body + "\n"


def git_commit(output: Path, paths: list[Path], message: str, warnings: list[str]) -> str | None:
    """Commit ``paths`` (and only them) into the repository holding ``output``. Not in a repository, or the
    paths ignored: one warning, nothing done. A git command that fails: DeliveryError."""
    top = _repo_root(output)
    if top is None:
        _warn(warnings, f"publish.git: {output} is not inside a git repository; nothing committed")
        return None
    rel = [os.path.relpath(p.resolve(), top) for p in paths]
    ignored = _ignored(top, rel)
    if ignored:
        _warn(warnings, f"publish.git: {', '.join(ignored)} ignored by .gitignore in {top}; nothing committed")
        return None
    _git(top, "add", "--", *rel)
    if _git(top, "diff", "--cached", "--quiet", "--", *rel, check=False).returncode == 0:
        log.info("publish.git: nothing new to commit in %s", top)
        return None
    _git(top, "commit", "--quiet", "-m", message, "--", *rel, options=_identity(top))
    sha = _git(top, "rev-parse", "--short", "HEAD").stdout.strip()
    log.info("publish.git: committed %d file(s) to %s as %s", len(rel), top, sha)
    return sha


def _warn(warnings: list[str], message: str) -> None:
    log.warning("%s", message)
    warnings.append(message)


def _repo_root(output: Path) -> Path | None:
    try:
        result = _git(output, "rev-parse", "--show-toplevel", check=False)
    except DeliveryError:  # git itself is missing
        return None
    if result.returncode != 0 or not result.stdout.strip():
        return None
    return Path(result.stdout.strip())


def _ignored(top: Path, rel: list[str]) -> list[str]:
    result = _git(top, "check-ignore", "--", *rel, check=False)
    return [line for line in result.stdout.splitlines() if line.strip()] if result.returncode == 0 else []


def _identity(top: Path) -> list[str]:
    """``-c user.name=... -c user.email=...`` when the machine has no git identity (a bare cron host)."""
    flags = []
    for key, value in (("user.name", "briefing"), ("user.email", "briefing@localhost")):
        if _git(top, "config", "--get", key, check=False).returncode != 0:
            flags += ["-c", f"{key}={value}"]
    return flags


def _git(cwd: Path, *args: str, check: bool = True, options: list[str] = ()) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        result = subprocess.run(["git", *options, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
                                stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise DeliveryError("publish.git: the git command is not installed") from None
    except subprocess.TimeoutExpired:
        raise DeliveryError(f"publish.git: 'git {args[0]}' timed out in {cwd}") from None
    if check and result.returncode != 0:
        detail = " ".join((result.stderr or result.stdout).split())[:300]
        raise DeliveryError(f"publish.git: 'git {args[0]}' failed in {cwd}: {detail}; "
                            "the briefing files stay in place")
    return result
