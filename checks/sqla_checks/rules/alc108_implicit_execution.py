"""ALC108: implicit ("connectionless") execution and bound metadata, removed in 2.0."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from sqla_checks.contract.rule import Bad, Good, Rule
from sqla_checks.evidence.sqlalchemy_api import Kind, Role

if TYPE_CHECKING:
    from sqla_checks.evidence.context import FileContext

# Constructors whose result is an executable statement.
_STATEMENTS = frozenset({"select", "insert", "update", "delete", "text"})
# `Table` methods that build one (`users.insert()`).
_TABLE_STATEMENTS = frozenset({"select", "insert", "update", "delete"})
_EXECUTE_METHODS = frozenset({"execute", "scalar"})
_BIND_ROLES = frozenset({Role.ENGINE, Role.CONNECTION})

_ENGINE_MESSAGE = (
    "`Engine.{method}()` was removed in SQLAlchemy 2.0: run the statement on a connection, "
    "`with engine.connect() as conn: conn.execute(stmt)` (or `engine.begin()` to commit at the "
    "end of the block)"
)
_STATEMENT_MESSAGE = (
    "`{method}()` on a statement relied on bound metadata, removed in SQLAlchemy 2.0: "
    "`with engine.connect() as conn: conn.execute(stmt)` (or `session.execute(stmt)`)"
)
_METADATA_MESSAGE = (
    "`MetaData(bind=...)` was removed in SQLAlchemy 2.0: create `MetaData()` unbound and pass "
    "the engine or connection where it is used, e.g. `metadata.create_all(engine)`"
)


class ImplicitExecution(Rule):
    """Flags implicit execution: `engine.execute()`, `stmt.execute()` and `MetaData(bind=...)`."""

    code = "ALC108"
    name = "implicit-execution"
    message = _STATEMENT_MESSAGE.format(method="execute")
    why = """
SQLAlchemy 1.x could run SQL without an explicit connection: `engine.execute(stmt)`
checked a connection out and back in behind your back, and a statement whose tables
belonged to a `MetaData(bind=engine)` could run itself with `stmt.execute()`. Both
hid where transactions start and end. SQLAlchemy 2.0 removed them ("implicit and
connectionless execution, bound metadata removed" in the 2.0 migration guide), and
2.1 keeps them out: on 2.0 and 2.1 `engine.execute` and `select(...).execute` raise
`AttributeError`, and `MetaData(bind=engine)` raises `TypeError` for the unexpected
keyword. `AsyncEngine` never had `execute()`
[claim: alc108-implicit-execution-removed]. All SQL now runs on a `Connection` or a
`Session` that the code opens itself.
"""
    example = """\
from sqlalchemy import create_engine, func, select, text

engine = create_engine("postgresql+psycopg://app@db/blog")
rows = engine.execute(text("SELECT id, title FROM post")).all()
total = select(func.count()).select_from(text("post")).scalar()"""
    use_instead = """\
from sqlalchemy import create_engine, func, select, text

engine = create_engine("postgresql+psycopg://app@db/blog")


def report() -> None:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, title FROM post")).all()
        total = conn.scalar(select(func.count()).select_from(text("post")))
        print(len(rows), total)"""
    blind_spots = """
An engine is recognised only from evidence (assigned from `create_engine()` /
`create_async_engine()`, an `Engine`/`AsyncEngine` annotation, or a `create_engine(...)`
call in the same expression). A statement is recognised when `.execute()`/`.scalar()`
is called on an expression built from `select()`, `insert()`, `update()`, `delete()`
or `text()` (or from `table.select()`/`insert()`/... of a module-level `Table(...)`),
directly or through a name assigned from one earlier in the same function. Statements
returned by helpers, `metadata.bind = engine` assignments and `Table(..., autoload=True)`
are not reported.
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/changelog/migration_20.html#migration-20-implicit-execution",
        "https://docs.sqlalchemy.org/en/20/tutorial/dbapi_transactions.html",
    )
    triggers = (".execute(", ".scalar(", "MetaData(")
    examples = (
        Bad(
            """
            from sqlalchemy import create_engine, text

            engine = create_engine("postgresql+psycopg://app@localhost/blog")
            rows = engine.execute(text("SELECT 1")).all()
            """,
            line=4,
            column=8,
        ),
        Bad(
            """
            import sqlalchemy as sa

            def count_users(users):
                stmt = sa.select(sa.func.count()).select_from(users)
                return stmt.scalar()
            """,
            line=5,
            column=12,
            note="a name assigned from a statement in the same function",
        ),
        Bad(
            """
            from sqlalchemy import select

            def names(users):
                return select(users.c.name).where(users.c.active).execute().all()
            """,
            line=4,
            column=12,
        ),
        Bad(
            """
            from sqlalchemy import Column, Integer, MetaData, Table

            metadata = MetaData()
            users = Table("users", metadata, Column("id", Integer, primary_key=True))

            def add_user():
                users.insert().execute(id=1)
            """,
            line=7,
            column=5,
            note="`Table.insert()` of a module-level table",
        ),
        Bad(
            """
            from sqlalchemy import MetaData, create_engine

            engine = create_engine("postgresql+psycopg://app@localhost/blog")
            metadata = MetaData(bind=engine)
            """,
            line=4,
            column=21,
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import AsyncEngine

            async def ping(engine: AsyncEngine):
                await engine.execute("SELECT 1")
            """,
            line=4,
            column=11,
            note="AsyncEngine never had execute()",
        ),
        Good(
            """
            from sqlalchemy import create_engine, select

            engine = create_engine("postgresql+psycopg://app@localhost/blog")

            def names(users):
                with engine.connect() as conn:
                    return conn.execute(select(users.c.name)).scalars().all()
            """
        ),
        Good(
            """
            from sqlalchemy import select
            from sqlalchemy.orm import Session

            def first_name(session: Session, users):
                stmt = select(users.c.name)
                return session.execute(stmt).scalar()
            """,
            note="`.scalar()` on a Result, not on the statement",
        ),
        Good(
            """
            from sqlalchemy import select

            def run(cursor, users):
                stmt = select(users)
                stmt = str(stmt)
                return cursor.execute(stmt)
            """,
            note="the name was rebound to something else",
        ),
        Good(
            """
            from sqlalchemy import MetaData

            metadata = MetaData(schema="blog")
            """
        ),
        Good(
            """
            def run(engine, sql):
                return engine.execute(sql)
            """,
            note="`engine` without evidence: unknown",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        # Names assigned from a statement, per enclosing function (None: module level).
        self._statement_names: dict[cst.FunctionDef | None, set[str]] = {}
        self._tables: frozenset[str] | None = None

    # -- statements bound to names ----------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1:
            self._track(node.targets[0].target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._track(node.target, node.value)

    def _track(self, target: cst.BaseAssignTargetExpression, value: cst.BaseExpression) -> None:
        if not isinstance(target, cst.Name):
            return
        names = self._statement_names.setdefault(self.context.function, set())
        if self._is_statement(value):
            names.add(target.value)
        else:
            names.discard(target.value)

    # -- the checks ---------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in _EXECUTE_METHODS:
                if self._is_statement(func.value):
                    self.report(node, _STATEMENT_MESSAGE.format(method=method))
                elif _role(self.context.kind_of(func.value)) is Role.ENGINE:
                    self.report(node, _ENGINE_MESSAGE.format(method=method))
                return
        else:
            method = func.value if isinstance(func, cst.Name) else ""
        if method == "MetaData" and self.context.sqla_name(func) == "MetaData":
            self._check_metadata(node)

    def _check_metadata(self, call: cst.Call) -> None:
        for index, arg in enumerate(call.args):
            if arg.keyword is not None:
                if arg.keyword.value == "bind":
                    self.report(arg, _METADATA_MESSAGE)
                    return
            elif index == 0 and _role(self.context.kind_of(arg.value)) in _BIND_ROLES:
                # In 1.x the first positional argument was `bind`; in 2.x it is `schema`.
                self.report(arg, _METADATA_MESSAGE)
                return

    def _is_statement(self, expr: cst.BaseExpression) -> bool:
        """Whether `expr` is built from a statement constructor, by structure alone."""
        while True:
            if isinstance(expr, cst.Call):
                func = expr.func
                if self.context.sqla_name(func) in _STATEMENTS:
                    return True
                if not isinstance(func, cst.Attribute):
                    return False
                if (
                    func.attr.value in _TABLE_STATEMENTS
                    and isinstance(func.value, cst.Name)
                    and func.value.value in self._module_tables()
                ):
                    return True
                expr = func.value
            elif isinstance(expr, cst.Name):
                names = self._statement_names.get(self.context.function)
                return names is not None and expr.value in names
            else:
                return False

    def _module_tables(self) -> frozenset[str]:
        """Names assigned from `Table(...)` at module level (collected on first need)."""
        if self._tables is None:
            self._tables = frozenset(
                assignment.name
                for assignment in self.context.module_assignments
                if not assignment.annotated
                and isinstance(assignment.value, cst.Call)
                and self.context.sqla_name(assignment.value.func) == "Table"
            )
        return self._tables


def _role(kind: Kind | None) -> Role | None:
    return None if kind is None else kind.role
