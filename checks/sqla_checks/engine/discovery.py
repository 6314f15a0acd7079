"""Which files a run checks: PATH arguments expanded into a sorted list of sources.

Directories are walked for `*.py` and `*.pyi`, skipping directories that never hold
the project's own code (virtualenvs, build output, caches, hidden directories) and the
configured `exclude` globs. A file named on the command line is checked even when it
is excluded, as in ruff, unless `--force-exclude` is given: pre-commit passes every
staged file explicitly, so its hook needs the excludes applied to explicit files too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqla_checks.contract.finding import FileError
from sqla_checks.engine.path_patterns import any_path_matches, relative_to_root

SOURCE_SUFFIXES = (".py", ".pyi")
# Never the project's own source: environments, build output, caches.
SKIPPED_DIRECTORIES = frozenset(
    {".venv", "venv", "build", "dist", "node_modules", "__pycache__", "site-packages"}
)


@dataclass(frozen=True)
class Discovered:
    """The files to check, in a stable order, and the arguments that named nothing."""

    files: tuple[str, ...]
    errors: tuple[FileError, ...] = ()


def _skipped_directory(name: str) -> bool:
    return name in SKIPPED_DIRECTORIES or (name.startswith(".") and name not in (".", ".."))


def _display(path: str, cwd: str) -> str:
    """Paths are shown relative to the current directory when inside it, like ruff."""
    absolute = os.path.abspath(path)
    relative = relative_to_root(absolute, cwd)
    return relative if relative else absolute


def discover_files(
    paths: Sequence[str],
    *,
    root: Path,
    exclude: Sequence[str] = (),
    force_exclude: bool = False,
    cwd: Path | None = None,
) -> Discovered:
    """Expand `paths` (files and directories; default ".") into the files to check."""
    root_text = str(root.absolute())
    cwd_text = str((cwd or Path.cwd()).absolute())
    found: dict[str, str] = {}
    errors: list[FileError] = []

    def excluded(path: str) -> bool:
        return any_path_matches(exclude, path, root_text)

    for argument in paths or ["."]:
        path = os.path.join(cwd_text, argument)
        try:
            os.stat(path)
        except OSError as exc:
            # The reason as the system gives it: missing, a symlink loop, no access.
            reason = (exc.strerror or str(exc)).lower()
            errors.append(FileError(path=argument, reason=reason))
            continue
        if force_exclude and (excluded(path) or _in_skipped_directory(path, root_text)):
            continue
        if not os.path.isdir(path):
            found.setdefault(os.path.abspath(path), _display(path, cwd_text))
            continue
        for directory, subdirectories, filenames in os.walk(path):
            # Pruning in place keeps os.walk out of skipped trees entirely.
            subdirectories[:] = sorted(
                name
                for name in subdirectories
                if not _skipped_directory(name) and not excluded(os.path.join(directory, name))
            )
            for name in sorted(filenames):
                if not name.endswith(SOURCE_SUFFIXES):
                    continue
                file_path = os.path.join(directory, name)
                if not excluded(file_path):
                    found.setdefault(os.path.abspath(file_path), _display(file_path, cwd_text))
    return Discovered(files=tuple(sorted(found.values())), errors=tuple(errors))


def _in_skipped_directory(path: str, root: str) -> bool:
    """Whether an explicit path lies in a directory a walk from the root would skip."""
    relative = relative_to_root(path, root)
    if not relative:
        return False
    parents = relative.split("/")[:-1]
    return any(_skipped_directory(name) for name in parents)
