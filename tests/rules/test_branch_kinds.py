"""Receivers' kinds are tracked per branch: a name bound to an async engine on one
path and a sync engine on another is unknown where both paths meet (ALC202, ALC203)."""

from __future__ import annotations

import textwrap

import pytest

from sqla_checks.rules.alc202_missing_await import MissingAwait
from sqla_checks.rules.alc203_await_on_sync_method import AwaitOnSyncMethod
from tests.rules.lint import lint

HEADER = """\
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import create_async_engine

URL = "postgresql+asyncpg://app@localhost/blog"


"""


def _lines(body: str) -> list[int]:
    result = lint([MissingAwait, AwaitOnSyncMethod], HEADER + textwrap.dedent(body), dedent=False)
    offset = HEADER.count("\n")
    return [f.start.line - offset for f in result.findings]


@pytest.mark.parametrize(
    "body",
    [
        # if/else: each arm sees its own binding; after the `if`, the kind is unknown.
        """
        async def main(flag: bool) -> None:
            if flag:
                engine = create_async_engine(URL)
                await engine.dispose()
            else:
                engine = create_engine(URL)
                engine.dispose()
            engine.dispose()
        """,
        # elif chain, and the module level
        """
        if URL.startswith("a"):
            engine = create_async_engine(URL)
        elif URL.startswith("b"):
            engine = create_engine(URL)
        else:
            engine = create_async_engine(URL)


        async def stop() -> None:
            engine.dispose()
        """,
        # try/except: the handler may run after either binding
        """
        async def main() -> None:
            try:
                engine = create_async_engine(URL)
            except ImportError:
                engine = create_engine(URL)
                engine.dispose()
            engine.dispose()
        """,
        # a loop: the second iteration sees the binding made at the end of the first
        """
        async def main() -> None:
            engine = create_async_engine(URL)
            for _ in range(2):
                engine.dispose()
                engine = create_engine(URL)
            engine.dispose()
        """,
        # a rebinding in straight-line code replaces the kind
        """
        async def main() -> None:
            engine = create_async_engine(URL)
            await engine.dispose()
            engine = create_engine(URL)
            engine.dispose()
        """,
        # a rebinding without evidence makes the name unknown
        """
        async def main(make) -> None:
            engine = create_async_engine(URL)
            engine = make()
            engine.dispose()
        """,
        # `self.engine` set to different kinds
        """
        class Store:
            def __init__(self, flag: bool) -> None:
                if flag:
                    self.engine = create_async_engine(URL)
                else:
                    self.engine = create_engine(URL)

            async def close(self) -> None:
                self.engine.dispose()
        """,
    ],
    ids=[
        "if-else",
        "elif-module-level",
        "try-except",
        "loop",
        "rebinding",
        "unknown-rebinding",
        "self-attribute",
    ],
)
def test_a_use_reached_by_different_kinds_is_not_reported(body: str) -> None:
    assert _lines(body) == []


def test_a_use_every_path_agrees_on_is_still_reported() -> None:
    body = """
    async def main(flag: bool) -> None:
        if flag:
            engine = create_async_engine(URL)
        else:
            engine = create_async_engine(URL + "?x=1")
        engine.dispose()
        for _ in range(2):
            engine.dispose()
        try:
            engine.dispose()
        except ValueError:
            pass
    """
    assert _lines(body) == [7, 9, 11]


def test_a_loop_body_binding_is_seen_inside_the_same_iteration() -> None:
    body = """
    async def main() -> None:
        for _ in range(2):
            engine = create_async_engine(URL)
            engine.dispose()
    """
    assert _lines(body) == [5]
