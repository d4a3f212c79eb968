"""Stage 1, ingest: articles in, :class:`~briefing.models.Article` out.

* ``files``   — folders and files (.txt, .md with front matter, .html, .jsonl); the stage's entry point.
* ``sources`` — RSS/Atom feeds and single pages over HTTP(S), with a disk cache.
* ``article`` — making an ``Article`` from whatever a reader found (the one place both readers use).
* ``clean``   — the noise real pages carry (embedded tweets, credits, boilerplate), removed before reading.
"""

from .files import ingest

__all__ = ["ingest"]
