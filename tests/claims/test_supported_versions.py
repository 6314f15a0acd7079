"""The README's "Supported versions" table, the pins and the matrix say the same thing."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
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
