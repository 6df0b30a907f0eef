"""Train tabular Q-learning with an exported drive module as the only reward, and compare it with baselines.

    python -m drive_atlas.reward.train --env DriveAtlas/HotFloor-v0 --module pain.drive

Three policies on the environment, evaluated on the same seeded episodes:

* random;
* Q-learning rewarded by the circuit's drive module (fast backend), nothing else;
* Q-learning rewarded by the drive's closed-form homeostatic reward (``agents.baselines``).

The module reads the drive for every policy; the metrics are the environment's (``agents.metrics``).
A missing module is exported first (the task's circuit, NEST calibration, a few minutes).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from .agents import random_policy, rollout, task_for, train
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


def main(argv: list[str] | None = None) -> None:
    from .agents import TASKS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="DriveAtlas/Foraging-v0", choices=sorted(TASKS))
    parser.add_argument("--module", type=Path, help="reward module (default: CIRCUIT.drive; exported if missing)")
    parser.add_argument("--episodes", type=int, help="training episodes per agent (default: the task's)")
    parser.add_argument("--eval-episodes", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the full report (learning curves included) here")
    args = parser.parse_args(argv)
    task = task_for(args.env)
    module = args.module or Path(f"{task.circuit}.drive")
    if not module.exists():
        from .export import export_reward_module

        print(f"exporting {task.circuit} to {module} (NEST calibration, a few minutes)")
        export_reward_module(task.circuit, module)
    report = compare(task, module, args.episodes, args.eval_episodes, args.seed)
    if args.json:
        args.json.write_text(json.dumps(report), encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "learning_curves"}, indent=2))


if __name__ == "__main__":
    main()
