"""The command line through main(argv): exit codes, one-line errors, JSON Lines outputs."""

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefing.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "articles"


def config_file(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"output: out\npdf:\n  enabled: false\nhistory:\n  enabled: false\n{extra}", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run")
    cfg = config_file(tmp)
    code = main(["run", "--config", str(cfg), "--input", str(SAMPLES), "--date", "2022-04-01", "-q"])
    return code, tmp / "out" / "2022-04-01"


def test_run_writes_markdown_and_json(sample_run):
    code, out = sample_run
    assert code == 0
    assert (out / "briefing.md").read_text(encoding="utf-8").startswith("# ")
    data = json.loads((out / "briefing.json").read_text(encoding="utf-8"))
    assert data["date"] == "2022-04-01"
    assert data["stats"]["articles"] == 2
    assert not (out / "briefing.pdf").exists()


def test_bad_config_is_exit_2_with_the_dotted_key(tmp_path, capsys):
    cfg = config_file(tmp_path, "select:\n  takeaways: lots\n")
    assert main(["run", "--config", str(cfg), "--input", str(SAMPLES)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {cfg}: select.takeaways: expected a number, got 'lots'"]


def test_missing_config_file_is_exit_2(tmp_path, capsys):
    assert main(["run", "--config", str(tmp_path / "nope.yaml")]) == 2
    assert capsys.readouterr().err.strip() == f"error: {tmp_path / 'nope.yaml'}: file not found"


def test_nothing_usable_is_exit_1(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_text("", encoding="utf-8")
    cfg = config_file(tmp_path)
    assert main(["run", "--config", str(cfg), "--input", str(tmp_path / "in"), "--date", "2022-04-01"]) == 1
    err = capsys.readouterr().err
    assert "empty.txt: empty file, skipped" in err
    assert err.strip().splitlines()[-1] == f"error: no usable article in {tmp_path / 'in'}"


def test_strict_turns_warnings_into_exit_1(tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SAMPLES / "004_d52130d6b5804202.txt", inputs)
    (inputs / "broken.jsonl").write_text("{not json\n", encoding="utf-8")
    cfg = config_file(tmp_path)
    args = ["run", "--config", str(cfg), "--input", str(inputs), "--date", "2022-04-01", "-q"]
    assert main(args) == 0
    assert main(args + ["--strict"]) == 1
    assert "--strict" in capsys.readouterr().err


def test_usage_errors_are_exit_2(capsys):
    assert main(["run", "--date", "2022-13-01"]) == 2
    assert main(["run", "--date", "last week"]) == 2
    assert main(["frobnicate"]) == 2
    assert main([]) == 2


def test_classify_reads_stdin_and_writes_json_lines(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(
        "The EU agreed a ban on imports of Russian coal and froze the assets of four banks.\n\n"
        "Artillery shelled the city's outskirts overnight as troops advanced from the north.\n"))
    assert main(["classify"]) == 0
    lines = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    assert [l["theme"] for l in lines] == ["sanctions", "battlefield"]
    assert set(lines[0]["scores"]) >= {"negotiations", "battlefield", "humanitarian", "sanctions"}


def test_classify_explain_says_what_decided(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("Thousands of refugees crossed the border on foot.\n"))
    assert main(["classify", "--explain", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["theme"] == "humanitarian"
    assert record["examples"]["humanitarian"]


def test_classify_explain_is_a_table_for_a_person(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("Thousands of refugees crossed the border on foot.\n"))
    assert main(["classify", "--explain"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("“Thousands of refugees crossed the border on foot.”\n  theme:    humanitarian\n")
    assert "nearest examples:" in out and not out.lstrip().startswith("{")


def test_relative_dates_for_crontab_lines():
    import datetime as dt

    from briefing.cli import _date

    today = dt.date.today()
    assert _date("today") == today
    assert _date("yesterday") == _date("-1") == today - dt.timedelta(days=1)
    assert _date("-7") == today - dt.timedelta(days=7)
    assert _date("2022-04-01") == dt.date(2022, 4, 1)


def test_every_subcommand_has_a_description_examples_and_exit_codes(capsys):
    from briefing.cli import _HELP, _parser

    commands = set(_parser()._subparsers._group_actions[0].choices)
    assert commands == set(_HELP)
    for command in sorted(commands):
        assert main([command, "--help"]) == 0
        out = capsys.readouterr().out
        assert _HELP[command][0].split()[0] in out and "examples:" in out and "exit codes:" in out


def test_every_subcommand_is_in_the_readme_table():
    from briefing.cli import _parser

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for command in _parser()._subparsers._group_actions[0].choices:
        assert f"| `{command}" in readme, command


def test_verbose_flag_shows_debug_logs_without_tracebacks():
    import logging

    from briefing.cli import _parser, _setup_logging

    for argv, level in ((["check"], logging.INFO), (["check", "-v"], logging.DEBUG),
                        (["check", "--verbose", "-q"], logging.DEBUG), (["check", "-q"], logging.WARNING)):
        handler = _setup_logging(_parser().parse_args(argv))
        logging.getLogger().removeHandler(handler)
        assert handler.level == level, argv


def test_extract_prints_every_fact(tmp_path, capsys):
    cfg = config_file(tmp_path)
    assert main(["extract", "--config", str(cfg), "--input", str(SAMPLES / "000_986f4cd8ed297f09.txt"),
                 "--date", "2022-03-30"]) == 0
    facts = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    casualty = next(f for f in facts if f["text"].startswith("At least 12 people were killed"))
    assert casualty["speaker"] == "the Ukrainian Emergency Situations Agency"
    assert casualty["date"] == "2022-03-29"
    assert [f["value"] for f in casualty["figures"]] == [12, 22]
    assert casualty["sources"] == ["000_986f4cd8ed297f09"]
    assert set(casualty) >= {"text", "theme", "scores", "sources", "speaker", "figures", "date"}


def test_help_is_fast_and_imports_nothing_heavy():
    code = ("import sys, briefing.cli; heavy = [m for m in ('spacy', 'onnxruntime', 'weasyprint', 'numpy', "
            "'trafilatura') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_user_theme_in_the_config_shows_up_in_the_briefing(tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "grid.md").write_text(
        "---\ntitle: Strikes hit the power grid\noutlet: Example Wire\npublished: 2022-04-01\n---\n"
        "Russian missiles struck three electrical substations overnight, cutting power to 400,000 homes, "
        "the national grid operator said.\n\n"
        "Engineers restored electricity to most of the capital by the morning, the energy ministry said.\n\n"
        "Negotiators met in Istanbul for a new round of peace talks on Tuesday, the foreign ministry said.\n",
        encoding="utf-8")
    cfg = config_file(tmp_path, (
        "themes:\n"
        "  - key: negotiations\n    description: Peace talks, ceasefire negotiations and diplomacy.\n"
        "  - key: battlefield\n    description: Fighting, troop movements and military strikes.\n"
        "  - key: energy\n    title: Energy\n"
        "    description: Power plants, electricity grids, fuel supplies and attacks on energy infrastructure.\n"
        "    terms: [power grid, substation*, electricity, blackout*, power plant*]\n"
        "    examples:\n"
        "      - Shelling cut the external power line to the nuclear plant.\n"
        "      - Rolling blackouts were announced after strikes on substations.\n"
        "      - The grid operator said power had been restored to the eastern regions.\n"))
    assert main(["run", "--config", str(cfg), "--input", str(inputs), "--date", "2022-04-01", "-q"]) == 0
    data = json.loads((tmp_path / "out" / "2022-04-01" / "briefing.json").read_text(encoding="utf-8"))
    assert [t["key"] for t in data["themes"]] == ["negotiations", "battlefield", "energy"]
    energy = [t["text"] for t in data["takeaways"] if t["theme"] == "energy"]
    energy += [i["text"] for t in data["themes"] if t["key"] == "energy" for i in t["items"]]
    assert any("substations" in text for text in energy)
    md = (tmp_path / "out" / "2022-04-01" / "briefing.md").read_text(encoding="utf-8")
    assert "substations" in md


def test_reading_flags_must_be_whole_numbers(tmp_path, capsys):
    cfg = config_file(tmp_path)
    assert main(["run", "--config", str(cfg), "--input", str(SAMPLES), "--workers", "-1"]) == 2
    assert "argument --workers: expected a whole number, 0 or more, got '-1'" in capsys.readouterr().err


def test_sentence_budget_flag_overrides_the_file(tmp_path):
    cfg = config_file(tmp_path, "extract:\n  sentence_budget: 0\n")
    out = tmp_path / "out"
    assert main(["run", "--config", str(cfg), "--input", str(SAMPLES), "--date", "2022-04-01", "-q", "--no-pdf",
                 "--output", str(out), "--sentence-budget", "20"]) == 0
    header = (out / "2022-04-01" / "briefing.md").read_text(encoding="utf-8").splitlines()[2]
    assert "of each article; about" in header and "left unread" in header


def test_a_quiet_run_prints_nothing_and_writes_nothing_under_home(tmp_path):
    # As cron runs it: a fresh process, HOME without a cache, --quiet. Only the configured cache is written.
    import glob
    import os

    from briefing import embed

    home, cache = tmp_path / "home", tmp_path / "cache"
    home.mkdir()
    cache.mkdir()
    for model in glob.glob(str(embed.cache_dir() / f"minilm-*{embed.MODEL_VARIANT}*.onnx")):
        shutil.copy(model, cache)  # skip the one-time conversion
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CACHE_HOME", "CACHE_DIRECTORY", "STATE_DIRECTORY")}
    env.update(HOME=str(home), BRIEFING_CACHE_DIR=str(cache))
    done = subprocess.run([sys.executable, "-m", "briefing", "run", "--config", str(config_file(tmp_path)),
                           "--input", str(SAMPLES), "--date", "yesterday", "--no-pdf", "--quiet"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert list(home.iterdir()) == []


def test_every_subcommand_is_in_the_readme_table():
    import argparse
    import re

    from briefing.cli import _parser

    (sub,) = [a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)]
    table = set(re.findall(r"^\| `(\w+)", (ROOT / "README.md").read_text(encoding="utf-8"), re.M))
    assert set(sub.choices) <= table, f"missing from the README's command table: {set(sub.choices) - table}"


def test_check_explain_prints_each_key_with_its_value_and_docstring(tmp_path, capsys):
    cfg = config_file(tmp_path, "select:\n  takeaways: 4\n")
    assert main(["check", "--config", str(cfg), "--explain", "select"]) == 0
    out = capsys.readouterr().out
    assert "select.takeaways = 4\n    Key takeaways on top (3 to 6).\n" in out
    assert all(line.startswith(("select.", "    ")) for line in out.splitlines())
    assert main(["check", "--config", str(cfg), "--explain"]) == 0
    out = capsys.readouterr().out
    assert "themes = [negotiations, battlefield, humanitarian, sanctions]" in out and "base_dir" not in out


def test_check_explain_names_an_unknown_key(tmp_path, capsys):
    assert main(["check", "--config", str(config_file(tmp_path)), "--explain", "selekt"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: check --explain: no config key 'selekt' (keys: archive, classify,")
