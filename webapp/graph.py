"""A circuit as cytoscape elements, laid out like the anatomy.

Rows follow the neuraxis (periphery and spinal cord at the bottom, medulla, pons,
midbrain, hypothalamus above), so a researcher reads the graph the way they read
a sagittal section. Fast projections are solid edges styled by sign; peptide and
hormone signalling (volume transmission) is dashed and computed from the ligand
catalog: a releasing population reaches every population that expresses a
receptor the ligand acts at, signed as the simulator signs it (``spec.semantics``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from drive_atlas.atlas import Atlas
from drive_atlas.atlas.reference_data import DIVISION_ORDER
from drive_atlas.spec import Circuit, semantics
from drive_atlas.spec.semantics import Signalling, poisson_inputs

ROW_HEIGHT, COLUMN_WIDTH = 140, 190
INPUT_ROW = "inputs"

DIVISION_COLORS = {
    "periphery": "#8d6e63", "spinal cord": "#6d4c41", "medulla": "#1e88e5", "pons": "#3949ab", "midbrain": "#00897b",
    "hypothalamus": "#e53935", "pallidum": "#fb8c00", "striatum": "#fdd835", "other": "#9e9e9e", INPUT_ROW: "#bdbdbd",
}
TRANSMITTER_COLORS = {"glutamate": "#2e7d32", "GABA": "#c62828", "glycine": "#ad1457", "acetylcholine": "#6a1b9a", "none": "#757575"}
SIGN_COLORS = {"excitatory": "#2e7d32", "inhibitory": "#c62828", "modulatory": "#6a1b9a"}


def signalling_paths(circuit: Circuit, atlas: Atlas) -> list[Signalling]:
    """Every slow signalling path of the circuit, signed as the simulator signs it."""
    return semantics.signalling_paths(circuit, atlas.ligands, atlas.receptors)


def _division(atlas: Atlas, region: str) -> str:
    found = atlas.regions.get(region)
    return found.division if found and found.division in DIVISION_COLORS else "other"


def build_elements(circuit: Circuit, atlas: Atlas) -> list[dict[str, Any]]:
    """Nodes (populations, external and input nodes) with preset positions, then edges."""
    nodes: list[dict[str, Any]] = []
    for pop in circuit.populations:
        division = _division(atlas, pop.region)
        nodes.append({"data": {"id": pop.id, "label": f"{pop.id}\n{pop.region}", "kind": "population", "division": division,
                               "division_color": DIVISION_COLORS[division],
                               "transmitter_color": TRANSMITTER_COLORS.get(pop.transmitter, "#757575")}})
    known = {p.id for p in circuit.populations}
    external = sorted({e for p in circuit.projections for e in (p.source, p.target) if e not in known})
    nodes += [{"data": {"id": e, "label": e, "kind": "external", "division": "other", "division_color": DIVISION_COLORS["other"],
                        "transmitter_color": "#757575"}, "classes": "external"} for e in external]
    nodes += [{"data": {"id": f"input:{i.id}", "label": i.id, "kind": "input", "division": INPUT_ROW,
                        "division_color": DIVISION_COLORS[INPUT_ROW], "transmitter_color": DIVISION_COLORS[INPUT_ROW]},
               "classes": "input"} for i in circuit.inputs]
    _place(nodes)

    edges = [{"data": {"id": p.id, "source": p.source, "target": p.target, "kind": "projection", "sign": p.sign,
                       "label": f"w {p.weight:g}"}, "classes": f"projection {p.sign}"} for p in circuit.projections]
    edges += [{"data": {"id": f"input:{i.id}:{t.population}", "source": f"input:{i.id}", "target": t.population, "kind": "input",
                        "sign": "excitatory", "label": ""}, "classes": "projection excitatory input-edge"}
              for i in poisson_inputs(circuit) for t in i.targets]
    edges += [{"data": {"id": s.id, "source": s.source, "target": s.target, "kind": "signalling", "sign": s.effect,
                        "label": f"{s.ligand} → {s.receptor}"}, "classes": f"signalling {s.effect}"}
              for s in signalling_paths(circuit, atlas)]
    return nodes + edges


def _place(nodes: list[dict[str, Any]]) -> None:
    """Preset positions: one row per division used, bottom-up along the neuraxis; inputs below everything."""
    order = [INPUT_ROW] + DIVISION_ORDER
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for node in nodes:
        rows[node["data"]["division"]].append(node)
    used = [d for d in order if d in rows]
    for level, division in enumerate(used):
        members = rows[division]
        for i, node in enumerate(members):
            node["position"] = {"x": (i - (len(members) - 1) / 2) * COLUMN_WIDTH, "y": (len(used) - 1 - level) * ROW_HEIGHT}


def stylesheet(color_by: str = "division") -> list[dict[str, Any]]:
    """Node colour by region division or fast transmitter; edges by sign, signalling dashed."""
    color = "data(transmitter_color)" if color_by == "transmitter" else "data(division_color)"
    return [
        {"selector": "node", "style": {"background-color": color, "label": "data(label)", "text-wrap": "wrap",
                                       "text-valign": "center", "color": "#fff", "text-outline-width": 2,
                                       "text-outline-color": color, "font-size": 11, "width": 70, "height": 70}},
        {"selector": ".input", "style": {"shape": "round-rectangle", "width": 80, "height": 30, "color": "#333",
                                         "text-outline-width": 0}},
        {"selector": ".external", "style": {"border-style": "dashed", "border-width": 2, "border-color": "#555"}},
        {"selector": "edge", "style": {"curve-style": "bezier", "width": 2.5, "label": "data(label)", "font-size": 9,
                                       "text-rotation": "autorotate", "text-background-color": "#fff",
                                       "text-background-opacity": 0.8}},
        *({"selector": f".{sign}", "style": {"line-color": c, "target-arrow-color": c}} for sign, c in SIGN_COLORS.items()),
        {"selector": ".excitatory", "style": {"target-arrow-shape": "triangle"}},
        {"selector": ".inhibitory", "style": {"target-arrow-shape": "tee"}},
        {"selector": ".modulatory", "style": {"target-arrow-shape": "diamond"}},
        {"selector": ".signalling", "style": {"line-style": "dashed", "width": 2, "line-dash-pattern": [6, 4]}},
        {"selector": ".input-edge", "style": {"line-color": "#9e9e9e", "target-arrow-color": "#9e9e9e"}},
        {"selector": ":selected", "style": {"border-width": 4, "border-color": "#ffb300", "line-color": "#ffb300",
                                            "target-arrow-color": "#ffb300"}},
    ]
