"""The Claude Code route: the marketplace manifest validates, and the plugin installs.

Driven by the pinned `claude` CLI (tests/skill/node_tools.py) with a scratch home, on a
copy of the files git tracks; nothing here needs a login, and nothing but the one-time
`npm install` of the CLI uses the network.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

import sqla_checks
from sqla_checks.skill import SKILL_NAME
from tests.docs.markdown import REPO_ROOT
from tests.skill.installed import installed_skill_problems
from tests.skill.node_tools import CLAUDE_CODE, executable, isolated_env

MARKETPLACE = REPO_ROOT / ".claude-plugin" / "marketplace.json"
MARKETPLACE_NAME = "sqla-skillpack"


def _claude(home: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(executable(CLAUDE_CODE)), *args],
        cwd=cwd,
        env=isolated_env(home),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_plugin_and_marketplace_carry_the_package_version() -> None:
    manifest = json.loads(MARKETPLACE.read_text(encoding="utf-8"))
    with (REPO_ROOT / "pyproject.toml").open("rb") as file:
        package_version = tomllib.load(file)["project"]["version"]
    [plugin] = manifest["plugins"]
    assert plugin["name"] == SKILL_NAME
    assert plugin["version"] == manifest["metadata"]["version"] == package_version
    assert package_version == sqla_checks.__version__


def test_the_pinned_claude_cli_is_the_pinned_version(tmp_path: Path) -> None:
    completed = _claude(tmp_path, "--version", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split()[0] == CLAUDE_CODE.version


def test_marketplace_passes_claude_plugin_validate_strict(repo_copy: Path, tmp_path: Path) -> None:
    completed = _claude(tmp_path, "plugin", "validate", ".", "--strict", cwd=repo_copy)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Validation passed" in completed.stdout


def test_validate_strict_fails_on_a_broken_marketplace(repo_copy: Path, tmp_path: Path) -> None:
    broken = shutil.copytree(repo_copy, tmp_path / "broken")
    manifest_path = broken / ".claude-plugin" / "marketplace.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["plugins"][0]["source"] = "../elsewhere"
    del manifest["owner"]
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    completed = _claude(tmp_path / "home", "plugin", "validate", ".", "--strict", cwd=broken)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    report = completed.stdout + completed.stderr
    assert "Validation failed" in report
    assert "plugins[0].source" in report  # each defect is named by its JSON path
    assert "owner:" in report


# What a user types, with the repo copy standing in for `sqla-skillpack/sqla-skillpack`:
# add the marketplace then install from it, or (Claude Code 2.1.275+) both in one command.
INSTALL_COMMANDS = {
    "marketplace add, then install": (
        ("plugin", "marketplace", "add", "{source}"),
        ("plugin", "install", f"{SKILL_NAME}@{MARKETPLACE_NAME}"),
    ),
    "install --marketplace": (("plugin", "install", SKILL_NAME, "--marketplace", "{source}"),),
}


@pytest.fixture(scope="module", params=sorted(INSTALL_COMMANDS))
def installed_plugin(
    request: pytest.FixtureRequest, repo_copy: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Install the plugin from the repo copy as a marketplace, in a scratch home. Returns
    the plugin's folder in Claude Code's plugin cache."""
    home = tmp_path_factory.mktemp("claude-home")
    project = tmp_path_factory.mktemp("project")
    for command in INSTALL_COMMANDS[request.param]:
        args = [arg.format(source=repo_copy) for arg in command]
        completed = _claude(home, *args, cwd=project)
        assert completed.returncode == 0, completed.stdout + completed.stderr
    registry = json.loads((home / ".claude" / "plugins" / "installed_plugins.json").read_text())
    [entry] = registry["plugins"][f"{SKILL_NAME}@{MARKETPLACE_NAME}"]
    assert entry["version"] == sqla_checks.__version__
    install_path = Path(entry["installPath"])
    assert install_path.is_relative_to(home / ".claude" / "plugins" / "cache")
    return install_path


def test_installed_plugin_is_exactly_the_valid_self_contained_skill(
    installed_plugin: Path, tmp_path: Path
) -> None:
    # The plugin's source is the skill folder, so the cache holds that folder and no more.
    # The cache names the folder by version (Claude Code takes the skill's name from its
    # frontmatter); the spec validator wants the folder named like the skill, so check a
    # copy that keeps symlinks as they are.
    renamed = shutil.copytree(installed_plugin, tmp_path / SKILL_NAME, symlinks=True)
    assert installed_skill_problems(renamed) == []


def test_installed_plugin_offers_the_one_skill(installed_plugin: Path, tmp_path: Path) -> None:
    home = installed_plugin.parents[5]  # <home>/.claude/plugins/cache/<market>/<plugin>/<ver>
    completed = _claude(home, "plugin", "details", f"{SKILL_NAME}@{MARKETPLACE_NAME}", cwd=tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Skills (1)" in completed.stdout
    assert SKILL_NAME in completed.stdout.split("Skills (1)")[1].splitlines()[0]
