"""The circuit specification: pydantic models, safe YAML loading, located errors.

Knows nothing of NEST or of the rest of the atlas; the atlas layer supplies the
context (regions, ligands, references) that cross-reference checks need.
"""

from __future__ import annotations

from pathlib import Path

from .catalog import Ligand, Receptor, ReceptorAction, ReceptorCatalog
from .checks import SpecContext, check_circuit
from .circuit import SCHEMA_VERSION, Assay, Circuit, Population, Projection, ProtocolSpec
from .errors import DriveAtlasError, SpecError, SpecValidationError
from .hashing import canonical_json, content_hash
from .loader import partial_model, validate_document
from .references import Bibliography, Reference
from .yamlio import YamlDocument, parse_yaml_text, read_yaml

__all__ = [
    "SCHEMA_VERSION", "Assay", "Bibliography", "Circuit", "DriveAtlasError", "Ligand", "Population", "Projection", "ProtocolSpec",
    "Receptor", "ReceptorAction", "ReceptorCatalog", "Reference", "SpecContext", "SpecError",
    "SpecValidationError", "YamlDocument", "canonical_json", "check_circuit", "circuit_from_document",
    "content_hash", "load_circuit", "parse_yaml_text", "read_yaml", "validate_document",
]


def circuit_from_document(doc: YamlDocument, ctx: SpecContext) -> Circuit:
    """Validate a parsed circuit file; raise one SpecValidationError holding every problem."""
    errors: list[SpecError] = []
    try:
        circuit = validate_document(doc, Circuit)
    except SpecValidationError as exc:
        errors.extend(exc.errors)
        if not isinstance(doc.data, dict):
            raise
        circuit = partial_model(doc.data, Circuit)
    errors.extend(doc.error(loc, msg) for loc, msg in check_circuit(circuit, ctx, doc.data))
    if errors:
        raise SpecValidationError(list(dict.fromkeys(errors)))
    return circuit


def load_circuit(path: Path, ctx: SpecContext) -> Circuit:
    return circuit_from_document(read_yaml(path), ctx)
