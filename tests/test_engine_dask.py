"""extract.engine: dask — the briefing made on a Dask cluster on 127.0.0.1 is the local one: reading as a map over
chunks of articles, the merge as a reduce keyed by event and article pair (briefing/extract/engine_dask.py)."""

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest

from briefing import events
from briefing.cli import main
from briefing.config import load_config
from briefing.dedupe import copy_groups, dedupe
from briefing.embed import vectors_of
from briefing.pipeline import classify_by_article, read_articles, run

distributed = pytest.importorskip("dask.distributed")

from briefing.extract.engine_dask import copy_counts, dedupe_on_dask, session, stories  # noqa: E402  (needs dask)
from briefing.extract import extract  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "sample-2022-04-01.md"
DAY = dt.date(2022, 4, 1)


def _config(tmp_path, **extract):
    config, _ = load_config(ROOT / "config.yaml")
    return config.override(output=tmp_path / "out", pdf=replace(config.pdf, enabled=False),
                           history=replace(config.history, enabled=False), publish=replace(config.publish, index=False),
                           extract=replace(config.extract, **extract))


def _syndicated_day(folder: Path) -> Path:
    """The two sample articles and a wire copy of each (another outlet, the last paragraph cut): stories of
    several articles, as a real day has them."""
    folder.mkdir()
    records = []
    for n, path in enumerate(sorted((ROOT / "samples").glob("*.txt"))):
        text = path.read_text(encoding="utf-8")
        records.append({"id": f"orig-{n}", "title": "", "outlet": f"Outlet {n}", "date": DAY.isoformat(), "text": text})
        cut = "\n\n".join(text.strip().split("\n\n")[:-1])
        records.append({"id": f"copy-{n}", "title": "", "outlet": f"Wire {n}", "date": DAY.isoformat(), "text": cut})
    path = folder / "day.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def cluster():
    # An existing cluster, as a desk would run one: the runs connect to its scheduler's address.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        yield cluster


def test_a_two_worker_cluster_makes_the_same_briefing(tmp_path, cluster):
    config = _config(tmp_path, engine="dask", scheduler=cluster.scheduler_address)
    result = run(config, inputs=[ROOT / "samples"], date=DAY)
    with distributed.Client(cluster) as client:
        ran = client.run(lambda: __import__("sys").modules.get("briefing.nlp") is not None)
    assert (result.out_dir / "briefing.md").read_text(encoding="utf-8") == GOLDEN.read_text(encoding="utf-8")
    assert len(ran) == 2 and any(ran.values())  # the workers read the articles (and loaded the models there)


def test_the_merge_reduced_on_the_cluster_is_the_local_merge(tmp_path, cluster):
    config = _config(tmp_path, engine="dask", scheduler=cluster.scheduler_address)
    articles = read_articles(config, [_syndicated_day(tmp_path / "in")], DAY).articles
    local_config = config.override(extract=replace(config.extract, engine="local"))
    facts = classify_by_article(extract(articles, local_config).facts, config, articles)
    local = dedupe(facts, articles, config)
    with session(config):
        on_cluster = dedupe_on_dask(facts, articles, config)
    assert local.copies  # the wire copies were found: the reduce had pairs to sum
    assert on_cluster == local


def test_the_local_and_the_cluster_run_write_the_same_briefing_of_a_syndicated_day(tmp_path, cluster):
    day = _syndicated_day(tmp_path / "in")
    local = run(_config(tmp_path / "local"), inputs=[day], date=DAY)
    remote = run(_config(tmp_path / "dask", engine="dask", scheduler=cluster.scheduler_address), inputs=[day], date=DAY)
    markdown = (local.out_dir / "briefing.md").read_text(encoding="utf-8")
    assert "Wire 0" in markdown and markdown == (remote.out_dir / "briefing.md").read_text(encoding="utf-8")


def test_story_counts_keyed_by_event_sum_to_the_days_copy_groups(tmp_path):
    # However the events are split between tasks, the per-event counts summed by article pair give dedupe's stories.
    config = _config(tmp_path)
    articles = read_articles(config, [_syndicated_day(tmp_path / "in")], DAY).articles
    facts = list(extract(articles, config).facts)
    vectors = vectors_of(facts)
    groups = events.group(facts, vectors, events.Params())
    by_id = {a.id: a for a in articles}
    counts = [copy_counts([facts[i] for i in g], vectors[g], events.Params()) for g in groups]
    expected = copy_groups(facts, groups, vectors, by_id)
    assert expected
    assert stories(sum(counts, start=type(counts[0])()), facts, by_id, events.Params()) == expected
    assert stories(sum(reversed(counts), start=type(counts[0])()), facts, by_id, events.Params()) == expected


def test_an_unknown_engine_is_a_config_error(tmp_path, capsys):
    path = tmp_path / "config.yaml"
    path.write_text("extract:\n  engine: spark\n", encoding="utf-8")
    assert main(["check", "--config", str(path)]) == 2
    assert "extract.engine: expected local or dask, got 'spark'" in capsys.readouterr().err
