"""``drive-atlas train``: tabular agents on a drive module, a closed-form reward and at random, over seeds."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import OutputPath, console, print_table
from .progress import progress_bar

POLICIES = {"random": "random", "q_module": "Q-learning, module reward", "q_closed_form": "Q-learning, closed form"}


def parse_seeds(text: str) -> list[int]:
    """``1-8``, ``0,3,5`` or ``4`` (ranges and lists may mix: ``0-2,7``) -> the seeds, in order, each once."""
    seeds: list[int] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        try:
            low, high = int(first), int(last or first)
        except ValueError:
            raise click.BadParameter(f"{part.strip()!r} is not a seed or a range like 1-8") from None
        if high < low:
            raise click.BadParameter(f"the range {part.strip()!r} runs backwards")
        seeds += [s for s in range(low, high + 1) if s not in seeds]
    return seeds


@click.command("train")
@click.argument("env_id")
@click.option("--module", type=click.Path(path_type=Path, dir_okay=False),
              help="Reward module file [default: CIRCUIT.drive for the environment's circuit].")
@click.option("--seeds", "seeds_text", default="0", show_default=True, help="Seeds: 4, 1-8 or 0,3,5.")
@click.option("--episodes", type=click.IntRange(1), help="Training episodes per agent [default: the task's].")
@click.option("--eval-episodes", default=100, show_default=True, type=click.IntRange(1),
              help="Evaluation episodes per policy and seed.")
@click.option("--json", "json_path", type=OutputPath(), help="Write every seed's full report (learning curves included) here.")
def train_command(env_id: str, module: Path | None, seeds_text: str, episodes: int | None, eval_episodes: int,
                  json_path: Path | None) -> None:
    """Agents on ENV_ID over seeds: Q-learning on the module, on the closed form, and random.

    ENV_ID is a registered environment such as DriveAtlas/Foraging-v0. Q-learning is trained with the module as its
    only reward and with the drive's closed-form reward; both and a random policy are evaluated on the same episodes,
    each seed in turn, and each measure's mean [min, max] over the seeds is printed.
    """
    from ..reward.agents import task_for
    from ..reward.agents.summary import summarise
    from ..reward.train import compare_seeds

    try:
        task = task_for(env_id)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="ENV_ID") from None
    seeds = parse_seeds(seeds_text)
    module = module or Path(f"{task.circuit}.drive")
    if not module.is_file():
        raise click.ClickException(f"{module}: no such module; export it first: drive-atlas export {task.circuit} --out {module}")
    with progress_bar(f"training on {env_id}") as update:
        reports = compare_seeds(task, module, seeds, episodes, eval_episodes,
                                progress=lambda done, total, seed: update(done, total, f"{env_id}, seed {seed}"))
    if json_path:
        json_path.write_text(json.dumps(reports), encoding="utf-8")
    record, summary = reports[0]["module"], summarise(reports)
    measures = list(summary["q_module"])
    rows = [[m, *(str(summary[p][m]) if summary[p][m] is not None else "n/a" for p in POLICIES)] for m in measures]
    print_table(f"{env_id}: {record['circuit']}@{record['version']} module, seeds {seeds_text} "
                f"({reports[0]['episodes']} training episodes, {eval_episodes} evaluation episodes per seed)",
                ["measure", *POLICIES.values()], rows)
    console.print("per seed, module reward: " + "; ".join(
        f"{m} {[r['results']['q_module'][m] for r in reports]}" for m in measures), highlight=False)
