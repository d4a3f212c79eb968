"""The whole pipeline on the bundled samples, with the PDF, read as an analyst would."""

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from briefing.config import load_config
from briefing.pipeline import run

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    config, _ = load_config(ROOT / "config.yaml")
    config = config.override(output=out, history=config.history.__class__(path=out / "history.sqlite"))
    return run(config, inputs=[ROOT / "samples"], date=dt.date(2022, 4, 1))


@pytest.fixture(scope="module")
def markdown(result) -> str:
    return (result.out_dir / "briefing.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def data(result) -> dict:
    return json.loads((result.out_dir / "briefing.json").read_text(encoding="utf-8"))


def test_three_files_in_the_dated_folder(result):
    assert result.out_dir.name == "2022-04-01"
    assert sorted(p.name for p in result.files) == ["briefing.json", "briefing.md", "briefing.pdf"]
    assert not [p for p in result.out_dir.iterdir() if p.name.endswith(".tmp")]


def test_json_contract(data):
    assert set(data) >= {"date", "generated_at", "title", "takeaways", "themes", "sources", "stats"}
    assert 3 <= len(data["takeaways"]) <= 6
    for takeaway in data["takeaways"]:
        assert set(takeaway) >= {"text", "theme", "sources"}
    assert [t["key"] for t in data["themes"]] == ["negotiations", "battlefield", "humanitarian", "sanctions"]
    for theme in data["themes"]:
        for item in theme["items"]:
            assert set(item) >= {"text", "sources", "speaker", "figures", "date", "support", "novelty"}
            assert item["sources"]
    for source in data["sources"]:
        assert set(source) >= {"id", "title", "outlet", "url", "published", "path"}
    assert set(data["stats"]) >= {"articles", "sentences", "facts", "merged", "noise_dropped", "unthemed",
                                  "skipped_files"}
    assert data["stats"]["articles"] == 2
    assert data["stats"]["noise_dropped"] >= 10


def test_every_theme_has_items_and_main_developments_are_there(markdown, data):
    themes = {t["key"]: t for t in data["themes"]}
    shown = [t["text"] for t in data["takeaways"]] + [i["text"] for t in data["themes"] for i in t["items"]]
    text = " ".join(shown)
    for key in ("negotiations", "battlefield", "humanitarian"):
        assert themes[key]["items"] or any(t["theme"] == key for t in data["takeaways"]), key
    # Main developments of the two days: the strike and its toll, the evacuation convoy, the talks, sanctions.
    # The strike and its toll are one event: one line that names the place, the toll in the key figures.
    assert "Mykolaiv" in text
    assert any(k["category"] == "killed" and "12" in k["values"][0]["text"] for k in data["key_figures"])
    assert "2,000 civilians" in text
    assert "Istanbul" in text
    assert "sanctions" in text or "boycott" in text


def test_no_page_noise_and_far_fewer_words(markdown, data):
    for noise in ("pic.twitter.com", "t.co/", "Image via", "Shutterstock", "@CNN", "Bloomberg also observes",
                  "Day 34 of the Invasion", "worst nightmares"):
        assert noise not in markdown
    stats = data["stats"]
    assert stats["words_out"] * 2 < stats["words_in"]


def test_no_two_items_say_the_same_thing(data):
    shown = [t["text"] for t in data["takeaways"]] + [i["text"] for t in data["themes"] for i in t["items"]]
    assert len(shown) == len(set(shown))


def test_every_line_is_traceable_to_a_numbered_source(markdown, data):
    ids = {s["id"] for s in data["sources"]}
    for theme in data["themes"]:
        for item in theme["items"]:
            assert set(item["sources"]) <= ids
    bullets = [l for l in markdown.splitlines() if l.startswith("- ")]
    assert bullets and all(re.search(r"\[\[\d+\]\]", l) for l in bullets)


pdftotext = shutil.which("pdftotext")


@pytest.mark.skipif(not pdftotext, reason="pdftotext (poppler-utils) is not installed")
def test_pdf_text_has_title_date_takeaways_and_page_numbers(result, data):
    pdf = result.out_dir / "briefing.pdf"
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "Ukraine war — daily briefing" in flat
    assert "Friday 1 April 2022" in flat
    assert "Page 1 of" in flat
    first = " ".join(data["takeaways"][0]["text"].split()[:6])
    assert first in flat


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm (poppler-utils) is not installed")
def test_pdf_first_page_renders_to_an_a4_png(result, tmp_path):
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(result.out_dir / "briefing.pdf"),
                    str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    header = png.read_bytes()[:24]
    width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
    assert abs(height / width - 297 / 210) < 0.02
