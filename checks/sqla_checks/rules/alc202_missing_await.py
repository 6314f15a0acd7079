"""ALC202: a coroutine method of AsyncSession / AsyncConnection called without `await`."""

from __future__ import annotations

from typing import Literal

import libcst as cst

from sqla_checks.contract import tree_walk
from sqla_checks.contract.rule import Bad, Fix, Good, Rule
from sqla_checks.evidence.context import FileContext
from sqla_checks.evidence.sessions import awaited_receiver_kind
from sqla_checks.evidence.sqlalchemy_api import (
    ASYNC_CLASS_NAMES,
    ASYNC_EVIDENCE,
    BUFFERED_RESULT_METHODS,
    COROUTINE_METHODS,
    RESULT_METHODS,
    SESSION_PROOF_METHODS,
    Kind,
)

_ALL_COROUTINES = frozenset().union(*COROUTINE_METHODS.values())

# Callees that take a coroutine object on purpose: schedulers, timeouts and
# collections of pending work. Matched on the callee's last name.
_CONSUMERS = frozenset(
    {
        "gather",
        "create_task",
        "ensure_future",
        "wait_for",
        "wait",
        "shield",
        "as_completed",
        "run",
        "run_until_complete",
        "run_coroutine_threadsafe",
        "spawn",
        "submit",
        "schedule",
        "append",
        "insert",
        "put",
        "put_nowait",
    }
)

# Where the call sits, as seen from its parent.
Place = Literal[
    "statement",  # `session.commit()` on its own line
    "receiver",  # `session.execute(stmt).scalars()`: needs parentheses
    "value",  # assignment value, return value, call argument, `for` iterable
    "assigned",  # `x = session.execute(...)`: a value, unless `x` is awaited later
    "intentional",  # awaited, scheduled, collected, a `with` item, a lambda's value
]


class MissingAwait(Rule):
    """Flags calls of AsyncSession / AsyncConnection coroutine methods that are never awaited."""

    code = "ALC202"
    name = "missing-await"
    message = "Coroutine method called without `await`: nothing runs until it is awaited"
    why = """
On `AsyncSession` and `async_scoped_session`, the methods that may talk to the
database are coroutine functions in SQLAlchemy 2.0 and 2.1: `execute`, `scalars`,
`scalar`, `get`, `get_one`, `commit`, `rollback`, `flush`, `refresh`, `delete`,
`merge`, `close`, `stream` and more; `AsyncSession.run_sync` too (`async_scoped_session`
has no `run_sync`). On `AsyncConnection`: `execute`, `scalars`, `scalar`, `commit`,
`rollback`, `close`, `run_sync`, ...; `AsyncEngine.dispose` too
[claim: alc202-coroutine-methods]. `AsyncConnection.stream()` is not one of them: it
returns an async context manager, used as `async with conn.stream(stmt) as result:`,
and is not flagged [claim: alc202-connection-stream-is-a-context]. Calling a coroutine
method without `await` only creates a coroutine object: no SQL is sent, the commit
does not happen, and Python warns `coroutine ... was never awaited` when the object
is garbage-collected [claim: alc202-unawaited-does-nothing]. Code that uses the result
then fails far from the
cause, e.g. `'coroutine' object has no attribute 'scalars'`
[claim: alc202-coroutine-has-no-scalars].
"""
    example = """from app.models import Post
from sqlalchemy.ext.asyncio import AsyncSession


async def publish(session: AsyncSession, post_id: int) -> Post:
    post = session.get(Post, post_id)
    post.published = True
    session.commit()
    return post"""
    use_instead = """from app.models import Post
from sqlalchemy.ext.asyncio import AsyncSession


async def publish(session: AsyncSession, post_id: int) -> Post:
    post = await session.get(Post, post_id)
    post.published = True
    await session.commit()
    return post"""
    fix_safety = """
Safe where the call is a statement of its own, the start of a method chain
(`(await session.execute(stmt)).scalars()`: the parentheses are added because
`await` binds more loosely than attribute access), an assignment value, a return
value, a call argument or the iterable of a `for` loop, in an `async def` body. The
code without `await` cannot work: the database call never happens. Elsewhere (in a
condition, an operand, a conditional expression) the finding comes without a fix,
and in a sync `def` or a `lambda`, where `await` is a syntax error, a discarded call
is reported without a fix.
"""
    blind_spots = """
Not flagged, on purpose: a coroutine passed to `asyncio.gather`, `create_task`,
`ensure_future`, `wait_for`, `shield`, `TaskGroup.create_task` and similar
schedulers, or to `list.append`; one passed to a call that is itself awaited
(`await with_retry(session.commit())`); one built inside a comprehension or a
list/tuple/dict display (collected for `gather`); one assigned to a name that the
same function awaits or schedules later; one returned from a sync `def` or a
`lambda` (a coroutine factory). The receiver must be known to be an async session,
connection or engine from evidence in the same module or, through the project index,
in the modules it imports (a factory such as `async_session` from `app.db`, a
`get_db` provider in `Depends(...)`, a `SessionDep` alias); a session returned by an
untyped helper, or a provider outside the checked project, is invisible. Evidence
follows the paths of the code: a name bound to an async engine in one branch of an
`if`/`try`/`match` or loop and to a sync one (or to anything unknown) in another is
unknown where both paths reach, so the fix never adds `await` to a call that may be
sync. A union of sync and async types (`Session |
AsyncSession`) is unknown too. A name without such evidence, or annotated only as a
sync `Session`, counts as an `AsyncSession` in a function that awaits a session
coroutine on it (`await session.commit()`, `await session.execute(stmt)`, `await
session.scalars(stmt)`, ...), awaits no method an `AsyncSession` lacks and binds
the name only once (in one branch `async with engine.begin() as conn`, in another
`conn = await to_thread(engine.connect)`: the await proves only its own); awaited
`get`, `delete` or `close` prove nothing (HTTP and cache clients have them), nor does
`execute` of a SQL string (a driver's, such as asyncpg's or aiosqlite's). For such a
name only calls of the methods whose await proves a session are checked (an unawaited
`get`, `delete` or `close` on it is not reported). A session on an attribute
(`self.db`, `request.state.db`) is seen only through an annotation.
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/orm/extensions/asyncio.html#synopsis-orm",
        "https://docs.sqlalchemy.org/en/20/orm/extensions/asyncio.html#sqlalchemy.ext.asyncio.AsyncSession",
        "https://docs.python.org/3/library/asyncio-dev.html#detect-never-awaited-coroutines",
    )
    # A receiver is only ever known through one of these names in the same module.
    triggers = (*ASYNC_EVIDENCE, "async def")
    examples = (
        Bad(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def save(session: AsyncSession, post: object) -> None:
                session.add(post)
                session.commit()
            """,
            line=6,
            column=5,
            fixed="""
            from sqlalchemy.ext.asyncio import AsyncSession


            async def save(session: AsyncSession, post: object) -> None:
                session.add(post)
                await session.commit()
            """,
        ),
        Bad(
            """
            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession


            async def titles(session: AsyncSession) -> list[str]:
                return session.execute(select(Post.title)).scalars().all()
            """,
            line=6,
            column=12,
            fixed="""
            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession


            async def titles(session: AsyncSession) -> list[str]:
                return (await session.execute(select(Post.title))).scalars().all()
            """,
            note="a method chain gets parentheses",
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def titles(session: AsyncSession, stmt: object) -> list[str]:
                return await session.execute(stmt).scalars().all()
            """,
            line=5,
            column=18,
            fixed="""
            from sqlalchemy.ext.asyncio import AsyncSession


            async def titles(session: AsyncSession, stmt: object) -> list[str]:
                return (await session.execute(stmt)).scalars().all()
            """,
            note="`await` at the head of a chain awaits its last call: moved to the query",
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(expire_on_commit=False)


            async def load(post_id: int) -> object:
                async with SessionLocal() as session:
                    post = session.get(Post, post_id)
                    return post
            """,
            line=8,
            column=16,
            fixed="""
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(expire_on_commit=False)


            async def load(post_id: int) -> object:
                async with SessionLocal() as session:
                    post = await session.get(Post, post_id)
                    return post
            """,
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import create_async_engine

            engine = create_async_engine("postgresql+asyncpg://app@localhost/blog")


            async def shutdown() -> None:
                engine.dispose()
            """,
            line=7,
            column=5,
            fixed="""
            from sqlalchemy.ext.asyncio import create_async_engine

            engine = create_async_engine("postgresql+asyncpg://app@localhost/blog")


            async def shutdown() -> None:
                await engine.dispose()
            """,
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def exists(session: AsyncSession, stmt: object) -> bool:
                if session.scalar(stmt):
                    return True
                return False
            """,
            line=5,
            column=8,
            note="a condition: reported without a fix (a coroutine is always true)",
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            class Repository:
                def __init__(self, session: AsyncSession) -> None:
                    self.session = session

                def save(self) -> None:
                    self.session.commit()
            """,
            line=9,
            column=9,
            note="a sync def cannot await: reported without a fix",
        ),
        Good(
            """
            import asyncio

            from sqlalchemy.ext.asyncio import AsyncSession


            async def refresh_all(session: AsyncSession, posts: list[object]) -> None:
                await session.commit()
                await asyncio.gather(*[session.refresh(post) for post in posts])
                task = asyncio.create_task(session.close())
                await asyncio.wait_for(session.flush(), timeout=5)
                async with asyncio.TaskGroup() as group:
                    group.create_task(session.rollback())
                await task
            """,
            note="scheduled, gathered or awaited through a helper: intentional",
        ),
        Good(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            async def save(session: AsyncSession) -> None:
                async with session.begin():
                    pending = session.flush()
                    await pending
            """,
            note="`begin()` is used with `async with`; the coroutine is awaited later",
        ),
        Good(
            """
            from sqlalchemy.ext.asyncio import AsyncSession


            def later(session: AsyncSession):
                return session.commit()


            async def main(session: AsyncSession) -> None:
                await with_retry(lambda: session.commit())
            """,
            note="coroutine factories: returned from sync code",
        ),
        Good(
            """
            from sqlalchemy.orm import Session


            async def save(session: Session) -> None:
                session.commit()
            """,
            note="a sync Session: ALC201's business",
        ),
        Good(
            """
            async def save(client) -> None:
                client.execute("x")
                client.commit()
            """,
            note="unknown receiver",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        # Places of candidate calls, recorded by their parents before the call is
        # visited (keyed by node id; nodes live as long as the visit).
        self._places: dict[int, Place] = {}
        self._assigned_names: dict[int, str] = {}
        self._awaited: set[int] = set()
        # `await session.execute(stmt).scalars()`: the await is on the wrong call.
        self._misplaced: dict[int, cst.Await] = {}
        self._comprehension_depth = 0

    # -- parents say where their children are ------------------------------------
    def visit_Await(self, node: cst.Await) -> None:
        expression = node.expression
        self._awaited.add(id(expression))
        if isinstance(expression, cst.Call | cst.Attribute | cst.Subscript):
            inner = _innermost_candidate(expression)
            if inner is not None:
                self._misplaced[id(inner)] = node

    def visit_Expr(self, node: cst.Expr) -> None:
        self._mark(node.value, "statement")

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._mark(node.value, "receiver")

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self._mark(node.value, "receiver")

    def visit_Assign(self, node: cst.Assign) -> None:
        targets = node.targets
        if len(targets) == 1:
            self._mark_assigned(targets[0].target, node.value)
        else:
            self._mark(node.value, "value")

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._mark_assigned(node.target, node.value)

    def _mark_assigned(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if not isinstance(target, cst.Name):
            self._mark(value, "value")
        elif self._mark(value, "assigned"):
            self._assigned_names[id(value)] = target.value

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._mark(node.value, "value")

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            # From sync code this hands the coroutine to the caller: see visit_Call.
            self._mark(node.value, "value")

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._mark(node.body, "intentional")

    def visit_Yield(self, node: cst.Yield) -> None:
        if isinstance(node.value, cst.BaseExpression):
            self._mark(node.value, "intentional")

    def visit_For(self, node: cst.For) -> None:
        self._mark(node.iter, "value")

    def visit_WithItem(self, node: cst.WithItem) -> None:
        self._mark(node.item, "intentional")

    def visit_Element(self, node: cst.Element) -> None:
        self._mark(node.value, "intentional")

    def visit_DictElement(self, node: cst.DictElement) -> None:
        self._mark(node.value, "intentional")

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension_depth += 1

    def leave_ListComp(self, original_node: cst.ListComp) -> None:
        self._comprehension_depth -= 1

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._comprehension_depth += 1

    def leave_SetComp(self, original_node: cst.SetComp) -> None:
        self._comprehension_depth -= 1

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._comprehension_depth += 1

    def leave_DictComp(self, original_node: cst.DictComp) -> None:
        self._comprehension_depth -= 1

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._comprehension_depth += 1

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp) -> None:
        self._comprehension_depth -= 1

    def _mark(self, child: cst.BaseExpression, place: Place) -> bool:
        """Remember where `child` sits, if it looks like a candidate call."""
        if (
            isinstance(child, cst.Call)
            and isinstance(child.func, cst.Attribute)
            and child.func.attr.value in _ALL_COROUTINES
        ):
            self._places[id(child)] = place
            return True
        return False

    # -- the calls ----------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        if node.args:
            self._mark_arguments(node)
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value in _ALL_COROUTINES):
            return
        place = self._places.pop(id(node), None)
        if (
            place == "intentional"
            or id(node) in self._awaited
            or self._comprehension_depth
            or self.context.function is None
        ):
            return
        in_async = self.context.in_async_function
        if not in_async and place not in ("statement", "receiver"):
            return
        method = func.attr.value
        kind = self.context.kind_of(func.value)
        if kind in (None, Kind.SYNC_SESSION) and method in SESSION_PROOF_METHODS:
            # Only these: `x.get(...)` on every dict would walk every function.
            kind = awaited_receiver_kind(self.context, func.value)
        if kind is None or method not in COROUTINE_METHODS.get(kind, ()):
            return
        if place == "assigned" and self._awaited_later(self._assigned_names[id(node)]):
            return
        what = f"`{ASYNC_CLASS_NAMES[kind]}.{method}()`"
        if not in_async:
            self.report(
                node,
                message=f"{what} is a coroutine and this sync code discards it: "
                "call it from an `async def` with `await`",
            )
            return
        misplaced = self._misplaced.get(id(node))
        if misplaced is not None:
            self._report_misplaced(node, misplaced, what)
            return
        message = f"{what} is a coroutine: `await` it"
        if place is None:
            self.report(node, message=message)
            return
        self.report(node, message=message, fix=_await_fix(node, place == "receiver"))

    def _report_misplaced(self, call: cst.Call, misplaced: cst.Await, what: str) -> None:
        """`await session.execute(stmt).scalars()` awaits `.scalars()`, not the query."""
        message = f"{what} is a coroutine: `await` applies to the end of the chain, not to it"
        fix = None
        method = _last_name(call.func)
        if method in BUFFERED_RESULT_METHODS and _plain_chain(misplaced.expression, call):
            moved = misplaced.expression.deep_replace(call, _awaited(call, receiver=True))
            if isinstance(moved, cst.BaseExpression):
                if misplaced.lpar:
                    moved = moved.with_changes(
                        lpar=[*misplaced.lpar, *moved.lpar], rpar=[*moved.rpar, *misplaced.rpar]
                    )
                fix = Fix(misplaced, moved, description="Move `await` to the query")
        self.report(call, message=message, fix=fix)

    def _mark_arguments(self, call: cst.Call) -> None:
        last = _last_name(call.func)
        consumed = last in _CONSUMERS or id(call) in self._awaited
        for arg in call.args:
            self._mark(arg.value, "intentional" if consumed else "value")

    def _awaited_later(self, name: str) -> bool:
        """Whether the enclosing function awaits or schedules the name `name`."""
        function = self.context.function
        if function is None:
            return False
        finder = _DeferredUse(name)
        tree_walk.visit(function.body, finder)
        return finder.found


def _await_fix(call: cst.Call, receiver: bool) -> Fix:
    return Fix(call, _awaited(call, receiver), description="Add `await`")


def _awaited(call: cst.Call, receiver: bool) -> cst.Await:
    if receiver:
        # `await` binds more loosely than `.attr`, `[i]` and `(...)`: parenthesise.
        return cst.Await(
            expression=call.with_changes(lpar=(), rpar=()),
            lpar=call.lpar or (cst.LeftParen(),),
            rpar=call.rpar or (cst.RightParen(),),
        )
    return cst.Await(expression=call)


def _last_name(func: cst.BaseExpression) -> str | None:
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return None


def _innermost_candidate(expression: cst.BaseExpression) -> cst.Call | None:
    """The first coroutine-method call of a chain, below its last link."""
    found: cst.Call | None = None
    node: cst.BaseExpression = expression
    while True:
        if isinstance(node, cst.Call):
            if node is not expression and _last_name(node.func) in _ALL_COROUTINES:
                found = node
            node = node.func
        elif isinstance(node, cst.Attribute | cst.Subscript):
            node = node.value
        else:
            return found


def _plain_chain(expression: cst.BaseExpression, stop: cst.Call) -> bool:
    """Whether `expression` is `stop` followed by sync-result method calls only."""
    node: cst.BaseExpression = expression
    while node is not stop:
        if isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Attribute) and node.attr.value in RESULT_METHODS:
            node = node.value
        else:
            return False
    return True


class _DeferredUse(cst.CSTVisitor):
    """Finds `name` inside an `await` expression or a scheduler call."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.found = False
        self._depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Await(self, node: cst.Await) -> None:
        self._depth += 1

    def leave_Await(self, original_node: cst.Await) -> None:
        self._depth -= 1

    def visit_Call(self, node: cst.Call) -> None:
        if _last_name(node.func) in _CONSUMERS:
            self._depth += 1

    def leave_Call(self, original_node: cst.Call) -> None:
        if _last_name(original_node.func) in _CONSUMERS:
            self._depth -= 1

    def visit_Name(self, node: cst.Name) -> None:
        if self._depth and node.value == self.name:
            self.found = True
