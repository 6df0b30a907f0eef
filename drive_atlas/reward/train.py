"""Train tabular Q-learning with an exported drive module as the only reward, and compare it with baselines.

Three policies on the environment, evaluated on the same seeded episodes:

* random;
* Q-learning rewarded by the circuit's drive module (fast backend), nothing else;
* Q-learning rewarded by the drive's closed-form homeostatic reward (``agents.baselines``).

The module reads the drive for every policy; the metrics are the environment's (``agents.metrics``).
The command line is ``drive-atlas train`` (``cli.train_command``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .agents import random_policy, rollout, train
from .agents.tasks import Task
from .artifact import read_artifact
from .load import load_reward_function


def module_record(path: Path) -> dict[str, Any]:
    """Which circuit version the module was exported from, and its fidelity, for the report."""
    manifest = read_artifact(path).manifest
    return {"circuit": manifest.circuit.id, "version": manifest.circuit.version, "forced": manifest.fidelity.forced,
            "reward_r": manifest.fidelity.reward_r}


def compare(task: Task, module_path: Path, episodes: int | None = None, eval_episodes: int = 100,
            seed: int = 0) -> dict[str, Any]:
    """Train on the module and on the closed-form reward; evaluate both and a random policy with the task's metrics."""
    episodes = episodes or task.episodes
    agents, seconds, curves = {}, {}, {}
    trainers = {"q_module": (load_reward_function(module_path), task.interoception),
                "q_closed_form": (task.baseline.reward(), task.baseline.state_fn)}
    for name, (reward_fn, state_fn) in trainers.items():
        started = time.process_time()
        agents[name] = task.agent()
        curves[name] = train(agents[name], task.env_id, reward_fn, state_fn, episodes, seed, task.step_seconds)
        seconds[name] = round(time.process_time() - started, 1)
    policies = {"random": random_policy(agents["q_module"].actions), **{name: agent.act for name, agent in agents.items()}}
    evaluator = load_reward_function(module_path)
    results = {name: task.metrics(rollout(task.env_id, policy, evaluator, task.interoception, task.step_seconds,
                                          eval_episodes, seed, task.starts))
               for name, policy in policies.items()}
    return {"env": task.env_id, "module": module_record(module_path), "episodes": episodes, "eval_episodes": eval_episodes,
            "seed": seed, "cpu_seconds_training": seconds, "results": results, "learning_curves": curves}


def compare_seeds(task: Task, module_path: Path, seeds: Iterable[int], episodes: int | None = None,
                  eval_episodes: int = 100, progress: Callable[[int, int, int], None] | None = None) -> list[dict[str, Any]]:
    """``compare`` for each seed in turn; ``progress(done, total, seed)`` before each and once at the end."""
    seeds = list(seeds)
    reports = []
    for done, seed in enumerate(seeds):
        if progress:
            progress(done, len(seeds), seed)
        reports.append(compare(task, module_path, episodes, eval_episodes, seed))
    if progress:
        progress(len(seeds), len(seeds), seeds[-1])
    return reports
