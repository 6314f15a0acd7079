"""The cache under damage: truncated, garbage, subtly altered and concurrently
written entries are misses that heal; no run ever reports a result the file does
not have."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sqla_checks.engine.cache import CACHE_DIRECTORY
from tests.cli.conftest import CLEAN, SQLITE_URL, SYNC_URL, Project


def _entries(root: Path) -> list[Path]:
    return sorted((root / CACHE_DIRECTORY).glob("*/*.json"))


def _flip_message(path: Path) -> None:
    # Still valid JSON with the right key: only a checksum can tell it is wrong.
    payload = json.loads(path.read_text())
    for finding in payload["findings"]:
        finding["message"] = "a finding this file does not have"
        finding["start"] = [99, 1]
    if not payload["findings"]:
        payload["findings"] = [
            {
                "path": "x.py",
                "code": "ALC204",
                "name": "x",
                "message": "phantom",
                "start": [1, 1],
                "end": [1, 2],
                "url": "",
                "fix": None,
            }
        ]
    path.write_text(json.dumps(payload))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),
    "emptied": lambda path: path.write_bytes(b""),
    "garbage": lambda path: path.write_bytes(b"\x00\xff garbage \x89PNG" * 50),
    "wrong-shape": lambda path: path.write_text('{"key": 1, "findings": "no"}'),
    "altered-but-valid-json": _flip_message,
    "replaced-by-a-directory": lambda path: (path.unlink(), path.mkdir()),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_damaged_entries_are_misses_that_heal(project: Project, damage: str) -> None:
    project.write("app.py", SYNC_URL)
    project.write("sqlite.py", SQLITE_URL)
    project.write("clean.py", CLEAN)
    truth = project.run("--no-cache")
    first = project.run()
    assert (first.code, first.out) == (truth.code, truth.out)
    entries = _entries(project.root)
    assert len(entries) == 3
    for entry in entries:
        DAMAGE[damage](entry)
    damaged = project.run()
    assert (damaged.code, damaged.out, damaged.err) == (truth.code, truth.out, truth.err)
    healed = [entry for entry in _entries(project.root) if entry.is_file()]
    if damage != "replaced-by-a-directory":
        # The run stored fresh entries over the damaged ones.
        assert len(healed) == 3
        for entry in healed:
            assert json.loads(entry.read_text())["findings"] is not None
    again = project.run()
    assert (again.code, again.out) == (truth.code, truth.out)


def test_concurrent_runs_share_the_cache_and_agree(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.sqla-checks]\nselect = ["ALC204"]\n')
    for index in range(30):
        content = (SYNC_URL, SQLITE_URL, CLEAN)[index % 3]
        (tmp_path / f"module_{index:02}.py").write_text(content + f"# {index}\n")
    command = [sys.executable, "-m", "sqla_checks", "--jobs=2", "."]
    truth = subprocess.run(
        [*command, "--no-cache"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    runs = [
        subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    for process in runs:
        out, err = process.communicate(timeout=300)
        assert (process.returncode, out.decode(), err.decode()) == (
            truth.returncode,
            truth.stdout,
            truth.stderr,
        )
    assert len(_entries(tmp_path)) == 30
    assert not list((tmp_path / CACHE_DIRECTORY).glob("*/*.tmp")), "no temporary leftovers"
    served = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert (served.returncode, served.stdout) == (truth.returncode, truth.stdout)
