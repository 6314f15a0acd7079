"""Project facts: what one file of a run tells the checks of the others."""

from __future__ import annotations

import textwrap
from pathlib import Path

from sqla_checks.engine.api import CheckPlan, Overrides, SettingsResolver, check_files
from sqla_checks.engine.cache import FindingsCache
from sqla_checks.engine.runner import RunOptions
from sqla_checks.evidence.project_facts import collect_project_facts

QUERIES = """
from sqlalchemy.orm import Session

from app.models import User


def active(session: Session) -> list[User]:
    return session.query(User).all()


def one(session: Session, user_id: int) -> User | None:
    return session.query(User).get(user_id)
"""

FACTORY = """
from sqlalchemy.orm import sessionmaker

from app.query import SoftDeleteQuery

SessionLocal = sessionmaker(query_cls=SoftDeleteQuery)
"""


def _write(root: Path, name: str, code: str) -> str:
    path = root / name
    path.write_text(textwrap.dedent(code).lstrip(), encoding="utf-8")
    return str(path)


def _resolver(root: Path) -> SettingsResolver:
    return SettingsResolver(Overrides(select=("ALC101", "ALC103")), cwd=root)


def _fixes(root: Path, paths: list[str], cache: FindingsCache | None = None) -> list[bool]:
    plan = CheckPlan(_resolver(root), options=RunOptions(with_edits=True), cache=cache)
    [checked] = [c for c in check_files(paths, plan) if c.result.path == paths[0]]
    return [finding.fix is not None for finding in checked.result.findings]


def test_a_query_cls_in_another_file_makes_query_fixes_report_only(tmp_path: Path) -> None:
    queries = _write(tmp_path, "queries.py", QUERIES)
    assert _fixes(tmp_path, [queries]) == [True, True]
    factory = _write(tmp_path, "db.py", FACTORY)
    plan = CheckPlan(_resolver(tmp_path))
    [checked, _] = check_files([queries, factory], plan)
    messages = [finding.message for finding in checked.result.findings]
    assert len(messages) == 2
    assert all(f"`query_cls=SoftDeleteQuery` in {factory}:5" in m for m in messages), messages
    assert all(finding.fix is None for finding in checked.result.findings)


def test_the_cache_key_includes_the_project_facts(tmp_path: Path) -> None:
    cache = FindingsCache(directory=tmp_path / "cache", fingerprint="test")
    (tmp_path / "cache").mkdir()
    queries = _write(tmp_path, "queries.py", QUERIES)
    assert _fixes(tmp_path, [queries], cache) == [True, True]
    factory = _write(tmp_path, "db.py", FACTORY)
    # queries.py did not change, but a fact from db.py did: no stale cached fixes.
    assert _fixes(tmp_path, [queries, factory], cache) == [False, False]
    assert _fixes(tmp_path, [queries], cache) == [True, True]


def test_only_custom_query_classes_are_facts() -> None:
    sources = {
        "lib.py": b"def make(query_cls=None):\n    return Session(query_cls=query_cls)\n",
        "dynamic.py": b"posts = relationship(lazy='dynamic', query_class=PostQuery)\n",
        "default.py": b"db = SQLAlchemy(query_class=BaseQuery)\nclass A:\n"
        b"    def __init__(self, q):\n        self.query_class = q\n",
        "flask.py": b"db = SQLAlchemy(query_class=SoftDelete)\n",
        "model.py": b"class Post(db.Model):\n    query_class = PostQuery\n",
        "base.py": b"db.Model.query_class = TenantQuery\n",
        "comment.py": b"# sessionmaker(query_cls=SoftDelete) is not used here\n",
        "compare.py": b"same = query_cls == SoftDelete\n",
    }
    facts = collect_project_facts(sources.items())
    assert [(f.path, f.line, f.spelling) for f in facts.custom_query_classes] == [
        ("flask.py", 1, "query_class=SoftDelete"),
        ("model.py", 2, "query_class=PostQuery"),
        ("base.py", 1, "query_class=TenantQuery"),
    ]
