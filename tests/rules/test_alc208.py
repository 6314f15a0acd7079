"""ALC208 blocking-call-in-session: when a session counts as open."""

from __future__ import annotations

from sqla_checks.rules.alc208_blocking_call_in_session import BlockingCallInSession
from tests.rules.lint import finding_lines


def test_session_assigned_from_a_factory_is_open_from_there_on() -> None:
    assert finding_lines(
        BlockingCallInSession,
        """
        import time
        from sqlalchemy.ext.asyncio import async_sessionmaker

        Factory = async_sessionmaker(engine)

        async def job():
            time.sleep(1)
            session = Factory()
            time.sleep(1)
            await session.close()
        """,
    ) == [10]


def test_builtin_open_subprocess_and_urlopen() -> None:
    assert finding_lines(
        BlockingCallInSession,
        """
        import subprocess
        from urllib.request import urlopen
        from sqlalchemy.ext.asyncio import AsyncSession

        async def job(session: AsyncSession):
            with open("data.csv") as fh:
                pass
            subprocess.run(["pg_dump"])
            urlopen("https://example.com")
        """,
    ) == [7, 9, 10]


def test_async_clients_and_shadowed_open_are_quiet() -> None:
    assert not finding_lines(
        BlockingCallInSession,
        """
        import httpx
        from aiofiles import open
        from sqlalchemy.ext.asyncio import AsyncSession

        async def job(session: AsyncSession):
            async with httpx.AsyncClient() as client:
                await client.get("https://example.com")
            async with open("data.csv") as fh:
                pass
        """,
    )


def test_sync_session_is_not_this_rules_business() -> None:
    assert not finding_lines(
        BlockingCallInSession,
        """
        import time
        from sqlalchemy.orm import Session

        async def job(session: Session):
            time.sleep(1)
        """,
    )


def test_nested_async_function_has_its_own_scope() -> None:
    assert finding_lines(
        BlockingCallInSession,
        """
        import time
        from sqlalchemy.ext.asyncio import AsyncSession

        async def outer(session: AsyncSession):
            async def inner():
                time.sleep(1)
            time.sleep(2)
        """,
    ) == [8]
