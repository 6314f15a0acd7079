"""Glob patterns for paths, as `exclude` and `per-file-ignores` use them.

A pattern is matched with `fnmatch` against the path relative to the project root,
against every parent of that path, and against every single component, the way ruff
lets `exclude = ["migrations"]` drop a directory at any depth while
`exclude = ["tests/fixtures"]` drops exactly one. `**/` may match no directory at all
(`tests/**/*.py` also matches `tests/x.py`), as in ruff's globs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath


def normalise_pattern(pattern: str) -> str:
    """Patterns are written with `/`; `./x` and `x/` mean `x`."""
    pattern = pattern.replace(os.sep, "/").strip()
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern.rstrip("/") or pattern


def relative_to_root(path: str, root: str) -> str | None:
    """`path` relative to `root` in `/` form, or None when it lies outside the root."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, root)
    if relative == os.curdir:
        return ""
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return relative.replace(os.sep, "/")


def _candidates(path: str, root: str) -> list[str]:
    relative = relative_to_root(path, root)
    text = relative if relative is not None else os.path.abspath(path).replace(os.sep, "/")
    parts = PurePosixPath(text).parts
    prefixes = ["/".join(parts[: i + 1]).replace("//", "/") for i in range(len(parts))]
    return prefixes + [part for part in parts if part != "/"]


def _variants(pattern: str) -> Iterable[str]:
    yield pattern
    if "**/" in pattern:
        yield pattern.replace("**/", "")


def path_matches(pattern: str, path: str, root: str) -> bool:
    """Whether glob `pattern` matches `path`, one of its parents, or one of its parts."""
    pattern = normalise_pattern(pattern)
    if not pattern:
        return False
    candidates = _candidates(path, root)
    return any(
        fnmatchcase(candidate, variant)
        for variant in _variants(pattern)
        for candidate in candidates
    )


@dataclass(frozen=True)
class Glob:
    """A glob as a configuration wrote it, and the folder it is relative to.

    Ruff resolves a configuration's relative globs against the folder of the file that
    wrote them (the command line's against the current directory), so a pattern keeps
    its meaning wherever the run starts and whichever file inherits it with `extend`.
    """

    pattern: str
    base: str

    def matches(self, path: str) -> bool:
        """Whether the glob matches `path` (see `path_matches`)."""
        return path_matches(self.pattern, path, self.base)
