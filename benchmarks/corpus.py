"""The files a benchmark runs on: a seeded synthetic project, or a real directory.

The synthetic corpus mixes the three kinds of file a project being migrated has:
plain Python with no database code (most files), SQLAlchemy 2.x async code and
legacy 1.x code, in proportions given by `Mix`. File sizes follow a log-normal
distribution (many small modules, a long tail of big ones), as real projects do.
The same seed and parameters always produce byte-identical files.

    python -m benchmarks.corpus /tmp/corpus --files 500   # write one to look at
"""

from __future__ import annotations

import argparse
import math
import random
from dataclasses import dataclass
from pathlib import Path

from benchmarks.templates import FIELDS, KINDS, NOUNS, Kind
from sqla_checks.engine.discovery import discover_files
from sqla_checks.engine.settings import SettingsResolver


@dataclass(frozen=True)
class SourceFile:
    """One file of a corpus, held in memory so that timings exclude disk reads."""

    path: str
    data: bytes
    kind: str

    @property
    def lines(self) -> int:
        return self.data.count(b"\n")


@dataclass(frozen=True)
class Corpus:
    """The files to measure, where they live on disk, and how they were made."""

    root: Path
    files: tuple[SourceFile, ...]
    description: str

    @property
    def lines(self) -> int:
        return sum(source.lines for source in self.files)

    @property
    def size_bytes(self) -> int:
        return sum(len(source.data) for source in self.files)

    def largest(self) -> SourceFile:
        return max(self.files, key=lambda source: len(source.data))


@dataclass(frozen=True)
class Mix:
    """Share of each kind of file; plain Python dominates real projects."""

    plain: float = 0.70
    modern: float = 0.20
    legacy: float = 0.10

    def pick(self, rng: random.Random) -> Kind:
        draw = rng.random() * (self.plain + self.modern + self.legacy)
        by_name = {kind.name: kind for kind in KINDS}
        if draw < self.plain:
            return by_name["plain"]
        if draw < self.plain + self.modern:
            return by_name["modern"]
        return by_name["legacy"]


@dataclass(frozen=True)
class Sizes:
    """Log-normal file sizes in lines: median, spread, and hard bounds."""

    median: int = 50
    sigma: float = 0.8
    minimum: int = 15
    maximum: int = 1500

    def draw(self, rng: random.Random) -> int:
        value = rng.lognormvariate(math.log(self.median), self.sigma)
        return int(min(self.maximum, max(self.minimum, value)))


def render_file(kind: Kind, target_lines: int, rng: random.Random) -> str:
    """One module of `kind`: its header, then random blocks up to `target_lines`."""
    singular, plural = rng.choice(NOUNS)
    field = rng.choice(FIELDS)
    names = {
        "entity": singular,
        "Entity": singular.capitalize(),
        "entities": plural,
        "Entities": plural.capitalize(),
        "field": field,
        "FIELD": field.upper(),
    }
    parts = [kind.header.substitute(names, n=0).rstrip("\n") + "\n"]
    lines = parts[0].count("\n")
    weights = [block.weight for block in kind.blocks]
    counter = 0
    # At least one block, so that every database file has some database code.
    while counter == 0 or lines < target_lines:
        counter += 1
        block = rng.choices(kind.blocks, weights=weights)[0]
        # Two blank lines between top-level definitions, as formatters leave them.
        text = "\n\n" + block.template.substitute(names, n=counter).strip("\n") + "\n"
        parts.append(text)
        lines += text.count("\n")
    return "".join(parts)


def build_synthetic(
    root: Path,
    files: int,
    seed: int = 20261122,
    mix: Mix = Mix(),
    sizes: Sizes = Sizes(),
) -> Corpus:
    """Write `files` generated modules under `root` (which must be empty or absent)."""
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root}: not empty; the corpus needs a directory of its own")
    rng = random.Random(seed)
    root.mkdir(parents=True)
    sources = []
    for index in range(files):
        kind = mix.pick(rng)
        text = render_file(kind, sizes.draw(rng), rng)
        # Packages of 40 modules, like the feature folders of an application.
        folder = root / "app" / f"area{index // 40:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{kind.name}_{index:05d}.py"
        data = text.encode("utf-8")
        path.write_bytes(data)
        sources.append(SourceFile(path=str(path), data=data, kind=kind.name))
    description = (
        f"synthetic (seed {seed}; {mix.plain:.0%} plain, {mix.modern:.0%} 2.x async, "
        f"{mix.legacy:.0%} 1.x; median {sizes.median} lines)"
    )
    return Corpus(root=root, files=tuple(sources), description=description)


def load_directory(path: Path) -> Corpus:
    """Every file the CLI would check under `path` (its own discovery rules)."""
    root = path.resolve()
    discovered = discover_files([str(root)], SettingsResolver(cwd=root))
    sources = []
    for name in discovered.files:
        file_path = root / name
        sources.append(SourceFile(path=str(file_path), data=file_path.read_bytes(), kind="real"))
    return Corpus(root=root, files=tuple(sources), description=f"directory {root}")


def main() -> None:
    """Write a synthetic corpus to a directory, to inspect what the benchmark runs on."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    corpus = build_synthetic(args.directory, args.files, args.seed)
    print(f"{len(corpus.files)} files, {corpus.lines} lines in {corpus.root}")


if __name__ == "__main__":
    main()
