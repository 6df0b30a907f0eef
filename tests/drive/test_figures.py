"""The run figure stays readable: one labelled raster band per population, one legible label per event time."""

from __future__ import annotations

import pytest

import drive_atlas
from drive_atlas.drive.figures import simulation_figure
from drive_atlas.spec.circuit import Event
from pydantic import TypeAdapter

# three events at t = 0 (with the protocol's own) and one later: labels at one time must not print over each other
EXTRA = [{"type": "input", "input": "food_cue", "level": "100 Hz", "at": "0 s"},
         {"type": "optogenetics", "population": "pvh", "mode": "silence", "at": "0 s", "until": "300 ms"},
         {"type": "lesion", "population": "agrp", "at": "700 ms"}]


@pytest.fixture(scope="module")
def figure(mini, mini_atlas):
    events = TypeAdapter(list[Event]).validate_python(EXTRA)
    result = drive_atlas.simulate(mini, "fasted", atlas=mini_atlas, events=events, duration=1000.0, seed=2)
    return result, simulation_figure(result)


def test_each_population_has_its_own_labelled_raster_band(figure):
    result, fig = figure
    populations = list(dict.fromkeys(result.rates["population"]))
    assert list(fig.layout.yaxis.ticktext) == populations
    bands = {}
    for trace in fig.data:
        if trace.yaxis == "y" and len(trace.y):
            bands.setdefault(trace.name, []).extend(trace.y)
    assert len(bands) >= 2, "the run has spikes in at least two populations"
    spans = sorted((min(ys), max(ys), name) for name, ys in bands.items())
    for (_, high, name), (low, _, other) in zip(spans, spans[1:]):
        assert high < low, f"{name} and {other} share raster rows"


def test_event_labels_do_not_print_over_each_other(figure):
    _, fig = figure
    labels = [a for a in fig.layout.annotations if a.name == "event"]
    text = " ".join(a.text for a in labels)
    assert "food_cue" in text and "silence pvh" in text and "lesion agrp" in text and "ghrelin" in text
    assert len(labels) == 2, "one label per event time (t = 0 and 0.7 s), not one per event and panel"
    assert len({(a.x, a.yshift) for a in labels}) == len(labels)
    at_zero = next(a for a in labels if a.x == 0)
    assert at_zero.text.count("<br>") == 2, "the three events at t = 0 are listed on separate lines of one label"
