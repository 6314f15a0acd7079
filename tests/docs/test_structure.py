"""The repo's Markdown holds together: links resolve, long files have contents, codes exist.

The same checks run on every installed skill copy (tests/skill/), where links must
also stay inside the skill folder.
"""

from __future__ import annotations

from sqla_checks.engine.registry import all_rules
from sqla_checks.output import file_errors
from tests.docs.markdown import REPO_ROOT, markdown_files, source_markdown_files
from tests.docs.structure import broken_links, missing_contents, unknown_rule_codes


def test_every_relative_link_and_anchor_resolves() -> None:
    assert broken_links(markdown_files(), REPO_ROOT) == []


def test_long_files_open_with_a_table_of_contents() -> None:
    assert missing_contents(source_markdown_files()) == []


def test_every_rule_code_named_in_the_docs_exists() -> None:
    # ALC000 is the documented code of files that could not be checked, not a rule;
    # ALC999 is the docs' example of a code no rule has (ALC001 reports such codes).
    known = {rule.code for rule in all_rules()} | {file_errors.CODE, "ALC999"}
    assert unknown_rule_codes(markdown_files(), known) == []
