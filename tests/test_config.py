from pathlib import Path

import pytest

from briefing.config import Config, field_docs, load_config
from briefing.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_empty_file_gives_defaults_with_paths_relative_to_the_file(tmp_path):
    config, warnings = load_config(write(tmp_path, ""))
    assert warnings == []
    assert config.output == tmp_path / "output"
    assert config.sources.folders == (tmp_path / "samples",)
    assert [t.key for t in config.themes] == ["negotiations", "battlefield", "humanitarian", "sanctions"]


def test_every_error_is_reported_with_its_dotted_key(tmp_path):
    path = write(tmp_path, "select:\n  takeaways: many\nmerge:\n  threshold: 3\nthemes:\n  - key: Energy Stuff\n    description: x\n  - title: no key\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [  # types, then ranges and choices: all in one round
        "select.takeaways: expected a number, got 'many'",
        "themes[1].key: required",
        "themes[0].key: 'Energy Stuff' must be lowercase letters, digits, - or _",
        "merge.threshold: expected a number above 0 and at most 1, got 3.0",
    ]
    assert str(info.value).startswith(f"{path}: ")


def test_validation_problems_after_types_are_all_listed(tmp_path):
    path = write(tmp_path, "merge:\n  threshold: 3\nthemes:\n  - key: Energy Stuff\n    description: x\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [
        "themes[0].key: 'Energy Stuff' must be lowercase letters, digits, - or _",
        "merge.threshold: expected a number above 0 and at most 1, got 3.0",
    ]


def test_unknown_keys_are_warnings_with_a_suggestion(tmp_path):
    path = write(tmp_path, "titel: x\nselect:\n  per_them: 3\n")
    config, warnings = load_config(path)
    assert warnings == [
        f"{path}: titel: unknown key, ignored (did you mean 'title'?)",
        f"{path}: select.per_them: unknown key, ignored (did you mean 'select.per_theme'?)",
    ]
    assert config.title == Config().title


def test_malformed_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "title: [unclosed\nsources: {}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}: line ")
    assert "invalid YAML" in str(info.value)


def test_user_theme_without_code(tmp_path):
    path = write(tmp_path, "themes:\n  - key: energy\n    title: Energy\n    description: Power plants and grids\n"
                           "    examples: [Shelling cut power to the nuclear plant.]\n")
    config, _ = load_config(path)
    assert config.theme("energy").examples == ("Shelling cut power to the nuclear plant.",)
    assert config.theme("energy").heading == "Energy"


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml")


def test_every_field_has_a_docstring():
    docs = field_docs()
    for key in ("title", "output", "select.takeaways", "merge.threshold", "smtp.password_env", "sources.window_hours"):
        assert docs[key]


def test_state_and_cache_follow_systemd_folders_unless_configured(tmp_path, monkeypatch):
    from briefing.config import parse_config

    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.delenv("CACHE_DIRECTORY", raising=False)
    config, _ = parse_config("output: out\n", tmp_path / "config.yaml")
    assert config.history_path == tmp_path / "out" / "history.sqlite"
    assert config.cache_dir == tmp_path / "out" / ".cache"
    monkeypatch.setenv("STATE_DIRECTORY", "/var/lib/briefing")
    monkeypatch.setenv("CACHE_DIRECTORY", "/var/cache/briefing:/var/cache/other")
    assert config.history_path == Path("/var/lib/briefing/history.sqlite")
    assert config.cache_dir == Path("/var/cache/briefing")
    config, _ = parse_config("output: out\nhistory: {path: h.sqlite}\nsources: {cache_dir: c}\n", tmp_path / "config.yaml")
    assert config.history_path == tmp_path / "h.sqlite" and config.cache_dir == tmp_path / "c"


def test_types_enums_ranges_and_unknown_keys_come_in_one_round(tmp_path):
    path = write(tmp_path, "titel: x\nsmtp:\n  port: 99999\n  timeout: zero\n  security: tls\n"
                           "sources:\n  max_bytes: -1\n  timeout: 0\n  retries: .nan\n  window_hours: -5\n"
                           "  feeds:\n    - url: https://example.org/rss\n      max_items: 0\n"
                           "history:\n  lookback_days: -1\nselect:\n  min_words: 20\n  max_words: 10\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [
        "smtp.timeout: expected a number, got 'zero'",
        "sources.retries: expected a number, got nan",
        "smtp.port: expected a number from 1 to 65535, got 99999",
        "history.lookback_days: expected a number from 0 (none) to 3660, got -1",
        "sources.window_hours: expected a number from 0 (every item) to 87840, got -5.0",
        "sources.timeout: expected a number above 0 and at most 3600, got 0.0",
        "sources.max_bytes: expected a number from 1 to 2e+09, got -1",
        "sources.feeds[0].max_items: expected a number from 1 to 10000, got 0",
        "select.max_words: expected at least select.min_words (20), got 10",
        "smtp.security: expected starttls, ssl or none, got 'tls'",
    ]
    assert info.value.warnings == [f"{path}: titel: unknown key, ignored (did you mean 'title'?)"]


@pytest.mark.parametrize("value,problem", [
    ("missing", "folder {base}/missing does not exist"),
    ("/", "/ is too broad (the PDF renderer may read every file in it); point it at a folder holding only your "
          "templates"),
    ("config.yaml", "{base}/config.yaml is not a folder"),
])
def test_the_templates_folder_must_exist_and_be_a_folder_of_its_own(tmp_path, value, problem):
    path = write(tmp_path, f"templates: {value}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == ["templates: " + problem.format(base=tmp_path)]
