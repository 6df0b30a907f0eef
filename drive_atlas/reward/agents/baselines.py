"""Closed-form homeostatic rewards, one per drive, to compare the circuit's modules with (no circuit involved).

Each is the Keramati & Gutkin 2014 drive-reduction reward (``HomeostaticReward``:
D(H) = (sum_i |H*_i - H_i|^n)^(1/m), reward D(H_t) - D(H_t+1)) on body variables the
environment reports in its info. Which variables, setpoints and exponents stand for
each drive are modelling choices (evidence kind: model_assumption), not findings:

* hunger: energy, setpoint 0.8, n = 4, m = 2 (the exponents of Keramati & Gutkin's simulations);
* pain: tissue damage, setpoint 0, n = m = 1, so the reward is minus the increase in damage
  (healing is rewarded, an analgesic is worth nothing: it changes what is felt, not the body);
* social: isolation (time alone), setpoint 0, n = 4, m = 2;
* hunger x pain: energy (setpoint 0.8) and the heat underfoot (setpoint 0), n = 4, m = 2
  (the crossing world has no tissue damage; heat on the skin stands for the body's deviation);
* hunger x threat: energy (setpoint 0.8) and the predator's proximity (setpoint 0), n = 4, m = 2;
* thirst: hydration, setpoint 1 (fully hydrated, where the thirst module's own drive is 0), n = 4, m = 2;
* thermoregulation: skin temperature, setpoint 0.5 (thermoneutral), n = 4, m = 2; it has no fever, so a
  febrile agent on it seeks the same place as a well one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..homeostatic import HomeostaticReward
from ..wrappers import StateFn


@dataclass(frozen=True)
class Baseline:
    """Setpoints on info variables and the exponents of the drive."""

    setpoints: Mapping[str, float]
    n: float = 4.0
    m: float = 2.0

    def reward(self) -> HomeostaticReward:
        return HomeostaticReward(self.setpoints, n=self.n, m=self.m)

    @property
    def state_fn(self) -> StateFn:
        keys = list(self.setpoints)

        def body(obs: Any, info: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
            return {k: info[k] for k in keys}, {}

        return body


HUNGER = Baseline({"energy": 0.8})
PAIN = Baseline({"damage": 0.0}, n=1.0, m=1.0)
SOCIAL = Baseline({"isolation": 0.0})
HUNGER_PAIN = Baseline({"energy": 0.8, "noxious": 0.0})
HUNGER_THREAT = Baseline({"energy": 0.8, "threat_proximity": 0.0})
THIRST = Baseline({"hydration": 1.0})
THERMOREGULATION = Baseline({"skin_temperature": 0.5})
