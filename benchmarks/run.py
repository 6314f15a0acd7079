"""Run the sqla-checks benchmarks and print a Markdown report (or JSON).

    .venv/bin/python -m benchmarks.run                 # default: ~3 minutes on 2 cores
    .venv/bin/python -m benchmarks.run --quick         # smaller corpus, one repeat
    .venv/bin/python -m benchmarks.run --corpus DIR    # a real directory instead
    .venv/bin/python -m benchmarks.run --json out.json # also write the raw samples

Progress goes to stderr; the report alone goes to stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

if not __package__:
    # Run as `python benchmarks/run.py`: make the repository root importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import Corpus, Sizes, build_synthetic, load_directory
from benchmarks.results import to_json, to_markdown
from benchmarks.suite import OPTIONAL_STAGES, STAGES, Settings, run_suite

# Sized so that the default run stays around three minutes on a 2-core machine, where
# the prefilter-off and Fixit-style passes cost 3-10 times the parse.
DEFAULT_FILES = 400
QUICK_FILES = 100


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__.split("\n\n", 1)[0] if __doc__ else None,
    )
    source = parser.add_argument_group("corpus")
    source.add_argument(
        "--corpus",
        type=Path,
        metavar="DIR",
        help="measure the Python files under DIR instead of a synthetic corpus",
    )
    source.add_argument(
        "--files", type=int, help=f"synthetic corpus size (default {DEFAULT_FILES})"
    )
    source.add_argument("--median-lines", type=int, default=Sizes.median)
    source.add_argument("--seed", type=int, default=20261122)
    source.add_argument(
        "--keep", type=Path, metavar="DIR", help="build the corpus and cache in DIR and keep them"
    )
    run = parser.add_argument_group("run")
    run.add_argument("--repeat", type=int, help="repeats per measurement (default 3)")
    run.add_argument(
        "--baseline-repeat",
        type=int,
        help="repeats of the prefilter-off and Fixit-style passes (default 1)",
    )
    run.add_argument(
        "--stages",
        default=",".join(STAGES),
        help=f"comma-separated, from {', '.join(STAGES + OPTIONAL_STAGES)} "
        f"(default: all but {', '.join(OPTIONAL_STAGES)})",
    )
    run.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="the CLI's parallel worker count"
    )
    run.add_argument(
        "--quick", action="store_true", help=f"{QUICK_FILES} files, one repeat: a smoke test"
    )
    out = parser.add_argument_group("output")
    out.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="FILE",
        help="write JSON to FILE (or, without FILE, to stdout instead of Markdown)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Build or load the corpus, run the stages, print the report."""
    args = build_parser().parse_args(argv)
    stages = frozenset(part.strip() for part in args.stages.split(",") if part.strip())
    unknown = stages - set(STAGES + OPTIONAL_STAGES)
    if unknown:
        print(f"unknown stage(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    settings = Settings(
        repeat=args.repeat or (1 if args.quick else 3),
        baseline_repeat=args.baseline_repeat or 1,
        stages=stages,
        jobs=args.jobs,
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sqla-checks-bench-") as temporary:
        workdir = args.keep or Path(temporary)
        try:
            corpus = _corpus(args, workdir)
        except FileExistsError as exc:
            print(f"error: {exc} (give --keep an empty or new directory)", file=sys.stderr)
            return 2
        results = run_suite(corpus, settings, workdir)
    results.environment["total_s"] = time.perf_counter() - started

    if args.json == "-":
        sys.stdout.write(to_json(results))
        return 0
    if args.json:
        Path(args.json).write_text(to_json(results), encoding="utf-8")
    sys.stdout.write(to_markdown(results))
    return 0


def _corpus(args: argparse.Namespace, workdir: Path) -> Corpus:
    if args.corpus is not None:
        return load_directory(args.corpus)
    files = args.files or (QUICK_FILES if args.quick else DEFAULT_FILES)
    sizes = Sizes(median=args.median_lines)
    return build_synthetic(workdir / "corpus", files, seed=args.seed, sizes=sizes)


if __name__ == "__main__":
    sys.exit(main())
