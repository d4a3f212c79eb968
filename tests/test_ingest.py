import datetime as dt
from pathlib import Path

from briefing.config import Config
from briefing.ingest.files import detect_language, ingest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "articles"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
DAY = dt.date(2022, 4, 1)


def test_front_matter_gives_metadata_and_markdown_is_stripped():
    result = ingest([FIXTURES / "front_matter.md"], Config(), DAY)
    (article,) = result.articles
    assert article.title == "Talks resume by video link"
    assert article.outlet == "Example Wire"
    assert article.url == "https://example.org/news/talks-resume"
    assert article.published == dt.date(2022, 4, 1)
    assert not article.published_guessed
    assert "Skip to main content" not in article.text
    # The headline line repeats the known title: dropped, never a fact.
    assert article.text.startswith("Negotiators from both sides")
    assert result.warnings == ()


def test_malformed_front_matter_is_one_warning_and_the_text_is_kept():
    result = ingest([FIXTURES / "broken_front_matter.md"], Config(), DAY)
    (warning,) = result.warnings
    assert warning.startswith("tests/fixtures/articles/broken_front_matter.md: malformed YAML front matter at line ")
    assert warning.endswith("metadata ignored")
    (article,) = result.articles
    assert article.text == "Aid convoys reached the besieged city on Thursday, the Red Cross said in a statement."


def test_html_main_text_and_metadata_without_scripts_or_navigation():
    (article,) = ingest([FIXTURES / "page.html"], Config(), DAY).articles
    assert article.title == "Evacuation convoy reaches the city"
    assert article.outlet == "Example News"
    assert article.published == dt.date(2022, 4, 1)
    assert "42 buses carrying around 2,000 civilians" in article.text
    assert "alert" not in article.text
    assert "Home" not in article.text
    assert "cookies" not in article.text


def test_jsonl_reads_good_lines_and_warns_on_bad_ones():
    result = ingest([FIXTURES / "wire.jsonl"], Config(), DAY)
    assert [a.id for a in result.articles] == ["w-1", "w-3"]
    assert result.articles[0].published == dt.date(2022, 3, 29)
    assert result.articles[1].published == dt.date(2022, 3, 30)
    assert result.articles[0].outlet == "Wire A"
    assert result.warnings == (
        "tests/fixtures/articles/wire.jsonl:2: invalid JSON (Expecting value at column 1), line skipped",
        "tests/fixtures/articles/wire.jsonl:3: no 'text' field, line skipped",
    )
    assert result.skipped == 2


def test_raw_text_samples_get_a_date_from_the_text_or_the_briefing_date():
    result = ingest([SAMPLES], Config(), DAY)
    by_id = {a.id: a for a in result.articles}
    assert set(by_id) == {"000_986f4cd8ed297f09", "004_d52130d6b5804202"}
    # The second sample carries "April 1, 2022" in its text; the first has no date at all.
    assert by_id["004_d52130d6b5804202"].published == dt.date(2022, 4, 1)
    assert by_id["000_986f4cd8ed297f09"].published == DAY
    assert all(a.published_guessed for a in result.articles)
    assert by_id["000_986f4cd8ed297f09"].noise_dropped == 4


def test_missing_and_unsupported_files_are_warnings(tmp_path):
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    result = ingest([tmp_path / "notes.pdf", tmp_path / "nope.txt", FIXTURES / "front_matter.md"], Config(), DAY)
    assert len(result.articles) == 1
    assert result.warnings[0].endswith("notes.pdf: unsupported file type '.pdf' (expected .atom, .htm, .html, .jsonl, "
                                       ".markdown, .md, .ndjson, .rss, .text, .txt, .xml), skipped")
    assert result.warnings[1].endswith("nope.txt: no such file or folder")


def test_empty_binary_and_non_utf8_files_are_skipped_with_one_line_each(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    good = "Officials said the shelling continued overnight in the east of the country."
    (tmp_path / "good.txt").write_text(good, encoding="utf-8")
    result = ingest([tmp_path], Config(), DAY)
    assert [a.text for a in result.articles] == [good]
    problems = sorted(w.split(": ", 1)[1] for w in result.warnings)
    assert problems == ["binary file, not text; skipped", "empty file, skipped"]


def test_language_detection():
    assert detect_language("Officials said the talks would resume on Monday in the capital.") == "en"
    assert detect_language("Переговори відновляться в понеділок у столиці, заявили посадовці.") == "cyrillic"
    assert detect_language("Les négociations reprendront lundi dans la capitale, ont déclaré les responsables "
                           "du gouvernement et de la délégation.") == "other"


def test_duplicate_ids_are_made_unique(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "story.txt").write_text("The mayor said the water supply was restored on Monday.",
                                                  encoding="utf-8")
    ids = [a.id for a in ingest([tmp_path], Config(), DAY).articles]
    assert ids == ["story", "story-2"]
