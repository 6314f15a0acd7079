"""The version matrix: the rule, fix, fix-equivalence and claim tests and both example
projects' suites, each cell in a virtualenv of its own.

    nox -l                       # list the cells
    nox -s "matrix(sqlalchemy='2.1')"
    nox -s lowest
    nox                          # every cell, one after the other

Cells:
- `matrix(sqlalchemy='2.0')` and `matrix(sqlalchemy='2.1')`: the newest SQLAlchemy of
  that series with the newest release of everything else;
- `lowest`: every package of the stack at the lowest version pyproject.toml allows
  (its `>=` bounds are the single source, read below), SQLAlchemy included.

The PostgreSQL server comes from DATABASE_URL when it is set, else each cell starts an
embedded one, exactly as the default test suite does.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import nox
from packaging.requirements import Requirement

nox.options.sessions = ["matrix", "lowest"]
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).resolve().parent

# The stack whose versions the pack claims to support (README "Supported versions").
STACK = ("sqlalchemy", "alembic", "fastapi", "pydantic", "pydantic-settings", "asyncpg")

# The tests whose outcome depends on those versions, and every test that proves a
# `[claim: id]` (tests/claims/test_claim_index.py keeps claim tests inside these paths);
# the rest of the suite (ruff, mypy, output formats, docs layout) is version-independent
# and runs once, in the main venv.
MATRIX_TESTS = (
    "tests/rules",
    "tests/test_rule_examples.py",
    "tests/cli/test_fix.py",
    "tests/cli/test_exit_codes.py",
    "tests/cli/test_configuration.py",
    "tests/cli/test_noqa.py",
    "tests/cli/test_console_script.py",
    "tests/engine/test_prefilter.py",
    "tests/test_legacy_upgrade.py",
    "tests/fix_equivalence",
    "tests/test_examples.py",
    "tests/claims",
)

# The environment variable that tells a test which cell it runs in (the cell's name:
# "2.0", "2.1" or "lowest"); tests/claims/test_supported_versions.py reads it.
CELL_VARIABLE = "SQLA_SKILLPACK_MATRIX_CELL"

SERIES = {"2.0": "sqlalchemy[asyncio]>=2.0,<2.1", "2.1": "sqlalchemy[asyncio]>=2.1,<2.2"}


def lowest_pins() -> list[str]:
    """`name==X` for each STACK package, X the `>=` bound of the dev extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins: dict[str, str] = {}
    for line in project["project"]["optional-dependencies"]["dev"]:
        requirement = Requirement(line)
        if requirement.name.lower() not in STACK:
            continue
        (lowest,) = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
        pins[requirement.name.lower()] = f"{requirement.name}{extras}=={lowest}"
    missing = set(STACK) - pins.keys()
    if missing:
        raise RuntimeError(f"pyproject.toml dev extra has no >= bound for {sorted(missing)}")
    return [pins[name] for name in STACK]


def _run_tests(session: nox.Session, cell: str, *requirements: str) -> None:
    # One pip call, so the resolver sees the cell's pins together with the dev extra.
    session.install("-e", ".[dev]", *requirements)
    session.run(
        "python",
        "-c",
        "import importlib.metadata as m; print('cell versions:', ', '.join("
        f"f'{{n}} {{m.version(n)}}' for n in {list(STACK)!r}))",
    )
    session.run(
        "python",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        *MATRIX_TESTS,
        env={CELL_VARIABLE: cell},
    )


@nox.session
@nox.parametrize("sqlalchemy", list(SERIES))
def matrix(session: nox.Session, sqlalchemy: str) -> None:
    """The newest SQLAlchemy of one series, newest everything else."""
    _run_tests(session, sqlalchemy, SERIES[sqlalchemy])


@nox.session
def lowest(session: nox.Session) -> None:
    """Every stack package at its lowest pinned version."""
    _run_tests(session, "lowest", *lowest_pins())
