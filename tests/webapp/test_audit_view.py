"""The audit as users see it: verdict colours on the graph, the data in the details panel, the atlas column."""

from __future__ import annotations

import json
from pathlib import Path

from drive_atlas.atlas import Atlas
from drive_atlas.web import create_app
from drive_atlas.web.audit import annotate, audit_share, audit_stylesheet, circuit_verdicts, verdict_panel, verdicts_for
from drive_atlas.web.graph import build_elements

from .conftest import copy_atlas


def test_graph_elements_carry_their_verdicts(atlas: Atlas) -> None:
    circuit = atlas.entries["hunger"].circuit
    verdicts = circuit_verdicts(atlas, "hunger")
    elements = {e["data"]["id"]: e for e in annotate(build_elements(circuit, atlas), circuit, verdicts)}
    assert elements["agrp_to_pvh"]["data"]["audit"] == "supported" and "audit-supported" in elements["agrp_to_pvh"]["classes"]
    assert elements["agrp_to_pomc"]["data"]["audit"] == "no_data"
    assert elements["agrp"]["data"]["audit"] == "supported"  # Lepr is a HypoMap marker of its clusters
    assert elements["nts"]["data"]["audit"] == "no_data"  # outside HypoMap
    signalling = [e for e in elements.values() if e["data"].get("kind") == "signalling"]
    assert signalling and all("audit" in e["data"] for e in signalling)
    selectors = {rule["selector"] for rule in audit_stylesheet()}
    assert {"node.audit-contradicted", "edge.audit-supported"} <= selectors


def test_details_panel_shows_the_figures(atlas: Atlas) -> None:
    circuit = atlas.entries["hunger"].circuit
    verdicts = circuit_verdicts(atlas, "hunger")
    panel = json.dumps(verdict_panel(verdicts_for({"id": "agrp_to_pvh", "source": "agrp", "target": "pvh_mc4r"}, circuit, verdicts)),
                       default=lambda o: o.to_plotly_json())
    assert "Agrp-IRES-Cre" in panel and "density" in panel
    panel = json.dumps(verdict_panel(verdicts_for({"id": "agrp"}, circuit, verdicts)), default=lambda o: o.to_plotly_json())
    assert "HypoMap clusters" in panel and "of siblings" in panel


def test_atlas_table_has_the_share_supported(atlas: Atlas) -> None:
    share = audit_share(atlas, "hunger")
    supported, total = share.split(" ")[0].split("/")
    assert 0 < int(supported) <= int(total) == 25  # 7 populations + 11 receptor annotations + 7 projections


def test_a_root_without_the_tables_shows_no_audit(tmp_path: Path) -> None:
    root = copy_atlas(tmp_path / "atlas")
    (root / "data" / "allen_projections.csv").unlink()
    app = create_app(root, cache_dir=tmp_path / "cache")
    body = {"output": "page.children", "outputs": {"id": "page", "property": "children"},
            "inputs": [{"id": "url", "property": "pathname", "value": "/circuit/pain"}], "changedPropIds": ["url.pathname"]}
    response = app.server.test_client().post("/_dash-update-component", json=body)
    assert response.status_code == 200 and "by audit verdict" not in json.dumps(response.json)
    assert audit_share(Atlas.load(root), "pain") == ""


def test_a_signalling_edge_from_an_input_finds_its_verdicts(atlas: Atlas) -> None:
    """Signalling ids hold the source, which for an input channel contains a colon itself."""
    circuit = atlas.entries["hunger"].circuit
    verdicts = circuit_verdicts(atlas, "hunger")
    edge = next(e for e in build_elements(circuit, atlas) if e["data"]["id"].startswith("sig:input:"))
    found = verdicts_for(edge["data"], circuit, verdicts)
    ligand, receptor = edge["data"]["id"].rsplit(":", 3)[1:3]
    assert f"{ligand}>{receptor}" in {v.part for v in found}
