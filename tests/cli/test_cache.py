"""The findings cache: hits skip parsing, any change to the file invalidates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sqla_checks.engine.cache import CACHE_DIRECTORY
from tests.cli.conftest import CLEAN, SYNC_URL, Project


def test_second_run_is_served_from_the_cache(project: Project, checked_sources: list[str]) -> None:
    project.write("app.py", SYNC_URL)
    project.write("clean.py", CLEAN)
    first = project.run()
    assert sorted(checked_sources) == ["app.py", "clean.py"]
    second = project.run()
    assert sorted(checked_sources) == ["app.py", "clean.py"], "nothing re-checked"
    assert (second.code, second.out) == (first.code, first.out)


def test_changing_the_file_invalidates_its_entry(
    project: Project, checked_sources: list[str]
) -> None:
    path = project.write("app.py", SYNC_URL)
    project.write("clean.py", CLEAN)
    project.run()
    checked_sources.clear()
    path.write_text(CLEAN)
    outcome = project.run()
    assert checked_sources == ["app.py"]
    assert outcome.code == 0


def test_changing_the_rule_selection_invalidates(
    project: Project, checked_sources: list[str]
) -> None:
    project.write("app.py", SYNC_URL)
    project.run()
    checked_sources.clear()
    assert project.run("--ignore", "ALC204").code == 0
    assert checked_sources == ["app.py"]


def test_edits_are_cached_separately_from_plain_findings(
    project: Project, checked_sources: list[str]
) -> None:
    project.write("app.py", SYNC_URL)
    project.run()
    json_run = project.run("--format", "json")
    assert checked_sources == ["app.py", "app.py"]
    assert '"edits": [\n' in json_run.out and '"content"' in json_run.out


def test_cache_directory_is_git_ignored(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    project.run()
    ignore = project.root / CACHE_DIRECTORY / ".gitignore"
    assert "*" in ignore.read_text().splitlines()


def test_corrupt_entries_are_ignored(project: Project, checked_sources: list[str]) -> None:
    project.write("app.py", SYNC_URL)
    first = project.run()
    entries = [p for p in (project.root / CACHE_DIRECTORY).rglob("*.json")]
    assert entries
    for entry in entries:
        entry.write_text('{"key": "nope", "findings": [')
    checked_sources.clear()
    again = project.run()
    assert checked_sources == ["app.py"]
    assert again.out == first.out


def test_no_cache_neither_reads_nor_writes(project: Project, checked_sources: list[str]) -> None:
    project.write("app.py", SYNC_URL)
    project.run("--no-cache")
    project.run("--no-cache")
    assert checked_sources == ["app.py", "app.py"]
    assert not (project.root / CACHE_DIRECTORY).exists()


def test_fixing_never_uses_the_cache(project: Project, checked_sources: list[str]) -> None:
    project.write("app.py", SYNC_URL)
    project.run()
    checked_sources.clear()
    project.run("--diff")
    assert checked_sources == ["app.py"]


def test_unwritable_project_root_just_runs_without_cache(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Path, *args: Any, **kwargs: Any) -> None:
        raise PermissionError(13, "Permission denied")

    project.write("app.py", SYNC_URL)
    monkeypatch.setattr(Path, "mkdir", refuse)
    assert project.run().code == 1
