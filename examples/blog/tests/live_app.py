"""The app as production runs it, for the tests of faults, races and hostile load.

The other tests bind every session to one rolled-back connection, which hides
the pool. Here the app gets its own engine from its lifespan, with the pool
settings a test chooses, on a migrated database of its own (`live_database_url`
in conftest.py, emptied after each test). An `Observer` on a separate connection
watches and disturbs the app's backends through `pg_stat_activity`: each app
runs under a unique `application_name`, so nothing else is ever counted or killed.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr
from sqlalchemy import func, select, text
from sqlalchemy import table as table_named
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool, QueuePool

from app.config import Settings
from app.db.session import Database
from app.main import create_app

APP_TABLES = ("comments", "post_tags", "posts", "tags", "users")


@dataclass(frozen=True)
class LiveApp:
    """A started app, a client calling it in-process, and what it was started with."""

    app: FastAPI
    client: AsyncClient
    settings: Settings

    @property
    def pool(self) -> QueuePool:
        """The app's connection pool (AsyncAdaptedQueuePool is a QueuePool)."""
        database = self.app.state.database
        assert isinstance(database, Database)
        pool = database.engine.pool
        assert isinstance(pool, QueuePool)
        return pool


@asynccontextmanager
async def running_app(database_url: URL, **overrides: Any) -> AsyncIterator[LiveApp]:
    """Start the app through its lifespan with `overrides` on top of its settings."""
    settings = Settings(
        database_url=SecretStr(database_url.render_as_string(hide_password=False)),
        app_name=f"blog-live-{uuid.uuid4().hex[:10]}",
        **overrides,
    )
    app = create_app(settings)
    # raise_app_exceptions=False: a 500 comes back as a response to assert on.
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        yield LiveApp(app=app, client=client, settings=settings)


@dataclass(frozen=True)
class Backend:
    """One server process of an app's pool, as pg_stat_activity shows it."""

    pid: int
    state: str | None
    wait_event_type: str | None


class Observer:
    """Looks at, locks for and kills the app's backends, from its own connections."""

    def __init__(self, database_url: URL) -> None:
        # NullPool: the observer keeps no connection that could be counted or killed.
        self.engine: AsyncEngine = create_async_engine(database_url, poolclass=NullPool)

    async def dispose(self) -> None:
        """Close the observer's engine."""
        await self.engine.dispose()

    async def backends(self, application_name: str) -> list[Backend]:
        """The server processes connected under `application_name`."""
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT pid, state, wait_event_type FROM pg_stat_activity "
                    "WHERE application_name = :name AND datname = current_database()"
                ),
                {"name": application_name},
            )
            return [Backend(pid, state, wait) for pid, state, wait in rows]

    async def terminate(self, application_name: str) -> int:
        """Kill every backend of `application_name` (pg_terminate_backend); how many."""
        async with self.engine.connect() as connection:
            killed = await connection.scalar(
                text(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                    "FROM pg_stat_activity "
                    "WHERE application_name = :name AND datname = current_database()"
                ),
                {"name": application_name},
            )
            return int(killed or 0)

    @asynccontextmanager
    async def table_locked(self, table: str) -> AsyncIterator[None]:
        """Hold an ACCESS EXCLUSIVE lock on `table`: every query on it waits."""
        assert table in APP_TABLES
        async with self.engine.connect() as connection:
            transaction = await connection.begin()
            await connection.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
            try:
                yield
            finally:
                await transaction.rollback()

    async def count(self, table: str) -> int:
        """Committed rows in `table`."""
        async with self.engine.connect() as connection:
            found = await connection.scalar(select(func.count()).select_from(table_named(table)))
            return int(found or 0)

    async def empty_tables(self) -> None:
        """Remove every row the app committed."""
        async with self.engine.begin() as connection:
            await connection.execute(
                text(f"TRUNCATE {', '.join(APP_TABLES)} RESTART IDENTITY CASCADE")
            )


async def eventually(
    condition: Callable[[], Awaitable[bool]], *, within: float = 5.0, what: str = ""
) -> None:
    """Wait until `condition()` is true; fail after `within` seconds.

    For what the server does on its own schedule: a killed backend leaving
    pg_stat_activity, a request reaching its lock wait.
    """
    deadline = time.monotonic() + within
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within} s: {what}")
        await asyncio.sleep(0.02)
