"""Render stage: Markdown, HTML/PDF and JSON of a hand-built briefing (tests/briefing_fixture.py)."""

from __future__ import annotations

import dataclasses
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import markdown
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from briefing_fixture import A, B, DAY, MEDINSKY, hostile_briefing, make_briefing  # noqa: E402

from briefing.config import Config, PdfConfig  # noqa: E402
from briefing.errors import RenderError  # noqa: E402
from briefing.output.render import (# noqa: E402
    PACKAGED_TEMPLATES, Rendered, SafeURLFetcher, markdown_to_email_html, md_escape, render, render_html, render_markdown, render_pdf, to_json)

CONFIG = Config()
NO_PDF = Config(pdf=PdfConfig(enabled=False))


def md_lines(text: str) -> list[str]:
    return text.splitlines()


# ------------------------------------------------------------------------------------------------ Markdown


def test_markdown_header_and_summary():
    lines = md_lines(render_markdown(make_briefing(), CONFIG))
    assert lines[0] == "# Ukraine daily briefing — Friday 1 April 2022"
    assert lines[2] == "*3 articles from 2 outlets · 184 sentences read · 11 items kept*"


def test_markdown_sections_in_order_and_empty_theme_left_out():
    text = render_markdown(make_briefing(), CONFIG)
    headings = [line for line in md_lines(text) if line.startswith("## ")]
    assert headings == ["## Key takeaways", "## Key figures", "## Negotiations", "## Battlefield",
                        "## Humanitarian", "## Sanctions", "## Since yesterday", "## Notable quotes", "## Sources"]
    assert "## Energy" not in text


def test_markdown_takeaways_with_references():
    lines = md_lines(render_markdown(make_briefing(), CONFIG))
    assert ("- **Updated:** At least 12 people were killed and 22 were injured when a Russian air strike hit the "
            "regional administration building in Mykolaiv. — *the Ukrainian Emergency Situations Agency* "
            "[[1]](#sources)[[3]](#sources)") in lines
    assert ("- Large-scale fighting has reportedly erupted around the capital of Kiev, from which the Russians "
            "earlier vowed they would also withdraw. (unconfirmed) [[2]](#sources)") in lines


def test_markdown_items_support_dates_claims_disputes():
    lines = md_lines(render_markdown(make_briefing(), CONFIG))
    # corroborated, briefing-day date not shown; the line names its speaker, so no "— *Sergei Lavrov*" after it
    assert ("- Russian Foreign Minister Sergei Lavrov said Moscow is preparing a response to Ukraine’s prior "
            "proposals issued in Istanbul early this week on reaching a ceasefire. · 2 outlets "
            "[[2]](#sources)[[3]](#sources)") in lines
    # earlier date shown, single source
    assert ("- Moscow's chief negotiator, Vladimir Medinsky, said Russia's promise to “drastically reduce” military "
            "operations does not mean a ceasefire. (29 Mar) · single source "
            "[[1]](#sources)") in lines
    # a party's claim, disputed, with the competing account as a sub-bullet
    i = lines.index("- Eleven villages in the southern Kherson region and several others in the Chernihiv region "
                    "northeast of Kyiv have been returned to Ukrainian control. · claim by the General Staff, "
                    "unconfirmed · disputed [[2]](#sources)")
    assert lines[i + 1] == ("  - *a US official* says: Another US official said that any movement of Russian forces "
                            "around Kyiv was “a regrouping rather than a withdrawal.” · single source [[1]](#sources)")


def test_speaker_shown_only_when_the_line_does_not_name_them():
    from briefing.output.render import speaker_line, support_label

    def line(text, speaker, kind="single"):
        return dataclasses.replace(MEDINSKY, text=text, speaker=speaker,
                                   support=dataclasses.replace(MEDINSKY.support, kind=kind))

    assert speaker_line(line("Moscow's chief negotiator, Vladimir Medinsky, said talks went well.",
                             "Vladimir Medinsky")) == ""
    assert speaker_line(line("Le Drian repeated calls for a boycott.", "Jean-Yves Le Drian")) == ""
    assert speaker_line(line("France and the UK are urging Ukraine against compromise.", "France and the UK")) == ""
    assert speaker_line(line("Time is running out, the ICRC warned.", "the ICRC")) == ""
    # A place the line names is not the speaker who said it; an acronym is no person's last name.
    assert speaker_line(line("A record number of Mariupol residents is expected.", "the city of Mariupol")) \
        == "the city of Mariupol"
    assert speaker_line(line("The UK will judge Russia on its actions.", "Downing Street UK")) == "Downing Street UK"
    assert speaker_line(line("Eleven villages were retaken.", "the General Staff")) == "the General Staff"
    assert support_label(line("Shoigu said the main goal was Donbas.", "Sergei Shoigu", "claim")) == "unconfirmed claim"
    assert support_label(line("Eleven villages were retaken.", "the General Staff", "claim")) \
        == "claim by the General Staff, unconfirmed"
    # A line ending on its own attribution to another party is not labelled with a second name.
    assert support_label(line("The leaders agreed to raise the price paid by Russia, the White House said.",
                              "Downing Street", "claim")) == "unconfirmed claim"


def test_markdown_key_figures_table_with_conflicting_values():
    lines = md_lines(render_markdown(make_briefing(), CONFIG))
    i = lines.index("| Figure | What | Sources |")
    assert lines[i + 1] == "| --- | --- | --- |"
    assert lines[i + 2] == ("| **At least 12** [[1]](#sources) vs **15** [[3]](#sources) | Killed in the Mykolaiv "
                            "strike | [[1]](#sources)[[3]](#sources) |")
    assert lines[i + 3] == "| **22** | Injured in the Mykolaiv strike | [[1]](#sources) |"


def test_markdown_quotes_and_sources():
    text = render_markdown(make_briefing(), CONFIG)
    assert "> “The risk of dying \\[in Kyiv\\] is pretty high” — Vitaliy Klitschko [[2]](#sources)\n" in text
    lines = md_lines(text)
    i = lines.index("## Sources")
    assert lines[i + 2:i + 5] == [
        "1. Day 34 of the Invasion of Ukraine: Victims in Mariupol, Battles around Kyiv, Aid from the US "
        "`samples/000_986f4cd8ed297f09.txt` (30 Mar 2022)",
        "2. Desk Monitor — Lavrov: Moscow preparing response to Ukraine's Istanbul proposals "
        "`samples/004_d52130d6b5804202.txt` (1 Apr 2022)",
        "3. Wire Desk — [Evacuation convoy leaves Berdyansk as talks resume by video link]"
        "(https://news.example.com/world/2022/04/01/kyiv-talks?ref=rss) (1 Apr 2022)",
    ]


def test_markdown_since_yesterday_only_when_present():
    text = render_markdown(dataclasses.replace(make_briefing(), since_yesterday=()), CONFIG)
    assert "Since yesterday" not in text


def test_markdown_is_deterministic_and_has_no_timestamp():
    b = make_briefing()
    first = render_markdown(b, CONFIG)
    assert first == render_markdown(b, CONFIG)
    later = dataclasses.replace(b, generated_at="2030-01-01T00:00:00+00:00")
    assert render_markdown(later, CONFIG).encode() == first.encode()
    assert "06:30" not in first
    assert first.endswith("\n") and not first.endswith("\n\n")
    assert all(line == line.rstrip() for line in first.splitlines())


def test_markdown_renders_as_html_with_working_links():
    html = markdown.markdown(render_markdown(make_briefing(), CONFIG), extensions=["tables"])
    assert "<table>" in html and "<th>Figure</th>" in html
    assert '<a href="#sources">[1]</a>' in html
    assert '<a href="https://news.example.com/world/2022/04/01/kyiv-talks?ref=rss">' in html
    assert "<blockquote>" in html and html.count("<p>“") == 3


# ------------------------------------------------------------------------------------------------ hostile text


def test_md_escape_unit():
    assert md_escape("a | b") == "a \\| b"
    assert md_escape("- x") == "\\- x"
    assert md_escape("12. x") == "12\\. x"
    assert md_escape("<b>*x*</b>") == "&lt;b\\>\\*x\\*&lt;/b\\>"
    assert md_escape("line\none") == "line one"
    assert md_escape("&lt;script&gt;") == "&amp;lt;script&amp;gt;"
    assert md_escape("AT&T") == "AT&T"


def test_hostile_text_is_inert_in_markdown():
    text = render_markdown(hostile_briefing(), CONFIG)
    assert "{{ 7\\*7 }}" in text and "49" not in text
    assert "{% raw %}" in text
    html = markdown.markdown(text, extensions=["tables"])
    assert "<script" not in html and "<img" not in html and "<b>" not in html and "<i>" not in html
    assert not re.search(r'href="\s*(javascript|data):', html, flags=re.I)
    assert "{{ 7*7 }}" in html
    # the source with a javascript: URL is not linked; its path is shown as code
    assert "4. Evil \\| Outlet — Click \\[me\\](javascript:alert(3)) &lt;script\\>x&lt;/script\\> " \
           "``feeds/`evil`.xml``" in text
    assert "5. Data — Data url\n" in text
    # the pipe does not break the table: every table row has exactly 3 cells
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows and all(len(re.findall(r"(?<!\\)\|", r)) == 4 for r in rows)
    table = html[html.index("<table>"):html.index("</table>")]
    assert "<td>a | b</td>" in table and "3 | 4" in table
    # a leading "1." or "-" in item text does not start a nested list
    assert "- 1\\. not a list second line - with a newline · single source" in text
    assert "- \\- not a bullet · single source" in text


def test_hostile_text_is_inert_in_email_html():
    html = markdown_to_email_html(render_markdown(hostile_briefing(), CONFIG))
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert not re.search(r'(href|src)="\s*(javascript|data):', html, flags=re.I)
    assert html.startswith("<!DOCTYPE html>") and "</html>" in html
    assert "<title>Briefing &lt;script&gt;alert(0)&lt;/script&gt; — Friday 1 April 2022</title>" in html


def test_email_html_drops_raw_html_and_bad_links():
    html = markdown_to_email_html("# T\n\n<script>x</script>\n\n[a](javascript:alert(1)) ![i](data:x) "
                                  "<div onclick=1>y</div> [ok](https://example.com/)\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<script" not in html and "onclick=" not in html.replace("onclick=1&gt;", "")
    assert "javascript:" not in html and "data:x" not in html
    assert re.search(r'<a style="[^"]*" href="https://example.com/">ok</a>', html)
    assert "<table " in html


def test_email_html_has_inline_styles_and_links_to_the_articles():
    from html.parser import HTMLParser

    html = markdown_to_email_html(
        "# Briefing\n\n- Shelling hit the city. [[1]](#sources)[[2]](#sources)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "## Sources\n\n1. Example News — [Shelling hits city](https://example.com/story)\n"
        "2. Untitled `inbox/notes.txt`\n")

    class Elements(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags = []

        def handle_starttag(self, tag, attrs):
            self.tags.append((tag, dict(attrs)))

    parser = Elements()
    parser.feed(html)
    assert "<style" not in html and "#sources" not in html
    styled = {"body", "div", "h1", "h2", "a", "table", "td", "th"}
    assert all(attrs.get("style") for tag, attrs in parser.tags if tag in styled)
    hrefs = [attrs["href"] for tag, attrs in parser.tags if tag == "a"]
    assert hrefs.count("https://example.com/story") == 2  # the reference [1] and the sources list
    assert "[2]" in html  # no URL: the reference stays as plain text


def test_hostile_text_is_inert_in_html():
    html = render_html(hostile_briefing(), CONFIG)
    body = html[html.index("<body>"):]
    assert "<script" not in body and "<img" not in body and "<b>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "{{ 7*7 }}" in body and ">49<" not in body
    assert not re.search(r'href="\s*(javascript|data):', html, flags=re.I)
    assert "<title>Briefing &lt;script&gt;alert(0)&lt;/script&gt; — Friday 1 April 2022</title>" in html


def test_html_links_sources_and_numbers():
    html = render_html(make_briefing(), CONFIG)
    assert '<sup class="refs"><a href="#source-1">1</a>,<a href="#source-3">3</a></sup>' in html
    assert '<li id="source-3" value="3">' in html
    assert '<a href="https://news.example.com/world/2022/04/01/kyiv-talks?ref=rss">' in html
    assert "@page" in html and "counter(pages)" in html  # the CSS is inlined


# ------------------------------------------------------------------------------------------------ PDF


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        _CountingHandler.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    _CountingHandler.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _pdftotext(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "b.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_pdf_text(tmp_path):
    pdf = render_pdf(make_briefing(), CONFIG)
    assert pdf.startswith(b"%PDF")
    text = " ".join(_pdftotext(pdf, tmp_path).split())
    assert "Ukraine daily briefing" in text
    assert "Friday 1 April 2022" in text
    assert "Key takeaways".upper() in text.upper()
    assert "Russian Foreign Minister Sergei Lavrov said Moscow is preparing a response" in text
    assert "Page 1 of" in text
    assert "Killed in the Mykolaiv strike" in text


def test_pdf_never_fetches_remote_or_local_files(tmp_path, http_server, monkeypatch):
    port = http_server.server_address[1]
    refused: list[str] = []
    original = SafeURLFetcher.fetch

    def spy(self, url, headers=None):
        try:
            return original(self, url, headers)
        except ValueError:
            refused.append(url)
            raise

    monkeypatch.setattr(SafeURLFetcher, "fetch", spy)
    # hostile item text carries <img src="http://127.0.0.1:PORT/x.png"> (escaped anyway)
    render_pdf(hostile_briefing(port), CONFIG)
    # a user template that really emits remote and local resources: the fetcher refuses them all
    user = tmp_path / "tpl"
    (user / "html").mkdir(parents=True)
    (user / "html" / "footer.html.j2").write_text(
        f'<img src="http://127.0.0.1:{port}/footer.png"><img src="file:///etc/hostname">'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
        f'<p style="background: url(http://127.0.0.1:{port}/bg.png)">footer</p>', encoding="utf-8")
    pdf = render_pdf(make_briefing(), Config(templates=user))
    assert pdf.startswith(b"%PDF")
    assert _CountingHandler.hits == []
    assert f"http://127.0.0.1:{port}/footer.png" in refused and "file:///etc/hostname" in refused
    assert f"http://127.0.0.1:{port}/bg.png" in refused


def test_url_fetcher_direct_calls(tmp_path, http_server):
    port = http_server.server_address[1]
    fetcher = SafeURLFetcher([PACKAGED_TEMPLATES])
    for url in (f"http://127.0.0.1:{port}/x.png", "https://example.com/a.css", "data:text/css,body{}",
                "file:///etc/passwd", (PACKAGED_TEMPLATES / ".." / "briefing" / "output" / "render.py").as_uri(),
                "ftp://example.com/x"):
        with pytest.raises(ValueError):
            fetcher(url)
    assert _CountingHandler.hits == []
    response = fetcher((PACKAGED_TEMPLATES / "briefing.css").as_uri())
    assert b"@page" in response.read()


def test_pdf_uses_user_css(tmp_path):
    user = tmp_path / "tpl"
    user.mkdir()
    (user / "briefing.css").write_text("@page { @bottom-right { content: 'Seite ' counter(page); } }\n"
                                       "body { font-family: 'DejaVu Serif'; }", encoding="utf-8")
    text = _pdftotext(render_pdf(make_briefing(), Config(templates=user)), tmp_path)
    assert "Seite 1" in text and "Page 1 of" not in text


# ------------------------------------------------------------------------------------------------ user templates


def test_user_folder_replaces_one_partial(tmp_path):
    user = tmp_path / "tpl"
    (user / "md").mkdir(parents=True)
    (user / "md" / "takeaways.md.j2").write_text(
        "## Bottom line\n\n{% for item in takeaways %}\n{{ loop.index }}) {{ item.text }} {{ refs(item.sources) }}\n"
        "{% endfor %}\n", encoding="utf-8")
    text = render_markdown(make_briefing(), Config(templates=user))
    assert "## Bottom line" in text and "## Key takeaways" not in text
    assert "1) **Updated" not in text and "\n1) At least 12 people were killed" in text
    assert "## Key figures" in text and "## Sources" in text  # the rest comes from the packaged partials


def test_user_briefing_extends_base_and_overrides_a_block(tmp_path):
    user = tmp_path / "tpl"
    user.mkdir()
    (user / "briefing.md.j2").write_text('{% extends "base.md.j2" %}\n{% block quotes %}{% endblock %}\n'
                                         '{% block footer %}Desk use only.{% endblock %}\n', encoding="utf-8")
    text = render_markdown(make_briefing(), Config(templates=user))
    assert "Notable quotes" not in text and text.endswith("Desk use only.\n")
    (user / "briefing.md.j2").write_text('{% extends "builtin/briefing.md.j2" %}{% block header %}# Custom'
                                         '{% endblock %}', encoding="utf-8")
    text = render_markdown(make_briefing(), Config(templates=user))
    assert text.startswith("# Custom\n") and "## Sources" in text


def test_missing_user_folder_falls_back_to_packaged(tmp_path):
    assert render_markdown(make_briefing(), Config(templates=tmp_path / "nope")) == \
        render_markdown(make_briefing(), CONFIG)


def test_template_errors_raise_render_error_with_name_and_line(tmp_path):
    user = tmp_path / "tpl"
    (user / "md").mkdir(parents=True)
    (user / "md" / "quotes.md.j2").write_text("## Quotes\n\n{{ no_such_variable }}\n", encoding="utf-8")
    with pytest.raises(RenderError, match=r"quotes\.md\.j2.*line 3.*no_such_variable"):
        render_markdown(make_briefing(), Config(templates=user))
    (user / "md" / "quotes.md.j2").write_text("## Quotes\n{% if %}\n", encoding="utf-8")
    with pytest.raises(RenderError, match=r"quotes\.md\.j2, line 2"):
        render_markdown(make_briefing(), Config(templates=user))
    (user / "md" / "quotes.md.j2").write_text("{% include 'md/missing.md.j2' %}", encoding="utf-8")
    with pytest.raises(RenderError, match="missing.md.j2"):
        render_markdown(make_briefing(), Config(templates=user))


# ------------------------------------------------------------------------------------------------ JSON


def test_json_contract():
    data = to_json(make_briefing())
    for key in ("date", "generated_at", "title", "takeaways", "themes", "key_figures", "quotes", "sources", "stats"):
        assert key in data
    assert data["date"] == "2022-04-01" and data["generated_at"] == "2022-04-01T06:30:00+00:00"
    assert set(data["takeaways"][0]) >= {"text", "theme", "sources"}
    assert data["takeaways"][0]["sources"] == [A, "wire-kyiv-0401"]
    theme = data["themes"][2]
    assert theme["key"] == "humanitarian" and theme["title"] == "Humanitarian"
    first = theme["items"][0]
    assert set(first) >= {"text", "sources", "speaker", "figures", "date", "support", "novelty", "hedged",
                          "disputed_by"}
    assert first["date"] == "2022-03-29" and first["support"] == {"outlets": 2, "kind": "corroborated"}
    assert first["novelty"] == "updated" and first["hedged"] is False
    assert first["figures"][0] == {"value": 12.0, "unit": "killed", "text": "At least 12 people",
                                   "qualifier": "at least", "category": "killed"}
    disputed = data["themes"][1]["items"][1]
    assert disputed["support"]["kind"] == "claim" and disputed["disputed_by"][0]["text"].startswith("Another US")
    assert data["key_figures"][0]["values"] == [{"text": "At least 12", "sources": [A]},
                                                {"text": "15", "sources": ["wire-kyiv-0401"]}]
    assert data["quotes"][0] == {"speaker": "Jean-Yves Le Drian", "text": "I don’t see any signs indicating a "
                                 "real and long-term change in Russia’s position", "sources": [B]}
    assert data["sources"][0] == {"id": A, "number": 1, "title": data["sources"][0]["title"], "outlet": "", "url": "",
                                  "published": "2022-03-30", "path": "samples/000_986f4cd8ed297f09.txt"}
    for key in ("articles", "sentences", "facts", "merged", "noise_dropped", "unthemed", "skipped_files",
                "out_of_window", "non_english", "words_in", "words_out"):
        assert key in data["stats"]
    assert data["themes"][-1]["items"] == []  # an empty theme stays in JSON
    json.dumps(data)  # serialisable


def test_json_null_dates():
    b = make_briefing()
    b = dataclasses.replace(b, sources=(dataclasses.replace(b.sources[0], published=None),) + b.sources[1:])
    assert to_json(b)["sources"][0]["published"] is None


# ------------------------------------------------------------------------------------------------ render()


def test_render_writes_three_files_atomically(tmp_path):
    out = tmp_path / "2022-04-01"
    result = render(make_briefing(), out, CONFIG)
    assert isinstance(result, Rendered)
    assert result == Rendered(markdown=out / "briefing.md", pdf=out / "briefing.pdf", json=out / "briefing.json")
    assert sorted(p.name for p in out.iterdir()) == ["briefing.json", "briefing.md", "briefing.pdf"]
    raw = result.json.read_text(encoding="utf-8")
    assert raw.endswith("}\n") and "Ukraine’s" in raw  # ensure_ascii=False, trailing newline
    assert json.loads(raw) == to_json(make_briefing())
    assert result.markdown.read_text(encoding="utf-8") == render_markdown(make_briefing(), CONFIG)
    assert result.pdf.read_bytes().startswith(b"%PDF")
    # a rerun replaces the files and leaves no temp files behind
    first_md = result.markdown.read_bytes()
    render(make_briefing(), out, CONFIG)
    assert sorted(p.name for p in out.iterdir()) == ["briefing.json", "briefing.md", "briefing.pdf"]
    assert result.markdown.read_bytes() == first_md


def test_render_without_pdf(tmp_path):
    result = render(make_briefing(), tmp_path, NO_PDF)
    assert result.pdf is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["briefing.json", "briefing.md"]


def test_broken_template_writes_nothing(tmp_path):
    user = tmp_path / "tpl"
    (user / "md").mkdir(parents=True)
    (user / "md" / "sources.md.j2").write_text("{{ broken", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(RenderError):
        render(make_briefing(), out, Config(templates=user))
    assert not out.exists() or list(out.iterdir()) == []


def test_item_date_shown_only_when_it_differs():
    text = render_markdown(make_briefing(), CONFIG)
    assert f"({DAY.day} Apr)" not in text
    assert "(31 Mar)" in text


def _with_uncited_sources(n: int):
    from briefing.models import Source

    b = make_briefing()
    extra = tuple(Source(number=len(b.sources) + i + 1, id=f"other-{i}", title=f"Uncited story {i}", outlet="Wire",
                         url="", published=DAY, path=f"in/other-{i}.txt") for i in range(n))
    return dataclasses.replace(b, sources=b.sources + extra)


def test_pdf_lists_uncited_sources_only_up_to_the_limit():
    config = dataclasses.replace(CONFIG, pdf=PdfConfig(uncited_sources=2))
    few = render_html(_with_uncited_sources(2), config)
    assert "Uncited story 1" in few and "were read but no line above cites" not in few
    many_briefing = _with_uncited_sources(3)
    many = render_html(many_briefing, config)
    assert "Uncited story" not in many
    assert "3 more articles were read but no line above cites them; briefing.md lists them all." in many
    assert "Lavrov: Moscow preparing response" in many  # the cited ones are all there
    # The Markdown keeps every source: it is the record.
    assert "Uncited story 2" in render_markdown(many_briefing, config)


@pytest.mark.parametrize("changes, said", [
    ({"unread_sentences": 1234, "reading_depth": 11}, "read (the first 11 of each article; about 1234 more left unread)"),
    ({"sentences": 500, "parsed_sentences": 320}, "500 sentences read (320 of them parsed in full)"),
])
def test_header_says_what_was_left_unread_or_only_read_cheaply(changes, said):
    b = make_briefing()
    b = dataclasses.replace(b, stats=dataclasses.replace(b.stats, **changes))
    assert said in render_markdown(b, CONFIG)
    assert said.split("(", 1)[1] in render_html(b, CONFIG)
    assert said.split("(", 1)[1] not in render_markdown(make_briefing(), CONFIG)


def test_a_new_item_earlier_articles_had_says_when_it_was_first_reported():
    # Known from 29 March's articles, never shown by a briefing: shown as new, with its first date, discreetly.
    import datetime as dt

    from briefing.models import Section
    from briefing_fixture import LAVROV, MEDINSKY

    first = dataclasses.replace(MEDINSKY, first_reported=dt.date(2022, 3, 29))
    reported_today = dataclasses.replace(LAVROV, first_reported=DAY)
    briefing = make_briefing(sections=(Section("negotiations", "Negotiations", (reported_today, first)),))
    md = render_markdown(briefing, CONFIG)
    line = next(x for x in md_lines(md) if x.startswith("- Moscow's chief negotiator"))
    assert "· first reported 29 Mar [[1]](#sources)" in line
    assert md.count("first reported") == 1  # not for an item first reported today, nor an updated one
    assert "first reported 29 Mar" in render_html(briefing, CONFIG)
    assert to_json(briefing)["themes"][0]["items"][1]["first_reported"] == "2022-03-29"


def test_a_rising_toll_shows_the_latest_count_and_the_earlier_ones_not_a_dispute():
    briefing = make_briefing()
    values = (("15", (briefing.sources[2].id,)), ("At least 12", (briefing.sources[0].id,)))
    rising = dataclasses.replace(briefing.key_figures[0], values=values, rising=True)
    briefing = dataclasses.replace(briefing, key_figures=(rising,) + briefing.key_figures[1:])
    lines = md_lines(render_markdown(briefing, CONFIG))
    i = lines.index("| Figure | What | Sources |")
    assert lines[i + 2] == ("| **15** [[3]](#sources) (earlier: At least 12 [[1]](#sources)) | Killed in the Mykolaiv "
                            "strike | [[1]](#sources)[[3]](#sources) |")
    html = render_html(briefing, CONFIG)
    assert "rising</span>" in html and "sources differ" not in html.split("Killed in the Mykolaiv")[1][:200]
