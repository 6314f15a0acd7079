"""The catalogue of SQLAlchemy API facts the rules rely on, written down once.

Which objects the evidence can tell apart (`Kind`: a role, sync or asyncio), what
constructing or calling them returns, which of their methods are coroutines, which do
I/O, how the legacy `Query` chain is built, and which release brought each API a fix
writes (`Feature`, checked against the project's target version). Rules read these facts; none keeps
its own copy. Method lists were read from the SQLAlchemy 2.0 and 2.1 sources (2.1.9
where they differ); the comments say where a fact comes from or why a name is left
out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Role(Enum):
    """What an object is for, whatever its flavour."""

    SESSION = "session"
    CONNECTION = "connection"
    ENGINE = "engine"
    FACTORY = "session factory"


class Kind(Enum):
    """A kind of object the evidence recognises: its role, and whether it is asyncio."""

    SYNC_SESSION = (Role.SESSION, False)
    ASYNC_SESSION = (Role.SESSION, True)
    SYNC_CONNECTION = (Role.CONNECTION, False)
    ASYNC_CONNECTION = (Role.CONNECTION, True)
    SYNC_ENGINE = (Role.ENGINE, False)
    ASYNC_ENGINE = (Role.ENGINE, True)
    SYNC_FACTORY = (Role.FACTORY, False)
    ASYNC_FACTORY = (Role.FACTORY, True)

    role: Role
    asynchronous: bool

    def __init__(self, role: Role, asynchronous: bool) -> None:
        self.role = role
        self.asynchronous = asynchronous

    @property
    def session_made(self) -> Kind | None:
        """The kind of session a factory of this kind makes when called."""
        if self is Kind.SYNC_FACTORY:
            return Kind.SYNC_SESSION
        if self is Kind.ASYNC_FACTORY:
            return Kind.ASYNC_SESSION
        return None


# The asyncio classes, by kind (the names messages use).
ASYNC_CLASS_NAMES: dict[Kind, str] = {
    Kind.ASYNC_SESSION: "AsyncSession",
    Kind.ASYNC_CONNECTION: "AsyncConnection",
    Kind.ASYNC_ENGINE: "AsyncEngine",
}

# Names without which no async session, connection or engine can be recognised in a
# module (annotations, constructors, factories): a cheap text prefilter.
ASYNC_EVIDENCE = (
    "AsyncSession",
    "AsyncConnection",
    "AsyncEngine",
    "async_sessionmaker",
    "async_scoped_session",
    "create_async_engine",
    "async_engine_from_config",
)

# -- what names and calls evaluate to -------------------------------------------------

# Annotations naming a SQLAlchemy type, by public name.
ANNOTATION_KINDS: dict[str, Kind] = {
    "Session": Kind.SYNC_SESSION,
    "scoped_session": Kind.SYNC_SESSION,
    "AsyncSession": Kind.ASYNC_SESSION,
    "async_scoped_session": Kind.ASYNC_SESSION,
    "Connection": Kind.SYNC_CONNECTION,
    "AsyncConnection": Kind.ASYNC_CONNECTION,
    "Engine": Kind.SYNC_ENGINE,
    "AsyncEngine": Kind.ASYNC_ENGINE,
    "sessionmaker": Kind.SYNC_FACTORY,
    "async_sessionmaker": Kind.ASYNC_FACTORY,
}

# What calling a SQLAlchemy constructor returns. `sessionmaker(class_=AsyncSession)`
# makes async sessions (see `evidence.sessions.async_class_argument`).
CONSTRUCTOR_KINDS: dict[str, Kind] = {
    "Session": Kind.SYNC_SESSION,
    "AsyncSession": Kind.ASYNC_SESSION,
    "scoped_session": Kind.SYNC_SESSION,
    "async_scoped_session": Kind.ASYNC_SESSION,
    "create_engine": Kind.SYNC_ENGINE,
    "engine_from_config": Kind.SYNC_ENGINE,
    "create_async_engine": Kind.ASYNC_ENGINE,
    "async_engine_from_config": Kind.ASYNC_ENGINE,
    "sessionmaker": Kind.SYNC_FACTORY,
    "async_sessionmaker": Kind.ASYNC_FACTORY,
}

# What calling a method on a known object returns (`engine.connect()` and so on).
METHOD_RESULTS: dict[tuple[Kind, str], Kind] = {
    (Kind.SYNC_ENGINE, "connect"): Kind.SYNC_CONNECTION,
    (Kind.SYNC_ENGINE, "begin"): Kind.SYNC_CONNECTION,
    (Kind.ASYNC_ENGINE, "connect"): Kind.ASYNC_CONNECTION,
    (Kind.ASYNC_ENGINE, "begin"): Kind.ASYNC_CONNECTION,
    (Kind.SYNC_FACTORY, "begin"): Kind.SYNC_SESSION,
    (Kind.ASYNC_FACTORY, "begin"): Kind.ASYNC_SESSION,
    # `execution_options()` returns a connection or engine of the same kind (2.1.9
    # engine/base.py, ext/asyncio/engine.py; the AsyncConnection one once awaited),
    # so `conn = conn.execution_options(...)` keeps what `conn` is.
    (Kind.SYNC_CONNECTION, "execution_options"): Kind.SYNC_CONNECTION,
    (Kind.ASYNC_CONNECTION, "execution_options"): Kind.ASYNC_CONNECTION,
    (Kind.SYNC_ENGINE, "execution_options"): Kind.SYNC_ENGINE,
    (Kind.ASYNC_ENGINE, "execution_options"): Kind.ASYNC_ENGINE,
}

# -- methods, by kind -----------------------------------------------------------------

# `async def` methods, read from the 2.1.9 sources of AsyncSession,
# async_scoped_session (which adds `remove`), AsyncConnection and AsyncEngine.
# `begin()`/`begin_nested()`/`connect()` are left out: they return objects used
# with `async with` (or awaited), and calling them bare is not a missing `await`.
# So are AsyncConnection's `stream()`/`stream_scalars()`: plain methods returning an
# async context manager; `await conn.stream(stmt)` would close the result it returns.
COROUTINE_METHODS: dict[Kind, frozenset[str]] = {
    Kind.ASYNC_SESSION: frozenset(
        {
            "aclose",
            "close",
            "close_all",
            "commit",
            "connection",
            "delete",
            "delete_all",
            "execute",
            "flush",
            "get",
            "get_one",
            "invalidate",
            "merge",
            "merge_all",
            "refresh",
            "remove",
            "reset",
            "rollback",
            "run_sync",
            "scalar",
            "scalars",
            "stream",
            "stream_scalars",
        }
    ),
    Kind.ASYNC_CONNECTION: frozenset(
        {
            "aclose",
            "close",
            "commit",
            "exec_driver_sql",
            "execute",
            "execution_options",
            "get_isolation_level",
            "get_raw_connection",
            "invalidate",
            "rollback",
            "run_sync",
            "scalar",
            "scalars",
            "start",
        }
    ),
    Kind.ASYNC_ENGINE: frozenset({"dispose", "raw_connection"}),
}

# Plain (non-async) methods of AsyncSession, async_scoped_session and
# AsyncConnection (2.1.9 sources). Each returns None, a bool or a sync object, none
# of which can be awaited. `get_transaction` returns the current
# AsyncSessionTransaction, which is awaitable only to start it: it is already started,
# so awaiting it raises too. Methods returning something awaitable (`begin`,
# `begin_nested`, `get_async_bind`) are left out: awaiting those is legal.
PLAIN_METHODS_OF_ASYNC: dict[Kind, frozenset[str]] = {
    Kind.ASYNC_SESSION: frozenset(
        {
            "add",
            "add_all",
            "expire",
            "expire_all",
            "expunge",
            "expunge_all",
            "is_modified",
            "in_transaction",
            "in_nested_transaction",
            "get_transaction",
            "get_nested_transaction",
            "get_bind",
            "bind_mapper",
            "bind_table",
        }
    ),
    Kind.ASYNC_CONNECTION: frozenset(
        {"in_transaction", "in_nested_transaction", "get_transaction", "get_nested_transaction"}
    ),
}

# Awaited on a receiver of unknown kind, these `AsyncSession` coroutines show it is an
# asyncio session: a sync `Session` returns a `Result` or `None` from them, which
# cannot be awaited. `get`, `delete`, `close` and the like are left out: HTTP, cache
# and driver clients have coroutines of those names too. `execute` with a string
# literal is a driver's (asyncpg, aiosqlite): SQLAlchemy 2.x needs `text()` there.
SESSION_PROOF_METHODS = frozenset(
    {
        "commit", "delete_all", "execute", "flush", "get_one", "merge", "merge_all",
        "refresh", "rollback", "run_sync", "scalar", "scalars", "stream", "stream_scalars",
    }
)  # fmt: skip
# Also awaitable on an `AsyncSession` (they return awaitable transactions): awaiting
# these neither proves nor disproves one. Any other awaited method shows the receiver
# is something else.
AWAITABLE_NON_COROUTINES_OF_ASYNC_SESSION = frozenset({"begin", "begin_nested"})

# Methods of the sync objects that talk to the database (or check out a connection).
# Bookkeeping methods such as `Session.add` do no I/O by themselves. `execute` and
# `scalar` on an engine no longer exist in 2.x (implicit execution, ALC108).
IO_METHODS_OF_SYNC: dict[Kind, frozenset[str]] = {
    Kind.SYNC_SESSION: frozenset(
        {
            "query", "execute", "scalar", "scalars", "get", "get_one", "commit",
            "rollback", "flush", "refresh", "merge", "delete", "close", "connection",
            "begin", "begin_nested", "bulk_save_objects", "bulk_insert_mappings",
            "bulk_update_mappings",
        }
    ),
    Kind.SYNC_CONNECTION: frozenset(
        {
            "execute", "exec_driver_sql", "scalar", "scalars", "commit", "rollback",
            "begin", "begin_nested", "close",
        }
    ),
    Kind.SYNC_ENGINE: frozenset({"connect", "begin", "raw_connection", "dispose"}),
    Kind.SYNC_FACTORY: frozenset({"begin"}),
}  # fmt: skip

# `MetaData` methods that run DDL or reflection on the bind they are given; they need
# a sync Engine or Connection.
METADATA_BIND_METHODS = frozenset({"create_all", "drop_all", "reflect"})

# Methods of a session or connection that take a statement to run.
STATEMENT_METHODS = frozenset({"execute", "scalar", "scalars", "stream", "stream_scalars"})

# Methods whose awaited value is a buffered, sync `Result` / `ScalarResult`, and the
# methods of those results.
BUFFERED_RESULT_METHODS = frozenset({"execute", "scalars"})
RESULT_METHODS = frozenset(
    {
        "all",
        "columns",
        "fetchall",
        "fetchmany",
        "fetchone",
        "first",
        "mappings",
        "one",
        "one_or_none",
        "partitions",
        "scalar",
        "scalar_one",
        "scalar_one_or_none",
        "scalars",
        "tuples",
        "unique",
    }
)

# -- the legacy Query -----------------------------------------------------------------

# Query builder methods with an exact `Select` counterpart in SQLAlchemy 2.x
# (legacy name -> 2.x name). In 2.x `Query` compiles to the very `Select` these
# build, so the SQL is the same; `filter` is spelled `where`, its 2.x name.
QUERY_BUILDERS: dict[str, str] = {
    "filter": "where",
    "where": "where",
    "filter_by": "filter_by",
    "order_by": "order_by",
    "limit": "limit",
    "offset": "offset",
    "join": "join",
    "outerjoin": "outerjoin",
    "options": "options",
    "distinct": "distinct",
    "with_for_update": "with_for_update",
}
# Methods that run the query and return rows, objects or a number.
QUERY_RUNNERS = frozenset({"all", "first", "one", "one_or_none", "scalar", "count"})
# Other methods that end a Query (their result is not a Query any more).
QUERY_OTHER_ENDS = frozenset(
    {
        "get",
        "update",
        "delete",
        "exists",
        "subquery",
        "scalar_subquery",
        "cte",
        "union",
        "union_all",
        "paginate",
        "get_or_404",
        "first_or_404",
        "one_or_404",
    }
)
# Builder methods that add a FROM entity: `filter_by` after them targets the joined one.
QUERY_JOINS = frozenset({"join", "outerjoin"})

# Column-expression constructors whose result in `query(...)` is a column, not an entity.
COLUMN_CONSTRUCTORS = frozenset(
    {"literal_column", "literal", "cast", "case", "type_coerce", "extract", "coalesce"}
)

# -- which release brought what a fix writes -------------------------------------------


@dataclass(frozen=True, order=True)
class Release:
    """A SQLAlchemy release, `major.minor.patch` (a series such as 1.4 is 1.4.0)."""

    major: int
    minor: int
    patch: int = 0

    def __str__(self) -> str:
        base = f"{self.major}.{self.minor}"
        return f"{base}.{self.patch}" if self.patch else base


@dataclass(frozen=True)
class Target:
    """The oldest release a project's code must run on, and where that was read.

    `label` is how messages name it: `SQLAlchemy 1.4 (target-sqlalchemy)`, or the
    declared dependency, `SQLAlchemy>=1.4,<3 (pyproject.toml)`.
    """

    release: Release
    label: str

    def lacks(self, feature: Feature) -> bool:
        """Whether the oldest targeted release predates `feature`."""
        return self.release < feature.since


@dataclass(frozen=True)
class Feature:
    """An API (or behaviour) a fix writes, and the first release that has it.

    `names` are the public names that spell it: compatibility code that binds one of
    them under a version guard shows the project also runs on releases without it.
    """

    api: str
    since: Release
    names: tuple[str, ...] = ()


# Each `since` is the `versionadded`/`versionchanged` note of the 2.1.9 docstrings.
# select(User) with positional arguments ("select() now accepts column arguments
# positionally"), and case(*whens) likewise.
POSITIONAL_SELECT = Feature("`select()` / `case()` with positional arguments", Release(1, 4))
# "Added Session.get(), which is moved from the now deprecated Query.get()".
SESSION_GET = Feature("`Session.get()`", Release(1, 4))
# "Added Session.scalars()": the select() rewrite runs ORM statements with it.
SESSION_SCALARS = Feature("`Session.scalars()`", Release(1, 4, 24))
# declarative_base() "moves to the sqlalchemy.orm package from the declarative.ext
# package" (with declared_attr and the other moved names).
ORM_DECLARATIVE_NAMES = Feature("the declarative names in `sqlalchemy.orm`", Release(1, 4))
# `Mapped` itself exists since 1.4 (for the mypy plugin); mapping from `Mapped[]`
# annotations and `mapped_column()` are 2.0.
MAPPED_COLUMN = Feature("`mapped_column()`", Release(2, 0), ("mapped_column", "Mapped"))
DECLARATIVE_BASE = Feature("`DeclarativeBase`", Release(2, 0), ("DeclarativeBase",))
ASYNC_SESSIONMAKER = Feature("`async_sessionmaker`", Release(2, 0), ("async_sessionmaker",))
# On 1.4 `future=True` switches Engine and Session to 2.0 transaction behaviour (no
# library autocommit); only from 2.0 on is that the one behaviour, the flag a no-op.
FUTURE_ONLY = Feature("2.0 transactions without `future=True`", Release(2, 0))
