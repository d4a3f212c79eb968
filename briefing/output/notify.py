"""Chat and webhook delivery (``deliver.notify``): the takeaways and a link to the briefing, posted through
apprise, a well-kept library that speaks Slack, Mattermost, Teams, Matrix, Telegram, Discord, ntfy, plain JSON
webhooks and a hundred more from one URL syntax.

Each URL is a delivery channel of its own in the date's delivery state (``deliver.py``): a post that went
through is not made again, one that failed is retried by the next send. A URL carries its secret (a token in the
path), so the state and the logs name a URL by its hash and its apprise "privacy" form, never in full.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..errors import DeliveryError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    """Markdown: one bullet per takeaway, then the link."""


def channel_key(url: str) -> str:
    """The delivery-state key of a notify URL: stable, and no secret in it."""
    return "notify:" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]


def describe(url: str) -> str:
    """The URL's scheme and host (apprise masks a token in the host place), never its path or query, where
    webhooks keep their secrets: for logs and errors."""
    import urllib.parse

    scheme = url.split("://", 1)[0]
    server = _server(url, 1.0, check=False)
    if server is None:
        return f"{scheme}://…"
    host = urllib.parse.urlsplit(server.url(privacy=True)).netloc  # a token in the host place comes masked
    return f"{scheme}://{host}/…"


def message(config: Config, date: dt.date, folder: Path) -> Message:
    """The post for one date, from its briefing.json."""
    from .archive import PAGE_NAME, page_url
    from .render import long_date

    try:
        data = json.loads((folder / "briefing.json").read_text(encoding="utf-8"))
        takeaways = [t for t in data.get("takeaways") or [] if isinstance(t, dict) and t.get("text")]
        title = str(data.get("title") or config.title)
    except (OSError, ValueError, AttributeError) as exc:
        raise DeliveryError(f"{folder / 'briefing.json'}: cannot read the takeaways to post "
                            f"({type(exc).__name__})") from None
    lines = [f"- {' '.join(str(t['text']).split())}" for t in takeaways] or ["- No takeaway on this date."]
    if config.archive.base_url:
        link = page_url(config, date)
    else:
        page = folder / PAGE_NAME
        link = str((page if page.is_file() else folder / "briefing.md").resolve())
    return Message(f"{title} — {long_date(date)}", "\n".join(lines) + f"\n\nFull briefing: {link}")


def check_urls(urls) -> list[str]:
    """A problem line for each ``deliver.notify`` URL apprise does not understand (``briefing check``)."""
    return [f"deliver.notify[{i}]: not a URL apprise knows: {url.split('://', 1)[0]}://…"
            for i, url in enumerate(urls) if _server(url, 1.0, check=False) is None]


def post(url: str, msg: Message, timeout: float) -> None:
    """Post ``msg`` to one apprise URL; DeliveryError with apprise's account of the failure (any piece of the URL
    masked) when it fails."""
    import apprise

    server = _server(url, timeout, check=True)
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
        ok = server.notify(body=msg.body, title=msg.title, notify_type=apprise.NotifyType.INFO)
    if not ok:
        said = [line.strip() for line in captured.getvalue().splitlines() if line.strip()]
        reason = said[-1] if said else "the server did not accept the post"
        raise DeliveryError(_scrub(reason, url))
    log.info("posted the briefing to %s", describe(url))


def _server(url: str, timeout: float, *, check: bool):
    import apprise

    server = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if server is None:
        if check:
            raise DeliveryError(f"deliver.notify: not a URL apprise knows: {url.split('://', 1)[0]}://… "
                                "(see the apprise URL list)")
        return None
    server.body_format = apprise.NotifyFormat.MARKDOWN
    query = url.split("?", 1)[1] if "?" in url else ""
    if "cto=" not in query:
        server.socket_connect_timeout = timeout
    if "rto=" not in query:
        server.socket_read_timeout = timeout
    return server


def _scrub(text: str, url: str) -> str:
    """Drop any piece of the URL's path or credentials that a log line may have repeated."""
    rest = url.split("://", 1)[-1]
    for piece in {p for chunk in rest.replace("@", "/").replace(":", "/").split("/") for p in [chunk] if len(p) >= 8}:
        text = text.replace(piece, "***")
    return " ".join(text.split())
