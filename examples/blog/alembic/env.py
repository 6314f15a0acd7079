"""Alembic environment: runs migrations through the app's async engine setup.

Three ways in:
- `alembic upgrade head` from a shell: the URL comes from the app settings
  (DATABASE_URL), and an async engine runs the migrations through `run_sync`.
- A caller that already holds a connection (the tests, a start-up hook) puts a
  *sync* `Connection` in `config.attributes["connection"]`, obtained inside
  `AsyncConnection.run_sync`. It must not be in a transaction: Alembic commits
  each migration itself, and a migration with `autocommit_block()` (CREATE INDEX
  CONCURRENTLY, 0002) has to end the transaction before its statements run.
- pytest-alembic puts its `AsyncEngine` there instead; it is used, not disposed.
- `alembic upgrade head --sql` (offline) renders the SQL without connecting.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import app.models  # noqa: F401  (registers every table on Base.metadata)
from app.config import Settings
from app.db.base import Base

config = context.config
target_metadata = Base.metadata

# Configure logging from alembic.ini only on the command line: a caller that passes
# its own connection (pytest, the app) owns the logging setup.
if config.config_file_name is not None and "connection" not in config.attributes:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run_migrations_offline() -> None:
    """Emit the migration SQL to stdout instead of running it."""
    context.configure(
        url=Settings().sqlalchemy_url,
        target_metadata=target_metadata,
        compare_type=True,
        transaction_per_migration=True,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    """Run the migrations on a sync connection (from `run_sync` or a caller)."""
    if connection.in_transaction():
        # Alembic would run inside it and could not commit before an
        # autocommit_block(); fail clearly instead of halfway through a migration.
        raise RuntimeError(
            "pass a connection with no transaction begun (engine.connect(), not "
            "engine.begin()): Alembic commits each migration itself"
        )
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # Column type changes (VARCHAR(100) -> VARCHAR(200)) are part of the diff;
        # True is the default since Alembic 1.12, spelled out for older versions.
        compare_type=True,
        # One transaction per migration file, as Alembic recommends once a
        # migration uses autocommit_block(): that block commits what ran before it,
        # which is then this migration's work only, and a failure later rolls back
        # just the migration that failed.
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations(engine: AsyncEngine) -> None:
    """Check out one connection and migrate through it with `run_sync`."""
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)


async def run_migrations_from_settings() -> None:
    """Migrate the database named by the app settings (DATABASE_URL)."""
    # NullPool: a one-shot command has nothing to gain from keeping connections.
    engine = create_async_engine(Settings().sqlalchemy_url, poolclass=pool.NullPool)
    try:
        await run_async_migrations(engine)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    """Migrate on what the caller passed in, else on the settings' database."""
    connectable = config.attributes.get("connection")
    if connectable is None:
        asyncio.run(run_migrations_from_settings())
    elif isinstance(connectable, Connection):
        do_run_migrations(connectable)
    elif isinstance(connectable, AsyncEngine):
        # pytest-alembic hands over its engine and calls us outside any event loop.
        asyncio.run(run_async_migrations(connectable))
    else:
        raise TypeError(
            "config.attributes['connection'] must be a sync Connection (from inside "
            f"AsyncConnection.run_sync) or an AsyncEngine, not {type(connectable).__name__}"
        )


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
