"""What the ALC2xx rule docs say about SQLAlchemy's asyncio extension, shown on the
installed version with asyncpg and a real PostgreSQL."""

from __future__ import annotations

import gc
import importlib.metadata
import inspect
import json
import subprocess
import sys
import threading
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import MetaData, String, Table, create_engine, event, select, text
from sqlalchemy.exc import (
    InvalidRequestError,
    MissingGreenlet,
    NoInspectionAvailable,
    NoSuchModuleError,
)
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_scoped_session,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import AsyncAdaptedQueuePool, Pool, QueuePool

from sqla_checks.engine.registry import all_rules
from tests.claims.versions import SQLALCHEMY_2_1
from tests.rules.lint import fixed_code, lint

# The engine fixture lives on the session's loop (the repo default for fixtures).
on_session_loop = pytest.mark.asyncio(loop_scope="session")


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "claim_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50))


@pytest.fixture
async def engine(async_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(async_url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.run_sync(Base.metadata.create_all)
    yield engine
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
    await engine.dispose()


SESSION_COROUTINES = (
    "execute",
    "scalars",
    "scalar",
    "get",
    "get_one",
    "commit",
    "rollback",
    "flush",
    "refresh",
    "delete",
    "merge",
    "close",
    "stream",
)
CONNECTION_COROUTINES = ("execute", "scalars", "scalar", "commit", "rollback", "close", "run_sync")


@pytest.mark.claim("alc202-coroutine-methods")
def test_the_listed_methods_are_coroutine_functions() -> None:
    for name in SESSION_COROUTINES:
        assert inspect.iscoroutinefunction(getattr(AsyncSession, name)), name
        assert inspect.iscoroutinefunction(getattr(async_scoped_session, name)), name
    assert inspect.iscoroutinefunction(AsyncSession.run_sync)
    assert not hasattr(async_scoped_session, "run_sync")
    for name in CONNECTION_COROUTINES:
        assert inspect.iscoroutinefunction(getattr(AsyncConnection, name)), name
    assert inspect.iscoroutinefunction(AsyncEngine.dispose)


@pytest.mark.claim("alc202-connection-stream-is-a-context")
@on_session_loop
async def test_connection_stream_is_an_async_context_manager(engine: AsyncEngine) -> None:
    assert not inspect.iscoroutinefunction(AsyncConnection.stream)
    statement = text("SELECT generate_series(1, 3)")
    async with engine.connect() as connection, connection.stream(statement) as result:
        assert [row[0] async for row in result] == [1, 2, 3]


@pytest.mark.claim("alc202-unawaited-does-nothing")
@on_session_loop
async def test_an_unawaited_call_sends_nothing_and_warns(engine: AsyncEngine) -> None:
    sent: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    async with AsyncSession(engine) as session:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pending = session.execute(text("SELECT 1"))
            assert inspect.iscoroutine(pending)
            del pending
            gc.collect()
    assert sent == []
    assert any("was never awaited" in str(warning.message) for warning in caught)


@pytest.mark.claim("alc203-sync-methods")
@on_session_loop
async def test_in_memory_methods_are_plain_and_awaiting_them_raises(
    engine: AsyncEngine,
) -> None:
    for name in ("add", "add_all", "expunge", "expire", "in_transaction"):
        assert not inspect.iscoroutinefunction(getattr(AsyncSession, name)), name
    async with AsyncSession(engine) as session:
        note = Note(id=1, title="a")
        with pytest.raises(TypeError, match="can't be used in 'await' expression"):
            await session.add(note)  # type: ignore[func-returns-value]
        assert note in session  # add() ran before the await failed


@pytest.mark.claim("alc203-get-transaction-is-not-awaitable")
@on_session_loop
async def test_awaiting_get_transaction_always_fails(engine: AsyncEngine) -> None:
    async with AsyncSession(engine) as session:
        assert session.get_transaction() is None
        with pytest.raises(TypeError):
            await session.get_transaction()  # type: ignore[misc]
        # Held: SQLAlchemy 2.0.36 cannot rebuild the proxy of an unreferenced transaction.
        transaction = await session.begin()
        assert session.get_transaction() is transaction
        with pytest.raises(InvalidRequestError):
            await session.get_transaction()  # type: ignore[misc]


@pytest.mark.claim("session-add-inserts-at-next-flush")
@on_session_loop
async def test_add_sends_nothing_until_a_flush_or_the_autoflush_of_a_query(
    engine: AsyncEngine,
) -> None:
    sent: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    async with AsyncSession(engine) as session:
        session.add(Note(id=1, title="a"))
        assert sent == []
        await session.flush()
        assert [s.split()[0] for s in sent] == ["INSERT"]
        session.add(Note(id=2, title="b"))
        count = await session.scalar(select(sqlalchemy.func.count()).select_from(Note))
        assert count == 2  # the autoflush sent the INSERT before the SELECT
        assert [s.split()[0] for s in sent] == ["INSERT", "INSERT", "SELECT"]
        session.add(Note(id=3, title="c"))
        await session.commit()
        assert [s.split()[0] for s in sent][-1] == "INSERT"


@pytest.mark.claim("alc204-sync-driver-urls-fail")
def test_async_engine_rejects_sync_driver_urls(sync_url: str) -> None:
    with pytest.raises(InvalidRequestError, match="requires an async driver"):
        create_async_engine(sync_url)
    postgres = "postgres" + sync_url.removeprefix("postgresql+psycopg2")
    with pytest.raises(NoSuchModuleError, match="postgres"):
        create_async_engine(postgres)


@pytest.mark.claim("bare-postgresql-url-driver")
def test_bare_postgresql_url_means_psycopg2_on_2_0_and_psycopg_on_2_1(sync_url: str) -> None:
    bare = "postgresql" + sync_url.removeprefix("postgresql+psycopg2")
    try:
        import psycopg  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        psycopg_installed = False
    else:
        psycopg_installed = True
    if SQLALCHEMY_2_1:
        if psycopg_installed:
            dialect = create_async_engine(bare).dialect
            assert (dialect.driver, dialect.is_async) == ("psycopg", True)
        else:
            with pytest.raises(ModuleNotFoundError, match="psycopg"):
                create_async_engine(bare)
            with pytest.raises(ModuleNotFoundError, match="psycopg"):
                create_engine(bare)
    else:
        assert create_engine(bare).dialect.driver == "psycopg2"
        with pytest.raises(InvalidRequestError, match="'psycopg2' is not async"):
            create_async_engine(bare)


@pytest.mark.claim("alc205-both-factories-make-async-sessions")
def test_both_factories_make_async_sessions(sync_url: str) -> None:
    assert async_sessionmaker().class_ is AsyncSession
    legacy = sessionmaker(class_=AsyncSession, expire_on_commit=False)()  # type: ignore[call-overload]
    modern = async_sessionmaker(expire_on_commit=False)()
    assert isinstance(legacy, AsyncSession) and isinstance(modern, AsyncSession)
    assert type(modern) is AsyncSession
    assert type(legacy) is not AsyncSession  # a private subclass
    assert legacy.sync_session.expire_on_commit is modern.sync_session.expire_on_commit is False


@pytest.mark.claim("alc205-same-arguments")
@on_session_loop
async def test_async_sessionmaker_passes_session_arguments_and_begins_with_async_with(
    engine: AsyncEngine,
) -> None:
    factory = async_sessionmaker(
        engine, autoflush=False, expire_on_commit=False, info={"role": "claims"}
    )
    session = factory()
    assert type(session) is AsyncSession
    assert session.bind is engine
    assert session.sync_session.autoflush is False
    assert session.sync_session.expire_on_commit is False
    assert session.info == {"role": "claims"}
    await session.close()
    async with factory.begin() as begun:
        begun.add(Note(id=1, title="committed by begin()"))
    async with factory() as reader:
        assert (await reader.get_one(Note, 1)).title == "committed by begin()"


@pytest.mark.claim("alc205-sessionmaker-only-methods")
def test_object_session_and_identity_key_are_sessionmaker_only() -> None:
    for name in ("object_session", "identity_key"):
        assert hasattr(sessionmaker, name)
        assert not hasattr(async_sessionmaker, name)


@pytest.mark.claim("alc206-expire-on-commit-default")
def test_expire_on_commit_defaults_to_true_everywhere() -> None:
    assert Session().expire_on_commit is True
    assert sessionmaker()().expire_on_commit is True
    assert AsyncSession().sync_session.expire_on_commit is True
    assert async_sessionmaker()().sync_session.expire_on_commit is True


@pytest.mark.claim("alc206-missing-greenlet-after-commit")
@on_session_loop
async def test_reading_an_attribute_after_commit_raises_missing_greenlet(
    engine: AsyncEngine,
) -> None:
    async with AsyncSession(engine) as session:
        note = Note(id=1, title="a")
        session.add(note)
        await session.commit()
        with pytest.raises(MissingGreenlet, match="greenlet_spawn has not been called"):
            note.title  # noqa: B018
    async with AsyncSession(engine, expire_on_commit=False) as session:
        kept = Note(id=2, title="b")
        session.add(kept)
        await session.commit()
        assert kept.title == "b"


@pytest.mark.claim("alc207-async-engine-schema-apis")
@on_session_loop
async def test_schema_apis_refuse_async_engines(engine: AsyncEngine) -> None:
    with pytest.raises(AttributeError, match="_run_ddl_visitor"):
        Base.metadata.create_all(engine)  # type: ignore[arg-type]
    with pytest.raises(NoInspectionAvailable, match="AsyncEngine") as raised:
        sqlalchemy.inspect(engine)
    assert raised.value.code == "xd3s"
    with pytest.raises(NoInspectionAvailable):
        MetaData().reflect(engine)  # type: ignore[arg-type]
    with pytest.raises(NoInspectionAvailable):
        Table("claim_notes", MetaData(), autoload_with=engine)
    async with engine.connect() as connection:
        with pytest.raises(NoInspectionAvailable):
            sqlalchemy.inspect(connection)
        names = await connection.run_sync(lambda c: sqlalchemy.inspect(c).get_table_names())
    assert "claim_notes" in names


@pytest.mark.claim("alc202-coroutine-has-no-scalars")
@on_session_loop
async def test_using_an_unawaited_result_fails_with_an_attribute_error(
    engine: AsyncEngine,
) -> None:
    async with AsyncSession(engine) as session:
        pending: Any = session.execute(select(Note))
        try:
            with pytest.raises(AttributeError, match="'coroutine' object has no attribute"):
                pending.scalars()
        finally:
            pending.close()  # no "never awaited" warning from this test


@pytest.mark.claim("alc203-awaiting-begin-is-legal")
@on_session_loop
async def test_awaiting_begin_and_begin_nested_starts_the_transactions(
    engine: AsyncEngine,
) -> None:
    async with AsyncSession(engine) as session:
        outer = await session.begin()
        assert session.in_transaction() and outer.is_active
        nested = await session.begin_nested()
        assert session.in_nested_transaction() and nested.is_active
        await nested.rollback()
        await outer.commit()
        assert not session.in_transaction()


URL_REST = "//app:s%40cret@db.example:5433/blog?ssl=require"
URL_TEMPLATE = (
    "from sqlalchemy.ext.asyncio import create_async_engine\n\n"
    'engine = create_async_engine("{url}")\n'
)


@pytest.mark.claim("alc204-fix-safety")
@pytest.mark.parametrize(
    ("scheme", "safe"),
    [("postgresql+psycopg2:", True), ("postgresql+pg8000:", True), ("postgres:", True),
     ("postgresql:", False)],
)  # fmt: skip
def test_the_url_fix_changes_only_the_scheme_and_is_safe_where_no_async_engine_could_run(
    scheme: str, safe: bool
) -> None:
    (rule,) = [r for r in all_rules() if r.code == "ALC204"]
    source = URL_TEMPLATE.format(url=scheme + URL_REST)
    fixed = URL_TEMPLATE.format(url="postgresql+asyncpg:" + URL_REST)
    assert fixed_code(rule, source, unsafe=True, dedent=False) == fixed
    assert fixed_code(rule, source, dedent=False) == (fixed if safe else None)
    if safe:  # the original URL cannot make an async engine: no working program changes
        with pytest.raises((InvalidRequestError, NoSuchModuleError, ImportError)):
            create_async_engine(scheme + URL_REST)


@pytest.mark.claim("alc204-fix-safety")
@pytest.mark.parametrize("url", ["sqlite:///blog.db", "mysql+pymysql://app@db/blog"])
def test_urls_of_other_databases_are_reported_without_a_fix(url: str) -> None:
    (rule,) = [r for r in all_rules() if r.code == "ALC204"]
    (finding,) = lint(rule, URL_TEMPLATE.format(url=url), dedent=False).findings
    assert finding.fix is None


@pytest.mark.claim("alc206-sync-session-reloads")
@on_session_loop
async def test_a_sync_session_reloads_an_expired_object_on_the_next_read(
    engine: AsyncEngine, sync_url: str
) -> None:
    sync_engine = create_engine(sync_url)
    sent: list[str] = []
    event.listen(sync_engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    try:
        with Session(sync_engine) as session:
            note = Note(id=1, title="a")
            session.add(note)
            session.commit()
            sent.clear()
            assert note.title == "a"
            assert [s.split()[0] for s in sent] == ["SELECT"]
    finally:
        sync_engine.dispose()


@pytest.mark.claim("alc206-kept-values-until-refresh")
@on_session_loop
async def test_without_expiry_objects_keep_their_values_until_refreshed(
    engine: AsyncEngine,
) -> None:
    async with AsyncSession(engine, expire_on_commit=False) as session:
        note = Note(id=1, title="a")
        session.add(note)
        await session.commit()
        async with engine.begin() as other:  # a concurrent writer
            await other.execute(text("UPDATE claim_notes SET title = 'b' WHERE id = 1"))
        assert note.title == "a"
        await session.refresh(note)
        assert note.title == "b"


@pytest.mark.claim("alc208-idle-in-transaction")
@on_session_loop
async def test_a_session_open_across_a_blocking_call_holds_its_connection_and_locks(
    engine: AsyncEngine, sync_url: str
) -> None:
    seen: dict[str, object] = {}

    def observe(pid: int) -> None:
        observer = create_engine(sync_url)
        try:
            with observer.connect() as connection:
                seen["state"] = connection.scalar(
                    text("SELECT state FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
                )
                seen["locks"] = connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_locks WHERE pid = :pid"
                        " AND relation = 'claim_notes'::regclass"
                    ),
                    {"pid": pid},
                )
        finally:
            observer.dispose()

    async with AsyncSession(engine) as session:
        await session.scalars(select(Note))
        pid = await session.scalar(text("SELECT pg_backend_pid()"))
        assert engine.pool.checkedout() == 1  # type: ignore[attr-defined]
        watcher = threading.Thread(target=observe, args=(pid,))
        watcher.start()
        watcher.join()  # a blocking call: the loop waits, the session stays open
    assert seen["state"] == "idle in transaction"
    assert isinstance(seen["locks"], int) and seen["locks"] >= 1


BLOCKING_CALLS = {
    "time.sleep(1)": "ASYNC251",
    'requests.get("https://example.com")': "ASYNC210",
    'httpx.post("https://example.com")': "ASYNC210",
    'urllib.request.urlopen("https://example.com")': "ASYNC210",
    'subprocess.run(["true"])': "ASYNC221",
    'open("notes.txt")': "ASYNC230",
    'pathlib.Path("notes.txt").read_text()': "ASYNC240",
}


@pytest.mark.claim("alc208-ruff-async-rules")
def test_ruff_flags_the_blocking_calls_in_any_async_function(tmp_path: Path) -> None:
    imports = "import pathlib\nimport subprocess\nimport time\nimport urllib.request\n\n"
    imports += "import httpx\nimport requests\n\n\nasync def handler() -> None:\n"
    source = imports + "".join(f"    {call}\n" for call in BLOCKING_CALLS)
    (tmp_path / "handler.py").write_text(source)
    completed = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select",
         "ASYNC", "--output-format", "json", "handler.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    first_call_line = imports.count("\n") + 1
    found = {item["location"]["row"]: item["code"] for item in json.loads(completed.stdout)}
    expected = {first_call_line + i: code for i, code in enumerate(BLOCKING_CALLS.values())}
    assert found == expected


@pytest.mark.claim("session-close-rolls-back")
@on_session_loop
async def test_closing_a_session_rolls_back_and_returns_the_connection(
    engine: AsyncEngine,
) -> None:
    rollbacks: list[object] = []
    event.listen(engine.sync_engine, "rollback", rollbacks.append)
    session = AsyncSession(engine)
    session.add(Note(id=1, title="uncommitted"))
    await session.flush()
    assert engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    await session.close()
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert len(rollbacks) == 1
    async with AsyncSession(engine) as reader:
        assert await reader.get(Note, 1) is None


# Run in a fresh interpreter where importing greenlet fails, as it does when SQLAlchemy
# was installed without the asyncio extra (2.1 no longer depends on greenlet otherwise).
WITHOUT_GREENLET = """
import asyncio, sys
sys.modules["greenlet"] = None
try:
    from sqlalchemy.ext.asyncio import create_async_engine
except ImportError as error:
    sys.exit(f"import: {type(error).__name__}: {error}")

async def connect() -> None:
    async with create_async_engine(sys.argv[1]).connect():
        pass

try:
    asyncio.run(connect())
except Exception as error:
    sys.exit(f"connect: {type(error).__name__}: {error}")
"""


@pytest.mark.claim("asyncio-extra-installs-greenlet")
def test_without_greenlet_the_asyncio_extension_fails_early(async_url: str) -> None:
    requirements = importlib.metadata.requires("sqlalchemy") or []
    unconditional = [r for r in requirements if r.startswith("greenlet") and "extra ==" not in r]
    assert bool(unconditional) is not SQLALCHEMY_2_1  # 2.0: on common platforms, no extra
    completed = subprocess.run(
        [sys.executable, "-c", WITHOUT_GREENLET, async_url],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    if SQLALCHEMY_2_1:
        expected = "import: ImportError: The SQLAlchemy asyncio module requires that the"
        expected += " Python 'greenlet' library is installed"
    else:
        expected = "connect: ValueError: the greenlet library is required to use this function"
    assert completed.stderr.startswith(expected), completed.stderr


@pytest.mark.claim("async-engine-pool-defaults")
def test_an_async_engine_pools_five_plus_ten_with_the_documented_defaults(
    async_url: str,
) -> None:
    engine = create_async_engine(async_url)  # connects only on first use
    pool = engine.sync_engine.pool
    assert type(pool) is AsyncAdaptedQueuePool
    assert (pool.size(), pool.timeout()) == (5, 30.0)
    queue_defaults = inspect.signature(QueuePool.__init__).parameters
    pool_defaults = inspect.signature(Pool.__init__).parameters
    assert [queue_defaults[name].default for name in ("max_overflow", "use_lifo")] == [10, False]
    assert [pool_defaults[name].default for name in ("recycle", "pre_ping")] == [-1, False]


@pytest.mark.claim("isolation-read-committed-copy-shares-pool")
@on_session_loop
async def test_the_default_isolation_is_read_committed_and_a_copy_shares_the_pool(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        assert await connection.get_isolation_level() == "READ COMMITTED"
        setting = await connection.scalar(text("SHOW default_transaction_isolation"))
        assert setting == "read committed"
    serializable = engine.execution_options(isolation_level="SERIALIZABLE")
    assert serializable.sync_engine.pool is engine.sync_engine.pool
    async with serializable.connect() as connection:
        assert await connection.get_isolation_level() == "SERIALIZABLE"
