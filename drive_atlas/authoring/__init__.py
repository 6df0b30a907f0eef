"""One authoring service for circuit files: round-trip edits, migration, new circuits, atomic saves, version bumps.

Sits above the assays (``check`` runs them for curation) and below the CLI and web
app, which both write circuit files only through it.
"""

from .roundtrip import EditError, edit_text, set_new_version, validate_text
from .service import (
    BumpRefused, MigrationResult, Saved, check, failing_assays, migrate_file, new_circuit, reference_for, save_version, suggested_version,
)
from .store import FileBusy, SaveConflict, is_temporary, read_text, remove_stale_temporaries, text_hash

__all__ = [
    "BumpRefused", "EditError", "FileBusy", "MigrationResult", "SaveConflict", "Saved", "check", "edit_text", "failing_assays",
    "is_temporary", "migrate_file", "new_circuit", "read_text", "reference_for", "remove_stale_temporaries", "save_version",
    "suggested_version", "set_new_version", "text_hash",
    "validate_text",
]
