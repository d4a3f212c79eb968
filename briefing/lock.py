"""One run at a time per output folder: a non-blocking ``fcntl.flock`` on ``<output>/.briefing.lock``.

The lock is tied to the open file, so the kernel releases it when the process dies, however it dies: a crashed
or killed run never leaves a stale lock behind. The file itself stays (deleting it would race with a run that
just opened it); it holds the pid of the run that last took the lock, for the error message.
"""

from __future__ import annotations

import fcntl
import logging
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import LockError

log = logging.getLogger(__name__)

LOCK_NAME = ".briefing.lock"


def lock_path(output: Path) -> Path:
    return Path(output) / LOCK_NAME


@contextmanager
def run_lock(output: Path) -> Iterator[Path]:
    """Hold the output folder's lock for the duration of the ``with`` block, or raise LockError at once."""
    path = lock_path(output)
    fd = _open(path)
    try:
        _acquire(fd, path)
        _write_pid(fd)
        log.debug("lock taken: %s", path)
        yield path
    finally:
        os.close(fd)  # closing the file releases the flock


def _open(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise LockError(f"cannot create the lock file {path}: {exc.strerror or exc}") from None


def _acquire(fd: int, path: Path) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_pid(fd)
        who = f" (pid {holder})" if holder else ""
        raise LockError(f"another briefing run{who} is already writing to {path.parent}; "
                        f"not starting a second one (lock: {path})") from None
    except OSError as exc:
        raise LockError(f"cannot lock {path}: {exc.strerror or exc}") from None


def _read_pid(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""


def _write_pid(fd: int) -> None:
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    except OSError:  # the pid is only a courtesy for the error message
        pass
