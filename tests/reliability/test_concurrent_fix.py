"""`--fix` with other writers around: two runs at once, an editor saving mid-run, and
writes that fail for real (file size limit, a directory in which nothing can be
created). No edit is lost, no file is left half-written, and failures are reported."""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from tests.cli.conftest import FIXED_URL, SYNC_URL

FILES = 40


def _project(root: Path) -> list[Path]:
    (root / "pyproject.toml").write_text('[tool.sqla-checks]\nselect = ["ALC204"]\n')
    paths = []
    for index in range(FILES):
        path = root / f"module_{index:02}.py"
        path.write_text(SYNC_URL + f"# module {index}\n" + "x = 1\n" * 200)
        paths.append(path)
    return paths


def _fixer(root: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sqla_checks", "--fix", "--jobs=2", *extra, "."],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _leftovers(root: Path) -> list[str]:
    return [path.name for path in root.iterdir() if "sqla-checks-tmp" in path.name]


def _expected_fixed(index: int) -> str:
    return FIXED_URL + f"# module {index}\n" + "x = 1\n" * 200


def test_two_fix_runs_at_once_leave_every_file_fixed_and_whole(tmp_path: Path) -> None:
    paths = _project(tmp_path)
    first, second = _fixer(tmp_path), _fixer(tmp_path)
    outcomes = [process.communicate(timeout=300) for process in (first, second)]
    for (_, err), process in zip(outcomes, (first, second), strict=True):
        assert "Traceback" not in err
        # 0: all fixed; 2: some files were fixed by the other run first and refused.
        assert process.returncode in (0, 2), err
        for line in err.splitlines():
            if ": error: " in line:
                assert "file changed on disk" in line, line
    for index, path in enumerate(paths):
        assert path.read_text() == _expected_fixed(index)
    assert _leftovers(tmp_path) == []


def test_an_editor_saving_mid_run_never_loses_its_edit(tmp_path: Path) -> None:
    paths = _project(tmp_path)
    fixer = _fixer(tmp_path)
    saved: dict[Path, str] = {}
    order = list(paths)
    random.Random(13).shuffle(order)
    for index, path in enumerate(order):
        # The editor saves the way editors do: a new file renamed over the old one.
        content = SYNC_URL + f"# saved by the editor ({index})\n"
        temporary = path.with_suffix(".editor")
        temporary.write_text(content)
        os.replace(temporary, path)
        saved[path] = content
        time.sleep(0.005)
    _, err = fixer.communicate(timeout=300)
    assert "Traceback" not in err
    for path, content in saved.items():
        final = path.read_text()
        # Either the run read the editor's version (and fixed it) or it refused.
        assert final in (content, content.replace("psycopg2", "asyncpg")), path
    assert _leftovers(tmp_path) == []


def _limit_file_size() -> None:
    # Python ignores SIGXFSZ, so an oversized write fails with EFBIG instead.
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))


def test_a_write_failure_leaves_the_original_intact_and_says_so(tmp_path: Path) -> None:
    paths = _project(tmp_path)
    originals = [path.read_bytes() for path in paths]
    completed = subprocess.run(
        [sys.executable, "-m", "sqla_checks", "--fix", "--jobs=1", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limit_file_size,
        check=False,
    )
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    errors = [line for line in completed.stderr.splitlines() if ": error: " in line]
    assert len(errors) == FILES
    assert all("cannot write fix: File too large" in line for line in errors), errors[:3]
    assert [path.read_bytes() for path in paths] == originals
    assert _leftovers(tmp_path) == []


def test_a_read_only_file_is_replaced_whole_and_keeps_its_mode(tmp_path: Path) -> None:
    # The fix never writes into the original: a new file is renamed over it, so a
    # read-only file in a writable directory is fixed (as ruff does) and stays 0444.
    (tmp_path / "pyproject.toml").write_text('[tool.sqla-checks]\nselect = ["ALC204"]\n')
    path = tmp_path / "app.py"
    path.write_text(SYNC_URL)
    path.chmod(0o444)
    completed = subprocess.run(
        [sys.executable, "-m", "sqla_checks", "--fix", "--jobs=1", "app.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert path.read_text() == FIXED_URL
    assert path.stat().st_mode & 0o777 == 0o444
    assert _leftovers(tmp_path) == []
