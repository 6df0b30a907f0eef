"""A composite circuit (hunger_pain) in the web app: the test page runs it, the graph signs it as the simulator does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from drive_atlas.atlas import Atlas
from drive_atlas.sim.modulation import Modulation
from drive_atlas.spec.semantics import neurons, population_scale
from drive_atlas.web.components import population_details
from drive_atlas.web.graph import build_elements, signalling_paths

from ..conftest import REPO
from .conftest import copy_atlas

COMPOSITE = "hunger_pain"

# Run in a fresh process: the web app refuses to run in a process that has already loaded NEST.
_RUN = """
import json, sys
from pathlib import Path
from drive_atlas.web.context import WebContext
from drive_atlas.web.limits import Limits
from drive_atlas.web import simulation

ctx = WebContext.create(Path(sys.argv[1]), read_only=False, limits=Limits(), cache_dir=Path(sys.argv[2]))
circuit_id, source = sys.argv[3], sys.argv[4]
protocol = next(iter(ctx.entry(circuit_id).runnable.protocols))
drafts = {circuit_id: ctx.entry(circuit_id).path.read_text()}
record = simulation.run(ctx, circuit_id, simulation.RunRequest(protocol, "", 0.2, 1, source), lambda done, total, label: None, drafts)
circuit = simulation._draft(ctx, circuit_id, drafts) if source == "draft" else ctx.entry(circuit_id).runnable
print(json.dumps({"type": type(circuit).__name__, "label": record["label"], "rates": record["summary"]["mean_rate_hz"]}))
"""

def _run_page(root: Path, cache: Path, source: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYNEST_QUIET": "1"}
    done = subprocess.run([sys.executable, "-c", _RUN, str(root), str(cache), COMPOSITE, source], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_test_page_runs_a_composite_saved_and_as_a_draft(tmp_path: Path) -> None:
    """Defect: /test/hunger_pain -> Run said "population 'hunger.agrp' is not defined"."""
    root = copy_atlas(tmp_path / "atlas")
    for source in ("saved", "draft"):
        out = _run_page(root, tmp_path / f"cache-{source}", source)
        assert out["type"] == "RunnableCircuit"
        assert out["label"].startswith(f"{COMPOSITE}@")
        assert "hunger.agrp" in out["rates"] and "pain.pbn_cgrp" in out["rates"]


def test_graph_signs_leptin_on_agrp_as_the_simulator_does(atlas: Atlas) -> None:
    """Defect: hunger.yaml overrides Lepr on AgRP to inhibitory; the graph drew it excitatory."""
    for circuit_id, prefix in (("hunger", ""), (COMPOSITE, "hunger.")):
        circuit = atlas[circuit_id]
        paths = {(s.source, s.receptor, s.target): s.effect for s in signalling_paths(circuit, atlas)}
        assert paths[(f"input:{prefix}leptin", "Lepr", f"{prefix}agrp")] == "inhibitory"
        assert paths[(f"input:{prefix}leptin", "Lepr", f"{prefix}pomc")] == "excitatory"
        edges = {e["data"]["id"]: e for e in build_elements(circuit, atlas) if "source" in e["data"]}
        assert "inhibitory" in edges[f"sig:input:{prefix}leptin:leptin:Lepr:{prefix}agrp"]["classes"]
        details = " ".join(str(part) for part in population_details(circuit, atlas, f"{prefix}agrp"))
        assert "Expresses Lepr" in details and "inhibitory (here; overrides the catalog)" in details


def test_every_agonist_edge_has_the_sign_the_simulator_uses(atlas: Atlas) -> None:
    for circuit in atlas:
        signs = {(a.population, a.receptor): a.sign for a in Modulation.build(circuit.populations, atlas.ligands, atlas.receptors).annotations}
        for path in signalling_paths(circuit, atlas):
            if path.action == "agonist":
                assert signs[(path.target, path.receptor)] == (1.0 if path.effect == "excitatory" else -1.0), path


def test_a_population_shows_the_neurons_it_runs_with(atlas: Atlas) -> None:
    """A composite runs a fraction of its parts' neurons (simulation.population_scale): the page says how many."""
    for circuit_id, prefix in (("hunger", ""), (COMPOSITE, "hunger.")):
        circuit = atlas[circuit_id]
        pop = next(p for p in circuit.populations if p.id == f"{prefix}agrp")
        details = " ".join(str(part) for part in population_details(circuit, atlas, pop.id))
        run = neurons(circuit, pop)
        if population_scale(circuit) == 1.0:
            assert run == pop.size and "runs" not in details
        else:
            assert run < pop.size and f"{pop.size} (runs {run}: population_scale {population_scale(circuit):g})" in details
