"""Behaviour metrics per drive, computed from recorded episodes (``rollout``); each returns plain floats.

A conditional probability with no step to condition on is None (reported as such, never as 0).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..envs import companion, foraging, hot_floor
from .rollout import Episode, Step

Metrics = Callable[[list[Episode]], dict[str, Any]]
LOW, HIGH = 0.4, 0.8  # energy (hydration) below: hungry (thirsty); above: sated (hydrated)
IN_PAIN, NO_PAIN = 0.3, 0.05  # what the skin reports (noxious) at or above: in pain; below: not
# steps (5 s at 0.5 s a step) without pain on the skin before a step without pain counts as at rest rather than just
# after pain: the live pain circuit's drive lingers for seconds after heat ends (10 s of heat at 0.6 and 3 s off it
# under a dose: 0.03-0.07 in the 3 s after the dose wears off, seeds 1 and 2), so a dose just after pain still
# relieves pain the circuit signals
REST_STEPS = 10
ISOLATED, IN_COMPANY = 0.6, 0.2  # isolation at or above: after isolation; below: in company
COMFORT = (0.4, 0.6)  # skin temperature within: the thermoneutral zone (the thermoregulation module's interface)
CROSSING_WINDOW = 15  # steps from home within which reaching the food counts as a crossing


def _p(hits: Iterable[bool]) -> float | None:
    hits = list(hits)
    return round(float(np.mean(hits)), 3) if hits else None


def _steps(episodes: list[Episode]) -> list[Step]:
    return [s for e in episodes for s in e.steps]


def _common(episodes: list[Episode]) -> dict[str, Any]:
    steps = _steps(episodes)
    return {"mean_steps": float(np.mean([len(e.steps) for e in episodes])),
            "mean_drive": round(float(np.mean([s.after["drive"] for s in steps])), 4)}


def _patch_metrics(episodes: list[Episode], body: str, consume: str) -> dict[str, Any]:
    """The foraging world's measures for the body variable ``body`` and the action ``consume`` names."""
    could = [s for s in _steps(episodes) if s.before["at_patch"] and s.before["stock"] > 0]
    return {**_common(episodes), "starved": _p(e.terminated for e in episodes),
            f"mean_{body}": round(float(np.mean([s.after[body] for s in _steps(episodes)])), 3),
            f"{consume}_when_low": _p(s.action == foraging.EAT for s in could if s.before[body] < LOW),
            f"{consume}_when_high": _p(s.action == foraging.EAT for s in could if s.before[body] > HIGH)}


def foraging_metrics(episodes: list[Episode]) -> dict[str, Any]:
    """Survival, energy, and P(eat | at food with stock) when hungry (energy < 0.4) and sated (> 0.8)."""
    return _patch_metrics(episodes, "energy", "eat")


def drinking_metrics(episodes: list[Episode]) -> dict[str, Any]:
    """Survival (``starved``: the episode ended dehydrated), hydration, and P(drink | at water with stock) when
    dehydrated (hydration < 0.4) and hydrated (> 0.8)."""
    return _patch_metrics(episodes, "hydration", "drink")


def _since_pain(episode: Episode) -> list[int]:
    """Per step, the steps since the skin last reported pain (noxious >= NO_PAIN) before it; a large number if never."""
    since, out = len(episode.steps) + REST_STEPS, []
    for s in episode.steps:
        since = 0 if s.before["noxious"] >= NO_PAIN else since + 1
        out.append(since)
    return out


def hot_floor_metrics(episodes: list[Episode]) -> dict[str, Any]:
    """Time on the hot floor, damage, and P(take the analgesic) in pain vs not (steps with none on board); without
    pain split into just after pain (within REST_STEPS of it) and at rest."""
    steps = _steps(episodes)
    since = [n for e in episodes for n in _since_pain(e)]
    free = [(s, n) for s, n in zip(steps, since) if s.before["analgesic"] == 0.0]
    took = lambda s: s.action == hot_floor.ANALGESIC  # noqa: E731
    return {**_common(episodes), "time_on_floor": _p(s.after["on_floor"] for s in steps),
            "mean_damage": round(float(np.mean([s.after["damage"] for s in steps])), 3),
            "mean_noxious": round(float(np.mean([s.after["noxious"] for s in steps])), 3),
            "analgesic_in_pain": _p(took(s) for s, _ in free if s.before["noxious"] >= IN_PAIN),
            "analgesic_no_pain": _p(took(s) for s, _ in free if s.before["noxious"] < NO_PAIN),
            "analgesic_after_pain": _p(took(s) for s, n in free if 0 < n <= REST_STEPS),
            "analgesic_at_rest": _p(took(s) for s, n in free if n > REST_STEPS)}


def companion_metrics(episodes: list[Episode]) -> dict[str, Any]:
    """Contact sought when with the companion, after isolation (>= 0.6) vs in company (< 0.2); time in contact."""
    steps = _steps(episodes)
    together = [s for s in steps if s.before["with_companion"]]
    touch = lambda s: s.action == companion.CONTACT  # noqa: E731
    return {**_common(episodes), "mean_isolation": round(float(np.mean([s.after["isolation"] for s in steps])), 3),
            "contact_time": _p(s.after["social_contact"] > 0 for s in steps),
            "contact_after_isolation": _p(touch(s) for s in together if s.before["isolation"] >= ISOLATED),
            "contact_in_company": _p(touch(s) for s in together if s.before["isolation"] < IN_COMPANY)}


def crossing_metrics(episodes: list[Episode]) -> dict[str, Any]:
    """P(reach the food across the patch within 15 steps of starting home), hungry vs sated starts; survival."""
    def crossed(e: Episode) -> bool:
        return any(s.after["at_food"] for s in e.steps[:CROSSING_WINDOW])

    start = [e.steps[0].before["energy"] for e in episodes]
    steps = _steps(episodes)
    return {**_common(episodes), "starved": _p(e.terminated for e in episodes),
            "cross_hungry": _p(crossed(e) for e, h in zip(episodes, start) if h < LOW),
            "cross_sated": _p(crossed(e) for e, h in zip(episodes, start) if h > HIGH),
            "time_on_patch": _p(s.after["on_patch"] for s in steps),
            "mean_energy": round(float(np.mean([s.after["energy"] for s in steps])), 3)}


def thermal_metrics(episodes: list[Episode]) -> dict[str, Any]:
    """Time with the skin in the thermoneutral zone and the mean skin temperature, in episodes without fever and with
    it (a febrile episode is febrile throughout)."""
    def febrile(e: Episode) -> bool:
        return e.steps[0].before["fever"] > 0

    def skin(steps: list[Step]) -> list[float]:
        return [s.after["skin_temperature"] for s in steps]

    def mean(values: list[float]) -> float | None:
        return round(float(np.mean(values)), 3) if values else None

    well = skin(_steps([e for e in episodes if not febrile(e)]))
    ill = skin(_steps([e for e in episodes if febrile(e)]))
    return {**_common(episodes),
            "comfortable": _p(COMFORT[0] <= t <= COMFORT[1] for t in well), "mean_skin": mean(well),
            "comfortable_fever": _p(COMFORT[0] <= t <= COMFORT[1] for t in ill), "mean_skin_fever": mean(ill)}
