"""ALC203: `await` on an AsyncSession / AsyncConnection method that is not a coroutine."""

from __future__ import annotations

import libcst as cst

from sqla_checks.contract.rule import Bad, Fix, Good, Rule
from sqla_checks.evidence.sessions import awaited_receiver_kind
from sqla_checks.evidence.sqlalchemy_api import (
    ASYNC_CLASS_NAMES,
    ASYNC_EVIDENCE,
    PLAIN_METHODS_OF_ASYNC,
)

_ALL_PLAIN_METHODS = frozenset().union(*PLAIN_METHODS_OF_ASYNC.values())


class AwaitOnSyncMethod(Rule):
    """Flags `await` in front of an AsyncSession method that is an ordinary function."""

    code = "ALC203"
    name = "await-on-sync-method"
    message = "This method of an AsyncSession is not a coroutine: remove the `await`"
    why = """
Only the methods of `AsyncSession` that may do I/O are coroutines (`execute`,
`commit`, `flush`, `get`, ...). The methods that only change in-memory state, such
as `add`, `add_all`, `expunge`, `expire` and `in_transaction`, are ordinary functions
in SQLAlchemy 2.0 and 2.1 and return `None` or a bool. `await session.add(obj)` runs
`add()` and then fails with `TypeError: object NoneType can't be used in 'await'
expression`, so the line never worked [claim: alc203-sync-methods]. `add()` does not
emit SQL either: the INSERT is sent at the next flush, which is an explicit
`await session.flush()`, the flush of `await session.commit()`, or the autoflush
before the session's next query [claim: session-add-inserts-at-next-flush].
`get_transaction()` is a plain method too: it returns the current
`AsyncSessionTransaction` or None, so `await session.get_transaction()` raises
`TypeError` with no transaction and `InvalidRequestError` (already begun) with one
[claim: alc203-get-transaction-is-not-awaitable].
"""
    example = """from app.models import Post
from sqlalchemy.ext.asyncio import AsyncSession


async def create_post(session: AsyncSession, post: Post) -> None:
    await session.add(post)
    await session.commit()"""
    use_instead = """from app.models import Post
from sqlalchemy.ext.asyncio import AsyncSession


async def create_post(session: AsyncSession, post: Post) -> None:
    session.add(post)
    await session.commit()"""
    fix_safety = """
Safe. The current code raises right after the method has run, so it cannot be
working as written; removing `await` keeps the method call, its arguments
and its effect, and only drops the failure. Parentheses around the awaited
expression are kept.
"""
    blind_spots = """
The receiver must be known to be an `AsyncSession`, `async_scoped_session` or
`AsyncConnection` from evidence in the same module (annotation, `Depends` on a
same-module dependency, `async with factory() as s`, ...), on every path that
reaches the call (a name that is an `AsyncSession` in one branch and something else
in another is unknown after both; so is a union such as `Session | AsyncSession`).
A name without such evidence, or annotated only as a sync `Session`, counts as an
`AsyncSession` in a function that awaits a session coroutine on it
(`await session.commit()`, `await session.execute(stmt)`,
`await session.scalars(stmt)`, ...), awaits no method an `AsyncSession` lacks and
binds the name only once; awaited `get`, `delete` or `close` prove nothing (HTTP
and cache clients have them), nor does `execute` of a SQL string (a driver's, such
as asyncpg's or aiosqlite's).
A session from another module is seen through the project index (an imported
factory, registry, provider or annotation alias) or through such awaits in the same
function (`await db.add(obj)` alone is not), and one on an attribute (`self.db`,
`request.state.db`) only through an annotation. `await` on
`begin()` and `begin_nested()`, which return a transaction object that is started
by awaiting it, is legal and never flagged [claim: alc203-awaiting-begin-is-legal].
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/orm/extensions/asyncio.html#sqlalchemy.ext.asyncio.AsyncSession.add",
        "https://docs.sqlalchemy.org/en/20/orm/extensions/asyncio.html#synopsis-orm",
    )
    triggers = (*ASYNC_EVIDENCE, "async def")
    examples = (
        Bad(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def create(session: AsyncSession, post: object) -> None:
                await session.add(post)
                await session.commit()
            """,
            line=5,
            column=5,
            fixed="""
            from sqlalchemy.ext.asyncio import AsyncSession


            async def create(session: AsyncSession, post: object) -> None:
                session.add(post)
                await session.commit()
            """,
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            class Repository:
                def __init__(self, session: AsyncSession) -> None:
                    self.session = session

                async def is_idle(self) -> bool:
                    return not (await self.session.in_transaction())
            """,
            line=9,
            column=21,
            fixed="""
            from sqlalchemy.ext.asyncio import AsyncSession


            class Repository:
                def __init__(self, session: AsyncSession) -> None:
                    self.session = session

                async def is_idle(self) -> bool:
                    return not (self.session.in_transaction())
            """,
            note="parentheses around the await are kept",
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(expire_on_commit=False)


            async def reset() -> None:
                async with SessionLocal() as session:
                    await session.expunge_all()
            """,
            line=8,
            column=9,
            fixed="""
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(expire_on_commit=False)


            async def reset() -> None:
                async with SessionLocal() as session:
                    session.expunge_all()
            """,
        ),
        Good(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def create(session: AsyncSession, post: object) -> None:
                session.add(post)
                await session.commit()
                await session.refresh(post)
            """
        ),
        Good(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def create(session: AsyncSession, post: object) -> None:
                await session.begin()
                session.add(post)
            """,
            note="`begin()` returns an awaitable transaction",
        ),
        Good(
            """
            async def create(cart, item) -> None:
                await cart.add(item)
            """,
            note="not known to be a session: an async `add` of another class",
        ),
    )

    def visit_Await(self, node: cst.Await) -> None:
        call = node.expression
        if not (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Attribute)
            and call.func.attr.value in _ALL_PLAIN_METHODS
        ):
            return
        method = call.func.attr.value
        kind = awaited_receiver_kind(self.context, call.func.value)
        if kind is None or method not in PLAIN_METHODS_OF_ASYNC.get(kind, ()):
            return
        self.report(
            node,
            message=f"`{ASYNC_CLASS_NAMES[kind]}.{method}()` is not a coroutine: "
            "remove the `await`",
            fix=Fix(
                node, _without_await(node, call), description=f"Remove `await` before `{method}()`"
            ),
        )


def _without_await(node: cst.Await, call: cst.Call) -> cst.Call:
    """The awaited call on its own; parentheses written around the `await` stay."""
    if node.lpar:
        return call.with_changes(lpar=[*node.lpar, *call.lpar], rpar=[*call.rpar, *node.rpar])
    return call
