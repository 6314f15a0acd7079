"""The findings cache across modules: an entry lives while the project facts its file
read are unchanged, and no longer."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import Project

PLAIN_BASE = """\
class Base:
    pass
"""
DECLARATIVE_BASE = """\
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""
MODEL = """\
from sqlalchemy import Column, Integer

from app.base import Base


class User(Base):
    id = Column(Integer, primary_key=True)
"""
# A model of its own declarative base: it asks the index nothing about app/.
UNRELATED = """\
from sqlalchemy import Column, Integer
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Tag(Base):
    __tablename__ = "tags"
    id = Column(Integer, primary_key=True)
"""


@pytest.fixture
def app(project: Project) -> Project:
    """A package whose model subclasses a plain base, beside an unrelated module."""
    project.config(select='select = ["ALC104"]')
    project.write("app/__init__.py", "")
    project.write("app/base.py", PLAIN_BASE)
    project.write("app/models.py", MODEL)
    project.write("app/tags.py", UNRELATED)
    return project


def _flagged(out: str) -> list[str]:
    """The files with an ALC104 finding, in the text output."""
    return sorted({line.split(":")[0] for line in out.splitlines() if "ALC104" in line})


def test_changing_a_base_class_rechecks_the_unchanged_model(
    app: Project, checked_sources: list[str]
) -> None:
    assert _flagged(app.run().out) == ["app/tags.py"]
    checked_sources.clear()
    app.write("app/base.py", DECLARATIVE_BASE)
    outcome = app.run()
    assert sorted(checked_sources) == ["app/base.py", "app/models.py"]
    assert _flagged(outcome.out) == ["app/models.py", "app/tags.py"]


def test_changing_an_unrelated_module_keeps_the_other_entries(
    app: Project, checked_sources: list[str]
) -> None:
    app.write("app/base.py", DECLARATIVE_BASE)
    first = app.run()
    checked_sources.clear()
    # A new fact of the index (app.tags.Label), which no other file asks about.
    app.write("app/tags.py", UNRELATED.replace("Tag", "Label"))
    again = app.run()
    assert checked_sources == ["app/tags.py"]
    assert _flagged(again.out) == _flagged(first.out) == ["app/models.py", "app/tags.py"]


def test_a_file_without_project_lookups_stays_warm(
    app: Project, checked_sources: list[str]
) -> None:
    app.run()
    checked_sources.clear()
    app.write("app/base.py", DECLARATIVE_BASE)
    app.write("app/extra.py", "from sqlalchemy import select\n\nQUERY = select()\n")
    app.run()
    assert "app/tags.py" not in checked_sources
    assert sorted(checked_sources) == ["app/base.py", "app/extra.py", "app/models.py"]


def test_a_new_module_the_import_now_resolves_to_invalidates(
    project: Project, checked_sources: list[str]
) -> None:
    project.config(select='select = ["ALC104"]')
    project.write("app/__init__.py", "")
    project.write("app/models.py", MODEL)
    assert _flagged(project.run().out) == []
    checked_sources.clear()
    project.write("app/base.py", DECLARATIVE_BASE)
    # base.py is not a file of this run: the index finds it because models.py imports it.
    outcome = project.run("app/models.py")
    assert checked_sources == ["app/models.py"]
    assert _flagged(outcome.out) == ["app/models.py"]


def test_deleting_a_module_invalidates(app: Project, checked_sources: list[str]) -> None:
    app.write("app/base.py", DECLARATIVE_BASE)
    assert _flagged(app.run().out) == ["app/models.py", "app/tags.py"]
    checked_sources.clear()
    (app.root / "app/base.py").unlink()
    outcome = app.run()
    assert checked_sources == ["app/models.py"]
    assert _flagged(outcome.out) == ["app/tags.py"]


def test_parallel_runs_match_one_process(app: Project, checked_sources: list[str]) -> None:
    # Enough files for a process pool (engine.workers.PARALLEL_MIN_ITEMS).
    for number in range(20):
        app.write(f"app/m{number}.py", MODEL.replace("User", f"M{number}"))
    cold = app.run("--jobs=2")
    assert cold.out == app.run("--no-cache").out
    app.write("app/base.py", DECLARATIVE_BASE)
    warm = app.run("--jobs=2")
    assert len(_flagged(warm.out)) == 22
    assert warm.out == app.run("--no-cache").out
    checked_sources.clear()
    # The workers stored entries (with what they read) that hold in this process.
    assert app.run().out == warm.out
    assert checked_sources == []


LOOKALIKE_SETTINGS = """\
class Session:
    def query(self, thing):
        return thing
"""
REGISTRY_SETTINGS = """\
from sqlalchemy.orm import scoped_session, sessionmaker

Session = scoped_session(sessionmaker())
"""
JOBS = """\
from app import settings


def run(thing):
    session = settings.Session()
    return session.query(thing).all()
"""


def test_a_module_that_starts_binding_a_session_rechecks_its_importers(
    project: Project, checked_sources: list[str]
) -> None:
    # jobs.py names no SQLAlchemy: whether it is checked for sessions at all depends on
    # what settings.py binds, an answer its cache entry must record.
    project.config(select='select = ["ALC101"]')
    project.write("app/__init__.py", "")
    project.write("app/settings.py", LOOKALIKE_SETTINGS)
    project.write("app/jobs.py", JOBS)
    assert "ALC101" not in project.run().out
    checked_sources.clear()
    project.write("app/settings.py", REGISTRY_SETTINGS)
    outcome = project.run()
    assert sorted(checked_sources) == ["app/jobs.py", "app/settings.py"]
    assert [line.split(":")[0] for line in outcome.out.splitlines() if "ALC101" in line] == [
        "app/jobs.py"
    ]


def test_cached_entries_record_what_they_read(app: Project) -> None:
    app.run()
    # Findings entries sit directly under the cache folder (summaries have their own).
    entries = [json.loads(path.read_text()) for path in app.root.glob(".sqla-checks-cache/??/*")]
    questions = {question for entry in entries for question in entry["questions"]}
    assert {"lookup:app.base.Base", "module:app/models.py"} <= questions


def test_a_run_the_cache_answers_starts_no_worker_process(
    app: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """This process reads the cache itself: a warm run of many files needs no pool."""
    import concurrent.futures

    for number in range(20):
        app.write(f"app/m{number}.py", MODEL.replace("User", f"M{number}"))
    app.write("app/base.py", DECLARATIVE_BASE)
    cold = app.run("--jobs=2")
    assert len(_flagged(cold.out)) == 22

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker pool was started")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refused)
    assert app.run("--jobs=2").out == cold.out
