"""A projection delay that is not a whole number of the circuit's steps is a located error at validate time.

Defect: the rule lived in the NEST compiler alone, so `drive-atlas validate` accepted such a circuit and the
error came at simulation time without a file or line; a composite whose step did not fit a delay of a circuit it
includes failed the same way. The compiler and the validator now ask the same rule (spec.semantics.delay_problem);
the broken-file corpus holds the single-circuit case (tests/spec/broken/delay_off_the_step_grid.yaml).
"""

from __future__ import annotations

import pytest

from drive_atlas.atlas import Atlas
from drive_atlas.spec.errors import SpecValidationError


def test_a_composite_step_that_misses_an_included_delay_is_located_at_its_resolution(atlas: Atlas, tmp_path) -> None:
    text = atlas.entry("hunger_pain").path.read_text(encoding="utf-8")
    lines = text.splitlines()
    line = next(i for i, l in enumerate(lines, 1) if l.strip().startswith("resolution:") and lines[i - 2].startswith("simulation:"))
    draft = tmp_path / "hunger_pain.yaml"
    draft.write_text("\n".join(l.replace(l.strip(), "resolution: 0.3 ms") if i == line else l
                               for i, l in enumerate(lines, 1)) + "\n", encoding="utf-8")
    with pytest.raises(SpecValidationError) as caught:
        atlas.validate_file(draft)
    located = [e for e in caught.value.errors if "included projection 'pain." in e.message]
    assert located, caught.value.errors
    assert all(e.line == line and e.file.endswith("hunger_pain.yaml") for e in located)
    assert "not a whole number (>= 1) of the circuit's 0.3 ms resolution" in located[0].message


def test_every_curated_circuit_fits_its_own_step(atlas: Atlas) -> None:
    for entry in atlas.entries.values():
        atlas.validate_file(entry.path)
