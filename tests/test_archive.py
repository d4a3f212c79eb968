"""The web archive (index.html, <date>/briefing.html) and the Atom feed: written after a run, the same templates
and CSS as the PDF, readable in a real headless browser at phone and desktop widths, the feed parsed back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import feedparser
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from briefing_fixture import DAY, hostile_briefing  # noqa: E402
from readers_fixture import Receiver, write_day  # noqa: E402

from briefing.output import archive  # noqa: E402
from briefing.cli import main  # noqa: E402
from briefing.config import ArchiveConfig, Config  # noqa: E402

YESTERDAY = DAY - dt.timedelta(days=1)
ARTICLE_URL = "https://news.example.com/world/2022/04/01/kyiv-talks?ref=rss"


def two_days(tmp_path: Path, **archive_changes) -> Config:
    config = Config(output=tmp_path / "out", archive=ArchiveConfig(**archive_changes))
    write_day(config, YESTERDAY, title="Ukraine daily briefing (yesterday)")
    _, today = write_day(config, DAY)
    archive.update(config, today)
    return config


def test_a_run_writes_the_page_index_and_feed_newest_first(tmp_path):
    config = two_days(tmp_path)
    out = config.output
    page = (out / "2022-04-01" / "briefing.html").read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "<script" not in page
    assert '<a href="../index.html">← All briefings</a>' in page
    assert f'<a href="{ARTICLE_URL.replace("&", "&amp;")}">' in page  # the article itself
    assert "At least 12 people were killed and 22 were injured" in page
    assert ".title-block" in page and "@media screen" in page  # briefing.css (the PDF's) and web.css
    # yesterday had no page yet: made from its briefing.json
    assert (out / "2022-03-31" / "briefing.html").is_file()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.index('href="2022-04-01/briefing.html"') < index.index('href="2022-03-31/briefing.html"')
    assert "Friday 1 April 2022" in index and "Thursday 31 March 2022" in index
    assert "<script" not in index
    assert (out / "feed.xml").is_file()


def test_the_same_briefings_give_the_same_bytes(tmp_path):
    config = two_days(tmp_path)
    before = {p.name: p.read_bytes() for p in (config.output / "index.html", config.output / "feed.xml",
                                               config.output / "2022-04-01" / "briefing.html")}
    archive.rebuild(config)
    after = {p.name: p.read_bytes() for p in (config.output / "index.html", config.output / "feed.xml",
                                              config.output / "2022-04-01" / "briefing.html")}
    assert before == after


def test_the_page_uses_the_users_templates_like_the_pdf(tmp_path):
    folder = tmp_path / "mine" / "html"
    folder.mkdir(parents=True)
    (folder / "takeaways.html.j2").write_text("<p class=\"mine\">{{ takeaways|length }} takeaways, my way</p>\n")
    config = dataclasses.replace(Config(output=tmp_path / "out"), templates=tmp_path / "mine")
    _, briefing = write_day(config, DAY)
    archive.update(config, briefing)
    assert '<p class="mine">4 takeaways, my way</p>' in (config.output / "2022-04-01" / "briefing.html").read_text()


def test_article_text_stays_text_in_the_page_and_the_feed(tmp_path):
    config = Config(output=tmp_path / "out")
    briefing = hostile_briefing()
    folder = config.output / "2022-04-01"
    folder.mkdir(parents=True)
    from briefing.output.render import json_text_of

    (folder / "briefing.json").write_text(json_text_of(briefing), encoding="utf-8")
    archive.update(config, briefing)
    for path in (folder / "briefing.html", config.output / "index.html", config.output / "feed.xml"):
        text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, path
        assert 'href="javascript:' not in text and 'href="data:' not in text, path


def test_a_broken_briefing_json_is_a_warning_naming_it_and_the_rest_is_written(tmp_path):
    config = Config(output=tmp_path / "out")
    broken = config.output / "2022-03-30"
    broken.mkdir(parents=True)
    (broken / "briefing.json").write_text("{not json", encoding="utf-8")
    _, briefing = write_day(config, DAY)
    result = archive.update(config, briefing)
    assert any(w.startswith(f"{broken / 'briefing.json'}: no web page for this date (JSONDecodeError")
               for w in result.warnings)
    assert any(f"{broken / 'briefing.json'}: left out of the feed" in w for w in result.warnings)
    assert (config.output / "index.html").is_file() and (config.output / "feed.xml").is_file()
    assert not (broken / "briefing.html").exists()


def test_archive_and_feed_can_be_turned_off(tmp_path):
    config = Config(output=tmp_path / "out", archive=ArchiveConfig(enabled=False, feed=False))
    _, briefing = write_day(config, DAY)
    assert archive.update(config, briefing).files == ()
    assert sorted(p.name for p in config.output.iterdir()) == ["2022-04-01", "history.sqlite"]


# ------------------------------------------------------------------------------------------------------- feed


def test_the_feed_parses_back_one_entry_per_date_newest_first(tmp_path):
    config = two_days(tmp_path, base_url="https://desk.example.org/briefings/")
    feed = feedparser.parse((config.output / "feed.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Daily briefing"
    assert feed.feed.id == "https://desk.example.org/briefings/feed.xml"
    assert [e.link for e in feed.entries] == ["https://desk.example.org/briefings/2022-04-01/briefing.html",
                                              "https://desk.example.org/briefings/2022-03-31/briefing.html"]
    first, second = feed.entries
    assert first.title == "Ukraine daily briefing — Friday 1 April 2022"
    assert second.title == "Ukraine daily briefing (yesterday) — Thursday 31 March 2022"
    assert first.summary.startswith("• At least 12 people were killed and 22 were injured")
    assert first.summary.count("• ") == 4
    content = first.content[0]
    assert content.type == "text/html"
    assert "<h2>Negotiations</h2>" in content.value and ARTICLE_URL.split("?")[0] in content.value
    assert first.updated == "2022-04-01T06:30:00+00:00"
    assert feed.feed.updated == "2022-04-01T06:30:00+00:00"


def test_the_feed_keeps_the_newest_entries_and_stable_ids_without_a_base_url(tmp_path):
    config = two_days(tmp_path, feed_entries=1)
    feed = feedparser.parse((config.output / "feed.xml").read_bytes())
    assert feed.bozo == 0
    (entry,) = feed.entries
    assert entry.link == "2022-04-01/briefing.html"
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", entry.id)
    again = two_days(tmp_path / "again", feed_entries=1)
    assert feedparser.parse((again.output / "feed.xml").read_bytes()).entries[0].id == entry.id


# ---------------------------------------------------------------------------------------------------- browser


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _browser(binary: str, profile: Path, *args: str) -> str:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", f"--user-data-dir={profile}"]
    done = subprocess.run([binary, *flags, *args], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


# Measures the page inside an iframe of the given width, after layout, and writes the figures into the DOM that
# --dump-dom prints. Only this test harness runs JavaScript; the archive's pages have none.
_HARNESS = """<!DOCTYPE html><html><body>
<iframe id="f" src="{page}" style="width:{width}px;height:900px;border:0"></iframe>
<pre id="result">pending</pre>
<script>
document.getElementById("f").addEventListener("load", function () {{
  var d = this.contentDocument, w = this.contentWindow;
  var li = d.querySelector(".takeaways li");
  var links = Array.prototype.map.call(d.querySelectorAll("a[href]"), function (a) {{ return a.getAttribute("href"); }});
  document.getElementById("result").textContent = JSON.stringify({{
    scrollWidth: d.documentElement.scrollWidth, clientWidth: d.documentElement.clientWidth,
    fontPx: parseFloat(w.getComputedStyle(li || d.body).fontSize), links: links,
    bodyWidth: d.body.getBoundingClientRect().width, text: d.body.innerText}});
}});
</script></body></html>"""


@pytest.fixture
def served(tmp_path):
    """The archive of two days served on 127.0.0.1 (the harness needs one origin to measure the page)."""
    config = two_days(tmp_path)
    handler = functools.partial(_QuietHandler, directory=str(config.output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield config, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.parametrize("width", [390, 1280])
def test_pages_in_a_headless_browser_at_phone_and_desktop_widths(served, tmp_path, width):
    binary = _chromium()
    if binary is None:
        pytest.skip("chromium is not installed (scripts/install-system-deps.sh installs it)")
    config, port = served
    base = f"http://127.0.0.1:{port}"
    for n, page in enumerate(("2022-04-01/briefing.html", "index.html")):
        # One harness file per page: rewriting one file within the same second let the browser's cache (one
        # profile for both pages) serve the first page's harness again.
        harness = f"harness-{n}.html"
        (config.output / harness).write_text(_HARNESS.format(page=page, width=width), encoding="utf-8")
        dom = _browser(binary, tmp_path / f"profile-{width}", "--virtual-time-budget=10000", "--dump-dom",
                       f"{base}/{harness}")
        measured = json.loads(re.search(r'<pre id="result">(.*?)</pre>', dom, re.S).group(1)
                              .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
        assert measured["scrollWidth"] <= measured["clientWidth"], f"{page} scrolls sideways at {width} px"
        assert measured["fontPx"] >= 15, f"{page}: {measured['fontPx']} px text is too small to read at {width} px"
        if width >= 1000:  # a readable line length on a desktop, not the whole screen
            assert measured["bodyWidth"] <= 820
        if page == "index.html":
            assert measured["links"][:3] == ["feed.xml", "2022-04-01/briefing.html", "2022-04-01/briefing.html"]
            assert "2022-03-31/briefing.html" in measured["links"]
            assert "Thursday 31 March 2022" in measured["text"]
        else:
            assert measured["links"][0] == "../index.html"
            assert ARTICLE_URL in measured["links"]
            assert "KEY TAKEAWAYS" in measured["text"] and "Negotiations" in measured["text"]
            assert "At least 12 people were killed and 22 were injured" in measured["text"]
    # the screenshot a person looks at: the page as a phone or a desktop shows it
    shot = tmp_path / f"briefing-{width}.png"
    _browser(binary, tmp_path / f"profile-shot-{width}", f"--window-size={width},1600", f"--screenshot={shot}",
             f"{base}/2022-04-01/briefing.html")
    from PIL import Image

    with Image.open(shot) as image:
        assert image.size == (width, 1600)
        assert len(image.convert("L").getcolors(256)) > 16  # text was drawn, not a blank page


# ---------------------------------------------------------------------------------------- the sample run (CLI)


def test_the_sample_run_writes_archive_feed_search_and_pings_the_monitor(tmp_path, capsys):
    samples = Path(__file__).resolve().parent.parent / "samples"
    with Receiver() as monitor:
        path = tmp_path / "config.yaml"
        path.write_text(f"output: out\npdf: {{enabled: false}}\nmonitor: {{url: 'http://127.0.0.1:{monitor.port}/ping/abc'}}\n",
                        encoding="utf-8")
        assert main(["run", "--config", str(path), "--input", str(samples), "--date", "2022-04-01", "--quiet"]) == 0
        (tmp_path / "nothing").mkdir()  # an empty folder: a run that fails after it started
        assert main(["run", "--config", str(path), "--input", str(tmp_path / "nothing"), "--date", "2022-04-02",
                     "--quiet"]) == 1
    out = tmp_path / "out"
    assert capsys.readouterr().out == ""  # --quiet: nothing printed on success
    assert sorted(p.name for p in (out / "2022-04-01").glob("briefing.*")) == ["briefing.html", "briefing.json",
                                                                                "briefing.md"]
    assert (out / "2022-04-01" / "briefing.html").is_file() and (out / "index.html").is_file()
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert feed.bozo == 0 and len(feed.entries) == 1
    assert [(m, p) for m, p, _, _ in monitor.requests] == [("POST", "/ping/abc"), ("POST", "/ping/abc/fail")]
    assert monitor.requests[0][3].decode().startswith("briefing for 2022-04-01: ")
    assert monitor.requests[1][3].decode().startswith("error: NoInputError: ")
    assert main(["search", "--config", str(path), "ceasefire", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits and all(h["date"] == "2022-04-01" and "ceasefire" in h["text"].lower() for h in hits)


def test_a_broken_web_template_is_a_warning_not_a_failed_run(tmp_path):
    mine = tmp_path / "mine" / "web"
    mine.mkdir(parents=True)
    (mine / "index.html.j2").write_text("{% for x in %}\n", encoding="utf-8")
    config = dataclasses.replace(Config(output=tmp_path / "out"), templates=tmp_path / "mine")
    _, briefing = write_day(config, DAY)
    result = archive.update(config, briefing)
    (warning,) = result.warnings
    assert warning.startswith("web archive not updated: template ") and "index.html.j2, line 1" in warning
    assert (config.output / "2022-04-01" / "briefing.html").is_file()


def test_control_characters_in_article_text_leave_the_feed_valid(tmp_path):
    config = Config(output=tmp_path / "out")
    _, base = write_day(config, DAY)
    odd = dataclasses.replace(base.takeaways[0], text="Talks resumed\x1b on Friday\x00 in Istanbul.")
    _, briefing = write_day(config, DAY, takeaways=(odd,) + base.takeaways[1:])
    archive.update(config, briefing)
    feed = feedparser.parse((config.output / "feed.xml").read_bytes())
    assert feed.bozo == 0
    assert feed.entries[0].summary.startswith("• Talks resumed on Friday in Istanbul.")


def test_publish_git_commits_the_page_index_and_feed_with_the_briefing(tmp_path, monkeypatch):
    from briefing.config import PublishConfig
    from briefing.output.publish import publish

    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    repo = tmp_path / "repo"
    (repo / "output").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True, capture_output=True)
    config = Config(output=repo / "output", publish=PublishConfig(git=True))
    _, briefing = write_day(config, DAY)
    archive.update(config, briefing)
    assert publish(config, DAY).commit
    shown = subprocess.run(["git", "show", "--name-only", "--format="], cwd=repo, check=True, capture_output=True,
                           text=True).stdout.split()
    assert shown == ["output/2022-04-01/briefing.html", "output/2022-04-01/briefing.json",
                     "output/2022-04-01/briefing.md", "output/feed.xml", "output/index.html", "output/index.md",
                     "output/latest.md"]
