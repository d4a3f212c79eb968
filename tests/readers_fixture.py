"""Helpers for the readers' tests (archive, feed, search, notify, monitor): a day's briefing files written
from the hand-built Briefing, and a loopback HTTP server that records what is posted to it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.server
import json
import threading
from pathlib import Path

from briefing_fixture import make_briefing

from briefing.config import Config
from briefing.output.render import json_text_of, render_markdown


def write_day(config: Config, date: dt.date, **changes) -> tuple[Path, "object"]:
    """The fixture briefing moved to ``date`` (and ``changes``), written as briefing.md and briefing.json."""
    briefing = make_briefing(date=date, generated_at=f"{date.isoformat()}T06:30:00+00:00", **changes)
    folder = Path(config.output) / date.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "briefing.md").write_text(render_markdown(briefing, config), encoding="utf-8")
    (folder / "briefing.json").write_text(json_text_of(briefing), encoding="utf-8")
    return folder, briefing


def all_reported(briefing):
    """The same briefing with every item already reported on an earlier day: a day with nothing new."""
    def old(item):
        return dataclasses.replace(item, novelty="reported")

    return dict(takeaways=tuple(old(i) for i in briefing.takeaways),
                sections=tuple(dataclasses.replace(s, items=tuple(old(i) for i in s.items)) for s in briefing.sections))


class Receiver:
    """A loopback HTTP server (127.0.0.1, a free port) in a thread that records every request: (method, path,
    headers, body). ``status`` is the answer code. Stops on leaving the ``with`` block."""

    def __init__(self, status: int = 200):
        self.status = status
        self.requests: list[tuple[str, str, dict, bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                receiver.requests.append((self.command, self.path, dict(self.headers), body))
                self.send_response(receiver.status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"OK")

            do_POST = do_GET = _record  # noqa: N815 - http.server API

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def json_bodies(self) -> list[dict]:
        return [json.loads(body) for _, _, _, body in self.requests]
