"""Atomic file writes: a temp file in the same folder, fsync, then rename. A killed run leaves the old file or
the new one, never half of one.

A set of files that belong together (a date's briefing.md, .pdf and .json) is written as a unit
(``write_set``): every file is staged as a temp file first — a full disk fails here, with the old set untouched
— then a small manifest naming them is written atomically (the commit point), the temp files are renamed into
place and the manifest removed. A run killed between the manifest and the last rename leaves the manifest: the
next run finishes the renames (``recover``) before it does anything else, so readers never keep a mixed set.
Temp files a killed run left behind are removed by the next run (``recover``).

New files get the mode the umask gives (``0o666 & ~umask``), like any file a program creates: a private
umask (077) keeps delivery state and cached pages private.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Mapping

log = logging.getLogger(__name__)

MANIFEST = ".briefing-set.json"
TMP_SUFFIX = ".tmp"


def write_bytes(path: Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _stage(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise
    return path


def write_text(path: Path, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


def write_set(folder: Path, files: Mapping[str, bytes | None]) -> dict[str, Path]:
    """Write ``files`` (name -> bytes; None removes that name) into ``folder`` as one unit. Returns the paths
    written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    staged: dict[str, str] = {}
    try:
        for name, data in files.items():
            if data is not None:
                staged[name] = _stage(folder / name, data).name
        manifest = {"rename": staged, "remove": sorted(n for n, d in files.items() if d is None)}
        write_bytes(folder / MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"))
    except BaseException:
        for tmp in staged.values():
            _unlink(folder / tmp)
        raise
    _sync_dir(folder)
    _finish(folder, manifest)
    return {name: folder / name for name in staged}


def recover(output: Path) -> None:
    """Finish a unit a killed run left half-renamed and remove stale temp files, in ``output`` and its
    sub-folders one level down (the date folders) and ``output/.cache/sources``. Call it holding the lock."""
    output = Path(output)
    if not output.is_dir():
        return
    folders = [output, output / ".cache" / "sources"]
    try:
        folders += sorted(p for p in output.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return
    for folder in folders:
        try:
            _recover_folder(folder)
        except OSError as exc:
            log.warning("%s: could not tidy up after an interrupted run (%s)", folder, exc.strerror or exc)


def _recover_folder(folder: Path) -> None:
    if not folder.is_dir():
        return
    manifest_path = folder / MANIFEST
    if manifest_path.is_file():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except ValueError:
            manifest = None
        if isinstance(manifest, dict):
            log.warning("%s: the last run was interrupted while replacing its files; finished now", folder)
            _finish(folder, manifest)
        else:
            _unlink(manifest_path)
    for path in folder.iterdir():
        if path.name.startswith(".") and path.name.endswith(TMP_SUFFIX) and path.is_file():
            log.info("%s: removed a temp file an interrupted run left", path)
            _unlink(path)


def _finish(folder: Path, manifest: dict) -> None:
    for name, tmp in (manifest.get("rename") or {}).items():
        if (folder / tmp).exists():
            os.replace(folder / tmp, folder / name)
    for name in manifest.get("remove") or []:
        _unlink(folder / name)
    _unlink(folder / MANIFEST)
    _sync_dir(folder)


def _stage(path: Path, data: bytes) -> Path:
    """``data`` in a synced temp file next to ``path``, with the mode the umask gives."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o666 & ~umask())  # mkstemp makes 0600 whatever the umask says
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        _unlink(Path(tmp))
        raise
    return Path(tmp)


def umask() -> int:
    """The process's umask, read without changing it (Linux: /proc), else by setting and restoring it."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            return int(next(x for x in fh if x.startswith("Umask:")).split()[1], 8)
    except (OSError, StopIteration, ValueError, IndexError):
        current = os.umask(0o022)
        os.umask(current)
        return current


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
