"""Fixtures: a migrated PostgreSQL database per test session, a rolled-back
transaction per test, and an HTTP client talking to the app in-process.

Isolation works like this: each test checks out one connection and begins a
transaction on it. Every session the test or the app opens is bound to that
connection with join_transaction_mode="create_savepoint", so a service's
`commit()` only releases a SAVEPOINT. At the end of the test the outer transaction
is rolled back and the database is empty again, however much the app committed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from app.api.deps import get_session_factory
from app.config import Settings
from app.db.session import create_engine
from app.main import create_app
from tests import postgres_server
from tests.live_app import Observer
from tests.query_budget import QueryLog, count_queries

BLOG_DIR = Path(__file__).resolve().parent.parent


def make_alembic_config() -> Config:
    """The project's alembic.ini, usable from any working directory."""
    return Config(str(BLOG_DIR / "alembic.ini"))


def run_alembic(connection: Connection, action: str, revision: str) -> None:
    """Run `alembic upgrade|downgrade <revision>` on a connection we already hold.

    Called through `AsyncConnection.run_sync`, so it can run inside the test's
    event loop; env.py picks the connection up from `config.attributes`. The
    connection must have no transaction begun: Alembic commits each migration, and
    a migration's `autocommit_block()` (CREATE INDEX CONCURRENTLY) commits before
    running its statements outside any transaction.
    """
    config = make_alembic_config()
    config.attributes["connection"] = connection
    getattr(command, action)(config, revision)


def settings_for(url: URL) -> Settings:
    """App settings pointing at `url`."""
    return Settings(database_url=SecretStr(url.render_as_string(hide_password=False)))


@pytest.fixture(scope="session")
def database_url() -> Iterator[URL]:
    """A fresh database for this test run, dropped at the end."""
    url = postgres_server.create_database("blog_test")
    yield url
    postgres_server.drop_database(url)


@pytest.fixture(scope="session")
def settings(database_url: URL) -> Settings:
    """Settings of the app under test."""
    return settings_for(database_url)


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The app's own engine factory, on a database migrated to head by Alembic.

    Migrating (rather than `metadata.create_all`) tests the schema that production
    gets; test_migrations.py checks that it matches the models.
    """
    engine = create_engine(settings)
    # connect(), not begin(): Alembic manages the transactions (see run_alembic).
    async with engine.connect() as connection:
        await connection.run_sync(run_alembic, "upgrade", "head")
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One connection per test, inside a transaction that is always rolled back."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


@pytest.fixture
def session_factory(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    """Sessions joined to the test's transaction; their commits become SAVEPOINTs."""
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
async def db(session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session for arranging data and checking results, apart from the app's."""
    async with session_factory() as session:
        yield session


@pytest.fixture
def app(settings: Settings, session_factory: async_sessionmaker[AsyncSession]) -> FastAPI:
    """The app, with each request getting its own session on the test's connection.

    A new session per request, as in production: sharing one session between the
    test and the app would let its identity map hide missing eager loads.
    """
    app = create_app(settings)
    app.dependency_overrides[get_session_factory] = lambda: session_factory
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """An HTTP client calling the app in-process (no server, same event loop)."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client


@pytest.fixture
def queries(engine: AsyncEngine) -> Callable[[], AbstractContextManager[QueryLog]]:
    """`with queries() as log:` counts the statements executed inside the block."""
    return lambda: count_queries(engine)


@pytest.fixture(scope="session")
async def live_database() -> AsyncIterator[URL]:
    """A second migrated database, for tests that run the app with its own pool."""
    url = postgres_server.create_database("blog_live")
    engine = create_engine(settings_for(url))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_alembic, "upgrade", "head")
    finally:
        await engine.dispose()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture
async def observer(live_database: URL) -> AsyncIterator[Observer]:
    """Watches the live database; empties it after the test, whatever the app committed."""
    observer = Observer(live_database)
    try:
        yield observer
        await observer.empty_tables()
    finally:
        await observer.dispose()
