"""ALC204: `create_async_engine` given a URL whose driver is synchronous."""

from __future__ import annotations

import libcst as cst

from sqla_checks.contract.rule import Bad, Fix, Good, Rule

# Sync PostgreSQL dialect spellings -> the asyncio driver the stack uses.
_SYNC_POSTGRES_PREFIXES = (
    "postgresql+psycopg2://",
    "postgresql+pg8000://",
    "postgresql://",
    "postgres://",
)
# Runs on SQLAlchemy 2.1 when psycopg 3 is installed (its async mode): swapping the
# driver is a behaviour change, so that one rewrite is an unsafe fix.
_DRIVER_DEPENDS_ON_VERSION = "postgresql://"
_OTHER_SYNC_PREFIXES = ("sqlite://", "mysql://", "mysql+pymysql://", "mysql+mysqldb://")


class SyncDriverUrl(Rule):
    """Flags `create_async_engine()` called with a URL literal that names a sync driver."""

    code = "ALC204"
    name = "async-engine-sync-driver"
    message = "`create_async_engine` needs an asyncio driver: use `postgresql+asyncpg://`"
    why = """
`create_async_engine` wraps a DBAPI driver that speaks asyncio, and on SQLAlchemy 2.0
and 2.1 it checks the driver when the engine is created: `postgresql+psycopg2://`
raises `InvalidRequestError: The asyncio extension requires an async driver to be
used`, and `postgres://` (an alias removed in 1.4) raises `NoSuchModuleError`
[claim: alc204-sync-driver-urls-fail]. A bare
`postgresql://` depends on the version: SQLAlchemy 2.0 maps it to psycopg2 (the same
error), 2.1 maps it to psycopg 3 and uses that driver's async mode, or fails with
`ModuleNotFoundError: No module named 'psycopg'` where it is not installed
[claim: bare-postgresql-url-driver]. The stack
this pack targets runs asyncpg; naming it keeps the URL meaning the same on 2.0 and
2.1.
"""
    example = """from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine("postgresql://app@db/blog")"""
    use_instead = """from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine("postgresql+asyncpg://app@db/blog")"""
    fix_safety = """
Only the scheme of the literal is rewritten to `postgresql+asyncpg://`; the rest of
the URL is kept byte for byte. Safe for `postgresql+psycopg2://`, `+pg8000` and
`postgres://`: those URLs cannot create an async engine at all, so no working
program changes. Unsafe for a bare `postgresql://`: on SQLAlchemy 2.1 with psycopg 3
installed it already runs, on psycopg's async driver, and the fix swaps the driver
(type adaptation and prepared-statement behaviour differ). URLs of other databases
(SQLite, MySQL) are reported without a fix: which async driver to use is the
author's choice [claim: alc204-fix-safety].
"""
    blind_spots = """
Only string literals passed directly (first argument or `url=`) are checked; a URL
read from settings or the environment is invisible here. Check the settings type
instead (see the setup-database workflow).
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/orm/extensions/asyncio.html",
        "https://docs.sqlalchemy.org/en/20/dialects/postgresql.html#module-sqlalchemy.dialects.postgresql.asyncpg",
    )
    triggers = ("create_async_engine",)
    examples = (
        Bad(
            """
            from sqlalchemy.ext.asyncio import create_async_engine

            engine = create_async_engine("postgresql+psycopg2://app@localhost/blog")
            """,
            line=3,
            column=30,
            fixed="""
            from sqlalchemy.ext.asyncio import create_async_engine

            engine = create_async_engine("postgresql+asyncpg://app@localhost/blog")
            """,
        ),
        Bad(
            """
            import sqlalchemy.ext.asyncio as sa_async

            engine = sa_async.create_async_engine(url="postgres://app@localhost/blog")
            """,
            line=3,
            column=43,
            fixed="""
            import sqlalchemy.ext.asyncio as sa_async

            engine = sa_async.create_async_engine(url="postgresql+asyncpg://app@localhost/blog")
            """,
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import create_async_engine

            engine = create_async_engine("sqlite:///blog.db")
            """,
            line=3,
            column=30,
            note="no fix: choosing aiosqlite is the author's call",
        ),
        Good(
            """
            from sqlalchemy.ext.asyncio import create_async_engine

            engine = create_async_engine("postgresql+asyncpg://app@localhost/blog")
            """
        ),
        Good(
            """
            from sqlalchemy import create_engine

            engine = create_engine("postgresql+psycopg2://app@localhost/blog")
            """,
            note="a sync engine with a sync driver is fine",
        ),
        Good(
            """
            from sqlalchemy.ext.asyncio import create_async_engine

            from app.config import settings

            engine = create_async_engine(settings.database_url)
            """,
            note="not a literal: out of reach",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.sqla_name(node.func) != "create_async_engine":
            return
        url = _url_argument(node)
        if url is None:
            return
        value = url.evaluated_value
        if not isinstance(value, str):
            return
        for prefix in _SYNC_POSTGRES_PREFIXES:
            if value.startswith(prefix):
                fix = None
                # The raw text is rewritten, so escapes and quoting stay as written;
                # prefixed literals (f-, b-, r-strings) are left to the author.
                if not url.prefix and url.raw_value.startswith(prefix):
                    raw = "postgresql+asyncpg://" + url.raw_value[len(prefix) :]
                    replacement = url.with_changes(value=f"{url.quote}{raw}{url.quote}")
                    fix = Fix(
                        url,
                        replacement,
                        applicability="unsafe" if prefix == _DRIVER_DEPENDS_ON_VERSION else "safe",
                        description="Use the asyncpg driver",
                    )
                self.report(url, fix=fix)
                return
        if value.startswith(_OTHER_SYNC_PREFIXES):
            self.report(url, message="`create_async_engine` needs an asyncio driver in its URL")


def _url_argument(call: cst.Call) -> cst.SimpleString | None:
    for index, arg in enumerate(call.args):
        if (arg.keyword is None and index == 0) or (
            arg.keyword is not None and arg.keyword.value == "url"
        ):
            return arg.value if isinstance(arg.value, cst.SimpleString) else None
    return None
