"""An unattended job under hostile conditions: exit codes checked before any work, one lock from the first read to
the last email, SIGTERM, an unusable output folder, dates in the future, ``check`` that creates nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from briefing import pipeline
from briefing.output import deliver
from briefing.cli import main
from briefing.errors import DeliveryError, LockError
from briefing.util.lock import run_lock
from briefing.models import Briefing, Stats

ROOT = Path(__file__).resolve().parent.parent
DAY = dt.date(2022, 4, 1)


def config_file(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"output: out\npdf:\n  enabled: false\n{extra}", encoding="utf-8")
    return path


@pytest.fixture
def article(tmp_path) -> Path:
    path = tmp_path / "in" / "a.txt"
    path.parent.mkdir()
    path.write_text("Officials said the shelling continued overnight in the east of the country.", encoding="utf-8")
    return path


@pytest.fixture
def no_work(monkeypatch):
    """Fails the test if the pipeline starts: these errors must come before any work."""
    def refuse(*args, **kwargs):
        raise AssertionError("the pipeline ran")

    monkeypatch.setattr(pipeline, "_make", refuse)


def test_send_without_smtp_is_exit_2_before_any_work(tmp_path, article, no_work, capsys):
    code = main(["run", "--config", str(config_file(tmp_path)), "--input", str(article), "--send", "--date", "2022-04-01"])
    assert code == 2
    assert capsys.readouterr().err == ("error: --send: email is not configured: set smtp.host, smtp.recipients, "
                                       "smtp.sender in the config\n")
    assert not (tmp_path / "out").exists()


def test_a_missing_input_path_is_exit_2_before_any_work(tmp_path, article, no_work, capsys):
    missing = tmp_path / "nowhere"
    code = main(["run", "--config", str(config_file(tmp_path)), "--input", str(article), str(missing)])
    assert code == 2
    assert capsys.readouterr().err == f"error: --input: no such file or folder: {missing}\n"


def test_an_output_path_that_is_a_file_is_exit_4_not_3(tmp_path, article, no_work, capsys):
    blocker = tmp_path / "out"
    blocker.write_text("not a folder")
    code = main(["run", "--config", str(config_file(tmp_path)), "--input", str(article), "--date", "2022-04-01"])
    assert code == 4
    assert capsys.readouterr().err == f"error: cannot use the output folder {blocker}: {blocker} is a file, not a folder\n"
    assert main(["send", "--config", str(config_file(tmp_path)), "--date", "2022-04-01"]) == 4
    assert main(["history", "rebuild", "--output", str(blocker / "sub")]) == 4
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"error: cannot use the output folder {blocker}: {blocker} is a file, not a folder"
    assert err[1].startswith(f"error: {blocker / 'sub' / 'history.sqlite'}: cannot open or write the database: ")


def test_a_lock_file_that_cannot_be_made_is_exit_4(tmp_path):
    from briefing.errors import OutputError

    output = tmp_path / "out"
    output.mkdir()
    (output / ".briefing.lock").mkdir()  # a folder where the lock file should be
    with pytest.raises(OutputError) as caught:
        with run_lock(output):
            pass
    assert caught.value.exit_code == 4
    assert str(caught.value).startswith(f"cannot use the output folder {output}: cannot create the lock file "
                                        ".briefing.lock (")


@pytest.mark.parametrize("date,message", [
    ("2999-01-01", "--date 2999-01-01 is in the future (today is {today} in UTC); use --allow-future if that is meant"),
    ("9999-12-31", "--date 9999-12-31 is out of range"),
])
def test_future_dates_are_refused_unless_allowed(tmp_path, article, no_work, capsys, date, message):
    today = dt.datetime.now(dt.timezone.utc).date()
    assert main(["run", "--config", str(config_file(tmp_path)), "--input", str(article), "--date", date]) == 2
    assert capsys.readouterr().err == f"error: {message.format(today=today)}\n"
    assert main(["send", "--config", str(config_file(tmp_path)), "--date", date]) == 2


def test_tomorrow_is_clock_skew_and_allow_future_lets_a_date_through(tmp_path, article, monkeypatch):
    seen = []
    monkeypatch.setattr(pipeline, "_make", lambda config, inputs, date: seen.append(date) or _result(config, date))
    tomorrow = dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=1)
    cfg = str(config_file(tmp_path))
    assert main(["run", "--config", cfg, "--input", str(article), "--date", tomorrow.isoformat(), "-q"]) == 0
    assert main(["run", "--config", cfg, "--input", str(article), "--date", "2999-01-01", "--allow-future",
                 "-q"]) == 0
    assert seen == [tomorrow, dt.date(2999, 1, 1)]


def _result(config, date) -> pipeline.RunResult:
    from briefing.util import atomic

    brief = Briefing(date=date, title="T", generated_at="", takeaways=(), sections=(), sources=(), key_figures=(),
                     quotes=(), stats=Stats())
    folder = config.output / date.isoformat()
    md = atomic.write_text(folder / "briefing.md", "# T\n")
    return pipeline.RunResult(brief, folder, (md,), ())


def test_one_lock_is_held_from_the_run_to_the_last_email(tmp_path, article, monkeypatch):
    monkeypatch.setattr(pipeline, "_make", lambda config, inputs, date: _result(config, date))
    held = []

    def fake_send(config, dates=None, *, resend=False, include_pending=True, locked=False):
        try:
            with run_lock(config.output):
                held.append(False)
        except LockError:
            held.append(True)
        assert json.loads((config.output / "2022-04-01" / ".delivery.json").read_text())["status"] == "pending"
        return deliver.Report(sent=list(dates))

    monkeypatch.setattr(deliver, "send", fake_send)
    cfg = config_file(tmp_path, "smtp:\n  host: 127.0.0.1\n  sender: a@example.org\n  recipients: [b@example.org]\n")
    assert main(["run", "--config", str(cfg), "--input", str(article), "--date", "2022-04-01", "--send", "-q"]) == 0
    assert held == [True]


def test_a_rendered_date_stays_pending_when_publishing_fails(tmp_path, article, monkeypatch, capsys):
    monkeypatch.setattr(pipeline, "_make", lambda config, inputs, date: _result(config, date))

    def broken_publish(config, result):
        raise DeliveryError("publish.git: 'git commit' failed")

    monkeypatch.setattr(pipeline, "_publish", broken_publish)
    cfg = config_file(tmp_path, "smtp:\n  host: 127.0.0.1\n  sender: a@example.org\n  recipients: [b@example.org]\n")
    assert main(["run", "--config", str(cfg), "--input", str(article), "--date", "2022-04-01", "--send", "-q"]) == 1
    state = json.loads((tmp_path / "out" / "2022-04-01" / ".delivery.json").read_text())
    assert state["status"] == "pending"  # the next send delivers it
    assert deliver.pending_dates(tmp_path / "out", DAY + dt.timedelta(days=1)) == [DAY]


def test_check_names_its_config_and_creates_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("briefing.cli._check_fonts", lambda problems: [])
    monkeypatch.setattr("briefing.nlp.get_nlp", lambda: None)
    monkeypatch.setattr("briefing.embed.get_embedder", lambda: None)
    before = sorted(tmp_path.rglob("*"))
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "config OK: no config file (none given, no ./config.yaml): the defaults (4 themes" in out
    assert f"output: {tmp_path / 'output'} will be created (in {tmp_path}, writable)" in out
    cfg = config_file(tmp_path, "log:\n  file: logs/briefing.log\n")
    before = sorted(tmp_path.rglob("*"))
    assert main(["check", "--config", str(cfg)]) == 0
    assert f"config OK: {cfg} (4 themes" in capsys.readouterr().out
    assert sorted(tmp_path.rglob("*")) == before  # no output folder, no log folder


# ----------------------------------------------------------------------------------------------------- SIGTERM


SCRIPT = """
import multiprocessing, os, sys, time
from concurrent.futures import ProcessPoolExecutor

def slow(n):
    time.sleep(60)

def fake_make(config, inputs, date):
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(slow, n) for n in range(4)]
        while len(pool._processes) < 2:
            time.sleep(0.05)
        with open(sys.argv[2], "w") as fh:
            fh.write(" ".join(str(p) for p in pool._processes))
        for f in futures:
            f.result()

if __name__ == "__main__":
    from briefing import pipeline
    from briefing.cli import main
    pipeline._make = fake_make
    sys.exit(main(["run", "--output", sys.argv[1], "--input", sys.argv[3], "--date", "2022-04-01", "-q"]))
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return "\nState:\tZ" not in fh.read()
    except FileNotFoundError:
        return False


def test_sigterm_stops_the_workers_releases_the_lock_and_exits_143(tmp_path, article):
    script = tmp_path / "job.py"
    script.write_text(SCRIPT)
    pids_file = tmp_path / "pids"
    output = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's package, in the job and its workers
    child = subprocess.Popen([sys.executable, str(script), str(output), str(pids_file), str(article)], cwd=ROOT,
                             env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (pids_file.exists() and pids_file.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = [int(p) for p in pids_file.read_text().split()]
        assert len(workers) == 2 and all(_alive(p) for p in workers)
        child.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert child.wait(timeout=20) == 143
        assert time.monotonic() - started < 10
        assert child.stderr.read().splitlines()[-1] == ("error: terminated (SIGTERM); worker processes stopped, lock "
                                                        "released, nothing half-written")
        gone = time.monotonic() + 5
        while any(_alive(p) for p in workers) and time.monotonic() < gone:
            time.sleep(0.05)
        assert not any(_alive(p) for p in workers)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for pid in [int(p) for p in pids_file.read_text().split()] if pids_file.exists() else []:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    with run_lock(output):  # free again
        pass
