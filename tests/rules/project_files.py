"""Small multi-module fixture projects for the cross-module rule tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

from sqla_checks.engine.api import CheckPlan, Overrides, SettingsResolver, check_files


def write_project(root: Path, files: dict[str, str]) -> list[str]:
    """Write `files` (relative path -> dedented source) under `root`; their paths."""
    paths = []
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        paths.append(str(path))
    return paths


def finding_lines(
    root: Path, files: dict[str, str], code: str, *, only: str | None = None
) -> dict[str, list[int]]:
    """Lines of `code` findings by file, checking every file of the project (or only
    the one whose path ends with `only`; the index still sees them all)."""
    paths = write_project(root, files)
    if only is not None:
        paths = [p for p in paths if p.endswith(only)]
    resolver = SettingsResolver(Overrides(select=(code,)), cwd=root)
    checked = check_files(paths, CheckPlan(resolver))
    return {
        Path(c.result.path).relative_to(root).as_posix(): [f.start.line for f in c.result.findings]
        for c in checked
        if c.result.findings
    }
