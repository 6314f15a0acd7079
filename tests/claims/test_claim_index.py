"""Every claim id in the docs has a test, and every claim test is cited (index.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

import noxfile
from tests.claims.index import CLAIM_TAG, citations, claim_tests, table

# The examples' own suites run in every cell through tests/test_examples.py.
EXAMPLE_SUITES = "examples/"


def test_every_cited_claim_has_a_test() -> None:
    proven = {test.claim for test in claim_tests()}
    missing = [
        f"{c.document}:{c.line} [claim: {c.claim}]" for c in citations() if c.claim not in proven
    ]
    assert missing == []


def test_every_claim_test_is_cited() -> None:
    cited = {citation.claim for citation in citations()}
    uncited = [f"{t.path}::{t.test} ({t.claim})" for t in claim_tests() if t.claim not in cited]
    assert uncited == []


def _run_by_the_matrix(path: str) -> bool:
    return path.startswith(EXAMPLE_SUITES) or any(
        path == entry or path.startswith(entry + "/") for entry in noxfile.MATRIX_TESTS
    )


def test_claim_tests_live_where_the_matrix_runs_them() -> None:
    # Every cell runs noxfile.MATRIX_TESTS, so a claim holds on every version we name.
    stray = [t.path for t in claim_tests() if not _run_by_the_matrix(t.path)]
    assert stray == []
    assert not _run_by_the_matrix("tests/cli/test_output_formats.py")
    assert _run_by_the_matrix("tests/claims/test_async_claims.py")


def test_the_corrected_claims_of_issue_14_are_cited_and_tested() -> None:
    corrected = {
        "alc203-get-transaction-is-not-awaitable",
        "alc202-connection-stream-is-a-context",
        "alc202-coroutine-methods",
        "blog-settings-env-names-ignore-case",
        "blog-revision-files-are-formatted",
        "session-add-inserts-at-next-flush",
        "fastapi-yield-exit-after-response",
        "blog-updated-at-orm-updates-only",
        "alc103-query-get-is-legacy",
    }
    rows = table()
    assert corrected <= {claim for _, claim, test in rows if test != "(no test)"}


def test_explain_shows_the_claim_ids_of_a_rule() -> None:
    from sqla_checks.engine.registry import all_rules
    from sqla_checks.output.explain import render_rule

    (rule,) = [r for r in all_rules() if r.code == "ALC203"]
    assert "[claim: alc203-sync-methods]" in render_rule(rule)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("raises X [claim: alc101-first-adds-limit].", ["alc101-first-adds-limit"]),
        ("two [claim: a-b] and [claim: c.d-2]", ["a-b", "c.d-2"]),
        ("no tag [claim:missing-space] or [claim: Upper]", []),
    ],
)
def test_the_tag_syntax(text: str, found: list[str]) -> None:
    assert CLAIM_TAG.findall(text) == found


def test_documents_in_new_folders_are_scanned(tmp_path: Path) -> None:
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "setup.md").write_text("Text [claim: new-one].\n")
    (tmp_path / "references").mkdir()
    (tmp_path / "references" / "rules.md").write_text("[claim: generated-copy]\n")
    assert [(c.document, c.claim) for c in citations(tmp_path)] == [
        ("workflows/setup.md", "new-one")
    ]
