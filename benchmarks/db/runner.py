"""The command line every database benchmark shares, and its async timer."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

from benchmarks.db.database import scratch_database, server_origin
from benchmarks.db.report import Report, environment
from benchmarks.timing import Timing, progress

T = TypeVar("T")


@dataclass(frozen=True)
class Options:
    """What the user asked for on the command line."""

    quick: bool
    repeat: int
    command: str


Benchmark = Callable[[URL, Options], Awaitable[Report]]


def main(module: str, description: str, benchmark: Benchmark, argv: Sequence[str] | None) -> int:
    """Parse the options, run `benchmark` in a scratch database, print its report."""
    parser = argparse.ArgumentParser(prog=f"python -m {module}", description=description)
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes and one repeat: a smoke test"
    )
    parser.add_argument("--repeat", type=int, help="timed repeats per measurement (default 3)")
    args = parser.parse_args(argv)
    command = " ".join(["python -m", module, *(["--quick"] if args.quick else [])])
    if args.repeat is not None:
        command += f" --repeat {args.repeat}"
    options = Options(
        quick=args.quick, repeat=args.repeat or (1 if args.quick else 3), command=command
    )
    prefix = "bench_" + module.rsplit(".", 1)[-1]
    started = time.perf_counter()
    with scratch_database(prefix) as url:
        report = asyncio.run(_run(benchmark, url, options))
    progress(f"{module}: {time.perf_counter() - started:.0f} s")
    sys.stdout.write(report.markdown())
    return 0


async def _run(benchmark: Benchmark, url: URL, options: Options) -> Report:
    # Taken first, so that the load average shows what else ran before this run.
    lines = environment(await _server_version(url), server_origin())
    report = await benchmark(url, options)
    report.environment = lines
    return report


async def _server_version(url: URL) -> str:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return str(await connection.scalar(text("SHOW server_version")))
    finally:
        await engine.dispose()


async def measure(
    action: Callable[[], Awaitable[T]],
    repeats: int,
    label: str = "",
    reset: Callable[[], Awaitable[object]] | None = None,
) -> tuple[Timing, T]:
    """Await `action` `repeats` times (at least once); return the timings and its result.

    `reset`, when given, runs before each repeat off the clock (a TRUNCATE, say),
    so every repeat starts from the same state.
    """
    seconds, result = await _once(action, reset)
    samples = [seconds]
    for _ in range(1, repeats):
        seconds, result = await _once(action, reset)
        samples.append(seconds)
    if label:
        progress(f"  {label}: " + ", ".join(f"{sample:.3f}" for sample in samples) + " s")
    return Timing(tuple(samples)), result


async def _once(
    action: Callable[[], Awaitable[T]], reset: Callable[[], Awaitable[object]] | None
) -> tuple[float, T]:
    if reset is not None:
        await reset()
    # Garbage of the previous repeat must not be collected on this one's clock.
    gc.collect()
    start = time.perf_counter()
    result = await action()
    return time.perf_counter() - start, result
