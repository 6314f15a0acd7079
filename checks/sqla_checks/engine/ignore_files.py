"""`.gitignore`, `.ignore` and `.git/info/exclude`: the files a walk leaves out, as ruff does.

Ruff walks with the `ignore` crate's defaults: `.gitignore` files and the repository's
`.git/info/exclude` count only inside a git work tree (a folder with `.git` at or above
it), `.ignore` files count everywhere, a deeper file overrides a shallower one, and
`.ignore` overrides `.gitignore` in the same folder. Patterns are matched with
`pathspec`'s `GitIgnoreSpec`, which follows git's own rules (negation, `dir/`, `**`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

# Lowest precedence first, within one folder.
IGNORE_FILE_NAMES = (".gitignore", ".ignore")


def _read_spec(path: str) -> GitIgnoreSpec | None:
    # Imported with the first ignore file found: files named on the command line and
    # folders without ignore files never need pathspec (or its start-up cost).
    from pathspec import GitIgnoreSpec

    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return GitIgnoreSpec.from_lines(handle.read().splitlines())
    except OSError:
        # A missing or unreadable ignore file ignores nothing, as in git.
        return None


@dataclass
class IgnoreFiles:
    """Answers whether the ignore files above a path leave it out; remembers each folder.

    `top`: read no ignore file above this folder (a folder named on the command line
    that the files above it ignore is checked anyway, with the ones inside it).
    """

    top: str | None = None
    _chains: dict[str, tuple[tuple[str, GitIgnoreSpec], ...]] = field(
        default_factory=dict, init=False
    )
    _git_roots: dict[str, str | None] = field(default_factory=dict, init=False)

    def ignored(self, path: str, is_directory: bool) -> bool:
        """Whether `path` (absolute) is ignored by the files of the folders above it."""
        # Highest precedence first: the first file with a matching pattern decides.
        for base, spec in reversed(self._chain(os.path.dirname(path))):
            relative = os.path.relpath(path, base).replace(os.sep, "/")
            verdict = spec.check_file(relative + "/" if is_directory else relative).include
            if verdict is not None:
                return verdict
        return False

    def ignored_with_parents(self, path: str, is_directory: bool) -> bool:
        """Whether `path` or one of the folders above it is ignored (git never looks
        inside an ignored folder, so nothing in it can be re-included)."""
        current, directory = path, is_directory
        while True:
            above = os.path.dirname(current)
            if above == current or not self._chain(above):
                return False
            if self.ignored(current, directory):
                return True
            current, directory = above, True

    def _git_root(self, directory: str) -> str | None:
        if directory not in self._git_roots:
            parent = os.path.dirname(directory)
            if os.path.exists(os.path.join(directory, ".git")):
                self._git_roots[directory] = directory
            else:
                self._git_roots[directory] = None if parent == directory else self._git_root(parent)
        return self._git_roots[directory]

    def _chain(self, directory: str) -> tuple[tuple[str, GitIgnoreSpec], ...]:
        """The ignore files that apply inside `directory`, lowest precedence first."""
        known = self._chains.get(directory)
        if known is not None:
            return known
        git_root = self._git_root(directory)
        names = IGNORE_FILE_NAMES if git_root is not None else IGNORE_FILE_NAMES[1:]
        parent = os.path.dirname(directory)
        inherited: tuple[tuple[str, GitIgnoreSpec], ...]
        if directory == self.top:
            inherited = ()
        elif directory == git_root:
            # A repository's .gitignore files stop at its root; its info/exclude ranks lowest.
            inherited = self._specs(directory, [os.path.join(".git", "info", "exclude")])
        elif parent == directory:
            inherited = ()
        else:
            inherited = self._chain(parent)
        chain = inherited + self._specs(directory, names)
        self._chains[directory] = chain
        return chain

    @staticmethod
    def _specs(
        directory: str, names: tuple[str, ...] | list[str]
    ) -> tuple[tuple[str, GitIgnoreSpec], ...]:
        found = []
        for name in names:
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                spec = _read_spec(path)
                if spec is not None:
                    found.append((directory, spec))
        return tuple(found)
