"""One `--fix` fixes any number of findings: every round applies all fixes that do
not overlap, and the summary counts the fixes applied."""

from __future__ import annotations

import subprocess
import sys

from tests.cli.conftest import Project

BACKREFS = 50
CHAINS = 200


def _backref_models() -> str:
    sources = "".join(
        f"""

class Source{i}(Base):
    __tablename__ = "source{i}"
    id = Column(Integer, primary_key=True)
    hub_id = Column(ForeignKey("hub.id"))
    hub = relationship("Hub", backref="sources{i}")
"""
        for i in range(BACKREFS)
    )
    return (
        "from sqlalchemy import Column, ForeignKey, Integer\n"
        "from sqlalchemy.orm import declarative_base, relationship\n\n"
        "Base = declarative_base()\n\n\n"
        "class Hub(Base):\n"
        '    __tablename__ = "hub"\n'
        "    id = Column(Integer, primary_key=True)\n" + sources
    )


def test_fifty_backrefs_onto_one_class_are_fixed_in_one_run(project: Project) -> None:
    project.config(select='select = ["ALC106"]')
    path = project.write("models.py", _backref_models())
    outcome = project.run("--fix", "--unsafe-fixes")
    assert f"Found {BACKREFS} errors ({BACKREFS} fixed, 0 remaining)." in outcome.out
    assert outcome.code == 0
    fixed = path.read_text()
    hub = fixed.split("class Source0")[0]
    # In source order, the order in which SQLAlchemy set the backrefs up.
    assert [line.split(" =")[0].strip() for line in hub.splitlines()[-BACKREFS - 2 : -2]] == [
        f"sources{i}" for i in range(BACKREFS)
    ]
    assert 'sources7 = relationship("Source7", back_populates="hub")' in fixed
    again = project.run("--unsafe-fixes")
    assert again.code == 0, again.out
    # The fixed models configure: both sides of every pair agree.
    script = (
        "import models\nfrom sqlalchemy.orm import configure_mappers\n"
        "configure_mappers()\n"
        "print(models.Hub.sources49.property.mapper.class_.__name__)\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script], cwd=project.root, capture_output=True, text=True
    )
    assert ran.stdout == "Source49\n", ran.stderr


def _query_chains() -> str:
    chains = "".join(
        f"\n\ndef find{i}(session: Session):\n"
        f"    return session.query(User).filter(User.id == {i}).all()\n"
        for i in range(CHAINS)
    )
    return (
        "from sqlalchemy import Integer\n"
        "from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "class User(Base):\n"
        '    __tablename__ = "user_account"\n'
        "    id: Mapped[int] = mapped_column(Integer, primary_key=True)\n" + chains
    )


def test_two_hundred_query_chains_in_one_file_are_fixed_in_one_run(project: Project) -> None:
    project.config(select='select = ["ALC101"]')
    path = project.write("queries.py", _query_chains())
    outcome = project.run("--fix")
    assert f"Found {CHAINS} errors ({CHAINS} fixed, 0 remaining)." in outcome.out
    fixed = path.read_text()
    assert fixed.count("session.scalars(select(User).where(User.id == ") == CHAINS
    assert fixed.startswith("from sqlalchemy import select, Integer\n")
    assert project.run().code == 0
