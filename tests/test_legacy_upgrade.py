"""`sqla-checks --fix` upgrades the legacy example without changing what it does.

A copy of examples/legacy_blog is fixed in a temporary folder, once with the safe
fixes only and once with `--unsafe-fixes` too; its own HTTP test suite must still
pass on PostgreSQL, a second run must change nothing, and what is still reported
must be exactly the findings that have no fix in that mode.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _sqla_checks(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sqla_checks", "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.py"))}


FIX_MODES = {"safe": ("--fix",), "unsafe": ("--fix", "--unsafe-fixes")}


@pytest.fixture(scope="module", params=sorted(FIX_MODES))
def fix_mode(request: pytest.FixtureRequest) -> tuple[str, ...]:
    """The `--fix` flags of one upgrade run."""
    return FIX_MODES[request.param]


@pytest.fixture(scope="module")
def fixed_copy(tmp_path_factory: pytest.TempPathFactory, fix_mode: tuple[str, ...]) -> Path:
    """examples/ copied (the legacy app and the test-server helper it borrows), fixed."""
    root = tmp_path_factory.mktemp("upgrade") / "examples"
    shutil.copytree(
        REPO_ROOT / "examples" / "legacy_blog",
        root / "legacy_blog",
        ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"),
    )
    helper = root / "blog" / "tests" / "postgres_server.py"
    helper.parent.mkdir(parents=True)
    shutil.copy2(REPO_ROOT / "examples" / "blog" / "tests" / "postgres_server.py", helper)
    app = root / "legacy_blog" / "app"
    before = _snapshot(app)
    completed = _sqla_checks(*fix_mode, "app", cwd=root / "legacy_blog")
    assert completed.returncode in (0, 1), completed.stderr
    assert _snapshot(app) != before, "--fix changed nothing in the legacy app"
    return root / "legacy_blog"


def test_fixed_legacy_app_still_passes_its_tests(fixed_copy: Path, admin_database_url: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=fixed_copy,
        env={**os.environ, "DATABASE_URL": admin_database_url},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert completed.returncode == 0, completed.stdout[-8000:] + completed.stderr[-3000:]


def test_second_fix_changes_nothing(fixed_copy: Path, fix_mode: tuple[str, ...]) -> None:
    before = _snapshot(fixed_copy / "app")
    completed = _sqla_checks(*fix_mode, "app", cwd=fixed_copy)
    assert completed.returncode in (0, 1), completed.stderr
    assert _snapshot(fixed_copy / "app") == before


def test_only_findings_without_a_fix_remain(fixed_copy: Path, fix_mode: tuple[str, ...]) -> None:
    completed = _sqla_checks("--format", "json", "app", cwd=fixed_copy)
    assert completed.returncode in (0, 1), completed.stderr
    remaining = json.loads(completed.stdout)
    applied = {"safe", "unsafe"} if "--unsafe-fixes" in fix_mode else {"safe"}
    fixable = [f for f in remaining if f["fix"] and f["fix"]["applicability"] in applied]
    assert fixable == []
    # The sync Session in async routes has no automatic fix: it must still be reported.
    assert any(f["code"] == "ALC201" for f in remaining)


def test_fixed_files_parse(fixed_copy: Path) -> None:
    for path in (fixed_copy / "app").rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
