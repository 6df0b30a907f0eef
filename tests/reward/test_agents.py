"""Agents trained with a drive module as their only reward, one small environment per drive (short versions).

The modules are the session's exports (conftest: a coarse hunger module, short pain and social_reward modules; for the
analgesic, the default-settings pain module; for the crossing, the composite's real export, which test_exports_composite
checks); the full-length numbers are in the README's Agents section.
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


def test_pain_agent_leaves_the_hot_floor(short_modules: dict[str, Path]) -> None:
    learned, random = on_module("DriveAtlas/HotFloorNoAnalgesic-v0", short_modules["pain"], episodes=300, eval_episodes=20)
    assert learned["time_on_floor"] < random["time_on_floor"] / 2
    assert learned["mean_damage"] < random["mean_damage"]


@pytest.fixture(scope="module")
def analgesic_agent(atlas, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """The default-settings pain module (the one test_exports checks, exported once per run) at the task's full
    training length (3000 episodes, about 10 s of CPU on the fast backend); only the evaluation is short. Neither can
    be shortened honestly: a 2-point export pays for a dose at rest (+0.003), and the default module's cost of one
    (0.001, discounted) is not resolved by 1500 episodes (one seed of four took it at rest). 100 evaluation episodes
    (0.3 s): the first 20 hold one step without pain for this agent (seed 0), too few to estimate its use there."""
    module = shared_export("pain", CalibrationSettings(), atlas, tmp_path_factory, force=False).path
    task = task_for("DriveAtlas/HotFloor-v0")
    return on_module(task.env_id, module, episodes=task.episodes, eval_episodes=100)


@pytest.mark.slow
def test_pain_agent_takes_the_analgesic_in_pain_and_keeps_off_the_hot_floor(
        analgesic_agent: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Holds in every seed measured (pain 1.2.1 and 1.2.2 modules, seeds 0-7)."""
    learned, random = analgesic_agent
    assert learned["analgesic_in_pain"] > random["analgesic_in_pain"] + 0.3
    assert learned["time_on_floor"] < random["time_on_floor"]


PAIN_AT_REST_GAP = (
    "pain 1.2.2's default module (1 ms steps, background thinned 4x) rests at drive 0.0105 without heat (the live "
    "circuit about 0.004, its fluctuations clipped at 0): a dose at rest pays +0.0105 at once and the same back over "
    "the next 2 s as it wears off, so a discounting learner takes it and re-doses as it wears off. Seeds 0-7: the "
    "analgesic without pain 0.67-1.00 (1.2.1's module: 0 on 6 seeds of 8); the live circuit's own morphine-without-"
    "pain reward is a recorded expected failure of pain's behaviour assays")


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


@pytest.mark.xfail(strict=True, reason=(
    "contact after isolation 0.00 here (random 0.22), and 0.13 with the default-settings module of social_reward "
    "1.2.1 at full length (1500 episodes, seed 0; random 0.25, in company 0.01), so the short export is not all that "
    "fails. Since 1.2.1 the module pays more for contact the longer the agent was alone (2 s of contact against "
    "staying, discounted over 10 s: +0.09 at isolation 0, +0.14 at 0.3, +0.16 at 0.6, +0.56 at 1), but each contact "
    "step costs at once (-0.13 to -0.20 against staying: touch excites DRN dopamine neurons, the drive's readout, "
    "while it lasts) and pays back only after the contact ends and through the module's slow state, which the table "
    "agent does not observe; README, Agents"))
def test_social_agent_seeks_contact_after_isolation(short_modules: dict[str, Path]) -> None:
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
def test_hungry_agent_crosses_the_noxious_patch_more_than_a_sated_one(real_export: Callable[[str], Export]) -> None:
    learned, random = on_module("DriveAtlas/Crossing-v0", real_export("hunger_pain").path, episodes=600, eval_episodes=20)
    assert learned["cross_hungry"] > learned["cross_sated"]
    assert learned["mean_steps"] > random["mean_steps"]
