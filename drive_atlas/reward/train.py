"""Train a tabular Q-learning forager whose only reward is an exported drive module; compare baselines.

    python -m drive_atlas.reward.train --module hunger-1.1.0.drive      # exports the module first if missing

Three policies on DriveAtlas/Foraging-v0, evaluated on the same episodes:

* random;
* Q-learning rewarded by the circuit's drive module (fast backend), nothing else;
* Q-learning rewarded by the closed-form homeostatic reward of Keramati & Gutkin 2014
  (D = |H* - H|^n)^(1/m), reward D(H_t) - D(H_t+1)) on the same energy variable.

Reported per policy: survival (steps, starvation rate), mean energy, mean hunger drive
(read from the module for every policy), and how often the agent eats when it could
(at the patch with food) with energy low (< 0.4) vs high (> 0.8). Writes an HTML figure.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from .envs import interoception
from .envs.foraging import EAT
from .function import RewardFunction
from .homeostatic import HomeostaticReward
from .load import load_reward_function
from .wrappers import DriveRewardWrapper

ENV_ID = "DriveAtlas/Foraging-v0"
ENERGY_BINS = 10
STEP_SECONDS = 0.5  # biological time per environment step
Policy = Callable[[np.ndarray, np.random.Generator], int]


def discretise(obs: np.ndarray) -> tuple[int, int, int]:
    """(position, energy bin, stock): the tabular agent's state."""
    return int(obs[0]), min(int(obs[1] * ENERGY_BINS), ENERGY_BINS - 1), int(obs[2])


@dataclass
class QAgent:
    """Epsilon-greedy tabular Q-learning."""

    shape: tuple[int, ...]
    actions: int
    alpha: float = 0.1
    gamma: float = 0.95
    q: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.q = np.zeros(self.shape + (self.actions,))

    def act(self, obs: np.ndarray, rng: np.random.Generator, epsilon: float = 0.0) -> int:
        if rng.random() < epsilon:
            return int(rng.integers(self.actions))
        values = self.q[discretise(obs)]
        return int(rng.choice(np.flatnonzero(values == values.max())))

    def learn(self, obs: np.ndarray, action: int, reward: float, next_obs: np.ndarray, terminated: bool) -> None:
        s, s2 = discretise(obs), discretise(next_obs)
        target = reward + (0.0 if terminated else self.gamma * self.q[s2].max())
        self.q[s + (action,)] += self.alpha * (target - self.q[s + (action,)])


def train(reward_fn: RewardFunction, episodes: int, seed: int) -> tuple[QAgent, list[float]]:
    """Q-learning with epsilon decaying linearly from 1 to 0.05 over the first 80% of episodes; returns episode lengths."""
    env = DriveRewardWrapper(gym.make(ENV_ID), reward_fn, interoception, dt=STEP_SECONDS)
    base: Any = env.unwrapped
    agent = QAgent((base.size, ENERGY_BINS, base.stock_max + 1), env.action_space.n)
    rng, lengths = np.random.default_rng(seed), []
    for episode in range(episodes):
        epsilon = max(0.05, 1.0 - episode / (0.8 * episodes))
        obs, _ = env.reset(seed=seed + episode)
        done, steps = False, 0
        while not done:
            action = agent.act(obs, rng, epsilon)
            next_obs, reward, terminated, truncated, _ = env.step(action)
            agent.learn(obs, action, float(reward), next_obs, terminated)
            obs, done, steps = next_obs, terminated or truncated, steps + 1
        lengths.append(steps)
    return agent, lengths


def evaluate(policy: Policy, module: RewardFunction, episodes: int, seed: int) -> dict[str, Any]:
    """Run the policy on fixed episodes; the module reads the hunger drive whatever the policy was trained on."""
    env = DriveRewardWrapper(gym.make(ENV_ID), module, interoception, dt=STEP_SECONDS)
    rng = np.random.default_rng(seed)
    lengths, energies, drives, starved = [], [], [], 0
    could_eat = np.zeros(ENERGY_BINS)
    did_eat = np.zeros(ENERGY_BINS)
    for episode in range(episodes):
        obs, info = env.reset(seed=10_000 + seed + episode)
        done, steps = False, 0
        while not done:
            action = policy(obs, rng)
            if info.get("at_patch") and info["stock"] > 0:
                b = discretise(obs)[1]
                could_eat[b] += 1
                did_eat[b] += action == EAT
            obs, _, terminated, truncated, info = env.step(action)
            energies.append(info["energy"])
            drives.append(info["drive"])
            done, steps, starved = terminated or truncated, steps + 1, starved + int(terminated)
        lengths.append(steps)
    low, high = slice(0, 4), slice(8, ENERGY_BINS)
    with np.errstate(invalid="ignore"):
        by_bin = did_eat / could_eat
    return {
        "mean_steps": float(np.mean(lengths)), "starved": starved / episodes, "mean_energy": float(np.mean(energies)),
        "mean_drive": float(np.mean(drives)),
        "eat_when_low": float(did_eat[low].sum() / max(could_eat[low].sum(), 1)),
        "eat_when_high": float(did_eat[high].sum() / max(could_eat[high].sum(), 1)),
        "eat_by_energy": [None if np.isnan(v) else round(float(v), 3) for v in by_bin],
    }


def compare(module_path: str | Path, episodes: int = 3000, eval_episodes: int = 100, seed: int = 0,
            setpoint: float = 0.8, n: float = 4.0, m: float = 2.0) -> dict[str, Any]:
    """Train on the module and on the Keramati-Gutkin reward, evaluate both and a random policy."""
    import drive_atlas.reward.envs  # noqa: F401  (registers the environment)

    started = time.perf_counter()
    circuit_agent, circuit_lengths = train(load_reward_function(module_path), episodes, seed)
    trained = time.perf_counter()
    kg_agent, kg_lengths = train(HomeostaticReward({"energy": setpoint}, n=n, m=m), episodes, seed)
    policies: dict[str, Policy] = {
        "random": lambda obs, rng: int(rng.integers(3)),
        "q_circuit": circuit_agent.act,
        "q_keramati_gutkin": kg_agent.act,
    }
    evaluator = load_reward_function(module_path)
    results = {name: evaluate(policy, evaluator, eval_episodes, seed) for name, policy in policies.items()}
    return {
        "episodes": episodes, "eval_episodes": eval_episodes, "seconds_per_training": round(trained - started, 1),
        "keramati_gutkin": {"setpoint": setpoint, "n": n, "m": m}, "results": results,
        "learning_curves": {"q_circuit": circuit_lengths, "q_keramati_gutkin": kg_lengths},
    }


def write_figure(report: dict[str, Any], path: Path) -> list[Path]:
    """Eating probability by energy, and survival while learning; HTML (and PNG when kaleido is installed)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=("P(eat | at food) by energy", "episode length while learning"))
    centers = (np.arange(ENERGY_BINS) + 0.5) / ENERGY_BINS
    for name, result in report["results"].items():
        fig.add_trace(go.Scatter(x=centers, y=result["eat_by_energy"], mode="lines+markers", name=name), row=1, col=1)
    for name, lengths in report["learning_curves"].items():
        smooth = np.convolve(lengths, np.ones(50) / 50, mode="valid")
        fig.add_trace(go.Scatter(y=smooth, mode="lines", name=f"{name} (training)"), row=1, col=2)
    fig.update_xaxes(title_text="energy", row=1, col=1)
    fig.update_xaxes(title_text="episode", row=1, col=2)
    fig.update_layout(template="plotly_white", title="Foraging with the hunger circuit as the only reward", height=450)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(str(path), include_plotlyjs="cdn")
    written = [path]
    try:
        fig.write_image(str(path.with_suffix(".png")))
        written.append(path.with_suffix(".png"))
    except (ImportError, ValueError, RuntimeError):
        pass
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--module", type=Path, default=Path("hunger.drive"), help="reward module (exported if missing)")
    parser.add_argument("--episodes", type=int, default=3000)
    parser.add_argument("--eval-episodes", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", type=Path, default=Path("docs/foraging_training.html"))
    args = parser.parse_args(argv)
    if not args.module.exists():
        from .export import export_reward_module

        print(f"exporting hunger to {args.module} (NEST calibration, a few minutes)")
        export_reward_module("hunger", args.module)
    report = compare(args.module, args.episodes, args.eval_episodes, args.seed)
    files = write_figure(report, args.plot)
    summary = {k: v for k, v in report.items() if k != "learning_curves"}
    print(json.dumps({**summary, "files": [str(f) for f in files]}, indent=2))


if __name__ == "__main__":
    main()
