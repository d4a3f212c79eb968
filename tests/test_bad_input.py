"""Bad and hostile input, generated in tmp_path: each file is skipped or handled with one warning naming it,
and the rest of the briefing is still produced. ``--strict`` turns the warnings into exit 1."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tracemalloc
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.config import Config
from briefing.ingest import ingest

DAY = dt.date(2022, 4, 1)
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
EN = ("Officials said the shelling continued overnight in the east of the country, and the mayor said that "
      "twelve people were killed when a missile hit a residential building. ")
RU = "Переговоры возобновятся в понедельник в столице, заявили официальные лица. Обстрелы продолжались всю ночь. "
UK = "Переговори відновляться в понеділок у столиці, заявили посадовці. Обстріли тривали всю ніч. "


def write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


# Each case: file name, content, the one warning expected (after "<path>: "), and whether an article is kept.
CASES = [
    ("empty.txt", b"", "empty file, skipped", False),
    ("blank.txt", "  \n\n\t \n", "no text (only white space), skipped", False),
    ("binary.txt", bytes(range(256)) * 40, "binary file, not text; skipped", False),
    ("image.png", b"\x89PNG\r\n\x1a\n" + bytes(100), "unsupported file type '.png' (expected .atom, .htm, .html, "
     ".jsonl, .markdown, .md, .ndjson, .rss, .text, .txt, .xml), skipped", False),
    ("latin1.txt", (EN.replace("mayor", "maire of Orléans") * 3).encode("latin-1"),
     "not UTF-8 text (invalid byte 0xe9 at offset 96); read as cp1252 (a guess: convert it to UTF-8 to be sure)",
     True),
    ("cp1252.txt", ("The mayor said \u201cwe will rebuild\u201d \u2014 " + EN).encode("cp1252") * 3,
     "not UTF-8 text (invalid byte 0x93 at offset 15); read as cp1252 (a guess: convert it to UTF-8 to be sure)",
     True),
    ("cp1251.txt", (RU * 3).encode("cp1251"), "not in English (detected: cyrillic); left out", False),
    ("russian.md", f"---\ntitle: Новости\n---\n{RU * 3}", "not in English (detected: cyrillic); left out", False),
    ("ukrainian.txt", UK * 3, "not in English (detected: cyrillic); left out", False),
    ("long-line.txt", (EN.strip() + " ") * 1000,
     f"article text cut to 60,000 characters (it had {len((EN.strip() + ' ') * 1000) - 1:,})", True),
    ("bad-front-matter.md", f"---\ntitle: [unclosed\nurl: x\n---\n{EN}",
     "malformed YAML front matter at line 3: expected ',' or ']', but got ':'; metadata ignored", True),
    ("unclosed-front-matter.md", f"---\ntitle: Talks\n{EN}",
     "front matter opened with '---' but never closed; read as plain text", True),
    ("future.md", f"---\ntitle: From the future\npublished: 2031-01-01\n---\n{EN}",
     "publication date 2031-01-01 is after the briefing date 2022-04-01; treated as unknown", True),
    ("scripts.html", "<html><head><title>Shelling continues</title><script>alert('head')</script></head><body>"
     f"<article><h1>Shelling continues</h1><p>{EN * 2}</p><script>document.write('<b>evil</b>')</script>"
     f"<p onclick=\"alert('x')\">{EN}</p></article></body></html>", None, True),
    ("utf16.txt", (EN * 2).encode("utf-16"), None, True),
]


@pytest.mark.parametrize("name,content,warning,kept", CASES, ids=[c[0] for c in CASES])
def test_each_bad_file_is_one_warning_naming_it(tmp_path, name, content, warning, kept):
    path = write(tmp_path, name, content)
    result = ingest([path], Config(), DAY)
    assert [w for w in result.warnings] == ([f"{path}: {warning}"] if warning else [])
    assert len(result.articles) == (1 if kept else 0)


def test_legacy_encodings_decode_to_the_right_text(tmp_path):
    latin = write(tmp_path, "latin1.txt", ("Café owners in Orléans said the façade was hit. " + EN).encode("latin-1"))
    (article,) = ingest([latin], Config(), DAY).articles
    assert article.text.startswith("Café owners in Orléans said the façade was hit.")
    utf16 = write(tmp_path, "utf16.txt", ("Zürich: " + EN).encode("utf-16"))
    (article,) = ingest([utf16], Config(), DAY).articles
    assert article.text.startswith("Zürich: Officials said")


def test_scripts_never_reach_the_article_text(tmp_path):
    (_, content, _, _) = next(c for c in CASES if c[0] == "scripts.html")
    (article,) = ingest([write(tmp_path, "scripts.html", content)], Config(), DAY).articles
    assert "alert" not in article.text and "evil" not in article.text and "<" not in article.text


def test_jsonl_with_broken_lines_keeps_the_good_ones(tmp_path):
    lines = [json.dumps({"id": "good-1", "text": EN, "published": "2022-03-31"}), "{broken", "", "[1, 2]",
             json.dumps({"id": "no-text"}), json.dumps({"id": "bad-date", "text": EN, "published": "soon-ish"}),
             json.dumps({"id": "future", "text": EN, "published": "2031-05-05"}), "\x00\x01\x02",
             json.dumps({"id": "good-2", "text": EN})]
    path = write(tmp_path, "wire.jsonl", "\n".join(lines) + "\n")
    result = ingest([path], Config(), DAY)
    assert [a.id for a in result.articles] == ["good-1", "bad-date", "future", "good-2"]
    assert result.warnings == (
        f"{path}:2: invalid JSON (Expecting property name enclosed in double quotes at column 2), line skipped",
        f"{path}:4: expected a JSON object, line skipped",
        f"{path}:5: no 'text' field, line skipped",
        f"{path}:6: unreadable date 'soon-ish'; treated as unknown",
        f"{path}:7: publication date 2031-05-05 is after the briefing date 2022-04-01; treated as unknown",
        f"{path}:8: binary file, not text; skipped",
    )


def _big_file(path: Path, size: int, newlines: bool = True) -> Path:
    chunk = ((EN if newlines else EN.replace("\n", " ")) * 200).encode()
    if newlines:
        chunk = chunk.replace(b". ", b".\n")
    with path.open("wb") as fh:
        while fh.tell() < size:
            fh.write(chunk)
    return path


def _peak_during(fn) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_50_mb_text_file_is_skipped_without_reading_it(tmp_path):
    big = _big_file(tmp_path / "huge.txt", 50_000_000)
    ingest([write(tmp_path, "warm-up.txt", EN)], Config(), DAY)  # imports outside the measurement
    result, peak = _peak_during(lambda: ingest([big], Config(), DAY))
    assert result.warnings == (f"{big}: file too large (50.0 MB > 20.0 MB limit, ingest.max_file_bytes), skipped",)
    assert peak < 2_000_000


def test_a_50_mb_jsonl_line_is_skipped_with_memory_bounded_by_the_limit(tmp_path):
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as fh:
        fh.write(b'{"id": "huge", "text": "')
        for _ in range(50):
            fh.write(b"x" * 1_000_000)
        fh.write(b'"}\n' + json.dumps({"id": "after", "text": EN}).encode() + b"\n")
    ingest([write(tmp_path, "warm-up.txt", EN)], Config(), DAY)
    result, peak = _peak_during(lambda: ingest([path], Config(), DAY))
    assert result.warnings == (f"{path}:1: line too large (over 20.0 MB, ingest.max_file_bytes), skipped",)
    assert [a.id for a in result.articles] == ["after"]
    assert peak < 25_000_000  # one line buffer at most (the limit), never the whole 50 MB


# ------------------------------------------------------------------------------------------ hostile metadata

ALIAS_BOMB = ("---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
              "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
              "title: &t [*d, *d, *d, *d, *d, *d, *d, *d, *d]\noutlet: *t\n---\n")
METADATA_CASES = [
    ("alias-bomb.md", ALIAS_BOMB + EN,
     "malformed YAML front matter at line 5: more than 20 aliases (a YAML alias bomb?); metadata ignored"),
    ("list-title.md", f"---\ntitle: [a, b]\noutlet: {{x: 1}}\n---\n{EN}",
     "front matter 'title', 'outlet' are not text; ignored"),
]


@pytest.mark.parametrize("name,content,warning", METADATA_CASES, ids=[c[0] for c in METADATA_CASES])
def test_structured_or_exploding_front_matter_is_one_warning(tmp_path, name, content, warning):
    path = write(tmp_path, name, content)
    result = ingest([path], Config(), DAY)
    assert result.warnings == (f"{path}: {warning}",)
    (article,) = result.articles
    assert article.outlet == "" and len(article.title) < 200


def test_every_metadata_field_is_capped_and_cleaned(tmp_path):
    huge = "W" * 100_000
    spoof = "Safe \u202egpj.exe\u202c report\u200b on\u2066 talks\u2069\ufeff"
    path = write(tmp_path, "meta.md", f"---\ntitle: {huge}\noutlet: \"{spoof}\"\nid: {huge}\n"
                                      f"url: https://user:s3cret@example.org/{huge}\n---\n{EN}")
    (article,) = ingest([path], Config(), DAY).articles
    assert len(article.title) <= 300 and article.title.endswith("…")
    assert article.outlet == "Safe gpj.exe report on talks"
    assert len(article.id) <= 100
    assert article.url == ""  # a URL cut short would be a broken link: dropped
    path = write(tmp_path, "meta.md", f"---\nurl: https://user:s3cret@example.org:8443/a?b=1\n---\n{EN}")
    assert ingest([path], Config(), DAY).articles[0].url == "https://example.org:8443/a?b=1"
    lines = (tmp_path / "j.jsonl")
    lines.write_text(json.dumps({"id": "j", "title": spoof, "outlet": huge, "text": "\u202e" + EN,
                                 "url": "http://a:b@example.org/x"}) + "\n", encoding="utf-8")
    (article,) = ingest([lines], Config(), DAY).articles
    assert article.title == "Safe gpj.exe report on talks" and len(article.outlet) <= 100
    assert article.url == "http://example.org/x" and "\u202e" not in article.text


# ------------------------------------------------------------------------------------------- path problems

NON_UTF8_NAME = os.fsdecode(b"caf\xe9-report.txt")
"""A file name in Latin-1 bytes, as an old archive or a Windows share delivers it."""


def make_path_cases(folder: Path) -> list[tuple[str, str | None]]:
    """Files whose *path* is the problem: (name shown, the one warning after "<folder>/<name>: ", or None)."""
    os.symlink("loop.txt", folder / "loop.txt")
    os.symlink("loop-b.txt", folder / "loop-a.txt")
    os.symlink("loop-a.txt", folder / "loop-b.txt")
    os.symlink("missing-target.txt", folder / "dangling.txt")
    os.mkfifo(folder / "pipe.txt")
    (folder / NON_UTF8_NAME).write_text(EN * 2, encoding="utf-8")
    return [
        ("loop.txt", "cannot read: Too many levels of symbolic links, skipped"),
        ("loop-a.txt", "cannot read: Too many levels of symbolic links, skipped"),
        ("loop-b.txt", "cannot read: Too many levels of symbolic links, skipped"),
        ("dangling.txt", "cannot read: No such file or directory, skipped"),
        ("pipe.txt", "not a regular file (a pipe, device or socket), skipped"),
        ("caf\\xe9-report.txt", None),
    ]


def test_path_problems_are_one_warning_each_and_the_rest_is_read(tmp_path):
    cases = make_path_cases(tmp_path)
    write(tmp_path, "good.txt", EN)
    result = ingest([tmp_path], Config(), DAY)
    assert sorted(result.warnings) == sorted(f"{tmp_path}/{name}: {w}" for name, w in cases if w)
    assert sorted(a.path for a in result.articles) == [f"{tmp_path}/caf\\xe9-report.txt", f"{tmp_path}/good.txt"]
    json.dumps([a.path for a in result.articles]).encode("utf-8")  # printable, storable: no lone surrogates
    looping = ingest([tmp_path / "loop.txt"], Config(), DAY)  # given directly, not found in a folder
    assert looping.warnings == (f"{tmp_path}/loop.txt: cannot read: Too many levels of symbolic links, skipped",)


# ---------------------------------------------------------------------------------------- the whole pipeline


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    for name, content, _, _ in CASES:
        write(folder, name, content)
    write(folder, "wire.jsonl", "{broken\n" + json.dumps({"id": "w1", "text": EN}) + "\n")
    write(folder, "hostile.txt", "Officials said <script>alert('x')</script> | the talks | resumed on Monday, "
          "according to a [link](javascript:alert(1)) posted by the ministry.\n\n" + EN)
    for sample in SAMPLES.glob("*.txt"):
        shutil.copy(sample, folder / sample.name)
    make_path_cases(folder)
    for name, content, _ in METADATA_CASES:
        write(folder, name, content)
    return folder


@pytest.fixture(scope="module")
def corpus_run(bad_corpus, tmp_path_factory):
    """One CLI run over the bad corpus (no --strict), shared by the tests that read its output."""
    import contextlib
    import io

    out = tmp_path_factory.mktemp("out")
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["run", "--input", str(bad_corpus), "--output", str(out), "--date", "2022-04-01", "--no-pdf",
                     "--config", str(_empty_config(tmp_path_factory))])
    return code, out, stdout.getvalue(), stderr.getvalue()


def _empty_config(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cfg") / "config.yaml"
    path.write_text("history: {enabled: false}\n", encoding="utf-8")
    return path


def test_the_briefing_is_produced_despite_the_bad_files(corpus_run):
    code, out, stdout, stderr = corpus_run
    assert code == 0, stderr
    assert stdout.split() == [str(out / "2022-04-01" / "briefing.md"), str(out / "2022-04-01" / "briefing.json")]
    data = json.loads((out / "2022-04-01" / "briefing.json").read_text())
    assert data["takeaways"]
    assert {"000_986f4cd8ed297f09", "004_d52130d6b5804202"} <= set(data["source_ids"])


def test_every_bad_file_is_named_in_exactly_one_warning(corpus_run, bad_corpus):
    _, _, _, stderr = corpus_run
    warnings = [line for line in stderr.splitlines() if line.startswith("WARNING: ")]
    for name, _, warning, _ in CASES:
        mine = [w for w in warnings if f"/{name}: " in w]
        assert len(mine) == (1 if warning else 0), (name, mine)
    assert [w for w in warnings if "/wire.jsonl:" in w] == [
        f"WARNING: {bad_corpus / 'wire.jsonl'}:1: invalid JSON (Expecting property name enclosed in double quotes "
        "at column 2), line skipped"]


def test_briefing_json_keeps_the_warnings_for_tools(corpus_run, bad_corpus):
    _, out, _, stderr = corpus_run
    data = json.loads((out / "2022-04-01" / "briefing.json").read_text())
    shown = [line.removeprefix("WARNING: ") for line in stderr.splitlines() if line.startswith("WARNING: ")]
    assert data["warnings"] and set(data["warnings"]) <= set(shown)
    assert f"{bad_corpus / 'wire.jsonl'}:1: invalid JSON (Expecting property name enclosed in double quotes " \
           "at column 2), line skipped" in data["warnings"]


def test_hostile_text_stays_text_in_the_markdown(corpus_run):
    _, out, _, _ = corpus_run
    markdown = (out / "2022-04-01" / "briefing.md").read_text()
    assert "<script" not in markdown.lower()
    assert not re.search(r"(?<!\\)\]\(javascript:", markdown, re.IGNORECASE)  # "\[link\](javascript:" is text
    assert "evil" not in markdown


def test_strict_turns_the_warnings_into_exit_1(bad_corpus, tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text("history: {enabled: false}\n", encoding="utf-8")
    code = main(["run", "--input", str(bad_corpus), "--output", str(tmp_path / "out"), "--date", "2022-04-01",
                 "--no-pdf", "--strict", "--quiet", "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.splitlines()[-1].startswith("error: ") and "warning(s) and --strict" in err.splitlines()[-1]
    assert (tmp_path / "out" / "2022-04-01" / "briefing.md").exists()  # written anyway, for a look
