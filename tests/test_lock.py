"""One run at a time per output folder."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from briefing.cli import main
from briefing.errors import LockError
from briefing.util.lock import run_lock


def test_a_second_lock_on_the_same_output_fails_at_once(tmp_path):
    output = tmp_path / "out"
    with run_lock(output) as path:
        assert path == output / ".briefing.lock"
        assert path.read_text() == f"{os.getpid()}\n"
        with pytest.raises(LockError) as caught:
            with run_lock(output):
                pass
    assert str(caught.value) == (f"another briefing run (pid {os.getpid()}) is already writing to {output}; "
                                 f"not starting a second one (lock: {output / '.briefing.lock'})")
    assert caught.value.exit_code == 3
    with run_lock(output):  # released
        pass


def test_different_outputs_do_not_block_each_other(tmp_path):
    with run_lock(tmp_path / "a"), run_lock(tmp_path / "b"):
        pass


def test_the_lock_dies_with_its_process(tmp_path):
    output = tmp_path / "out"
    script = textwrap.dedent(f"""
        import os, sys
        from briefing.util.lock import run_lock
        with run_lock({str(output)!r}):
            print("locked", flush=True)
            sys.stdin.readline()
            os._exit(9)  # killed mid-run: no clean-up code runs
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout.readline() == "locked\n"
        with pytest.raises(LockError, match=rf"\(pid {child.pid}\)"):
            with run_lock(output):
                pass
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.wait(timeout=30) == 9
    finally:
        if child.poll() is None:
            child.kill()
    with run_lock(output):
        pass


def test_cli_run_exits_3_with_one_line_while_another_run_holds_the_lock(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    output = tmp_path / "out"
    (tmp_path / "a.txt").write_text("Officials said the shelling continued overnight in the east of the country.")
    with run_lock(output):
        code = main(["run", "--input", str(tmp_path / "a.txt"), "--output", str(output), "--no-pdf",
                     "--date", "2022-04-01"])
        send_code = main(["send", "--output", str(output), "--date", "2022-04-01"])
    err = capsys.readouterr().err
    assert code == 3 and send_code == 3
    assert err.splitlines()[0] == (f"error: another briefing run (pid {os.getpid()}) is already writing to {output}; "
                                   f"not starting a second one (lock: {output / '.briefing.lock'})")
    assert not (output / "2022-04-01").exists()


# ------------------------------------------------------------------------------ cron safety: logs and progress


def test_log_file_gets_the_error_line_and_rotates_at_1_mb(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    log_file = tmp_path / "logs" / "briefing.log"
    log_file.parent.mkdir()
    log_file.write_bytes(b"x" * 999_990 + b"\n")
    config = tmp_path / "config.yaml"
    config.write_text("output: out\nlog: {file: logs/briefing.log}\n", encoding="utf-8")
    assert main(["send", "--config", str(config), "--quiet"]) == 1
    assert capsys.readouterr().err == f"error: no briefing in {tmp_path / 'out'} to send; make one with 'briefing run' first\n"
    assert (tmp_path / "logs" / "briefing.log.1").stat().st_size == 999_991  # rotated at 1 MB
    (line,) = log_file.read_text().splitlines()
    assert line.endswith(f" ERROR briefing: no briefing in {tmp_path / 'out'} to send; make one with 'briefing run' "
                         "first")
    import logging

    from logging.handlers import RotatingFileHandler

    assert not [h for h in logging.getLogger().handlers if isinstance(h, RotatingFileHandler)]  # closed after main


def test_an_unwritable_log_file_is_a_warning_not_a_failure(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "blocker").write_text("a file where a folder should be")
    config = tmp_path / "config.yaml"
    config.write_text("output: out\nlog: {file: blocker/briefing.log}\n", encoding="utf-8")
    assert main(["send", "--config", str(config)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"WARNING: log.file: cannot write {tmp_path / 'blocker' / 'briefing.log'} (")
    assert err[1].startswith("error: no briefing in ")


class _FakeTerminal:
    def __init__(self, tty: bool):
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, s: str) -> int:
        self.text += s
        return len(s)

    def flush(self) -> None:
        pass


def _args(**kw):
    import argparse

    return argparse.Namespace(**{"quiet": False, "debug": False, **kw})


def test_progress_only_on_a_terminal_and_never_with_quiet(monkeypatch):
    import time

    from briefing import cli

    for tty, quiet, shown in ((True, False, True), (False, False, False), (True, True, False)):
        fake = _FakeTerminal(tty)
        monkeypatch.setattr(cli.sys, "stderr", fake)
        with cli._progress(_args(quiet=quiet)):
            time.sleep(0.5)
        assert ("working…" in fake.text) is shown
        if shown:
            assert fake.text.startswith("\r") and fake.text.endswith("\r\033[K")
