"""What the positions of a whole module cost: libcst's providers against ours.

A run computes positions for every file with a finding, and `--fix`/JSON edits also
need the whitespace-inclusive spans. libcst computes them with two code generation
passes (`PositionProvider`, `WhitespaceInclusivePositionProvider`); NodePositions
gives both from one pass that counts characters. Both sides are timed on the same
parsed modules (parsing is off the clock), and the answers are compared.

    .venv/bin/python -m benchmarks.positions_cost DIR [--repeat 3]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider, WhitespaceInclusivePositionProvider

from benchmarks.corpus import load_directory
from benchmarks.timing import measure, progress
from sqla_checks.contract.positions import NodePositions


def _libcst(modules: Sequence[cst.Module]) -> int:
    nodes = 0
    for module in modules:
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        nodes += len(PositionProvider()._gen(wrapper))
        nodes += len(WhitespaceInclusivePositionProvider()._gen(wrapper))
    return nodes


def _ours(modules: Sequence[cst.Module]) -> int:
    return sum(2 * len(NodePositions(module)) for module in modules)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    corpus = load_directory(args.directory)
    modules = []
    for source in corpus.files:
        try:
            modules.append(cst.parse_module(source.data))
        except cst.ParserSyntaxError:
            continue
    progress(f"{len(modules)} modules, {corpus.lines} lines")
    theirs, expected = measure(lambda: _libcst(modules), args.repeat, "libcst providers")
    ours, found = measure(lambda: _ours(modules), args.repeat, "NodePositions")
    if found != expected:
        raise SystemExit(f"the passes disagree: {found} ranges against libcst's {expected}")
    print("| pass | min s | median s |\n|---|---|---|")
    for label, timing in (("libcst's two providers", theirs), ("NodePositions", ours)):
        print(f"| {label} | {timing.minimum:.2f} | {timing.median:.2f} |")
    print(
        f"\n{len(modules)} modules, {corpus.lines} lines; ratio {ours.minimum / theirs.minimum:.2f}"
    )


if __name__ == "__main__":
    main()
