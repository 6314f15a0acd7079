"""The skill as agents receive it: valid by the spec, small, versioned, self-contained.

Checked on the repo's skill folder and on the copy a built wheel carries (the folder
`npx skills add` and the Claude Code plugin install is the former; `pip install` gives
the latter).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import yaml

import sqla_checks
from sqla_checks.skill import SKILL_NAME, build
from tests.docs.markdown import REPO_ROOT, markdown_files
from tests.docs.structure import broken_links
from tests.skill.validation import validate_skill

SKILL = build.skill_source(REPO_ROOT)
# A conservative tokens-per-text estimate (English prose and code run about 4 characters
# a token; 3.5 overestimates on purpose).
CHARACTERS_PER_TOKEN = 3.5


def _frontmatter_and_body(skill_md: Path) -> tuple[dict[str, object], str]:
    _, frontmatter, body = skill_md.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(frontmatter), body


def test_skill_folder_is_valid_by_the_agent_skills_reference_validator() -> None:
    completed = validate_skill(SKILL)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_the_validator_rejects_a_skill_whose_name_differs_from_its_folder(tmp_path: Path) -> None:
    copy = tmp_path / "other-name"
    copy.mkdir()
    (copy / "SKILL.md").write_text((SKILL / "SKILL.md").read_text())
    assert validate_skill(copy).returncode != 0


def test_description_says_what_and_when_within_the_limits() -> None:
    frontmatter, _ = _frontmatter_and_body(SKILL / "SKILL.md")
    description = str(frontmatter["description"])
    assert 300 <= len(description) <= 700, len(description)
    assert not {"<", ">"} & set(description)
    assert description.startswith(("Writes", "Reviews", "Builds", "Guides"))  # third person
    assert "Use when" in description
    for word in (
        "SQLAlchemy",
        "async session",
        "asyncpg",
        "PostgreSQL",
        "Alembic migration",
        "model",
        "quer",
        "repository",
        "N+1",
        "connection pool",
        "FastAPI database dependency",
    ):
        assert word in description, word


def test_frontmatter_has_only_spec_keys_and_the_package_version() -> None:
    frontmatter, _ = _frontmatter_and_body(SKILL / "SKILL.md")
    allowed = {"name", "description", "license", "compatibility", "metadata", "allowed-tools"}
    assert set(frontmatter) <= allowed
    assert frontmatter["name"] == SKILL_NAME == SKILL.name
    metadata = frontmatter["metadata"]
    assert isinstance(metadata, dict)
    assert metadata["version"] == sqla_checks.__version__


def test_body_is_short_enough_to_stay_loaded() -> None:
    _, body = _frontmatter_and_body(SKILL / "SKILL.md")
    assert body.count("\n") < 300
    assert len(body) / CHARACTERS_PER_TOKEN < 4000


def test_router_lists_every_workflow_and_reference() -> None:
    text = (SKILL / "SKILL.md").read_text(encoding="utf-8")
    for folder in build.COPIED_FOLDERS:
        for path in sorted((REPO_ROOT / folder).glob("*.md")):
            assert f"]({folder}/{path.name})" in text, (
                f"SKILL.md does not link {folder}/{path.name}"
            )


def test_derived_skill_files_are_current() -> None:
    assert build.stale(REPO_ROOT) == [], "run `python -m sqla_checks.skill.build`"


@pytest.fixture(scope="module")
def wheel_skill(built_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The skill folder as a wheel built from this checkout carries it."""
    out = tmp_path_factory.mktemp("wheel-unpacked")
    with zipfile.ZipFile(built_wheel) as archive:
        archive.extractall(out / "unpacked")
    return out / "unpacked" / "sqla_checks" / ".agents" / "skills" / SKILL_NAME


def test_wheel_carries_the_skill_exactly(wheel_skill: Path) -> None:
    shipped = {
        p.relative_to(wheel_skill): p.read_text() for p in wheel_skill.rglob("*") if p.is_file()
    }
    package = build.package_copy(REPO_ROOT)
    expected = {p.relative_to(package): p.read_text() for p in package.rglob("*") if p.is_file()}
    assert shipped == expected
    assert validate_skill(wheel_skill).returncode == 0


@pytest.mark.parametrize("where", ["repo skill folder", "wheel"])
def test_installed_copy_is_self_contained(where: str, wheel_skill: Path) -> None:
    folder = SKILL if where == "repo skill folder" else wheel_skill
    assert broken_links(markdown_files(folder), folder) == []
    strays = [p for p in folder.rglob("*") if (p.is_file() and p.suffix != ".md") or p.is_symlink()]
    assert strays == []
