"""Stage 2, extract: articles in, :class:`~briefing.models.Fact` out — one per sentence worth reading.

* ``facts``       — the one sentence splitter and the stage's entry point (``extract``).
* ``speakers``    — who said it: reported speech, quotes, hedges, sentences that lean on the one before.
* ``figures``     — numbers tied to what they count (killed, injured, evacuated...).
* ``dates``       — the one owner of month names and date parsing; the date of the event a sentence reports.
* ``engine_dask`` — the same per-article work as a map over a Dask cluster (``extract.engine: dask``).
"""

from .facts import extract

__all__ = ["extract"]
