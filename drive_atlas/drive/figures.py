"""One plotly figure of a run on a shared time axis: raster, rates, ligands, receptors, drive, reward.

Used by ``drive-atlas simulate --plot`` and reusable by the web app.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import quantities as pq
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from .run import SimulationResult

PANELS = ["spikes", "rate (Hz)", "ligand (nM)", "receptor activation", "drive", "reward"]


def simulation_figure(result: SimulationResult, neurons_per_population: int = 40) -> go.Figure:
    """The figure; times in seconds; the raster shows the first ``neurons_per_population`` recorded neurons of each population."""
    fig = make_subplots(rows=len(PANELS), cols=1, shared_xaxes=True, vertical_spacing=0.02,
                        row_heights=[0.3, 0.16, 0.12, 0.12, 0.15, 0.15], subplot_titles=None)
    colors = qualitative.Plotly
    pops = list(dict.fromkeys(result.rates["population"]))
    color = {p: colors[i % len(colors)] for i, p in enumerate(pops)}
    offset = 0
    for train in result.block.segments[0].spiketrains:
        pid = str(train.annotations.get("population", train.name))
        neurons = np.asarray(train.array_annotations["neuron"], dtype=int)
        keep = neurons < neurons_per_population
        times = train.times.rescale(pq.s).magnitude[keep]
        fig.add_trace(go.Scattergl(x=times, y=neurons[keep] + offset, mode="markers", marker={"size": 2, "color": color.get(pid)},
                                   name=pid, legendgroup=pid, showlegend=False), row=1, col=1)
        offset += min(neurons_per_population, int(train.annotations.get("recorded_neurons", neurons_per_population))) + 5
    for pid, rows in result.rates.groupby("population", sort=False):
        fig.add_trace(go.Scatter(x=rows["time"] / 1000.0, y=rows["rate_hz"], name=pid, legendgroup=pid, line={"color": color[pid]}),
                      row=2, col=1)
    for ligand, rows in result.ligands.groupby("ligand", sort=False):
        fig.add_trace(go.Scatter(x=rows["time"] / 1000.0, y=rows["concentration_nm"], name=f"[{ligand}]"), row=3, col=1)
    for (pid, receptor), rows in result.receptors.groupby(["population", "receptor"], sort=False):
        fig.add_trace(go.Scatter(x=rows["time"] / 1000.0, y=rows["activation"], name=f"{receptor} @ {pid}",
                                 line={"dash": "dot", "color": color.get(pid)}), row=4, col=1)
    if len(result.drive):
        fig.add_trace(go.Scatter(x=result.drive["time"] / 1000.0, y=result.drive["drive"], name="drive", line={"color": "black"}),
                      row=5, col=1)
        fig.add_trace(go.Bar(x=result.reward["time"] / 1000.0, y=result.reward["reward"], name="reward", marker={"color": "seagreen"}),
                      row=6, col=1)
    for epoch in result.block.segments[0].epochs:
        for start, width, label in zip(epoch.times.rescale(pq.s).magnitude, epoch.durations.rescale(pq.s).magnitude, epoch.labels):
            fig.add_vrect(x0=start, x1=start + width, fillcolor="gold", opacity=0.12, line_width=0,
                          annotation_text=str(label), annotation_position="top left", row="all", col=1)
    for i, title in enumerate(PANELS, start=1):
        fig.update_yaxes(title_text=title, row=i, col=1)
    fig.update_xaxes(title_text="time (s)", row=len(PANELS), col=1)
    notes = result.block.annotations
    fig.update_layout(title=f"{notes['circuit_id']}@{notes['circuit_version']} — protocol {notes['protocol']} (seed {notes['seed']})",
                      height=1100, template="plotly_white", bargap=0)
    return fig


def write_figure(result: SimulationResult, path: str | Path) -> Path:
    """Self-contained HTML (plotly.js inlined, so it opens offline)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    simulation_figure(result).write_html(str(path), include_plotlyjs=True)
    return path
