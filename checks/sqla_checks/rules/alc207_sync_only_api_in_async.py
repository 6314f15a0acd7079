"""ALC207: sync-only SQLAlchemy APIs handed an AsyncEngine or AsyncConnection."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from sqla_checks.contract.rule import Bad, Good, Rule
from sqla_checks.evidence.sqlalchemy_api import METADATA_BIND_METHODS, Kind

_NOUNS: dict[Kind, str] = {
    Kind.ASYNC_ENGINE: "an AsyncEngine",
    Kind.ASYNC_CONNECTION: "an AsyncConnection",
}

_DDL_ERRORS = {
    "create_all": "AttributeError",
    "drop_all": "AttributeError",
    "reflect": "NoInspectionAvailable",
}
_DDL_MESSAGE = (
    "`{method}()` cannot use {noun} (it raises {error}): "
    "run it on the sync side, `async with engine.begin() as conn: "
    "await conn.run_sync(Base.metadata.{method})`"
)
_INSPECT_MESSAGE = (
    "`inspect()` of {noun} raises NoInspectionAvailable: inspect the sync connection "
    "inside `run_sync`, e.g. `await conn.run_sync(lambda c: inspect(c).get_table_names())`"
)
_AUTOLOAD_MESSAGE = (
    "`Table(..., autoload_with=...)` cannot reflect through {noun}: reflect inside "
    "`await conn.run_sync(lambda c: Table(name, metadata, autoload_with=c))`"
)


class SyncOnlyApiInAsync(Rule):
    """Flags schema APIs (`create_all`, `reflect`, `inspect()`, ...) given an async engine."""

    code = "ALC207"
    name = "sync-only-api-in-async"
    message = _DDL_MESSAGE.format(
        method="create_all", noun="an AsyncEngine", error="AttributeError"
    )
    why = """
Schema-level APIs (`MetaData.create_all`, `drop_all`, `reflect`, `inspect()`, table
reflection through `autoload_with=`) are synchronous and need a sync `Engine` or
`Connection`. The asyncio extension does not wrap them; it offers
`AsyncConnection.run_sync()`, which calls a function with the sync `Connection`
underneath, inside the greenlet bridge, so the driver stays async. Passing the
`AsyncEngine` itself fails at run time. On SQLAlchemy 2.0 and 2.1:
`metadata.create_all(async_engine)` raises `AttributeError: 'AsyncEngine' object has
no attribute '_run_ddl_visitor'`, and `inspect(async_engine)`, `metadata.reflect(...)`
and `autoload_with=async_engine` raise `NoInspectionAvailable: Inspection on an
AsyncEngine is currently not supported` (error code `xd3s`); an `AsyncConnection` gets
the same treatment
[claim: alc207-async-engine-schema-apis].
"""
    example = """\
from app.models import Base
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine("postgresql+asyncpg://app@db/blog")


async def init_models() -> None:
    Base.metadata.create_all(engine)"""
    use_instead = """\
from app.db.base import Base
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine("postgresql+asyncpg://app@db/blog")


async def init_models() -> None:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)"""
    blind_spots = """
The engine or connection must be known from evidence: assigned from
`create_async_engine()`, annotated `AsyncEngine`/`AsyncConnection`, or bound by
`async with engine.connect()/begin() as conn`. An engine imported from another module
is not recognised, nor one annotated with a union of sync and async types
(`Engine | AsyncEngine`). A sync engine used the same way inside `async def` is ALC201's
finding (it works, but blocks the event loop).
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/orm/extensions/asyncio.html#using-the-inspector-to-inspect-schema-objects",
        "https://docs.sqlalchemy.org/en/20/orm/extensions/asyncio.html#sqlalchemy.ext.asyncio.AsyncConnection.run_sync",
        "https://docs.sqlalchemy.org/en/20/errors.html#error-xd3s",
    )
    triggers = ("create_all", "drop_all", "reflect", "inspect", "autoload_with")

    @classmethod
    def applies_to_text(cls, text: str) -> bool:
        """`inspect` is a stdlib module too: every match needs a SQLAlchemy import."""
        return "sqlalchemy" in text and super().applies_to_text(text)

    examples = (
        Bad(
            """
            from sqlalchemy.ext.asyncio import create_async_engine

            from app.models import Base

            engine = create_async_engine("postgresql+asyncpg://app@localhost/blog")

            async def init_models() -> None:
                Base.metadata.create_all(engine)
            """,
            line=8,
            column=5,
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import create_async_engine

            from app.models import Base

            engine = create_async_engine("postgresql+asyncpg://app@localhost/blog")

            async def reset() -> None:
                async with engine.begin() as conn:
                    Base.metadata.drop_all(bind=conn)
            """,
            line=9,
            column=9,
        ),
        Bad(
            """
            from sqlalchemy import inspect
            from sqlalchemy.ext.asyncio import AsyncEngine

            async def tables(engine: AsyncEngine) -> list[str]:
                return inspect(engine).get_table_names()
            """,
            line=5,
            column=12,
        ),
        Bad(
            """
            import sqlalchemy as sa
            from sqlalchemy.ext.asyncio import create_async_engine

            engine = create_async_engine("postgresql+asyncpg://app@localhost/blog")
            posts = sa.Table("post", sa.MetaData(), autoload_with=engine)
            """,
            line=5,
            column=9,
        ),
        Good(
            """
            from sqlalchemy.ext.asyncio import create_async_engine

            from app.models import Base

            engine = create_async_engine("postgresql+asyncpg://app@localhost/blog")

            async def init_models() -> None:
                async with engine.begin() as conn:
                    await conn.run_sync(Base.metadata.create_all)
            """
        ),
        Good(
            """
            from sqlalchemy import create_engine, inspect

            engine = create_engine("postgresql+psycopg://app@localhost/blog")
            names = inspect(engine).get_table_names()
            """,
            note="a sync engine in sync code",
        ),
        Good(
            """
            import inspect

            async def describe(engine):
                return inspect.signature(engine.connect)
            """,
            note="the standard library's `inspect`",
        ),
        Good(
            """
            from sqlalchemy import inspect
            from sqlalchemy.engine import Connection

            def table_names(conn: Connection) -> list[str]:
                return inspect(conn).get_table_names()
            """,
            note="the callback handed to run_sync gets a sync Connection",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in METADATA_BIND_METHODS:
            noun = self._async_bind(node.args, "bind")
            if noun is not None:
                method = func.attr.value
                self.report(
                    node, _DDL_MESSAGE.format(method=method, noun=noun, error=_DDL_ERRORS[method])
                )
            return
        if isinstance(func, cst.Attribute):
            last = func.attr.value
        elif isinstance(func, cst.Name):
            last = func.value
        else:
            return
        if last == "inspect":
            if self.context.sqla_name(func) == "inspect":
                noun = self._async_bind(node.args, "subject")
                if noun is not None:
                    self.report(node, _INSPECT_MESSAGE.format(noun=noun))
        elif last == "Table" and self.context.sqla_name(func) == "Table":
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value == "autoload_with":
                    kind = self.context.kind_of(arg.value)
                    noun = _NOUNS.get(kind) if kind is not None else None
                    if noun is not None:
                        self.report(node, _AUTOLOAD_MESSAGE.format(noun=noun))

    def _async_bind(self, args: Sequence[cst.Arg], keyword: str) -> str | None:
        """The noun for an async engine/connection passed first or as `keyword=`."""
        for index, arg in enumerate(args):
            if (arg.keyword is None and index == 0 and not arg.star) or (
                arg.keyword is not None and arg.keyword.value == keyword
            ):
                kind = self.context.kind_of(arg.value)
                return _NOUNS.get(kind) if kind is not None else None
        return None
