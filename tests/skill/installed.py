"""What every installed copy of the skill must be, whichever route put it there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqla_checks.skill import build
from tests.docs.markdown import REPO_ROOT, markdown_files
from tests.docs.structure import broken_links

SKILL = build.skill_source(REPO_ROOT)
AGENTSKILLS = Path(sys.executable).parent / "agentskills"


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (symlinks included, as themselves), by relative path."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() or path.is_symlink()
    }


def installed_skill_problems(folder: Path) -> list[str]:
    """Why `folder` is not a valid, self-contained, exact copy of the repo's skill folder."""
    if not (folder / "SKILL.md").is_file():
        return [f"{folder}: no SKILL.md"]
    problems = []
    validated = subprocess.run(
        [str(AGENTSKILLS), "validate", str(folder)], capture_output=True, text=True
    )
    if validated.returncode != 0:
        problems.append(f"agentskills validate: {validated.stdout}{validated.stderr}")
    problems += broken_links(markdown_files(folder), folder)
    problems += [f"{path}: a symlink" for path in folder.rglob("*") if path.is_symlink()]
    shipped, expected = files_of(folder), files_of(SKILL)
    problems += [f"{name}: stray file" for name in sorted(shipped.keys() - expected.keys())]
    problems += [f"{name}: missing" for name in sorted(expected.keys() - shipped.keys())]
    problems += [
        f"{name}: differs from the repo's copy"
        for name in sorted(shipped.keys() & expected.keys())
        if shipped[name] != expected[name]
    ]
    return problems
