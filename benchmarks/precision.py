"""Precision of every rule on real applications, from a hand-reviewed sample.

    .venv/bin/python -m benchmarks.precision collect --work /tmp/recall --out /tmp/found.json
    .venv/bin/python -m benchmarks.precision sample --findings /tmp/found.json
    .venv/bin/python -m benchmarks.precision show --work /tmp/recall      # context to review
    .venv/bin/python -m benchmarks.precision summary --write              # after reviewing
    .venv/bin/python -m benchmarks.precision check --findings /tmp/found.json

    # the async set: ALC2xx only, on async SQLAlchemy applications (downloaded here)
    .venv/bin/python -m benchmarks.precision collect --set async --work /tmp/aw --out /tmp/a.json
    .venv/bin/python -m benchmarks.precision sample --set async --findings /tmp/a.json

`collect` runs `sqla-checks --select ALL` over every project of the recall corpus
(`benchmarks/recall.py`, unpacked under `--work`) and keeps each finding's place.
`--set async` runs `--select ALC2` over `ASYNC_APPS` instead, released applications
built on SQLAlchemy's asyncio extension (and some sync code in `async def`), which
it downloads from PyPI under `--work` itself: the recall corpus has too few async
findings to measure those rules. `sample`, `check` and `show` take the same `--set`
and touch only the record's entries of that set's releases.
`sample` draws per rule the `--size` findings whose seeded hash is lowest (all of
them where a rule has fewer) and adds the ones not yet in the record, unreviewed.
Bottom-k hashing keeps a reviewed finding in the sample when other findings come or
go, so a later run re-reviews only what is new. The reviewer sets each entry's
`verdict` (`tp` or `fp`) and a one-line `reason` in `benchmarks/precision/review.jsonl`.

`summary --write` writes the per-rule numbers to the package's
`output/measured_precision.json`, which `references/rules.md` renders; the tests
check that file against this record. `check` compares the record with a fresh
`collect`: sampled findings that disappeared, and newly drawn ones not reviewed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.pypi_sources import DownloadError, download, unpacked
from benchmarks.recall import LEGACY, MODERN

REPO_ROOT = Path(__file__).resolve().parents[1]
RECORD = REPO_ROOT / "benchmarks" / "precision" / "review.jsonl"
# What the last `sample` drew from: the releases checked, the findings per rule.
CORPUS = REPO_ROOT / "benchmarks" / "precision" / "corpus.json"
SUMMARY = REPO_ROOT / "checks" / "sqla_checks" / "output" / "measured_precision.json"
SEED = 11
SIZE = 150
VERDICTS = ("tp", "fp")

# Released applications and libraries built on `sqlalchemy.ext.asyncio` (pure-Python
# wheels, which carry the source); only their ALC2xx findings are collected. Some
# report nothing: they count as code the async rules stay quiet on.
ASYNC_APPS = (
    "agno==3.1.10",
    "apache-airflow-core==3.3.2",
    "arize-phoenix==20.26.1",
    "fastapi-amis-admin==0.7.3",
    "fastapi-sqla==4.0.1",
    "fastcrud==0.23.0",
    "fief-server==0.27.0",
    "jupyterhub==6.1.1",
    "langchain-postgres==0.0.19",
    "llama-index-vector-stores-postgres==0.9.0",
    "lnbits==1.6.2",
    "nonebot-plugin-orm==0.8.4",
    "open-webui==0.6.5",
    "open-webui==0.12.4",
    "reflex==0.10.1",
    "sqlalchemy-crud-plus==1.13.3",
    "sqlalchemy-database==0.1.2",
    "starlette-admin==1.0.3",
    "apscheduler==4.0.0a6",
    "litellm-enterprise==0.1.83",
    "langgraph-checkpoint-sqlite==3.1.2",
    "zenml==0.98.0",
)
# Each set: its releases and the rules collected on them.
SETS: dict[str, tuple[tuple[str, ...], str]] = {
    "recall": ((*LEGACY, *MODERN), "ALL"),
    "async": (ASYNC_APPS, "ALC2"),
}


@dataclass(frozen=True, order=True)
class Place:
    """Where one finding is: the project release, the file inside it, the position."""

    project: str  # name==version
    path: str  # relative to the unpacked release, with `/`
    line: int
    column: int
    code: str

    def rank(self, seed: int) -> str:
        """The seeded hash that orders this finding in its rule's sample."""
        key = f"{seed}:{self.project}:{self.path}:{self.line}:{self.column}:{self.code}"
        return hashlib.sha256(key.encode()).hexdigest()


@dataclass
class Entry:
    """One reviewed (or not yet reviewed) finding of the record."""

    place: Place
    message: str
    verdict: str | None = None
    reason: str | None = None
    reviewed: str | None = None  # ISO date
    # ISO date of the first collect that no longer had it (a rule change fixed it).
    gone: str | None = None

    def to_json(self) -> str:
        fields = {k: v for k, v in asdict(self).items() if k != "place" and v is not None}
        return json.dumps({**asdict(self.place), **fields})

    @classmethod
    def from_json(cls, line: str) -> Entry:
        data = json.loads(line)
        place = Place(*(data.pop(name) for name in ("project", "path", "line", "column", "code")))
        return cls(place, **data)


def project_folder(requirement: str) -> str:
    """The folder `benchmarks/recall.py` unpacks a release into."""
    return requirement.replace("==", "-")


def collect(work: Path, corpus: str = "recall") -> tuple[list[Place], dict[Place, str]]:
    """Every finding of the set's rules on each of its projects, and its message."""
    places: list[Place] = []
    messages: dict[Place, str] = {}
    releases, select = SETS[corpus]
    for requirement in releases:
        root = _project_root(work, requirement, corpus)
        print(f"checking {requirement}", file=sys.stderr)
        for finding in _run(root, select):
            path = Path(finding["filename"]).resolve().relative_to(root.resolve()).as_posix()
            location = finding["location"]
            place = Place(requirement, path, location["row"], location["column"], finding["code"])
            places.append(place)
            messages[place] = finding["message"]
    return sorted(places), messages


def _project_root(work: Path, requirement: str, corpus: str) -> Path:
    """The unpacked release: the recall benchmark's, or downloaded here (async set)."""
    into = work / "projects" / project_folder(requirement)
    if corpus == "recall":
        if not into.is_dir():
            raise SystemExit(f"{into} is missing: run `python -m benchmarks.recall --work {work}`")
        return into
    try:
        archive = download(requirement, work / "downloads", sdist=False)
    except DownloadError as exc:
        raise SystemExit(str(exc)) from exc
    return unpacked(archive, into)


def _run(root: Path, select: str) -> list[dict[str, Any]]:
    command = (
        sys.executable,
        "-m",
        "sqla_checks",
        "--select",
        select,
        "--format",
        "json",
        "--no-cache",
        "--exit-zero",
        str(root.resolve()),
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "checks")}
    # From an empty folder, so no project configuration of ours applies.
    with tempfile.TemporaryDirectory() as empty:
        completed = subprocess.run(command, cwd=empty, env=env, capture_output=True, text=True)
    if completed.returncode not in (0, 2):
        raise RuntimeError(f"sqla-checks failed on {root}:\n{completed.stderr[-2000:]}")
    findings: list[dict[str, Any]] = json.loads(completed.stdout or "[]")
    return findings


def draw(places: Iterable[Place], seed: int = SEED, size: int = SIZE) -> dict[str, list[Place]]:
    """Per rule, the `size` places of lowest seeded rank (all of them if fewer)."""
    by_code: dict[str, list[Place]] = {}
    for place in places:
        by_code.setdefault(place.code, []).append(place)
    return {
        code: sorted(sorted(found, key=lambda place: place.rank(seed))[:size])
        for code, found in sorted(by_code.items())
    }


def read_record(path: Path = RECORD) -> list[Entry]:
    if not path.exists():
        return []
    return [Entry.from_json(line) for line in path.read_text().splitlines() if line.strip()]


def write_record(entries: Iterable[Entry], path: Path = RECORD) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(entries, key=lambda entry: entry.place)
    path.write_text("".join(entry.to_json() + "\n" for entry in ordered))


def summarise(entries: Sequence[Entry], corpus: dict[str, Any]) -> dict[str, object]:
    """Per rule: findings in the corpus, sample size, false positives and what they were.

    The sample is every reviewed finding still reported; false positives that are no
    longer reported (a rule change fixed them) are listed apart, as `fixed`.
    """
    unreviewed = [e.place for e in entries if e.gone is None and e.verdict not in VERDICTS]
    if unreviewed:
        raise ValueError(
            f"{len(unreviewed)} sampled findings are not reviewed, e.g. {unreviewed[0]}"
        )
    rules: dict[str, dict[str, object]] = {}
    population: dict[str, int] = {}
    for drawn in corpus.values():
        for code, count in drawn["findings"].items():
            population[code] = population.get(code, 0) + count
    # A rule whose only reviewed findings are fixed ones keeps its row (0 findings).
    for code in sorted(population.keys() | {entry.place.code for entry in entries}):
        entries_of_rule = [entry for entry in entries if entry.place.code == code]
        sample = [entry for entry in entries_of_rule if entry.gone is None]
        fixed = [entry for entry in entries_of_rule if entry.gone and entry.verdict == "fp"]
        rules[code] = {
            "findings": population.get(code, 0),
            "sample": len(sample),
            "false_positives": sum(1 for entry in sample if entry.verdict == "fp"),
            "what_they_were": _described(entry for entry in sample if entry.verdict == "fp"),
            "fixed_false_positives": len(fixed),
            "fixed": _described(fixed),
        }
    return {
        "corpus": corpus["recall"]["releases"],
        "async_corpus": corpus.get("async", {}).get("releases", []),
        "reviewed": max(entry.reviewed or "" for entry in entries),
        "rules": rules,
    }


def _described(entries: Iterable[Entry]) -> list[str]:
    """One line per file and reason: `release` `path` lines 3, 9: reason."""
    lines: dict[tuple[str, str, str], list[int]] = {}
    for e in entries:
        lines.setdefault((e.place.project, e.place.path, e.reason or ""), []).append(e.place.line)
    return [
        f"`{project}` `{path}` line{'s' if len(found) > 1 else ''}"
        f" {', '.join(str(line) for line in sorted(found))}: {reason}"
        for (project, path, reason), found in sorted(
            lines.items(), key=lambda item: (item[0][:2], min(item[1]))
        )
    ]


def _show(entries: Sequence[Entry], work: Path, context: int) -> None:
    for entry in entries:
        place = entry.place
        lines = (
            (work / "projects" / project_folder(place.project) / place.path)
            .read_text(errors="replace")
            .splitlines()
        )
        print(f"== {place.code} {place.project} {place.path}:{place.line}:{place.column}")
        print(f"   {entry.message}")
        for header in _enclosing(lines, place.line):
            print(f"   ^ {header.strip()}")
        for number in range(
            max(1, place.line - context), min(len(lines), place.line + context) + 1
        ):
            mark = ">" if number == place.line else " "
            print(f"  {mark}{number:5} {lines[number - 1]}")


def _enclosing(lines: Sequence[str], line: int) -> list[str]:
    """The `class`/`def` headers around `line`, outermost first."""
    headers: list[str] = []
    indent = len(lines[line - 1]) - len(lines[line - 1].lstrip())
    for text in reversed(lines[: line - 1]):
        stripped = text.lstrip()
        width = len(text) - len(stripped)
        if stripped and width < indent and stripped.startswith(("class ", "def ", "async def ")):
            headers.append(text)
            indent = width
    return headers[::-1]


def main(argv: Sequence[str] | None = None) -> int:
    """Collect, sample, show, summarise or check the precision record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("collect", "sample", "show", "summary", "check"):
        command = commands.add_parser(name)
        command.add_argument("--work", type=Path, default=Path("/tmp/recall"))
        command.add_argument(
            "--set", dest="corpus", choices=sorted(SETS), default="recall", help="which releases"
        )
        command.add_argument("--findings", type=Path, help="a `collect` output")
        command.add_argument("--out", type=Path)
        command.add_argument("--seed", type=int, default=SEED)
        command.add_argument("--size", type=int, default=SIZE)
        command.add_argument("--code", help="show: only this rule")
        command.add_argument("--context", type=int, default=2)
        command.add_argument("--all", action="store_true", help="show: reviewed ones too")
        command.add_argument("--write", action="store_true", help="summary: write the JSON")
    args = parser.parse_args(argv)
    if args.command == "collect":
        places, messages = collect(args.work, args.corpus)
        data = [{**asdict(place), "message": messages[place]} for place in places]
        text = json.dumps(data, indent=0) + "\n"
        if args.out:
            args.out.write_text(text)
        else:
            sys.stdout.write(text)
        return 0
    if args.command == "summary":
        summary = summarise(read_record(), json.loads(CORPUS.read_text()))
        text = json.dumps(summary, indent=2) + "\n"
        if args.write:
            SUMMARY.write_text(text)
        sys.stdout.write(text)
        return 0
    everything = read_record()
    releases = SETS[args.corpus][0]
    # The set's entries; the other sets' stay as they are.
    entries = [entry for entry in everything if entry.place.project in releases]
    others = [entry for entry in everything if entry.place.project not in releases]
    if args.command == "show":
        chosen = [
            entry
            for entry in entries
            if (args.all or entry.verdict is None) and args.code in (None, entry.place.code)
        ]
        _show(chosen, args.work, args.context)
        return 0
    if args.findings is None:
        parser.error(f"{args.command} needs --findings")
    found = json.loads(args.findings.read_text())
    places = [
        Place(*(item[k] for k in ("project", "path", "line", "column", "code"))) for item in found
    ]
    messages = {place: item["message"] for place, item in zip(places, found, strict=True)}
    sample = draw(places, args.seed, args.size)
    known = {entry.place: entry for entry in entries}
    drawn = {place for chosen in sample.values() for place in chosen}
    current = set(places)
    if args.command == "sample":
        new = [Entry(place, messages[place]) for place in sorted(drawn - known.keys())]
        for entry in entries:
            # Gone since the review (fixed), or back again.
            if entry.place not in current:
                entry.gone = entry.gone or date.today().isoformat()
            else:
                entry.gone = None
        write_record([*others, *entries, *new])
        population = {code: sum(1 for p in places if p.code == code) for code in sample}
        corpus = json.loads(CORPUS.read_text()) if CORPUS.exists() else {}
        corpus[args.corpus] = {"releases": list(releases), "findings": population}
        CORPUS.write_text(json.dumps(corpus, indent=2, sort_keys=True) + "\n")
        print(f"{len(new)} findings added to {RECORD.relative_to(REPO_ROOT)}", file=sys.stderr)
        return 0
    # check: what `sample` would change (findings gone or back), and what it would add.
    changed = sorted(place for place, e in known.items() if (e.gone is None) != (place in current))
    unreviewed = sorted(drawn - {place for place, e in known.items() if e.verdict in VERDICTS})
    for place in changed:
        print(
            f"gone or back: {place.code} {place.project} {place.path}:{place.line}:{place.column}"
        )
    for place in unreviewed:
        print(
            f"not reviewed: {place.code} {place.project} {place.path}:{place.line}:{place.column}"
        )
    print(
        f"{len(changed)} gone or back since the record, {len(unreviewed)} drawn, not reviewed",
        file=sys.stderr,
    )
    return 1 if changed or unreviewed else 0


if __name__ == "__main__":
    sys.exit(main())
