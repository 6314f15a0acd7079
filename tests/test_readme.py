"""The README's first two commands are the ones a new user and CI really run."""

from __future__ import annotations

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _shell_blocks(markdown: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"```sh\n(.*?)```", markdown, re.S)]


def test_readme_starts_with_the_main_job_and_the_test_command() -> None:
    first, second = _shell_blocks((REPO_ROOT / "README.md").read_text())[:2]
    assert "sqla-checks examples" in first
    assert first.startswith("python3 -m venv .venv")
    assert second.startswith("python3 -m venv .venv")
    assert second.endswith("-m pytest")


def test_ci_runs_the_readme_test_command() -> None:
    second = _shell_blocks((REPO_ROOT / "README.md").read_text())[1]
    test_command = second.split("&&")[-1].strip()
    ci_script = (REPO_ROOT / ".ci" / "run").read_text()
    assert test_command in ci_script.splitlines()
