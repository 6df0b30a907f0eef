"""Sweeps and robustness on a local Dask cluster of two worker processes, fixture circuit, ~0.3 s runs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from drive_atlas.assays import run_assays
from drive_atlas.cli import main
from drive_atlas.drive import simulate
from drive_atlas.spec.circuit import Assay
from drive_atlas.sweeps import (
    ParameterError, TaskOptions, apply, dask_client, grid, parse_parameter, robustness, run_sweep, summary_path, write_summary,
)
from tests.conftest import FIXTURE_ROOT

OPTIONS = TaskOptions(duration=300.0)


@pytest.fixture(scope="module")
def client():
    with dask_client(workers=2) as client:
        yield client


def _points(mini, weights: str = "-20%..+20%:2", seeds: str = "1..2") -> list[dict[str, float]]:
    return grid([parse_parameter(f"projections.agrp_to_pvh.weight={weights}", mini), parse_parameter(f"seed={seeds}", mini)])


def test_sweep_matches_the_same_runs_one_by_one(mini, mini_atlas, client, tmp_path: Path) -> None:
    points = _points(mini)
    outcome = run_sweep(mini, mini_atlas, points, tmp_path / "sweep.parquet", OPTIONS, client=client)
    assert (outcome.computed, outcome.reused, outcome.failed) == (4, 0, 0)
    assert len(pd.read_parquet(tmp_path / "sweep.parquet")) == 4 and not (tmp_path / "sweep.parquet.parts").exists()
    for point, (_, row) in zip(points, outcome.table.iterrows()):
        assert row["projections.agrp_to_pvh.weight"] == point["projections.agrp_to_pvh.weight"]
        alone = simulate(apply(mini, point), atlas=mini_atlas, duration=300.0, seed=int(point["seed"])).summary()
        assert {p: row[f"rate:{p}"] for p in alone["mean_rate_hz"]} == alone["mean_rate_hz"]
        assert row["mean_drive"] == alone["mean_drive"]


def test_an_interrupted_sweep_resumes_without_recomputing(mini, mini_atlas, client, tmp_path: Path) -> None:
    out = tmp_path / "sweep.parquet"
    points = _points(mini, weights="15,25", seeds="1..3")

    def interrupt(done: int, total: int, _: str) -> None:
        if done >= 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(mini, mini_atlas, points, out, OPTIONS, client=client, progress=interrupt)
    kept = len(list((tmp_path / "sweep.parquet.parts").glob("*.ok.parquet")))
    assert kept == 2 and not out.exists()
    resumed = run_sweep(mini, mini_atlas, points, out, OPTIONS, client=client)
    assert (resumed.reused, resumed.computed, resumed.failed) == (2, 4, 0)
    again = run_sweep(mini, mini_atlas, points, out, OPTIONS, client=client)
    assert (again.reused, again.computed) == (6, 0)
    assert again.table["key"].tolist() == resumed.table["key"].tolist()


def test_a_bad_path_is_refused_before_any_task_runs(mini, mini_atlas, tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="projections.agrp_to_pvh.weight"):
        run_sweep(mini, mini_atlas, [{"projections.agrp_to_pvh.wieght": 1.0}], tmp_path / "s.parquet", OPTIONS,
                  client=object())  # never used: refused first
    result = CliRunner().invoke(main, ["sweep", "mini", "--root", str(FIXTURE_ROOT), "--param", "projections.nope.weight=1,2",
                                       "--out", str(tmp_path / "cli.parquet")])
    assert result.exit_code == 1 and "unknown parameter path 'projections.nope.weight'" in result.output
    assert not list(tmp_path.iterdir())


def test_a_failing_task_is_reported_and_the_others_finish(mini, mini_atlas, client, tmp_path: Path) -> None:
    points = [{"projections.agrp_to_pvh.weight": w, "seed": 1} for w in (-5.0, 20.0)]
    outcome = run_sweep(mini, mini_atlas, points, tmp_path / "sweep.parquet", OPTIONS, client=client)
    bad, good = outcome.table.iloc[0], outcome.table.iloc[1]
    assert outcome.failed == 1
    assert bad["status"] == "error" and "positive magnitude" in bad["error"] and bad["projections.agrp_to_pvh.weight"] == -5.0
    assert good["status"] == "ok" and good["rate:agrp"] > 0


def _assay(assay_id: str, conditions: dict[str, str], expect: dict) -> Assay:
    return Assay.model_validate({
        "id": assay_id, "citation": ["cowley2003"], "phenomenon": "fixture", "duration": "500 ms",
        "conditions": {name: {"protocol": protocol} for name, protocol in conditions.items()},
        "measure": {"kind": "mean_rate", "population": "agrp", "window": ["100 ms", "500 ms"]}, "expect": expect,
    })


def test_robustness_finds_the_fragile_assay_and_what_it_hangs_on(mini, mini_atlas, client, tmp_path: Path) -> None:
    seeds = (1, 2, 3)
    robust = _assay("ghrelin_raises_agrp", {"fed": "baseline", "fasted": "fasted"},
                    {"kind": "increase", "conditions": ["fasted", "fed"]})
    probe = _assay("fragile", {"fed": "baseline"}, {"kind": "below", "conditions": ["fed"], "value": 1e9})
    curated_rate = run_assays(mini, mini_atlas, [probe], seeds=seeds).results[0].values["fed"].mean()
    # fragile: the bound sits exactly at the curated value, so only samples that lower AgRP's rate clearly can pass
    fragile = probe.model_copy(update={"expect": probe.expect.model_copy(update={"value": float(curated_rate)})})
    circuit = mini.model_copy(update={"assays": [robust, fragile]})
    report = robustness(circuit, mini_atlas, tmp_path / "robustness.parquet", fraction=0.2, samples=8, seeds=seeds,
                        client=client)
    by_id = {a["assay"]: a for a in report.summary["assays"]}
    assert by_id["ghrelin_raises_agrp"]["pass_fraction"] == 1.0
    assert by_id["fragile"]["curated_status"] == "fail"
    assert by_id["fragile"]["pass_fraction"] < 0.5
    top = by_id["fragile"]["sensitivity"][0]
    assert top["parameter"] == "populations.agrp.background.rate" and top["effect_correlation"] > 0.5
    written = write_summary(report.summary, summary_path(tmp_path, "mini"))
    assert written == tmp_path / ".drive-atlas-cache" / "robustness" / "mini.json" and written.exists()


def test_the_local_cluster_runs_with_slow_housekeeping(client) -> None:
    """The local cluster's scheduler and workers tick every 200 ms and steal no work (the defaults are 20 ms and on)."""
    import dask

    def settings() -> tuple[str, bool]:
        return dask.config.get("distributed.admin.tick.interval"), dask.config.get("distributed.scheduler.work-stealing")

    assert set(client.run(settings).values()) == {("200ms", False)}
    assert client.run_on_scheduler(settings) == ("200ms", False)
    assert "stealing" not in client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.extensions))
