"""What the docs tests read from the Markdown: fenced blocks, links, headings.

One reader for every docs test, so "what counts as a block" or "what an anchor is"
has a single answer. Fences follow CommonMark's backtick form (```info ... ```),
possibly indented, as GitHub renders them; anchors follow GitHub's heading slugs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqla_checks.skill.build import derived_folders

REPO_ROOT = Path(__file__).resolve().parents[2]
_SKIP_DIRS = {
    ".venv",
    ".nox",
    ".git",
    "node_modules",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    "build",
    "dist",
}
_FENCE = re.compile(
    r"^(?P<indent> *)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```", re.M | re.S
)
_INLINE_CODE = re.compile(r"`+[^`\n]*`+")
_INLINE_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]\n]*)\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_IMAGE_LINK = re.compile(r"!\[[^\]\n]*\]\((?P<target>[^)\s]+)\)")
# `[label]: target "title"`, alone on its line (not prose such as "[claim: x]: no fix")
_REFERENCE_DEFINITION = re.compile(
    r"^ {0,3}\[[^\]\n]+\]:\s*(?P<target>\S+)(?:\s+[\"'(][^\n]*)?\s*$", re.M
)
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.+?)\s*#*\s*$", re.M)


@dataclass(frozen=True)
class Block:
    """One fenced code block: where it is, its info string and its (dedented) body."""

    path: Path
    line: int
    info: str
    body: str

    @property
    def language(self) -> str:
        words = self.info.split()
        return words[0] if words else ""

    @property
    def attributes(self) -> dict[str, str]:
        """The info string's words after the language: `bad=ALC101` -> {"bad": "ALC101"}."""
        found = {}
        for word in self.info.split()[1:]:
            key, _, value = word.partition("=")
            found[key] = value
        return found

    def __str__(self) -> str:
        return f"{relative(self.path)}:{self.line}"


@dataclass(frozen=True)
class Link:
    """A link target written in a Markdown file (outside code), with its line."""

    path: Path
    line: int
    target: str

    def __str__(self) -> str:
        return f"{relative(self.path)}:{self.line}: {self.target}"


def relative(path: Path) -> str:
    """`path` relative to the repo root when it is inside it, else as given."""
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def markdown_files(root: Path = REPO_ROOT) -> list[Path]:
    """Every Markdown file under `root`, hidden folders included (the wheel's skill copy)."""
    return sorted(
        path
        for path in root.rglob("*.md")
        if not _SKIP_DIRS.intersection(path.relative_to(root).parts)
    )


def source_markdown_files() -> list[Path]:
    """The repo's Markdown minus the copies the skill build derives from it."""
    derived = derived_folders(REPO_ROOT)
    return [
        path
        for path in markdown_files()
        if not any(path.is_relative_to(folder) for folder in derived)
    ]


@cache
def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of one file, in order."""
    text = _text(path)
    found = []
    for match in _FENCE.finditer(text):
        indent = len(match.group("indent"))
        body = "".join(line[indent:] for line in match.group("body").splitlines(True))
        line = text.count("\n", 0, match.start()) + 1
        found.append(Block(path, line, match.group("info").strip(), body))
    return found


def prose(text: str) -> str:
    """`text` with fenced blocks blanked out (line numbers are kept)."""
    return _FENCE.sub(lambda match: "\n" * match.group(0).count("\n"), text)


def links(path: Path) -> Iterator[Link]:
    """Inline, image and reference-style link targets outside code."""
    for number, line in enumerate(prose(_text(path)).splitlines(), start=1):
        line = _INLINE_CODE.sub("", line)
        for pattern in (_INLINE_LINK, _IMAGE_LINK, _REFERENCE_DEFINITION):
            for match in pattern.finditer(line):
                yield Link(path, number, match.group("target").strip("<>"))


def headings(path: Path) -> list[tuple[int, str]]:
    """(level, title) of every heading outside code."""
    return [
        (len(match.group("hashes")), match.group("title"))
        for match in _HEADING.finditer(prose(_text(path)))
    ]


def github_slug(title: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to '-'."""
    title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)  # a link's text only
    slug = title.strip().lower().replace("`", "")
    slug = re.sub(r"[^\w\- ]", "", slug)
    return slug.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor a link may name in `path` (repeated headings get -1, -2, ...)."""
    seen: dict[str, int] = {}
    found = set()
    for _, title in headings(path):
        slug = github_slug(title)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found
