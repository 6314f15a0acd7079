"""ALC203 beyond its examples: which awaits are legal, and the connection methods."""

from __future__ import annotations

import textwrap

import pytest

from sqla_checks.rules.alc203_await_on_sync_method import AwaitOnSyncMethod
from tests.rules.lint import lint

HEADER = """\
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

engine = create_async_engine("postgresql+asyncpg://app@localhost/blog")


async def f(session: AsyncSession, obj: object) -> object:
"""


def _run(line: str, fix: bool = False) -> tuple[list[int], str | None]:
    source = HEADER + textwrap.indent(line, "    ") + "\n"
    result = lint(AwaitOnSyncMethod, source, fix=fix, unsafe=fix, dedent=False)
    fixed = result.fixed_source.decode()[len(HEADER) :].strip() if result.fixed_source else None
    return [f.start.line for f in result.findings], fixed


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("await session.add_all([obj])", "session.add_all([obj])"),
        ("await session.expire(obj)", "session.expire(obj)"),
        ("tx = await session.get_transaction()", "tx = session.get_transaction()"),
        ("await session.expunge(obj)", "session.expunge(obj)"),
        ("return await session.is_modified(obj)", "return session.is_modified(obj)"),
        (
            "return -await  session.in_nested_transaction()",
            "return -session.in_nested_transaction()",
        ),
        (
            "async with engine.connect() as conn:\n    return await conn.in_transaction()",
            "async with engine.connect() as conn:\n        return conn.in_transaction()",
        ),
    ],
)
def test_await_is_removed(line: str, expected: str) -> None:
    assert _run(line, fix=True)[1] == expected


@pytest.mark.parametrize(
    "line",
    [
        "await session.begin()",
        "await session.begin_nested()",
        "await session.commit()",
        "await session.get(obj, 1)",
        "await obj.add(1)",
        "async with engine.connect() as conn:\n    await conn.begin()",
    ],
)
def test_legal_awaits_are_not_flagged(line: str) -> None:
    assert _run(line)[0] == []
