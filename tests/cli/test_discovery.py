"""Which files are checked: directory walks, built-in skips, exclude, --force-exclude."""

from __future__ import annotations

import os
import subprocess
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


def _git_init(path: Path) -> None:
    """A real work tree: `.gitignore` counts only inside one, as in ruff."""
    done = subprocess.run(["git", "init", "-q", str(path)], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_gitignore_files_are_respected_nested_and_negated(project: Project) -> None:
    _git_init(project.root)
    project.write(".gitignore", "generated/\n*_pb2.py\n/scratch.py\n")
    project.write("app/.gitignore", "local_*.py\n!local_keep.py\n")
    project.write(".ignore", "vendored/\n")
    project.write(".git/info/exclude", "mine.py\n")
    for relative in (
        "app/main.py",
        "app/local_tmp.py",
        "app/local_keep.py",
        "app/proto_pb2.py",
        "generated/a.py",
        "app/generated/b.py",
        "scratch.py",
        "app/scratch.py",
        "vendored/c.py",
        "mine.py",
    ):
        project.write(relative, SYNC_URL)
    expected = ["app/local_keep.py", "app/main.py", "app/scratch.py"]
    assert _flagged(project.run().out) == expected
    # From inside app/ the parent folders' ignore files still apply.
    os.chdir(project.root / "app")
    assert _flagged(project.run("--no-cache").out) == ["local_keep.py", "main.py", "scratch.py"]
    os.chdir(project.root)
    assert project.run("--show-files").out.splitlines() == expected


def test_ignore_files_can_be_switched_off(project: Project) -> None:
    _git_init(project.root)
    project.write(".gitignore", "generated/\n")
    project.write("generated/a.py", SYNC_URL)
    assert _flagged(project.run("--no-respect-gitignore").out) == ["generated/a.py"]
    project.config("respect-gitignore = false")
    assert _flagged(project.run().out) == ["generated/a.py"]
    assert _flagged(project.run("--respect-gitignore").out) == []


def test_gitignore_outside_a_work_tree_is_not_read_but_dot_ignore_is(
    project: Project,
) -> None:
    project.write(".gitignore", "a.py\n")
    project.write(".ignore", "b.py\n")
    project.write("a.py", SYNC_URL)
    project.write("b.py", SYNC_URL)
    assert _flagged(project.run().out) == ["a.py"]


def test_explicit_ignored_files_are_checked_unless_force_exclude(project: Project) -> None:
    _git_init(project.root)
    project.write(".gitignore", "generated/\n")
    project.write("generated/a.py", SYNC_URL)
    assert _flagged(project.run("generated/a.py").out) == ["generated/a.py"]
    assert project.run("--force-exclude", "generated/a.py").code == 0


def test_exclude_and_extend_exclude_on_the_command_line(project: Project) -> None:
    project.config('exclude = ["old"]')
    for relative in ("app/a.py", "old/b.py", "gen/c.py"):
        project.write(relative, SYNC_URL)
    assert _flagged(project.run().out) == ["app/a.py", "gen/c.py"]
    # --exclude replaces the configured exclude; --extend-exclude adds to it.
    assert _flagged(project.run("--exclude", "gen").out) == ["app/a.py", "old/b.py"]
    assert _flagged(project.run("--extend-exclude", "gen,app/*.py").out) == []
    assert project.run("--extend-exclude", "gen", "--force-exclude", "gen/c.py").code == 0


def test_show_files_lists_what_would_be_checked_and_checks_nothing(project: Project) -> None:
    for relative in ("b.py", "a.py", ".venv/x.py", "notes.txt"):
        project.write(relative, SYNC_URL)
    shown = project.run("--show-files")
    assert (shown.code, shown.out) == (0, "a.py\nb.py\n")
    assert not (project.root / ".sqla-checks-cache").exists()
    missing = project.run("--show-files", "nope.py")
    assert missing.code == 2
    assert "nope.py: error:" in missing.err


def test_cache_follows_a_change_of_a_nested_configuration(project: Project) -> None:
    project.write("sub/app.py", SYNC_URL)
    project.write("sub/sqla-checks.toml", 'select = ["ALC204"]\n')
    assert project.run().code == 1
    project.write("sub/sqla-checks.toml", 'select = ["ALC204"]\nignore = ["ALC204"]\n')
    assert project.run().code == 0
    project.write(
        "sub/sqla-checks.toml",
        'select = ["ALC204"]\n[per-file-ignores]\n"app.py" = ["ALC204"]\n',
    )
    assert project.run().code == 0
    (project.root / "sub" / "sqla-checks.toml").unlink()
    assert project.run().code == 1


def test_a_folder_named_explicitly_is_walked_even_if_ignored(project: Project) -> None:
    _git_init(project.root)
    project.write(".gitignore", "vendor/\n")
    project.write("vendor/lib/a.py", SYNC_URL)
    project.write("vendor/lib/skip_me.py", SYNC_URL)
    project.write("vendor/lib/.gitignore", "skip_*.py\n")
    assert _flagged(project.run().out) == []
    # The ignore files inside the named folder still count; the ones above it do not.
    assert _flagged(project.run("vendor/lib").out) == ["vendor/lib/a.py"]
    assert project.run("--force-exclude", "vendor/lib").code == 0
