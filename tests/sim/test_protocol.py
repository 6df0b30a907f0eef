"""Protocols are checked against the circuit and catalog before anything is built."""

from __future__ import annotations

import pytest

from drive_atlas.sim import ProtocolError, RunOptions, Timeline, run_circuit
from drive_atlas.spec.circuit import Drug, Lesion, Optogenetics, SetInput


def ev(model, **fields):
    return model.model_validate(fields)


def test_unknown_population_and_ligand_fail_naming_event_and_field(mini, mini_atlas, monkeypatch):
    import drive_atlas.sim.engine as engine

    monkeypatch.setattr(engine, "compile_circuit", lambda *a, **k: pytest.fail("built a network for an invalid protocol"))
    events = [
        ev(Optogenetics, type="optogenetics", population="pomc", mode="activate"),
        ev(Drug, type="drug", ligand="leptin", concentration="1 nM"),
    ]
    with pytest.raises(ProtocolError) as info:
        run_circuit(mini, mini_atlas, "fasted", events=events, options=RunOptions())
    message = str(info.value)
    assert "extra event 0 (optogenetics): field 'population': unknown population 'pomc'" in message
    assert "extra event 1 (drug): field 'ligand': unknown ligand 'leptin'" in message


def test_unknown_input_site_and_wrong_level_kind(mini, mini_atlas):
    events = [
        ev(SetInput, type="input", input="glucose", level="5 nM"),
        ev(SetInput, type="input", input="ghrelin", level="5 Hz"),
        ev(Drug, type="drug", ligand="npy", concentration="1 nM", sites=["lha"]),
        ev(Lesion, type="lesion", population="agrp", at="1 s", until="2 s"),
    ]
    with pytest.raises(ProtocolError) as info:
        Timeline.build(mini, mini_atlas.ligands, None, events)
    message = str(info.value)
    for expected in ("field 'input': unknown input 'glucose'", "field 'level': input 'ghrelin' takes a concentration",
                     "field 'sites': unknown population 'lha'", "field 'until': a lesion is permanent"):
        assert expected in message


def test_unknown_protocol_name(mini, mini_atlas):
    with pytest.raises(ProtocolError, match="no protocol 'starved'.*known: agrp_activation"):
        Timeline.build(mini, mini_atlas.ligands, "starved")


def test_levels_hold_until_then_return_to_baseline(mini, mini_atlas):
    timeline = Timeline.build(mini, mini_atlas.ligands, "food_cue")
    assert timeline.input_level("food_cue", 0.0) == 0.0
    assert timeline.input_level("food_cue", 500.0) == 2000.0
    assert timeline.input_level("food_cue", 1499.9) == 2000.0
    assert timeline.input_level("food_cue", 1500.0) == 0.0
    assert timeline.input_level("ghrelin", 700.0) == pytest.approx(0.1)  # hormones default to the input's baseline
    assert timeline.change_times() == [500.0, 1500.0]


def test_extra_events_override_protocol_and_drugs_add(mini, mini_atlas):
    extra = [ev(SetInput, type="input", input="ghrelin", level="1 nM", at="0 s"),
             ev(Drug, type="drug", ligand="npy", concentration="2 nM"), ev(Drug, type="drug", ligand="npy", concentration="3 nM")]
    timeline = Timeline.build(mini, mini_atlas.ligands, "fasted", extra, duration=500.0)
    assert timeline.input_level("ghrelin", 100.0) == 1.0
    assert sum(d.concentration for d in timeline.drugs(100.0)) == 5.0
    assert timeline.duration == 500.0


def test_simulation_takes_only_runnable_circuits(atlas, mini, mini_atlas):
    """An unflattened composite fails with a clear error, not 'population hunger.agrp is not defined' from the compiler."""
    from drive_atlas.sim import NotRunnableError
    from drive_atlas.sim.compiler import compile_circuit
    from drive_atlas.spec.circuit import Circuit

    written = atlas.entries["hunger_pain"].circuit
    with pytest.raises(NotRunnableError, match="hunger_pain.*composite: flatten it with Atlas.runnable"):
        run_circuit(written, atlas, "fed_inflammation")
    plain = Circuit.model_validate({name: getattr(mini, name) for name in Circuit.model_fields})
    for call in (lambda: run_circuit(plain, mini_atlas, "fasted"), lambda: compile_circuit(plain)):
        with pytest.raises(NotRunnableError, match="is not a RunnableCircuit"):
            call()


def test_a_composite_timeline_names_its_parts(atlas):
    timeline = Timeline.build(atlas["hunger_pain"], atlas.ligands, "fasted_inflammation")
    assert timeline.input_level("hunger.ghrelin", 0.0) == pytest.approx(1.0)
    assert timeline.input_level("inflammation", 500.0) == 0.0 and timeline.input_level("inflammation", 1500.0) == 1000.0
    with pytest.raises(ProtocolError, match="unknown population 'hunger.nope'"):
        Timeline.build(atlas["hunger_pain"], atlas.ligands, None, [ev(Lesion, type="lesion", population="hunger.nope")])


def test_event_times_off_the_simulation_step_are_refused_before_the_run(mini, mini_atlas):
    """An event at 0.05 ms used to run the whole simulation and then fail with a numpy broadcast error."""
    events = [ev(Optogenetics, type="optogenetics", population="agrp", mode="silence", at="0.05 ms", until="1.25 ms")]
    with pytest.raises(ProtocolError) as info:
        Timeline.build(mini, mini_atlas.ligands, "fasted", events)
    message = str(info.value)
    assert "field 'at': 0.05 ms is not a multiple of the simulation step (0.1 ms)" in message
    assert "field 'until': 1.25 ms is not a multiple" in message
    with pytest.raises(ProtocolError, match="at least one simulation step"):
        Timeline.build(mini, mini_atlas.ligands, "fasted", duration=0.05)
    assert Timeline.build(mini, mini_atlas.ligands, "fasted", [ev(Lesion, type="lesion", population="agrp", at="0.3 ms")])
