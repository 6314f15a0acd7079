"""No prose paragraph of the references or workflows appears in two places.

Workflows say what to do and link to references for why; a paragraph copied into a
second file drifts from its original the first time one of them is edited. Code
blocks, tables, headings, lists of links and short lines are left out: repeating
`alembic upgrade head` or a table header is fine.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DOC_FOLDERS = ("references", "workflows")
_FENCED = re.compile(r"^( *)```.*?^\1```", re.M | re.S)
# A table of contents: nothing but links to the file's own headings.
_CONTENTS = re.compile(r"^(?:(?:- |Contents: )?\[[^\]]*\]\(#[^)]*\)(?: · | )?)+$")
MIN_CHARACTERS = 80  # shorter paragraphs are captions and one-liners, fine to repeat


def prose_paragraphs(text: str) -> list[str]:
    """The paragraphs of a Markdown text outside code blocks, whitespace-normalised."""
    paragraphs = []
    for chunk in re.split(r"\n\s*\n", _FENCED.sub("", text)):
        paragraph = " ".join(chunk.split())
        if len(paragraph) < MIN_CHARACTERS or paragraph.startswith(("|", "#")):
            continue
        if _CONTENTS.match(paragraph):
            continue
        paragraphs.append(paragraph)
    return paragraphs


def repeated_paragraphs(files: list[Path]) -> dict[str, list[str]]:
    """Each paragraph found more than once (in one file or several), with where."""
    places: defaultdict[str, list[str]] = defaultdict(list)
    for path in files:
        for paragraph in prose_paragraphs(path.read_text(encoding="utf-8")):
            places[paragraph].append(path.name)
    return {paragraph: where for paragraph, where in places.items() if len(where) > 1}


def _doc_files() -> list[Path]:
    # rules.md is generated from the rule modules: its repetition is the template's.
    return sorted(
        path
        for folder in DOC_FOLDERS
        for path in (REPO_ROOT / folder).glob("*.md")
        if path.name != "rules.md"
    )


def test_no_paragraph_is_repeated_across_references_and_workflows() -> None:
    repeated = repeated_paragraphs(_doc_files())
    assert repeated == {}, "say it once and link to it:\n" + "\n".join(
        f"{', '.join(where)}: {paragraph[:100]}..." for paragraph, where in repeated.items()
    )


def test_a_copied_paragraph_is_found(tmp_path: Path) -> None:
    paragraph = "A session is a unit of work: " * 4
    (tmp_path / "a.md").write_text(f"# A\n\n{paragraph}\n\n```text\nx\n```\n", encoding="utf-8")
    (tmp_path / "b.md").write_text(f"# B\n\nOther words.\n\n{paragraph}\n", encoding="utf-8")
    repeated = repeated_paragraphs(sorted(tmp_path.glob("*.md")))
    assert list(repeated.values()) == [["a.md", "b.md"]]


def test_code_blocks_do_not_count() -> None:
    code = "```sh\n" + "alembic upgrade head && alembic check && pytest -q\n" * 3 + "```\n"
    assert prose_paragraphs(f"{code}\n{code}") == []
