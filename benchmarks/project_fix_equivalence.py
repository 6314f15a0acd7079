"""Fix equivalence on real projects: their own test suites before and after `--fix`.

    .venv/bin/python -m benchmarks.project_fix_equivalence                 # every project
    .venv/bin/python -m benchmarks.project_fix_equivalence --project factory-boy
    .venv/bin/python -m benchmarks.project_fix_equivalence --work /tmp/fixeq

For each pinned project: download its source distribution (`pip download
--no-binary`), unpack it three times (as released, after `sqla-checks --fix`, after
`sqla-checks --fix --unsafe-fixes`), make one virtualenv with the project's runtime
and test dependencies at pinned versions, and run the project's own tests on each
copy (the copy first on `sys.path`), reading every test's outcome from pytest's JUnit
XML. A copy is equivalent when every test has the outcome it had on the released
copy. Exit 0 when all copies of all projects are equivalent, 1 otherwise, 2 when a
project could not be set up (the reason is printed).

Opt-in, like every benchmark: it downloads from PyPI and takes minutes. The
downloads and virtualenvs stay under `--work` (default: a folder in the system's
temp directory), out of the repository.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.pypi_sources import DownloadError, download, unpack

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Project:
    """A released project whose own tests exercise the code `sqla-checks` fixes."""

    name: str
    sdist: str  # pip requirement of the source distribution, pinned
    requirements: tuple[str, ...]  # runtime and test dependencies, pinned
    tests: tuple[str, ...]  # pytest arguments, relative to the unpacked root
    import_root: str = "."  # the folder the project's packages are imported from


PROJECTS = (
    Project(
        name="factory-boy",
        sdist="factory_boy==3.3.3",
        requirements=("Faker==37.4.0", "SQLAlchemy==2.0.44", "pytest==8.4.2"),
        # The SQLAlchemy integration: models in tests/alchemyapp/ on SQLite.
        tests=("tests/test_alchemy.py",),
    ),
    Project(
        name="marshmallow-sqlalchemy",
        sdist="marshmallow-sqlalchemy==1.4.2",
        requirements=(
            "marshmallow==3.26.1",
            "SQLAlchemy==2.0.44",
            "pytest==8.4.2",
            "pytest-lazy-fixtures==1.1.4",
        ),
        tests=("tests",),
        import_root="src",
    ),
    Project(
        name="graphene-sqlalchemy",
        sdist="graphene-sqlalchemy==3.0.0rc2",
        requirements=(
            "graphene==3.4.3",
            "promise==2.3",
            "aiodataloader==0.4.2",
            "packaging==25.0",
            "SQLAlchemy==2.0.44",
            "sqlalchemy-utils==0.41.2",
            "aiosqlite==0.21.0",
            "greenlet==3.2.4",
            "nest-asyncio==1.6.0",
            "pytest==7.4.4",
            "pytest-asyncio==0.21.2",
            "pytest-benchmark==4.0.0",
        ),
        tests=("graphene_sqlalchemy/tests", "-p", "no:cov"),
    ),
)

VARIANTS: dict[str, tuple[str, ...]] = {
    "released": (),
    "--fix": ("--fix",),
    "--fix --unsafe-fixes": ("--fix", "--unsafe-fixes"),
}


class SetupError(Exception):
    """A project could not be downloaded, unpacked or installed."""


@dataclass(frozen=True)
class VariantResult:
    """One copy of a project: what `sqla-checks` changed and how its tests ended."""

    variant: str
    fix_summary: str
    outcomes: dict[str, str]

    def counts(self) -> dict[str, int]:
        """How many tests ended each way."""
        totals: dict[str, int] = {}
        for outcome in self.outcomes.values():
            totals[outcome] = totals.get(outcome, 0) + 1
        return totals


def _run(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise SetupError(f"`{' '.join(command)}` failed:\n{completed.stderr[-2000:]}")
    return completed.stdout


def _virtualenv(project: Project, work: Path) -> Path:
    """A virtualenv with the project's pinned dependencies; returns its python."""
    venv = work / "venv"
    python = venv / "bin" / "python"
    marker = venv / "requirements.txt"
    wanted = "\n".join(project.requirements)
    if marker.exists() and marker.read_text() == wanted:
        return python
    if venv.exists():
        shutil.rmtree(venv)
    _run((sys.executable, "-m", "venv", str(venv)), work)
    _run((str(python), "-m", "pip", "install", "--quiet", *project.requirements), work)
    marker.write_text(wanted)
    return python


def _apply_fixes(root: Path, flags: Sequence[str]) -> str:
    """Run this repository's `sqla-checks` over the copy; return its summary line."""
    if not flags:
        return "unchanged"
    command = (sys.executable, "-m", "sqla_checks", *flags, "--no-cache", "--exit-zero", ".")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "checks")}
    output = _run(command, root, env)
    lines = [line for line in output.splitlines() if "fixed" in line.lower()]
    return lines[-1] if lines else "nothing fixed"


def _test_outcomes(project: Project, python: Path, root: Path) -> dict[str, str]:
    """Run the project's tests on this copy; each test id with passed/failed/error/skipped."""
    report = root / "junit.xml"
    env = {**os.environ, "PYTHONPATH": str(root / project.import_root)}
    env.pop("PYTEST_ADDOPTS", None)
    command = (
        str(python),
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--junitxml={report}",
        *project.tests,
    )
    subprocess.run(command, cwd=root, env=env, capture_output=True, check=False)
    if not report.exists():
        raise SetupError(f"{project.name}: pytest wrote no report in {root}")
    outcomes: dict[str, str] = {}
    for case in ET.parse(report).iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        outcome = "passed"
        for child in case:
            if child.tag in {"failure", "error", "skipped"}:
                outcome = "failed" if child.tag == "failure" else child.tag
        outcomes[test_id] = outcome
    return outcomes


def check_project(project: Project, work: Path) -> list[VariantResult]:
    """Every variant of one project, the released copy first."""
    project_work = work / project.name
    project_work.mkdir(parents=True, exist_ok=True)
    try:
        archive = download(project.sdist, work / "downloads", sdist=True)
    except DownloadError as exc:
        raise SetupError(str(exc)) from exc
    python = _virtualenv(project, project_work)
    results = []
    for variant, flags in VARIANTS.items():
        root = unpack(archive, project_work / variant.replace(" ", "_").strip("-"))
        summary = _apply_fixes(root, flags)
        results.append(VariantResult(variant, summary, _test_outcomes(project, python, root)))
    return results


def _report(project: Project, results: list[VariantResult]) -> bool:
    """Print one project's table; True when every variant matches the released copy."""
    released = results[0]
    print(f"\n## {project.name} ({project.sdist})\n")
    print("| copy | sqla-checks | tests | outcomes | same as released |")
    print("|---|---|---|---|---|")
    equivalent = True
    for result in results:
        changed = sorted(
            test
            for test in released.outcomes.keys() | result.outcomes.keys()
            if released.outcomes.get(test) != result.outcomes.get(test)
        )
        equivalent &= not changed
        counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(result.counts().items()))
        same = "yes" if not changed else f"**no**: {len(changed)} tests differ"
        row = (result.variant, result.fix_summary, len(result.outcomes), counts, same)
        print("| " + " | ".join(str(cell) for cell in row) + " |")
        for test in changed[:20]:
            before, after = released.outcomes.get(test), result.outcomes.get(test)
            print(f"  {test}: {before} -> {after}", file=sys.stderr)
    return equivalent


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen projects and print a Markdown table per project."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--project", action="append", choices=[p.name for p in PROJECTS])
    parser.add_argument("--work", type=Path, help="where downloads and venvs are kept")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.gettempdir()) / "sqla-checks-fix-equivalence"
    chosen = [p for p in PROJECTS if not args.project or p.name in args.project]
    all_equivalent = True
    for project in chosen:
        try:
            results = check_project(project, work)
        except SetupError as exc:
            print(f"error: {project.name}: {exc}", file=sys.stderr)
            return 2
        all_equivalent &= _report(project, results)
    return 0 if all_equivalent else 1


if __name__ == "__main__":
    sys.exit(main())
