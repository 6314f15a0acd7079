"""Speed and memory of `sqla-checks` on real applications, against bare libcst parsing.

    .venv/bin/python -m benchmarks.project_speed --work /tmp/recall
    .venv/bin/python -m benchmarks.project_speed --project ckan==2.11.3 --repeat 3
    .venv/bin/python -m benchmarks.project_speed --json benchmarks/results/project_speed.json

Each pinned release of `benchmarks.recall` (legacy and modern applications, pure-Python
wheels from PyPI, unpacked under `--work`, out of the repository) is measured three
ways: `libcst.parse_module` on every module in one process (the files already in
memory: the floor of any libcst linter), the command line with an empty cache
("cold", every rule, the default worker count, project index included), and the same
command again ("warm"). Reported: the medians, cold / parse (goal at most 0.8), warm /
cold (goal at most 0.1) and the peak RSS of the largest process (goal under 150 MB).
Nothing here asserts a time. `--json` also writes the rows (the README's speed table
is tested against `benchmarks/results/project_speed.json`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst

from benchmarks.cli_runs import CliWorkspace
from benchmarks.pypi_sources import download, unpacked
from benchmarks.recall import LEGACY, MODERN, python_files
from sqla_checks.engine.registry import all_rules


@dataclass(frozen=True)
class SpeedRow:
    """One project's timings (medians, seconds) and the largest process's peak RSS."""

    project: str
    files: int
    parse: float
    cold: float
    warm: float
    peak_rss_mib: float
    warm_misses: int

    def markdown(self) -> str:
        """One table row."""
        note = f" ({self.warm_misses} misses)" if self.warm_misses else ""
        return (
            f"| {self.project} | {self.files} | {self.parse:.2f} | {self.cold:.2f} | "
            f"{self.warm:.2f}{note} | {self.cold / self.parse:.2f} | "
            f"{self.warm / self.cold:.2f} | {self.peak_rss_mib:.0f} |"
        )


HEADER = (
    "| project | files | libcst parse s | cold s | warm s | cold / parse | warm / cold "
    "| peak RSS MiB |\n|---|--:|--:|--:|--:|--:|--:|--:|"
)


def _parse_seconds(sources: Sequence[bytes]) -> float:
    start = time.perf_counter()
    for source in sources:
        try:
            libcst.parse_module(source)
        except libcst.ParserSyntaxError:
            continue
    return time.perf_counter() - start


def measure(requirement: str, work: Path, repeat: int) -> SpeedRow:
    """Download, unpack and time one project."""
    archive = download(requirement, work / "downloads", sdist=False)
    root = unpacked(archive, work / "projects" / requirement.replace("==", "-"))
    sources = [path.read_bytes() for path in python_files(root)]
    parse = statistics.median(_parse_seconds(sources) for _ in range(repeat))
    codes = [rule.code for rule in all_rules()]
    with tempfile.TemporaryDirectory() as scratch:
        workspace = CliWorkspace(Path(scratch), codes)
        colds, warms, rss, misses = [], [], 0, 0
        for _ in range(repeat):
            workspace.clear_cache()
            cold = workspace.run(root)
            warm = workspace.run(root)
            colds.append(cold.seconds)
            warms.append(warm.seconds)
            rss = max(rss, cold.max_rss_kib, warm.max_rss_kib)
            misses = max(misses, warm.new_cache_entries)
            if cold.exit_code not in (0, 1):
                raise RuntimeError(f"sqla-checks failed on {root}:\n{cold.stderr_tail}")
    return SpeedRow(
        requirement,
        len(sources),
        parse,
        statistics.median(colds),
        statistics.median(warms),
        rss / 1024,
        misses,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Measure the pinned projects and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--work", type=Path, help="where downloads are kept")
    parser.add_argument("--project", action="append", help="only these requirements")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.gettempdir()) / "sqla-checks-recall"
    before = os.getloadavg()[0]
    print(f"load average before: {before:.2f}", file=sys.stderr)
    print(HEADER)
    rows = []
    for requirement in args.project or (*LEGACY, *MODERN):
        print(f"measuring {requirement} ...", file=sys.stderr)
        rows.append(measure(requirement, work, args.repeat))
        print(rows[-1].markdown(), flush=True)
    after = os.getloadavg()[0]
    print(f"load average after: {after:.2f}", file=sys.stderr)
    if args.json:
        record = {
            "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "repeat": args.repeat,
            "cpus": os.cpu_count(),
            "load_average": [round(before, 2), round(after, 2)],
            "rows": [dataclasses.asdict(row) for row in rows],
        }
        args.json.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
