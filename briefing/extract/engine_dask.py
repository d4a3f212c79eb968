"""The run on a Dask cluster (``extract.engine: dask``): reading as a map over chunks, the merge as a keyed reduce.

Reading. Each chunk of articles goes to a worker as one task (``extract.facts.read_chunk``, the function this
machine's own worker processes run); a worker loads spaCy and the embedding model once, on its first task, and
keeps them for the rest. The facts come back with their vectors, in article order — the briefing is the same
as a local run's (tests/test_engine_dask.py).

Merging (``dedupe_on_dask``, the same result as ``dedupe.dedupe``). Grouping facts into events is one ordered
pass over the whole day (``events.group``: a fact joins the most similar earlier cluster), so it stays on the
client. What follows is keyed by event, and runs on the workers:

* story detection: per event, how many facts of article x have a copy in article y — emitted keyed by the article
  pair (x, y) and summed over events by a tree of reduce tasks on the workers. Each fact belongs to one event, so
  the sums are the counts ``dedupe.copy_groups`` takes over the whole day, however the events are split into
  tasks; the client only joins the pairs over the threshold into stories (a union-find over articles);
* one item per event (its clearest sentence, its sources, its support), given the stories.

Nothing here depends on how the work is split: each event is handled whole by one task, sums do not depend on
their order, and the client puts the results back in event order.

With ``extract.scheduler`` empty, a LocalCluster is started on 127.0.0.1 for the run (``extract.workers``
processes, one thread each); otherwise the run connects to that scheduler, whose workers must have the same
version of briefing and its models installed (docs/performance.md says how to start them).
"""

from __future__ import annotations

import logging
import os
from collections import Counter, defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from typing import Iterator, Sequence

from ..config import Config
from ..errors import EngineError
from ..models import Article, Fact

log = logging.getLogger(__name__)

TASKS_PER_WORKER = 4
"""Chunks per worker on a small day: enough that a fast worker takes more of the day, few enough that a task's
overhead (a few milliseconds) does not count."""
MAX_CHUNK = 8
"""Most articles in one task (spaCy batches within a task)."""
CONNECT_TIMEOUT = "30s"
REDUCE_FAN_IN = 8
"""Partial counts summed by one reduce task."""
IN_FLIGHT_PER_WORKER = 4
"""Tasks submitted ahead per worker, reading or merging: articles, facts and vectors are streamed to the cluster
and back, never all in flight at once (memory bounded on the scheduler, the workers and the client)."""
MERGE_TASK_PAIRS = 200_000
"""About this many fact pairs (an event of n facts: n * n) per merge task, so a task's overhead does not count."""

_active: ContextVar = ContextVar("briefing_dask_client", default=None)


@contextmanager
def session(config: Config):
    """One connection to the cluster for the run (a LocalCluster started once): reading and merging both use it."""
    with _client(config) as client:
        token = _active.set(client)
        try:
            yield client
        finally:
            _active.reset(token)


@contextmanager
def _using(config: Config):
    client = _active.get()
    if client is not None:
        yield client
        return
    with _client(config) as client:
        yield client


def read_on_dask(articles: Sequence[Article], texts: Sequence, config: Config,
                 vectors: bool = True) -> Iterator[tuple[list[Fact], int]]:
    """``(facts, sentences)`` per article, in article order, read by the cluster's workers (the facts carrying
    their vectors when ``vectors``). The chunks are streamed:
    at most ``IN_FLIGHT_PER_WORKER`` per worker are on the cluster ahead of the one being taken, so neither the
    scheduler nor the workers ever hold the whole day's texts or facts."""
    from collections import deque

    from .facts import read_chunk

    with _using(config) as client:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        size = max(1, min(MAX_CHUNK, -(-len(articles) // (workers * TASKS_PER_WORKER))))
        starts = range(0, len(articles), size)
        log.info("reading %d articles on Dask: %d task(s) over %d worker(s) at %s", len(articles), len(starts),
                 workers, client.scheduler.address)
        pending: deque = deque()
        try:
            for n, start in enumerate(starts):
                chunk = (articles[start : start + size], texts[start : start + size])
                pending.append(client.submit(read_chunk, chunk, config=config, vectors=vectors, pure=False,
                                             priority=-n))
                if len(pending) >= IN_FLIGHT_PER_WORKER * workers:
                    yield from pending.popleft().result()
            while pending:  # in order: the facts' order is the articles' order, whoever finished first
                yield from pending.popleft().result()
        except Exception as exc:
            raise EngineError(f"extract.engine dask: a task failed on the cluster: {type(exc).__name__}: {exc}") from exc
        finally:
            client.cancel(list(pending))


# ---------------------------------------------------------------------------------------------------- merging


def dedupe_on_dask(facts: Sequence[Fact], articles: Sequence[Article], config: Config):
    """``dedupe.dedupe(facts, articles, config)``, with the work keyed by event done on the cluster's workers."""
    from .. import events
    from ..dedupe import Merged
    from ..embed import vectors_of

    facts = list(facts)
    if not facts:
        return Merged((), (), {})
    vectors = vectors_of(facts)
    params = events.Params.from_config(config)
    groups = events.group(facts, vectors, params, events.title_vectors(articles))  # one ordered pass: on the client
    by_id = {a.id: a for a in articles}
    shown = [g for g in groups if events.theme_of([facts[i] for i in g]) is not None]
    with _using(config) as client:
        try:
            shared = [g for g in groups if len({facts[i].article_id for i in g}) >= 2]
            counts = _tree_sum(client, _stream(client, _copy_counts, shared, facts, vectors, params=params))
            copies = stories(counts, facts, by_id, params)
            # Articles without their text (an item needs their dates, titles and outlets) and the stories: sent
            # to every worker once.
            light, known = client.scatter([{a.id: replace(a, text="") for a in articles}, copies], broadcast=True,
                                          hash=False)
            items = [item for batch in _stream(client, _items, shown, facts, vectors, articles=light, copies=known)
                     for item in batch.result()]
        except EngineError:
            raise
        except Exception as exc:
            raise EngineError(f"extract.engine dask: a merge task failed on the cluster: {type(exc).__name__}: "
                              f"{exc}") from exc
    log.info("merged %d facts into %d events on Dask (%d shared by several articles, %d stories found)",
             len(facts), len(groups), len(shared), len(set(copies.values())))
    themed = {id(g) for g in shown}
    unthemed = tuple(facts[i] for g in groups if id(g) not in themed for i in g)
    return Merged(tuple(sorted(items, key=lambda it: it.id)), unthemed, copies)


def _stream(client, task, groups: list[list[int]], facts: Sequence[Fact], vectors, **kwargs) -> Iterator:
    """Futures of ``task(batch, **kwargs)`` over batches of events (each event whole: its facts and vectors), in
    event order; at most ``IN_FLIGHT_PER_WORKER`` per worker submitted ahead of the one being taken."""
    from collections import deque

    from dask.distributed import wait

    workers = max(1, len(client.scheduler_info().get("workers", {})))
    pending: deque = deque()
    for batch in _batches(groups):
        payload = [([facts[i] for i in g], vectors[g]) for g in batch]
        pending.append(client.submit(task, payload, pure=False, **kwargs))
        if len(pending) >= IN_FLIGHT_PER_WORKER * workers:
            future = pending.popleft()
            wait(future)  # done before more is sent; its result stays on the cluster until taken
            if future.status == "error":
                future.result()  # raises the task's error
            yield future
    yield from pending


def _batches(groups: list[list[int]]) -> Iterator[list[list[int]]]:
    batch: list[list[int]] = []
    pairs = 0
    for g in groups:
        batch.append(g)
        pairs += len(g) * len(g)
        if pairs >= MERGE_TASK_PAIRS or len(batch) >= 4096:
            yield batch
            batch, pairs = [], 0
    if batch:
        yield batch


def _tree_sum(client, futures: Iterator) -> Counter:
    """The keyed reduce: partial counts summed by tasks on the workers, ``REDUCE_FAN_IN`` at a time."""
    level = list(futures)
    if not level:
        return Counter()
    while len(level) > 1:
        level = [client.submit(_add, *level[i : i + REDUCE_FAN_IN], pure=False)
                 for i in range(0, len(level), REDUCE_FAN_IN)]
    return level[0].result()


def _add(*counts: Counter) -> Counter:
    total: Counter = Counter()
    for c in counts:
        total.update(c)
    return total


def copy_counts(group: Sequence[Fact], vectors, params) -> Counter:
    """One event's share of ``dedupe.copy_groups``: (article x, article y) -> how many facts of x in this event
    read as copies of a fact of y (the same test, on the same vectors)."""
    from .. import events

    if len({f.article_id for f in group}) < 2:
        return Counter()
    sims = vectors @ vectors.T
    texts = [events.Anchors(text=events.normalise(f.text)) for f in group]
    copied: dict[tuple[str, str], set[int]] = defaultdict(set)
    for x, fx in enumerate(group):
        for y, fy in enumerate(group):
            pair = (fx.article_id, fy.article_id)
            if pair[0] != pair[1] and x not in copied[pair] and events.copy_like(texts[x], texts[y],
                                                                                   float(sims[x, y]), params):
                copied[pair].add(x)
    return Counter({pair: len(found) for pair, found in copied.items() if found})


def stories(counts: Counter, facts: Sequence[Fact], articles: dict[str, Article], params) -> dict[str, str]:
    """The global part of ``dedupe.copy_groups``: article pairs whose copied facts make up ``params.copy_share``
    of the smaller article (at least two) join one story, named by its first article. Article id -> story."""
    from ..dedupe import _article_order

    per_article = Counter(f.article_id for f in facts)
    order = _article_order(articles)
    parent: dict[str, str] = {}

    def root(a: str) -> str:
        while parent.get(a, a) != a:
            a = parent[a]
        return a

    for a, b in sorted(counts):
        if a > b:
            continue
        n = min(counts[(a, b)], counts.get((b, a), 0))
        smaller = min(per_article[a], per_article[b])
        if smaller and n >= 2 and n / smaller >= params.copy_share:
            ra, rb = root(a), root(b)
            if ra != rb:
                first, second = sorted((ra, rb), key=order)
                parent[second] = first
    return {a: root(a) for a in per_article if root(a) != a}


def _copy_counts(payload, params) -> Counter:
    return _add(*(copy_counts(group, vectors, params) for group, vectors in payload))


def _items(payload, articles: dict[str, Article], copies: dict[str, str]) -> list:
    """On a worker: the item of each event of the batch (``dedupe._item``, on the event's own facts)."""
    from .. import events
    from ..dedupe import _item

    return [_item(group, list(range(len(group))), vectors, events.theme_of(group), articles, copies)
            for group, vectors in payload]


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
