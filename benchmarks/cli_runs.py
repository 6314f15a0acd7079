"""End-to-end runs of the `sqla-checks` command line, timed from outside.

Each run is a fresh interpreter (`python -m sqla_checks`), so the numbers include startup,
file discovery, reading, the process pool, the cache and output: what a user or a
pre-commit hook waits for. Time and peak resident memory are taken by the small
`peak_rss.py` launcher (see there why it must not be this process).
"""

from __future__ import annotations

import compileall
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sqla_checks
from sqla_checks.engine.cache import CACHE_DIRECTORY

PEAK_RSS = Path(__file__).with_name("peak_rss.py")


@dataclass(frozen=True)
class CliRun:
    """One invocation: wall time, peak RSS of the largest process, exit code."""

    seconds: float
    max_rss_kib: int
    exit_code: int
    stderr_tail: str
    # Entries the run added to the cache: misses. A "warm" run with misses was not
    # warm, e.g. because checks/ changed (the cache key includes its fingerprint).
    new_cache_entries: int


class CliWorkspace:
    """A scratch project the CLI runs from, so its cache never lands in the corpus.

    An explicit `--config` makes the scratch directory the project root, hence the
    cache directory, whatever directory is being checked (even a read-only one).
    """

    def __init__(self, scratch: Path, rule_codes: Sequence[str]) -> None:
        self.scratch = scratch
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.config = scratch / "pyproject.toml"
        self.config.write_text("[tool.sqla-checks]\n", encoding="utf-8")
        self.empty = scratch / "empty"
        self.empty.mkdir(exist_ok=True)
        # Every rule, off-by-default ones included, as the in-process passes run them.
        self.select = ",".join(rule_codes)
        # An installed wheel comes with bytecode; a checkout run with
        # PYTHONDONTWRITEBYTECODE set would compile every module in every run instead
        # (tens of milliseconds, which the one-file row would count against the tool).
        compileall.compile_dir(Path(sqla_checks.__file__).parent, quiet=1)

    def clear_cache(self) -> None:
        shutil.rmtree(self.scratch / CACHE_DIRECTORY, ignore_errors=True)

    def cache_entries(self) -> int:
        return sum(1 for _ in (self.scratch / CACHE_DIRECTORY).glob("*/*.json"))

    def run(self, target: Path, *options: str) -> CliRun:
        """Check `target` with `options`; findings (exit 1) are the expected outcome."""
        command = [
            sys.executable,
            "-m",
            "sqla_checks",
            "--config",
            str(self.config),
            "--select",
            self.select,
            "--quiet",
            *options,
            str(target),
        ]
        entries_before = self.cache_entries()
        seconds, rss, exit_code, tail = self.time_command(command)
        new_entries = self.cache_entries() - entries_before
        return CliRun(seconds, rss, exit_code, tail, new_entries)

    def time_command(self, command: Sequence[str]) -> tuple[float, int, int, str]:
        """Run any command from the scratch directory: seconds, peak RSS, exit, stderr."""
        measurement = self.scratch / "last-run.txt"
        wrapper = [sys.executable, "-S", str(PEAK_RSS), str(measurement), "--"]
        with tempfile.TemporaryFile() as stderr:
            exit_code = subprocess.run(
                [*wrapper, *command], cwd=self.scratch, stdout=subprocess.DEVNULL, stderr=stderr
            ).returncode
            stderr.seek(0)
            tail = stderr.read()[-2000:].decode("utf-8", "replace")
        seconds_text, rss_text = measurement.read_text(encoding="utf-8").split()
        return float(seconds_text), int(rss_text), exit_code, tail
