"""examples/legacy_blog installs from its own pyproject (the `test` extra) in a new
virtualenv, and its whole test suite passes there (tests/fresh_install.py says why)."""

from __future__ import annotations

from pathlib import Path

from tests.fresh_install import install_and_test


def test_legacy_blog_installs_its_test_extras_in_a_fresh_venv_and_its_tests_pass(
    admin_database_url: str, tmp_path: Path
) -> None:
    output = install_and_test("legacy_blog", "test", [], admin_database_url, tmp_path)
    assert " passed" in output
    assert " failed" not in output and " error" not in output
