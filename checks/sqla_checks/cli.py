"""`sqla-checks`: the command line, with the habits of ruff and flake8."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import sqla_checks
from sqla_checks.contract.finding import FileError, FileResult
from sqla_checks.contract.rule import Rule
from sqla_checks.engine import registry
from sqla_checks.engine.api import CheckedFile, CheckPlan, check_files, check_text
from sqla_checks.engine.cache import FindingsCache
from sqla_checks.engine.config import ConfigError
from sqla_checks.engine.discovery import discover_files, force_excluded
from sqla_checks.engine.parse_limits import MAX_PARSE_BYTES
from sqla_checks.engine.registry import SelectionError
from sqla_checks.engine.runner import RunOptions
from sqla_checks.engine.settings import Overrides, SettingsResolver, command_line_globs
from sqla_checks.engine.source import SourceError
from sqla_checks.output import FORMAT_MODULES, FORMATS_WITH_EDITS, RunReport, renderer
from sqla_checks.output.report import location_suffix, plural
from sqla_checks.output.text import error_summary

# What only some options need (--fix, --diff, --add-noqa, --explain, --statistics,
# --output-file, ...) is imported where those options are handled: a plain run, such
# as an editor's save hook on one file, starts faster without it.

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

EPILOG = f"""\
exit codes:
  0  no findings (or findings, with --exit-zero); after --add-noqa, whatever it added
  1  findings remain, or --diff would change a file (0 with --exit-zero)
  2  usage or configuration error, or a file that could not be checked: missing, a
     symlink loop, not a regular file, unreadable, undecodable, unparsable, nested
     deeper than Python allows, or over {MAX_PARSE_BYTES >> 20} MiB when a rule
     could match it; with --fix also a fix not written because the file changed
     since it was read or the write failed (the original is left intact). Each is
     one line `path: error: reason`; the other files are still checked.
     --exit-zero does not hide these.

configuration: each file follows the nearest .sqla-checks.toml, sqla-checks.toml or
pyproject.toml with a [tool.sqla-checks] table in its folder or above (keys: select,
ignore, extend-select, per-file-ignores, exclude, extend-exclude, respect-gitignore,
extend, target-sqlalchemy, check-alembic-revisions); --show-settings FILE says which.
Alembic revision files get no legacy (ALC1xx) or async (ALC2xx) findings or fixes
unless check-alembic-revisions = true (or --check-alembic-revisions). Suppress one finding with
`# noqa: ALC101`, a whole file with `# sqla-checks: noqa[: CODES]` on a line of its
own; --extend-select ALC001 reports unused ones. Rule docs: sqla-checks --explain ALC101.

stdin: `sqla-checks - < f.py` checks the source on stdin (shown as `-`);
`--stdin-filename app/f.py` checks it as that file (its configuration and
per-file-ignores); with --fix the fixed source goes to stdout, findings to stderr.

the agent skill: `sqla-checks install-skill --agent claude` copies the skill this package
ships to where an agent reads skills (sqla-checks install-skill --help).

editors: `sqla-checks server` is a language server over stdio (the lsp extra).
"""


class UsageError(Exception):
    """A command line or configuration that cannot be run; exit code 2."""


def _selectors(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (its help text documents the exit codes)."""
    parser = argparse.ArgumentParser(
        prog="sqla-checks",
        description="Lint SQLAlchemy 2.x async / asyncpg / Alembic / FastAPI code.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or directories to check (default: .); - reads the source from stdin",
    )
    fixing = parser.add_argument_group("fixing")
    fixing.add_argument("--fix", action="store_true", help="apply fixes and write the files")
    fixing.add_argument(
        "--unsafe-fixes", action="store_true", help="also apply fixes marked unsafe"
    )
    fixing.add_argument(
        "--diff", action="store_true", help="print the diff --fix would apply; change nothing"
    )
    fixing.add_argument(
        "--add-noqa",
        action="store_true",
        help="add `# noqa: CODES` to every line with findings (adopting the tool on old code)",
    )
    selection = parser.add_argument_group("rule selection (comma-separated codes, prefixes, ALL)")
    for flag, help_text in (
        ("--select", "run only these rules (replaces the configured select)"),
        ("--extend-select", "run these rules in addition"),
        ("--ignore", "do not run these rules"),
    ):
        selection.add_argument(
            flag, type=_selectors, action="append", metavar="CODES", help=help_text
        )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--format",
        "--output-format",
        dest="format",
        choices=list(FORMAT_MODULES),
        default="text",
        metavar="FORMAT",
        help="text (default; also called concise), full (with source lines), json"
        " (ruff's shape), sarif, github, gitlab (Code Quality) or junit",
    )
    output.add_argument(
        "--output-file",
        "-o",
        type=Path,
        metavar="PATH",
        help="write the report to PATH (whole or not at all) instead of stdout",
    )
    output.add_argument(
        "--show-fixes",
        action="store_true",
        help="list what --fix fixed (or would fix) per file and rule",
    )
    output.add_argument(
        "--statistics", action="store_true", help="show the number of findings per rule"
    )
    output.add_argument("-q", "--quiet", action="store_true", help="no summary lines")
    output.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    info = parser.add_argument_group("information")
    info.add_argument("--explain", metavar="RULE", help="print a rule's documentation")
    info.add_argument("--list-rules", action="store_true", help="list every rule")
    info.add_argument(
        "--version", action="version", version=f"sqla-checks {sqla_checks.__version__}"
    )
    info.add_argument(
        "--show-files", action="store_true", help="list the files that would be checked"
    )
    info.add_argument(
        "--show-settings",
        action="store_true",
        help="print the settings for the first PATH and the files they came from",
    )
    run = parser.add_argument_group("run")
    run.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help="configuration file for every file, instead of each file's nearest one",
    )
    run.add_argument(
        "--stdin-filename",
        metavar="PATH",
        help="check stdin as if it were the file PATH (its configuration and ignores)",
    )
    for flag, help_text in (
        ("--exclude", "exclude these globs (replaces the configured exclude)"),
        ("--extend-exclude", "exclude these globs in addition"),
    ):
        run.add_argument(flag, type=_selectors, action="append", metavar="GLOBS", help=help_text)
    run.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply exclude and ignore files to files named on the command line too",
    )
    run.add_argument(
        "--respect-gitignore",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="skip files .gitignore, .ignore or .git/info/exclude ignore (default: true)",
    )
    run.add_argument(
        "--check-alembic-revisions",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run the legacy and async rules on Alembic revision files too (default: false)",
    )
    run.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    run.add_argument(
        "--jobs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="worker processes (default: CPU count; 1 = no subprocesses)",
    )
    return parser


def _flatten(groups: list[list[str]] | None) -> list[str] | None:
    return None if groups is None else [item for group in groups for item in group]


def _print_error(error: FileError) -> None:
    print(f"{error.path}{location_suffix(error)}: error: {error.reason}", file=sys.stderr)


def _write_fixes(checked: list[CheckedFile]) -> list[FileResult]:
    """Write every fixed file; a refused write turns into an error for that file."""
    from sqla_checks.fixes.writer import FixWriteError, write_fixed_file

    results = []
    for item in checked:
        result = item.result
        if result.fixed_source is not None and item.original is not None:
            try:
                write_fixed_file(Path(result.path), item.original, result.fixed_source)
            except FixWriteError as exc:
                # The findings describe the fixed text, which was not written: drop
                # them with it and report why.
                result = dataclasses.replace(
                    result,
                    findings=[],
                    fixed_source=None,
                    fixes_applied=0,
                    fixed_codes={},
                    error=FileError(result.path, str(exc)),
                )
        results.append(result)
    return results


def _show_diff(
    checked: list[CheckedFile], errors: list[FileError], quiet: bool, exit_zero: bool
) -> int:
    from sqla_checks.output.diff import unified_diff

    would_fix = 0
    for item in checked:
        result = item.result
        if result.fixed_source is not None and item.original is not None:
            sys.stdout.write(unified_diff(result.path, item.original, result.fixed_source))
            would_fix += result.fixes_applied
    for error in errors:
        _print_error(error)
    if errors and not quiet:
        print(error_summary(len(errors)), file=sys.stderr)
    if not quiet:
        message = f"Would fix {plural(would_fix, 'error')}." if would_fix else "No fixes to apply."
        print(message, file=sys.stderr)
    if errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if would_fix and not exit_zero else EXIT_CLEAN


def _print_warnings(path: str, warnings: Sequence[tuple[int, str]]) -> None:
    for line, problem in warnings:
        print(f"{path}:{line}: warning: {problem}", file=sys.stderr)


def add_noqa_to_files(
    checked: Sequence[CheckedFile], errors: Sequence[FileError], quiet: bool
) -> int:
    """`--add-noqa`: write the directives, say how many; exit 0 unless a file failed."""
    from sqla_checks.engine.add_noqa import add_noqa_to_file
    from sqla_checks.fixes.writer import FixWriteError

    errors = list(errors)
    added = 0
    for item in checked:
        result = item.result
        if result.error is not None:
            errors.append(result.error)
        if not result.findings:
            continue
        try:
            outcome = add_noqa_to_file(result.path, result.findings)
        except (SourceError, FixWriteError) as exc:
            errors.append(FileError(result.path, str(exc)))
            continue
        _print_warnings(result.path, outcome.warnings)
        added += outcome.added
    for error in errors:
        _print_error(error)
    if added and not quiet:
        print(f"Added {plural(added, 'noqa directive')}.", file=sys.stderr)
    return EXIT_ERROR if errors else EXIT_CLEAN


def _explain(key: str) -> int:
    from sqla_checks.output import file_errors
    from sqla_checks.output.explain import render_rule

    if key.upper() == file_errors.CODE or key == file_errors.NAME:
        sys.stdout.write(file_errors.render_documentation())
        return EXIT_CLEAN
    rule = registry.rule_by_code_or_name(key)
    if rule is None:
        raise UsageError(f"--explain: no rule with code or name {key!r} (see --list-rules)")
    sys.stdout.write(render_rule(rule))
    return EXIT_CLEAN


def _overrides(args: argparse.Namespace, cwd: Path) -> Overrides:
    select, extend_select, ignore = (
        _flatten(args.select),
        _flatten(args.extend_select) or [],
        _flatten(args.ignore) or [],
    )
    for flag, selectors in (
        ("--select", select or []),
        ("--extend-select", extend_select),
        ("--ignore", ignore),
    ):
        registry.validate_selectors(selectors, flag)
    exclude = _flatten(args.exclude)
    return Overrides(
        select=None if select is None else tuple(select),
        extend_select=tuple(extend_select),
        ignore=tuple(ignore),
        exclude=None if exclude is None else command_line_globs(exclude, cwd),
        extend_exclude=command_line_globs(_flatten(args.extend_exclude) or [], cwd),
        respect_gitignore=args.respect_gitignore,
        check_alembic_revisions=args.check_alembic_revisions,
    )


def _reads_stdin(args: argparse.Namespace) -> bool:
    """`-` as the only PATH, or --stdin-filename with no PATH, reads stdin (as in ruff)."""
    if "-" in args.paths and args.paths != ["-"]:
        raise UsageError("- (stdin) cannot be combined with other paths")
    return args.paths == ["-"] or (args.stdin_filename is not None and not args.paths)


def _run(args: argparse.Namespace) -> int:
    if args.explain is not None:
        return _explain(args.explain)
    if args.list_rules:
        from sqla_checks.output.rule_table import render_json as rule_list_json
        from sqla_checks.output.rule_table import render_table

        render = rule_list_json if args.format == "json" else render_table
        sys.stdout.write(render(registry.all_rules()))
        return EXIT_CLEAN
    cwd = Path.cwd()
    try:
        resolver = SettingsResolver(_overrides(args, cwd), config_path=args.config, cwd=cwd)
        if args.config is not None and not os.path.isfile(resolver.absolute(args.config)):
            raise UsageError(f"{args.config}: configuration file not found")
        if args.show_settings:
            return _show_settings(args, resolver)
        if _reads_stdin(args):
            return _check_stdin(args, resolver)
        return _check_paths(args, resolver)
    except (SelectionError, ConfigError) as exc:
        raise UsageError(str(exc)) from exc


def _options(args: argparse.Namespace) -> RunOptions:
    # The target release is per file (its settings'); the engine fills it in.
    return RunOptions(
        fix=args.fix or args.diff,
        unsafe_fixes=args.unsafe_fixes,
        with_edits=args.format in FORMATS_WITH_EDITS and not args.diff,
    )


def _show_settings(args: argparse.Namespace, resolver: SettingsResolver) -> int:
    target = args.stdin_filename if args.paths in ([], ["-"]) else args.paths[0]
    if target is None:
        raise UsageError("--show-settings needs a PATH (or --stdin-filename)")
    from sqla_checks.output.show_settings import render_settings

    absolute = resolver.absolute(target)
    settings = resolver.settings_for(absolute)
    sys.stdout.write(render_settings(target, absolute, settings, resolver.respect_gitignore))
    return EXIT_CLEAN


def _check_stdin(args: argparse.Namespace, resolver: SettingsResolver) -> int:
    """Check the source on stdin as the file --stdin-filename names (or as `-`)."""
    data = sys.stdin.buffer.read()
    path = args.stdin_filename or "-"
    excluded = args.stdin_filename is not None and args.force_exclude
    if excluded and force_excluded(path, resolver):
        # An excluded buffer passes through untouched, as ruff does for editors.
        if args.fix:
            sys.stdout.buffer.write(data)
        return EXIT_CLEAN
    settings = resolver.settings_for(path) if args.stdin_filename else resolver.root
    result = check_text(path, data, settings, _options(args), cwd=resolver.cwd)
    checked = CheckedFile(result, original=data if result.fixed_source is not None else None)
    if args.diff:
        errors = [result.error] if result.error else []
        return _show_diff([checked], errors, args.quiet, args.exit_zero)
    if args.fix:
        # The fixed source is the output; what remains to report goes to stderr.
        sys.stdout.buffer.write(result.fixed_source if result.fixed_source is not None else data)
    return _report([result], settings.rules, (), args, stream=sys.stderr if args.fix else None)


def _check_paths(args: argparse.Namespace, resolver: SettingsResolver) -> int:
    discovered = discover_files(args.paths, resolver, force_exclude=args.force_exclude)
    if args.add_noqa and (args.fix or args.diff):
        # As ruff: a warning, and the directives are added without fixing anything.
        print("warning: --fix and --diff are ignored with --add-noqa", file=sys.stderr)
        args.fix = args.diff = False
    if args.show_files:
        for error in discovered.errors:
            _print_error(error)
        sys.stdout.writelines(f"{path}\n" for path in discovered.files)
        return EXIT_ERROR if discovered.errors else EXIT_CLEAN
    options = _options(args)
    # Never cache while fixing: the files are about to change anyway.
    use_cache = not (args.no_cache or options.fix)
    cache = FindingsCache.for_project(resolver.root.config.root) if use_cache else None
    plan = CheckPlan(resolver=resolver, options=options, cache=cache)
    jobs = args.jobs or os.cpu_count() or 1
    checked = check_files(discovered.files, plan, jobs=jobs)

    if not discovered.files and not discovered.errors and not args.quiet:
        print("warning: no Python files found under the given paths", file=sys.stderr)
    for item in checked:
        _print_warnings(item.result.path, item.result.warnings)
    if args.add_noqa:
        return add_noqa_to_files(checked, discovered.errors, args.quiet)
    if args.diff:
        errors = [*discovered.errors, *(c.result.error for c in checked if c.result.error)]
        return _show_diff(checked, sorted(errors, key=lambda e: e.path), args.quiet, args.exit_zero)

    results = _write_fixes(checked) if args.fix else [item.result for item in checked]
    # Every rule any file's settings select, for the report's rule table.
    selected = {rule for path in discovered.files for rule in resolver.settings_for(path).rules}
    rules = sorted(selected or resolver.root.rules, key=lambda rule: rule.code)
    return _report(results, rules, discovered.errors, args)


def _report(
    results: list[FileResult],
    rules: Sequence[type[Rule]],
    extra_errors: Sequence[FileError],
    args: argparse.Namespace,
    stream: TextIO | None = None,
) -> int:
    report = RunReport(
        results=results,
        rules=tuple(rules),
        extra_errors=tuple(extra_errors),
        unsafe_fixes=args.unsafe_fixes,
        quiet=args.quiet,
        show_fixes=args.show_fixes,
    )
    # File errors and the line that sums them up go to stderr together; the report
    # (and its own summary) to stdout or --output-file.
    for error in report.errors:
        _print_error(error)
    if report.errors and not args.quiet:
        print(error_summary(len(report.errors)), file=sys.stderr)
    if args.statistics:
        from sqla_checks.output.statistics import render_json as statistics_json
        from sqla_checks.output.statistics import render_text as statistics_text

        text = statistics_json(report) if args.format == "json" else statistics_text(report)
    else:
        text = renderer(args.format)(report)
    if args.output_file is not None:
        from sqla_checks.output.destination import OutputFileError, write_report

        try:
            write_report(args.output_file, text)
        except OutputFileError as exc:
            raise UsageError(str(exc)) from exc
    else:
        (stream or sys.stdout).write(text)

    if report.errors:
        return EXIT_ERROR
    if report.findings and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _serve(arguments: list[str]) -> int:
    # pygls comes with the `lsp` extra; linting never needs it.
    try:
        from sqla_checks.server.app import main as serve
    except ImportError as exc:
        print(
            f"sqla-checks: error: the server needs the lsp extra ({exc}):"
            " pip install 'sqla-skillpack[lsp]'",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return serve(arguments)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with `argv` (default: sys.argv[1:]) and return the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["install-skill"]:
        # A subcommand with its own options; imported here so linting never loads it.
        from sqla_checks.skill.install import main as install_skill

        return install_skill(arguments[1:])
    if arguments[:1] == ["server"]:
        return _serve(arguments[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        # argparse exits for --help, --version and usage errors; return its code so
        # in-process callers get an int like every other outcome.
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    try:
        return _run(args)
    except UsageError as exc:
        print(f"sqla-checks: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # `sqla-checks | head`: the reader went away. Point stdout at /dev/null so the
        # interpreter's final flush does not raise again, and stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FINDINGS
