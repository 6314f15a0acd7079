"""Repeated wall-clock measurements, summarised by median and minimum.

The minimum is the run least disturbed by other work on the machine (the best
estimate of the code's own cost); the median shows what a user typically sees.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Timing:
    """The seconds each repeat of one measurement took."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def minimum(self) -> float:
        return min(self.samples)


def measure(action: Callable[[], T], repeats: int, label: str = "") -> tuple[Timing, T]:
    """Run `action` `repeats` times (at least once); return the timings and its result."""
    samples = []
    seconds, result = _once(action)
    samples.append(seconds)
    for _ in range(1, repeats):
        seconds, result = _once(action)
        samples.append(seconds)
    if label:
        shown = ", ".join(f"{sample:.2f}" for sample in samples)
        progress(f"  {label}: {shown} s")
    return Timing(tuple(samples)), result


def _once(action: Callable[[], T]) -> tuple[float, T]:
    # Garbage left by the previous repeat (or stage) must not be collected on this
    # one's clock.
    gc.collect()
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def progress(message: str) -> None:
    """Progress goes to stderr so that stdout holds only the report."""
    print(message, file=sys.stderr, flush=True)
