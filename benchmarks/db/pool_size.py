"""Pool size against throughput, under a bounded concurrent load on loopback.

    python -m benchmarks.db.pool_size           # about a minute on 2 cores
    python -m benchmarks.db.pool_size --quick   # tiny sizes, one repeat

A fixed number of requests, served by a fixed number of concurrent tasks, each
request one AsyncSession and one statement. Every run also has a time limit: past
it the tasks take no new request, so the script always stops by itself.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Identity, String, insert, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from benchmarks.db.report import Report, Table, count, ms, ratio
from benchmarks.db.runner import Options, main
from benchmarks.timing import progress

POOL_SIZES = (1, 2, 5, 10, 20)
REQUESTS = 2_000
QUICK_REQUESTS = 40
CONCURRENCY = 50
QUICK_CONCURRENCY = 10
TIME_LIMIT_S = 30.0
QUICK_TIME_LIMIT_S = 10.0
# A request that waits longer than this for a connection fails (and is counted).
POOL_TIMEOUT_S = 10.0
SERVER_WAIT_S = 0.005


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


Operation = Callable[[AsyncSession, int], Awaitable[None]]


async def server_wait(session: AsyncSession, n: int) -> None:
    # Stands for a query that keeps its connection busy while the server works
    # (or waits on a lock or the disk): the client's CPU is idle meanwhile.
    await session.execute(text("SELECT pg_sleep(:seconds)"), {"seconds": SERVER_WAIT_S})


async def primary_key_lookup(session: AsyncSession, n: int) -> None:
    # Almost no server time: what it costs is the client's and server's CPU.
    await session.scalar(select(Item).where(Item.id == n % 1_000 + 1))


WORKLOADS = (
    (f"a {SERVER_WAIT_S * 1000:.0f} ms server-side wait (SELECT pg_sleep)", server_wait),
    ("a primary-key lookup (ORM select, no server-side wait)", primary_key_lookup),
)


@dataclass(frozen=True)
class LoadRun:
    """What one bounded load run achieved."""

    done: int
    failed: int
    seconds: float
    latencies: tuple[float, ...]

    @property
    def throughput(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def load(
    factory: async_sessionmaker[AsyncSession],
    operation: Operation,
    requests: int,
    concurrency: int,
    time_limit: float,
) -> LoadRun:
    """Serve `requests` requests with `concurrency` tasks, stopping at `time_limit`."""
    pending: Iterator[int] = iter(range(requests))  # shared: each request is taken once
    latencies: list[float] = []
    failed = 0
    start = time.perf_counter()
    deadline = start + time_limit

    async def worker() -> None:
        nonlocal failed
        for n in pending:
            if time.perf_counter() > deadline:
                return
            began = time.perf_counter()
            try:
                # Latency includes the wait for a pooled connection.
                async with factory() as session:
                    await operation(session, n)
            except PoolTimeout:
                failed += 1
                continue
            latencies.append(time.perf_counter() - began)

    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())
    return LoadRun(len(latencies), failed, time.perf_counter() - start, tuple(latencies))


async def run(url: URL, options: Options) -> Report:
    requests = QUICK_REQUESTS if options.quick else REQUESTS
    concurrency = QUICK_CONCURRENCY if options.quick else CONCURRENCY
    time_limit = QUICK_TIME_LIMIT_S if options.quick else TIME_LIMIT_S
    setup = create_async_engine(url)
    async with setup.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
        await connection.execute(insert(Item), [{"name": f"item {n}"} for n in range(1_000)])
    await setup.dispose()

    report = Report(
        title="Pool size against throughput (benchmarks/db/pool_size.py)",
        command=options.command,
        settings=[
            f"{requests:,} requests served by {concurrency} concurrent tasks, time limit "
            f"{time_limit:.0f} s a run; each request opens an AsyncSession, runs one "
            f"statement and closes it; max_overflow=0, pool_timeout={POOL_TIMEOUT_S:.0f} s; "
            f"{options.repeat} run(s) per cell, the run with the median time shown; "
            "latency includes the wait for a connection",
        ],
    )
    for caption, operation in WORKLOADS:
        table = Table(
            (
                "pool_size",
                "requests done",
                "failed",
                "seconds",
                "requests/s",
                "p50 ms",
                "p95 ms",
                "requests/s x pool_size=1",
            ),
            "lrrrrrrr",
        )
        base = 0.0
        for size in POOL_SIZES:
            engine = create_async_engine(
                url, pool_size=size, max_overflow=0, pool_timeout=POOL_TIMEOUT_S
            )
            factory = async_sessionmaker(engine, expire_on_commit=False)
            try:
                # Warm: open every pooled connection before the clock starts.
                await load(factory, operation, size * 4, size, time_limit)
                runs = [
                    await load(factory, operation, requests, concurrency, time_limit)
                    for _ in range(max(options.repeat, 1))
                ]
            finally:
                await engine.dispose()
            shown = sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]
            progress(f"  {caption}, pool_size={size}: {shown.throughput:,.0f} requests/s")
            base = base or shown.throughput
            table.add(
                str(size),
                count(shown.done),
                count(shown.failed),
                f"{shown.seconds:.2f}",
                count(shown.throughput),
                ms(shown.percentile(0.5)),
                ms(shown.percentile(0.95)),
                ratio(shown.throughput, base),
            )
        report.add_table(f"Each request runs {caption}:", table)
    return report


def cli(argv: Sequence[str] | None = None) -> int:
    return main("benchmarks.db.pool_size", __doc__.split("\n\n")[0], run, argv)


if __name__ == "__main__":
    sys.exit(cli())
