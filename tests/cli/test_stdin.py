"""Stdin mode, driven the way editor plugins drive ruff: a subprocess, the buffer piped
to stdin, `--stdin-filename` naming the file the buffer belongs to, exit codes read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import CLEAN, FIXED_URL, SQLITE_URL, SYNC_URL, Project


def _pipe(project: Project, source: str | bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    data = source.encode() if isinstance(source, str) else source
    return subprocess.run(
        [sys.executable, "-m", "sqla_checks", "--no-cache", *args],
        cwd=project.root,
        input=data,
        capture_output=True,
        timeout=120,
    )


def test_dash_reads_stdin_and_reports_it_as_dash(project: Project) -> None:
    done = _pipe(project, SYNC_URL, "-")
    assert done.returncode == 1, done.stderr
    assert done.stdout.decode().startswith("-:3:30: ALC204 [*]")
    assert _pipe(project, CLEAN, "-").returncode == 0


def test_stdin_filename_names_the_findings_and_needs_no_dash(project: Project) -> None:
    # The file does not have to exist: an editor's unsaved buffer has no file yet.
    with_dash = _pipe(project, SYNC_URL, "--stdin-filename", "app/new.py", "-")
    without = _pipe(project, SYNC_URL, "--stdin-filename", "app/new.py")
    assert with_dash.returncode == without.returncode == 1
    assert with_dash.stdout == without.stdout
    assert without.stdout.decode().startswith("app/new.py:3:30: ALC204")


def test_stdin_filename_applies_that_files_configuration_and_per_file_ignores(
    project: Project,
) -> None:
    project.config('[tool.sqla-checks.per-file-ignores]\n"scripts/*.py" = ["ALC204"]\n')
    assert _pipe(project, SYNC_URL, "--stdin-filename", "scripts/run.py").returncode == 0
    assert _pipe(project, SYNC_URL, "--stdin-filename", "app/run.py").returncode == 1
    # A nested project's own configuration governs its files.
    project.write("legacy/sqla-checks.toml", 'select = ["ALC101"]\n')
    assert _pipe(project, SYNC_URL, "--stdin-filename", "legacy/db.py").returncode == 0


def test_fix_writes_the_fixed_source_to_stdout_and_the_report_to_stderr(
    project: Project,
) -> None:
    done = _pipe(project, SYNC_URL, "--fix", "--stdin-filename", "app/db.py", "-")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == FIXED_URL
    assert "1 fixed, 0 remaining" in done.stderr.decode()
    # What cannot be fixed is reported on stderr; the source passes through unchanged.
    unfixable = _pipe(project, SQLITE_URL, "--fix", "--stdin-filename", "app/db.py")
    assert unfixable.returncode == 1
    assert unfixable.stdout.decode() == SQLITE_URL
    assert "app/db.py:3:30: ALC204" in unfixable.stderr.decode()


def test_fix_keeps_bytes_and_crlf_line_endings(project: Project) -> None:
    crlf = SYNC_URL.replace("\n", "\r\n").encode()
    done = _pipe(project, crlf, "--fix", "-")
    assert done.returncode == 0, done.stderr
    assert done.stdout == FIXED_URL.replace("\n", "\r\n").encode()


def test_diff_on_stdin_prints_the_change_and_exits_one(project: Project) -> None:
    done = _pipe(project, SYNC_URL, "--diff", "--stdin-filename", "app/db.py")
    assert done.returncode == 1
    text = done.stdout.decode()
    assert '+engine = create_async_engine("postgresql+asyncpg://app@db/blog")' in text
    assert "app/db.py" in text


def test_force_exclude_passes_an_excluded_buffer_through(project: Project) -> None:
    project.config('exclude = ["generated"]')
    path = "generated/models.py"
    assert _pipe(project, SYNC_URL, "--stdin-filename", path).returncode == 1
    checked = _pipe(project, SYNC_URL, "--force-exclude", "--stdin-filename", path)
    assert (checked.returncode, checked.stdout) == (0, b"")
    fixed = _pipe(project, SYNC_URL, "--force-exclude", "--fix", "--stdin-filename", path)
    assert (fixed.returncode, fixed.stdout) == (0, SYNC_URL.encode())


def test_json_output_names_the_stdin_filename(project: Project) -> None:
    done = _pipe(project, SYNC_URL, "--format", "json", "--stdin-filename", "app/db.py")
    assert done.returncode == 1
    entries = json.loads(done.stdout)
    assert [entry["filename"].endswith("app/db.py") for entry in entries] == [True]
    unnamed = json.loads(_pipe(project, SYNC_URL, "--format", "json", "-").stdout)
    assert [entry["filename"] for entry in unnamed] == ["-"]


def test_unparsable_buffer_is_an_error_naming_the_file(project: Project) -> None:
    broken = "from sqlalchemy.ext.asyncio import create_async_engine\ndef (:\n"
    done = _pipe(project, broken, "--stdin-filename", "app/db.py")
    assert done.returncode == 2
    assert done.stderr.decode().startswith("app/db.py:")
    assert "cannot parse file" in done.stderr.decode()
    undecodable = _pipe(project, b"create_async_engine = '\xff'\n", "-")
    assert undecodable.returncode == 2
    assert undecodable.stderr.decode().startswith("-:")


def test_dash_cannot_be_mixed_with_paths(project: Project, tmp_path: Path) -> None:
    project.write("app.py", CLEAN)
    done = _pipe(project, CLEAN, "-", "app.py")
    assert done.returncode == 2
    assert "cannot be combined" in done.stderr.decode()
