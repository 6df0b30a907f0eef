"""Agents trained with a drive module as their only reward, one small environment per drive (short versions).

The modules are the session's exports (conftest: a coarse hunger module, short pain and social_reward modules; for the
analgesic, the default-settings pain module; for drinking, the thermal gradient and the two crossings, the real
exports of thirst, thermoregulation, hunger_pain (which test_exports and test_exports_composite check) and
hunger_threat); the full-length numbers are in the README's Agents section.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

from drive_atlas.reward import load_reward_function
from drive_atlas.reward.envs import hot_floor
from drive_atlas.reward.agents import TASKS, random_policy, rollout, task_for, train
from drive_atlas.reward.agents.metrics import REST_STEPS, hot_floor_metrics
from drive_atlas.reward.agents.rollout import Episode, Policy, Step
from drive_atlas.reward.agents.tasks import Task
from drive_atlas.reward.calibrate import CalibrationSettings
from drive_atlas.reward.export import Export
from drive_atlas.reward.function import RewardFunction
from drive_atlas.reward.wrappers import StateFn

from .conftest import shared_export


def learned_and_random(task: Task, reward_fn: RewardFunction, state_fn: StateFn, module: Path, episodes: int,
                       eval_episodes: int, seed: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    """Train on ``reward_fn``; the task's metrics of the greedy agent and of a random policy, the module reading the drive."""
    agent = task.agent()
    train(agent, task.env_id, reward_fn, state_fn, episodes, seed, task.step_seconds)
    evaluator = load_reward_function(module)

    def measure(policy: Policy) -> dict[str, Any]:
        return task.metrics(rollout(task.env_id, policy, evaluator, task.interoception, task.step_seconds, eval_episodes,
                                    seed, task.starts))

    return measure(agent.act), measure(random_policy(agent.actions))


def on_module(env_id: str, module: Path, episodes: int, eval_episodes: int) -> tuple[dict[str, Any], dict[str, Any]]:
    task = task_for(env_id)
    return learned_and_random(task, load_reward_function(module), task.interoception, module, episodes, eval_episodes)


@pytest.mark.parametrize("env_id", sorted(TASKS))
def test_environment_passes_the_gymnasium_checker(env_id: str) -> None:
    check_env(gym.make(env_id).unwrapped, skip_render_check=True)


@pytest.mark.parametrize("env_id", sorted(TASKS))
def test_interoception_speaks_the_module_interface(atlas, env_id: str) -> None:
    """What each environment reports is exactly its circuit's interface (composites: the union of their parts')."""
    task = task_for(env_id)
    interface = atlas.entry(task.circuit).runnable.interface
    env = gym.make(env_id)
    obs, info = env.reset(seed=0)
    states, events = task.interoception(obs, info)
    assert (list(states), list(events)) == ([s.id for s in interface.states], [e.id for e in interface.events])
    for variable, value in {**states, **events}.items():
        assert 0.0 <= value <= 1.0, variable


def test_unknown_environment_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="DriveAtlas/Foraging-v0"):
        task_for("DriveAtlas/Nowhere-v0")


def test_analgesic_without_pain_is_split_into_just_after_pain_and_at_rest() -> None:
    """A dose within REST_STEPS of pain on the skin counts as just after pain (the circuit's drive still lingers);
    later, as at rest; both are also without pain."""
    def step(noxious: float, action: int, on_board: float = 0.0) -> Step:
        body = {"noxious": noxious, "analgesic": on_board, "on_floor": False, "damage": noxious, "drive": 0.0}
        return Step(body, action, body)

    stay, dose = hot_floor.STAY, hot_floor.ANALGESIC
    after = [step(0.6, stay), *[step(0.0, stay)] * (REST_STEPS - 1), step(0.0, dose)]  # the dose REST_STEPS after pain
    rest = [step(0.6, stay), *[step(0.0, stay)] * REST_STEPS, step(0.0, dose), step(0.0, stay, on_board=1.0), step(0.0, stay)]
    measured = hot_floor_metrics([Episode(after, False), Episode(rest, False)])
    assert measured["analgesic_after_pain"] == pytest.approx(1 / (2 * REST_STEPS), abs=1e-3)
    assert measured["analgesic_at_rest"] == pytest.approx(1 / 2)  # the step with a dose on board is not counted
    assert measured["analgesic_no_pain"] == pytest.approx(2 / (2 * REST_STEPS + 2), abs=1e-3)
    assert measured["analgesic_in_pain"] == 0.0


def test_hunger_agent_eats_when_hungry_not_when_sated_and_outlives_random(module_path: Path) -> None:
    learned, random = on_module("DriveAtlas/Foraging-v0", module_path, episodes=600, eval_episodes=20)
    assert learned["eat_when_low"] > learned["eat_when_high"] + 0.3
    assert learned["mean_steps"] > random["mean_steps"] and learned["mean_energy"] > random["mean_energy"]


def test_thirst_agent_drinks_when_dehydrated_and_outlives_random(real_export: Callable[[str], Export]) -> None:
    learned, random = on_module("DriveAtlas/Drinking-v0", real_export("thirst").path, episodes=600, eval_episodes=20)
    assert learned["drink_when_low"] > random["drink_when_low"] + 0.3
    assert learned["mean_steps"] > random["mean_steps"] and learned["mean_hydration"] > random["mean_hydration"]


def test_thermal_agent_keeps_its_skin_thermoneutral_and_seeks_warmth_in_fever(real_export: Callable[[str], Export]) -> None:
    """Comfort against random, and the module's fever (PGE2 disinhibiting thermogenesis) moving the place it seeks to
    warmer skin: the closed-form reward, which has no fever, seeks the same place either way."""
    learned, random = on_module("DriveAtlas/ThermalGradient-v0", real_export("thermoregulation").path, episodes=600,
                                eval_episodes=20)
    assert learned["comfortable"] > random["comfortable"] + 0.2
    assert learned["mean_skin_fever"] > learned["mean_skin"] + 0.1


def test_pain_agent_leaves_the_hot_floor(short_modules: dict[str, Path]) -> None:
    learned, random = on_module("DriveAtlas/HotFloorNoAnalgesic-v0", short_modules["pain"], episodes=300, eval_episodes=20)
    assert learned["time_on_floor"] < random["time_on_floor"] / 2
    assert learned["mean_damage"] < random["mean_damage"]


@pytest.fixture(scope="module")
def analgesic_agent(atlas, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """The default-settings pain module (the one test_exports checks, exported once per run) at the task's full
    training length (3000 episodes, about 10 s of CPU on the fast backend); only the evaluation is short. Neither is
    shortened: a 2-point export is not the module the README reports, and 1500 episodes left the dose at rest
    unresolved in one seed of four on pain 1.2.1's module. 100 evaluation episodes (0.3 s): the first 20 hold one
    step without pain for this agent (seed 0), too few to estimate its use there."""
    module = shared_export("pain", CalibrationSettings(), atlas, tmp_path_factory, force=False).path
    task = task_for("DriveAtlas/HotFloor-v0")
    return on_module(task.env_id, module, episodes=task.episodes, eval_episodes=100)


@pytest.mark.slow
def test_pain_agent_takes_the_analgesic_in_pain_and_keeps_off_the_hot_floor(
        analgesic_agent: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Holds in every seed measured (pain 1.2.1 and 1.2.2 modules, seeds 0-7), but for the floor in seed 6 on 1.2.2's
    module with its rest pinned (0.455 of the time, random 0.386: it doses on the floor)."""
    learned, random = analgesic_agent
    assert learned["analgesic_in_pain"] > random["analgesic_in_pain"] + 0.3
    assert learned["time_on_floor"] < random["time_on_floor"]


PAIN_AT_REST_GAP = (
    "the module now rests where the live circuit does (pain 1.2.2's default module: drive 0.0000 without heat, live "
    "0.0001; it rested at 0.007-0.010 before the calibration pinned the readout's rest), so a dose at rest earns exactly "
    "nothing, as live: the reward leaves the agent indifferent there, and what a greedy table agent does is decided by "
    "its table: the first damage bin (0-0.2) holds mild pain (drive up to 0.13), where a dose pays, and exact ties are "
    "broken at random. Seeds 0-7, the analgesic without pain: 1.00, 0.00, 0.00, 0.39, 0.00, 0.00, 0.00, "
    "0.00 (random 0.24-0.30; before the pin 0.67-1.00 in all 8); with the first bin split at the no-pain threshold "
    "0.05: 0.00, 0.89 (seeds 0, 1). pain 1.2.1's module was avoided at rest in 6 seeds of 8 through a "
    "small cost of a dose at rest (its slow state overshooting as the dose wore off) that the live circuit does not have. "
    "The same, seed by seed, on pain 1.2.3's module, and neither learner tried on it removes it (table averaging, "
    "optimistic initial values; docs/agents_history.md): at rest a dose costs 0.0003 over 15 s, while the "
    "same cell's mild pain pays for it (+0.001 at noxious 0.03, +0.033 at 0.2)")


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=PAIN_AT_REST_GAP)
def test_pain_agent_does_not_seek_the_analgesic_without_pain(analgesic_agent: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """What is felt below 0.05 with none on board: a dose is not sought, far less than in pain."""
    learned, random = analgesic_agent
    assert learned["analgesic_in_pain"] > learned["analgesic_no_pain"] + 0.3
    assert learned["analgesic_no_pain"] <= random["analgesic_no_pain"]


def test_closed_form_social_agent_seeks_contact_after_isolation_not_in_company(short_modules: dict[str, Path]) -> None:
    """The companion world itself rewards social homeostasis when the reward does: the Keramati-Gutkin baseline."""
    task = task_for("DriveAtlas/Companion-v0")
    learned, random = learned_and_random(task, task.baseline.reward(), task.baseline.state_fn, short_modules["social_reward"],
                                         episodes=400, eval_episodes=20)
    assert learned["contact_after_isolation"] > learned["contact_in_company"] + 0.3
    assert learned["contact_after_isolation"] > random["contact_after_isolation"]


def test_social_agent_seeks_contact_after_isolation(short_modules: dict[str, Path]) -> None:
    """Social homeostasis learned from the module alone. Failed up to social_reward 1.2.1 (here 0.00 after isolation,
    random 0.22), whose contact input excited the social drive's readout neurons enough that contact raised the drive
    it met: each contact step cost at once and the drive fell only after the contact ended."""
    learned, random = on_module("DriveAtlas/Companion-v0", short_modules["social_reward"], episodes=400, eval_episodes=20)
    assert learned["contact_after_isolation"] > random["contact_after_isolation"]
    assert learned["contact_after_isolation"] > learned["contact_in_company"]


@pytest.mark.slow  # the composite's real export
def test_closed_form_agent_crosses_the_noxious_patch_when_hungry_not_when_sated(real_export: Callable[[str], Export]) -> None:
    """The crossing world itself shows the contrast when the reward values food and pain: the Keramati-Gutkin baseline."""
    task = task_for("DriveAtlas/Crossing-v0")
    learned, random = learned_and_random(task, task.baseline.reward(), task.baseline.state_fn, real_export("hunger_pain").path,
                                         episodes=600, eval_episodes=20)
    assert learned["cross_hungry"] > learned["cross_sated"] + 0.5
    assert learned["mean_steps"] > random["mean_steps"]


@pytest.mark.slow  # the composite's real export
def test_hungry_agent_forages_under_threat_more_than_a_sated_one(real_export: Callable[[str], Export]) -> None:
    """Food-restricted mice seek food under threat (Jikomes et al. 2016): direction only."""
    learned, random = on_module("DriveAtlas/ForagingUnderThreat-v0", real_export("hunger_threat").path, episodes=600,
                                eval_episodes=20)
    assert learned["cross_hungry"] > learned["cross_sated"]
    assert learned["mean_steps"] > random["mean_steps"]


@pytest.mark.slow  # the composite's real export
def test_hungry_agent_crosses_the_noxious_patch_more_than_a_sated_one(real_export: Callable[[str], Export]) -> None:
    learned, random = on_module("DriveAtlas/Crossing-v0", real_export("hunger_pain").path, episodes=600, eval_episodes=20)
    assert learned["cross_hungry"] > learned["cross_sated"]
    assert learned["mean_steps"] > random["mean_steps"]
