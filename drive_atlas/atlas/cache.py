"""Where derived results about a circuit (assay verdicts, robustness) are kept for other tools to show.

Each summary records the content hash it was computed for, so a reader can tell
a current result from one made before the circuit changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CACHE_DIR = ".drive-atlas-cache"


def summary_path(root: Path, kind: str, circuit_id: str) -> Path:
    """``<root>/.drive-atlas-cache/<kind>/<id>.json`` (kind: 'assays' or 'robustness')."""
    return Path(root) / CACHE_DIR / kind / f"{circuit_id}.json"


def write_summary(path: Path, summary: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, default=float), encoding="utf-8")
    return path


def read_current_summary(root: Path, kind: str, circuit_id: str, content_hash: str) -> dict[str, Any] | None:
    """The summary if it exists, parses, and was made for this exact content; else None."""
    path = summary_path(root, kind, circuit_id)
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return summary if isinstance(summary, dict) and summary.get("content_hash") == content_hash else None
