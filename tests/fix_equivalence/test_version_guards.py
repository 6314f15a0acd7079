"""Compatibility code keeps working after `--fix`: version guards are left as written.

Each program picks an API by the installed SQLAlchemy release, the way libraries
that support several releases do, and stands in for an older release than the one
installed by removing what that release lacked (and, where the guard reads it, by
setting its version string). `--fix` (safe, then unsafe) must leave a program that
prints what it printed before. Before version guards were recognised, the fixes
rewrote the old release's branch into the new API, or imported a name the guard had
kept away from module level, and these programs crashed.

The programs use no database: what they print is which objects the guards chose.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.fix_equivalence.programs import fix_or_none, run_program

TRY_GUARD = textwrap.dedent(
    """\
    import sqlalchemy.orm

    # Stands in for SQLAlchemy 1.3, whose sqlalchemy.orm has no declarative_base.
    del sqlalchemy.orm.declarative_base

    try:
        from sqlalchemy.orm import declarative_base
    except ImportError:
        from sqlalchemy.ext.declarative import declarative_base

    from sqlalchemy.orm import sessionmaker

    Base = declarative_base()
    SessionLocal = sessionmaker(autocommit=False)
    print(declarative_base.__module__, type(Base).__name__, type(SessionLocal()).__name__)
    """
)

VERSION_GUARD = textwrap.dedent(
    """\
    import sqlalchemy
    import sqlalchemy.ext.asyncio

    # Stands in for SQLAlchemy 1.4: its version string, and no async_sessionmaker.
    sqlalchemy.__version__ = "1.4.54"
    del sqlalchemy.ext.asyncio.async_sessionmaker

    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.orm import sessionmaker

    SQLALCHEMY_VERSION = tuple(int(part) for part in sqlalchemy.__version__.split(".")[:2])
    if SQLALCHEMY_VERSION >= (2, 0):
        from sqlalchemy.ext.asyncio import async_sessionmaker

        Factory = async_sessionmaker(expire_on_commit=False)
    else:
        Factory = sessionmaker(class_=AsyncSession, expire_on_commit=False)

    SyncFactory = sessionmaker(autocommit=False)
    print(type(Factory).__name__, type(Factory()).__name__, type(SyncFactory()).__name__)
    """
)

PROGRAMS = {"try-except-import-error": TRY_GUARD, "version-tuple": VERSION_GUARD}


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("source", PROGRAMS.values(), ids=PROGRAMS.keys())
def test_guarded_program_prints_the_same_after_fix(source: str, unsafe: bool) -> None:
    before = run_program(source, database_url="")
    assert before.returncode == 0, before.describe()
    assert before.stdout.strip(), "the program printed nothing"
    fixed = fix_or_none(source, unsafe=unsafe)
    # `autocommit=False` outside the guards is still dropped: the run is not vacuous.
    assert fixed is not None
    assert "sessionmaker(autocommit=False)" not in fixed
    after = run_program(fixed, database_url="")
    assert after.returncode == 0, after.describe()
    assert after.stdout == before.stdout
