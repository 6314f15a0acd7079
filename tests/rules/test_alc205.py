"""ALC205 beyond its examples: argument layouts, imports, and when the fix holds back."""

from __future__ import annotations

import pytest

from sqla_checks.rules.alc205_sessionmaker_async_class import SessionmakerAsyncClass
from tests.rules.lint import fixed_code, lint

IMPORTS = """\
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import sessionmaker

"""


def _fix(source: str, unsafe: bool = True) -> str | None:
    return fixed_code(SessionmakerAsyncClass, source, unsafe=unsafe, dedent=False)


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("sessionmaker(class_=AsyncSession)", "async_sessionmaker()"),
        ("sessionmaker(engine, class_=AsyncSession)", "async_sessionmaker(engine)"),
        ("sessionmaker(class_=AsyncSession, bind=engine)", "async_sessionmaker(bind=engine)"),
        (
            "sessionmaker(\n    engine,\n    class_=AsyncSession,\n)",
            "async_sessionmaker(\n    engine,\n)",
        ),
        (
            "sessionmaker(\n    engine,\n    class_=AsyncSession,\n    autoflush=False,\n)",
            "async_sessionmaker(\n    engine,\n    autoflush=False,\n)",
        ),
        ("sessionmaker(\n    class_=AsyncSession,\n)", "async_sessionmaker()"),
    ],
)
def test_class_argument_is_dropped_and_layout_kept(call: str, expected: str) -> None:
    fixed = _fix(f"{IMPORTS}engine = None\nSessionLocal = {call}\n")
    assert fixed == (
        "from sqlalchemy.ext.asyncio import async_sessionmaker\n\n"
        f"engine = None\nSessionLocal = {expected}\n"
    )


def test_annotated_factory_is_reported_without_a_fix() -> None:
    source = (
        f"{IMPORTS}SessionLocal: sessionmaker[AsyncSession] = sessionmaker(class_=AsyncSession)\n"
    )
    result = lint(SessionmakerAsyncClass, source, dedent=False)
    assert [f.fix for f in result.findings] == [None]


def test_fix_is_unsafe_when_class_methods_of_the_factory_are_used() -> None:
    source = (
        f"{IMPORTS}SessionLocal = sessionmaker(class_=AsyncSession)\n"
        "owner = SessionLocal.object_session(obj)\n"
    )
    result = lint(SessionmakerAsyncClass, source, dedent=False)
    assert [f.fix.applicability for f in result.findings if f.fix] == ["unsafe"]
    assert _fix(source, unsafe=False) is None


def test_aliased_imports_are_resolved_and_kept() -> None:
    source = (
        "from sqlalchemy.ext.asyncio import AsyncSession as AS\n"
        "from sqlalchemy.orm import sessionmaker as make\n\n"
        "SessionLocal = make(class_=AS)\n"
    )
    fixed = _fix(source)
    assert fixed is not None
    assert fixed.endswith("SessionLocal = async_sessionmaker()\n")
    assert "from sqlalchemy.ext.asyncio import async_sessionmaker" in fixed


def test_other_classes_are_not_flagged() -> None:
    source = (
        f"{IMPORTS}class MySession(AsyncSession):\n    pass\n\nS = sessionmaker(class_=MySession)\n"
    )
    assert lint(SessionmakerAsyncClass, source, dedent=False).findings == []
