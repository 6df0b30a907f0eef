"""How a composite's interface and readout are composed from its parts': one rule each, used to validate and to flatten.

Lives in the spec layer so that validation checks a composite's behaviour assays against the
interface the flattened circuit will have, not only the one its file writes out, and so that every
reader of a composite's readout (simulation, drive, reward backends, export, diff) gets the one
derived from its parts' readouts, never a hand-copied one.
"""

from __future__ import annotations

from collections.abc import Iterator

from .circuit import Circuit, CombinedReadout, Interface, ReadoutSpec, RewardRule
from .errors import DriveAtlasError


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


class CompositionError(DriveAtlasError, ValueError):
    """A combined readout that cannot be derived from the parts given (validation reports the same problems, located)."""


def combine_problems(composite: Circuit, parts: list[Circuit]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Why the composite's ``combine`` readout cannot be derived from ``parts``, each located at a readout field.

    One aversive and one dopamine term per readout (``RewardRule``): two combined parts that both carry one are
    refused rather than summed, and the parts must agree on drive reduction, which applies to the one combined drive.
    """
    readout = getattr(composite, "readout", None)
    if not isinstance(readout, CombinedReadout):
        return
    by_id = {p.id: p for p in parts}
    combined = []
    for name in readout.combine:
        part = by_id.get(name)
        if part is None:
            known = ", ".join(by_id) or "none"
            yield ("readout", "combine", name), f"{name!r} is not an included circuit (includes: {known})"
        elif not isinstance(part.readout, ReadoutSpec):
            yield ("readout", "combine", name), f"{name!r} has no readout to combine"
        else:
            combined.append(part)
    for term in ("dopamine", "aversive"):
        carriers = [p.id for p in combined if getattr(p.readout.reward, term) is not None]
        if len(carriers) > 1:
            yield (("readout", "combine", carriers[1]),
                   f"{' and '.join(carriers)} both have a {term} reward term and a readout holds one; write the readout out")
    rules = {p.id: p.readout.reward.drive_reduction for p in combined}
    if len(set(rules.values())) > 1:
        off = next(k for k, v in rules.items() if not v)
        yield (("readout", "combine", off),
               f"{off!r} has no drive-reduction reward but {', '.join(k for k, v in rules.items() if v)} has; the "
               "combined drive takes one rule, so write the readout out")


def composed_readout(composite: Circuit, parts: list[Circuit]) -> ReadoutSpec | None:
    """The composite's concrete readout: as written, or derived from its parts' readouts if it says ``combine``.

    Derived, for each part p at weight w: p's readout channels behind ``p.``, each weight times w; p's aversive
    term (weight times w) and dopamine term (dopamine_weight times w), behind ``p.``; drive reduction as the parts
    agree; ``tau`` the composite's if given, else the shortest of the parts' (the fastest part's changes are not
    smoothed away; one time constant filters every channel); ``parts`` the combine weights, so the drive is the
    weighted sum of the parts' own drives, each clipped to [0, 1] before the sum (``ReadoutSpec.parts``): a part
    saturated on its own (hunger below energy ~0.35) does not hide another's (pain), and a part whose readout sits
    below zero does not offset another's. The sum is clipped to [0, 1] once more when the weights add up past 1.
    Evidence: the parts' readout evidence, then the composite's own (why this combination).
    """
    readout = composite.readout
    if not isinstance(readout, CombinedReadout):
        return readout
    problems = list(combine_problems(composite, parts))
    if problems:
        raise CompositionError(f"{composite.id}: " + "; ".join(message for _, message in problems))
    by_id = {p.id: p for p in parts}
    channels, evidence, taus = [], [], []
    terms: dict[str, object] = {"dopamine_weight": 1.0}
    for name, weight in readout.combine.items():
        part: ReadoutSpec = by_id[name].readout
        channels += [r.model_copy(update={"population": f"{name}.{r.population}", "weight": r.weight * weight})
                     for r in part.readouts]
        reward = part.reward
        if reward.aversive is not None:
            terms["aversive"] = reward.aversive.model_copy(
                update={"population": f"{name}.{reward.aversive.population}", "weight": reward.aversive.weight * weight})
        if reward.dopamine is not None:
            terms["dopamine"] = reward.dopamine.model_copy(update={"population": f"{name}.{reward.dopamine.population}"})
            terms["dopamine_weight"] = reward.dopamine_weight * weight
        terms["drive_reduction"] = reward.drive_reduction
        evidence += part.evidence
        taus.append(part.tau)
    # every value comes from validated models; construct skips re-reading them as the file's unit strings
    return ReadoutSpec.model_construct(readouts=channels, tau=readout.tau if readout.tau is not None else min(taus),
                                       reward=RewardRule(**terms), parts=dict(readout.combine),
                                       evidence=evidence + readout.evidence)
