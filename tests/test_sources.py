"""Feeds and pages over HTTP, served from a local server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from briefing.ingest import sources
from briefing.cli import _parser, main
from briefing.config import Config, FeedConfig, SourcesConfig

DAY = dt.date(2022, 4, 1)

PARAGRAPHS = [
    "Russian and Ukrainian negotiators met in Istanbul on Tuesday for the first face-to-face talks in more than "
    "two weeks, with both delegations saying they were ready to discuss a ceasefire and security guarantees.",
    "Ukraine's delegation proposed a neutral status in exchange for binding security guarantees from a group of "
    "countries, an offer the Russian side said it would study carefully before giving a formal answer.",
    "Moscow's chief negotiator, Vladimir Medinsky, said the promise to reduce military activity near Kyiv and "
    "Chernihiv did not mean a ceasefire, and that further rounds of talks would be needed in the coming weeks.",
    "Officials in the southern city of Mykolaiv said a missile strike had hit the regional administration "
    "building, killing at least twelve people and injuring twenty-two others who were inside at the time.",
    "Aid agencies said around two thousand civilians were on evacuation buses heading towards Zaporizhzhia, "
    "carrying people who had fled the besieged port city of Mariupol along a humanitarian corridor.",
]


def article_html(title: str, paragraphs: list[str] = PARAGRAPHS, date: str = "2022-04-01") -> bytes:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
            f"<meta property='og:title' content='{title}'><meta property='og:site_name' content='Desk Daily'>"
            f"<meta name='date' content='{date}'></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>Contact us</footer></body></html>").encode()


def rss(title: str, items: list[dict]) -> bytes:
    parts = []
    for it in items:
        fields = [f"<title>{it['title']}</title>"]
        if "link" in it:
            fields.append(f"<link>{it['link']}</link>")
        fields.append(f"<guid>{it.get('guid', it.get('link', it['title']))}</guid>")
        if "date" in it:
            fields.append(f"<pubDate>{it['date']}</pubDate>")
        if "summary" in it:
            fields.append(f"<description><![CDATA[{it['summary']}]]></description>")
        if "content" in it:
            fields.append(f"<content:encoded><![CDATA[{it['content']}]]></content:encoded>")
        parts.append("<item>" + "".join(fields) + "</item>")
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            f'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>{title}</title>'
            f"<link>http://example.invalid/</link><description>test</description>{''.join(parts)}"
            f"</channel></rss>").encode()


FULL = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)


class Server:
    """Routes: path -> (status, headers, body) or a callable(handler) doing its own answer."""

    def __init__(self):
        self.routes: dict = {}
        self.hits: Counter = Counter()
        self.statuses: list[tuple[str, int]] = []
        self.agents: list[str] = []
        self.release = threading.Event()
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                path = self.path.split("?")[0]
                server.hits[path] += 1
                server.agents.append(self.headers.get("User-Agent", ""))
                route = server.routes.get(path)
                try:
                    if route is None:
                        self.answer(404, {"Content-Type": "text/html"}, b"<html><body>Not found</body></html>")
                    elif callable(route):
                        route(self)
                    else:
                        self.answer(*route)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def answer(self, status, headers, body, length=True):
                server.statuses.append((self.path, status))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if length:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def server():
    with Server() as s:
        yield s


@pytest.fixture(autouse=True)
def tiny_backoff(monkeypatch):
    monkeypatch.setattr(sources, "BACKOFF_BASE", 0.001)


def make_config(tmp_path: Path, **changes) -> Config:
    settings = dict(folders=(), timeout=0.5, retries=1, max_bytes=200_000, cache_dir=tmp_path / "cache",
                    allow_hosts=("127.0.0.1",))
    settings.update(changes)
    return Config(output=tmp_path / "out", base_dir=tmp_path, sources=SourcesConfig(**settings))


def xml(body: bytes, **headers) -> tuple:
    return 200, {"Content-Type": "application/rss+xml; charset=utf-8", **headers}, body


def html(body: bytes, **headers) -> tuple:
    return 200, {"Content-Type": "text/html; charset=utf-8", **headers}, body


def full_feed(server: Server) -> bytes:
    return rss("Wire Service World", [
        {"title": "Talks resume in Istanbul", "link": server.url("/a/talks"), "date": "Fri, 01 Apr 2022 09:30:00 GMT",
         "summary": "Talks resumed.", "content": FULL},
        {"title": "Undated analysis", "link": server.url("/a/undated"), "content": FULL},
        {"title": "Old news", "link": server.url("/a/old"), "date": "Tue, 29 Mar 2022 08:00:00 GMT", "content": FULL},
    ])


# ------------------------------------------------------------------------------------------------------------ feeds


def test_feed_with_full_text_needs_no_page(server, tmp_path):
    server.routes["/full.xml"] = xml(full_feed(server))
    result = sources.read_remote([server.url("/full.xml")], make_config(tmp_path), DAY)
    assert result.warnings == ()
    assert [a.title for a in result.articles] == ["Talks resume in Istanbul", "Undated analysis"]
    first = result.articles[0]
    assert first.outlet == "Wire Service World"
    assert first.url == server.url("/a/talks") and first.path == first.url
    assert first.published == DAY
    assert first.id == hashlib.sha1(first.url.encode()).hexdigest()[:12]
    assert "Vladimir Medinsky" in first.text and "\n\n" in first.text
    assert result.articles[1].published is None  # undated: kept
    assert result.out_of_window == 1
    assert server.hits["/a/talks"] == 0
    assert all(a.startswith("briefing/") and "daily briefing bot" in a for a in server.agents)


def test_teaser_feed_fetches_the_article_page(server, tmp_path):
    server.routes["/teasers.xml"] = xml(rss("Teaser Times", [
        {"title": "Evacuation buses leave Berdyansk", "link": server.url("/a/buses"),
         "date": "Fri, 01 Apr 2022 12:00:00 GMT", "summary": "Buses are on the road. <a href='#'>Read more</a>"},
    ]))
    server.routes["/a/buses"] = html(article_html("Evacuation buses leave Berdyansk"))
    config = make_config(tmp_path, feeds=(FeedConfig(url=server.url("/teasers.xml"), outlet="Teaser Times Intl"),))
    result = sources.read_remote([], config, DAY)
    assert result.warnings == ()
    (article,) = result.articles
    assert server.hits["/a/buses"] == 1
    assert "Mariupol" in article.text and "Buses are on the road" not in article.text
    assert article.outlet == "Teaser Times Intl"  # the configured outlet wins over the feed title
    assert article.title == "Evacuation buses leave Berdyansk"
    assert article.published == DAY


def test_max_items_limits_each_feed(server, tmp_path):
    items = [{"title": f"Story {i}", "link": server.url(f"/a/{i}"), "date": "Fri, 01 Apr 2022 10:00:00 GMT",
              "content": FULL} for i in range(5)]
    server.routes["/many.xml"] = xml(rss("Many", items))
    config = make_config(tmp_path, feeds=(FeedConfig(url=server.url("/many.xml"), max_items=2),))
    assert [a.title for a in sources.read_remote([], config, DAY).articles] == ["Story 0", "Story 1"]


def test_atom_feed_is_recognised_by_content(server, tmp_path):
    atom = (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Desk</title>'
            f'<id>urn:x</id><updated>2022-04-01T10:00:00Z</updated><entry><title>Atom story</title>'
            f'<link href="{server.url("/a/atom")}"/><id>urn:atom:1</id><updated>2022-04-01T10:00:00Z</updated>'
            f'<content type="html"><![CDATA[{FULL}]]></content></entry></feed>').encode()
    server.routes["/atom"] = (200, {"Content-Type": "text/xml"}, atom)
    result = sources.read_remote([server.url("/atom")], make_config(tmp_path), DAY)
    assert [(a.title, a.outlet) for a in result.articles] == [("Atom story", "Atom Desk")]


def test_a_file_link_in_a_feed_item_is_refused(server, tmp_path):
    server.routes["/evil.xml"] = xml(rss("Evil", [
        {"title": "Secrets", "link": "file:///etc/passwd", "date": "Fri, 01 Apr 2022 10:00:00 GMT",
         "summary": "short"},
        {"title": "Script", "link": "javascript:alert(1)", "date": "Fri, 01 Apr 2022 10:00:00 GMT", "content": FULL},
        {"title": "Fine", "link": server.url("/a/fine"), "date": "Fri, 01 Apr 2022 10:00:00 GMT", "content": FULL},
    ]))
    result = sources.read_remote([server.url("/evil.xml")], make_config(tmp_path), DAY)
    assert [a.title for a in result.articles] == ["Fine"]
    assert len(result.warnings) == 2
    assert result.warnings[0].startswith(server.url("/evil.xml") + ": item 1 'Secrets' links to file:")
    assert "refused" in result.warnings[0] and "javascript:" in result.warnings[1]


def test_teaser_whose_page_fails_falls_back_to_the_summary(server, tmp_path):
    summary = "A short teaser about the talks in Istanbul between the two delegations."
    server.routes["/t.xml"] = xml(rss("T", [{"title": "Gone", "link": server.url("/a/gone"),
                                              "date": "Fri, 01 Apr 2022 10:00:00 GMT", "summary": summary}]))
    result = sources.read_remote([server.url("/t.xml")], make_config(tmp_path), DAY)
    assert [a.text for a in result.articles] == [summary]
    assert result.warnings == (f"{server.url('/a/gone')}: HTTP 404 Not Found; used the feed's summary instead",)


# ------------------------------------------------------------------------------------------------------- failures


def test_a_404_is_a_warning_and_the_rest_goes_on(server, tmp_path):
    server.routes["/full.xml"] = xml(full_feed(server))
    result = sources.read_remote([server.url("/missing.xml"), server.url("/full.xml")], make_config(tmp_path), DAY)
    assert result.warnings == (f"{server.url('/missing.xml')}: HTTP 404 Not Found, skipped",)
    assert len(result.articles) == 2


def test_a_page_that_never_answers_times_out_quickly(server, tmp_path):
    def sleepy(handler):
        server.release.wait(10)  # set when the test's server shuts down

    server.routes["/slow"] = sleepy
    server.routes["/full.xml"] = xml(full_feed(server))
    started = time.monotonic()
    result = sources.read_remote([server.url("/slow"), server.url("/full.xml")],
                                 make_config(tmp_path, timeout=0.5, retries=1), DAY)
    # Well under the 10 s the server would hold the request; loose enough for a loaded CI machine.
    assert time.monotonic() - started < 8
    assert result.warnings == (f"{server.url('/slow')}: took longer than 0.5 s in all (sources.timeout), skipped",)
    assert server.hits["/slow"] == 1  # out of time is not retried: a server that does not answer stays silent
    assert len(result.articles) == 2


def test_5xx_is_retried_with_backoff(server, tmp_path):
    calls = []

    def flaky(handler):
        calls.append(1)
        if len(calls) == 1:
            handler.answer(503, {"Content-Type": "text/plain"}, b"busy")
        else:
            handler.answer(*html(article_html("Back again")))

    server.routes["/flaky"] = flaky
    result = sources.read_remote([server.url("/flaky")], make_config(tmp_path, retries=2), DAY)
    assert [a.title for a in result.articles] == ["Back again"] and result.warnings == ()
    assert server.hits["/flaky"] == 2


def test_redirects_are_followed_but_only_to_http(server, tmp_path):
    server.routes["/old-address"] = (301, {"Location": "/new-address"}, b"")
    server.routes["/new-address"] = html(article_html("Moved story"))
    server.routes["/to-ftp"] = (302, {"Location": "ftp://127.0.0.1/secret.html"}, b"")
    result = sources.read_remote([server.url("/old-address"), server.url("/to-ftp")], make_config(tmp_path), DAY)
    (article,) = result.articles
    assert article.title == "Moved story" and article.url == server.url("/new-address")
    assert article.outlet == "Desk Daily"
    assert result.warnings == (f"{server.url('/to-ftp')}: redirect to ftp://127.0.0.1/secret.html refused "
                               "(not http(s)), skipped",)


def test_a_page_over_max_bytes_is_not_read_beyond_the_limit(server, tmp_path):
    huge = article_html("Huge", PARAGRAPHS * 400)
    assert len(huge) > 200_000

    def streamed(handler):  # no Content-Length: the reader has to stop by itself
        handler.answer(200, {"Content-Type": "text/html"}, huge, length=False)

    server.routes["/huge.html"] = html(huge)
    server.routes["/huge-stream.html"] = streamed
    result = sources.read_remote([server.url("/huge.html"), server.url("/huge-stream.html")],
                                 make_config(tmp_path), DAY)
    assert result.articles == ()
    assert result.warnings[0].startswith(f"{server.url('/huge.html')}: response too large (0.")
    assert result.warnings[0].endswith(" MB > 0.2 MB limit, sources.max_bytes), skipped")
    assert result.warnings[1].startswith(f"{server.url('/huge-stream.html')}: response larger than the 0.2 MB limit")


def test_a_non_html_response_is_skipped(server, tmp_path):
    server.routes["/report.pdf"] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    server.routes["/photo"] = (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n\x00\x00")
    config = make_config(tmp_path, pages=(server.url("/photo"),))
    result = sources.read_remote([server.url("/report.pdf")], config, DAY)
    assert result.articles == ()
    assert result.warnings == (
        f"{server.url('/report.pdf')}: not an HTML page or a feed (content type application/pdf), skipped",
        f"{server.url('/photo')}: not an HTML page or a feed (content type image/png), skipped",
    )


def test_only_http_urls_are_fetched(tmp_path):
    result = sources.read_remote(["ftp://127.0.0.1/x.xml"], make_config(tmp_path), DAY)
    assert result.warnings == ("ftp://127.0.0.1/x.xml: not an http(s) URL, refused",)


# ---------------------------------------------------------------------------------------------------------- cache


def test_etag_revalidation_uses_the_cache_on_304(server, tmp_path):
    body = full_feed(server)

    def tagged(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.answer(304, {"ETag": '"v1"'}, b"", length=False)
        else:
            handler.answer(*xml(body, ETag='"v1"'))

    server.routes["/tagged.xml"] = tagged
    config = make_config(tmp_path)
    first = sources.read_remote([server.url("/tagged.xml")], config, DAY)
    second = sources.read_remote([server.url("/tagged.xml")], config, DAY)
    assert server.hits["/tagged.xml"] == 2
    assert [s for p, s in server.statuses if p == "/tagged.xml"] == [200, 304]
    assert first.articles == second.articles and len(first.articles) == 2
    metas = [json.loads(p.read_text()) for p in (tmp_path / "cache" / "sources").glob("*.json")]
    (meta,) = metas
    assert meta["url"] == server.url("/tagged.xml") and meta["etag"] == '"v1"' and meta["size"] == len(body)
    assert "fetched_at" in meta and meta["content_type"].startswith("application/rss+xml")


def test_last_modified_revalidation_and_fresh_pages_from_cache(server, tmp_path):
    stamp = "Fri, 01 Apr 2022 10:00:00 GMT"

    def dated(handler):
        if handler.headers.get("If-Modified-Since") == stamp:
            handler.answer(304, {}, b"", length=False)
        else:
            handler.answer(*xml(rss("T", [{"title": "Teaser", "link": server.url("/a/p"), "date": stamp,
                                            "summary": "short"}]), **{"Last-Modified": stamp}))

    server.routes["/dated.xml"] = dated
    server.routes["/a/p"] = html(article_html("Page without validators"))
    config = make_config(tmp_path)
    for _ in range(2):
        result = sources.read_remote([server.url("/dated.xml")], config, DAY)
        assert len(result.articles) == 1 and "Istanbul" in result.articles[0].text
    assert [s for p, s in server.statuses if p == "/dated.xml"] == [200, 304]
    assert server.hits["/a/p"] == 1  # the article page is reused from the cache on the rerun


def test_offline_runs_from_the_cache_alone(server, tmp_path):
    server.routes["/full.xml"] = xml(full_feed(server))
    online = sources.read_remote([server.url("/full.xml")], make_config(tmp_path), DAY)
    before = sum(server.hits.values())
    offline = sources.read_remote([server.url("/full.xml"), server.url("/never-fetched")],
                                  make_config(tmp_path, offline=True), DAY)
    assert sum(server.hits.values()) == before
    assert offline.articles == online.articles
    assert offline.warnings == (f"{server.url('/never-fetched')}: not in the cache (offline run), skipped",)


def test_a_failing_source_falls_back_to_a_stale_cached_copy(server, tmp_path):
    server.routes["/full.xml"] = xml(full_feed(server))
    config = make_config(tmp_path, retries=0)
    sources.read_remote([server.url("/full.xml")], config, DAY)
    server.routes["/full.xml"] = (500, {"Content-Type": "text/plain"}, b"oops")
    result = sources.read_remote([server.url("/full.xml")], config, DAY)
    assert len(result.articles) == 2
    (warning,) = result.warnings
    assert warning.startswith(f"{server.url('/full.xml')}: HTTP 500 Internal Server Error (after 1 attempt(s)); "
                              "used the copy cached at ")


# --------------------------------------------------------------------------------------------------------- window


def test_window_filtering_by_publication_time_and_time_zone(server, tmp_path):
    items = [
        {"title": "Late evening UTC", "link": server.url("/w/1"), "date": "Fri, 01 Apr 2022 22:00:00 GMT"},
        {"title": "Morning", "link": server.url("/w/2"), "date": "Fri, 01 Apr 2022 06:00:00 GMT"},
        {"title": "Day before", "link": server.url("/w/3"), "date": "Thu, 31 Mar 2022 23:00:00 GMT"},
        {"title": "Next day", "link": server.url("/w/4"), "date": "Sat, 02 Apr 2022 00:00:00 GMT"},
    ]
    server.routes["/w.xml"] = xml(rss("W", [dict(it, content=FULL) for it in items]))
    utc = sources.read_remote([server.url("/w.xml")], make_config(tmp_path), DAY)
    assert [a.title for a in utc.articles] == ["Late evening UTC", "Morning"] and utc.out_of_window == 2
    # In Kyiv (UTC+3) the briefing day ends at 21:00 UTC and starts at 21:00 UTC the day before.
    kyiv = Config(**{**make_config(tmp_path).__dict__, "timezone": "Europe/Kyiv"})
    result = sources.read_remote([server.url("/w.xml")], kyiv, DAY)
    assert [a.title for a in result.articles] == ["Morning", "Day before"] and result.out_of_window == 2
    assert result.articles[1].published == DAY  # 23:00 UTC on 31 March is 1 April in Kyiv
    wide = sources.read_remote([server.url("/w.xml")], make_config(tmp_path, window_hours=48), DAY)
    assert len(wide.articles) == 3
    everything = sources.read_remote([server.url("/w.xml")], make_config(tmp_path, window_hours=0), DAY)
    assert len(everything.articles) == 4


def test_a_page_dated_outside_the_window_is_left_out(server, tmp_path):
    server.routes["/old.html"] = html(article_html("Old page", date="2022-03-20"))
    server.routes["/new.html"] = html(article_html("New page", date="2022-04-01"))
    result = sources.read_remote([server.url("/old.html"), server.url("/new.html")], make_config(tmp_path), DAY)
    assert [(a.title, a.published) for a in result.articles] == [("New page", DAY)]
    assert result.out_of_window == 1


# ---------------------------------------------------------------------------------------------------- local feeds


def test_a_local_feed_file_is_read_through_ingest(server, tmp_path):
    from briefing.ingest import ingest

    feed = tmp_path / "desk.rss"
    feed.write_bytes(full_feed(server))
    config = make_config(tmp_path)
    result = ingest([feed], config, DAY)
    assert [a.title for a in result.articles] == ["Talks resume in Istanbul", "Undated analysis"]
    assert result.out_of_window == 1
    assert result.articles[1].published_guessed  # undated: ingest gives it the briefing date
    direct = sources.read_feed_file(feed, config, DAY)
    assert [a.id for a in direct.articles] == [a.id for a in result.articles]


def test_a_configured_local_feed_path_is_relative_to_the_config(server, tmp_path):
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "wire.xml").write_bytes(full_feed(server))
    config = make_config(tmp_path, feeds=(FeedConfig(url="feeds/wire.xml"), FeedConfig(url="feeds/nope.xml")))
    result = sources.read_remote([], config, DAY)
    assert len(result.articles) == 2
    assert result.warnings == ("feeds/nope.xml: cannot read: No such file or directory",)


def test_an_xml_file_that_is_not_a_feed_is_a_warning(tmp_path):
    path = tmp_path / "sitemap.xml"
    path.write_text("<?xml version='1.0'?><urlset><url><loc>http://x/</loc></url></urlset>")
    result = sources.read_feed_file(path, make_config(tmp_path), DAY)
    assert result.articles == () and len(result.warnings) == 1
    assert result.warnings[0].endswith(": not an RSS/Atom feed, skipped")


# ------------------------------------------------------------------------------------------------------------ CLI


def test_cli_sources_lists_config_and_cache(server, tmp_path, capsys):
    server.routes["/full.xml"] = xml(full_feed(server))
    (tmp_path / "samples").mkdir()
    (tmp_path / "samples" / "a.txt").write_text("Some text.")
    (tmp_path / "samples" / "b.md").write_text("More text.")
    config_path = tmp_path / "config.yaml"
    config_path.write_text(f"sources:\n  folders: [samples]\n  cache_dir: cache\n  feeds:\n"
                           f"    - url: {server.url('/full.xml')}\n      outlet: Wire\n"
                           f"  pages: ['{server.url('/a/talks')}']\n")
    sources.read_remote([], make_config(tmp_path, feeds=(FeedConfig(url=server.url("/full.xml")),)), DAY)
    assert main(["sources", "-c", str(config_path)]) == 0
    text = capsys.readouterr().out
    assert f"{tmp_path / 'samples'}  (2 file(s))" in text
    assert server.url("/full.xml") in text and "outlet Wire" in text and "cached 20" in text
    assert "Cache: " in text and "(1 entries" in text
    assert main(["sources", "-c", str(config_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    kinds = Counter(e["kind"] for e in data["sources"])
    assert kinds == {"folder": 1, "feed": 1, "page": 1, "cache": 1}
    cache = next(e for e in data["sources"] if e["kind"] == "cache")
    assert cache["url"] == server.url("/full.xml") and cache["size"] > 0 and cache["fetched_at"]


def test_cli_run_has_an_offline_flag():
    assert _parser().parse_args(["run", "--offline"]).offline is True
    assert _parser().parse_args(["run"]).offline is False


def test_a_dead_site_is_not_tried_for_every_item(server, tmp_path):
    def sleepy(handler):
        server.release.wait(10)

    # A feed whose article pages all hang: only the first DEAD_HOST_FAILURES pages are tried.
    items = [{"title": f"Story {i}", "link": server.url(f"/hang/{i}"), "date": "Fri, 01 Apr 2022 10:00:00 GMT",
              "summary": f"Teaser {i} about the talks."} for i in range(6)]
    server.routes["/hang.xml"] = xml(rss("Hang", items))
    for i in range(6):
        server.routes[f"/hang/{i}"] = sleepy
    started = time.monotonic()
    result = sources.read_remote([server.url("/hang.xml")], make_config(tmp_path, timeout=0.2, retries=0), DAY)
    assert time.monotonic() - started < 3
    assert sum(server.hits[f"/hang/{i}"] for i in range(6)) == sources.DEAD_HOST_FAILURES
    assert [a.text for a in result.articles] == [f"Teaser {i} about the talks." for i in range(6)]
    assert "not tried again" in result.warnings[-1]


def test_a_refused_connection_is_a_warning(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed.xml"
    result = sources.read_remote([url], make_config(tmp_path, retries=1), DAY)
    assert result.warnings == (f"{url}: connection refused (after 2 attempt(s)), skipped",)


def test_an_undated_teaser_item_is_windowed_by_its_page_date(server, tmp_path):
    server.routes["/u.xml"] = xml(rss("U", [
        {"title": "Old page", "link": server.url("/p/old"), "summary": "teaser"},
        {"title": "New page", "link": server.url("/p/new"), "summary": "teaser"},
    ]))
    server.routes["/p/old"] = html(article_html("Old page", date="2022-03-01"))
    server.routes["/p/new"] = html(article_html("New page", date="2022-04-01"))
    result = sources.read_remote([server.url("/u.xml")], make_config(tmp_path), DAY)
    assert [(a.title, a.published) for a in result.articles] == [("New page", DAY)]
    assert result.out_of_window == 1


# ------------------------------------------------------------------------------------------- hostile servers


def _trickle(server: Server, seconds: float, in_headers: bool):
    """A handler that sends one byte every 0.05 s for ``seconds`` (in the headers, or in the body)."""
    def handler(h):
        h.wfile.write(b"HTTP/1.1 200 OK\r\n")
        if in_headers:
            end = time.monotonic() + seconds
            while time.monotonic() < end and not server.release.is_set():
                h.wfile.write(b"X")
                h.wfile.flush()
                time.sleep(0.05)
            h.wfile.write(b"-Slow: 1\r\n")
        h.wfile.write(b"Content-Type: text/html\r\n\r\n")
        end = time.monotonic() + seconds
        while time.monotonic() < end and not server.release.is_set():
            h.wfile.write(b" ")
            h.wfile.flush()
            time.sleep(0.05)
    return handler


@pytest.mark.parametrize("in_headers", [True, False], ids=["headers", "body"])
def test_a_trickling_server_costs_at_most_the_timeout(server, tmp_path, in_headers):
    server.routes["/trickle"] = _trickle(server, 6, in_headers)
    server.routes["/full.xml"] = xml(full_feed(server))
    started = time.monotonic()
    result = sources.read_remote([server.url("/trickle"), server.url("/full.xml")],
                                 make_config(tmp_path, timeout=0.5, retries=2), DAY)
    elapsed = time.monotonic() - started
    assert elapsed < 1.5, elapsed
    assert result.warnings == (f"{server.url('/trickle')}: took longer than 0.5 s in all (sources.timeout), "
                               "skipped",)
    assert server.hits["/trickle"] == 1  # a deadline overrun is not retried
    assert len(result.articles) == 2


def test_private_addresses_are_refused_unless_listed(server, tmp_path):
    server.routes["/page"] = html(article_html("Internal story"))
    page = server.url("/page")
    result = sources.read_remote([page], make_config(tmp_path, allow_hosts=()), DAY)
    assert result.articles == ()
    assert result.warnings == (f"{page}: 127.0.0.1 is a private, loopback or link-local address (127.0.0.1); refused "
                               "(list it in sources.allow_hosts to allow it), skipped",)
    named = page.replace("127.0.0.1", "localhost")  # a name that resolves to loopback is caught once connected
    result = sources.read_remote([named], make_config(tmp_path, allow_hosts=()), DAY)
    assert result.warnings == (f"{named}: localhost is a private, loopback or link-local address (127.0.0.1); "
                               "refused (list it in sources.allow_hosts to allow it), skipped",)
    assert server.hits["/page"] == 0
    assert [a.title for a in sources.read_remote([named], make_config(tmp_path, allow_hosts=("localhost",)),
                                                 DAY).articles] == ["Internal story"]


def test_redirects_and_item_links_stay_on_the_configured_sites(server, tmp_path):
    port = server.base.rsplit(":", 1)[1]
    server.routes["/secret"] = html(article_html("Secret internal page"))
    server.routes["/to-metadata"] = (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"")
    server.routes["/to-other-host"] = (302, {"Location": f"http://localhost:{port}/secret"}, b"")
    server.routes["/feed.xml"] = xml(rss("Wire", [
        {"title": "Teaser pointing elsewhere", "link": f"http://localhost:{port}/secret",
         "date": "Fri, 01 Apr 2022 09:30:00 GMT", "summary": "Officials said talks would resume on Monday."}]))
    config = make_config(tmp_path)  # allow_hosts: 127.0.0.1 only
    result = sources.read_remote([server.url("/to-metadata"), server.url("/to-other-host"), server.url("/feed.xml")],
                                 config, DAY)
    assert result.warnings == (
        f"{server.url('/to-metadata')}: redirect to 169.254.169.254 refused: not the site of a configured source "
        "(add it to sources.allow_hosts to allow it), skipped",
        f"{server.url('/to-other-host')}: redirect to localhost refused: not the site of a configured source "
        "(add it to sources.allow_hosts to allow it), skipped",
        f"http://localhost:{port}/secret: link to localhost refused: not the site of a configured source (add it "
        "to sources.allow_hosts to allow it); used the feed's summary instead",
    )
    assert server.hits["/secret"] == 0
    assert [a.text for a in result.articles] == ["Officials said talks would resume on Monday."]


def test_credentials_in_urls_are_never_shown_or_stored(server, tmp_path):
    port = server.base.rsplit(":", 1)[1]
    server.routes["/feed.xml"] = xml(rss("Wire", [
        {"title": "Talks", "link": f"http://editor:hunter2@127.0.0.1:{port}/a/talks",
         "date": "Fri, 01 Apr 2022 09:30:00 GMT", "content": FULL}]))
    config = make_config(tmp_path)
    result = sources.read_remote([f"http://desk:s3cret@127.0.0.1:{port}/feed.xml",
                                  f"http://desk:s3cret@127.0.0.1:{port}/missing"], config, DAY)
    (article,) = result.articles
    assert article.url == f"http://127.0.0.1:{port}/a/talks" and "hunter2" not in article.path
    assert result.warnings == (f"http://127.0.0.1:{port}/missing: HTTP 404 Not Found, skipped",)
    stored = "".join(p.read_text(errors="replace") for p in (tmp_path / "cache").rglob("*.json"))
    assert "s3cret" not in stored and "desk:" not in stored
