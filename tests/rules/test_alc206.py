"""ALC206 beyond its examples: where the new argument goes, and what is trusted."""

from __future__ import annotations

import pytest

from sqla_checks.rules.alc206_expire_on_commit import ExpireOnCommit
from tests.rules.lint import fixed_code, lint

IMPORT = "from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker\n\n"


def _findings(source: str) -> list[tuple[int, str | None]]:
    result = lint(ExpireOnCommit, IMPORT + source, dedent=False)
    return [(f.start.line - 2, f.fix.applicability if f.fix else None) for f in result.findings]


def _fix(source: str, unsafe: bool = True) -> str | None:
    fixed = fixed_code(ExpireOnCommit, IMPORT + source, unsafe=unsafe, dedent=False)
    return fixed[len(IMPORT) :] if fixed is not None else None


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("async_sessionmaker()", "async_sessionmaker(expire_on_commit=False)"),
        ("async_sessionmaker( engine )", "async_sessionmaker( engine, expire_on_commit=False )"),
        ("async_sessionmaker(engine,)", "async_sessionmaker(engine, expire_on_commit=False,)"),
        (
            "async_sessionmaker(\n    engine,\n    autoflush=False\n)",
            "async_sessionmaker(\n    engine,\n    autoflush=False,\n    expire_on_commit=False\n)",
        ),
        (
            "async_sessionmaker(\n    engine,  # the app's engine\n)",
            "async_sessionmaker(\n    engine,  # the app's engine\n    expire_on_commit=False,\n)",
        ),
        (
            "async_sessionmaker(\n    engine, autoflush=False,\n)",
            "async_sessionmaker(\n    engine, autoflush=False, expire_on_commit=False,\n)",
        ),
    ],
)
def test_argument_follows_the_call_layout(call: str, expected: str) -> None:
    assert _fix(f"S = {call}\n") == f"S = {expected}\n"


def test_fix_is_unsafe_only() -> None:
    assert _findings("S = async_sessionmaker()\n") == [(1, "unsafe")]
    assert _fix("S = async_sessionmaker()\n", unsafe=False) is None


@pytest.mark.parametrize(
    "source",
    [
        "S = async_sessionmaker(expire_on_commit=settings.expire)\n",
        "S = async_sessionmaker(*args)\n",
        "S = async_sessionmaker()\n\n\nasync def f():\n"
        "    async with S(expire_on_commit=False) as s:\n"
        "        pass\n",
        "S = AsyncSession\n",
        "from sqlalchemy.orm import Session\n\ns = Session(expire_on_commit=True)\n",
    ],
)
def test_trusted_or_unrelated_code_is_not_flagged(source: str) -> None:
    assert _findings(source) == []
