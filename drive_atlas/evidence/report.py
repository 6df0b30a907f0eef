"""Audit verdicts as text for reports and pull-request summaries."""

from __future__ import annotations

from .audit import Verdict, summary

SYMBOL = {"supported": "supported", "contradicted": "**contradicted**", "no_data": "no data"}


def markdown(verdicts: list[Verdict]) -> str:
    """A markdown table of verdicts with a count line per part kind."""
    lines = ["| kind | part | verdict | data |", "|---|---|---|---|"]
    lines += [f"| {v.kind} | `{v.part}` | {SYMBOL[v.status]} | {v.reason.replace('|', '/')} |" for v in verdicts]
    lines.append("")
    for kind, counts in summary(verdicts).items():
        lines.append(f"- {kind}: " + ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items()))
    return "\n".join(lines)


def share_supported(verdicts: list[Verdict]) -> float | None:
    """Fraction of audited parts that the data support (None when nothing was audited)."""
    return sum(v.status == "supported" for v in verdicts) / len(verdicts) if verdicts else None
