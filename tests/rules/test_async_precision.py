"""Precision of the async rules on what one file proves (issue 11).

Each false alarm found on real code stays silent, each real defect fires, and each
has a look-alike that keeps the old answer.
"""

from __future__ import annotations

import libcst as cst
import pytest

from sqla_checks.contract.rule import Rule
from sqla_checks.evidence.imports import ImportMap
from sqla_checks.rules.alc201_sync_in_async import SyncInAsync
from sqla_checks.rules.alc202_missing_await import MissingAwait
from sqla_checks.rules.alc203_await_on_sync_method import AwaitOnSyncMethod
from sqla_checks.rules.alc205_sessionmaker_async_class import SessionmakerAsyncClass
from sqla_checks.rules.alc206_expire_on_commit import ExpireOnCommit
from sqla_checks.rules.alc208_blocking_call_in_session import BlockingCallInSession
from tests.rules.lint import fixed_code, lint

ASYNC_RULES: list[type[Rule]] = [SyncInAsync, MissingAwait, AwaitOnSyncMethod]


def findings(code: str, rules: list[type[Rule]] = ASYNC_RULES) -> list[tuple[str, int]]:
    return [(f.code, f.start.line) for f in lint(rules, code).findings]


# -- `try`/`except ImportError` takes the `try` binding ---------------------------------
FALLBACK_IMPORT = """
    try:
        from sqlalchemy.ext.asyncio import async_sessionmaker
    except ImportError:
        from sqlalchemy.orm import sessionmaker as async_sessionmaker
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine("postgresql+asyncpg://app@db/blog")
    SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
"""


def test_a_fallback_import_reads_as_the_try_binding() -> None:
    module = cst.parse_module(FALLBACK_IMPORT.replace("\n    ", "\n"))
    resolved = ImportMap.of_module(module).resolve(cst.Name("async_sessionmaker"))
    assert resolved == "sqlalchemy.ext.asyncio.async_sessionmaker"


def test_a_factory_from_the_fallback_import_is_async() -> None:
    code = (
        FALLBACK_IMPORT
        + """
    async def handler(stmt):
        async with SessionLocal() as session:
            await session.execute(stmt)
            session.commit()
    """
    )
    # Was ALC201 on `SessionLocal()`; now the unawaited commit of an async session.
    assert findings(code) == [("ALC202", 14)]


def test_look_alike_a_plain_sync_import_is_still_sync() -> None:
    code = """
    from sqlalchemy.orm import sessionmaker

    SessionLocal = sessionmaker(bind=engine)

    async def handler(stmt):
        with SessionLocal() as session:
            session.execute(stmt)
    """
    assert findings(code) == [("ALC201", 7), ("ALC201", 8)]


# -- a union of sync and async types is unknown ------------------------------------------
@pytest.mark.parametrize(
    "annotation",
    [
        "Session | AsyncSession",
        "AsyncSession | Session",
        "Union[Session, AsyncSession]",
        "Optional[Union[Session, AsyncSession]]",
        "Session | AsyncSession | None",
        '"Session | AsyncSession"',
        "Annotated[Session | AsyncSession, Depends(get_db)]",
    ],
)
def test_a_union_of_sync_and_async_sessions_is_not_sync(annotation: str) -> None:
    code = f"""
    from typing import Annotated, Optional, Union

    from fastapi import Depends
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.orm import Session

    async def save(db: {annotation}, post, stmt):
        db.add(post)
        await db.execute(stmt)
        await db.commit()
        await db.refresh(post)
    """
    assert findings(code) == []


@pytest.mark.parametrize(
    "annotation", ["Session | None", "Optional[Session]", "Union[Session, None]", '"Session"']
)
def test_look_alike_an_optional_sync_session_is_sync(annotation: str) -> None:
    code = f"""
    from typing import Optional, Union

    from sqlalchemy.orm import Session

    async def save(db: {annotation}, stmt):
        db.execute(stmt)
    """
    assert findings(code) == [("ALC201", 7)]


def test_a_dependency_yielding_a_union_is_unknown() -> None:
    code = """
    from collections.abc import AsyncIterator

    from fastapi import Depends
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.orm import Session

    async def get_db() -> AsyncIterator[Session | AsyncSession]:
        yield make_session()

    async def read(stmt, db=Depends(get_db)):
        return db.execute(stmt)
    """
    assert findings(code) == []


# -- an awaited session coroutine proves an async session -------------------------------
def test_awaits_overrule_a_sync_annotation() -> None:
    code = """
    from sqlalchemy.orm import Session

    async def save(db: Session, post, stmt):
        db.add(post)
        rows = (await db.execute(stmt)).all()
        await db.commit()
        return rows
    """
    assert findings(code) == []


def test_a_sync_annotated_session_that_is_awaited_gets_missing_awaits() -> None:
    code = """
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.orm import Session

    async def save(db: Session, stmt):
        await db.execute(stmt)
        db.commit()
    """
    assert findings(code) == [("ALC202", 7)]
    # ALC202 and ALC203 run in every module with an `async def`, whether or not it
    # names an asyncio API (the session may come from another module).
    assert findings(code.replace("AsyncSession", "Session")) == [("ALC202", 7)]


def test_look_alike_awaits_do_not_overrule_a_constructor() -> None:
    code = """
    from sqlalchemy.orm import Session

    async def save(engine, stmt):
        with Session(engine) as db:
            await db.execute(stmt)
    """
    assert findings(code) == [("ALC201", 5), ("ALC201", 6)]


def test_await_on_a_plain_method_of_an_inferred_session() -> None:
    code = """
    from sqlalchemy.ext.asyncio import AsyncSession

    async def create(session, post):
        await session.add(post)
        await session.commit()
    """
    assert findings(code) == [("ALC203", 5)]
    assert fixed_code(AwaitOnSyncMethod, code) is not None
    assert "    session.add(post)\n" in (fixed_code(AwaitOnSyncMethod, code) or "")


def test_await_on_the_wrong_call_of_an_inferred_session() -> None:
    code = """
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import AsyncSession

    async def titles(session):
        await session.commit()
        return await session.execute(select(Post.title)).scalars().all()
    """
    assert findings(code) == [("ALC202", 7)]
    fixed = fixed_code(MissingAwait, code) or ""
    assert "return (await session.execute(select(Post.title))).scalars().all()" in fixed


def test_an_unawaited_coroutine_of_an_inferred_session() -> None:
    code = """
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import AsyncSession

    async def publish(session, post):
        await session.scalars(select(Post))
        post.published = True
        session.commit()
    """
    assert findings(code) == [("ALC202", 8)]


def test_the_inference_stays_in_its_function() -> None:
    code = """
    from sqlalchemy.ext.asyncio import AsyncSession

    async def first(session):
        await session.commit()

    async def second(session, post):
        await session.add(post)
    """
    assert findings(code) == []


@pytest.mark.parametrize(
    "body",
    [
        # asyncpg / aiosqlite: SQL strings are a driver's, not SQLAlchemy's.
        'await conn.execute("SELECT 1")\n        conn.commit()\n        await conn.add(post)',
        # httpx, caches: `get` and `delete` are everyone's coroutines.
        "await conn.get(post)\n        conn.get(post)\n        await conn.add(post)",
        # a method no AsyncSession has: a repository or a driver connection.
        "await conn.fetch(post)\n        await conn.commit()\n        await conn.add(post)",
        "await conn.save(post)\n        await conn.flush()\n        await conn.expunge(post)",
    ],
)
def test_look_alike_other_async_clients_are_not_sessions(body: str) -> None:
    code = f"""
    from sqlalchemy.ext.asyncio import AsyncSession

    async def work(conn, post):
        {body}
    """
    assert findings(code) == []


def test_no_inference_without_a_sqlalchemy_import() -> None:
    code = """
    async def create(cart, item):
        await cart.add(item)
        await cart.commit()
    """
    assert findings(code) == []


def test_an_inferred_session_does_not_open_a_blocking_scope() -> None:
    # ALC208 counts sessions opened from evidence it names; an inferred one is not.
    code = """
    import time

    from sqlalchemy.ext.asyncio import AsyncSession

    async def slow(session):
        await session.commit()
        time.sleep(1)
    """
    assert findings(code, [BlockingCallInSession]) == []


# -- handing a session over is not I/O ---------------------------------------------------
def test_handing_a_sync_session_to_a_container_or_function_is_quiet() -> None:
    code = """
    from sqlalchemy.orm import Session

    open_sessions: set[Session] = set()

    async def track(db: Session, registry, crud, user_id):
        open_sessions.add(db)
        registry.append(db)
        crud.get_user(db, user_id)
        audit(db)
        db.add(User())
    """
    assert findings(code) == []


def test_look_alike_io_on_the_handed_session_still_fires() -> None:
    code = """
    from sqlalchemy.orm import Session

    async def track(db: Session, registry, stmt):
        registry.append(db)
        db.execute(stmt)
        db.commit()
    """
    assert findings(code) == [("ALC201", 6), ("ALC201", 7)]


# -- messages fit the context ------------------------------------------------------------
ROUTES = """
from fastapi import APIRouter, FastAPI
from sqlalchemy.orm import Session

from app.api import shared_router

app = FastAPI()
router: APIRouter = APIRouter(prefix="/posts")


@app.get("/a")
async def on_app(db: Session, stmt):
    db.execute(stmt)


@router.post("/b")
async def on_router(db: Session, stmt):
    db.execute(stmt)


@router.api_route("/c", methods=["PUT"])
async def on_api_route(db: Session, stmt):
    db.execute(stmt)


async def not_a_route(db: Session, stmt):
    db.execute(stmt)


@shared_router.get("/d")
async def on_an_imported_router(db: Session, stmt):
    db.execute(stmt)


@app.on_event("startup")
async def startup(db: Session, stmt):
    db.execute(stmt)


@cache.get("/e")
async def cached(db: Session, stmt):
    db.execute(stmt)
"""


def test_the_threadpool_hint_only_in_fastapi_routes() -> None:
    result = lint(SyncInAsync, ROUTES, dedent=False)
    hints = {f.start.line: "threadpool" in f.message for f in result.findings}
    assert hints == {
        13: True,
        18: True,
        23: True,
        27: False,
        32: False,
        37: False,
        42: False,
    }
    for finding in result.findings:
        assert "AsyncSession" in finding.message


def test_a_route_handing_its_session_to_a_nested_def_gets_no_hint_there() -> None:
    code = """
    from fastapi import FastAPI
    from sqlalchemy.orm import Session

    app = FastAPI()

    @app.get("/")
    async def route(db: Session):
        async def inner(session: Session, stmt):
            session.execute(stmt)
        return inner
    """
    (finding,) = lint(SyncInAsync, code).findings
    assert finding.start.line == 10
    assert "threadpool" not in finding.message


def test_factory_rules_read_the_fallback_import_as_async_sessionmaker() -> None:
    imports = FALLBACK_IMPORT.split("    engine =")[0]
    code = (
        imports
        + """
    from sqlalchemy.ext.asyncio import AsyncSession

    Typed = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
    Expiring = async_sessionmaker(engine)
    """
    )
    assert findings(code, [SessionmakerAsyncClass, ExpireOnCommit]) == [("ALC206", 12)]


# -- found on real async applications (benchmarks/precision.py, the async set) ----------
def test_an_await_on_another_binding_of_the_name_proves_nothing() -> None:
    # agno's sandbox admission lock: an AsyncConnection in one branch, a sync one
    # (made in a thread) in the other; the lambda runs the sync one in the thread.
    code = """
    import asyncio

    from sqlalchemy import text

    async def admission(db, statement, asynchronous):
        if asynchronous:
            async with db.engine.begin() as connection:
                await connection.execute(statement)
        else:
            connection = await asyncio.to_thread(db.engine.connect)
            await asyncio.to_thread(lambda: connection.execute(statement).scalar())
    """
    assert findings(code) == []


def test_look_alike_an_await_on_the_only_binding_still_proves_it() -> None:
    code = """
    import asyncio

    from sqlalchemy import text

    async def admission(connection, statement):
        await connection.execute(statement)
        await asyncio.to_thread(lambda: connection.execute(statement).scalar())
    """
    assert findings(code) == [("ALC202", 8)]


def test_making_a_sync_session_is_not_io() -> None:
    # starlette-admin's middleware: the session is made on the loop (no I/O) and
    # every blocking call runs in a worker thread.
    code = """
    import anyio
    from sqlalchemy.orm import Session

    async def dispatch(request, call_next, bind):
        session: Session = Session(bind, expire_on_commit=False)
        try:
            request.state.session = session
            response = await call_next(request)
            await anyio.to_thread.run_sync(session.commit)
            return response
        finally:
            await anyio.to_thread.run_sync(session.close)
    """
    assert findings(code) == []


def test_look_alike_a_sync_session_entered_or_used_at_once_is_io() -> None:
    code = """
    from sqlalchemy.orm import Session, sessionmaker

    SessionLocal = sessionmaker()

    async def dispatch(request, bind, stmt):
        session = Session(bind)
        session.commit()
        with SessionLocal() as other:
            pass
        Session(bind).execute(stmt)
        kept = SessionLocal()
    """
    assert findings(code) == [("ALC201", 8), ("ALC201", 9), ("ALC201", 11)]


def test_a_factory_annotated_sessionmaker_making_an_async_session() -> None:
    # fastapi-sqla's pytest fixture: `sessionmaker(class_=AsyncSession)` handed in
    # as a `sessionmaker`; what it makes is annotated and awaited as AsyncSession.
    code = """
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.orm import sessionmaker

    async def async_session(async_session_factory: sessionmaker):
        session: AsyncSession = async_session_factory()
        yield session
        await session.close()
    """
    assert findings(code) == []


def test_look_alike_a_factory_annotated_sessionmaker_entered_with_with() -> None:
    code = """
    from sqlalchemy.orm import sessionmaker

    async def handler(factory: sessionmaker, stmt):
        with factory() as session:
            session.execute(stmt)
    """
    assert findings(code) == [("ALC201", 5), ("ALC201", 6)]
