"""The Alembic history is linear, reversible and matches the models.

The first four tests are pytest-alembic's built-ins under names that say what
they guarantee. Each migration test gets an empty database of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from alembic.config import Config
from pytest_alembic import tests as alembic_tests
from sqlalchemy import inspect, pool, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tests import postgres_server
from tests.conftest import BLOG_DIR, make_alembic_config, run_alembic

APP_TABLES = {"users", "tags", "posts", "post_tags", "comments"}

test_migration_history_has_a_single_head = alembic_tests.test_single_head_revision
test_migrations_upgrade_an_empty_database_to_head = alembic_tests.test_upgrade
test_migrated_schema_matches_the_models = alembic_tests.test_model_definitions_match_ddl
test_every_migration_downgrades_cleanly_and_upgrades_again = alembic_tests.test_up_down_consistency


@pytest.fixture
def empty_database() -> Iterator[URL]:
    """A new database with no tables, dropped after the test."""
    url = postgres_server.create_database("blog_migrations")
    yield url
    postgres_server.drop_database(url)


@pytest.fixture
def alembic_config() -> Config:
    """pytest-alembic runs the project's own alembic.ini and env.py."""
    return make_alembic_config()


@pytest.fixture
def alembic_engine(empty_database: URL) -> AsyncEngine:
    """pytest-alembic drives an async engine with asyncio.run and passes env.py a
    sync connection through config.attributes["connection"]."""
    return create_async_engine(empty_database, poolclass=pool.NullPool)


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _comment_indexes(connection: Connection) -> set[str]:
    return {index["name"] or "" for index in inspect(connection).get_indexes("comments")}


async def test_downgrade_to_base_and_upgrade_again_from_a_running_event_loop(
    empty_database: URL,
) -> None:
    engine = create_async_engine(empty_database, poolclass=pool.NullPool)

    async def migrate(action: str, revision: str) -> None:
        # connect(), not begin(): Alembic commits each migration itself.
        async with engine.connect() as connection:
            await connection.run_sync(run_alembic, action, revision)

    async def tables() -> set[str]:
        async with engine.connect() as connection:
            return await connection.run_sync(_tables)

    try:
        await migrate("upgrade", "head")
        assert await tables() >= APP_TABLES

        await migrate("downgrade", "base")
        assert await tables() == {"alembic_version"}

        await migrate("upgrade", "head")
        assert await tables() == APP_TABLES | {"alembic_version"}
    finally:
        await engine.dispose()


async def test_0002_swaps_the_comment_indexes_outside_a_transaction(
    empty_database: URL,
) -> None:
    engine = create_async_engine(empty_database, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_alembic, "upgrade", "0001")
            before = await connection.run_sync(_comment_indexes)
            await connection.rollback()  # inspecting began a transaction

            await connection.run_sync(run_alembic, "upgrade", "0002")
            after = await connection.run_sync(_comment_indexes)
            await connection.rollback()

            await connection.run_sync(run_alembic, "downgrade", "0001")
            assert await connection.run_sync(_comment_indexes) == before
    finally:
        await engine.dispose()

    assert "ix_comments_post_id" in before
    assert after == before - {"ix_comments_post_id"} | {"ix_comments_post_id_created_at_id"}


def _index_state(connection: Connection, name: str) -> tuple[bool, str] | None:
    """(valid, definition) of index `name`, or None if there is none."""
    row = connection.execute(
        text(
            "SELECT indisvalid, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indexrelid = to_regclass(:name)"
        ),
        {"name": name},
    ).one_or_none()
    return None if row is None else (row[0], row[1])


async def test_0002_rebuilds_an_invalid_index_left_by_a_failed_concurrent_build(
    empty_database: URL,
) -> None:
    name = "ix_comments_post_id_created_at_id"
    engine = create_async_engine(empty_database, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_alembic, "upgrade", "0001")
            await connection.execute(
                text(
                    "WITH u AS (INSERT INTO users (email, display_name) VALUES ('a@b.cd', 'A') "
                    "RETURNING id), p AS (INSERT INTO posts (author_id, title, body) "
                    "SELECT id, 'T', 'B' FROM u RETURNING id, author_id) "
                    "INSERT INTO comments (post_id, author_id, body) "
                    "SELECT id, author_id, 'C' FROM p, generate_series(1, 2)"
                )
            )
            await connection.commit()
        # A build of that name that fails half-way (duplicate post_ids for a
        # UNIQUE index) leaves it behind, INVALID, as a cancelled build would.
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            with pytest.raises(IntegrityError):
                await autocommit.execute(
                    text(f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON comments (post_id)")
                )
            left = await autocommit.run_sync(_index_state, name)
        assert left is not None
        assert left[0] is False

        async with engine.connect() as connection:
            await connection.run_sync(run_alembic, "upgrade", "0002")
            state = await connection.run_sync(_index_state, name)
    finally:
        await engine.dispose()

    assert state is not None
    valid, definition = state
    assert valid
    assert definition.endswith("USING btree (post_id, created_at, id)")


async def test_migrating_on_a_connection_inside_a_transaction_is_refused(
    empty_database: URL,
) -> None:
    engine = create_async_engine(empty_database, poolclass=pool.NullPool)
    try:
        async with engine.begin() as connection:
            with pytest.raises(RuntimeError, match="no transaction begun"):
                await connection.run_sync(run_alembic, "upgrade", "head")
    finally:
        await engine.dispose()


def test_alembic_cli_upgrades_checks_and_downgrades_using_database_url(empty_database: URL) -> None:
    env = {**os.environ, "DATABASE_URL": empty_database.render_as_string(hide_password=False)}

    def alembic(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "alembic", *args],
            cwd=BLOG_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    for args in (
        ["upgrade", "head"],
        ["check"],
        ["downgrade", "base"],
        ["upgrade", "head", "--sql"],
    ):
        result = alembic(*args)
        assert result.returncode == 0, f"alembic {' '.join(args)}:\n{result.stderr}"
    assert "CREATE TABLE users" in result.stdout
