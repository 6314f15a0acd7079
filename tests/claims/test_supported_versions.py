"""The README's "Supported versions" table, the pins and the matrix say the same thing."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

import noxfile

REPO_ROOT = Path(__file__).resolve().parents[2]
README_NAMES = {
    "SQLAlchemy": "sqlalchemy",
    "Alembic": "alembic",
    "FastAPI": "fastapi",
    "Pydantic": "pydantic",
    "pydantic-settings": "pydantic-settings",
    "asyncpg": "asyncpg",
}


def _readme_table() -> dict[str, tuple[str, list[str]]]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Supported versions", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for match in re.finditer(r"^\| ([\w-]+) \| ([\d.]+) \| ([\d., ]+) \|$", section, re.M):
        name, lowest, newest = match.groups()
        rows[README_NAMES[name]] = (lowest, [v.strip() for v in newest.split(",")])
    return rows


def _lower_bounds(pyproject: Path, group: str | None = None) -> dict[str, Version]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lines = project["dependencies"] if group is None else project["optional-dependencies"][group]
    bounds = {}
    for line in lines:
        requirement = Requirement(line)
        for spec in requirement.specifier:
            if spec.operator == ">=":
                bounds[requirement.name.lower()] = Version(spec.version)
    return bounds


@pytest.mark.claim("readme-supported-versions")
def test_readme_lowest_versions_are_the_pins_the_lowest_cell_installs() -> None:
    table = _readme_table()
    assert set(table) == set(noxfile.STACK)
    pins = {
        Requirement(pin).name.lower(): Version(pin.split("==")[1]) for pin in noxfile.lowest_pins()
    }
    assert {name: Version(lowest) for name, (lowest, _) in table.items()} == pins


@pytest.mark.claim("readme-supported-versions")
def test_examples_pin_no_lower_than_the_matrix_proves() -> None:
    root = _lower_bounds(REPO_ROOT / "pyproject.toml", "dev")
    for example in ("blog", "legacy_blog"):
        for name, bound in _lower_bounds(
            REPO_ROOT / "examples" / example / "pyproject.toml"
        ).items():
            if name in noxfile.STACK:
                assert bound >= root[name], (example, name, bound)
    blog = _lower_bounds(REPO_ROOT / "examples" / "blog" / "pyproject.toml")
    assert blog["alembic"] >= Version("1.16.3")  # the `module` post-write hook
    assert blog["fastapi"] >= Version("0.121")  # Depends(scope="function")


@pytest.mark.claim("readme-supported-versions")
def test_this_cell_runs_versions_inside_the_supported_range() -> None:
    table = _readme_table()
    for name, (lowest, _newest) in table.items():
        installed = Version(version(name))
        assert installed >= Version(lowest), name
    series = sorted(Version(v).release[:2] for v in table["sqlalchemy"][1])
    assert series == [(2, 0), (2, 1)]


CELL = os.environ.get(noxfile.CELL_VARIABLE)


@pytest.mark.claim("readme-supported-versions")
@pytest.mark.skipif(CELL is None, reason="runs inside a nox matrix cell")
def test_this_cell_installed_exactly_the_versions_the_readme_names_for_it() -> None:
    table = _readme_table()
    if CELL == "lowest":
        expected = {name: lowest for name, (lowest, _) in table.items()}
    else:
        expected = {name: newest[-1] for name, (_, newest) in table.items()}
        # SQLAlchemy lists one newest release per series: this cell's.
        (expected["sqlalchemy"],) = [
            v
            for v in table["sqlalchemy"][1]
            if Version(v).release[:2] == Version(str(CELL)).release
        ]
    installed = {name: version(name) for name in table}
    assert installed == expected, "update README's Supported versions table"


def _readme_pre_commit_config() -> dict[str, object]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "repos:" in b]
    config: dict[str, object] = yaml.safe_load(block)
    return config


@pytest.mark.claim("readme-pre-commit-rev")
def test_the_readme_hook_names_this_repository_and_no_tag_that_does_not_exist() -> None:
    (repo,) = _readme_pre_commit_config()["repos"]  # type: ignore[misc]
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert repo["repo"] == project["project"]["urls"]["Repository"]
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {hook["id"] for hook in repo["hooks"]} <= {hook["id"] for hook in hooks}
    listed = subprocess.run(
        ["git", "tag", "--list"], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout: its tags are unknown")
    # The README says no release is tagged yet: the first tag makes this fail, and the
    # README's pre-commit section should then name that tag.
    assert listed.stdout.split() == []
    assert not re.fullmatch(r"v?\d+(\.\d+)*", repo["rev"])
