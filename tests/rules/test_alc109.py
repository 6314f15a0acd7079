"""ALC109 plain-sql-string: fix safety and spelling of `text`."""

from __future__ import annotations

import textwrap

import pytest
from sqlalchemy.sql.elements import TextClause

from sqla_checks.rules import alc109_plain_sql_string as rule_module
from sqla_checks.rules.alc109_plain_sql_string import PlainSqlString
from tests.rules.lint import finding_lines, lint


def _check(code: str, *, unsafe: bool = False) -> tuple[int, str | None]:
    source = textwrap.dedent(code).lstrip()
    result = lint(PlainSqlString, source, fix=True, unsafe=unsafe, dedent=False)
    fixed = result.fixed_source.decode() if result.fixed_source is not None else None
    return result.fixes_applied, fixed


ASYNC_HEADER = """
from sqlalchemy.ext.asyncio import AsyncSession

async def run(session: AsyncSession):
"""


BIND_SAMPLES = (
    "SELECT * FROM t WHERE id = :id",
    "SELECT '10:30'::time",
    "SELECT 1::int",
    "SELECT ':ab:'",
    "SELECT :a, :b_c FROM t WHERE x = ':word'",
    "SELECT 'x\\:y'",
    "SELECT 1",
)


@pytest.mark.parametrize("sql", BIND_SAMPLES)
def test_bind_pattern_sees_every_bind_the_installed_text_sees(sql: str) -> None:
    # The safety decision must never miss a bind that text() of this SQLAlchemy reads.
    installed = TextClause._bind_params_regex
    if installed.search(sql) is not None:
        assert rule_module._TEXT_BIND.search(sql) is not None


def test_bind_pattern_is_one_sqlalchemy_used() -> None:
    # Before 2.0.55 / 2.1.2 SQLAlchemy itself used exactly this pattern.
    assert rule_module._TEXT_BIND.pattern == r"(?<![:\w\x5c]):(\w+)(?!:)"


def test_casts_and_times_are_not_binds_so_the_fix_is_safe() -> None:
    applied, fixed = _check(ASYNC_HEADER + "    await session.execute(\"SELECT '10:30'::time\")\n")
    assert applied == 1
    assert fixed is not None and "text(\"SELECT '10:30'::time\")" in fixed


def test_a_bind_like_word_needs_unsafe_fixes() -> None:
    code = ASYNC_HEADER + '    await session.execute("SELECT * FROM t WHERE id = :id")\n'
    assert _check(code) == (0, None)
    applied, fixed = _check(code, unsafe=True)
    assert applied == 1 and fixed is not None and 'text("SELECT * FROM t WHERE id = :id")' in fixed


def test_implicit_concatenation_is_wrapped_whole() -> None:
    applied, fixed = _check(ASYNC_HEADER + '    await session.execute("SELECT 1 " "FROM t")\n')
    assert applied == 1 and fixed is not None and 'text("SELECT 1 " "FROM t")' in fixed


def test_existing_text_import_is_reused() -> None:
    applied, fixed = _check(
        """
        from sqlalchemy.sql import text
        from sqlalchemy.orm import Session

        def run(session: Session):
            session.execute("SELECT 1")
        """
    )
    assert applied == 1 and fixed is not None
    assert fixed.count("import text") == 1 and 'session.execute(text("SELECT 1"))' in fixed


def test_no_fix_when_text_is_taken_and_no_module_alias_exists() -> None:
    code = """
        from sqlalchemy.orm import Session

        def run(session: Session, text: str):
            session.execute("SELECT 1")
        """
    assert _check(code, unsafe=True) == (0, None)
    result = lint(PlainSqlString, code)
    assert len(result.findings) == 1 and result.findings[0].fix is None


def test_braces_are_reported_without_fix() -> None:
    code = ASYNC_HEADER + "    await session.execute(\"SELECT '{}'::jsonb\")\n"
    assert _check(code, unsafe=True) == (0, None)


def test_bytes_and_unknown_receivers_are_ignored() -> None:
    code = """
        from sqlalchemy.orm import Session

        def run(session: Session, cursor):
            session.execute(b"SELECT 1")
            cursor.execute("SELECT 1")
        """
    result = lint(PlainSqlString, code)
    assert result.findings == []


def test_async_connection_from_async_with_is_recognised() -> None:
    applied, fixed = _check(
        """
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine("postgresql+asyncpg://h/db")

        async def ping():
            async with engine.connect() as conn:
                await conn.execute("SELECT 1")
        """
    )
    assert applied == 1 and fixed is not None and 'conn.execute(text("SELECT 1"))' in fixed


def test_module_level_session_of_a_script_is_evidence() -> None:
    lines = finding_lines(
        PlainSqlString,
        """
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session

        engine = create_engine("postgresql+psycopg2://app@db/blog")

        if __name__ == "__main__":
            with Session(engine) as session:
                session.execute("SELECT 1")
        """,
    )
    assert lines == [9]
