"""JSON/SARIF fix edits: each finding's edits, applied alone to the file as read, give
exactly what applying that finding's fix alone gives."""

from __future__ import annotations

import re
from pathlib import Path

import libcst as cst
import pytest

from benchmarks.corpus import Mix, build_synthetic
from sqla_checks.contract.finding import Edit
from sqla_checks.contract.rule import Fix, NodeEdit
from sqla_checks.engine import registry
from sqla_checks.engine.runner import RunOptions, _positions, _visit, check_source
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


def _imports(code: str, name: str) -> bool:
    return re.search(rf"^(from \S+ )?import [^\n]*\b{name}\b", code, re.MULTILINE) is not None


def _needs_the_pipeline(module: cst.Module, fix: Fix) -> bool:
    """The two cases the direct edits leave to libcst: a fix that edits an import
    statement, and one after which an import it lists as unused really goes away."""
    if any(
        isinstance(edit, NodeEdit) and isinstance(edit.node, cst.ImportFrom) for edit in fix.edits
    ):
        return True
    fixed = render_fix(module, fix)
    return any(
        imp.name is not None and _imports(module.code, imp.name) and not _imports(fixed, imp.name)
        for imp in fix.unused_imports
    )


def test_each_findings_edits_alone_give_its_fix_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fallbacks: list[tuple[cst.Module, Fix]] = []
    original = text_edits.render_fix

    def counted(module: cst.Module, fix: Fix) -> str:
        fallbacks.append((module, fix))
        return original(module, fix)

    monkeypatch.setattr(text_edits, "render_fix", counted)
    checked = 0
    for path, text in _sources(tmp_path):
        module = cst.parse_module(text)
        reports = _visit(path, text, module, RULES)
        fixes = [report.fix for _, report in reports if report.fix is not None]
        if not fixes:
            continue
        edits = FixEdits(module, text, _positions(module), fixes)
        for fix in fixes:
            assert _apply(text, edits.edits(fix)) == original(module, fix), (path, fix)
            checked += 1
    assert checked > 150
    assert len(fallbacks) < checked / 5
    for module, fix in fallbacks:
        assert _needs_the_pipeline(module, fix), fix.description


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
