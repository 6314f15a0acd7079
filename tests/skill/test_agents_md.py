"""`install-skill --agents-md`: a marked AGENTS.md section for agents without skill support."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqla_checks.skill import SKILL_NAME, agents_md
from sqla_checks.skill.install import main
from tests.docs.markdown import links
from tests.docs.structure import broken_links
from tests.skill.validation import assert_is_the_packaged_skill

COPY = f".agents/skills/{SKILL_NAME}/"
CODEX_LIMIT = 32 * 1024  # Codex's default project_doc_max_bytes


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


def section_of(text: str) -> str:
    start = text.index(agents_md.BEGIN)
    return text[start : text.index(agents_md.END) + len(agents_md.END)]


def test_writes_a_section_linking_into_the_installed_copy(project: Path) -> None:
    assert main(["--agents-md", "--project", str(project)]) == 0
    agents = project / "AGENTS.md"
    text = agents.read_text()
    assert text.startswith(agents_md.BEGIN) and text.endswith(agents_md.END + "\n")
    assert_is_the_packaged_skill(project / COPY)
    assert broken_links([agents], project) == []
    relative = [
        link.target for link in links(agents) if not link.target.startswith(("http", "mailto"))
    ]
    assert relative and all(target.startswith(COPY) for target in relative)
    # The skill's routing reaches agents that never load skills.
    for route in ("workflows/setup-database.md", "references/rules.md", "Verify before"):
        assert route in text
    assert "Use when a task touches" in text  # the description, which says when it applies
    assert "\n## SQLAlchemy 2.x async + PostgreSQL\n" in text  # headings one level down
    assert "\n# " not in text


def test_the_section_fits_codexs_agents_md_budget(project: Path) -> None:
    assert main(["--agents-md", "--project", str(project)]) == 0
    size = len(section_of((project / "AGENTS.md").read_text()).encode())
    assert size < CODEX_LIMIT / 2, size  # room left for the project's own instructions


def test_keeps_the_rest_of_agents_md_byte_for_byte_and_is_idempotent(project: Path) -> None:
    agents = project / "AGENTS.md"
    original = b"# My project\r\n\r\nRun `make test`.\r\n\xe2\x9c\x93 no trailing newline"
    agents.write_bytes(original)
    assert main(["--agents-md", "--project", str(project)]) == 0
    first = agents.read_bytes()
    assert first.startswith(original + b"\n\n" + agents_md.BEGIN.encode())
    assert main(["--agents-md", "--project", str(project)]) == 0
    assert agents.read_bytes() == first


def test_replaces_an_older_section_in_place(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agents = project / "AGENTS.md"
    before, after = "# Mine\n\nintro\n\n", "\n\n## Later section of mine\n\ntext\n"
    old = f"{agents_md.BEGIN}\nan older release's section\n{agents_md.END}"
    agents.write_text(before + old + after)
    assert main(["--agents-md", "--project", str(project)]) == 0
    text = agents.read_text()
    assert text.startswith(before) and text.endswith(after)
    assert "older release" not in text
    assert text.count(agents_md.BEGIN) == text.count(agents_md.END) == 1
    assert "updated the" in capsys.readouterr().out


@pytest.mark.parametrize(
    "markers",
    [
        [agents_md.BEGIN],
        [agents_md.END, agents_md.BEGIN],
        [agents_md.BEGIN, agents_md.END, agents_md.BEGIN, agents_md.END],
    ],
    ids=["begin only", "end first", "two sections"],
)
def test_unmatched_markers_are_an_error_and_leave_the_file_alone(
    markers: list[str], project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agents = project / "AGENTS.md"
    agents.write_text("# Mine\n" + "\nx\n".join(markers) + "\n")
    before = agents.read_bytes()
    assert main(["--agents-md", "--project", str(project)]) == 2
    assert agents.read_bytes() == before
    assert str(agents) in capsys.readouterr().err


def test_not_written_when_its_skill_copy_is_refused(project: Path) -> None:
    target = project / COPY
    target.mkdir(parents=True)
    (target / "SKILL.md").write_text("someone else's\n")
    assert main(["--agents-md", "--project", str(project)]) == 1
    assert not (project / "AGENTS.md").exists()


def test_also_installs_the_named_agents_copy(project: Path) -> None:
    assert main(["--agents-md", "--agent", "claude", "--project", str(project)]) == 0
    assert_is_the_packaged_skill(project / ".claude" / "skills" / SKILL_NAME)
    assert_is_the_packaged_skill(project / COPY)
