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
from sqlalchemy import String, create_engine, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

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


@pytest.fixture(scope="module")
def engine(sync_url: str) -> Iterator[Engine]:
    engine = create_engine(sync_url)
    blog_base.Base.metadata.create_all(engine)
    yield engine
    blog_base.Base.metadata.drop_all(engine)
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
