"""ALC201 sync-in-async: one finding per call site, and what must stay quiet."""

from __future__ import annotations

from sqla_checks.rules.alc201_sync_in_async import SyncInAsync
from tests.rules.lint import finding_lines


def test_same_module_dependency_yielding_a_sync_session() -> None:
    assert finding_lines(
        SyncInAsync,
        """
        from fastapi import Depends
        from sqlalchemy.orm import sessionmaker

        SessionLocal = sessionmaker(bind=engine)

        def get_db():
            db = SessionLocal()
            try:
                yield db
            finally:
                db.close()

        async def read(db=Depends(get_db)):
            return db.execute(stmt).scalars().all()
        """,
    ) == [15]


def test_a_query_chain_is_one_finding() -> None:
    assert finding_lines(
        SyncInAsync,
        """
        from sqlalchemy.orm import Session

        async def first(db: Session):
            return db.query(User).filter(User.id == 1).order_by(User.id).first()
        """,
    ) == [5]


def test_each_distinct_call_site_is_reported() -> None:
    assert finding_lines(
        SyncInAsync,
        """
        from sqlalchemy.orm import Session

        async def save(engine, user):
            with Session(engine) as session:
                session.add(user)
                session.commit()
        """,
    ) == [5, 7]


def test_schema_calls_with_a_sync_engine_in_async_code() -> None:
    assert finding_lines(
        SyncInAsync,
        """
        from sqlalchemy import create_engine, inspect

        engine = create_engine("postgresql+psycopg://h/db")

        async def startup():
            Base.metadata.create_all(bind=engine)
            return inspect(engine).get_table_names()
        """,
    ) == [7, 8]


def test_annotated_class_attribute() -> None:
    assert finding_lines(
        SyncInAsync,
        """
        from sqlalchemy.orm import Session

        class Repo:
            db: Session

            async def all(self):
                return self.db.scalars(stmt).all()
        """,
    ) == [8]


def test_threadpool_background_and_lambda_handoffs_are_quiet() -> None:
    assert not finding_lines(
        SyncInAsync,
        """
        from fastapi import BackgroundTasks
        from fastapi.concurrency import run_in_threadpool
        from sqlalchemy.orm import Session

        async def route(db: Session, tasks: BackgroundTasks):
            users = await run_in_threadpool(crud.list_users, db)
            tasks.add_task(crud.audit, db)
            loop.run_in_executor(None, lambda: crud.touch(db))
            return users
        """,
    )


def test_async_session_and_sync_code_are_quiet() -> None:
    assert not finding_lines(
        SyncInAsync,
        """
        from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
        from sqlalchemy.orm import Session

        engine = create_async_engine("postgresql+asyncpg://h/db")

        async def read(session: AsyncSession):
            async with engine.connect() as conn:
                await conn.execute(stmt)
            return await session.scalars(stmt)

        def sync_read(db: Session):
            return db.query(User).all()
        """,
    )


def test_a_parameter_or_local_shadows_a_module_level_engine() -> None:
    assert finding_lines(
        SyncInAsync,
        """
        from sqlalchemy import create_engine

        engine = create_engine("postgresql+psycopg://h/db")

        async def check(engine):
            async with engine.connect() as conn:
                await conn.execute(stmt)

        async def other():
            engine = make_async_engine()
            async with engine.begin() as conn:
                pass

        async def uses_module_engine():
            with engine.connect() as conn:
                pass
        """,
    ) == [16]


def test_annotated_dependency_parameter() -> None:
    assert finding_lines(
        SyncInAsync,
        """
        from typing import Annotated

        from fastapi import Depends
        from sqlalchemy.orm import Session

        from app.db import get_db

        DbSession = Annotated[Session, Depends(get_db)]

        async def one(db: Annotated[Session, Depends(get_db)]):
            return db.get(User, 1)

        async def two(db: DbSession):
            db.commit()
        """,
    ) == [12, 15]


# sqladmin 0.20's `_prepare_select_options`: one parameter annotated `sessionmaker`
# holds either kind of factory, and each branch uses it the way its kind allows.
_EITHER_FACTORY = """
    import anyio
    from sqlalchemy import select
    from sqlalchemy.orm import sessionmaker

    async def options(session_maker: sessionmaker, is_async: bool):
        stmt = select(User)
        if is_async:
            async with session_maker() as session:
                rows = await session.execute(stmt)
        else:
            with session_maker() as session:
                rows = await anyio.to_thread.run_sync(session.execute, stmt)
        return rows
"""


def test_what_async_with_enters_is_not_sync_whatever_the_annotation() -> None:
    # Only the sync branch's `with session_maker()` is reported (line 12): the
    # `async with` one, and the awaited `execute` of what it bound, are asyncio.
    assert finding_lines(SyncInAsync, _EITHER_FACTORY) == [12]


def test_a_sync_session_entered_with_plain_with_is_still_reported() -> None:
    # The look-alike: without `async with`, the same factory's session does sync I/O.
    source = _EITHER_FACTORY.replace(
        "async with session_maker() as session:\n                rows = await",
        "with session_maker() as session:\n                rows =",
    )
    assert finding_lines(SyncInAsync, source) == [9, 10, 12]
