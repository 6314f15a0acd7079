"""ALC101/ALC103 fixes do not change what a program does, proven on PostgreSQL.

Each program below is legacy 1.x code run against a real database; the test runs it,
applies `--fix` (with or without `--unsafe-fixes`), runs the fixed program, and
requires the same printed output and the same LIMIT on every SQL statement sent.
Seed data has a user with two addresses, so joins return duplicate entity rows:
the case where the legacy `Query` de-duplicated and a careless rewrite does not.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import textwrap
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SAWarning
from sqlalchemy.orm import Session

from sqla_checks.engine.registry import all_rules
from sqla_checks.engine.runner import RunOptions, check_source
from tests.fix_equivalence.programs import SYNC_DRIVER, run_program, url_with_driver

RULES = [rule for rule in all_rules() if rule.code in {"ALC101", "ALC103"}]

# Models shared by every program; defined in the program itself, so the fixes know
# them as entities from evidence.
PRELUDE = """
from sqlalchemy import ForeignKey, func
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, joinedload, mapped_column
from sqlalchemy.orm import relationship, selectinload


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    addresses: Mapped[list["Address"]] = relationship(back_populates="user")


class Address(Base):
    __tablename__ = "addresses"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    email: Mapped[str]
    user: Mapped[User] = relationship(back_populates="addresses")


class models:  # an imported-module look-alike: `models.User` is known by name only
    User = User
    Address = Address


def show(value):
    if isinstance(value, Base):
        return f"{type(value).__name__}#{value.id}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return repr(value)


def attempt(thunk):
    try:
        print(show(thunk()))
    except Exception as exc:
        print(type(exc).__name__)
"""

SCHEMA = """
CREATE TABLE users (id integer PRIMARY KEY, name varchar NOT NULL);
CREATE TABLE addresses (
    id integer PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id),
    email varchar NOT NULL
);
INSERT INTO users VALUES (1, 'alice'), (2, 'bob'), (3, 'carol');
INSERT INTO addresses VALUES (1, 1, 'alice@a.org'), (2, 1, 'alice@b.org'), (3, 2, 'bob@a.org');
CREATE TABLE prefs (id integer PRIMARY KEY, user_id integer NOT NULL, data json NOT NULL);
INSERT INTO prefs VALUES (1, 1, '{"theme": "dark"}'), (2, 1, '{"theme": "light"}');
"""


@dataclass(frozen=True)
class Program:
    name: str
    body: str
    # The fix is unsafe (an entity known by its CapWords name only, unnamed row
    # columns): applied only with --unsafe-fixes.
    unsafe: bool = False

    @property
    def source(self) -> str:
        return PRELUDE + "\n\n" + textwrap.dedent(self.body).lstrip("\n")


PROGRAMS = [
    Program(
        "first-keeps-limit-1",
        """
        def main(session: Session) -> None:
            attempt(lambda: session.query(User).order_by(User.id.desc()).first())
            attempt(lambda: session.query(User).filter(User.name == "nobody").first())
        """,
    ),
    Program(
        "first-overrides-an-existing-limit",
        """
        def main(session: Session) -> None:
            attempt(lambda: session.query(User).order_by(User.id).offset(1).limit(5).first())
        """,
    ),
    Program(
        "all-deduplicates-entities-across-a-join",
        """
        def main(session: Session) -> None:
            attempt(lambda: session.query(User).join(User.addresses).order_by(User.id).all())
            attempt(
                lambda: session.query(User)
                .outerjoin(User.addresses)
                .filter(Address.email.like("%a.org"))
                .order_by(User.id)
                .all()
            )
        """,
    ),
    Program(
        "one-after-a-duplicating-join",
        """
        def main(session: Session) -> None:
            attempt(lambda: session.query(User).join(User.addresses).filter(User.id == 1).one())
            attempt(
                lambda: session.query(User).join(User.addresses).filter(User.id == 3).one_or_none()
            )
            attempt(lambda: session.query(User).join(User.addresses).one())
            attempt(lambda: session.query(User).filter(User.id > 9).one())
        """,
    ),
    Program(
        "joined-eager-collection-with-first-and-all",
        """
        def main(session: Session) -> None:
            first = (
                session.query(User)
                .options(joinedload(User.addresses))
                .order_by(User.id)
                .first()
            )
            print(show(first), show(sorted(first.addresses, key=lambda a: a.id)))
            users = session.query(User).options(joinedload(User.addresses)).order_by(User.id).all()
            print([(show(u), len(u.addresses)) for u in users])
        """,
    ),
    Program(
        "scalar-and-count",
        """
        def main(session: Session) -> None:
            attempt(lambda: session.query(func.count(User.id)).scalar())
            attempt(lambda: session.query(User.name).filter(User.id == 2).scalar())
            attempt(lambda: session.query(User.name).filter(User.id == 9).scalar())
            attempt(lambda: session.query(User.name).scalar())
            attempt(lambda: session.query(User).filter(User.id == 1).scalar())
            attempt(lambda: session.query(User).count())
            attempt(lambda: session.query(User).join(User.addresses).count())
            attempt(lambda: session.query(User).options(joinedload(User.addresses)).count())
            attempt(lambda: session.query(User.id, Address.id).join(User.addresses).count())
        """,
    ),
    Program(
        "rows-of-named-columns",
        """
        def main(session: Session) -> None:
            rows = session.query(User.id, User.name).order_by(User.id).all()
            print(rows, [row._fields for row in rows][:1], [row.name for row in rows])
            row = session.query(User.name, Address.email).join(User.addresses).first()
            print(row, row._fields)
            pairs = session.query(User, Address).join(User.addresses).order_by(Address.id).all()
            print([(show(u), show(a)) for u, a in pairs])
        """,
    ),
    Program(
        "rows-of-an-entity-and-a-column",
        """
        def main(session: Session) -> None:
            owners = (
                session.query(User, Address.user_id).join(User.addresses).order_by(User.id).all()
            )
            print([(show(u), user_id) for u, user_id in owners], owners[0]._fields)
        """,
        # `.unique()` keeps Query's de-duplication but raises for unhashable values.
        unsafe=True,
    ),
    Program(
        "filter-by-distinct-where",
        """
        def main(session: Session) -> None:
            attempt(lambda: session.query(User).filter_by(name="bob").one())
            attempt(
                lambda: session.query(User).where(User.id < 3).distinct().order_by(User.id).all()
            )
            attempt(
                lambda: session.query(Address.user_id).distinct().order_by(Address.user_id).all()
            )
        """,
    ),
    Program(
        "entity-known-by-name-only",
        """
        def main(session: Session) -> None:
            attempt(lambda: session.query(models.User).order_by(models.User.name).first())
            attempt(lambda: session.query(models.User.name).order_by(models.User.id).all())
        """,
        unsafe=True,
    ),
    Program(
        "unnamed-expression-rows",
        """
        def main(session: Session) -> None:
            rows = session.query(User.id, func.upper(User.name)).order_by(User.id).all()
            print([tuple(row) for row in rows])
        """,
        unsafe=True,
    ),
    Program(
        "get-uses-the-identity-map",
        """
        def main(session: Session) -> None:
            attempt(lambda: session.query(User).get(2))
            attempt(lambda: session.query(User).get(2))  # identity map: no SQL
            attempt(lambda: session.query(User).get(9))
            user = session.query(User).options(selectinload(User.addresses)).get(1)
            print(show(user), len(user.addresses))
        """,
    ),
]


# Legacy Query de-duplicates rows holding an unhashable value (JSON) by identity;
# 2.x `.unique()` raises for them ("Can't apply uniqueness", orm/loading.py
# `_not_hashable` in 2.1.9), so plain --fix must leave this chain alone.
JSON_ROWS = Program(
    "rows-with-a-json-column",
    """
    from sqlalchemy import JSON


    class Pref(Base):
        __tablename__ = "prefs"
        id: Mapped[int] = mapped_column(primary_key=True)
        user_id: Mapped[int]
        data: Mapped[dict[str, str]] = mapped_column(JSON)


    def main(session: Session) -> None:
        rows = (
            session.query(User, Pref.data)
            .join(Pref, Pref.user_id == User.id)
            .order_by(Pref.id)
            .all()
        )
        print([(show(u), data) for u, data in rows])
    """,
)


@pytest.fixture(scope="module")
def engine(postgres_server: ModuleType) -> Iterator[Engine]:
    url = postgres_server.create_database("alc101")
    engine = create_engine(url.set(drivername="postgresql+psycopg2"))
    try:
        with engine.begin() as conn:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(text(statement))
        yield engine
    finally:
        engine.dispose()
        postgres_server.drop_database(url)


@dataclass(frozen=True)
class Run:
    stdout: str
    # Per statement sent: the LIMIT it carries (None without one) and whether it
    # counts rows; the SQL text itself differs in labels only.
    limits: list[tuple[int | None, bool]]
    warnings: list[str]


_LIMIT = re.compile(r"\bLIMIT\s+%\((\w+)\)s", re.IGNORECASE)


def _run(engine: Engine, source: str) -> Run:
    # A real module: the declarative mapping resolves `Mapped[...]` through it.
    module = ModuleType(f"legacy_program_{uuid.uuid4().hex}")
    sys.modules[module.__name__] = module
    try:
        exec(compile(source, f"{module.__name__}.py", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    namespace = module.__dict__
    limits: list[tuple[int | None, bool]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        match = _LIMIT.search(statement)
        limit = parameters[match.group(1)] if match else None
        limits.append((limit, "count(*)" in statement))

    out = io.StringIO()
    event.listen(engine, "before_cursor_execute", record)
    try:
        with (
            warnings.catch_warnings(record=True) as caught,
            Session(engine) as session,
            contextlib.redirect_stdout(out),
        ):
            warnings.simplefilter("always")
            namespace["main"](session)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    # Only API warnings count: a ResourceWarning for some object of the test process
    # that the garbage collector happens to finalize during the program is not news.
    api_warnings = [
        str(w.message)
        for w in caught
        if issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning, SAWarning))
    ]
    return Run(out.getvalue(), limits, api_warnings)


def _fix(source: str, unsafe: bool) -> str:
    result = check_source(
        "legacy_program.py", source.encode(), RULES, RunOptions(fix=True, unsafe_fixes=unsafe)
    )
    assert result.error is None, result.error
    assert result.fixed_source is not None, "nothing was fixed"
    return result.fixed_source.decode()


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.name)
def test_fixed_program_prints_the_same_and_sends_the_same_limits(
    engine: Engine, program: Program
) -> None:
    before = _run(engine, program.source)
    fixed = _fix(program.source, unsafe=program.unsafe)
    assert ".query(" not in fixed.split("def main", 1)[1], "a query chain was left unfixed"
    after = _run(engine, fixed)
    assert after.stdout == before.stdout
    assert after.limits == before.limits
    assert before.stdout.strip(), "the program printed nothing"
    assert after.warnings == [], "the fixed program still uses legacy or deprecated API"


@pytest.mark.parametrize("program", [p for p in PROGRAMS if p.unsafe], ids=lambda p: p.name)
def test_unsafe_rewrites_wait_for_unsafe_fixes(program: Program) -> None:
    result = check_source("legacy_program.py", program.source.encode(), RULES, RunOptions(fix=True))
    assert result.fixed_source is None or ".query(" in result.fixed_source.decode()


def test_first_keeps_limit_1_in_the_sql(engine: Engine) -> None:
    program = PROGRAMS[0]
    after = _run(engine, _fix(program.source, unsafe=False))
    assert after.limits == [(1, False), (1, False)]


def test_rows_with_a_json_column_are_not_uniqued_by_a_safe_fix(engine: Engine) -> None:
    before = _run(engine, JSON_ROWS.source)
    assert "dark" in before.stdout and "light" in before.stdout
    result = check_source(
        "legacy_program.py", JSON_ROWS.source.encode(), RULES, RunOptions(fix=True)
    )
    assert result.fixed_source is None, "plain --fix rewrote a row query holding JSON"
    findings = check_source("legacy_program.py", JSON_ROWS.source.encode(), RULES).findings
    [finding] = findings
    assert finding.fix is not None and finding.fix.applicability == "unsafe"


# A Query subclass that hides a row, configured on the session factory: `select()`
# run by the session never calls it, so the rewrite would bring the row back.
CUSTOM_QUERY_CLASS = Program(
    "custom-query-class",
    """
    from sqlalchemy.orm import Query, sessionmaker


    class HidesCarol(Query):
        def _iter(self):
            return Query._iter(self.enable_assertions(False).filter(User.name != "carol"))


    Factory = sessionmaker(query_cls=HidesCarol)


    def main(session: Session) -> None:
        s = Factory(bind=session.get_bind())
        attempt(lambda: s.query(User).order_by(User.id).all())
        attempt(lambda: s.query(User).order_by(User.id.desc()).first())
        print(show(s.query(User).get(3)))
    """,
)


# Run as a script of its own: in this process, the program trips a CPython 3.11.7
# bug in the `ast` module ("AST constructor recursion depth mismatch") at the next
# import pytest rewrites.
_SCRIPT_FOOTER = """

if __name__ == "__main__":
    import os

    from sqlalchemy import create_engine, text

    engine = create_engine(os.environ["DATABASE_URL"])
    with engine.begin() as conn:
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(text(statement))
    with Session(engine) as session:
        main(session)
    engine.dispose()
"""


def test_a_custom_query_class_makes_query_fixes_report_only(postgres_server: ModuleType) -> None:
    url = postgres_server.create_database("alc101cls")
    try:
        script = CUSTOM_QUERY_CLASS.source + f"\n\nSCHEMA = {SCHEMA!r}\n" + _SCRIPT_FOOTER
        before = run_program(script, url_with_driver(url, SYNC_DRIVER))
    finally:
        postgres_server.drop_database(url)
    assert before.returncode == 0, before.describe()
    assert before.stdout.splitlines() == ["[User#1, User#2]", "User#2", "User#3"]
    for unsafe in (False, True):
        result = check_source(
            "legacy_program.py",
            CUSTOM_QUERY_CLASS.source.encode(),
            RULES,
            RunOptions(fix=True, unsafe_fixes=unsafe),
        )
        assert result.fixed_source is None, "a query fix ignored the custom Query class"
    findings = check_source("legacy_program.py", CUSTOM_QUERY_CLASS.source.encode(), RULES).findings
    assert sorted(f.code for f in findings) == ["ALC101", "ALC101", "ALC103"]
    for finding in findings:
        assert finding.fix is None
        assert "custom Query class is configured (`query_cls=HidesCarol` in legacy_program.py:" in (
            finding.message
        )
