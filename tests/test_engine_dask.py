"""extract.engine: dask — the sample briefing read by the workers of a Dask cluster on 127.0.0.1 is the local one."""

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.config import load_config
from briefing.pipeline import run

distributed = pytest.importorskip("dask.distributed")

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "sample-2022-04-01.md"


def _config(tmp_path, **extract):
    config, _ = load_config(ROOT / "config.yaml")
    return config.override(output=tmp_path / "out", pdf=replace(config.pdf, enabled=False),
                           history=replace(config.history, enabled=False), publish=replace(config.publish, index=False),
                           extract=replace(config.extract, **extract))


def test_a_two_worker_cluster_makes_the_same_briefing(tmp_path):
    # An existing cluster, as a desk would run one: the run connects to its scheduler's address.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        config = _config(tmp_path, engine="dask", scheduler=cluster.scheduler_address)
        result = run(config, inputs=[ROOT / "samples"], date=dt.date(2022, 4, 1))
        with distributed.Client(cluster) as client:
            ran = client.run(lambda: __import__("sys").modules.get("briefing.nlp") is not None)
    assert (result.out_dir / "briefing.md").read_text(encoding="utf-8") == GOLDEN.read_text(encoding="utf-8")
    assert len(ran) == 2 and any(ran.values())  # the workers read the articles (and loaded the models there)


def test_an_unknown_engine_is_a_config_error(tmp_path, capsys):
    path = tmp_path / "config.yaml"
    path.write_text("extract:\n  engine: spark\n", encoding="utf-8")
    assert main(["check", "--config", str(path)]) == 2
    assert "extract.engine: expected local or dask, got 'spark'" in capsys.readouterr().err
