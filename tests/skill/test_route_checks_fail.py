"""The install-route tests can fail: each check is shown once catching what it is for."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sqla_checks.skill import SKILL_NAME
from tests.skill import node_tools
from tests.skill.installed import SKILL, installed_skill_problems


def test_a_copy_with_a_stray_a_missing_and_a_changed_file_is_reported(tmp_path: Path) -> None:
    # The docs reader caches each file's text by path: break the copy before reading it.
    copy = shutil.copytree(SKILL, tmp_path / SKILL_NAME)
    (copy / "evals.json").write_text("{}")
    (copy / "references" / "rules.md").unlink()
    skill_md = copy / "SKILL.md"
    skill_md.write_text(skill_md.read_text() + "\nSee [gone](workflows/gone.md).\n")
    problems = "\n".join(installed_skill_problems(copy))
    assert "evals.json: stray file" in problems
    assert "references/rules.md: missing" in problems
    assert "SKILL.md: differs" in problems
    assert "workflows/gone.md" in problems  # the broken link


def test_a_copy_in_a_folder_named_otherwise_fails_the_spec_validator(tmp_path: Path) -> None:
    copy = shutil.copytree(SKILL, tmp_path / "renamed")
    assert any("agentskills validate" in p for p in installed_skill_problems(copy))


def test_missing_node_skips_with_the_reason_and_fails_on_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no node, no npm
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="node and npm not on PATH"):
        node_tools.require_node()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true but node and npm not on PATH"):
        node_tools.require_node()


def test_a_failed_npm_install_is_an_error_not_a_skip(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    missing = node_tools.NodeTool("skills", "0.0.0-no-such-version", "skills")
    with pytest.raises(RuntimeError, match=r"npm install skills@0\.0\.0-no-such-version failed"):
        node_tools.executable(missing)
    # Nothing half-installed is left for the next run to trust.
    assert [p.name for p in node_tools.cache_root().iterdir()] == []
