"""Composite circuits: include other circuits at pinned versions and wire them together.

An included circuit's parts keep their ids behind its circuit id (``hunger.agrp``),
so the composite's own projections, inputs and protocols can name them, and
ligand pools are shared, as they are in one brain.
"""

from __future__ import annotations

from ..spec import Circuit
from ..spec.circuit import Interface, LigandInput, PoissonInput
from ..spec.composition import composed_readout, merged_interface
from ..spec.semantics import RunnableCircuit, runnable


def qualified(circuit: Circuit) -> Circuit:
    """The circuit with every population, projection and input id prefixed by ``<circuit id>.``."""
    prefix = f"{circuit.id}."
    populations = [p.model_copy(update={"id": prefix + p.id}) for p in circuit.populations]
    projections = [
        pr.model_copy(update={"id": prefix + pr.id, "source": prefix + pr.source, "target": prefix + pr.target})
        for pr in circuit.projections
    ]
    inputs: list[LigandInput | PoissonInput] = []
    for inp in circuit.inputs:
        update: dict[str, object] = {"id": prefix + inp.id}
        if isinstance(inp, PoissonInput):
            update["targets"] = [t.model_copy(update={"population": prefix + t.population}) for t in inp.targets]
        inputs.append(inp.model_copy(update=update))
    interface = circuit.interface
    if interface is not None:
        def maps(variables: list) -> list:
            return [v.model_copy(update={"maps": [m.model_copy(update={"input": prefix + m.input}) for m in v.maps]})
                    for v in variables]

        interface = Interface(states=maps(interface.states), events=maps(interface.events))
    return circuit.model_copy(update={"populations": populations, "projections": projections, "inputs": inputs,
                                      "interface": interface})


def flatten(composite: Circuit, included: list[Circuit]) -> RunnableCircuit:
    """One runnable circuit holding the included circuits' parts (qualified) and the composite's own.

    The flattened circuit keeps the composite's id and version but no ``includes``:
    it is complete in itself, which is what the simulator requires; a ``combine`` readout
    becomes the concrete one derived from the parts' readouts.
    """
    parts = [qualified(c) for c in included]
    return runnable(composite.model_copy(update={
        "includes": [],
        "populations": [p for c in parts for p in c.populations] + composite.populations,
        "projections": [p for c in parts for p in c.projections] + composite.projections,
        "inputs": [i for c in parts for i in c.inputs] + composite.inputs,
        "interface": merged_interface(composite, parts),
        "readout": composed_readout(composite, parts),
    }))
