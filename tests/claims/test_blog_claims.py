"""What examples/blog's docstrings and README say its code does, shown on the installed
versions. The blog is its own project (its own `app` package), so its settings and
its Alembic setup run in subprocesses; its base module is loaded by path."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from types import ModuleType

import pytest
from packaging.version import Version
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    String,
    Table,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import MissingGreenlet
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

REPO_ROOT = Path(__file__).resolve().parents[2]
BLOG = REPO_ROOT / "examples" / "blog"


def _load_blog_base() -> ModuleType:
    name = "blog_example_db_base"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BLOG / "app" / "db" / "base.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        # SQLAlchemy resolves the mixin's string annotations in its module.
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


blog_base = _load_blog_base()


class Stamped(blog_base.TimestampMixin, blog_base.Base):  # type: ignore[misc, name-defined]
    __tablename__ = "claim_stamped"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50))


claim_labels_link = Table(
    "claim_labels_link",
    blog_base.Base.metadata,
    Column("tagged_id", ForeignKey("claim_tagged.id"), primary_key=True),
    Column("label_id", ForeignKey("claim_labels.id"), primary_key=True),
)


class Label(blog_base.Base):  # type: ignore[misc, name-defined]
    __tablename__ = "claim_labels"
    id: Mapped[int] = mapped_column(primary_key=True)


class Tagged(blog_base.TimestampMixin, blog_base.Base):  # type: ignore[misc, name-defined]
    __tablename__ = "claim_tagged"
    id: Mapped[int] = mapped_column(primary_key=True)
    labels: Mapped[list[Label]] = relationship(secondary=claim_labels_link)


class PlainBase(DeclarativeBase):
    """A base without the blog's `eager_defaults=True`."""


class Plain(PlainBase):
    __tablename__ = "claim_plain"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


@pytest.fixture(scope="module")
def engine(sync_url: str) -> Iterator[Engine]:
    engine = create_engine(sync_url)
    blog_base.Base.metadata.create_all(engine)
    PlainBase.metadata.create_all(engine)
    yield engine
    blog_base.Base.metadata.drop_all(engine)
    PlainBase.metadata.drop_all(engine)
    engine.dispose()


@pytest.mark.claim("blog-updated-at-orm-updates-only")
def test_updated_at_moves_on_orm_updates_and_not_on_raw_ones(engine: Engine) -> None:
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    with Session(engine) as session:
        session.add(Stamped(id=1, title="first"))
        session.commit()
    with engine.begin() as connection:
        connection.execute(text("UPDATE claim_stamped SET updated_at = :t"), {"t": long_ago})
        connection.execute(text("UPDATE claim_stamped SET title = 'raw'"))
    with Session(engine) as session:
        row = session.get_one(Stamped, 1)
        assert (row.title, row.updated_at) == ("raw", long_ago)
        row.title = "orm"
        session.commit()
        assert session.scalar(select(Stamped.updated_at)) > long_ago


@pytest.mark.claim("blog-collection-change-skips-onupdate")
def test_changing_only_a_collection_sends_no_update_so_onupdate_does_not_fire(
    engine: Engine,
) -> None:
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    with Session(engine) as session:
        session.add(Tagged(id=1))
        session.commit()
    with engine.begin() as connection:
        connection.execute(text("UPDATE claim_tagged SET updated_at = :t"), {"t": long_ago})
    sent: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        with Session(engine) as session:
            tagged = session.get_one(Tagged, 1)
            tagged.labels.append(Label(id=1))
            session.commit()
            assert session.get_one(Tagged, 1).updated_at == long_ago
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert any(s.startswith("INSERT INTO claim_labels_link") for s in sent)
    assert not any(s.startswith("UPDATE claim_tagged") for s in sent)


@pytest.mark.claim("blog-eager-defaults-avoid-missing-greenlet")
async def test_eager_defaults_read_onupdate_values_back_where_async_could_not_load_them(
    engine: Engine, async_url: str
) -> None:
    async_engine = create_async_engine(async_url)
    try:
        async with AsyncSession(async_engine) as session:
            stamped, plain = Stamped(id=9, title="a"), Plain(id=9, title="a")
            session.add_all([stamped, plain])
            await session.flush()
            stamped.title = plain.title = "b"
            await session.flush()
            assert stamped.updated_at is not None  # read back by RETURNING
            with pytest.raises(MissingGreenlet):
                plain.updated_at  # noqa: B018  (expired: a load async cannot do here)
            await session.rollback()
    finally:
        await async_engine.dispose()


def _blog_python(code: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(BLOG)},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.claim("blog-settings-env-names-ignore-case")
@pytest.mark.parametrize("variable", ["DATABASE_URL", "database_url", "Database_Url"])
def test_settings_read_the_variable_in_any_case(variable: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k.upper() != "DATABASE_URL"}
    env[variable] = "postgresql://u:p@db.example/blog"
    # tmp_path as the working directory: no .env file is read.
    completed = _blog_python(
        "from app.config import Settings; print(Settings().database_url.get_secret_value())",
        env,
        tmp_path,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "postgresql+asyncpg://u:p@db.example/blog"


@pytest.mark.claim("blog-revision-files-are-formatted")
def test_alembic_revision_writes_a_ruff_formatted_file(tmp_path: Path) -> None:
    assert Version(version("alembic")) >= Version("1.16.3")
    project = tmp_path / "blog"
    shutil.copytree(BLOG, project, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    versions = project / "alembic" / "versions"
    before = set(versions.glob("*.py"))
    completed = subprocess.run(
        [sys.executable, "-m", "alembic", "revision", "-m", "claim probe"],
        cwd=project,
        env={**os.environ, "DATABASE_URL": "postgresql://u@127.0.0.1:1/unused"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    (written,) = set(versions.glob("*.py")) - before
    assert "Running post write hook 'ruff_format'" in completed.stdout + completed.stderr
    check = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", str(written)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stdout + check.stderr
