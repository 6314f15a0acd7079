"""Reading PostgreSQL error details out of SQLAlchemy exceptions."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

UNIQUE_VIOLATION = "23505"


def violated_unique_constraint(exc: IntegrityError) -> str | None:
    """The name of the unique constraint `exc` violated, or None for other errors.

    SQLAlchemy wraps the driver's exception: `exc.orig` is the asyncpg adapter's
    error carrying the SQLSTATE, and its `__cause__` is asyncpg's own exception,
    which knows the constraint name. Matching on the name (fixed by the naming
    convention) tells a duplicate email from any other unique violation.
    """
    if getattr(exc.orig, "sqlstate", None) != UNIQUE_VIOLATION:
        return None
    name = getattr(exc.orig.__cause__, "constraint_name", None) if exc.orig else None
    return name if isinstance(name, str) else None
