"""examples/blog installs from its own pyproject in a new virtualenv, and its tests run
(tests/fresh_install.py says why; about two minutes, most of it pip)."""

from __future__ import annotations

from pathlib import Path

from tests.fresh_install import install_and_test


def test_blog_installs_its_dev_extras_in_a_fresh_venv_and_its_tests_run(
    admin_database_url: str, tmp_path: Path
) -> None:
    # `pip install -e ".[dev]"` as its README says, then the module that needs
    # pytest-alembic (the plugin a too-new pytest broke).
    output = install_and_test(
        "blog", "dev", ["tests/test_migrations.py"], admin_database_url, tmp_path
    )
    assert " passed" in output
