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
    assert info.value.problems == [
        "select.takeaways: expected a number, got 'many'",
        "themes[1].key: required",
    ]
    assert str(info.value).startswith(f"{path}: ")


def test_validation_problems_after_types_are_all_listed(tmp_path):
    path = write(tmp_path, "merge:\n  threshold: 3\nthemes:\n  - key: Energy Stuff\n    description: x\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [
        "themes[0].key: 'Energy Stuff' must be lowercase letters, digits, - or _",
        "merge.threshold: expected a number between 0 and 1, got 3.0",
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
