"""ALC208: a blocking call in an `async def` that holds an AsyncSession open."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from sqla_checks.contract.rule import Bad, Good, Rule
from sqla_checks.evidence.sessions import sqla_or_typing_symbol
from sqla_checks.evidence.sqlalchemy_api import Kind

if TYPE_CHECKING:
    from sqla_checks.evidence.context import FileContext

_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
# Qualified name -> (what to use instead, the ruff rule covering it everywhere).
_BLOCKING: dict[str, tuple[str, str]] = {
    "time.sleep": ("`await asyncio.sleep(...)`", "ASYNC251"),
    "urllib.request.urlopen": ("`httpx.AsyncClient`", "ASYNC210"),
    **{f"requests.{verb}": ("`httpx.AsyncClient`", "ASYNC210") for verb in _HTTP_VERBS},
    **{f"httpx.{verb}": ("`httpx.AsyncClient`", "ASYNC210") for verb in (*_HTTP_VERBS, "stream")},
    **{
        f"subprocess.{name}": ("`asyncio.create_subprocess_exec(...)`", "ASYNC221")
        for name in ("run", "call", "check_call", "check_output")
    },
}
_OPEN_ADVICE = (
    "`anyio.open_file(...)` / `anyio.Path`, or `await asyncio.to_thread(...)`",
    "ASYNC230",
)
_PATH_ADVICE = ("`anyio.Path(...)` or `await asyncio.to_thread(...)`", "ASYNC240")
_PATH_METHODS = frozenset({"read_text", "read_bytes", "write_text", "write_bytes", "open"})
_PATH_CLASSES = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath"})
_NAMES = frozenset({"sleep", "urlopen", "open", *_HTTP_VERBS, "stream", "run", "call",
                    "check_call", "check_output", *_PATH_METHODS})  # fmt: skip

_MESSAGE = (
    "blocking `{call}()` while an AsyncSession is open: it stalls the event loop and keeps "
    "the session's pooled connection checked out; use {instead} (ruff {ruff} covers this in "
    "any async function)"
)


class BlockingCallInSession(Rule):
    """Flags blocking calls (sleep, sync HTTP, file I/O) while an AsyncSession is open."""

    code = "ALC208"
    name = "blocking-call-in-session"
    message = _MESSAGE.format(
        call="time.sleep", instead="`await asyncio.sleep(...)`", ruff="ASYNC251"
    )
    why = """
A blocking call inside `async def` freezes the event loop: no other request makes
progress until it returns. With an AsyncSession open the damage doubles, because the
session usually holds a pooled connection (and an open transaction) for the whole
wait. Other requests then queue for the pool as well as for the loop, and PostgreSQL
sees a connection "idle in transaction" that holds its locks
[claim: alc208-idle-in-transaction]. This holds for any
asyncio application using SQLAlchemy's AsyncSession (1.4+, 2.x). Use the async
equivalent, or finish the database work and close the session before slow work.
ruff's `ASYNC` rules (ASYNC210, ASYNC221, ASYNC230, ASYNC240, ASYNC251) flag these calls
in every async function [claim: alc208-ruff-async-rules]; this rule points out the
ones that also hold a session.
"""
    example = """\
import requests
from app.models import Post
from sqlalchemy.ext.asyncio import AsyncSession

WEBHOOK_URL = "https://hooks.example.com/published"


async def publish(session: AsyncSession, post_id: int) -> None:
    post = await session.get(Post, post_id)
    post.published = True
    requests.post(WEBHOOK_URL, json={"id": post_id}, timeout=10)
    await session.commit()"""
    use_instead = """\
import httpx
from app.models import Post
from sqlalchemy.ext.asyncio import AsyncSession

WEBHOOK_URL = "https://hooks.example.com/published"


async def publish(session: AsyncSession, http: httpx.AsyncClient, post_id: int) -> None:
    post = await session.get(Post, post_id)
    post.published = True
    await session.commit()
    await http.post(WEBHOOK_URL, json={"id": post_id}, timeout=10)"""
    blind_spots = """
A session counts as open when the function has a parameter known to be an AsyncSession
(annotation or same-module `Depends()`), from `async with factory() as s` (inside that
block), or from an assignment such as `s = factory()` (from there on). Recognised
blocking calls: `time.sleep`, `requests.*` and `httpx.*` module-level HTTP functions,
`urllib.request.urlopen`, `subprocess.run/call/check_call/check_output`, the builtin
`open()` and `read_text`/`write_text`/... on a `pathlib.Path(...)` built in the same
expression. Blocking calls hidden in helpers, sync clients held in variables
(`client = httpx.Client()`), and sessions on `self` are not seen. Neither are
sessions known only because the function awaits session coroutines on them, sessions
typed with a union (`Session | AsyncSession`), and sessions from another module.
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/orm/extensions/asyncio.html",
        "https://docs.astral.sh/ruff/rules/#flake8-async-async",
        "https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code",
    )
    triggers = ("async def",)
    examples = (
        Bad(
            """
            import time

            from sqlalchemy.ext.asyncio import AsyncSession

            async def retry_update(session: AsyncSession) -> None:
                time.sleep(1)
                await session.commit()
            """,
            line=6,
            column=5,
        ),
        Bad(
            """
            import requests
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(engine, expire_on_commit=False)

            async def sync_feed(url: str) -> None:
                async with SessionLocal() as session:
                    data = requests.get(url, timeout=10).json()
                    session.add(Feed(**data))
                    await session.commit()
            """,
            line=8,
            column=16,
        ),
        Bad(
            """
            from pathlib import Path

            from fastapi import Depends
            from sqlalchemy.ext.asyncio import AsyncSession

            async def import_posts(session: AsyncSession = Depends(get_session)) -> None:
                raw = Path("posts.json").read_text()
            """,
            line=7,
            column=11,
        ),
        Good(
            """
            import asyncio

            from sqlalchemy.ext.asyncio import AsyncSession

            async def retry_update(session: AsyncSession) -> None:
                await asyncio.sleep(1)
                await session.commit()
            """
        ),
        Good(
            """
            import time

            async def backoff() -> None:
                time.sleep(1)
            """,
            note="no session in scope: ruff's ASYNC251 covers it",
        ),
        Good(
            """
            import requests
            from sqlalchemy.ext.asyncio import async_sessionmaker

            SessionLocal = async_sessionmaker(engine, expire_on_commit=False)

            async def sync_feed(url: str) -> None:
                async with SessionLocal() as session:
                    await session.commit()
                data = requests.get(url, timeout=10).json()
            """,
            note="after the `async with` block the session is closed",
        ),
        Good(
            """
            import asyncio
            import time

            from sqlalchemy.ext.asyncio import AsyncSession

            async def work(session: AsyncSession) -> None:
                await asyncio.to_thread(time.sleep, 1)
                def inner() -> None:
                    time.sleep(1)
            """,
            note="moved to a thread; a nested plain def is not the loop's code",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        # Open sessions per enclosing function (innermost last), and per `with` statement.
        self._open: list[int] = []
        self._with_counts: list[int] = []

    @classmethod
    def applies_to_text(cls, text: str) -> bool:
        return "async def" in text and "sqlalchemy" in text

    # -- which sessions are open -----------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        count = 0
        if node.asynchronous is not None:
            params = node.params
            for param in (*params.posonly_params, *params.params, *params.kwonly_params):
                if self._param_is_session(param):
                    count += 1
        self._open.append(count)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._open.pop()

    def _param_is_session(self, param: cst.Param) -> bool:
        sessions = self.context.sessions
        if param.annotation is not None:
            return sessions.annotation_kind(param.annotation.annotation) is Kind.ASYNC_SESSION
        default = param.default
        if (
            isinstance(default, cst.Call)
            and sqla_or_typing_symbol(self.context.imports, default.func) == "Depends"
        ):
            return self.context.kind_of(param.name) is Kind.ASYNC_SESSION
        return False

    def visit_With(self, node: cst.With) -> None:
        count = 0
        if self._open and self.context.in_async_function:
            count = sum(
                1 for item in node.items if self.context.kind_of(item.item) is Kind.ASYNC_SESSION
            )
            self._open[-1] += count
        self._with_counts.append(count)

    def leave_With(self, original_node: cst.With) -> None:
        count = self._with_counts.pop()
        if count and self._open:
            self._open[-1] -= count

    def visit_Assign(self, node: cst.Assign) -> None:
        self._assigned(node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assigned(node.value)

    def _assigned(self, value: cst.BaseExpression) -> None:
        # `session = factory()`: open from here to the end of the function.
        if (
            self._open
            and isinstance(value, cst.Call)
            and self.context.in_async_function
            and self.context.kind_of(value) is Kind.ASYNC_SESSION
        ):
            self._open[-1] += 1

    # -- the check ----------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        if not (self._open and self._open[-1] and self.context.in_async_function):
            return
        func = node.func
        if isinstance(func, cst.Name):
            last = func.value
        elif isinstance(func, cst.Attribute):
            last = func.attr.value
        else:
            return
        if last not in _NAMES:
            return
        found = self._blocking(func)
        if found is not None:
            call, (instead, ruff) = found
            self.report(node, _MESSAGE.format(call=call, instead=instead, ruff=ruff))

    def _blocking(self, func: cst.BaseExpression) -> tuple[str, tuple[str, str]] | None:
        qualified = self.context.qualified_name(func)
        if qualified in _BLOCKING:
            return qualified, _BLOCKING[qualified]
        if isinstance(func, cst.Name) and func.value == "open" and qualified is None:
            return "open", _OPEN_ADVICE
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in _PATH_METHODS
            and isinstance(func.value, cst.Call)
            and self.context.qualified_name(func.value.func) in _PATH_CLASSES
        ):
            return f"Path.{func.attr.value}", _PATH_ADVICE
        return None
