"""Count the SQL statements the app sends, to pin the query budget of an endpoint.

An N+1 bug does not fail a functional test: the page still renders, only with one
query per row. Pinning the exact number of statements per request turns such a
regression (a dropped `selectinload`, a new lazy relationship) into a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

# The per-test transaction wraps each session in a SAVEPOINT; production runs
# without them, so they are not part of an endpoint's budget.
_HOUSEKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@dataclass
class QueryLog:
    """The statements seen while the `count_queries` block was open."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many statements were executed."""
        return len(self.statements)

    def __str__(self) -> str:
        numbered = (f"{n}. {' '.join(sql.split())}" for n, sql in enumerate(self.statements, 1))
        return f"{self.count} statements:\n" + "\n".join(numbered)


@contextmanager
def count_queries(engine: AsyncEngine) -> Iterator[QueryLog]:
    """Record every statement executed through `engine` inside the block.

    The listener goes on `engine.sync_engine`: events are a sync-engine feature,
    and AsyncEngine delegates all execution to it.
    """
    log = QueryLog()

    def before_cursor_execute(
        conn: Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if not statement.lstrip().upper().startswith(_HOUSEKEEPING):
            log.statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield log
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before_cursor_execute)
