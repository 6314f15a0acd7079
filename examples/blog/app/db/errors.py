"""Reading PostgreSQL error details out of SQLAlchemy exceptions.

Two questions the rest of the app asks about a database error: which unique
constraint did it violate (`violated_unique_constraint`, for a 409 that names the
field), and is it one of the failures a client should simply retry later
(`classify_failure`, for the 503/504/409 answers of `app.errors`).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

UNIQUE_VIOLATION = "23505"
# statement_timeout fired (also what pg_cancel_backend causes).
QUERY_CANCELED = "57014"
DEADLOCK_DETECTED = "40P01"
SERIALIZATION_FAILURE = "40001"
# Class 57P: the server is shutting down, restarting or killed this backend
# (pg_terminate_backend); class 08: the connection itself failed.
SERVER_GOING_AWAY_PREFIX = "57P"
CONNECTION_EXCEPTION_PREFIX = "08"


class DatabaseFailure(StrEnum):
    """A database failure that says nothing about the request, only about timing."""

    POOL_EXHAUSTED = "pool_exhausted"  # no pooled connection within pool_timeout
    UNAVAILABLE = "unavailable"  # connection lost or refused; the server went away
    TIMEOUT = "timeout"  # the server cancelled a statement (statement_timeout)
    CONCURRENT_UPDATE = "concurrent_update"  # deadlock or serialization failure


def sqlstate_of(exc: DBAPIError) -> str | None:
    """The SQLSTATE PostgreSQL sent with the error, if it sent one."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return sqlstate if isinstance(sqlstate, str) else None


def classify_failure(exc: BaseException) -> DatabaseFailure | None:
    """What kind of transient failure `exc` is, or None for any other error.

    A connection lost in the middle of a request shows up as a DBAPIError with
    `connection_invalidated` set; SQLAlchemy has already discarded that connection,
    and pool_pre_ping replaces any other dead one at its next checkout. A
    connection that cannot be opened at all (server down, restarting) comes out of
    asyncpg as an `OSError` (refused, or `TimeoutError` after `connect_timeout`).
    """
    if isinstance(exc, PoolTimeoutError):
        return DatabaseFailure.POOL_EXHAUSTED
    if isinstance(exc, OSError):
        return DatabaseFailure.UNAVAILABLE
    if not isinstance(exc, DBAPIError):
        return None
    sqlstate = sqlstate_of(exc) or ""
    if exc.connection_invalidated or sqlstate.startswith(
        (SERVER_GOING_AWAY_PREFIX, CONNECTION_EXCEPTION_PREFIX)
    ):
        return DatabaseFailure.UNAVAILABLE
    if sqlstate == QUERY_CANCELED:
        return DatabaseFailure.TIMEOUT
    if sqlstate in (DEADLOCK_DETECTED, SERIALIZATION_FAILURE):
        return DatabaseFailure.CONCURRENT_UPDATE
    return None


def violated_unique_constraint(exc: IntegrityError) -> str | None:
    """The name of the unique constraint `exc` violated, or None for other errors.

    SQLAlchemy wraps the driver's exception: `exc.orig` is the asyncpg adapter's
    error carrying the SQLSTATE, and its `__cause__` is asyncpg's own exception,
    which knows the constraint name. Matching on the name (fixed by the naming
    convention) tells a duplicate email from any other unique violation.
    """
    if sqlstate_of(exc) != UNIQUE_VIOLATION:
        return None
    name = getattr(exc.orig.__cause__, "constraint_name", None) if exc.orig else None
    return name if isinstance(name, str) else None
