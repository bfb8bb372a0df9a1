"""What every section shares: figures with their targets, timing, and where files go."""

from __future__ import annotations

import gc
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / "data"  # generated inputs, cached between runs (git-ignored)
RESULTS_DIR = BENCH_DIR / "results"  # figures of each run (git-ignored)


@dataclass
class Figure:
    """One measured figure, with the target it is held to (if any) and whether it meets it."""

    section: str
    name: str
    value: float | None
    unit: str = ""
    target: str = ""  # as printed, e.g. "<= 1.5x"
    ok: bool | None = None  # None: reported, not held to a target
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return the figure as JSON-ready data."""
        return asdict(self)


def at_most(limit: float) -> Callable[[float | None], bool | None]:
    """Return a check that a value is no more than `limit`."""
    return lambda value: None if value is None else value <= limit


def at_least(limit: float) -> Callable[[float | None], bool | None]:
    """Return a check that a value is no less than `limit`."""
    return lambda value: None if value is None else value >= limit


def median(values: list[float]) -> float:
    """Return the median (of a non-empty list)."""
    return statistics.median(values)


def p95(values: list[float]) -> float:
    """Return the 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(0.95 * len(ordered)) - 1))]


class Clock:
    """Wall and CPU time of a block: `with Clock() as c: ...; c.wall, c.cpu`."""

    def __enter__(self) -> Clock:
        """Start both clocks."""
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop both clocks."""
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def interleaved(candidates: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Time each candidate once per round, alternating their order; return seconds per round.

    Interleaving puts every candidate under the same machine load; a collection before each
    round keeps one candidate's garbage from being swept in another's time.
    """
    times: dict[str, list[float]] = {name: [] for name in candidates}
    names = list(candidates)
    for round_number in range(rounds):
        order = names if round_number % 2 == 0 else names[::-1]
        for name in order:
            gc.collect()
            started = time.perf_counter()
            candidates[name]()
            times[name].append(time.perf_counter() - started)
    return times


def machine() -> dict[str, Any]:
    """Describe the machine the figures were measured on."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) // 1024 // 1024} GB"
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {
        "cpu": cpu, "cpus": os.cpu_count(), "memory": memory, "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}", "load_at_start": load,
    }
