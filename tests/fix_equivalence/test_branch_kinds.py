"""A name bound to an async engine in one branch and a sync one in the other: the
fix awaits only where the async engine is the one reaching, proven on PostgreSQL."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from types import ModuleType

import pytest

from tests.fix_equivalence.programs import ASYNC_DRIVER, ProgramRunner

BRANCHES = textwrap.dedent(
    """
    import asyncio
    import os

    from sqlalchemy import create_engine, text
    from sqlalchemy.ext.asyncio import create_async_engine

    ASYNC_URL = os.environ["DATABASE_URL"]
    SYNC_URL = ASYNC_URL.replace("+asyncpg", "+psycopg2")


    async def ping(use_async: bool) -> None:
        if use_async:
            engine = create_async_engine(ASYNC_URL)
            async with engine.connect() as conn:
                print("async", (await conn.execute(text("select 1"))).scalar())
            engine.dispose()  # missing await: the fix adds it
        else:
            engine = create_engine(SYNC_URL)
            with engine.connect() as conn:
                print("sync", conn.execute(text("select 2")).scalar())
            engine.dispose()  # a sync engine here: no await
        print("pinged", type(engine).__name__)


    async def main() -> None:
        for use_async in (True, False):
            await ping(use_async)


    asyncio.run(main())
    """
).lstrip()


@pytest.fixture(scope="module")
def runner(postgres_server: ModuleType) -> Iterator[ProgramRunner]:
    runner = ProgramRunner(postgres_server, workers=2)
    yield runner
    runner.close()


def test_each_branch_keeps_its_own_engine_kind(runner: ProgramRunner) -> None:
    fixed = runner.fix(BRANCHES, unsafe=False)
    assert fixed.applied == {"ALC202"}
    assert fixed.source.count("await engine.dispose()") == 1
    runs = runner.run({"before": BRANCHES, "after": fixed.source}, ASYNC_DRIVER)
    before, after = runs["before"], runs["after"]
    assert before.returncode == 0, before.describe()
    assert before.stdout == "async 1\npinged AsyncEngine\nsync 2\npinged Engine\n"
    assert "coroutine 'AsyncEngine.dispose' was never awaited" in before.stderr
    assert after.returncode == 0, after.describe()
    assert after.stdout == before.stdout
    assert "Warning" not in after.stderr, after.stderr
