"""Per-request limits that keep one researcher's run from taking the server down."""

from __future__ import annotations

import os
from dataclasses import dataclass

import diskcache
import psutil


@dataclass(frozen=True)
class Limits:
    max_population_size: int = 20_000  # neurons in any one population of a simulated circuit
    max_duration_ms: float = 60_000.0  # simulated time per run
    max_concurrent_simulations: int = 2  # across all workers sharing the cache folder

    def check_run(self, sizes: dict[str, int], duration_ms: float) -> str | None:
        """Why a run may not start (None when it may)."""
        big = {pid: n for pid, n in sizes.items() if n > self.max_population_size}
        if big:
            listed = ", ".join(f"{pid} ({n})" for pid, n in big.items())
            return f"populations larger than this server's limit of {self.max_population_size} neurons: {listed}; run it with the CLI instead"
        if duration_ms > self.max_duration_ms:
            return f"{duration_ms / 1000:g} s is longer than this server's limit of {self.max_duration_ms / 1000:g} s per run"
        if duration_ms <= 0:
            return "the duration must be positive"
        return None


class SimulationSlots:
    """A cross-process count of running simulations, kept as the pids holding a slot.

    A slot whose process died (a cancelled job is killed) is freed on the next
    acquire, so a crash cannot leak capacity.
    """

    def __init__(self, cache: diskcache.Cache, limit: int, key: str = "simulation-slots") -> None:
        self.cache, self.limit, self.key = cache, limit, key

    def acquire(self, pid: int | None = None) -> bool:
        pid = pid or os.getpid()
        with self.cache.transact():
            holders = [p for p in self.cache.get(self.key, []) if _alive(p) and p != pid]
            if len(holders) >= self.limit:
                self.cache.set(self.key, holders)
                return False
            self.cache.set(self.key, holders + [pid])
            return True

    def release(self, pid: int | None = None) -> None:
        pid = pid or os.getpid()
        with self.cache.transact():
            self.cache.set(self.key, [p for p in self.cache.get(self.key, []) if p != pid])


def _alive(pid: int) -> bool:
    """Running, and not a killed job waiting to be reaped."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
