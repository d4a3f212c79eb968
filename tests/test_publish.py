"""index.md, latest.md and the git commit of a run's files (on temporary git repositories)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from briefing.config import Config, PublishConfig
from briefing.errors import DeliveryError
from briefing.output.publish import find_briefings, publish, rebase_links

DAY = dt.date(2022, 4, 1)


def make_briefing(output: Path, date: dt.date, headline: str | None = "Talks resumed.", pdf: bool = False,
                  markdown: str | None = None) -> Path:
    folder = output / date.isoformat()
    folder.mkdir(parents=True)
    (folder / "briefing.md").write_text(markdown or f"# Briefing {date}\n\n- {headline}\n", encoding="utf-8")
    takeaways = [{"text": headline}] if headline else []
    (folder / "briefing.json").write_text(json.dumps({"title": "Daily briefing", "takeaways": takeaways}),
                                          encoding="utf-8")
    if pdf:
        (folder / "briefing.pdf").write_bytes(b"%PDF-1.4\n")
    return folder


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def bare_git(monkeypatch):
    """A machine with no git identity: no global or system config."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)


def repo_with_output(tmp_path: Path) -> tuple[Path, Path]:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    output = repo / "output"
    output.mkdir()
    return repo, output


# ------------------------------------------------------------------------------------------- index and latest


def test_index_lists_every_briefing_newest_first_with_its_headline(tmp_path):
    output = tmp_path / "out"
    make_briefing(output, DAY - dt.timedelta(days=1), "Convoy reached *Mariupol* | 42 buses.", pdf=True)
    make_briefing(output, DAY, "Talks resumed in Istanbul.")
    make_briefing(output, DAY - dt.timedelta(days=2), None)
    (output / "not-a-date").mkdir()
    (output / "2022-13-45").mkdir()
    (output / "2022-03-01").mkdir()  # a date folder without a briefing
    result = publish(Config(output=output), DAY)
    assert result.files == (output / "index.md", output / "latest.md")
    assert (output / "index.md").read_text() == (
        "# Daily briefing: all briefings\n\n"
        "Newest first. The latest is also in [latest.md](latest.md).\n\n"
        "- **[2022-04-01](2022-04-01/briefing.md)** (Friday) — Talks resumed in Istanbul.\n"
        "- **[2022-03-31](2022-03-31/briefing.md)** (Thursday) · [PDF](2022-03-31/briefing.pdf) — "
        "Convoy reached \\*Mariupol\\* \\| 42 buses.\n"
        "- **[2022-03-30](2022-03-30/briefing.md)** (Wednesday)\n")
    assert (output / "latest.md").read_text() == "# Briefing 2022-04-01\n\n- Talks resumed in Istanbul.\n"
    assert result.warnings == ()


def test_latest_is_the_newest_date_even_when_an_older_one_is_rerun(tmp_path):
    output = tmp_path / "out"
    make_briefing(output, DAY, "Newest.")
    make_briefing(output, DAY - dt.timedelta(days=3), "Older.")
    publish(Config(output=output), DAY - dt.timedelta(days=3))
    assert "Newest." in (output / "latest.md").read_text()


def test_latest_rewrites_relative_links_to_be_valid_from_the_output_folder():
    markdown = ("See [the PDF](briefing.pdf), [source](https://example.org/a), [top](#sources), "
                "[mail](mailto:a@example.org), ![chart](img/chart.png), [root](/abs), not a link \\](x.md).\n\n"
                "[ref]: notes/ref.md\n<a href=\"data.json\">data</a>\n")
    assert rebase_links(markdown, "2022-04-01") == (
        "See [the PDF](2022-04-01/briefing.pdf), [source](https://example.org/a), [top](#sources), "
        "[mail](mailto:a@example.org), ![chart](2022-04-01/img/chart.png), [root](/abs), not a link \\](x.md).\n\n"
        "[ref]: 2022-04-01/notes/ref.md\n<a href=\"2022-04-01/data.json\">data</a>\n")


def test_a_broken_briefing_json_is_one_warning_and_still_listed(tmp_path, caplog):
    output = tmp_path / "out"
    folder = make_briefing(output, DAY)
    (folder / "briefing.json").write_text("{not json", encoding="utf-8")
    result = publish(Config(output=output), DAY)
    assert result.warnings == (f"{folder / 'briefing.json'}: cannot read the headline (JSONDecodeError); "
                               "listed without it",)
    assert "- **[2022-04-01](2022-04-01/briefing.md)** (Friday)\n" in (output / "index.md").read_text()


def test_index_off_writes_nothing(tmp_path):
    output = tmp_path / "out"
    make_briefing(output, DAY)
    result = publish(Config(output=output, publish=PublishConfig(index=False)), DAY)
    assert result.files == () and not (output / "index.md").exists()


def test_find_briefings_on_a_missing_folder(tmp_path):
    assert find_briefings(tmp_path / "nope") == []


# ------------------------------------------------------------------------------------------------------- git


def test_git_commits_the_new_files_with_a_clear_message_on_a_bare_machine(tmp_path, bare_git):
    repo, output = repo_with_output(tmp_path)
    (repo / "unrelated.txt").write_text("staged, not ours\n")
    git(repo, "add", "unrelated.txt")
    make_briefing(output, DAY, "Talks resumed in Istanbul.", pdf=True)
    (output / "2022-04-01" / ".delivery.json").write_text("{}")
    (output / ".briefing.lock").write_text("1\n")
    (output / "history.sqlite").write_bytes(b"SQLite")
    config = Config(output=output, title="Ukraine war — daily briefing", publish=PublishConfig(git=True))
    result = publish(config, DAY)
    assert result.commit and result.warnings == ()
    assert git(repo, "log", "--format=%an <%ae>%n%B").strip() == (
        "briefing <briefing@localhost>\nbriefing: 2022-04-01 — Daily briefing\n\n"
        "Headline: Talks resumed in Istanbul.")
    assert git(repo, "show", "--name-only", "--format=").split() == [
        "output/2022-04-01/briefing.json", "output/2022-04-01/briefing.md", "output/2022-04-01/briefing.pdf",
        "output/index.md", "output/latest.md"]
    assert git(repo, "diff", "--cached", "--name-only").split() == ["unrelated.txt"]  # left as the user had it


def test_git_uses_the_users_identity_when_there_is_one(tmp_path, bare_git):
    repo, output = repo_with_output(tmp_path)
    git(repo, "config", "user.name", "Desk Editor")
    git(repo, "config", "user.email", "desk@example.org")
    make_briefing(output, DAY)
    publish(Config(output=output, publish=PublishConfig(git=True)), DAY)
    assert git(repo, "log", "--format=%an <%ae>").strip() == "Desk Editor <desk@example.org>"


def test_git_second_run_without_changes_makes_no_commit(tmp_path, bare_git):
    repo, output = repo_with_output(tmp_path)
    make_briefing(output, DAY)
    config = Config(output=output, publish=PublishConfig(git=True))
    assert publish(config, DAY).commit
    assert publish(config, DAY).commit is None
    (output / "2022-04-01" / "briefing.md").write_text("# Updated\n")
    assert publish(config, DAY).commit
    assert len(git(repo, "log", "--oneline").splitlines()) == 2


def test_git_outside_a_repository_is_one_warning(tmp_path, bare_git, monkeypatch, caplog):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    output = tmp_path / "out"
    make_briefing(output, DAY)
    caplog.set_level(logging.WARNING)
    result = publish(Config(output=output, publish=PublishConfig(git=True)), DAY)
    assert result.warnings == (f"publish.git: {output} is not inside a git repository; nothing committed",)
    assert [r.getMessage() for r in caplog.records] == list(result.warnings)
    assert (output / "index.md").exists()


def test_git_ignored_output_is_one_warning(tmp_path, bare_git):
    repo, output = repo_with_output(tmp_path)
    (repo / ".gitignore").write_text("/output/*\n")
    make_briefing(output, DAY)
    result = publish(Config(output=output, publish=PublishConfig(git=True)), DAY)
    (warning,) = result.warnings
    assert warning.startswith("publish.git: output/2022-04-01/briefing.md, ")
    assert warning.endswith(f" ignored by .gitignore in {repo}; nothing committed")
    assert git(repo, "status", "--porcelain").split() == ["??", ".gitignore"]


def test_git_failure_is_a_delivery_error_and_the_files_stay(tmp_path, bare_git):
    repo, output = repo_with_output(tmp_path)
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'refused by policy' >&2\nexit 1\n")
    hook.chmod(0o755)
    make_briefing(output, DAY)
    with pytest.raises(DeliveryError) as caught:
        publish(Config(output=output, publish=PublishConfig(git=True)), DAY)
    assert str(caught.value) == (f"publish.git: 'git commit' failed in {repo}: refused by policy; "
                                 "the briefing files stay in place")
    assert (output / "2022-04-01" / "briefing.md").exists() and (output / "index.md").exists()


def test_shipped_systemd_unit_is_hardened():
    unit = (Path(__file__).resolve().parent.parent / "docs" / "systemd" / "briefing.service").read_text(encoding="utf-8")
    settings = {line.split("=", 1)[0]: line.split("=", 1)[1] for line in unit.splitlines()
                if "=" in line and not line.startswith("#")}
    for key, value in {"ProtectSystem": "strict", "PrivateTmp": "yes", "NoNewPrivileges": "yes",
                       "ProtectHome": "yes", "CacheDirectory": "briefing", "StateDirectory": "briefing"}.items():
        assert settings.get(key) == value, key
    assert settings["ReadWritePaths"].endswith("/output")
