"""The target SQLAlchemy release: `target-sqlalchemy`, else the declared dependency."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqla_checks.engine.target_version import (
    describe,
    effective_target,
    infer_target,
    parse_release,
)
from sqla_checks.evidence.sqlalchemy_api import Release


def _pyproject(root: Path, text: str) -> None:
    (root / "pyproject.toml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("requirement", "release"),
    [
        ("sqlalchemy>=2.0", Release(2, 0)),
        ("SQLAlchemy>=1.4,<3", Release(1, 4)),
        ("SQLAlchemy[asyncio]>=2.0.36", Release(2, 0, 36)),
        ("sqlalchemy~=1.4.24", Release(1, 4, 24)),
        ("sqlalchemy==2.1.*", Release(2, 1)),
        ("sqlalchemy>1.4", Release(1, 4, 1)),
        ("sqlalchemy>=2.0,!=2.0.*", Release(2, 1)),
        ("sqlalchemy>=2.0.0b1", Release(2, 0)),
        ('sqlalchemy>=1.3; python_version < "3.8"', Release(1, 3)),
        # Only an upper bound: every older release counts, so 2.0 fixes stay off.
        ("SQLAlchemy<2.0", Release(0, 0)),
    ],
)
def test_the_lowest_admitted_release_is_the_target(
    tmp_path: Path, requirement: str, release: Release
) -> None:
    _pyproject(tmp_path, f'[project]\nname = "app"\ndependencies = [{requirement!r}]\n')
    target = infer_target(tmp_path)
    assert target is not None
    assert target.release == release
    assert target.label == f"{requirement} (pyproject.toml)"


@pytest.mark.parametrize(
    "dependencies",
    [
        '["flask-sqlalchemy>=3"]',
        '["sqlalchemy"]',
        '["sqlalchemy @ https://example.invalid/sqlalchemy.whl"]',
        '["sqlalchemy!=1.3.5"]',
        "[]",
    ],
)
def test_no_versioned_dependency_means_unknown(tmp_path: Path, dependencies: str) -> None:
    _pyproject(tmp_path, f'[project]\nname = "app"\ndependencies = {dependencies}\n')
    assert infer_target(tmp_path) is None
    assert describe(None).startswith("unknown")


def test_nothing_declared_at_all_is_unknown(tmp_path: Path) -> None:
    assert infer_target(tmp_path) is None


def test_optional_dependencies_count(tmp_path: Path) -> None:
    _pyproject(
        tmp_path,
        '[project]\nname = "app"\ndependencies = []\n'
        '[project.optional-dependencies]\ndb = ["SQLAlchemy>=1.4"]\n',
    )
    target = infer_target(tmp_path)
    assert target is not None and target.release == Release(1, 4)


@pytest.mark.parametrize(
    ("value", "release"),
    [
        ('"^2.0"', Release(2, 0)),
        ('"~1.4.20"', Release(1, 4, 20)),
        ('">= 1.4, < 3"', Release(1, 4)),
        ('">=1.4 <3"', Release(1, 4)),
        ('"1.4.54"', Release(1, 4, 54)),
        ('"^1.3 || ^2.0"', Release(1, 3)),
        ('{ version = "^2.0", extras = ["asyncio"] }', Release(2, 0)),
        (
            '[{ version = "^1.4", python = "<3.8" }, { version = "^2.0", python = ">=3.8" }]',
            Release(1, 4),
        ),
    ],
)
def test_poetry_constraints(tmp_path: Path, value: str, release: Release) -> None:
    _pyproject(tmp_path, f'[tool.poetry.dependencies]\npython = "^3.11"\nSQLAlchemy = {value}\n')
    target = infer_target(tmp_path)
    assert target is not None
    assert target.release == release


def test_poetry_wildcard_says_nothing(tmp_path: Path) -> None:
    _pyproject(tmp_path, '[tool.poetry.dependencies]\nsqlalchemy = "*"\n')
    assert infer_target(tmp_path) is None


def test_requirements_files(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        "# pinned\n-r base.txt\n-e .\n"
        "SQLAlchemy==1.4.54 \\\n    --hash=sha256:0123  # the ORM\n"
        "git+https://example.invalid/repo.git\n",
        encoding="utf-8",
    )
    target = infer_target(tmp_path)
    assert target is not None
    assert target.release == Release(1, 4, 54)
    assert target.label == "SQLAlchemy==1.4.54 (requirements.txt)"


def test_setup_cfg(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text(
        "[options]\ninstall_requires =\n    requests\n    SQLAlchemy>=1.3.24\n",
        encoding="utf-8",
    )
    target = infer_target(tmp_path)
    assert target is not None
    assert target.release == Release(1, 3, 24)
    assert target.label == "SQLAlchemy>=1.3.24 (setup.cfg)"


def test_setup_cfg_extras(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text(
        "[options.extras_require]\ndb =\n    SQLAlchemy>=2.0\n", encoding="utf-8"
    )
    target = infer_target(tmp_path)
    assert target is not None and target.release == Release(2, 0)


def test_the_lowest_declaration_wins(tmp_path: Path) -> None:
    # pyproject says what the code supports; a deployment pin must not raise it.
    _pyproject(tmp_path, '[project]\nname = "app"\ndependencies = ["sqlalchemy>=1.4"]\n')
    (tmp_path / "requirements-prod.txt").write_text("sqlalchemy==2.0.36\n", encoding="utf-8")
    target = infer_target(tmp_path)
    assert target is not None
    assert target.release == Release(1, 4)
    assert target.label == "sqlalchemy>=1.4 (pyproject.toml)"


def test_unreadable_dependency_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[options\ninstall_requires = x\n", encoding="utf-8")
    (tmp_path / "requirements.txt").write_bytes(b"\xff\xfe not utf-8")
    assert infer_target(tmp_path) is None


def test_the_configured_value_wins_over_the_dependency(tmp_path: Path) -> None:
    _pyproject(tmp_path, '[project]\nname = "app"\ndependencies = ["sqlalchemy>=1.4"]\n')
    target = effective_target(Release(2, 0), tmp_path)
    assert target is not None
    assert target.release == Release(2, 0)
    assert describe(target) == "SQLAlchemy 2.0 (target-sqlalchemy)"
    inferred = effective_target(None, tmp_path)
    assert inferred is not None and inferred.release == Release(1, 4)


@pytest.mark.parametrize(
    ("text", "release"),
    [("1.4", Release(1, 4)), ("2.0", Release(2, 0)), ("2.0.36", Release(2, 0, 36))],
)
def test_release_values(text: str, release: Release) -> None:
    assert parse_release(text) == release
    assert str(release) == text


@pytest.mark.parametrize(
    "text", ["2", "2.0.0.1", "latest", "2.x", "v2.0", "", "2.0b1", "\u0662.\u0660"]
)
def test_values_that_are_no_release(text: str) -> None:
    assert parse_release(text) is None
