"""ALC205: `sessionmaker(class_=AsyncSession)` instead of `async_sessionmaker`."""

from __future__ import annotations

import libcst as cst

from sqla_checks.contract.rule import Bad, Fix, Good, Import, Rule
from sqla_checks.evidence.call_arguments import without_argument
from sqla_checks.evidence.context import FileContext
from sqla_checks.evidence.sessions import async_class_argument
from sqla_checks.evidence.sqlalchemy_api import ASYNC_SESSIONMAKER
from sqla_checks.fixes.name_binding import spelling

_ASYNCIO = "sqlalchemy.ext.asyncio"


class SessionmakerAsyncClass(Rule):
    """Flags `sessionmaker(class_=AsyncSession)`: SQLAlchemy 2 has `async_sessionmaker`."""

    code = "ALC205"
    name = "sessionmaker-async-class"
    message = "Use `async_sessionmaker(...)` instead of `sessionmaker(class_=AsyncSession, ...)`"
    why = """
`sessionmaker(class_=AsyncSession)` is the SQLAlchemy 1.4 spelling. Since 2.0,
`async_sessionmaker` is the factory made for `AsyncSession`: its `class_` defaults to
`AsyncSession` and it takes the same arguments (`bind`, `autoflush`,
`expire_on_commit`, `info`, and any other `AsyncSession` argument), as the 2.1.9
sources show [claim: alc205-same-arguments]. It is typed as
`async_sessionmaker[AsyncSession]`, so type checkers
know that `factory()` is an `AsyncSession` and that `factory.begin()` is used with
`async with`; the 1.4 spelling is typed as a sync `sessionmaker` and hides that.
"""
    example = """from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import sessionmaker

engine = create_async_engine("postgresql+asyncpg://app@db/blog")
SessionLocal = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)"""
    use_instead = """from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine("postgresql+asyncpg://app@db/blog")
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)"""
    fix_safety = """
Safe. The call is renamed to `async_sessionmaker` and `class_=AsyncSession` is
dropped (it is the default); every other argument is kept as written.
`from sqlalchemy.ext.asyncio import async_sessionmaker` is added, and the imports of
`sessionmaker` and `AsyncSession` are removed if nothing else uses them. Sessions
made by either factory are `AsyncSession` instances with the same settings
(`sessionmaker` makes them from a private subclass, `async_sessionmaker` from the
class itself) [claim: alc205-both-factories-make-async-sessions]. The fix is offered as
unsafe when the module calls
`object_session()` or `identity_key()`, which exist on `sessionmaker` but not on
`async_sessionmaker`
[claim: alc205-sessionmaker-only-methods]. No fix is offered when the factory is
assigned to a variable
annotated as `sessionmaker[...]`: the annotation needs the same change, by hand.

Target release: `async_sessionmaker` is new in SQLAlchemy 2.0; with an older target
(`target-sqlalchemy`, else the lowest release the declared dependency admits) the
finding says so and has no fix. Like every fix, it is not offered under a SQLAlchemy
version guard (`if sqlalchemy.__version__ ...`, `try: import ... except ImportError`),
nor when a guard binds `async_sessionmaker` (a module-level import of it would fail
where the guard avoided it).
"""
    blind_spots = """
The fix writes `async_sessionmaker` only where that name means SQLAlchemy's (or
through an import of `sqlalchemy.ext.asyncio`); where the module binds it otherwise,
no fix, and the message says why.

Only `class_=AsyncSession` written in the call is seen: a subclass of `AsyncSession`,
or `class_` passed through `**kwargs`, is not flagged. A name a `try` body imports
from `sqlalchemy.ext.asyncio` means that import, even when its `except ImportError`
fallback binds `sessionmaker` to it.
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/orm/extensions/asyncio.html#sqlalchemy.ext.asyncio.async_sessionmaker",
        "https://docs.sqlalchemy.org/en/20/changelog/migration_20.html",
    )
    triggers = ("sessionmaker",)
    examples = (
        Bad(
            """
            from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
            from sqlalchemy.orm import sessionmaker

            engine = create_async_engine("postgresql+asyncpg://app@localhost/blog")
            SessionLocal = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
            """,
            line=5,
            column=16,
            fixed="""
            from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

            engine = create_async_engine("postgresql+asyncpg://app@localhost/blog")
            SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
            """,
        ),
        Bad(
            """
            import sqlalchemy as sa
            import sqlalchemy.ext.asyncio as sa_async

            SessionLocal = sa.orm.sessionmaker(
                bind=None,
                expire_on_commit=False,
                class_=sa_async.AsyncSession,
            )
            """,
            line=4,
            column=16,
            fixed="""
            import sqlalchemy as sa
            import sqlalchemy.ext.asyncio as sa_async
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(
                bind=None,
                expire_on_commit=False,
            )
            """,
            note="module imports stay: the fix removes only names it can see are unused",
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import AsyncSession
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(class_=AsyncSession, expire_on_commit=False)


            async def get_db() -> AsyncSession:
                async with SessionLocal() as session:
                    return session
            """,
            line=4,
            column=16,
            fixed="""
            from sqlalchemy.ext.asyncio import async_sessionmaker, AsyncSession

            SessionLocal = async_sessionmaker(expire_on_commit=False)


            async def get_db() -> AsyncSession:
                async with SessionLocal() as session:
                    return session
            """,
            note="`AsyncSession` is still used, so its import stays",
        ),
        Good(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(expire_on_commit=False)
            """
        ),
        Good(
            """
            from sqlalchemy.orm import Session, sessionmaker

            SessionLocal = sessionmaker(class_=Session)
            """,
            note="a sync factory is ALC201's business, not this rule's",
        ),
        Good(
            """
            from myapp.db import AsyncSession, sessionmaker

            SessionLocal = sessionmaker(class_=AsyncSession)
            """,
            note="look-alike names that are not SQLAlchemy's",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._annotated_values: set[int] = set()

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        # `SessionLocal: sessionmaker[AsyncSession] = sessionmaker(...)`: the rewrite
        # would leave the annotation naming the wrong class.
        if node.value is not None and "sessionmaker" in _annotation_text(node):
            self._annotated_values.add(id(node.value))

    def visit_Call(self, node: cst.Call) -> None:
        class_arg = async_class_argument(node, self.context.imports)
        if class_arg is None:
            return
        unused = tuple(
            imp
            for imp in (self._from_import(node.func), self._from_import(class_arg.value))
            if imp is not None
        )
        if id(node) in self._annotated_values:
            self.report(node)
            return
        maker = spelling(self.context, f"{_ASYNCIO}.async_sessionmaker", node)
        if isinstance(maker, str):
            self.report(node, f"{self.message} (no automatic fix: {maker})")
            return
        replacement = without_argument(node, class_arg).with_changes(func=maker.expression)
        text = self.context.text
        unsafe = ".object_session(" in text or ".identity_key(" in text
        fix = Fix(
            node,
            replacement,
            applicability="unsafe" if unsafe else "safe",
            imports=maker.imports,
            unused_imports=unused,
            description="Use `async_sessionmaker`",
        )
        self.report(node, fix=fix, needs=(ASYNC_SESSIONMAKER,))

    def _from_import(self, node: cst.BaseExpression) -> Import | None:
        """`from m import name` that bound `node`, when it is a plain, unaliased name."""
        if not isinstance(node, cst.Name):
            return None
        qualified = self.context.qualified_name(node)
        if qualified is None or "." not in qualified:
            return None
        module, _, name = qualified.rpartition(".")
        return Import(module, name) if name == node.value else None


def _annotation_text(node: cst.AnnAssign) -> str:
    return cst.Module(body=()).code_for_node(node.annotation.annotation)
