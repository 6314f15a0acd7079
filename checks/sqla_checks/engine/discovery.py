"""Which files a run checks: PATH arguments expanded into a sorted list of sources.

Directories are walked for `*.py` and `*.pyi`, skipping directories that never hold
the project's own code (virtualenvs, build output, caches, hidden directories), what
the ignore files leave out (`ignore_files`, unless `respect-gitignore = false`) and
the `exclude` globs of the configuration governing each folder. A file named on the
command line is checked even when it is excluded or ignored, as in ruff, unless
`--force-exclude` is given: pre-commit passes every staged file explicitly, so its
hook needs the excludes applied to explicit files too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqla_checks.contract.finding import FileError
from sqla_checks.engine.ignore_files import IgnoreFiles
from sqla_checks.engine.path_patterns import relative_to_root
from sqla_checks.engine.settings import SettingsResolver

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


def display_path(path: str, cwd: str) -> str:
    """Paths are shown relative to the current directory when inside it, like ruff."""
    absolute = os.path.abspath(os.path.join(cwd, path))
    relative = relative_to_root(absolute, cwd)
    return relative if relative else absolute


@dataclass
class _Filter:
    """What leaves a path out of the walk: built-in skips, excludes, ignore files."""

    resolver: SettingsResolver
    ignores: IgnoreFiles = field(default_factory=IgnoreFiles)

    def __post_init__(self) -> None:
        self.respect_ignore_files = self.resolver.respect_gitignore

    def walk_skips(self, path: str, is_directory: bool) -> bool:
        name = os.path.basename(path)
        if is_directory and _skipped_directory(name):
            return True
        # The folder's own settings decide, as ruff's resolver does for each entry.
        if self.resolver.settings_for_directory(os.path.dirname(path)).is_excluded(path):
            return True
        return self.respect_ignore_files and self.ignores.ignored(path, is_directory)

    def below(self, directory: str) -> _Filter:
        """The filter for a walk of `directory`, named on the command line: when the
        ignore files above it leave it out, only the ones inside it count."""
        if self.respect_ignore_files and self.ignores.ignored_with_parents(directory, True):
            return _Filter(self.resolver, IgnoreFiles(top=directory))
        return self

    def force_excludes(self, path: str) -> bool:
        """Whether `--force-exclude` drops an explicit path (its parents count too)."""
        settings = self.resolver.settings_for_directory(os.path.dirname(path))
        if settings.is_excluded(path) or _in_skipped_directory(path, str(settings.config.root)):
            return True
        return self.respect_ignore_files and self.ignores.ignored_with_parents(
            path, os.path.isdir(path)
        )


def discover_files(
    paths: Sequence[str],
    resolver: SettingsResolver,
    *,
    force_exclude: bool = False,
) -> Discovered:
    """Expand `paths` (files and directories; default ".") into the files to check."""
    cwd = str(resolver.cwd)
    keep = _Filter(resolver)
    found: dict[str, str] = {}
    errors: list[FileError] = []
    for argument in paths or ["."]:
        path = resolver.absolute(argument)
        try:
            os.stat(path)
        except OSError as exc:
            # The reason as the system gives it: missing, a symlink loop, no access.
            reason = (exc.strerror or str(exc)).lower()
            errors.append(FileError(path=argument, reason=reason))
            continue
        if force_exclude and keep.force_excludes(path):
            continue
        if not os.path.isdir(path):
            found.setdefault(path, display_path(path, cwd))
            continue
        walk = keep.below(path)
        for directory, subdirectories, filenames in os.walk(path):
            # Pruning in place keeps os.walk out of skipped trees entirely.
            subdirectories[:] = sorted(
                name
                for name in subdirectories
                if not walk.walk_skips(os.path.join(directory, name), is_directory=True)
            )
            for name in sorted(filenames):
                file_path = os.path.join(directory, name)
                if name.endswith(SOURCE_SUFFIXES) and not walk.walk_skips(
                    file_path, is_directory=False
                ):
                    found.setdefault(file_path, display_path(file_path, cwd))
    return Discovered(files=tuple(sorted(found.values())), errors=tuple(errors))


def _in_skipped_directory(path: str, root: str) -> bool:
    """Whether an explicit path lies in a directory a walk from the root would skip."""
    relative = relative_to_root(path, root)
    if not relative:
        return False
    parents = relative.split("/")[:-1]
    return any(_skipped_directory(name) for name in parents)


def force_excluded(path: str, resolver: SettingsResolver) -> bool:
    """Whether `--force-exclude` leaves out `path` (a file named explicitly, or the
    `--stdin-filename` of an editor's buffer)."""
    return _Filter(resolver).force_excludes(resolver.absolute(path))
