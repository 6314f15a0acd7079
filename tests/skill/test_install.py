"""`sqla-checks install-skill`: every agent and scope, upgrades, refusals, atomic replacement.

Each test installs into a temporary project with HOME pointing at a temporary folder,
so nothing outside tmp_path is touched. The expected folders are written out here,
from the agents' documentation, rather than read from the code under test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import sqla_checks
from sqla_checks.skill import SKILL_NAME, installed_copy
from sqla_checks.skill.install import main
from tests.skill.validation import PACKAGE_COPY, assert_is_the_packaged_skill, files_of

RECORD = f".{SKILL_NAME}.install-record.json"
FOLDERS = {  # agent -> (project folder, folder under HOME)
    "claude": (".claude/skills", ".claude/skills"),
    "agents": (".agents/skills", ".agents/skills"),
    "codex": (".agents/skills", ".agents/skills"),
    "cursor": (".cursor/skills", ".cursor/skills"),
    "copilot": (".github/skills", ".copilot/skills"),
}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


@pytest.fixture
def project(tmp_path: Path, home: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under `folder` (folders map to None), to show that nothing changed."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize("scope", ["project", "user"])
@pytest.mark.parametrize("agent", list(FOLDERS))
def test_installs_a_valid_self_contained_copy_where_the_agent_reads_skills(
    agent: str, scope: str, project: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if scope == "project":
        code = main(["--agent", agent, "--project", str(project)])
        skills = project / FOLDERS[agent][0]
    else:
        code = main(["--agent", agent, "--user"])
        skills = home / FOLDERS[agent][1]
    assert code == 0
    target = skills / SKILL_NAME
    assert_is_the_packaged_skill(target)
    # Beside the copy: only the record of what was installed, which lists every file.
    assert sorted(p.name for p in skills.iterdir()) == sorted([RECORD, SKILL_NAME])
    record = json.loads((skills / RECORD).read_text())
    assert record["version"] == sqla_checks.__version__
    assert set(record["files"]) == set(files_of(PACKAGE_COPY))
    assert f"installed {SKILL_NAME} {sqla_checks.__version__} into {target}" in (
        capsys.readouterr().out
    )
    # Nothing lands in the other scope.
    other = home if scope == "project" else project
    assert list(other.iterdir()) == []


def test_default_project_is_the_current_directory(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    assert main(["--agent", "cursor"]) == 0
    assert_is_the_packaged_skill(project / ".cursor" / "skills" / SKILL_NAME)


def test_a_second_run_finds_the_copy_current_and_changes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--agent", "claude", "--project", str(project)]) == 0
    before = snapshot(project)
    assert main(["--agent", "claude", "--project", str(project)]) == 0
    assert snapshot(project) == before
    assert "is already current" in capsys.readouterr().out


def test_codex_and_agents_share_one_copy(project: Path) -> None:
    assert main(["--agent", "codex", "--agent", "agents", "--project", str(project)]) == 0
    assert_is_the_packaged_skill(project / ".agents" / "skills" / SKILL_NAME)


def test_refuses_a_copy_changed_since_it_was_installed_and_force_replaces_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--agent", "claude", "--project", str(project)]) == 0
    target = project / ".claude" / "skills" / SKILL_NAME
    (target / "SKILL.md").write_text("my own notes\n")
    (target / "notes.md").write_text("mine\n")
    (target / "references" / "rules.md").unlink()
    before = snapshot(project)
    capsys.readouterr()

    assert main(["--agent", "claude", "--project", str(project)]) == 1
    assert snapshot(project) == before
    message = capsys.readouterr().err
    assert "refused" in message and str(target) in message and "--force" in message
    assert "changed: SKILL.md" in message
    assert "added: notes.md" in message
    assert "removed: references/rules.md" in message

    assert main(["--agent", "claude", "--project", str(project), "--force"]) == 0
    assert_is_the_packaged_skill(target)
    assert "replaced" in capsys.readouterr().out
    assert main(["--agent", "claude", "--project", str(project)]) == 0  # recorded again


def test_refuses_a_copy_it_did_not_install(project: Path) -> None:
    target = project / ".github" / "skills" / SKILL_NAME
    target.mkdir(parents=True)
    (target / "SKILL.md").write_text("---\nname: sqlalchemy-postgres\n---\nsomeone else's\n")
    before = snapshot(project)
    assert main(["--agent", "copilot", "--project", str(project)]) == 1
    assert snapshot(project) == before
    assert main(["--agent", "copilot", "--project", str(project), "--force"]) == 0
    assert_is_the_packaged_skill(target)


def test_refuses_a_symlink_in_place_of_the_copy_and_force_replaces_the_link_only(
    project: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "SKILL.md").write_text("kept\n")
    skills = project / ".claude" / "skills"
    skills.mkdir(parents=True)
    (skills / SKILL_NAME).symlink_to(elsewhere, target_is_directory=True)
    assert main(["--agent", "claude", "--project", str(project)]) == 1
    assert main(["--agent", "claude", "--project", str(project), "--force"]) == 0
    assert not (skills / SKILL_NAME).is_symlink()
    assert_is_the_packaged_skill(skills / SKILL_NAME)
    assert (elsewhere / "SKILL.md").read_text() == "kept\n"


def test_an_identical_copy_without_a_record_counts_as_current_and_gets_recorded(
    project: Path,
) -> None:
    skills = project / ".cursor" / "skills"
    target = skills / SKILL_NAME
    for relative, data in files_of(PACKAGE_COPY).items():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_bytes(data)
    assert main(["--agent", "cursor", "--project", str(project)]) == 0
    assert (skills / RECORD).is_file()


def older_release() -> dict[str, bytes]:
    """What an earlier version of the package shipped: other text, one file fewer, one more."""
    files = dict(installed_copy.packaged_skill())
    files["SKILL.md"] = files["SKILL.md"].replace(b"# SQLAlchemy", b"# Old SQLAlchemy")
    del files["references/rules.md"]
    files["references/retired.md"] = b"# Retired\n"
    return files


def test_upgrades_an_unchanged_older_copy(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = project / ".agents" / "skills" / SKILL_NAME
    older = older_release()
    installed_copy.replace_folder(target, older)
    installed_copy.write_record(target, older)
    record = target.parent / RECORD
    record.write_text(record.read_text().replace(sqla_checks.__version__, "0.0.1"))

    assert main(["--agent", "codex", "--project", str(project)]) == 0
    assert_is_the_packaged_skill(target)  # the retired file is gone, the new one is there
    assert f"upgraded {target} from 0.0.1 to {sqla_checks.__version__}" in capsys.readouterr().out
    assert json.loads(record.read_text())["version"] == sqla_checks.__version__


@pytest.mark.parametrize("situation", ["fresh", "changed", "older"])
def test_dry_run_changes_nothing(
    situation: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = project / ".claude" / "skills" / SKILL_NAME
    if situation != "fresh":
        older = older_release()
        installed_copy.replace_folder(target, older)
        installed_copy.write_record(target, older)
    if situation == "changed":
        (target / "SKILL.md").write_text("edited\n")
    before = snapshot(project)
    code = main(["--agent", "claude", "--project", str(project), "--dry-run", "--agents-md"])
    assert snapshot(project) == before
    out = capsys.readouterr().out
    if situation == "changed":
        assert code == 1
    else:
        assert code == 0
        assert ("would install" if situation == "fresh" else "would upgrade") in out
        assert "would add" in out  # the AGENTS.md section


def test_a_failure_while_writing_the_new_copy_leaves_the_old_one_intact(project: Path) -> None:
    assert main(["--agent", "claude", "--project", str(project)]) == 0
    skills = project / ".claude" / "skills"
    before = snapshot(skills)
    # A file where a folder must go fails half way through writing, even as root.
    broken = {"SKILL.md": b"new\n", "references": b"a file", "references/x.md": b"x\n"}
    with pytest.raises(installed_copy.InstallError) as raised:
        installed_copy.replace_folder(skills / SKILL_NAME, broken)
    assert "references" in str(raised.value)
    assert snapshot(skills) == before  # the old copy, its record, and no staging leftovers


def test_an_unwritable_skills_folder_is_an_error_naming_the_path(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".claude").write_text("a file where the folder must go\n")
    assert main(["--agent", "claude", "--project", str(project)]) == 2
    message = capsys.readouterr().err
    assert "error" in message and str(project / ".claude") in message


@pytest.mark.parametrize(
    "arguments",
    [[], ["--agent", "emacs"], ["--agent", "claude", "--user", "--project", "."]],
    ids=["no agent", "unknown agent", "user and project"],
)
def test_usage_errors_exit_2(arguments: list[str], project: Path) -> None:
    assert main(arguments) == 2


def test_a_missing_project_folder_is_an_error_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo"
    assert main(["--agent", "claude", "--project", str(missing)]) == 2
    assert not missing.exists()
    assert f"{missing}: no such project folder" in capsys.readouterr().err


def test_agents_md_cannot_go_to_the_user_folder(home: Path) -> None:
    assert main(["--agents-md", "--user"]) == 2
    assert list(home.iterdir()) == []


def test_help_documents_the_exit_codes_and_folders(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert "exit codes:" in text
    for line in ("  0  installed", "  1  refused", "  2  usage error"):
        assert line in text
    for folders in FOLDERS.values():
        assert all(folder in text for folder in folders)


@pytest.mark.parametrize(
    "command",
    [[str(Path(sys.executable).parent / "sqla-checks")], [sys.executable, "-m", "sqla_checks"]],
    ids=["sqla-checks", "python -m sqla_checks"],
)
def test_the_lint_cli_dispatches_install_skill(command: list[str], project: Path) -> None:
    completed = subprocess.run(
        [*command, "install-skill", "--agent", "claude", "--project", str(project)],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    assert_is_the_packaged_skill(project / ".claude" / "skills" / SKILL_NAME)
