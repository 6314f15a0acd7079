"""What a file's check read of the project facts, and whether another run answers the same."""

from __future__ import annotations

import re
from pathlib import Path

import sqla_checks
from sqla_checks.engine.project_scan import build_project_index
from sqla_checks.evidence.project_facts import CustomQueryClass, ProjectFacts
from sqla_checks.evidence.project_index import ProjectIndex
from sqla_checks.evidence.project_reads import answers_hold, recording

BASE = b"from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n"
OTHER = b"from sqlalchemy.orm import sessionmaker\n\nSessionLocal = sessionmaker()\n"


def _facts(tmp_path: Path, files: dict[str, bytes]) -> ProjectFacts:
    sources = []
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        sources.append((str(path), data))
    return ProjectFacts(index=build_project_index(sources))


def test_answers_hold_until_a_fact_read_changes(tmp_path: Path) -> None:
    before = _facts(tmp_path, {"base.py": BASE, "other.py": OTHER})
    recorded, log = recording(before)
    assert recorded.index.lookup("base.Base") is not None
    assert recorded.index.lookup("base.Missing") is None
    questions, digest = log.questions(), log.digest()
    # (With the lookups they made on the way: `base`, for `base.Missing`.)
    assert {"lookup:base.Base", "lookup:base.Missing"} <= set(questions)
    assert answers_hold(questions, digest, before)
    # Another module changing leaves the answers alone.
    unrelated = _facts(tmp_path, {"base.py": BASE, "other.py": b"from sqlalchemy import select\n"})
    assert answers_hold(questions, digest, unrelated)
    # The name that was missing appears: a question that found nothing now finds it.
    appeared = _facts(tmp_path, {"base.py": BASE + b"\n\nclass Missing(Base):\n    pass\n"})
    assert not answers_hold(questions, digest, appeared)
    # The base is no longer declarative.
    plain = _facts(tmp_path, {"base.py": b"import sqlalchemy\n\n\nclass Base:\n    pass\n"})
    assert not answers_hold(questions, digest, plain)


def test_module_names_and_query_classes_are_questions_too(tmp_path: Path) -> None:
    project = _facts(tmp_path, {"base.py": BASE})
    recorded, log = recording(project)
    assert recorded.index.module_of(str(tmp_path / "base.py")) == "base"
    assert recorded.query_classes() == ()
    questions, digest = log.questions(), log.digest()
    assert answers_hold(questions, digest, project)
    custom = (CustomQueryClass("db.py", 3, "query_cls=SoftDeleteQuery"),)
    assert not answers_hold(questions, digest, ProjectFacts(custom, project.index))
    assert not answers_hold(questions, digest, ProjectFacts())


def test_whether_a_module_binds_sqlalchemy_objects_is_a_question(tmp_path: Path) -> None:
    # A file importing `settings` as a module asks this before anything else.
    project = _facts(tmp_path, {"settings.py": OTHER})
    recorded, log = recording(project)
    assert recorded.index.defines_sqlalchemy_in("settings")
    questions, digest = log.questions(), log.digest()
    assert questions == ["sqlalchemy-in:settings"]
    assert answers_hold(questions, digest, project)
    # `SessionLocal` is gone; only a SQLAlchemy import is left.
    plain = _facts(tmp_path, {"settings.py": b"from sqlalchemy.orm import sessionmaker\n"})
    assert not answers_hold(questions, digest, plain)


def test_the_facts_offer_no_question_the_recording_does_not_know() -> None:
    # A new public way to ask the index or the facts must be recorded in
    # evidence/project_reads.py, or cached findings would outlive its answers.
    def public(cls: type) -> set[str]:
        fields = getattr(cls, "__dataclass_fields__", {})
        return {name for name in vars(cls) if not name.startswith("_") and name not in fields}

    assert public(ProjectIndex) == {
        "lookup",
        "canonical",
        "module_of",
        "has_sessions_in",
        "defines_sqlalchemy_in",
    }
    assert public(ProjectFacts) == {"query_classes"}
    index_fields = {"facts", "modules_by_path", "modules", "_memo"}
    assert set(ProjectIndex.__dataclass_fields__) == index_fields
    assert set(ProjectFacts.__dataclass_fields__) == {"custom_query_classes", "index"}


def test_checks_read_the_facts_only_through_recorded_questions() -> None:
    package = Path(sqla_checks.__file__).parent
    # Only the index, the facts and their recording touch the raw fields.
    owners = {"project_index.py", "project_facts.py", "project_reads.py"}
    raw = re.compile(r"\.(custom_query_classes|modules_by_path|_memo)\b|index\.(facts|modules)\b")
    offenders = [
        f"{path.relative_to(package)}:{number}"
        for folder in ("evidence", "rules", "fixes")
        for path in sorted((package / folder).glob("*.py"))
        if path.name not in owners
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if raw.search(line)
    ]
    assert offenders == []
