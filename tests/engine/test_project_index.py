"""The project index: what the top-level names of a project's modules are, across modules."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sqla_checks.engine import project_scan
from sqla_checks.engine.api import (
    CheckPlan,
    Overrides,
    SettingsResolver,
    check_files,
    check_text,
    project_facts,
)
from sqla_checks.engine.cache import FindingsCache
from sqla_checks.engine.project_scan import build_project_index
from sqla_checks.engine.settings import settings_for
from sqla_checks.evidence.project_index import (
    AnnotationAlias,
    FlaskSQLAlchemy,
    Instance,
    MapperRegistry,
    ModelClass,
    ProjectClass,
    ProjectIndex,
    SessionDependency,
    SqlaName,
    TupleProvider,
)
from sqla_checks.evidence.sqlalchemy_api import Kind

PROJECT = {
    "app/__init__.py": "",
    "app/extensions.py": """
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()
        Column = db.Column
    """,
    "app/db.py": """
        from typing import Annotated

        from fastapi import Depends
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
        from sqlalchemy.orm import scoped_session, sessionmaker

        engine = create_async_engine("postgresql+asyncpg://localhost/app")
        AsyncSessionLocal = async_sessionmaker(engine)
        SessionLocal = sessionmaker()
        Session = scoped_session(SessionLocal)


        async def get_session():
            async with AsyncSessionLocal() as session:
                yield session


        SessionDep = Annotated[AsyncSession, Depends(get_session)]


        def get_config():
            return {"url": "postgresql://"}
    """,
    "app/models/__init__.py": """
        from .base import Base, TimestampMixin
        from .user import User
        from . import user
    """,
    # Mentions SQLAlchemy, so it is summarised, and the package it imports from is too.
    "app/services.py": """
        from sqlalchemy import select

        from app.models import Base, TimestampMixin, User
    """,
    "app/models/base.py": """
        from sqlalchemy import Column, DateTime
        from sqlalchemy.orm import DeclarativeBase


        class Base(DeclarativeBase):
            pass


        class TimestampMixin:
            created = Column(DateTime)


        class Plain:
            pass
    """,
    "app/models/user.py": """
        from sqlalchemy import Column, Integer

        from app.models.base import Base, Plain, TimestampMixin


        class User(Base, TimestampMixin):
            __tablename__ = "user_account"
            id = Column(Integer, primary_key=True)


        class Admin(User):
            pass


        class Helper(Plain):
            pass
    """,
    # Classes mapped imperatively, and sessions held as class attributes.
    "app/legacy.py": """
        from sqlalchemy import Column, Integer, MetaData, Table, orm

        from app.db import Session

        metadata = MetaData()
        mappers = orm.registry(metadata=metadata)
        items = Table("items", metadata, Column("id", Integer, primary_key=True))


        class Item:
            pass


        class SubItem(Item):
            pass


        class Note:
            pass


        class SessionMixin:
            Session = Session


        class Record(SessionMixin):
            pass


        class Shadowed(SessionMixin):
            def Session(self):
                return None


        mappers.map_imperatively(Item, items)
        charts.map_imperatively(Note, items)


        def make_sessions():
            sessions = orm.sessionmaker()
            return metadata, sessions
    """,
    # Declared at the top level and set by a setup function (airflow's settings).
    "app/settings.py": """
        import typing
        from collections.abc import Callable

        import requests
        from sqlalchemy.engine import Engine
        from sqlalchemy.orm import Session as SASession

        from app.helpers import Callable as Maker

        Session: Callable[..., SASession]
        other: typing.Callable[..., SASession]
        session: SASession
        engine: Engine
        client: Callable[..., requests.Session]
        made: Maker[..., SASession]


        def configure_orm(bind: Engine) -> None:
            global Session
            Session = SASession
    """,
    # Names SQLAlchemy's session class, binds none of the project's.
    "app/helpers.py": """
        from sqlalchemy.orm import Session


        class Callable:
            pass
    """,
}


def _write(root: Path, files: dict[str, str]) -> list[str]:
    paths = []
    for name, code in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code).lstrip(), encoding="utf-8")
        paths.append(str(path))
    return paths


@pytest.fixture
def index(tmp_path: Path) -> ProjectIndex:
    return build_project_index((p, Path(p).read_bytes()) for p in _write(tmp_path, PROJECT))


@pytest.mark.parametrize(
    ("name", "fact"),
    [
        ("app.extensions.db", FlaskSQLAlchemy()),
        ("app.extensions.Column", SqlaName("sqlalchemy.Column")),
        ("app.extensions.db.relationship", SqlaName("sqlalchemy.orm.relationship")),
        ("app.extensions.db.Model", ModelClass(base=True, generates_tablename=True, query=True)),
        ("app.extensions.db.session", Instance(Kind.SYNC_SESSION, registry=True)),
        ("app.db.engine", Instance(Kind.ASYNC_ENGINE)),
        ("app.db.AsyncSessionLocal", Instance(Kind.ASYNC_FACTORY)),
        ("app.db.SessionLocal", Instance(Kind.SYNC_FACTORY)),
        ("app.db.Session", Instance(Kind.SYNC_SESSION, registry=True)),
        ("app.db.get_session", SessionDependency(Kind.ASYNC_SESSION, generator=True)),
        ("app.db.SessionDep", AnnotationAlias(Kind.ASYNC_SESSION)),
        ("app.models.Base", ModelClass(base=True)),
        ("app.models.base.Base", ModelClass(base=True)),
        ("app.models.User", ModelClass()),
        ("app.models.user.User", ModelClass()),
        ("app.models.user.Admin", ModelClass()),
        ("app.models.TimestampMixin", ModelClass(mixin=True)),
        ("app.models.base.TimestampMixin", ModelClass(mixin=True)),
        # Through `from . import user` in the package.
        ("app.models.user.Base", ModelClass(base=True)),
        ("app.legacy.mappers", MapperRegistry()),
        ("app.legacy.Item", ModelClass(imperative=True)),
        ("app.legacy.SessionMixin.Session", Instance(Kind.SYNC_SESSION, registry=True)),
        # Inherited from a project base class.
        ("app.legacy.Record.Session", Instance(Kind.SYNC_SESSION, registry=True)),
        ("app.legacy.make_sessions", TupleProvider((None, Instance(Kind.SYNC_FACTORY)))),
        ("app.settings.Session", SessionDependency(Kind.SYNC_SESSION)),
        ("app.settings.other", SessionDependency(Kind.SYNC_SESSION)),
        ("app.settings.session", Instance(Kind.SYNC_SESSION)),
    ],
)
def test_names_resolve_across_modules(index: ProjectIndex, name: str, fact: object) -> None:
    assert index.lookup(name) == fact


@pytest.mark.parametrize(
    "name",
    [
        "app.db.get_config",  # returns a dict, not a session
        "app.models.base.Plain",  # used as a base only by a plain class
        "app.models.user.Helper",
        "app.extensions.db.create_all",  # Flask-SQLAlchemy's own method
        "app.extensions.db._engine_options",
        "app.missing.name",
        "app.legacy.SubItem",  # subclassing an imperatively mapped class maps nothing
        "app.legacy.Note",  # `charts` is no registry
        "app.legacy.Shadowed.Session",  # a method hides the base's attribute
        "app.settings.engine",  # declared types other than sessions are left unknown
        "app.settings.client",  # another library's session
        "app.settings.made",  # a `Callable` of the project's own, not typing's
    ],
)
def test_look_alikes_are_not_facts(index: ProjectIndex, name: str) -> None:
    fact = index.lookup(name)
    assert fact is None or isinstance(fact, ProjectClass), fact


@pytest.mark.parametrize(
    ("module", "defines"),
    [
        ("app.db", True),  # factories, a registry, a dependency, an alias
        ("app.extensions", True),  # the `db` object
        ("app.models", True),  # mapped classes, re-exported
        ("app.models.base", True),
        ("app.legacy", True),  # a session as a class attribute
        ("app.settings", True),  # declared sessions
        ("app.helpers", False),  # imports SQLAlchemy's `Session` only
        ("app", False),  # a package whose `__init__` binds nothing
        ("app.missing", False),
    ],
)
def test_modules_that_bind_sqlalchemy_objects(
    index: ProjectIndex, module: str, defines: bool
) -> None:
    assert index.defines_sqlalchemy_in(module) is defines


def test_canonical_names_follow_re_exports(index: ProjectIndex) -> None:
    assert index.canonical("app.extensions.Column") == "sqlalchemy.Column"
    assert index.canonical("app.models.user.Integer") == "sqlalchemy.Integer"
    assert index.canonical("app.models.User") == "app.models.User"
    assert index.canonical("pandas.DataFrame") == "pandas.DataFrame"


def test_an_import_cycle_resolves_to_nothing(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg.b import thing\n",
        "pkg/b.py": "from pkg.a import thing\n",
    }
    paths = _write(tmp_path, files)
    index = build_project_index((p, Path(p).read_bytes()) for p in paths)
    assert index.lookup("pkg.a.thing") is None


def _codes(paths: list[str], root: Path, jobs: int = 1, **kwargs: object) -> dict[str, list[str]]:
    resolver = SettingsResolver(Overrides(select=("ALC104",)), cwd=root)
    checked = check_files(paths, CheckPlan(resolver, **kwargs), jobs=jobs)  # type: ignore[arg-type]
    return {
        Path(c.result.path).relative_to(root).as_posix(): [
            f"{f.code}:{f.start.line}" for f in c.result.findings
        ]
        for c in checked
        if c.result.findings
    }


def test_a_model_file_checked_alone_sees_its_imported_base(tmp_path: Path) -> None:
    paths = _write(tmp_path, PROJECT)
    user = next(p for p in paths if p.endswith("user.py"))
    assert _codes([user], tmp_path) == {"app/models/user.py": ["ALC104:8"]}


def test_the_editor_path_sees_imported_bases_too(tmp_path: Path) -> None:
    paths = _write(tmp_path, PROJECT)
    user = next(p for p in paths if p.endswith("user.py"))
    settings = settings_for(user, overrides=Overrides(select=("ALC104",)))
    result = check_text(user, Path(user).read_text(), settings)
    assert [f.start.line for f in result.findings] == [8]


def test_a_cached_model_file_is_rechecked_when_its_base_changes(tmp_path: Path) -> None:
    files = dict(PROJECT)
    files["app/models/base.py"] = """
        class Base:
            pass


        class TimestampMixin:
            pass


        class Plain:
            pass
    """
    files["app/models/user.py"] = """
        from sqlalchemy import Column, Integer

        from app.models.base import Base


        class User(Base):
            id = Column(Integer, primary_key=True)
    """
    paths = _write(tmp_path, files)
    (tmp_path / "cache").mkdir()
    cache = FindingsCache(directory=tmp_path / "cache", fingerprint="test")
    assert _codes(paths, tmp_path, cache=cache) == {}
    # Only base.py changes: Base becomes a declarative base.
    (tmp_path / "app/models/base.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n"
    )
    assert _codes(paths, tmp_path, cache=cache) == {"app/models/user.py": ["ALC104:7"]}


def test_worker_processes_see_the_same_index(tmp_path: Path) -> None:
    files = dict(PROJECT)
    # Enough files for a process pool (engine.workers.PARALLEL_MIN_ITEMS).
    for number in range(20):
        files[f"app/models/m{number}.py"] = f"""
            from sqlalchemy import Column, Integer

            from app.models import Base


            class M{number}(Base):
                id = Column(Integer, primary_key=True)
        """
    paths = _write(tmp_path, files)
    in_process = _codes(paths, tmp_path)
    assert len(in_process) == 22  # 20 models, user.py and the mixin in base.py
    assert _codes(paths, tmp_path, jobs=2) == in_process


def test_module_summaries_are_cached_and_damaged_entries_are_misses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _write(tmp_path, PROJECT)
    (tmp_path / "cache").mkdir()
    cache = FindingsCache(directory=tmp_path / "cache", fingerprint="test")
    cold = project_facts(paths, cache=cache).index
    entries = sorted((tmp_path / "cache").rglob("*.json"))
    assert len(entries) == len(cold.modules_by_path) == 9

    def no_parsing(*args: object) -> None:
        raise AssertionError("a warm scan parsed a module")

    with monkeypatch.context() as patch:
        patch.setattr(project_scan, "summarize", no_parsing)
        assert project_facts(paths, cache=cache).index.facts == cold.facts
    for entry in entries:
        entry.write_text(entry.read_text().replace("DeclarativeBase", "DeclarativeBasf"))
    assert project_facts(paths, cache=cache).index.facts == cold.facts


def test_namespace_packages_resolve_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "app/base.py": """
            from sqlalchemy.orm import DeclarativeBase


            class Base(DeclarativeBase):
                pass
        """,
        "app/models.py": """
            from sqlalchemy import Column, Integer

            from app.base import Base


            class User(Base):
                id = Column(Integer, primary_key=True)
        """,
    }
    paths = _write(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    assert _codes(paths[1:], tmp_path) == {"app/models.py": ["ALC104:7"]}


def test_summaries_are_made_in_batches_a_process_pool_can_share(tmp_path: Path) -> None:
    """The run's files go to the mapper as one batch, then each round of imported
    modules; the index is the one `map` gives."""
    paths = _write(tmp_path, PROJECT)
    user = next(p for p in paths if p.endswith("user.py"))
    batches: list[list[str]] = []

    def recording(function, jobs):  # type: ignore[no-untyped-def]
        batches.append([job[0] for job in jobs])
        return [function(job) for job in jobs]

    alone = project_facts([user], mapper=recording).index.facts
    assert alone == project_facts([user]).index.facts
    # The file, then the modules it imports (its base, the package), round by round.
    assert batches[0] == ["app.models.user"]
    assert len(batches) >= 2
    batches.clear()
    whole = project_facts(paths, mapper=recording).index.facts
    assert whole == project_facts(paths).index.facts
    assert len(batches[0]) > 1
    summarised = [module for batch in batches for module in batch]
    assert len(summarised) == len(set(summarised))  # each module once
