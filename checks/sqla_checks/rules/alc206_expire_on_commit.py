"""ALC206: an async session factory that expires every object on commit."""

from __future__ import annotations

import libcst as cst

from sqla_checks.contract.rule import Bad, Fix, Good, Rule
from sqla_checks.evidence.call_arguments import keyword_argument, with_keyword
from sqla_checks.evidence.context import FileContext
from sqla_checks.evidence.sessions import async_class_argument
from sqla_checks.evidence.sqlalchemy_api import Kind

_KEYWORD = "expire_on_commit"
_CONSTRUCTORS = frozenset({"async_sessionmaker", "AsyncSession", "sessionmaker"})


class ExpireOnCommit(Rule):
    """Flags async session factories and `AsyncSession(...)` left at `expire_on_commit=True`."""

    code = "ALC206"
    name = "expire-on-commit"
    message = "Pass `expire_on_commit=False`: after commit, attribute access would need IO"
    why = """
By default a session expires every object it holds when it commits
(`expire_on_commit=True`, the default of `Session`, `sessionmaker`,
`AsyncSession` and `async_sessionmaker` in SQLAlchemy 2.0 and 2.1)
[claim: alc206-expire-on-commit-default]. The next read of
any attribute then reloads the row. A sync session does that silently
[claim: alc206-sync-session-reloads]; an
`AsyncSession` cannot run SQL from a plain attribute access, so reading
`post.title` after `await session.commit()` raises `MissingGreenlet: greenlet_spawn
has not been called` (with asyncpg) [claim: alc206-missing-greenlet-after-commit]. The
usual victim is a
FastAPI route that commits and then returns the object for serialisation. The
SQLAlchemy asyncio guide recommends `expire_on_commit=False` for `AsyncSession`.
"""
    example = """from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine("postgresql+asyncpg://app@db/blog")
SessionLocal = async_sessionmaker(engine)"""
    use_instead = """from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine("postgresql+asyncpg://app@db/blog")
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)"""
    fix_safety = """
Unsafe. Adding `expire_on_commit=False` changes what objects contain after a
commit: they keep the values they had in memory instead of reloading them, so
server-side changes made during the commit (triggers, `onupdate` defaults computed
by the database, concurrent writers) are not seen until the object is refreshed
(`await session.refresh(obj)`) or loaded again [claim: alc206-kept-values-until-refresh].
That is almost always what async code
wants, but it is a change of behaviour to review. An explicit
`expire_on_commit=True` is reported without a fix: if it is deliberate, keep it and
add `# noqa: ALC206`.
"""
    blind_spots = """
Only the factory call itself is read. A value that is not a literal
(`expire_on_commit=settings.expire`) or `**kwargs` is trusted. A module that calls
`.configure(expire_on_commit=...)` or passes `expire_on_commit=` when calling a
factory is trusted to set it there, and nothing in it is flagged. Factories created
in another module are out of reach. A `try`/`except ImportError` import means what
the `try` body imports, so an `async_sessionmaker` with a `sessionmaker` fallback is
SQLAlchemy's `async_sessionmaker`.
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/orm/extensions/asyncio.html#asyncio-orm-avoid-lazyloads",
        "https://docs.sqlalchemy.org/en/20/errors.html#error-xd2s",
        "https://docs.sqlalchemy.org/en/20/orm/session_api.html#sqlalchemy.orm.Session.params.expire_on_commit",
    )
    triggers = ("async_sessionmaker", "AsyncSession")
    examples = (
        Bad(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

            engine = create_async_engine("postgresql+asyncpg://app@localhost/blog")
            SessionLocal = async_sessionmaker(engine)
            """,
            line=4,
            column=16,
            fixed="""
            from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

            engine = create_async_engine("postgresql+asyncpg://app@localhost/blog")
            SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
            """,
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(
                autoflush=False,
            )
            """,
            line=3,
            column=16,
            fixed="""
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(
                autoflush=False,
                expire_on_commit=False,
            )
            """,
            note="a trailing comma and the line layout are kept",
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import AsyncSession
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(class_=AsyncSession)
            """,
            line=4,
            column=16,
            fixed="""
            from sqlalchemy.ext.asyncio import AsyncSession
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(class_=AsyncSession, expire_on_commit=False)
            """,
            note="ALC205 rewrites the factory itself",
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession


            async def count(engine: AsyncEngine) -> None:
                async with AsyncSession(engine) as session:
                    await session.commit()
            """,
            line=5,
            column=16,
            fixed="""
            from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession


            async def count(engine: AsyncEngine) -> None:
                async with AsyncSession(engine, expire_on_commit=False) as session:
                    await session.commit()
            """,
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(expire_on_commit=True)
            """,
            line=3,
            column=16,
            note="explicit choice: reported without a fix, silence it with noqa",
        ),
        Good(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(expire_on_commit=False)
            """
        ),
        Good(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker()
            """,
            note="a sync session reloads expired attributes on access without trouble",
        ),
        Good(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker()
            SessionLocal.configure(expire_on_commit=False)
            """,
            note="configured later in the same module",
        ),
        Good(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            from app.config import session_options

            SessionLocal = async_sessionmaker(**session_options)
            """,
            note="`**kwargs` may carry the setting",
        ),
        Good(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def save(session: AsyncSession) -> None:
                await session.commit()
            """,
            note="an annotation is not a construction",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._candidates: list[tuple[cst.Call, cst.Arg | None]] = []
        self._configured_elsewhere = False

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        symbol = self.context.sqla_name(func)
        if symbol in _CONSTRUCTORS:
            self._constructor_call(node, symbol)
        elif not self._configured_elsewhere and keyword_argument(node, _KEYWORD) is not None:
            # `factory.configure(expire_on_commit=...)`, `factory(expire_on_commit=...)`.
            self._configured_elsewhere = (
                isinstance(func, cst.Attribute) and func.attr.value == "configure"
            ) or self.context.kind_of(func) is Kind.ASYNC_FACTORY

    def _constructor_call(self, node: cst.Call, symbol: str) -> None:
        if symbol == "sessionmaker" and async_class_argument(node, self.context.imports) is None:
            return
        if any(arg.star for arg in node.args):
            return
        setting = keyword_argument(node, _KEYWORD)
        if setting is not None and not (
            isinstance(setting.value, cst.Name) and setting.value.value == "True"
        ):
            return  # False, or an expression the author controls
        self._candidates.append((node, setting))

    def leave_Module(self, original_node: cst.Module) -> None:
        if self._configured_elsewhere:
            return
        for call, setting in self._candidates:
            if setting is not None:
                self.report(call, message="`expire_on_commit=True` on an async session: see ALC206")
                continue
            fix = Fix(
                call,
                with_keyword(call, _KEYWORD, cst.Name("False")),
                applicability="unsafe",
                description="Add `expire_on_commit=False`",
            )
            self.report(call, fix=fix)
