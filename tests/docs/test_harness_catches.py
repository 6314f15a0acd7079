"""The docs harness is a check that can fail: each way a doc goes wrong, shown caught once.

A broken link, a missing table of contents, an unknown rule code, a stale derived skill
file, a fragment that is not in its file, an undeclared fragment (blog code in a plain
```python block), a `bad` block the checks do not flag. Verify commands are shown
failing in tests/docs/test_verify_blocks.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sqla_checks.skill import build
from tests.docs.code_blocks import bad_block_problem, fragment_problem, lint_problem
from tests.docs.markdown import REPO_ROOT, Block, blocks
from tests.docs.structure import broken_links, missing_contents, unknown_rule_codes

DEPS = "examples/blog/app/api/deps.py"


def _doc(folder: Path, text: str, name: str = "doc.md") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_broken_link_or_anchor_is_reported(tmp_path: Path) -> None:
    _doc(tmp_path, "# Other\n\n## Real heading\n", "other.md")
    doc = _doc(
        tmp_path,
        "# Doc\n\n[ok](other.md#real-heading) [gone](missing.md) [bad](other.md#nope)"
        " [out](../elsewhere.md) `[code](ignored.md)`\n",
    )
    problems = broken_links([doc], tmp_path)
    assert len(problems) == 3, problems
    assert any("missing.md: no such file" in p for p in problems)
    assert any("no heading with the anchor #nope" in p for p in problems)
    assert any("leaves" in p for p in problems)


def test_a_long_file_without_contents_is_reported(tmp_path: Path) -> None:
    body = "".join(f"## Part {n}\n\n" + "text\n" * 30 for n in range(4))
    doc = _doc(tmp_path, "# Long\n\n" + body)
    assert missing_contents([doc]) != []
    listed = "# Long\n\n" + "".join(f"- [Part {n}](#part-{n})\n" for n in range(4)) + "\n"
    assert missing_contents([_doc(tmp_path, listed + body, "listed.md")]) == []


def test_an_unknown_rule_code_is_reported(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "ALC101 exists, ALC999 does not.\n")
    [problem] = unknown_rule_codes([doc], {"ALC101"})
    assert "ALC999" in problem


def test_a_stale_derived_skill_file_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    for folder in ("skills", "workflows", "references", ".claude-plugin"):
        if (REPO_ROOT / folder).exists():
            shutil.copytree(REPO_ROOT / folder, root / folder)
    shutil.copytree(build.package_copy(REPO_ROOT), build.package_copy(root))
    assert build.stale(root) == []
    rules = root / "references" / "rules.md"
    rules.write_text(rules.read_text() + "\nA new line.\n")
    (build.package_copy(root) / "notes.txt").write_text("stray")
    problems = build.stale(root)
    assert any("references/rules.md: differs from its source" in p for p in problems)
    assert any("notes.txt: not written by the build" in p for p in problems)
    build.write(root)
    assert build.stale(root) == []


def _python_block(path: Path, info: str, body: str) -> Block:
    return Block(path, 1, info, body)


def test_a_fragment_not_in_its_file_is_reported(tmp_path: Path) -> None:
    real = "async def get_session(\n"
    assert fragment_problem(_python_block(tmp_path, f"python fragment={DEPS}", real)) is None
    edited = _python_block(tmp_path, f"python fragment={DEPS}", "async def get_db(\n")
    assert "not found verbatim" in str(fragment_problem(edited))
    missing = _python_block(tmp_path, "python fragment=examples/blog/app/nope.py", real)
    assert "names no file" in str(fragment_problem(missing))


def test_an_undeclared_fragment_is_reported(tmp_path: Path) -> None:
    # The body of the blog's session dependency, shown as if it were a whole program.
    text = (REPO_ROOT / DEPS).read_text()
    start = text.index("async def get_session(")
    body = text[start : text.index("\n\n\n", start)] + "\n"
    problem = lint_problem(_python_block(tmp_path, "python", body), tmp_path)
    assert problem is not None and "F821" in problem  # undefined names


def test_an_unformatted_whole_program_block_is_reported(tmp_path: Path) -> None:
    # Lint-clean but not as `ruff format` writes it: single quotes.
    quoted = "import os\n\nHOME = os.environ.get('HOME', '')\n"
    assert "ruff format" in str(lint_problem(_python_block(tmp_path, "python", quoted), tmp_path))
    legacy = (
        "from sqlalchemy.orm import Session\n\n\n"
        "def get(db: Session, cls: type, id: int) -> object:\n"
        "    return db.query(cls).get(id, 'unused')\n"
    )
    bad = _python_block(tmp_path, "python bad=ALC101", legacy)
    assert "ruff format" in str(bad_block_problem(bad, tmp_path))


def test_a_bad_block_that_is_not_flagged_is_reported(tmp_path: Path) -> None:
    clean = _python_block(tmp_path, "python bad=ALC101", "x = 1\n")
    assert "finds nothing" in str(bad_block_problem(clean, tmp_path))
    legacy = (
        "from sqlalchemy.orm import Session\n\nfrom app.models import User\n\n\n"
        "def every_user(session: Session):\n    return session.query(User).all()\n"
    )
    assert bad_block_problem(_python_block(tmp_path, "python bad=ALC101", legacy), tmp_path) is None
    wrong_code = _python_block(tmp_path, "python bad=ALC202", legacy)
    assert "ALC202" in str(bad_block_problem(wrong_code, tmp_path))


def test_blocks_and_their_attributes_are_read_from_the_info_string(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path, f"# D\n\n```python fragment={DEPS}\nx\n```\n\n  ```sh verify\n  ls\n  ```\n"
    )
    first, second = blocks(doc)
    assert (first.language, first.attributes) == ("python", {"fragment": DEPS})
    assert (second.language, second.attributes, second.body) == ("sh", {"verify": ""}, "ls\n")
