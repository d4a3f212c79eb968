"""The monitoring ping after every ``briefing run`` (``monitor.url``), as backup tools do: healthchecks.io,
Uptime Kuma push monitors, Cronitor and the like raise an alarm when a run fails or when no ping comes at all.

Success: a POST to ``monitor.url``; failure: to ``monitor.url`` + ``monitor.fail_suffix`` (``/fail``). The body
is one line saying what happened (healthchecks shows it in its log). Bounded by ``monitor.timeout``; a ping that
fails is a warning and never changes the run's exit code.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request

from ..config import Config

log = logging.getLogger(__name__)


def ping(config: Config, ok: bool, summary: str) -> str | None:
    """Ping the monitor; returns a warning line when the ping did not go through, else None."""
    url = config.monitor.url
    if not url:
        return None
    if not ok:
        url = url.rstrip("/") + config.monitor.fail_suffix
    request = urllib.request.Request(url, data=" ".join(summary.split())[:10_000].encode("utf-8"), method="POST",
                                     headers={"Content-Type": "text/plain; charset=utf-8",
                                              "User-Agent": "briefing-monitor"})
    try:
        with urllib.request.urlopen(request, timeout=config.monitor.timeout) as response:
            response.read(1024)
    except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts are OSErrors
        reason = getattr(exc, "reason", None) or exc
        message = f"monitor.url: ping not delivered ({type(exc).__name__}: {reason}); the run itself is unaffected"
        log.warning("%s", message)
        return message
    log.info("monitor pinged (%s)", "success" if ok else "failure")
    return None
