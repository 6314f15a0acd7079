"""JSON/SARIF fix edits: each finding's edits, applied alone to the file as read, give
exactly what applying that finding's fix alone gives."""

from __future__ import annotations

import re
from pathlib import Path

import libcst as cst
import pytest

from benchmarks.corpus import Mix, build_synthetic
from sqla_checks.contract.finding import Edit
from sqla_checks.contract.positions import NodePositions
from sqla_checks.contract.rule import Fix
from sqla_checks.engine import registry
from sqla_checks.engine.runner import RunOptions, _visit, check_source
from sqla_checks.fixes import text_edits
from sqla_checks.fixes.apply import render_fix
from sqla_checks.fixes.text_edits import FixEdits

ROOT = Path(__file__).resolve().parents[2]
RULES = registry.all_rules()

# Indentation, multi-line chains, imports added and (for a single use) removed, and a
# fix made of two edits with a removed import (ALC106).
HANDMADE = {
    "nested.py": """\
from sqlalchemy import Column, Integer, create_engine
from sqlalchemy.orm import Session, declarative_base, relationship, backref

Base = declarative_base()


class User(Base):
    __tablename__ = "user_account"
    id = Column(Integer, primary_key=True)


class Post(Base):
    __tablename__ = "post"
    id = Column(Integer, primary_key=True)
    author = relationship("User", backref=backref("posts", lazy="selectin"))


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def recent(self, limit):
        if limit:
            return (
                self.session.query(User)
                .filter(User.id > 3)  # kept
                .order_by(User.id)
                .all()
            )
        return self.session.query(User).get(1)
""",
    "single_column.py": """\
from sqlalchemy import Column, Integer
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Tag(Base):
    __tablename__ = "tag"
    id = Column(Integer, primary_key=True)
""",
}


def _apply(text: str, edits: tuple[Edit, ...]) -> str:
    """Ruff's edit semantics: 1-based row and column, end exclusive, edits apart."""
    lines = re.findall(r".*?(?:\r\n|\r|\n)|.+\Z", text, re.DOTALL)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(row: int, column: int) -> int:
        return starts[row - 1] + column - 1 if row <= len(lines) else len(text)

    for edit in sorted(edits, key=lambda e: (e.start.line, e.start.column), reverse=True):
        start = offset(edit.start.line, edit.start.column)
        end = offset(edit.end.line, edit.end.column)
        text = text[:start] + edit.content + text[end:]
    return text


def _sources(tmp_path: Path) -> list[tuple[str, str]]:
    found = [(name, source) for name, source in HANDMADE.items()]
    for path in sorted((ROOT / "examples" / "legacy_blog").rglob("*.py")):
        found.append((str(path), path.read_text(encoding="utf-8")))
    corpus = build_synthetic(tmp_path / "legacy", 12, mix=Mix(0, 0, 1))
    found += [(source.path, source.data.decode()) for source in corpus.files]
    return found


def _check_each_fix(path: str, text: str, fallbacks: list[Fix]) -> int:
    """Assert that each fix's edits give its fix alone; how many fixes there were."""
    module = cst.parse_module(text)
    reports = _visit(path, text, module, RULES)
    fixes = [report.fix for _, report in reports if report.fix is not None]
    if not fixes:
        return 0
    edits = FixEdits(module, text, NodePositions(module))
    for fix in fixes:
        before = len(fallbacks)
        got = _apply(text, edits.edits(fix))
        if len(fallbacks) == before:  # made without the pipeline: compare with it
            assert got == render_fix(module, fix), (path, fix.description)
    return len(fixes)


@pytest.fixture
def fallbacks(monkeypatch: pytest.MonkeyPatch) -> list[Fix]:
    """The fixes whose edits came from applying the fix alone to the whole module."""
    found: list[Fix] = []
    original = text_edits.render_fix

    def counted(module: cst.Module, fix: Fix) -> str:
        found.append(fix)
        return original(module, fix)

    monkeypatch.setattr(text_edits, "render_fix", counted)
    return found


def test_each_findings_edits_alone_give_its_fix_alone(tmp_path: Path, fallbacks: list[Fix]) -> None:
    checked = sum(_check_each_fix(path, text, fallbacks) for path, text in _sources(tmp_path))
    assert checked > 150
    # ALC105's import fixes included, no finding of these files needs the pipeline.
    assert fallbacks == []


# The import statements a fix edits, drops names from or extends, spliced into the
# text (name: source, whether some fix of it still needs the whole-module pipeline).
IMPORT_CASES = {
    "several_names": (
        """\
from sqlalchemy import Column, Integer
from sqlalchemy.orm import Session, declarative_base, relationship

engine = None
Base = declarative_base()


class User(Base):
    __tablename__ = "user"
    id = Column(Integer, primary_key=True)
""",
        False,
    ),
    "parenthesised_with_comments": (
        """\
\"\"\"Models.\"\"\"

# the ORM
from sqlalchemy.orm import (  # names
    relationship,
    declarative_base,  # the old base
    Session,
)
from sqlalchemy.ext.declarative import (
    declared_attr,  # moved
    ConcreteBase,
)

Base = declarative_base()
""",
        False,
    ),
    "whole_line_goes": (
        """\
import datetime

from sqlalchemy.ext.declarative import declarative_base
from sqlalchemy.orm import relationship

engine = None
Base = declarative_base()  # the base
""",
        False,
    ),
    "base_right_after_the_imports": (
        """\
from sqlalchemy.ext.declarative import declarative_base


Base = declarative_base()


class Tag(Base):
    pass
""",
        False,
    ),
    "aliases": (
        """\
from sqlalchemy.ext.declarative import declared_attr as attr, declarative_base as make
from sqlalchemy.ext.declarative import as_declarative as decl

engine = None
Base = make()
""",
        False,  # `make` stays: no import of `declarative_base` without an alias
    ),
    "semicolons": (
        """\
import os; from sqlalchemy.ext.declarative import declarative_base
from sqlalchemy.ext.declarative import declared_attr; import sys

engine = None
Base = declarative_base()
""",
        True,  # an import line holding two statements: libcst's visitor decides
    ),
    "still_used_elsewhere": (
        """\
from sqlalchemy.orm import declarative_base
from sqlalchemy.ext.declarative import declared_attr

engine = None
Base = declarative_base()


def other_base():
    return declarative_base()
""",
        False,
    ),
    "import_further_down": (
        """\
from sqlalchemy.ext.declarative import declarative_base

engine = None
Base = declarative_base()


def later():
    from sqlalchemy.ext.declarative import declared_attr

    return declared_attr
""",
        True,  # an import statement below the head: the head is not the whole story
    ),
    "crlf": (
        "from sqlalchemy.orm import declarative_base, relationship\r\n"
        "from sqlalchemy.ext.declarative import declared_attr\r\n\r\n"
        "engine = None\r\n"
        "Base = declarative_base()\r\n",
        False,
    ),
    "no_trailing_newline": (
        "from sqlalchemy.ext.declarative import declarative_base, declared_attr\n\n"
        "engine = None\n"
        "Base = declarative_base()",
        True,  # the last line's text lacks the newline its node generates
    ),
}


@pytest.mark.parametrize("name", IMPORT_CASES)
def test_import_edits_give_the_fix_alone(name: str, fallbacks: list[Fix]) -> None:
    text, needs_pipeline = IMPORT_CASES[name]
    assert _check_each_fix(f"{name}.py", text, fallbacks) >= 2
    descriptions = {fix.description for fix in fallbacks}
    assert descriptions <= {"Subclass DeclarativeBase"}
    assert bool(fallbacks) == needs_pipeline


def test_check_source_reports_edits_that_apply(tmp_path: Path) -> None:
    text = HANDMADE["nested.py"]
    result = check_source("nested.py", text.encode(), RULES, RunOptions(with_edits=True))
    for finding in result.findings:
        assert finding.fix is not None
        assert finding.fix.edits
        fixed = _apply(text, finding.fix.edits)
        cst.parse_module(fixed)
        assert fixed != text


BACKREF = """\
from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class User(Base):
    __tablename__ = "user_account"
    id = Column(Integer, primary_key=True)


class Post(Base):
    __tablename__ = "post"
    id = Column(Integer, primary_key=True)
    author = relationship("User", backref="posts")
"""


def test_a_two_edit_fix_edits_only_its_nodes() -> None:
    result = check_source("models.py", BACKREF.encode(), RULES, RunOptions(with_edits=True))
    (backref,) = [finding for finding in result.findings if finding.code == "ALC106"]
    assert backref.fix is not None
    assert [
        (e.start.line, e.start.column, e.end.line, e.end.column, e.content)
        for e in backref.fix.edits
    ] == [
        (10, 1, 10, 1, '    posts = relationship("Post", back_populates="author")\n'),
        (15, 14, 15, 51, 'relationship("User", back_populates="posts")'),
    ]


def test_edits_with_the_rules_scopes_equal_those_without(tmp_path: Path) -> None:
    """check_source hands FixEdits the scope analysis the rules' fixes made."""
    compared = 0
    for path, text in _sources(tmp_path):
        result = check_source(path, text.encode(), RULES, RunOptions(with_edits=True))
        module = cst.parse_module(text)
        reports = _visit(path, text, module, RULES)
        fixes = [report.fix for _, report in reports if report.fix is not None]
        if not fixes:
            continue
        alone = FixEdits(module, text, NodePositions(module))
        expected = sorted(
            [(fix.description, alone.edits(fix)) for fix in fixes],
            key=repr,
        )
        found = sorted(
            [
                (finding.fix.description, finding.fix.edits)
                for finding in result.findings
                if finding.fix is not None
            ],
            key=repr,
        )
        assert found == expected, path
        compared += len(found)
    assert compared > 150
