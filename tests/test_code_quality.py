"""The code this repo owns is clean under the tools it recommends."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
BLOG = REPO_ROOT / "examples" / "blog"


def _run(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )


@pytest.mark.parametrize(
    ("folder", "command"),
    [
        (REPO_ROOT, ("ruff", "check", "checks", "tests", "benchmarks")),
        (REPO_ROOT, ("ruff", "format", "--check", "checks", "tests", "benchmarks")),
        (REPO_ROOT, ("mypy", "--strict", "checks", "benchmarks")),
        (BLOG, ("ruff", "check", ".")),
        (BLOG, ("ruff", "format", "--check", ".")),
        (BLOG, ("mypy", "--strict", "app", "tests", "alembic")),
    ],
    ids=lambda value: value.name if isinstance(value, Path) else " ".join(value),
)
def test_tool_is_clean(folder: Path, command: tuple[str, ...]) -> None:
    completed = _run(*command, cwd=folder)
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-2000:]


def test_blog_example_has_no_sqla_checks_findings() -> None:
    completed = _run("sqla_checks", "--no-cache", "examples/blog")
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_legacy_example_is_what_the_checks_flag() -> None:
    completed = _run("sqla_checks", "--no-cache", "--format", "json", "examples/legacy_blog")
    assert completed.returncode == 1, completed.stderr
    import json

    codes = {finding["code"] for finding in json.loads(completed.stdout)}
    # The 1.x idioms the legacy example is written with, one rule each.
    for code in ("ALC101", "ALC104", "ALC105", "ALC106", "ALC201"):
        assert code in codes, f"{code} not reported on the legacy example: {sorted(codes)}"
