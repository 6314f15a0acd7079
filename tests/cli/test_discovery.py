"""Which files are checked: directory walks, built-in skips, exclude, --force-exclude."""

from __future__ import annotations

from pathlib import Path

from sqla_checks.engine.discovery import discover_files
from sqla_checks.engine.settings import SettingsResolver
from tests.cli.conftest import SYNC_URL, Project


def _flagged(out: str) -> list[str]:
    return sorted({line.split(":")[0] for line in out.splitlines() if "ALC204" in line})


def test_walk_skips_environments_build_output_and_hidden_directories(project: Project) -> None:
    for relative in (
        "app/main.py",
        "app/stubs.pyi",
        "app/notes.txt",
        ".venv/lib/site.py",
        "venv/x.py",
        "build/x.py",
        "dist/x.py",
        "node_modules/x.py",
        "app/__pycache__/x.py",
        ".hidden/x.py",
    ):
        project.write(relative, SYNC_URL)
    outcome = project.run()
    assert _flagged(outcome.out) == ["app/main.py", "app/stubs.pyi"]


def test_exclude_globs_match_paths_and_components(project: Project) -> None:
    project.config('exclude = ["generated"]\nextend-exclude = ["app/legacy/*.py", "*_pb2.py"]')
    for relative in (
        "app/main.py",
        "generated/a.py",
        "app/generated/b.py",
        "app/legacy/c.py",
        "app/proto_pb2.py",
    ):
        project.write(relative, SYNC_URL)
    assert _flagged(project.run().out) == ["app/main.py"]


def test_explicit_files_are_checked_even_if_excluded_unless_force_exclude(
    project: Project,
) -> None:
    project.config('exclude = ["generated"]')
    project.write("generated/a.py", SYNC_URL)
    project.write(".venv/lib/b.py", SYNC_URL)
    explicit = project.run("generated/a.py", ".venv/lib/b.py")
    assert _flagged(explicit.out) == [".venv/lib/b.py", "generated/a.py"]
    forced = project.run("--force-exclude", "generated/a.py", ".venv/lib/b.py")
    assert forced.code == 0
    assert _flagged(forced.out) == []


def test_order_is_deterministic_and_paths_deduplicated(project: Project) -> None:
    for name in ("b.py", "a.py", "sub/c.py"):
        project.write(name, SYNC_URL)
    found = discover_files([".", "a.py", "sub"], SettingsResolver(cwd=project.root))
    assert found.files == ("a.py", "b.py", "sub/c.py")


def test_paths_outside_the_current_directory_stay_absolute(
    project: Project, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text(SYNC_URL)
    found = discover_files([str(outside)], SettingsResolver(cwd=project.root))
    assert found.files == (str(outside),)


def test_no_python_files_warns_and_exits_zero(project: Project) -> None:
    (project.root / "empty").mkdir()
    outcome = project.run("empty")
    assert outcome.code == 0
    assert "no Python files found" in outcome.err
