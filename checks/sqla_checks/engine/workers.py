"""Worker processes: started only when there is work for them, given the work
largest first in chunks of even cost, and handed the project facts once.

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

import os
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from sqla_checks.evidence.project_facts import ProjectFacts

if TYPE_CHECKING:
    from concurrent.futures import Executor

T = TypeVar("T")
R = TypeVar("R")

# Chunks per worker: enough for the last ones to even out the load.
_CHUNKS_PER_WORKER = 8
# Starting worker processes (each imports libcst) costs about as much as checking a
# dozen small files, so smaller batches stay in process.
PARALLEL_MIN_ITEMS = 16


class Workers:
    """Up to `count` worker processes, started on the first batch worth them (never,
    when the cache answers nearly everything); shut down on leaving the `with`."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._pool: Executor | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown()

    def worth_it(self, items: int) -> bool:
        """Whether a batch of `items` goes to the workers."""
        return self.count > 1 and items >= PARALLEL_MIN_ITEMS

    def map(self, function: Callable[[T], R], items: Sequence[T], costs: Sequence[int]) -> list[R]:
        """`[function(item) for item in items]`, in the workers when `worth_it`."""
        if not self.worth_it(len(items)):
            return [function(item) for item in items]
        if self._pool is None:
            # Imported here: multiprocessing and its sockets cost a one-file run (an
            # editor's save hook) about a tenth of its start-up, for a pool it never
            # starts.
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=self.count)
        return balanced_map(self._pool, function, items, costs, self.count)


@dataclass(frozen=True)
class ShippedFacts:
    """The run's project facts on their way to a worker process: pickled once by the
    parent, unpickled once per worker (not once per chunk of tasks), so the index's
    lookup caches also last the whole run."""

    token: tuple[int, int]
    blob: bytes

    @classmethod
    def of(cls, project: ProjectFacts) -> ShippedFacts:
        return cls((os.getpid(), id(project)), pickle.dumps(project, pickle.HIGHEST_PROTOCOL))

    def facts(self) -> ProjectFacts:
        global _worker_project
        if _worker_project is None or _worker_project[0] != self.token:
            _worker_project = (self.token, pickle.loads(self.blob))
        return _worker_project[1]


# A worker process's project facts (one run's), by the token they were shipped with.
_worker_project: tuple[tuple[int, int], ProjectFacts] | None = None


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
