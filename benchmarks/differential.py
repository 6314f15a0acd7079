"""Differential run: two revisions of sqla-checks over one corpus, outputs compared.

    .venv/bin/python -m benchmarks.differential                     # main vs the working tree
    .venv/bin/python -m benchmarks.differential --base v0.1.0 --head HEAD
    .venv/bin/python -m benchmarks.differential --corpus DIR [DIR ...]

Each revision runs as `python -m sqla_checks` with `PYTHONPATH` pointing at its own
`checks/` folder (a `git worktree` of the ref, or this working tree), from an empty
directory so no project configuration applies, with `--no-cache --exit-zero`. Three
outputs are compared byte for byte: `--format json` (the findings, fix edits included),
`--diff` (what `--fix` would write) and `--diff --unsafe-fixes`. The default corpus is
installed packages (SQLAlchemy, Alembic, FastAPI, Pydantic, Starlette and others of
this venv) plus `examples/`: at least `--min-files` Python files. Exit 0 when every
output is identical, 1 otherwise (the first differences are printed).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# Installed packages the default corpus takes, when present in this interpreter.
DEFAULT_PACKAGES = (
    "sqlalchemy",
    "alembic",
    "fastapi",
    "pydantic",
    "pydantic_settings",
    "starlette",
    "asyncpg",
    "psycopg",
    "httpx",
    "libcst",
    "pytest_alembic",
    "_pytest",
)
DEFAULT_EXAMPLES = ("examples/legacy_blog", "examples/blog")
MODES: dict[str, tuple[str, ...]] = {
    "findings (--format json)": ("--format", "json"),
    "fixes (--diff)": ("--diff",),
    "unsafe fixes (--diff --unsafe-fixes)": ("--diff", "--unsafe-fixes"),
}


@dataclass(frozen=True)
class Output:
    """One revision's stdout and stderr for one mode, and how long it took."""

    stdout: str
    stderr: str
    seconds: float


def default_corpus() -> list[Path]:
    """The installed packages of `DEFAULT_PACKAGES` that exist, then the examples."""
    site = Path(sysconfig.get_paths()["purelib"])
    paths = [site / name for name in DEFAULT_PACKAGES if (site / name).is_dir()]
    return paths + [REPO_ROOT / example for example in DEFAULT_EXAMPLES]


def count_python_files(paths: Sequence[Path]) -> int:
    """How many `.py` files the corpus holds (what discovery would check)."""
    return sum(1 for path in paths for _ in path.rglob("*.py"))


@contextmanager
def checkout(ref: str | None) -> Iterator[Path]:
    """The `checks/` folder of `ref` (a temporary worktree), or of this working tree."""
    if ref is None:
        yield REPO_ROOT / "checks"
        return
    with tempfile.TemporaryDirectory(prefix="sqla-diff-") as parent:
        tree = Path(parent) / "tree"
        subprocess.run(
            ["git", "-C", str(REPO_ROOT), "worktree", "add", "--detach", "--quiet", str(tree), ref],
            check=True,
        )
        try:
            yield tree / "checks"
        finally:
            subprocess.run(
                ["git", "-C", str(REPO_ROOT), "worktree", "remove", "--force", str(tree)],
                check=False,
            )


def run_revision(source: Path, args: Sequence[str], cwd: Path) -> Output:
    """`python -m sqla_checks ARGS` with the package imported from `source`."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "sqla_checks", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 2):  # 2: a file could not be parsed, still reported
        raise RuntimeError(f"sqla-checks from {source} exited {done.returncode}:\n{done.stderr}")
    return Output(done.stdout, done.stderr, seconds)


def imported_from(source: Path, cwd: Path) -> Path:
    """Where `import sqla_checks` resolves with `source` on PYTHONPATH (must be inside it)."""
    done = subprocess.run(
        [sys.executable, "-c", "import sqla_checks; print(sqla_checks.__file__)"],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(source)},
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(done.stdout.strip())


def summary(mode: str, output: Output) -> str:
    """A count that says what the output holds: findings, or files the diff touches."""
    if mode.startswith("findings"):
        findings = json.loads(output.stdout or "[]")
        fixable = sum(1 for finding in findings if finding["fix"] is not None)
        return f"{len(findings)} findings ({fixable} with a fix)"
    files = sum(1 for line in output.stdout.splitlines() if line.startswith("+++ "))
    return f"{files} files changed"


def first_differences(base: str, head: str, limit: int) -> str:
    """The first `limit` lines of a unified diff between the two outputs."""
    lines = difflib.unified_diff(
        base.splitlines(keepends=True), head.splitlines(keepends=True), "base", "head"
    )
    return "".join(line for _, line in zip(range(limit), lines, strict=False))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.differential",
        description=__doc__.split("\n\n", 1)[0] if __doc__ else None,
    )
    parser.add_argument("--base", default="main", help="git ref of the first revision (main)")
    parser.add_argument(
        "--head", default=None, help="git ref of the second revision (default: the working tree)"
    )
    parser.add_argument("--corpus", nargs="+", type=Path, help="paths to check instead")
    parser.add_argument(
        "--min-files", type=int, default=1000, help="refuse a smaller corpus (1000)"
    )
    parser.add_argument(
        "--show", type=int, default=40, help="lines of each difference to print (40)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    corpus = [path.resolve() for path in (args.corpus or default_corpus())]
    files = count_python_files(corpus)
    if files < args.min_files:
        print(f"corpus has {files} Python files, fewer than --min-files {args.min_files}")
        return 2
    print(f"corpus: {files} Python files in {len(corpus)} folders")
    for path in corpus:
        print(f"  {path}")
    head_name = args.head or "working tree"
    identical = True
    with (
        checkout(args.base) as base,
        checkout(args.head) as head,
        tempfile.TemporaryDirectory(prefix="sqla-diff-cwd-") as cwd_name,
    ):
        cwd = Path(cwd_name)
        for name, source in ((args.base, base), (head_name, head)):
            location = imported_from(source, cwd)
            if not location.is_relative_to(source):
                raise RuntimeError(f"{name}: sqla_checks imported from {location}, not {source}")
        for mode, mode_args in MODES.items():
            command = [*mode_args, "--no-cache", "--exit-zero", *map(str, corpus)]
            before = run_revision(base, command, cwd)
            after = run_revision(head, command, cwd)
            same = before.stdout == after.stdout and before.stderr == after.stderr
            identical &= same
            print(
                f"{mode}: {'identical' if same else 'DIFFERENT'}; "
                f"{args.base}: {summary(mode, before)} in {before.seconds:.1f} s, "
                f"{head_name}: {summary(mode, after)} in {after.seconds:.1f} s"
            )
            if not same:
                print(first_differences(before.stdout, after.stdout, args.show), end="")
                print(first_differences(before.stderr, after.stderr, args.show), end="")
    print("result: identical" if identical else "result: DIFFERENT")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
