"""Web addresses: the one test of "is this an http(s) URL?", and credentials kept out of everything shown."""

from __future__ import annotations

import re
import urllib.parse

_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@?#]+@")


def is_http_url(value: object) -> bool:
    """True for an http(s) address with a host, in any letter case ("https://example.org/a", "HTTP://x"): a
    command-line input to fetch rather than a path, a link a feed item may follow, a configured address."""
    try:
        parts = urllib.parse.urlsplit(str(value).strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def redact_credentials(text: str) -> str:
    """``https://user:secret@host/`` -> ``https://host/`` wherever a URL appears in ``text``."""
    return _CREDENTIALS.sub(r"\1", text)
