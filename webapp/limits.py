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
    max_events: int = 100  # protocol and extra events in one run: each one splits the run, so they cost work, not simulated time
    max_wall_seconds: float = 600.0  # wall-clock time of one run or assay battery; then its process is killed and its slot freed

    def check_run(self, sizes: dict[str, int], duration_ms: float, events: int = 0) -> str | None:
        """Why a run may not start (None when it may)."""
        if events > self.max_events:
            return f"{events} events is more than this server's limit of {self.max_events} per run; run it with the CLI instead"
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
            holders = [p for p in self.holders() if _alive(p) and p != pid]
            if len(holders) >= self.limit:
                self._store(holders)
                return False
            self._store(holders + [pid])
            return True

    def release(self, pid: int | None = None) -> None:
        pid = pid or os.getpid()
        with self.cache.transact():
            self._store([p for p in self.holders() if p != pid])

    def holders(self) -> list[int]:
        """The pids holding a slot, dead or alive (kept as comma-separated text)."""
        text = self.cache.get(self.key, "")
        return [int(p) for p in text.split(",") if p.isdigit()] if isinstance(text, str) else []

    def _store(self, pids: list[int]) -> None:
        self.cache.set(self.key, ",".join(map(str, pids)))


def _alive(pid: int) -> bool:
    """Running, and not a killed job waiting to be reaped."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
