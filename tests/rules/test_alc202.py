"""ALC202 beyond its examples: where the `await` may go, and what is left alone."""

from __future__ import annotations

import textwrap

import pytest

from sqla_checks.rules.alc202_missing_await import MissingAwait
from tests.rules.lint import fixed_code, lint

HEADER = """\
import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

engine = create_async_engine("postgresql+asyncpg://app@localhost/blog")


"""


def _check(body: str) -> list[tuple[int, bool]]:
    result = lint(MissingAwait, HEADER + textwrap.dedent(body), dedent=False)
    offset = HEADER.count("\n")
    return [(f.start.line - offset, f.fix is not None) for f in result.findings]


def _fixed(body: str) -> str:
    fixed = fixed_code(MissingAwait, HEADER + textwrap.dedent(body), unsafe=True, dedent=False)
    assert fixed is not None
    return fixed[len(HEADER) :]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("total += session.scalar(stmt)", "total += await session.scalar(stmt)"),
        (
            "print(session.scalar(stmt), n=session.get(A, 1))",
            "print(await session.scalar(stmt), n=await session.get(A, 1))",
        ),
        ("a, b = session.execute(stmt)", "a, b = await session.execute(stmt)"),
        ("x = (session.execute(stmt)).all()", "x = (await session.execute(stmt)).all()"),
        ("row = session.execute(stmt)[0]", "row = (await session.execute(stmt))[0]"),
        ("x = await (session.execute(stmt).one())", "x = ((await session.execute(stmt)).one())"),
        ("conn = session.connection()", "conn = await session.connection()"),
    ],
)
def test_await_is_added_where_it_parses_and_means_the_same(line: str, expected: str) -> None:
    body = f"async def f(session: AsyncSession, stmt):\n    total = 0\n    {line}\n"
    assert (
        _fixed(body)
        == f"async def f(session: AsyncSession, stmt):\n    total = 0\n    {expected}\n"
    )


def test_stream_is_awaited_before_async_iteration() -> None:
    body = """
    async def f(session: AsyncSession, stmt):
        async for row in session.stream(stmt):
            print(row)
    """
    assert "async for row in await session.stream(stmt):" in _fixed(body)


def test_engine_connection_methods_are_coroutines_too() -> None:
    body = """
    async def f(stmt):
        async with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(stmt)
        engine.dispose()
    """
    assert _check(body) == [(4, True), (5, True), (6, True)]


@pytest.mark.parametrize(
    "expression",
    [
        "session.scalar(stmt) + 1",
        'f"{session.scalar(stmt)}"',
        "session.scalar(stmt) if stmt else None",
    ],
)
def test_other_places_are_reported_without_a_fix(expression: str) -> None:
    body = f"async def f(session: AsyncSession, stmt):\n    x = {expression}\n"
    assert _check(body) == [(2, False)]


def test_misplaced_await_on_a_stream_chain_has_no_fix() -> None:
    # `AsyncResult.all()` is itself a coroutine: the right code keeps both awaits.
    body = """
    async def f(session: AsyncSession, stmt):
        return await session.stream(stmt).all()
    """
    assert _check(body) == [(3, False)]


def test_misplaced_await_fix_keeps_parentheses() -> None:
    body = """
    async def f(session: AsyncSession, stmt):
        return len(await session.scalars(stmt).all())
    """
    assert "return len((await session.scalars(stmt)).all())" in _fixed(body)


def test_sync_code_is_reported_without_a_fix() -> None:
    body = """
    async def f(session: AsyncSession, stmt):
        def inner():
            session.commit()
        callback = lambda: session.execute(stmt).scalars()
        return inner, callback
    """
    assert _check(body) == [(4, False), (5, False)]


@pytest.mark.parametrize(
    "body",
    [
        # scheduled, gathered, collected
        "tasks = [session.get(A, i) for i in ids]\n    await asyncio.gather(*tasks)",
        "await asyncio.gather(session.get(A, 1), session.get(A, 2))",
        "pending = []\n    pending.append(session.flush())",
        "jobs = {'a': session.scalar(stmt)}",
        "t = asyncio.ensure_future(session.commit())\n    await t",
        "await asyncio.shield(session.close())",
        # awaited later or through a helper
        "coro = session.commit()\n    await asyncio.wait_for(coro, 5)",
        "coro = session.commit()\n    await coro",
        "await with_retry(session.commit())",
        # context managers
        "async with session.begin():\n        pass",
        "async with engine.connect() as c:\n"
        "        async with c.stream(stmt) as rows:\n"
        "            pass",
        # AsyncConnection.stream is a plain method returning an async context manager:
        # an `await` added here would hand back an already closed result.
        "async with engine.connect() as c:\n        rows = c.stream(stmt)\n"
        "        async with rows as result:\n            pass",
        # look-alikes
        "session.info.get('x')",
        "client.get('/')\n    cache.delete('x')\n    db.commit()",
    ],
)
def test_intentional_or_unknown_calls_are_not_flagged(body: str) -> None:
    assert (
        _check(f"async def f(session: AsyncSession, stmt, ids, client, cache, db):\n    {body}\n")
        == []
    )


def test_coroutine_factories_in_sync_code_are_not_flagged() -> None:
    body = """
    def commit_later(session: AsyncSession):
        return session.commit()
    """
    assert _check(body) == []


def test_module_level_code_is_not_flagged() -> None:
    assert _check("session: AsyncSession = make()\nsession.commit()\n") == []


def test_fix_is_idempotent_on_a_whole_function() -> None:
    body = """
    async def f(session: AsyncSession, stmt):
        result = session.execute(stmt)
        rows = result.scalars().all()
        session.add(rows[0])
        session.flush()
        session.refresh(rows[0])
        return session.get(A, 1)
    """
    fixed = _fixed(body)
    assert fixed.count("await ") == 4
    again = lint(MissingAwait, HEADER + fixed, dedent=False)
    assert again.findings == []
