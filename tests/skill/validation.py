"""Checks of a skill folder as agents receive it: the spec validator, links, exact files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqla_checks.skill import build
from tests.docs.markdown import REPO_ROOT, markdown_files
from tests.docs.structure import broken_links

AGENTSKILLS = Path(sys.executable).parent / "agentskills"
PACKAGE_COPY = build.package_copy(REPO_ROOT)


def validate_skill(folder: Path) -> subprocess.CompletedProcess[str]:
    """Run the Agent Skills reference validator (`agentskills validate`, PyPI skills-ref)
    on one skill folder (its name must equal the skill's)."""
    return subprocess.run(
        [str(AGENTSKILLS), "validate", str(folder)], capture_output=True, text=True
    )


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file (or symlink) under `folder` with its content, by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() or p.is_symlink()
    }


def assert_is_the_packaged_skill(target: Path) -> None:
    """`target` holds exactly the package's skill copy, valid and self-contained."""
    assert files_of(target) == files_of(PACKAGE_COPY)
    validated = validate_skill(target)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert broken_links(markdown_files(target), target) == []
