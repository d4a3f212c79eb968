"""Files written as a unit, temp files of a killed run removed, modes from the umask."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from briefing.util import atomic

ROOT = Path(__file__).resolve().parent.parent


def test_a_set_replaces_all_its_files_or_none(tmp_path, monkeypatch):
    folder = tmp_path / "2022-04-01"
    atomic.write_set(folder, {"briefing.md": b"old md", "briefing.pdf": b"old pdf", "briefing.json": b"old json"})
    real = atomic._stage
    calls = []

    def full_disk(path, data):
        calls.append(path.name)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(atomic, "_stage", full_disk)
    with pytest.raises(OSError, match="No space left"):
        atomic.write_set(folder, {"briefing.md": b"new md", "briefing.pdf": b"new pdf", "briefing.json": b"new json"})
    assert sorted(p.name for p in folder.iterdir()) == ["briefing.json", "briefing.md", "briefing.pdf"]
    assert (folder / "briefing.md").read_bytes() == b"old md"  # nothing of the new set, no temp files


def test_no_pdf_this_time_removes_the_old_one_with_the_set(tmp_path):
    folder = tmp_path / "d"
    atomic.write_set(folder, {"briefing.md": b"1", "briefing.pdf": b"1", "briefing.json": b"1"})
    paths = atomic.write_set(folder, {"briefing.md": b"2", "briefing.pdf": None, "briefing.json": b"2"})
    assert sorted(paths) == ["briefing.json", "briefing.md"]
    assert sorted(p.name for p in folder.iterdir()) == ["briefing.json", "briefing.md"]


def test_a_run_killed_mid_rename_is_finished_by_the_next_and_temp_files_go(tmp_path):
    output = tmp_path / "out"
    folder = output / "2022-04-01"
    atomic.write_set(folder, {"briefing.md": b"old", "briefing.json": b"old"})
    script = textwrap.dedent(f"""
        import os
        from briefing.util import atomic
        real = os.replace
        def replace(src, dst):
            real(src, dst)
            if str(dst).endswith("briefing.md"):
                os._exit(9)  # killed after the first rename of the set
        atomic.os.replace = replace
        atomic.write_set(atomic.Path({str(folder)!r}), {{"briefing.md": b"new", "briefing.json": b"new"}})
    """)
    assert subprocess.run([sys.executable, "-c", script], cwd=ROOT).returncode == 9
    assert (folder / "briefing.md").read_bytes() == b"new" and (folder / "briefing.json").read_bytes() == b"old"
    (output / ".index.md.abc123.tmp").write_bytes(b"half")  # a temp file of another killed write
    (folder / ".briefing.pdf.xyz.tmp").write_bytes(b"half")
    atomic.recover(output)
    assert (folder / "briefing.json").read_bytes() == b"new"
    assert sorted(p.name for p in folder.iterdir()) == ["briefing.json", "briefing.md"]
    assert sorted(p.name for p in output.iterdir()) == ["2022-04-01"]


@pytest.mark.parametrize("mask,mode", [(0o077, 0o600), (0o022, 0o644), (0o002, 0o664)])
def test_new_files_get_the_mode_the_umask_gives(tmp_path, mask, mode):
    old = os.umask(mask)
    try:
        path = atomic.write_text(tmp_path / "state.json", json.dumps({"status": "sent"}))
        unit = atomic.write_set(tmp_path / "d", {"a": b"1"})["a"]
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert stat.S_IMODE(unit.stat().st_mode) == mode
