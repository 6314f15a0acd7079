"""Derive every generated skill file from its one source, or check that none is stale.

Run from a source checkout:

    python -m sqla_checks.skill.build           # write the derived files
    python -m sqla_checks.skill.build --check   # exit 1 when one is missing or stale

Sources: `skills/sqlalchemy-postgres/SKILL.md`, the top-level `workflows/` and
`references/` (what reviewers read), and the package version. Derived:

- `skills/sqlalchemy-postgres/{workflows,references}/`: copies, so the skill folder that
  `npx skills add` and the Claude Code plugin install is self-contained. The copies keep
  the repo's relative layout, so links between workflows and references resolve as
  they are; links to anything else in the repo (examples, README) become GitHub URLs.
- `checks/sqla_checks/.agents/skills/sqlalchemy-postgres/`: the same folder inside the
  Python package (the library-skills layout), which the wheel ships and
  `sqla-checks install-skill` copies from. Real files, not symlinks: wheels and Windows
  checkouts drop symlinks.
- `.claude-plugin/marketplace.json`: the Claude Code marketplace, versioned like the package;
  its one plugin is the skill folder.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import sqla_checks
from sqla_checks.skill import SKILL_NAME

REPOSITORY_URL = "https://github.com/sqla-skillpack/sqla-skillpack"
COPIED_FOLDERS = ("workflows", "references")
# Inline Markdown links outside code spans: [text](target "title")
_LINK = re.compile(r"(?<=\]\()(?P<target>[^)\s]+)(?=(?:\s+\"[^\"]*\")?\))")
_FENCE = re.compile(r"^( *)```.*?^\1```", re.M | re.S)
_CODE_SPAN = re.compile(r"`+[^`\n]*`+")


def repo_root() -> Path:
    """The source checkout this package was imported from (checks/sqla_checks/...)."""
    root = Path(sqla_checks.__file__).resolve().parents[2]
    if not (root / "skills" / SKILL_NAME / "SKILL.md").is_file():
        raise SystemExit(
            f"{root}: not a sqla-skillpack source checkout (no skills/{SKILL_NAME}/SKILL.md);"
            " the build only runs from one"
        )
    return root


def skill_source(root: Path) -> Path:
    """The skill folder of the repo (its SKILL.md is the one hand-written file in it)."""
    return root / "skills" / SKILL_NAME


def package_copy(root: Path) -> Path:
    """Where the wheel carries the skill (`<package>/.agents/skills/<name>`)."""
    return root / "checks" / "sqla_checks" / ".agents" / "skills" / SKILL_NAME


def derived_files(root: Path) -> dict[Path, str]:
    """Every derived file, mapped to the text the build writes into it."""
    skill: dict[Path, str] = {}
    for folder in COPIED_FOLDERS:
        for source in sorted((root / folder).glob("*.md")):
            relative = source.relative_to(root)
            text = source.read_text(encoding="utf-8")
            skill[relative] = _rewrite_outside_links(text, source, root)
    outputs: dict[Path, str] = {}
    for relative, text in skill.items():
        outputs[skill_source(root) / relative] = text
    skill_md = (skill_source(root) / "SKILL.md").read_text(encoding="utf-8")
    for relative, text in {Path("SKILL.md"): skill_md, **skill}.items():
        outputs[package_copy(root) / relative] = text
    outputs[root / ".claude-plugin" / "marketplace.json"] = _marketplace(skill_md)
    return outputs


def derived_folders(root: Path) -> list[Path]:
    """Folders whose every file is derived (a file there that the build does not write is
    stale)."""
    return [skill_source(root) / folder for folder in COPIED_FOLDERS] + [package_copy(root)]


def _rewrite_outside_links(text: str, source: Path, root: Path) -> str:
    """Turn links that leave the copied folders into GitHub URLs; keep the others."""
    kept = set(COPIED_FOLDERS)

    def rewrite(match: re.Match[str]) -> str:
        target = match.group("target")
        if target.startswith(("http://", "https://", "mailto:", "#")):
            return target
        location, hash_sign, anchor = target.partition("#")
        resolved = (source.parent / location).resolve()
        inside = resolved.relative_to(root)
        if inside.parts and inside.parts[0] in kept:
            return target
        # GitHub serves a folder at tree/ and a file at blob/ (and redirects the other).
        kind = "tree" if location.endswith("/") else "blob"
        return f"{REPOSITORY_URL}/{kind}/main/{inside.as_posix()}{hash_sign}{anchor}"

    def rewrite_prose(chunk: str) -> str:
        pieces = []
        position = 0
        for span in _CODE_SPAN.finditer(chunk):
            pieces.append(_LINK.sub(rewrite, chunk[position : span.start()]))
            pieces.append(span.group(0))
            position = span.end()
        pieces.append(_LINK.sub(rewrite, chunk[position:]))
        return "".join(pieces)

    out = []
    position = 0
    for fence in _FENCE.finditer(text):
        out.append(rewrite_prose(text[position : fence.start()]))
        out.append(fence.group(0))
        position = fence.end()
    out.append(rewrite_prose(text[position:]))
    return "".join(out)


def skill_description(skill_md: str) -> str:
    """The `description` of a SKILL.md frontmatter (a single-line plain or quoted scalar)."""
    match = re.search(r"^description:\s*(?P<value>.+)$", skill_md, re.M)
    if match is None:
        raise ValueError("SKILL.md has no single-line description")
    value = match.group("value").strip()
    if value[:1] in {'"', "'"}:
        value = value[1:-1]
    return value


def _marketplace(skill_md: str) -> str:
    version = sqla_checks.__version__
    manifest = {
        "$schema": "https://json.schemastore.org/claude-code-marketplace.json",
        "name": "sqla-skillpack",
        "owner": {"name": "sqla-skillpack", "url": REPOSITORY_URL},
        "metadata": {
            "description": "Skills for async SQLAlchemy 2.x, asyncpg, PostgreSQL, Alembic,"
            " Pydantic v2 and FastAPI, with executable checks.",
            "version": version,
        },
        "plugins": [
            {
                "name": SKILL_NAME,
                "description": skill_description(skill_md),
                "version": version,
                # The plugin is the skill folder itself, so the copy Claude Code puts in
                # its plugin cache holds the skill and nothing else of the repo.
                "source": f"./skills/{SKILL_NAME}",
                "strict": False,
                "skills": ["./"],
                "license": "MIT",
                "homepage": REPOSITORY_URL,
                "repository": REPOSITORY_URL,
                "category": "development",
                "keywords": ["sqlalchemy", "postgresql", "asyncpg", "alembic", "fastapi"],
            }
        ],
    }
    return json.dumps(manifest, indent=2) + "\n"


def stale(root: Path) -> list[str]:
    """What `--check` reports: derived files missing, different, or not written by us."""
    expected = derived_files(root)
    problems = []
    for path, text in expected.items():
        if not path.is_file():
            problems.append(f"{path.relative_to(root)}: missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{path.relative_to(root)}: differs from its source")
    for folder in derived_folders(root):
        for path in _files(folder):
            if path.is_symlink():
                problems.append(f"{path.relative_to(root)}: a symlink (wheels drop them)")
            elif path not in expected:
                problems.append(f"{path.relative_to(root)}: not written by the build")
    return problems


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def write(root: Path) -> list[Path]:
    """Write every derived file and remove files the build no longer makes."""
    expected = derived_files(root)
    for folder in derived_folders(root):
        for path in _files(folder):
            if path.is_symlink() or path not in expected:
                path.unlink()
    written = []
    for path, text in expected.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: write the derived files, or `--check` that they are current."""
    parser = argparse.ArgumentParser(
        prog="python -m sqla_checks.skill.build",
        description="Derive the skill folders and the plugin manifest from their sources.",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if anything is stale")
    args = parser.parse_args(argv)
    root = repo_root()
    if args.check:
        problems = stale(root)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("run `python -m sqla_checks.skill.build` and commit the result", file=sys.stderr)
        return 1 if problems else 0
    for path in write(root):
        print(f"wrote {path.relative_to(root)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
