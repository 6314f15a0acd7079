"""The opt-in `formats` stage: output formats and the start-up of a one-file run.

JSON and SARIF carry each fix's edits, which text output does not compute; the goal
is at most 1.5x the time of text output, on `examples/legacy_blog` and on a corpus
of 500 legacy (1.x) modules, where most findings have a fix. The one-file row runs
`sqla-checks` on a single file against `python -c "import libcst"`, the floor of any
libcst tool's start-up (goal: at most 1.5x).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks.cli_runs import CliWorkspace
from benchmarks.corpus import Mix, build_synthetic
from benchmarks.results import Results, Row
from benchmarks.timing import Timing, progress

LEGACY_BLOG = Path(__file__).resolve().parents[1] / "examples" / "legacy_blog"
LEGACY_FILES = 500
# One model module with fixable findings: what an editor's save hook checks.
ONE_FILE = LEGACY_BLOG / "app" / "models.py"
FORMATS = ("text", "json", "sarif")


def run_formats(workspace: CliWorkspace, repeat: int, results: Results, scratch: Path) -> None:
    """Append the format rows and the one-file rows to `results`."""
    legacy = build_synthetic(scratch / "legacy-corpus", LEGACY_FILES, mix=Mix(0, 0, 1))
    targets = (
        ("legacy_blog", "examples/legacy_blog", LEGACY_BLOG, _count(LEGACY_BLOG)),
        (
            "legacy500",
            f"{LEGACY_FILES} legacy modules",
            legacy.root,
            (len(legacy.files), legacy.lines),
        ),
    )
    for name, label, root, (files, lines) in targets:
        for output in FORMATS:
            options = ("--no-cache", "--jobs", "1", "--format", output)
            _row(
                results,
                f"format_{output}_{name}",
                f"CLI --format {output}, {label} (--jobs 1)",
                files,
                lines,
                [_cli(workspace, root, options) for _ in range(repeat)],
            )
    one = (1, ONE_FILE.read_bytes().count(b"\n"))
    _row(
        results,
        "one_file",
        f"CLI on one file ({ONE_FILE.name})",
        *one,
        [_cli(workspace, ONE_FILE, ("--no-cache", "--jobs", "1")) for _ in range(repeat)],
    )
    libcst = [sys.executable, "-c", "import libcst"]
    _row(
        results,
        "import_libcst",
        'python -c "import libcst"',
        0,
        0,
        [workspace.time_command(libcst)[0] for _ in range(repeat)],
    )


def _cli(workspace: CliWorkspace, target: Path, options: Sequence[str]) -> float:
    run = workspace.run(target, *options)
    if run.exit_code not in (0, 1):
        raise RuntimeError(f"sqla-checks exited {run.exit_code}: {run.stderr_tail[-500:]}")
    return run.seconds


def _row(
    results: Results, key: str, label: str, files: int, lines: int, samples: list[float]
) -> None:
    progress(f"{label}: " + ", ".join(f"{s:.2f}" for s in samples) + " s")
    results.rows.append(Row(key, label, Timing(tuple(samples)), files, lines))


def _count(root: Path) -> tuple[int, int]:
    paths = sorted(root.rglob("*.py"))
    return len(paths), sum(path.read_bytes().count(b"\n") for path in paths)
