"""ALC207 sync-only-api-in-async: more forms, and the 2.1 errors it describes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from sqla_checks.rules.alc207_sync_only_api_in_async import SyncOnlyApiInAsync
from tests.rules.lint import finding_lines


def test_reflect_and_inspect_with_async_connection() -> None:
    assert finding_lines(
        SyncOnlyApiInAsync,
        """
        import sqlalchemy as sa
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine("postgresql+asyncpg://h/db")
        metadata = sa.MetaData()

        async def load():
            async with engine.connect() as conn:
                metadata.reflect(bind=conn)
                sa.inspect(conn)
        """,
    ) == [10, 11]


def test_unknown_engine_is_quiet() -> None:
    assert not finding_lines(
        SyncOnlyApiInAsync,
        """
        from sqlalchemy import inspect
        from app.db import engine

        async def tables():
            return inspect(engine).get_table_names()
        """,
    )


def test_installed_sqlalchemy_rejects_async_engines_as_documented() -> None:
    engine = create_async_engine("postgresql+asyncpg://app@127.0.0.1:1/none")
    metadata = sa.MetaData()
    sa.Table("t", metadata, sa.Column("id", sa.Integer, primary_key=True))
    with pytest.raises(AttributeError, match="_run_ddl_visitor"):
        metadata.create_all(engine)  # type: ignore[arg-type]
    with pytest.raises(sa.exc.NoInspectionAvailable, match="run_sync"):
        sa.inspect(engine)
    with pytest.raises(sa.exc.NoInspectionAvailable):
        metadata.reflect(engine)  # type: ignore[arg-type]
