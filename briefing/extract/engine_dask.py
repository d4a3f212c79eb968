"""Reading articles on a Dask cluster (``extract.engine: dask``): the per-article work as a map over chunks.

Each chunk of articles goes to a worker as one task (``extract.read_chunk``, the function this machine's own
worker processes run); a worker loads spaCy and the embedding model once, on its first task, and keeps them for
the rest. The facts come back with their vectors, in article order, so the main process only merges, selects and
renders — the briefing is the same as a local run's (tests/test_engine_dask.py).

With ``extract.scheduler`` empty, a LocalCluster is started on 127.0.0.1 for the run (``extract.workers``
processes, one thread each); otherwise the run connects to that scheduler, whose workers must have the same
version of briefing and its models installed (docs/performance.md says how to start them).
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from typing import Iterator, Sequence

from ..config import Config
from ..errors import EngineError
from ..models import Article, Fact

log = logging.getLogger(__name__)

TASKS_PER_WORKER = 4
"""Chunks per worker: enough that a fast worker takes more of the day, few enough that a task's overhead (a few
milliseconds) does not count."""
MAX_CHUNK = 8
"""Most articles in one task (spaCy batches within a task)."""
CONNECT_TIMEOUT = "30s"


def read_on_dask(articles: Sequence[Article], texts: Sequence, config: Config,
                 vectors: bool = True) -> Iterator[tuple[list[Fact], int]]:
    """``(facts, sentences)`` per article, in article order, read by the cluster's workers (the facts carrying
    their vectors when ``vectors``)."""
    from .facts import read_chunk

    with _client(config) as client:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        size = max(1, min(MAX_CHUNK, -(-len(articles) // (workers * TASKS_PER_WORKER))))
        chunks = [(articles[i : i + size], texts[i : i + size]) for i in range(0, len(articles), size)]
        log.info("reading %d articles on Dask: %d task(s) over %d worker(s) at %s", len(articles), len(chunks),
                 workers, client.scheduler.address)
        futures = client.map(read_chunk, chunks, config=config, vectors=vectors, pure=False)
        try:
            for future in futures:  # in order: the facts' order is the articles' order, whoever finished first
                yield from future.result()
        except Exception as exc:
            raise EngineError(f"extract.engine dask: a task failed on the cluster: {type(exc).__name__}: {exc}") from exc
        finally:
            client.cancel(futures)


@contextmanager
def _client(config: Config):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise EngineError(f"extract.engine: dask needs Dask: pip install 'briefing[dask]' ({exc})") from exc
    import dask

    address = config.extract.scheduler.strip()
    # No dashboard and no config file read from HOME: a batch job on a small machine opens no extra port.
    # Each worker process: one thread for BLAS and for the embedding model (the workers already use every core).
    environ = {**dask.config.get("distributed.nanny.pre-spawn-environ", {}), "BRIEFING_THREADS": "1",
               "OPENBLAS_NUM_THREADS": "1"}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ, "distributed.admin.tick.limit": "10s"}):
        if address:
            try:
                client = Client(address, timeout=CONNECT_TIMEOUT)
            except OSError as exc:
                raise EngineError(f"extract.scheduler: cannot reach the Dask scheduler at {address}: {exc}") from exc
            with client:
                yield client
            return
        workers = config.extract.workers or _cores()
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None, silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
