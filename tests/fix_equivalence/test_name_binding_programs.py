"""Fixes that write a SQLAlchemy name keep programs working when the name is taken.

Each program binds `select`, `func` or `mapped_column` to something of its own where a
fix would write SQLAlchemy's, and has one more legacy call elsewhere so that `--fix`
changes something (an ALC101 or ALC103 fix that writes no such name). Before issue 10
the fixes wrote the bare name there, and the fixed program called the program's object
instead (a TypeError or AttributeError); now they spell it another way or leave that
call alone, and the output is the same.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from types import ModuleType

import pytest

from tests.fix_equivalence.programs import SYNC_DRIVER, ProgramRunner

MODELS = """
from sqlalchemy import create_engine, func
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from program_runtime import DATABASE_URL


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


engine = create_engine(DATABASE_URL)
Base.metadata.create_all(engine)
with Session(engine) as session:
    session.add_all([User(id=1, name="ann"), User(id=2, name="bob")])
    session.commit()
"""

PROGRAMS = {
    # The example: a parameter named `select`.
    "select-parameter": """
    def pick(session: Session, select):
        return [select(user) for user in session.query(User).order_by(User.id).all()]


    def everyone(session: Session):
        return session.query(User).order_by(User.id).all()


    with Session(engine) as session:
        print(pick(session, lambda user: user.name))
        print([user.id for user in everyone(session)])
    """,
    # `func` is imported from SQLAlchemy, but this function's parameter hides it.
    "func-parameter": """
    def report(session: Session, func):
        return func(session.query(User).count())


    def everyone(session: Session):
        return session.query(User).order_by(User.id).all()


    with Session(engine) as session:
        print(report(session, lambda n: f"{n} users"))
        print([user.id for user in everyone(session)])
    """,
    # `from select import *` binds the standard library's `select()`; a new
    # `from sqlalchemy import select` merged into the import above it would lose.
    "select-from-a-star-import": """
    from select import *


    def everyone(session: Session):
        return session.query(User).order_by(User.id).all()


    def first(session: Session):
        return session.query(User).get(1)


    with Session(engine) as session:
        print([user.id for user in everyone(session)])
        print(first(session).name)
        print(callable(select))
    """,
}

# The user's own `mapped_column`, defined before the models: a fixed class body
# calling `mapped_column(Integer, primary_key=True)` would call it.
MAPPED_COLUMN_PROGRAM = """
from sqlalchemy import Column, Integer, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Session

from program_runtime import DATABASE_URL


def mapped_column(value):
    return f"column {value!r}"


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"
    id = Column(Integer, primary_key=True)
    label = Column(String(20), nullable=False)


engine = create_engine(DATABASE_URL)
Base.metadata.create_all(engine)
with Session(engine) as session:
    session.add(Item(id=1, label="one"))
    session.commit()
    print(session.query(Item).get(1).label)
print(mapped_column("label"))
"""


def _sources() -> dict[str, str]:
    sources = {
        name: MODELS + "\n\n" + textwrap.dedent(body).lstrip("\n")
        for name, body in PROGRAMS.items()
    }
    sources["mapped_column-defined-by-the-module"] = MAPPED_COLUMN_PROGRAM
    return sources


SOURCES = _sources()


@pytest.fixture(scope="module")
def runner(postgres_server: ModuleType) -> Iterator[ProgramRunner]:
    runner = ProgramRunner(postgres_server, workers=4)
    for source in SOURCES.values():
        runner.prefetch(source, unsafe=True, driver=SYNC_DRIVER)
    yield runner
    runner.close()


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_fixed_program_prints_the_same_when_the_name_is_taken(
    runner: ProgramRunner, name: str
) -> None:
    source = SOURCES[name]
    fixed = runner.fix(source, unsafe=True)
    runs = runner.run({"before": source, "after": fixed.source}, SYNC_DRIVER)
    before, after = runs["before"], runs["after"]
    assert before.returncode == 0, before.describe()
    assert before.stdout.strip(), "the program printed nothing"
    assert after.returncode == 0, after.describe() + fixed.source
    assert after.stdout == before.stdout
