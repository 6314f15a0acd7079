"""Spreading uneven work over a process pool: largest first, in small chunks.

A project's files differ in cost by orders of magnitude (a 4,000-line model module
against a hundred one-line `__init__.py` files), and `Executor.map` hands out fixed
chunks in the given order, so one worker can be left with the largest files at the
end while the other waits. Here the items are ordered by an estimate of their cost,
largest first, and cut into chunks of about equal estimated cost (a large item alone,
many small ones together, which keeps the pickling round trips few); the pool hands
the chunks out in that order as workers free up. Results come back in the items'
order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Chunks per worker: enough for the last ones to even out the load.
_CHUNKS_PER_WORKER = 8


def balanced_map(
    pool: Executor,
    function: Callable[[T], R],
    items: Sequence[T],
    costs: Sequence[int],
    workers: int,
) -> list[R]:
    """`[function(item) for item in items]`, computed in `pool`; `costs` estimate
    each item's share of the work (file sizes, say). `function` must be picklable."""
    order = sorted(range(len(items)), key=lambda index: -costs[index])
    target = sum(costs) / (workers * _CHUNKS_PER_WORKER)
    chunks: list[list[int]] = []
    chunk: list[int] = []
    load = 0
    for index in order:
        chunk.append(index)
        load += costs[index]
        if load >= target:
            chunks.append(chunk)
            chunk, load = [], 0
    if chunk:
        chunks.append(chunk)
    futures = [pool.submit(_map_chunk, function, [items[i] for i in chunk]) for chunk in chunks]
    results: list[R | None] = [None] * len(items)
    for chunk, future in zip(chunks, futures, strict=True):
        for index, result in zip(chunk, future.result(), strict=True):
            results[index] = result
    return results  # type: ignore[return-value]  # every index was filled above


def _map_chunk(function: Callable[[T], R], items: list[T]) -> list[R]:
    return [function(item) for item in items]
