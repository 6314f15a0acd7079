"""Alembic environment: runs migrations through the app's async engine setup.

Three ways in:
- `alembic upgrade head` from a shell: the URL comes from the app settings
  (DATABASE_URL), and an async engine runs the migrations through `run_sync`.
- A caller that already holds a connection (the tests, pytest-alembic, a
  start-up hook) puts a *sync* `Connection` in `config.attributes["connection"]`,
  typically from inside `AsyncConnection.run_sync`; it is used as is.
- `alembic upgrade head --sql` (offline) renders the SQL without connecting.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import app.models  # noqa: F401  (registers every table on Base.metadata)
from app.config import Settings
from app.db.base import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """Emit the migration SQL to stdout instead of running it."""
    context.configure(
        url=Settings().sqlalchemy_url,
        target_metadata=target_metadata,
        compare_type=True,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    """Run the migrations on a sync connection (from `run_sync` or a caller)."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # Column type changes (VARCHAR(100) -> VARCHAR(200)) are part of the diff;
        # True is the default since Alembic 1.12, spelled out for older versions.
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    """Open one connection with the asyncpg driver and migrate through it."""
    # NullPool: a one-shot command has nothing to gain from keeping connections.
    engine = create_async_engine(Settings().sqlalchemy_url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    """Migrate on the caller's connection if given, else on a fresh one."""
    connection = config.attributes.get("connection")
    if connection is None:
        asyncio.run(run_async_migrations())
    elif isinstance(connection, Connection):
        do_run_migrations(connection)
    else:
        raise TypeError(
            "config.attributes['connection'] must be a sync Connection; from async code "
            "pass it through AsyncConnection.run_sync"
        )


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
