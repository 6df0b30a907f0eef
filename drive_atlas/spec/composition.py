"""How a composite's interface is composed from its parts': one rule, used to validate and to flatten.

Lives in the spec layer so that validation checks a composite's behaviour assays against the
interface the flattened circuit will have, not only the one its file writes out.
"""

from __future__ import annotations

from .circuit import Circuit, Interface


def merged_interface(composite: Circuit, parts: list[Circuit]) -> Interface | None:
    """The union of the (qualified) parts' interfaces and the composite's own.

    A composite that writes out a part's variable unchanged (the union, as the curated composites do)
    declares the same variable, not a second one: it appears once, under its own id. A variable id
    declared differently by more than one of them is renamed ``<circuit id>_<id>`` in each, so every
    variable of the union stays distinct.
    """
    own = composite.interface
    if own is not None:
        written = {v.id: v for v in own.states + own.events}
        parts = [p.model_copy(update={"interface": Interface(
            states=[v for v in p.interface.states if written.get(v.id) != v],
            events=[v for v in p.interface.events if written.get(v.id) != v])}) if p.interface is not None else p
            for p in parts]
    sections = [(c.id, c.interface) for c in parts + [composite] if c.interface is not None]
    if not sections:
        return None
    ids = [v.id for _, i in sections for v in i.states + i.events]

    def named(owner: str, variables: list) -> list:
        return [v.model_copy(update={"id": f"{owner}_{v.id}"}) if ids.count(v.id) > 1 else v for v in variables]

    return Interface(states=[v for owner, i in sections for v in named(owner, i.states)],
                     events=[v for owner, i in sections for v in named(owner, i.events)])
