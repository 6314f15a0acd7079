"""`sqla-checks install-skill`: copy the skill this package ships to where an agent reads it.

    sqla-checks install-skill --agent claude             # ./.claude/skills/sqlalchemy-postgres
    sqla-checks install-skill --agent cursor --user      # ~/.cursor/skills/sqlalchemy-postgres
    sqla-checks install-skill --agents-md --project app  # app/AGENTS.md, app/.agents/skills/...

Also `python -m sqla_checks install-skill`. The folders per agent are in `destinations`;
how a copy is checked and replaced is in `installed_copy`; the AGENTS.md section in
`agents_md`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

import sqla_checks
from sqla_checks.skill import SKILL_NAME, agents_md, installed_copy
from sqla_checks.skill.destinations import AGENT_SKILL_FOLDERS, AGENTS_MD_AGENT, skills_folder
from sqla_checks.skill.installed_copy import Action, InstallError, Plan, SkillFiles

EXIT_DONE = 0
EXIT_REFUSED = 1
EXIT_ERROR = 2
PROG = "sqla-checks install-skill"

EPILOG = f"""\
folders (project / --user):
  claude          .claude/skills    ~/.claude/skills
  agents, codex   .agents/skills    ~/.agents/skills   (also read by Copilot, Cursor, Gemini CLI)
  cursor          .cursor/skills    ~/.cursor/skills
  copilot         .github/skills    ~/.copilot/skills

A copy this command installed and nobody changed is replaced by a newer one (an
upgrade). A copy that was changed since, or that this command did not install, is left
alone unless --force. What was installed is recorded beside the copy, in
.{SKILL_NAME}{installed_copy.RECORD_SUFFIX} in the skills folder.

exit codes:
  0  installed, upgraded, or already current (with --dry-run: would be)
  1  refused (with --dry-run: would be): a copy was changed since it was installed, or
     was not installed by this command; nothing was changed there. --force replaces it
  2  usage error, or a path that could not be read or written (named, with the reason)
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (its help text lists the folders and the exit codes)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=f"Install the {SKILL_NAME} agent skill that ships with sqla-skillpack.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--agent",
        action="append",
        choices=list(AGENT_SKILL_FOLDERS),
        default=[],
        help="the agent to install for (repeat for several)",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--project",
        metavar="DIR",
        type=Path,
        help="install into this project's folders (default: the current directory)",
    )
    where.add_argument("--user", action="store_true", help="install into your home folder")
    parser.add_argument(
        "--agents-md",
        action="store_true",
        help="also write a section into the project's AGENTS.md for agents without skill"
        " support (installs the .agents/skills copy it links to)",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace a copy that was changed or is not ours"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="say what would be done, change nothing"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with `argv` (default: sys.argv[1:]) and return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not args.agent and not args.agents_md:
            parser.error("name an --agent (or ask for --agents-md)")
        if args.agents_md and args.user:
            parser.error("--agents-md writes the project's AGENTS.md; it cannot go with --user")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    project = None if args.user else (args.project or Path("."))
    if project is not None and not project.is_dir():
        return _error(InstallError(project, "no such project folder"))
    agents = list(args.agent) + ([AGENTS_MD_AGENT] if args.agents_md else [])
    targets = list(dict.fromkeys(skills_folder(a, project=project) / SKILL_NAME for a in agents))
    try:
        files = installed_copy.packaged_skill()
    except InstallError as exc:
        return _error(exc)
    worst = EXIT_DONE
    for target in targets:
        worst = max(worst, _install(target, files, force=args.force, dry_run=args.dry_run))
    if args.agents_md and project is not None:
        if worst != EXIT_DONE:
            print(
                f"{PROG}: {project / 'AGENTS.md'} left as it is: not every skill copy could"
                " be installed",
                file=sys.stderr,
            )
        else:
            worst = _write_agents_md(project, files, dry_run=args.dry_run)
    return worst


def _install(target: Path, files: SkillFiles, *, force: bool, dry_run: bool) -> int:
    try:
        decision = installed_copy.plan(target, files, force=force)
        if decision.action is Action.REFUSE:
            print(
                f"{PROG}: refused: {target} {decision.reason}; nothing was changed there."
                " Rerun with --force to replace it (its changes are lost), or move it away.",
                file=sys.stderr,
            )
            return EXIT_REFUSED
        if not dry_run:
            if decision.action in {Action.INSTALL, Action.UPGRADE, Action.REPLACE}:
                installed_copy.replace_folder(target, files)
            if decision.action is not Action.CURRENT or decision.record_is_stale:
                installed_copy.write_record(target, files)
    except InstallError as exc:
        return _error(exc)
    print(_describe(decision, dry_run=dry_run))
    return EXIT_DONE


def _describe(decision: Plan, *, dry_run: bool) -> str:
    version = sqla_checks.__version__
    target = decision.target
    would = "would " if dry_run else ""
    match decision.action:
        case Action.INSTALL:
            verb = "install" if dry_run else "installed"
            return f"{would}{verb} {SKILL_NAME} {version} into {target}"
        case Action.UPGRADE:
            verb = "upgrade" if dry_run else "upgraded"
            return (
                f"{would}{verb} {target} from {decision.installed_version} to {version}"
                " (unchanged since it was installed)"
            )
        case Action.REPLACE:
            verb = "replace" if dry_run else "replaced"
            return f"{would}{verb} {target} with {version} (--force): it {decision.reason}"
        case _:
            note = ""
            if decision.record_is_stale:
                note = "; would record it" if dry_run else "; recorded it as installed"
            return f"{target} is already current ({version}){note}"


def _write_agents_md(project: Path, files: SkillFiles, *, dry_run: bool) -> int:
    path = project / "AGENTS.md"
    skill_folder = PurePosixPath(AGENT_SKILL_FOLDERS[AGENTS_MD_AGENT].project) / SKILL_NAME
    section = agents_md.render_section(
        files["SKILL.md"].decode("utf-8"), sqla_checks.__version__, skill_folder
    )
    try:
        existing = path.read_bytes().decode("utf-8") if path.exists() else None
    except (OSError, UnicodeDecodeError) as exc:
        return _error(InstallError(path, f"cannot read it as UTF-8 text ({exc})"))
    try:
        merged = agents_md.merge(existing, section)
    except agents_md.SectionError as exc:
        return _error(InstallError(path, str(exc)))
    if merged == existing:
        print(f"{path}: the {SKILL_NAME} section is already current")
        return EXIT_DONE
    adding = existing is None or agents_md.BEGIN not in existing
    if not dry_run:
        try:
            installed_copy.write_text_atomically(path, merged)
        except InstallError as exc:
            return _error(exc)
    done = (
        ("would add" if dry_run else "added")
        if adding
        else ("would update" if dry_run else "updated")
    )
    print(f"{done} the {SKILL_NAME} section of {path}")
    size = len(merged.encode("utf-8"))
    if size > agents_md.CODEX_SIZE_LIMIT:
        print(
            f"{PROG}: warning: {path} is {size} bytes; Codex reads only the first"
            f" {agents_md.CODEX_SIZE_LIMIT} bytes of AGENTS.md files by default",
            file=sys.stderr,
        )
    return EXIT_DONE


def _error(exc: InstallError) -> int:
    print(f"{PROG}: error: {exc}", file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
