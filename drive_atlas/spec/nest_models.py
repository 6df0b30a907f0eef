"""NEST's neuron and synapse models as a data file, so validation needs no NEST import."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

NEST_MODELS_FILE = Path(__file__).with_name("nest_models.json")


@cache
def nest_models() -> dict[str, Any]:
    """``{"nest_version", "neurons": {name: {"params", "weights"}}, "synapses": [...]}``."""
    return json.loads(NEST_MODELS_FILE.read_text())
