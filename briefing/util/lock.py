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

from ..errors import LockError, OutputError

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
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)  # the umask decides who may read it
    except OSError as exc:
        check_output_folder(path.parent)  # the clearer reason, when there is one (a file where the folder is)
        raise OutputError(f"cannot use the output folder {path.parent}: cannot create the lock file {path.name} "
                          f"({exc.strerror or exc})") from None


def check_output_folder(output: Path) -> str:
    """Whether the output folder can be used, without creating anything: it is a writable folder, or the
    nearest folder above it that exists is writable (it will be made there). OutputError otherwise."""
    output = Path(output)
    probe = output
    while not probe.exists() and probe.parent != probe:
        if probe.is_symlink():  # a dangling link
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise OutputError(f"cannot use the output folder {output}: {probe} is a file, not a folder")
    if not probe.exists() or not os.access(probe, os.W_OK | os.X_OK):
        why = "does not exist" if not probe.exists() else "is not writable"
        raise OutputError(f"cannot use the output folder {output}: {probe} {why}")
    return f"{output} writable" if probe == output else f"{output} will be created (in {probe}, writable)"


def _acquire(fd: int, path: Path) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_pid(fd)
        who = f" (pid {holder})" if holder else ""
        raise LockError(f"another briefing run{who} is already writing to {path.parent}; "
                        f"not starting a second one (lock: {path})") from None
    except OSError as exc:
        raise OutputError(f"cannot use the output folder {path.parent}: cannot lock {path.name} "
                          f"({exc.strerror or exc})") from None


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
