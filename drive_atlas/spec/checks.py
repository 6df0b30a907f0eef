"""Rules that need more than one field: references across the file and into the atlas.

Each check yields ``(location, message)``; the loader turns locations into
file, line and column.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from .catalog import Ligand, Receptor
from .circuit import Assay, BehaviourAssay, Circuit, CombinedReadout, InputMap, LigandInput, PoissonInput, Population, ProtocolSpec
from .common import Evidence, semver_tuple
from .composition import combine_problems, merged_interface
from .nest_models import nest_models
from .semantics import Problem, Scope, delay_problem, event_problems, population_scale, resolution, scale_problem, transmitter_sign
from .units import weight_dimension

MAX_CIRCUIT_NEURONS = 1_000_000


@dataclass
class SpecContext:
    """What a circuit may refer to outside itself."""

    regions: set[str] = field(default_factory=set)
    ligands: dict[str, Ligand] = field(default_factory=dict)
    receptors: dict[str, Receptor] = field(default_factory=dict)
    references: set[str] = field(default_factory=set)
    # population ids that included circuits contribute, qualified as ``circuit.population``
    included_populations: dict[str, Population] = field(default_factory=dict)
    included_inputs: list[LigandInput | PoissonInput] = field(default_factory=list)
    # the included circuits themselves, qualified: a composite's interface is composed from theirs
    included: list[Circuit] = field(default_factory=list)
    # ids the file declares, read from the raw data so a broken entry still counts as declared
    declared_populations: set[str] = field(default_factory=set)


def check_circuit(circuit: Circuit, ctx: SpecContext, raw: dict[str, Any]) -> list[Problem]:
    """All cross-reference problems of a (possibly partial) circuit."""
    raw_pops = raw.get("populations") if isinstance(raw, dict) else None
    declared = [p.get("id") for p in raw_pops if isinstance(p, dict)] if isinstance(raw_pops, list) else []
    ctx = replace(ctx, declared_populations={d for d in declared if isinstance(d, str)})
    checks = (_identity, _populations, _projections, _inputs, _readout, _protocols, _assays, _interface, _behaviour_assays,
              _evidence)
    return [p for check in checks for p in check(circuit, ctx, raw)]


def _duplicates(items: list[Any], section: str) -> Iterator[Problem]:
    counts = Counter(getattr(i, "id", None) for i in items)
    for index, item in enumerate(items):
        if counts[item.id] > 1:
            yield (section, index, "id"), f"duplicate id {item.id!r} in {section}"


def _identity(c: Circuit, ctx: SpecContext, raw: dict[str, Any]) -> Iterator[Problem]:
    version = getattr(c, "version", None)
    changelog = getattr(c, "changelog", [])
    versions = [e.version for e in changelog]
    if version and changelog and version not in versions:
        yield ("changelog",), f"changelog has no entry for the current version {version}"
    for index, (a, b) in enumerate(zip(versions, versions[1:])):
        if semver_tuple(a) <= semver_tuple(b):
            yield ("changelog", index + 1, "version"), "changelog entries must be listed newest first with distinct versions"
    if version and versions and semver_tuple(max(versions, key=semver_tuple)) > semver_tuple(version):
        yield ("version",), f"version {version} is older than the newest changelog entry"
    if getattr(c, "status", None) == "curated" and not getattr(c, "curators", []):
        yield ("curators",), "a curated circuit needs at least one curator"
    total = sum(p.size for p in getattr(c, "populations", []))
    if total > MAX_CIRCUIT_NEURONS:
        yield ("populations",), f"the circuit has {total} neurons, more than the limit of {MAX_CIRCUIT_NEURONS}"


def _known_population(c: Circuit, ctx: SpecContext, pid: str) -> bool:
    """Known if declared, even by an entry that is itself broken (its own error is reported)."""
    return pid in _scope(c, ctx).populations


def _population_of(c: Circuit, ctx: SpecContext, pid: str) -> Population | None:
    for p in getattr(c, "populations", []):
        if p.id == pid:
            return p
    return ctx.included_populations.get(pid)


def _populations(c: Circuit, ctx: SpecContext, raw: dict[str, Any]) -> Iterator[Problem]:
    pops = getattr(c, "populations", [])
    yield from _duplicates(pops, "populations")
    neurons = nest_models()["neurons"]
    index_of = {id(p): i for i, p in enumerate(pops)}
    for p in pops:
        i = _raw_index(raw, "populations", p.id, index_of[id(p)])
        if p.region not in ctx.regions:
            yield ("populations", i, "region"), f"unknown region {p.region!r} (not in the region ontology data/regions.csv)"
        model = neurons.get(p.neuron.model)
        if model is None:
            yield ("populations", i, "neuron", "model"), f"unknown NEST neuron model {p.neuron.model!r}"
        else:
            for name in p.neuron.params:
                if name not in model["params"]:
                    yield ("populations", i, "neuron", "params", name), f"{p.neuron.model} has no parameter {name!r}"
        for j, rel in enumerate(p.releases):
            if rel.ligand not in ctx.ligands:
                yield ("populations", i, "releases", j, "ligand"), f"unknown ligand {rel.ligand!r} (not in neuropeptides/)"
        seen: set[str] = set()
        for j, ann in enumerate(p.receptors):
            if ann.receptor not in ctx.receptors:
                yield ("populations", i, "receptors", j, "receptor"), f"unknown receptor {ann.receptor!r} (not in neuropeptides/receptors.yaml)"
            if ann.receptor in seen:
                yield ("populations", i, "receptors", j, "receptor"), f"receptor {ann.receptor!r} is annotated twice"
            seen.add(ann.receptor)
        if p.background is not None and model is not None:
            yield from _weight_unit(raw, ("populations", i, "background", "weight"), model["weights"], p.neuron.model)


def _raw_index(raw: dict[str, Any], section: str, item_id: str, fallback: int) -> int:
    """Index of the raw item with this id (partial models may have dropped broken items)."""
    items = raw.get(section)
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict) and item.get("id") == item_id:
                return index
    return fallback


def _raw_at(raw: Any, loc: tuple[str | int, ...]) -> Any:
    for key in loc:
        if isinstance(raw, dict):
            raw = raw.get(key)
        elif isinstance(raw, list) and isinstance(key, int) and key < len(raw):
            raw = raw[key]
        else:
            return None
    return raw


def _weight_unit(raw: dict[str, Any], loc: tuple[str | int, ...], expected: str, model: str) -> Iterator[Problem]:
    written = _raw_at(raw, loc)
    if isinstance(written, str) and weight_dimension(written) != expected:
        unit = "nS" if expected == "conductance" else "pA"
        yield loc, f"{model} takes {expected}-based weights: give the weight in {unit}"


def _projections(c: Circuit, ctx: SpecContext, raw: dict[str, Any]) -> Iterator[Problem]:
    projs = getattr(c, "projections", [])
    yield from _duplicates(projs, "projections")
    synapses = set(nest_models()["synapses"])
    neurons = nest_models()["neurons"]
    for k, pr in enumerate(projs):
        i = _raw_index(raw, "projections", pr.id, k)
        for end in ("source", "target"):
            if not _known_population(c, ctx, getattr(pr, end)):
                yield ("projections", i, end), f"unknown population {getattr(pr, end)!r}"
        source = _population_of(c, ctx, pr.source)
        if source is not None:
            expected = transmitter_sign(source.transmitter)
            if expected is None:
                yield ("projections", i, "source"), f"{source.id!r} has no fast transmitter, so it cannot make a synaptic projection; use a ligand it releases"
            elif expected != pr.sign:
                yield ("projections", i, "sign"), f"{pr.sign} is inconsistent with the source's transmitter {source.transmitter} ({expected})"
        if pr.synapse not in synapses:
            yield ("projections", i, "synapse"), f"unknown NEST synapse model {pr.synapse!r}"
        target = _population_of(c, ctx, pr.target)
        if target is not None and target.neuron.model in neurons:
            yield from _weight_unit(raw, ("projections", i, "weight"), neurons[target.neuron.model]["weights"], target.neuron.model)
        if problem := delay_problem(pr.delay, resolution(c)):
            yield ("projections", i, "delay"), problem
        if problem := scale_problem(pr, population_scale(c)):
            yield ("simulation", "population_scale"), problem
    # a composite's step and scale are its own: the projections of the circuits it includes must fit them too
    for part in ctx.included:
        for pr in part.projections:
            if problem := delay_problem(pr.delay, resolution(c)):
                yield ("simulation", "resolution"), f"included projection {pr.id!r}: {problem}"
            if problem := scale_problem(pr, population_scale(c)):
                yield ("simulation", "population_scale"), f"included from {part.id}: {problem}"


def _inputs(c: Circuit, ctx: SpecContext, raw: dict[str, Any]) -> Iterator[Problem]:
    inputs = getattr(c, "inputs", [])
    yield from _duplicates(inputs, "inputs")
    for k, inp in enumerate(inputs):
        i = _raw_index(raw, "inputs", inp.id, k)
        if isinstance(inp, LigandInput):
            if inp.ligand not in ctx.ligands:
                yield ("inputs", i, "ligand"), f"unknown ligand {inp.ligand!r} (not in neuropeptides/)"
            if inp.baseline.dimension != "concentration":
                yield ("inputs", i, "baseline"), "a ligand input's baseline is a concentration (nM, ...)"
        else:
            if inp.baseline.dimension != "rate":
                yield ("inputs", i, "baseline"), "a Poisson input's baseline is a rate (Hz)"
            for j, t in enumerate(inp.targets):
                if not _known_population(c, ctx, t.population):
                    yield ("inputs", i, "targets", j, "population"), f"unknown population {t.population!r}"


def _readout(c: Circuit, ctx: SpecContext, raw: dict[str, Any]) -> Iterator[Problem]:
    drive = getattr(c, "readout", None)
    if drive is None:
        return
    if isinstance(drive, CombinedReadout):  # its parts' readouts were checked in their own files
        yield from combine_problems(c, ctx.included)
        return
    for j, r in enumerate(drive.readouts):
        if not _known_population(c, ctx, r.population):
            yield ("readout", "readouts", j, "population"), f"unknown population {r.population!r}"
    if drive.reward.dopamine and not _known_population(c, ctx, drive.reward.dopamine.population):
        yield ("readout", "reward", "dopamine", "population"), f"unknown population {drive.reward.dopamine.population!r}"
    if drive.reward.aversive and not _known_population(c, ctx, drive.reward.aversive.population):
        yield ("readout", "reward", "aversive", "population"), f"unknown population {drive.reward.aversive.population!r}"


def _scope(c: Circuit, ctx: SpecContext) -> Scope:
    """What this file's events may name: its own parts, those of the circuits it includes, and broken-but-declared ids."""
    return Scope.of(c, set(ctx.ligands), populations=[*ctx.included_populations, *ctx.declared_populations],
                    inputs=ctx.included_inputs)


def _events(c: Circuit, ctx: SpecContext, events: list[Any], loc: tuple[str | int, ...]) -> Iterator[Problem]:
    scope = _scope(c, ctx)
    for j, ev in enumerate(events):
        for where, message in event_problems(ev, scope):
            yield loc + (j,) + where, message


def _protocols(c: Circuit, ctx: SpecContext, raw: dict[str, Any]) -> Iterator[Problem]:
    for name, proto in getattr(c, "protocols", {}).items():
        if isinstance(proto, ProtocolSpec):
            yield from _events(c, ctx, proto.events, ("protocols", name, "events"))


def _assays(c: Circuit, ctx: SpecContext, raw: dict[str, Any]) -> Iterator[Problem]:
    assays: list[Assay] = getattr(c, "assays", [])
    yield from _duplicates(assays, "assays")
    protocols = getattr(c, "protocols", {})
    for k, a in enumerate(assays):
        i = _raw_index(raw, "assays", a.id, k)
        for j, key in enumerate(a.citation):
            if key not in ctx.references:
                yield ("assays", i, "citation", j), f"unknown reference key {key!r} (not in data/references.yaml)"
        for name, cond in a.conditions.items():
            if cond.protocol not in protocols:
                yield ("assays", i, "conditions", name, "protocol"), f"unknown protocol {cond.protocol!r}"
            yield from _events(c, ctx, cond.events, ("assays", i, "conditions", name, "events"))
        for j, name in enumerate(a.expect.conditions):
            if name not in a.conditions:
                yield ("assays", i, "expect", "conditions", j), f"unknown condition {name!r} (this assay has {', '.join(a.conditions)})"
        m = a.measure
        if m.population and not _known_population(c, ctx, m.population):
            yield ("assays", i, "measure", "population"), f"unknown population {m.population!r}"
        if m.ligand and m.ligand not in ctx.ligands:
            yield ("assays", i, "measure", "ligand"), f"unknown ligand {m.ligand!r}"
        if m.kind == "occupancy" and m.population and m.receptor:
            pop = _population_of(c, ctx, m.population)
            if pop and m.receptor not in {r.receptor for r in pop.receptors}:
                yield ("assays", i, "measure", "receptor"), f"{m.population!r} does not express {m.receptor!r}"
        if m.kind in {"drive", "reward"} and getattr(c, "readout", None) is None:
            yield ("assays", i, "measure", "kind"), f"a {m.kind} measure needs the circuit's readout section"
        if m.window[1] > a.duration:
            yield ("assays", i, "measure", "window"), "the measurement window ends after the assay's duration"


def _interface(c: Circuit, ctx: SpecContext, raw: dict[str, Any]) -> Iterator[Problem]:
    interface = getattr(c, "interface", None)
    if interface is None:
        return
    for section in ("states", "events"):
        variables = getattr(interface, section)
        for loc, msg in _duplicates(variables, section):
            yield ("interface",) + loc, msg
        for i, var in enumerate(variables):
            for j, m in enumerate(var.maps):
                yield from _input_map(c, ctx, m, ("interface", section, i, "maps", j))


def _behaviour_assays(c: Circuit, ctx: SpecContext, raw: dict[str, Any]) -> Iterator[Problem]:
    """Behaviour assays script the interface: every variable, condition and citation must exist."""
    assays: list[BehaviourAssay] = getattr(c, "behaviour_assays", [])
    yield from _duplicates(assays, "behaviour_assays")
    interface = _composed_interface(c, ctx)
    if not assays:
        return
    if interface is None or getattr(c, "readout", None) is None:
        yield ("behaviour_assays",), "behaviour assays need the circuit's interface and readout sections"
        return
    states = {v.id: v for v in interface.states}
    known = set(states) | {v.id for v in interface.events}
    assay_ids = {a.id for a in getattr(c, "assays", [])}
    for k, a in enumerate(assays):
        i = _raw_index(raw, "behaviour_assays", a.id, k)
        if a.id in assay_ids:
            yield ("behaviour_assays", i, "id"), f"assay id {a.id!r} is also used in 'assays'; one id names one assay"
        for j, key in enumerate(a.citation):
            if key not in ctx.references:
                yield ("behaviour_assays", i, "citation", j), f"unknown reference key {key!r} (not in data/references.yaml)"
        for name, script in a.scripts.items():
            loc = ("behaviour_assays", i, "scripts", name)
            for j, step in enumerate(script.steps):
                state = states.get(step.variable)
                if step.variable not in known:
                    known_ids = ", ".join(sorted(known))
                    yield loc + ("steps", j, "variable"), f"unknown interface variable {step.variable!r} (known: {known_ids})"
                elif state is not None and not state.low <= step.value <= state.high:
                    yield loc + ("steps", j, "value"), f"{step.variable!r} lies within [{state.low:g}, {state.high:g}]"
                elif state is None and not 0.0 <= step.value <= 1.0:
                    yield loc + ("steps", j, "value"), f"event {step.variable!r} lies within [0, 1]"
            yield from _events(c, ctx, script.events, loc + ("events",))
        for j, name in enumerate(a.expect.conditions):
            if name not in a.scripts:
                scripts = ", ".join(a.scripts)
                yield ("behaviour_assays", i, "expect", "conditions", j), f"unknown script {name!r} (this assay has {scripts})"
        if a.measure.window[1] > a.duration:
            yield ("behaviour_assays", i, "measure", "window"), "the measurement window ends after the assay's duration"


def _composed_interface(c: Circuit, ctx: SpecContext) -> Any:
    """The interface the runnable circuit will have: a composite's composed with its parts'; a broken file's as
    written (a composite missing its id or interface is reported by other checks)."""
    if getattr(c, "includes", []) and hasattr(c, "id") and hasattr(c, "interface"):
        return merged_interface(c, ctx.included)
    return getattr(c, "interface", None)


def _input_map(c: Circuit, ctx: SpecContext, m: InputMap, loc: tuple[str | int, ...]) -> Iterator[Problem]:
    scope = _scope(c, ctx)
    kind = scope.inputs.get(m.input)
    if kind is None:
        yield loc + ("input",), scope.unknown_input(m.input)
        return
    for end in ("at_low", "at_high"):
        if getattr(m, end).dimension != kind:
            yield loc + (end,), f"input {m.input!r} takes a {kind}"


def _evidence(c: Circuit, ctx: SpecContext, raw: dict[str, Any]) -> Iterator[Problem]:
    """Every reference key anywhere in the file must exist in the bibliography."""
    yield from missing_references(c, (), ctx.references)


def missing_references(node: Any, loc: tuple[str | int, ...], refs: set[str]) -> Iterator[Problem]:
    if isinstance(node, Evidence):
        for j, key in enumerate(node.refs):
            if key not in refs:
                yield loc + ("refs", j), f"unknown reference key {key!r} (not in data/references.yaml)"
    elif hasattr(node, "__pydantic_fields__"):
        for name in type(node).model_fields:
            if hasattr(node, name):
                yield from missing_references(getattr(node, name), loc + (name,), refs)
    elif isinstance(node, list):
        for j, item in enumerate(node):
            yield from missing_references(item, loc + (j,), refs)
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from missing_references(item, loc + (key,), refs)
