"""ALC110: 1.x transaction flags: `autocommit=`, `subtransactions=`, `future=`."""

from __future__ import annotations

import libcst as cst

from sqla_checks.contract.rule import Bad, Fix, Good, Rule
from sqla_checks.evidence.call_arguments import without_argument
from sqla_checks.evidence.sqlalchemy_api import FUTURE_ONLY, Kind, Role

_SESSION_FACTORIES = frozenset({"Session", "sessionmaker", "AsyncSession", "async_sessionmaker"})
_ENGINE_FACTORIES = frozenset(
    {"create_engine", "create_async_engine", "engine_from_config", "async_engine_from_config"}
)
_FLAGS = frozenset({"autocommit", "future", "subtransactions"})

_AUTOCOMMIT_DEFAULT = (
    "`autocommit=False` is the default and the only value SQLAlchemy 2.x accepts: drop it"
)
_AUTOCOMMIT_REMOVED = (
    "`autocommit=True` was removed in SQLAlchemy 2.0 (the Session raises ArgumentError): "
    'group work in `with session.begin():` blocks, or set `isolation_level="AUTOCOMMIT"` '
    "on the engine for driver-level autocommit"
)
_AUTOCOMMIT_UNKNOWN = (
    "the Session `autocommit` flag is gone in SQLAlchemy 2.x (only `False` is accepted): "
    "remove it and use `with session.begin():` blocks"
)
_SUBTRANSACTIONS = (
    "`begin(subtransactions=...)` was removed in SQLAlchemy 2.0: use one outer "
    "`with session.begin():` block, or `session.begin_nested()` for a SAVEPOINT"
)
_FUTURE_TRUE = "`future=True` does nothing in SQLAlchemy 2.x (2.0 style is the only style): drop it"
_FUTURE_OTHER = (
    "SQLAlchemy 2.x accepts only `future=True`, which does nothing: drop the flag "
    "and use 2.0-style execution"
)


class LegacySessionFlags(Rule):
    """Flags the 1.x `autocommit=`, `subtransactions=` and `future=` session/engine flags."""

    code = "ALC110"
    name = "legacy-session-flags"
    message = _FUTURE_TRUE
    why = """
These flags steered the 1.x to 2.0 transition and have no job left. SQLAlchemy 2.0
removed library-level autocommit and Session "subtransactions"; `future` became the
only behaviour. What 2.0 and 2.1 do with each: `Session(autocommit=True)` (also through
`sessionmaker`/`AsyncSession`, when the session is created) raises
`ArgumentError: autocommit=True is no longer supported`, while `autocommit=False` is
accepted as the default; `session.begin(subtransactions=True)` raises `TypeError`;
`future=True` is accepted and ignored by `Session` and `create_engine`, and
`create_engine(future=False)` raises `ArgumentError`
[claim: alc110-flag-behaviour]. Left in place, the flags tell
readers (and models) that the code runs 1.x semantics when it does not.
"""
    example = """\
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine("postgresql+psycopg://app@db/blog", future=True)
SessionLocal = sessionmaker(bind=engine, autocommit=False, autoflush=False)


def transfer(session: Session) -> None:
    session.begin(subtransactions=True)"""
    use_instead = """\
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine("postgresql+psycopg://app@db/blog")
SessionLocal = sessionmaker(bind=engine, autoflush=False)


def transfer(session: Session) -> None:
    with session.begin_nested():  # a SAVEPOINT; or one outer `with session.begin():`
        pass"""
    fix_safety = """
`future=True` and `autocommit=False` are removed by a safe fix: on SQLAlchemy 2.x both
are the default and the only accepted value, so the call behaves identically without
them. `autocommit=True`, `future=False`, non-literal values and `subtransactions=` are
reported only: each needs the transaction code rewritten, not a flag dropped.

Target release: on SQLAlchemy 1.4 `future=True` switches the engine or session to 2.0
transaction behaviour, so dropping it keeps behaviour only from 2.0 on; with an older
target (`target-sqlalchemy`, else the lowest release the declared dependency admits)
`future=True` is reported without a fix. `autocommit=False` is the default on every
release and is dropped whatever the target. Like every fix, it is not offered under a
SQLAlchemy version guard (`if sqlalchemy.__version__ ...`, `try: import ... except
ImportError`).
"""
    blind_spots = """
The flags are checked on direct calls of `Session`, `sessionmaker`, `AsyncSession`,
`async_sessionmaker` and the engine constructors, resolved through the module's
imports; a flag passed through `**kwargs` or a settings dict, or set later with
`factory.configure(...)`, is not seen. `begin(subtransactions=...)` is reported when
the receiver is a known session or the module imports SQLAlchemy or Flask-SQLAlchemy.
The 1.x connection option `execution_options(autocommit=True)` is not covered.
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/changelog/migration_20.html#migration-20-session-autocommit",
        "https://docs.sqlalchemy.org/en/20/changelog/migration_20.html#migration-20-autocommit",
        "https://docs.sqlalchemy.org/en/20/orm/session_api.html#sqlalchemy.orm.Session.__init__",
        "https://docs.sqlalchemy.org/en/20/core/engines.html#sqlalchemy.create_engine",
    )
    triggers = ("autocommit", "subtransactions", "future=", "future =")
    examples = (
        Bad(
            """
            from sqlalchemy import create_engine

            engine = create_engine("postgresql+psycopg://app@localhost/blog", future=True)
            """,
            line=3,
            column=67,
            fixed="""
            from sqlalchemy import create_engine

            engine = create_engine("postgresql+psycopg://app@localhost/blog")
            """,
        ),
        Bad(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(
                autocommit=False,
                autoflush=False,
                bind=engine,
            )
            """,
            line=4,
            column=5,
            fixed="""
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(
                autoflush=False,
                bind=engine,
            )
            """,
        ),
        Bad(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(
                bind=engine,
                autocommit=False,
            )
            """,
            line=5,
            column=5,
            fixed="""
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(
                bind=engine,
            )
            """,
            note="the last argument: the trailing comma stays as written",
        ),
        Bad(
            """
            import sqlalchemy.orm as orm

            session = orm.Session(engine, autocommit=True)
            """,
            line=3,
            column=31,
        ),
        Bad(
            """
            from sqlalchemy.orm import Session

            def transfer(session: Session) -> None:
                session.begin(subtransactions=True)
            """,
            line=4,
            column=19,
        ),
        Good(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)
            """
        ),
        Good(
            """
            from sqlalchemy import create_engine

            engine = create_engine(url, isolation_level="AUTOCOMMIT")
            """,
            note="driver-level autocommit is the 2.x way",
        ),
        Good(
            """
            import psycopg2

            conn = psycopg2.connect(dsn)
            conn.autocommit = True
            pool = make_pool(future=True)
            """,
            note="not SQLAlchemy",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        flagged = [
            (index, arg)
            for index, arg in enumerate(node.args)
            if arg.keyword is not None and arg.keyword.value in _FLAGS
        ]
        if not flagged:
            return
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "begin":
            self._check_begin(node, flagged)
            return
        factory = self.context.sqla_name(func)
        if factory in _SESSION_FACTORIES:
            allowed = {"autocommit", "future"}
        elif factory in _ENGINE_FACTORIES:
            allowed = {"future"}
        else:
            return
        for index, arg in flagged:
            keyword = arg.keyword.value if arg.keyword is not None else ""
            if keyword not in allowed:
                continue
            value = arg.value.value if isinstance(arg.value, cst.Name) else None
            if keyword == "future":
                if value == "True":
                    fix = _drop(node, index, "Drop `future=True`")
                    self.report(arg, _FUTURE_TRUE, fix=fix, needs=(FUTURE_ONLY,))
                else:
                    self.report(arg, _FUTURE_OTHER)
            elif value == "False":
                self.report(
                    arg, _AUTOCOMMIT_DEFAULT, fix=_drop(node, index, "Drop `autocommit=False`")
                )
            elif value == "True":
                self.report(arg, _AUTOCOMMIT_REMOVED)
            else:
                self.report(arg, _AUTOCOMMIT_UNKNOWN)

    def _check_begin(self, node: cst.Call, flagged: list[tuple[int, cst.Arg]]) -> None:
        for _, arg in flagged:
            if arg.keyword is None or arg.keyword.value != "subtransactions":
                continue
            func = node.func
            assert isinstance(func, cst.Attribute)
            imports = self.context.imports
            if (
                imports.imports_from("sqlalchemy")
                or imports.imports_from("flask_sqlalchemy")
                or _is_session(self.context.kind_of(func.value))
            ):
                self.report(arg, _SUBTRANSACTIONS)


def _drop(call: cst.Call, index: int, description: str) -> Fix:
    """A safe fix removing argument `index` from `call`, keeping commas and comments."""
    return Fix(call, without_argument(call, call.args[index]), description=description)


def _is_session(kind: Kind | None) -> bool:
    return kind is not None and kind.role is Role.SESSION
