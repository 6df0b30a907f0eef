"""Every NIX file the atlas writes is readable by neo alone, in a process that never imports drive_atlas."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from drive_atlas.sim import save_block
from drive_atlas.sim.recording import ligands_table

READ_WITH_NEO_ONLY = textwrap.dedent("""
    import sys
    import neo
    io = neo.io.NixIO(sys.argv[1], mode="ro")
    block = io.read_block()
    io.close()
    assert not any(name.split(".")[0] == "drive_atlas" for name in sys.modules)
    for signal in block.segments[0].analogsignals:
        print(signal.name, signal.units.dimensionality.string, float(signal.magnitude.max()))
""")


def _read_elsewhere(path, cwd) -> dict[str, tuple[str, float]]:
    # -I: no PYTHONPATH, no user site, not the current folder: the project cannot be imported by accident.
    done = subprocess.run([sys.executable, "-I", "-c", READ_WITH_NEO_ONLY, str(path)], capture_output=True, text=True, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return {name: (units, float(top)) for name, units, top in (line.split() for line in done.stdout.splitlines())}


def test_a_recorded_run_reads_with_neo_alone(recorded, tmp_path) -> None:
    block = recorded.to_block()
    signals = _read_elsewhere(save_block(block, tmp_path / "run.nix"), tmp_path)
    assert {"population_rate", "ligand_concentration", "receptor_activation"} <= set(signals)
    units, top = signals["ligand_concentration"]
    assert top * {"uM": 1e3, "mM": 1e6, "M": 1e9}[units] == pytest.approx(ligands_table(block)["concentration_nm"].max())


def test_a_simulation_result_reads_with_neo_alone(recorded_result, tmp_path) -> None:
    signals = _read_elsewhere(recorded_result.save(tmp_path / "result.nix"), tmp_path)
    assert {"drive", "reward", "ligand_concentration"} <= set(signals)


def test_concentrations_read_back_in_nM(recorded, tmp_path) -> None:
    from drive_atlas.sim import load_block

    block = recorded.to_block()
    again = ligands_table(load_block(save_block(block, tmp_path / "run.nix")))
    assert again.equals(ligands_table(block))
    assert np.allclose(again.pivot(index="time", columns="ligand", values="concentration_nm")["ghrelin"].iloc[[0, -1]], [0.1, 20.0],
                       rtol=0.2)
