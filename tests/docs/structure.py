"""Structural checks of Markdown trees: links, anchors, contents tables, rule codes.

Each check takes the files to look at and the root their links must stay inside, and
returns problems as strings ("path:line: what is wrong"), so the same check serves
the repo (root: the repo) and every installed skill copy (root: the skill folder,
which must be self-contained).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote

from tests.docs.markdown import anchors, github_slug, headings, links, prose, relative

_EXTERNAL = ("http://", "https://", "mailto:")
_CONTENTS_TITLES = {"contents", "table of contents"}
_RULE_CODE = re.compile(r"\bALC\d{3}\b")
CONTENTS_THRESHOLD = 100  # lines; longer files open with a table of contents


def broken_links(files: Iterable[Path], root: Path) -> list[str]:
    """Relative links whose file or anchor does not exist, or that leave `root`."""
    problems = []
    root = root.resolve()
    for path in files:
        for link in links(path):
            if link.target.startswith(_EXTERNAL):
                continue
            location, _, anchor = link.target.partition("#")
            if location.startswith("/"):
                problems.append(f"{link}: absolute paths break once the files are copied")
                continue
            target = (path.parent / unquote(location)).resolve() if location else path
            if not target.is_relative_to(root):
                problems.append(f"{link}: leaves {relative(root)}")
            elif not target.exists():
                problems.append(f"{link}: no such file")
            elif anchor and target.suffix == ".md" and anchor not in anchors(target):
                problems.append(f"{link}: no heading with the anchor #{anchor}")
    return problems


def missing_contents(files: Iterable[Path]) -> list[str]:
    """Files over the threshold whose opening does not link every `##` heading."""
    problems = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        if text.count("\n") <= CONTENTS_THRESHOLD:
            continue
        sections = [title for level, title in headings(path) if level == 2]
        if sections and sections[0].strip().lower() in _CONTENTS_TITLES:
            sections = sections[1:]
        opening = _opening(text)
        listed = set(re.findall(r"\]\(#([^)\s]+)\)", opening))
        missing = [title for title in sections if github_slug(title) not in listed]
        if missing:
            problems.append(
                f"{relative(path)}: over {CONTENTS_THRESHOLD} lines, so it opens with a table"
                f" of contents; not listed there: {', '.join(missing)}"
            )
    return problems


def _opening(text: str) -> str:
    """The text before the first `##` section, plus a leading `## Contents` section."""
    lines = prose(text).splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("## ")]
    if not starts:
        return "\n".join(lines)
    end = starts[0]
    if lines[end][3:].strip().lower() in _CONTENTS_TITLES:
        end = starts[1] if len(starts) > 1 else len(lines)
    return "\n".join(lines[:end])


def unknown_rule_codes(files: Iterable[Path], known: set[str]) -> list[str]:
    """`ALCnnn` codes named anywhere in the files that no rule has."""
    problems = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for code in sorted(set(_RULE_CODE.findall(line)) - known):
                problems.append(f"{relative(path)}:{number}: {code} is not a rule (yet)")
    return problems
