"""The assay battery on a local Dask cluster, with its result cache (real NEST, short runs)."""

from __future__ import annotations

import numpy as np

from drive_atlas.assays import run_assays
from drive_atlas.assays.cache import ResultCache
from drive_atlas.atlas import Atlas
from drive_atlas.spec.circuit import Assay
from drive_atlas.sweeps.battery import run_battery

SEEDS = (1, 2)


def _assay() -> Assay:
    return Assay.model_validate({
        "id": "ghrelin_raises_agrp", "citation": ["cowley2003"], "phenomenon": "ghrelin excites AgRP neurons",
        "duration": "1 s",
        "conditions": {"fed": {"protocol": "baseline"}, "fasted": {"protocol": "fasted"}},
        "measure": {"kind": "mean_rate", "population": "agrp", "window": ["0.2 s", "1 s"]},
        "expect": {"kind": "increase", "conditions": ["fasted", "fed"]},
    })


def test_battery_on_dask_equals_serial_run_and_reuses_cached_results(mini_atlas: Atlas, tmp_path) -> None:
    mini, assay = mini_atlas["mini"], _assay()
    cache = ResultCache(tmp_path / "runs")
    first = run_battery([(mini, [assay])], mini_atlas, SEEDS, cache, workers=2)
    serial = run_assays(mini, mini_atlas, [assay], seeds=SEEDS).results[0]
    parallel = first.runs["mini"].results[0]
    assert (first.computed, first.reused) == (4, 0)
    for condition in serial.values:
        np.testing.assert_array_equal(parallel.values[condition], serial.values[condition])
    assert parallel.status == serial.status

    again = run_battery([(mini, [assay])], mini_atlas, SEEDS, cache, workers=2)
    assert (again.computed, again.reused) == (0, 4)
    np.testing.assert_array_equal(again.runs["mini"].results[0].values["fed"], parallel.values["fed"])

    pop = mini.populations[0]
    changed = mini.model_copy(update={"populations": [pop.model_copy(update={"size": pop.size + 1}), *mini.populations[1:]]})
    after_change = run_battery([(changed, [assay])], mini_atlas, SEEDS, cache, workers=2)
    assert (after_change.computed, after_change.reused) == (4, 0)  # new content hash: nothing reused
