"""What the blog's migrations and the references say PostgreSQL does: locks taken by
index builds, CONCURRENTLY outside transactions, INVALID indexes, unindexed foreign
keys and the transaction clock. Run on the test server through psycopg2."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, InternalError, OperationalError

TABLES = ("claim_locked", "claim_unique", "claim_child", "claim_parent")


@pytest.fixture
def engine(sync_url: str) -> Iterator[Engine]:
    engine = create_engine(sync_url)
    with engine.begin() as connection:
        for table in TABLES:
            connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
        connection.execute(text("CREATE TABLE claim_locked (id int, v int)"))
    yield engine
    with engine.begin() as connection:
        for table in TABLES:
            connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    engine.dispose()


def _table_locks(connection: Connection, pid: int, table: str) -> set[str]:
    rows = connection.execute(
        text(
            "SELECT mode FROM pg_locks WHERE pid = :pid AND granted"
            " AND relation = CAST(:table AS regclass)"
        ),
        {"pid": pid, "table": table},
    )
    return set(rows.scalars())


@contextmanager
def _impatient(engine: Engine) -> Iterator[Connection]:
    """An autocommit connection that gives up on a lock after 200 ms."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("SET lock_timeout = '200ms'"))
        yield connection


@pytest.mark.claim("pg-index-lock-levels")
def test_plain_index_ddl_locks_out_writers_and_concurrent_builds_let_them_through(
    engine: Engine,
) -> None:
    with engine.connect() as connection, _impatient(engine) as other:
        pid = connection.scalar(text("SELECT pg_backend_pid()"))
        assert isinstance(pid, int)
        connection.execute(text("CREATE INDEX claim_ix ON claim_locked (v)"))
        assert "ShareLock" in _table_locks(connection, pid, "claim_locked")
        assert other.scalar(text("SELECT count(*) FROM claim_locked")) == 0  # reads pass
        with pytest.raises(OperationalError, match="lock timeout"):
            other.execute(text("INSERT INTO claim_locked VALUES (0, 0)"))
        connection.commit()
        connection.execute(text("DROP INDEX claim_ix"))
        assert "AccessExclusiveLock" in _table_locks(connection, pid, "claim_locked")
        with pytest.raises(OperationalError, match="lock timeout"):
            other.execute(text("SELECT count(*) FROM claim_locked"))
        connection.rollback()

    writer = engine.connect()  # an older transaction the concurrent build waits for
    writer.execute(text("INSERT INTO claim_locked VALUES (1, 1)"))
    builder = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    builder_pid = builder.scalar(text("SELECT pg_backend_pid()"))
    build = threading.Thread(
        target=builder.execute,
        args=(text("CREATE INDEX CONCURRENTLY claim_cix ON claim_locked (v)"),),
    )
    try:
        build.start()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as observer:
            deadline = time.monotonic() + 10
            while "ShareUpdateExclusiveLock" not in _table_locks(
                observer, builder_pid, "claim_locked"
            ):
                assert time.monotonic() < deadline, "the concurrent build never started"
                time.sleep(0.05)
            assert build.is_alive()  # waiting for the writer's transaction to end
            observer.execute(text("SET lock_timeout = '2s'"))
            observer.execute(text("INSERT INTO claim_locked VALUES (2, 2)"))  # not blocked
            assert observer.scalar(text("SELECT count(*) FROM claim_locked")) == 1
    finally:
        writer.commit()
        build.join(timeout=30)
        writer.close()
        builder.close()
    assert not build.is_alive()


@pytest.mark.claim("pg-concurrently-outside-transactions")
def test_concurrent_index_builds_refuse_a_transaction_block(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))  # the transaction has begun
        with pytest.raises(InternalError, match="cannot run inside a transaction block"):
            connection.execute(text("CREATE INDEX CONCURRENTLY claim_tx ON claim_locked (v)"))


@pytest.mark.claim("pg-failed-concurrent-build-leaves-invalid-index")
def test_a_failed_concurrent_build_leaves_an_invalid_index_if_not_exists_skips(
    engine: Engine,
) -> None:
    build = "CREATE UNIQUE INDEX CONCURRENTLY {} claim_ux ON claim_unique (v)"
    validity = text("SELECT indisvalid FROM pg_index WHERE indexrelid = 'claim_ux'::regclass")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("CREATE TABLE claim_unique (v int)"))
        connection.execute(text("INSERT INTO claim_unique VALUES (1), (1)"))
        with pytest.raises(IntegrityError):
            connection.execute(text(build.format("")))
        assert connection.scalar(validity) is False
        connection.execute(text(build.format("IF NOT EXISTS")))  # "already exists, skipping"
        assert connection.scalar(validity) is False
        connection.execute(text("DROP INDEX CONCURRENTLY claim_ux"))


@pytest.mark.claim("pg-foreign-keys-are-not-indexed")
def test_a_foreign_key_gets_no_index_of_its_own(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE claim_parent (id int PRIMARY KEY)"))
        connection.execute(text("CREATE TABLE claim_child (parent_id int REFERENCES claim_parent)"))
        indexes = connection.scalar(
            text("SELECT count(*) FROM pg_index WHERE indrelid = 'claim_child'::regclass")
        )
    assert indexes == 0


@pytest.mark.claim("postgres-now-is-transaction-start")
def test_now_is_the_start_of_the_transaction(engine: Engine) -> None:
    clocks = text("SELECT now(), clock_timestamp()")
    with engine.connect() as connection:
        first_now, first_clock = connection.execute(clocks).one()
        connection.execute(text("SELECT pg_sleep(0.05)"))
        second_now, second_clock = connection.execute(clocks).one()
        connection.commit()
        third_now, _ = connection.execute(clocks).one()
    assert first_now == second_now
    assert second_clock > first_clock
    assert third_now > first_now


@pytest.mark.claim("pg15-public-schema-no-create")
def test_a_fresh_database_grants_public_only_usage_on_schema_public(engine: Engine) -> None:
    # The claims database is new (a copy of template1), as an application's would be.
    # PUBLIC is grantee 0 in an ACL; PostgreSQL 15 stopped granting it CREATE here.
    public_grants = text(
        "SELECT privilege_type FROM pg_namespace, aclexplode(nspacl)"
        " WHERE nspname = 'public' AND grantee = 0"
    )
    with engine.connect() as connection:
        version = connection.scalar(text("SELECT current_setting('server_version_num')::int"))
        granted = set(connection.execute(public_grants).scalars())
    assert isinstance(version, int)
    assert granted == ({"USAGE"} if version >= 150000 else {"USAGE", "CREATE"})
