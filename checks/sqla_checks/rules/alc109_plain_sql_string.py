"""ALC109: a plain SQL string passed to `execute()` / `scalar()` / `scalars()`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libcst as cst

from sqla_checks.contract.rule import Bad, Fix, Good, Rule
from sqla_checks.evidence.sqlalchemy_api import STATEMENT_METHODS, Role
from sqla_checks.fixes.name_binding import Spelling, spelling

if TYPE_CHECKING:
    pass

_RECEIVER_ROLES = frozenset({Role.SESSION, Role.CONNECTION})
# How `text()` finds bind parameters (sqlalchemy/sql/elements.py,
# TextClause._bind_params_regex): `::int` casts and `10:30` do not match, `= :name`
# does. 2.0.55 and 2.1.2 narrowed the pattern's tail from `(?!:)` to `(?![:\w])`, so
# `:ab:` is a bind `a` before and none after; the older, wider pattern finds a bind
# wherever any supported SQLAlchemy does, which keeps the safety decision conservative.
_TEXT_BIND = re.compile(r"(?<![:\w\x5c]):(\w+)(?!:)", re.UNICODE)

_MESSAGE = (
    "SQLAlchemy 2.x does not execute plain strings: wrap the SQL in `text()` "
    "(`{method}(text(...))`)"
)


class PlainSqlString(Rule):
    """Flags a string literal passed as the statement of a session or connection `execute()`."""

    code = "ALC109"
    name = "plain-sql-string"
    message = _MESSAGE.format(method="execute")
    why = """
SQLAlchemy 2.0 stopped coercing strings to SQL. On 2.0 and 2.1 `session.execute("SELECT 1")`
(and `scalar`/`scalars`) raises `ArgumentError: Textual SQL expression 'SELECT 1'
should be explicitly declared as text('SELECT 1')`, and `connection.execute("SELECT 1")`
raises `ObjectNotExecutableError: Not an executable object`
[claim: alc109-strings-are-rejected]. Wrapping the string in
`text()` makes it a statement with named bind parameters (`:name`), which is also the
form that keeps values out of the SQL string. For SQL that must reach the driver
untouched (driver `%s` placeholders), `Connection.exec_driver_sql()` exists.
"""
    example = """\
from sqlalchemy.ext.asyncio import AsyncSession


async def published_titles(session: AsyncSession) -> list[str]:
    result = await session.execute("SELECT title FROM post WHERE published")
    return list(result.scalars())"""
    use_instead = """\
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def published_titles(session: AsyncSession) -> list[str]:
    result = await session.execute(text("SELECT title FROM post WHERE published"))
    return list(result.scalars())"""
    fix_safety = """
The fix wraps the literal in `text()`, imported from `sqlalchemy` when the module
neither binds nor reads the name `text`. Where something else may bind `text` at the
call (a parameter, a local, a class attribute, a comprehension variable, a `global`
or `nonlocal` assignment, another import, a star import), it writes `sa.text` through
a visible import of `sqlalchemy`, or an aliased import of `text`, and otherwise
offers no fix and names the binding in the way. It is safe when `text()` would see no bind
parameter in the string: the statement then sends exactly the same SQL. When the
string contains something `text()` reads as a bind parameter (`= :name`, or a quoted
`' :word'`) or a backslash (which `text()` uses to escape colons)
[claim: alc109-text-bind-parsing], the fix is unsafe:
the SQL keeps its text but now needs a value for each `:name`, which is what the
author meant only if they were passing parameters. Strings with `%` or `{}` are
reported without a fix: they look like driver placeholders or formatting, which
`text()` does not understand (use `:name` binds, or `exec_driver_sql()`). PostgreSQL
casts (`'1'::int`) and times (`'10:30'`) are not bind parameters and stay safe
[claim: alc109-casts-are-not-binds].
"""
    blind_spots = """
Only literals written in the call are checked: a string held in a variable, an
f-string or a concatenation is not (f-strings and `+` are left to a security check,
because they are an injection risk before they are a type error). The receiver must be a
session or connection known from evidence (annotation, `Depends()`, `with`/`async with`
binding, assignment from a factory). `engine.execute("...")` is ALC108.
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/core/sqlelement.html#sqlalchemy.sql.expression.text",
        "https://docs.sqlalchemy.org/en/20/core/connections.html#sqlalchemy.engine.Connection.exec_driver_sql",
        "https://docs.sqlalchemy.org/en/20/tutorial/dbapi_transactions.html",
    )
    triggers = (".execute(", ".scalar(", ".scalars(", ".stream(", ".stream_scalars(")
    examples = (
        Bad(
            """
            from sqlalchemy.ext.asyncio import AsyncSession

            async def ping(session: AsyncSession) -> None:
                await session.execute("SELECT 1")
            """,
            line=4,
            column=27,
            fixed="""
            from sqlalchemy.ext.asyncio import AsyncSession
            from sqlalchemy import text

            async def ping(session: AsyncSession) -> None:
                await session.execute(text("SELECT 1"))
            """,
        ),
        Bad(
            """
            import sqlalchemy as sa

            engine = sa.create_engine("postgresql+psycopg://app@localhost/blog")

            def count(text):
                with engine.connect() as conn:
                    return conn.scalar("SELECT count(*) FROM post WHERE body LIKE '%' || 'x'")
            """,
            line=7,
            column=28,
            note="`%` in the string: no fix",
        ),
        Bad(
            """
            import sqlalchemy as sa

            engine = sa.create_engine("postgresql+psycopg://app@localhost/blog")

            def versions(text):
                with engine.connect() as conn:
                    return conn.scalars("SELECT version_num::text FROM alembic_version")
            """,
            line=7,
            column=29,
            fixed="""
            import sqlalchemy as sa

            engine = sa.create_engine("postgresql+psycopg://app@localhost/blog")

            def versions(text):
                with engine.connect() as conn:
                    return conn.scalars(sa.text("SELECT version_num::text FROM alembic_version"))
            """,
            note="`text` is a parameter here, so `sa.text`; `::text` is a cast, not a bind",
        ),
        Bad(
            """
            from sqlalchemy import text
            from sqlalchemy.orm import Session

            def find(session: Session, slug: str):
                return session.execute("SELECT id FROM post WHERE slug = :s", {"s": slug})
            """,
            line=5,
            column=28,
            fixed="""
            from sqlalchemy import text
            from sqlalchemy.orm import Session

            def find(session: Session, slug: str):
                return session.execute(text("SELECT id FROM post WHERE slug = :s"), {"s": slug})
            """,
            note="unsafe fix: `:s` becomes a bind parameter",
        ),
        Good(
            """
            from sqlalchemy import text
            from sqlalchemy.ext.asyncio import AsyncSession

            async def ping(session: AsyncSession) -> None:
                await session.execute(text("SELECT 1"))
            """
        ),
        Good(
            """
            def ping(cursor) -> None:
                cursor.execute("SELECT 1")
            """,
            note="a DBAPI cursor (no evidence of a session) takes strings",
        ),
        Good(
            """
            from sqlalchemy.ext.asyncio import AsyncSession

            async def find(session: AsyncSession, slug: str):
                return await session.execute(f"SELECT id FROM post WHERE slug = '{slug}'")
            """,
            note="an f-string is an injection risk, left to a security check",
        ),
        Good(
            """
            from sqlalchemy import create_engine

            engine = create_engine("postgresql+psycopg://app@localhost/blog")

            def ping() -> None:
                with engine.connect() as conn:
                    conn.exec_driver_sql("SELECT 1")
            """
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not (
            isinstance(func, cst.Attribute) and func.attr.value in STATEMENT_METHODS and node.args
        ):
            return
        arg = node.args[0]
        if arg.keyword is not None and arg.keyword.value != "statement":
            return
        literal = arg.value
        if not isinstance(literal, cst.SimpleString | cst.ConcatenatedString):
            return
        sql = literal.evaluated_value
        if not isinstance(sql, str):
            return  # bytes, or a concatenation with an f-string part
        kind = self.context.kind_of(func.value)
        if kind is None or kind.role not in _RECEIVER_ROLES:
            return
        message = _MESSAGE.format(method=func.attr.value)
        if any(char in sql for char in "%{}"):
            self.report(literal, message)
            return
        text = spelling(self.context, "sqlalchemy.text", literal)
        if isinstance(text, str):
            self.report(literal, f"{message} (no automatic fix: {text})")
            return
        self.report(literal, message, fix=self._fix(literal, sql, text))

    def _fix(
        self, literal: cst.SimpleString | cst.ConcatenatedString, sql: str, text: Spelling
    ) -> Fix:
        replacement = cst.Call(func=text.expression, args=[cst.Arg(literal)])
        imports = text.imports
        unsafe = "\\" in sql or _TEXT_BIND.search(sql) is not None
        return Fix(
            literal,
            replacement,
            applicability="unsafe" if unsafe else "safe",
            imports=imports,
            description="Wrap the SQL string in text()"
            + (" (its `:name` parts become bind parameters)" if unsafe else ""),
        )
