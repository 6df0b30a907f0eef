"""An HTML report with one plot per assay: the conditions side by side, seeds as dots."""

from __future__ import annotations

import html
from pathlib import Path

import plotly.graph_objects as go

from .runner import AssayResult, AssayRun
from .statistics import confidence_interval

STATUS_COLOURS = {"pass": "#2e7d32", "fail": "#c62828", "xfail": "#ef6c00", "xpass": "#1565c0"}


def assay_figure(result: AssayResult) -> go.Figure:
    names = list(result.values)
    cis = [confidence_interval(result.values[n]) for n in names]
    fig = go.Figure(go.Bar(
        x=names, y=[c.mean for c in cis], marker_color="#90a4ae", name="mean",
        error_y={"type": "data", "symmetric": False, "array": [c.high - c.mean for c in cis], "arrayminus": [c.mean - c.low for c in cis]},
    ))
    for name in names:
        fig.add_trace(go.Scatter(x=[name] * len(result.values[name]), y=result.values[name], mode="markers",
                                 marker={"color": "#263238", "size": 7}, name=f"{name} (per seed)", showlegend=False))
    unit = {"mean_rate": "rate (Hz)", "drive": "drive level", "drive_slope": "drive slope (1/s)", "reward": "summed reward", "latency": "latency (ms)",
            "concentration": "concentration (nM)", "peak_concentration": "peak concentration (nM)", "occupancy": "occupancy"}
    fig.update_layout(title=f"{result.assay.id}: {result.status}", yaxis_title=unit[result.assay.measure.kind],
                      template="plotly_white", height=360, margin={"t": 50, "b": 40})
    return fig


def assay_report(run: AssayRun, path: str | Path, title: str = "Drive Atlas assays") -> Path:
    """Write a self-contained HTML page (plotly.js embedded once, so it works offline)."""
    parts = [f"<html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head><body style='font-family:sans-serif'>",
             f"<h1>{html.escape(title)}</h1>"]
    for index, result in enumerate(run.results):
        colour = STATUS_COLOURS[result.status]
        parts.append(f"<h2>{html.escape(result.circuit)} / {html.escape(result.assay.id)} "
                     f"<span style='color:{colour}'>{result.status}</span></h2>")
        parts.append(f"<p>{html.escape(result.assay.phenomenon)}<br>Citation: {html.escape(', '.join(result.assay.citation))}"
                     f"<br>Expectation: {html.escape(result.verdict.statement)}; effect (95% CI): "
                     f"{html.escape(', '.join(map(str, result.verdict.intervals)))}</p>")
        if result.assay.expected_failure:
            parts.append(f"<p><b>Known gap:</b> {html.escape(result.assay.expected_failure)}</p>")
        parts.append(assay_figure(result).to_html(full_html=False, include_plotlyjs=index == 0))
    parts.append("</body></html>")
    path = Path(path)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
