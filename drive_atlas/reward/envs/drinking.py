"""Water for the thirst drive module: the foraging world with a water source that refills slowly.

The body: hydration in [0, 1] (the thirst module's state: 0 severely dehydrated, 1 fully
hydrated) falls by ``decay`` every step and rises by ``gain`` for each unit drunk; at 0 the
episode ends. The source holds up to ``stock_max`` units and refills one with probability
``regrow`` per step, so drinking when hydrated wastes water needed later. The water drunk
counts at once (the module's own satiation signals, oropharyngeal and gut, come with the
``drinking`` event). The environment's own reward is 0: the reward comes from a drive module.

Observation: [position, hydration, stock]. Actions: 0 left, 1 right, 2 drink.
"""

from __future__ import annotations

from typing import Any

from .foraging import ForagingEnv


class DrinkingEnv(ForagingEnv):
    """The foraging world with hydration and drinking for energy and eating (its action 2 drinks)."""

    def __init__(self, size: int = 5, decay: float = 0.02, gain: float = 0.3, regrow: float = 0.1, stock_max: int = 2) -> None:
        super().__init__(size, decay, gain, regrow, stock_max, body="hydration", consume="drinking")


def interoception(obs: Any, info: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """state_fn for the drive wrappers: hydration as the body state, drinking as the event (single or batched)."""
    return {"hydration": info["hydration"]}, {"drinking": info["drinking"]}
