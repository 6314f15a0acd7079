"""Where the pack states a behaviour, and which test proves it.

A statement a reader would act on ("raises X", "the default is Y", "since version N")
carries a claim id in its text, written `[claim: some-id]`: it reads as a plain
bracketed note in rendered Markdown, in `sqla-checks --explain` and in a docstring.
The test that demonstrates it is marked `@pytest.mark.claim("some-id")`. The test
suite holds both directions (tests/claims/test_claim_index.py); this module finds
both sides by reading files, without importing or running anything.

    python -m tests.claims.index     # prints the table: document, claim, test
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

CLAIM_TAG = re.compile(r"\[claim: ([a-z0-9][a-z0-9.-]*[a-z0-9])\]")

# Where prose lives. Folders that do not exist yet (workflows/, references/ beyond the
# generated rules.md, skills/) are scanned as soon as they land. references/rules.md
# is rendered from the rule modules, so the modules are the documents of record.
DOCUMENT_GLOBS = (
    "README.md",
    "checks/sqla_checks/rules/*.py",
    "examples/*/README.md",
    "examples/*/app/**/*.py",
    "examples/*/alembic/**/*.py",
    "examples/*/alembic.ini",
    "workflows/**/*.md",
    "references/**/*.md",
    "skills/**/*.md",
)
GENERATED_DOCUMENTS = frozenset({"references/rules.md"})

# Where claim tests live: the root suite and the example projects' own suites.
TEST_GLOBS = ("tests/**/test_*.py", "examples/*/tests/**/test_*.py")


@dataclass(frozen=True)
class Citation:
    """One `[claim: id]` tag in a document."""

    claim: str
    document: str
    line: int


@dataclass(frozen=True)
class ClaimTest:
    """One test function marked `@pytest.mark.claim(id)`."""

    claim: str
    path: str
    test: str


def _files(globs: tuple[str, ...], root: Path) -> list[Path]:
    found = {path for pattern in globs for path in root.glob(pattern) if path.is_file()}
    return sorted(found)


def citations(root: Path = REPO_ROOT) -> list[Citation]:
    """Every claim tag in the documents, in file and line order."""
    cited = []
    for path in _files(DOCUMENT_GLOBS, root):
        document = path.relative_to(root).as_posix()
        if document in GENERATED_DOCUMENTS:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            cited.extend(Citation(m.group(1), document, number) for m in CLAIM_TAG.finditer(line))
    return cited


def _claim_marks(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """The ids of `@pytest.mark.claim("id", ...)` decorators on `function`."""
    ids = []
    for decorator in function.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        name = ast.unparse(decorator.func)
        if name not in {"pytest.mark.claim", "mark.claim"}:
            continue
        for argument in decorator.args:
            if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
                raise ValueError(f"{function.name}: claim ids must be string literals")
            ids.append(argument.value)
    return ids


def claim_tests(root: Path = REPO_ROOT) -> list[ClaimTest]:
    """Every test function marked as the proof of a claim."""
    tests = []
    for path in _files(TEST_GLOBS, root):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        relative = path.relative_to(root).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                tests.extend(ClaimTest(c, relative, node.name) for c in _claim_marks(node))
    return tests


def table(root: Path = REPO_ROOT) -> list[tuple[str, str, str]]:
    """(document, claim, test) rows, one per citation and proving test."""
    proofs: dict[str, list[str]] = defaultdict(list)
    for test in claim_tests(root):
        proofs[test.claim].append(f"{test.path}::{test.test}")
    rows = []
    for citation in citations(root):
        for proof in proofs.get(citation.claim, ["(no test)"]):
            rows.append((f"{citation.document}:{citation.line}", citation.claim, proof))
    return rows


def main() -> int:
    """Print the claim table as Markdown."""
    print("| document | claim | test |\n| --- | --- | --- |")
    for document, claim, test in table():
        print(f"| {document} | `{claim}` | {test} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
