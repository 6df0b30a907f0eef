"""Grounding the atlas in data: receptor pharmacology (GtoPdb), single-cell expression (HypoMap) and
mesoscale connectivity (Allen models), as an audit verdict for every part."""

from .audit import Verdict, audit_atlas, audit_circuit, audit_ligands, summary
from .data import ReferenceData
from .report import markdown, share_supported

__all__ = ["ReferenceData", "Verdict", "audit_atlas", "audit_circuit", "audit_ligands", "markdown", "share_supported", "summary"]
