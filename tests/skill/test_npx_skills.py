"""The `npx skills add` route: the pinned `skills` CLI installs the skill into a project.

Run on a copy of the files git tracks, with a scratch home and project, copying rather
than linking (`--copy`), for Claude Code (`.claude/skills`) and Codex (`.agents/skills`,
which Copilot, Cursor, Gemini CLI and OpenCode also read).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sqla_checks.skill import SKILL_NAME
from tests.skill.installed import installed_skill_problems
from tests.skill.node_tools import SKILLS_CLI, executable, isolated_env

AGENT_FOLDERS = {"claude-code": ".claude/skills", "codex": ".agents/skills"}


def _skills_add(source: Path, project: Path, home: Path, *args: str) -> None:
    completed = subprocess.run(
        [str(executable(SKILLS_CLI)), "add", str(source), *args, "--yes", "--copy"],
        cwd=project,
        env=isolated_env(home),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.fixture(scope="module")
def project(repo_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("project")
    agents = [flag for agent in AGENT_FOLDERS for flag in ("--agent", agent)]
    _skills_add(repo_copy, project, tmp_path_factory.mktemp("home"), "--skill", SKILL_NAME, *agents)
    return project


def test_the_pinned_skills_cli_is_the_pinned_version(tmp_path: Path) -> None:
    completed = subprocess.run(
        [str(executable(SKILLS_CLI)), "--version"],
        env=isolated_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert completed.stdout.strip() == SKILLS_CLI.version


@pytest.mark.parametrize("agent", sorted(AGENT_FOLDERS))
def test_installed_copy_is_exactly_the_valid_self_contained_skill(
    project: Path, agent: str
) -> None:
    folder = project / AGENT_FOLDERS[agent] / SKILL_NAME
    assert not folder.is_symlink(), "--copy must copy, not link"
    assert installed_skill_problems(folder) == []


def test_only_the_skill_lands_in_the_project(project: Path) -> None:
    landed = {p.relative_to(project).as_posix() for p in project.glob(".*/skills/*")}
    assert landed == {f"{folder}/{SKILL_NAME}" for folder in AGENT_FOLDERS.values()}


def test_the_repo_offers_exactly_one_skill(repo_copy: Path, tmp_path: Path) -> None:
    # `--skill '*'` takes every skill the CLI discovers: the evals folder beside the skill
    # and the package's copy must not show up as skills of their own.
    project = tmp_path / "project"
    project.mkdir()
    _skills_add(repo_copy, project, tmp_path / "home", "--skill", "*", "--agent", "codex")
    assert sorted(p.name for p in (project / ".agents" / "skills").iterdir()) == [SKILL_NAME]
