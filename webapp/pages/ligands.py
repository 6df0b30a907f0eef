"""The ligand catalog: each ligand's receptor actions, and every population in the atlas that releases or senses it."""

from __future__ import annotations

from typing import Any

from dash import Dash, dcc, html

from drive_atlas.atlas import Atlas
from drive_atlas.spec import Ligand

from ..components import evidence_list, grid
from ..context import WebContext


def _populations(atlas: Atlas, ligand: Ligand) -> list[dict[str, Any]]:
    """Populations across all circuits that release the ligand or express a receptor it acts at."""
    receptors = {a.receptor for a in ligand.actions}
    rows = []
    for circuit in atlas:
        for pop in circuit.populations:
            roles = ["releases"] if any(r.ligand == ligand.id for r in pop.releases) else []
            roles += [f"expresses {r.receptor}" for r in pop.receptors if r.receptor in receptors]
            if roles:
                rows.append({"circuit": f"[{circuit.id}](/circuit/{circuit.id})", "population": pop.id, "region": pop.region,
                             "role": ", ".join(roles)})
    return rows


def _ligand_card(atlas: Atlas, ligand: Ligand) -> html.Section:
    actions = []
    for a in ligand.actions:
        receptor = atlas.receptors.get(a.receptor)
        actions.append({"receptor": a.receptor, "coupling": receptor.coupling if receptor else "?",
                        "effect": receptor.effect if receptor else "?", "action": a.action, "efficacy": a.efficacy,
                        "potency (nM)": a.potency, "hill": a.hill})
    populations = _populations(atlas, ligand)
    table = grid({"type": "ligand-populations", "ligand": ligand.id}, populations, ["circuit", "population", "region", "role"],
                 height=min(60 + 42 * max(len(populations), 1), 300))
    table.columnDefs[0].update(cellRenderer="markdown")
    return html.Section([
        html.H3(f"{ligand.name} ({ligand.id})"),
        html.P(f"{ligand.kind}{', gene ' + ligand.gene if ligand.gene else ''}; clearance τ {ligand.clearance_tau:g} ms. {ligand.description}"),
        grid({"type": "ligand-actions", "ligand": ligand.id}, actions, list(actions[0]), height=60 + 42 * len(actions)),
        html.H5("Populations that release it or express its receptors"), table,
        html.Details([html.Summary("Evidence"), evidence_list(atlas, ligand.evidence)]),
    ], id=ligand.id, className="ligand")


def layout(ctx: WebContext) -> html.Div:
    atlas = ctx.atlas
    return html.Div([html.H2(f"Ligand catalog ({len(atlas.ligands)})"),
                     html.P([html.A(l.name, href=f"#{l.id}") for l in atlas.ligands.values()], className="ligand-index"),
                     *(_ligand_card(atlas, l) for l in atlas.ligands.values())])


def register(app: Dash, ctx: WebContext) -> None:
    """The catalog page is static: nothing to register."""
