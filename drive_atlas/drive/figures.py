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

LINE_PX = 14  # height of one line of an event label
PANELS = ["spikes", "rate (Hz)", "ligand (nM)", "receptor activation", "drive", "reward"]


def simulation_figure(result: SimulationResult, neurons_per_population: int = 40) -> go.Figure:
    """The figure; times in seconds; the raster shows the first ``neurons_per_population`` recorded neurons of each population."""
    fig = make_subplots(rows=len(PANELS), cols=1, shared_xaxes=True, vertical_spacing=0.02,
                        row_heights=[0.3, 0.16, 0.12, 0.12, 0.15, 0.15], subplot_titles=None)
    colors = qualitative.Plotly
    pops = list(dict.fromkeys(result.rates["population"]))
    color = {p: colors[i % len(colors)] for i, p in enumerate(pops)}
    _raster(fig, result, color, neurons_per_population)
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
    top = _events(fig, result)
    for i, title in enumerate(PANELS[1:], start=2):
        fig.update_yaxes(title_text=title, row=i, col=1)
    fig.update_xaxes(title_text="time (s)", row=len(PANELS), col=1)
    notes = result.block.annotations
    fig.update_layout(title=f"{notes['circuit_id']}@{notes['circuit_version']} — protocol {notes['protocol']} (seed {notes['seed']})",
                      height=1100 + top, template="plotly_white", bargap=0, margin={"t": 80 + top})
    return fig


def _raster(fig: go.Figure, result: SimulationResult, color: dict[str, str], per_population: int) -> None:
    """One band per population, labelled on the axis, separated by a line: populations never share raster rows."""
    ticks, labels, offset = [], [], 0
    for train in result.block.segments[0].spiketrains:
        pid = str(train.annotations.get("population", train.name))
        shown = min(per_population, int(train.annotations.get("recorded_neurons", per_population)))
        neurons = np.asarray(train.array_annotations["neuron"], dtype=int)
        keep = neurons < shown
        fig.add_trace(go.Scattergl(x=train.times.rescale(pq.s).magnitude[keep], y=neurons[keep] + offset, mode="markers",
                                   marker={"size": 2, "color": color.get(pid)}, name=pid, legendgroup=pid, showlegend=False),
                      row=1, col=1)
        ticks.append(offset + (shown - 1) / 2)
        labels.append(pid)
        offset += shown + 2
        fig.add_hline(y=offset - 1.5, line={"color": "lightgrey", "width": 1}, row=1, col=1)
    fig.update_yaxes(tickvals=ticks, ticktext=labels, range=[-1, max(offset - 1, 1)], showgrid=False, zeroline=False,
                     title_text="spikes", row=1, col=1)


def _events(fig: go.Figure, result: SimulationResult) -> int:
    """A dotted line across every panel at each event time, one label per time above the figure (events at one time share it,
    close times go to separate rows); a shaded span for events with an end. Returns the height (px) the labels take."""
    segment = result.block.segments[0]
    duration = float(result.block.annotations["duration_ms"]) / 1000.0
    starts: dict[float, list[str]] = {}
    for epoch in segment.epochs:
        for start, width, label in zip(epoch.times.rescale(pq.s).magnitude, epoch.durations.rescale(pq.s).magnitude, epoch.labels):
            starts.setdefault(round(float(start), 6), []).append(str(label))
            if start + width < duration:
                fig.add_vrect(x0=start, x1=start + width, fillcolor="gold", opacity=0.15, line_width=0, row="all", col=1)
    lanes: list[float] = []  # the last time labelled in each row of labels
    placed: list[tuple[float, list[str], int]] = []
    for start in sorted(starts):
        lane = next((i for i, last in enumerate(lanes) if start - last > 0.12 * duration), len(lanes))
        lanes[lane:lane + 1] = [start]
        placed.append((start, starts[start], lane))
    heights = [LINE_PX * max((len(labels) for _, labels, k in placed if k == lane), default=0) for lane in range(len(lanes))]
    for start, labels, lane in placed:
        fig.add_vline(x=start, line={"color": "darkgoldenrod", "width": 1, "dash": "dot"}, row="all", col=1)
        fig.add_annotation(x=start, xref="x", y=1.0, yref="paper", yanchor="bottom", xanchor="left", yshift=4 + sum(heights[:lane]),
                           text="<br>".join(labels), showarrow=False, align="left", font={"size": 10, "color": "darkgoldenrod"},
                           name="event")
    return sum(heights)


def write_figure(result: SimulationResult, path: str | Path) -> Path:
    """Self-contained HTML (plotly.js inlined, so it opens offline)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    simulation_figure(result).write_html(str(path), include_plotlyjs=True)
    return path
