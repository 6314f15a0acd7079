"""What the scope analysis behind `fixes/name_binding.py` costs, and who pays for it.

    .venv/bin/python -m benchmarks.name_binding [DIR ...]

For each file of the corpus (default: examples/legacy_blog and SQLAlchemy's own `orm`
package): the time to parse it, to check it with every rule (no fix applied), and to
build its `Bindings` (libcst's ScopeProvider over the whole module). It also counts
the files whose check built `Bindings` at all: only files with a fix that writes a
name should. Prints one Markdown table; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import libcst as cst
import sqlalchemy

from sqla_checks.engine.registry import all_rules
from sqla_checks.engine.runner import RunOptions, check_source
from sqla_checks.evidence import bindings as bindings_module

REPO_ROOT = Path(__file__).resolve().parents[1]


def _corpus(folders: list[Path]) -> list[Path]:
    return sorted(path for folder in folders for path in folder.rglob("*.py"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path)
    args = parser.parse_args(argv)
    folders = args.folders or [
        REPO_ROOT / "examples" / "legacy_blog",
        Path(sqlalchemy.__file__).parent / "orm",
    ]
    files = _corpus(folders)
    rules = all_rules()

    built = 0
    original = bindings_module.Bindings.__init__

    def counting(self: bindings_module.Bindings, module: cst.Module) -> None:
        nonlocal built
        built += 1
        original(self, module)

    bindings_module.Bindings.__init__ = counting  # type: ignore[method-assign]
    parse = check = scopes = 0.0
    with_fix = 0
    for path in files:
        source = path.read_bytes()
        start = time.perf_counter()
        module = cst.parse_module(source)
        parse += time.perf_counter() - start
        start = time.perf_counter()
        result = check_source(str(path), source, rules, RunOptions())
        check += time.perf_counter() - start
        with_fix += any(f.fix is not None for f in result.findings)
        start = time.perf_counter()
        original(bindings_module.Bindings.__new__(bindings_module.Bindings), module)
        scopes += time.perf_counter() - start
    bindings_module.Bindings.__init__ = original  # type: ignore[method-assign]

    print(f"corpus: {len(files)} files in {', '.join(str(f) for f in folders)}")
    print()
    print("| measure | total (s) | vs parse |")
    print("|---|---:|---:|")
    for label, seconds in (
        ("parse (libcst)", parse),
        ("check, all rules, no fix applied", check),
        ("Bindings for every file (what an eager build would add)", scopes),
    ):
        print(f"| {label} | {seconds:.2f} | {seconds / parse:.2f}x |")
    print()
    print(f"files whose check built Bindings: {built} (files with a fixable finding: {with_fix})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
