"""`--format text`: one line per finding, then a summary, as ruff's concise output."""

from __future__ import annotations

from collections import Counter

from sqla_checks.output.report import RunReport, plural


def render(report: RunReport) -> str:
    """`path:line:col: CODE [*] message` lines and ruff's summary lines."""
    lines = []
    for finding in report.findings:
        marker = " [*]" if report.is_applicable(finding) else ""
        lines.append(
            f"{finding.path}:{finding.start.line}:{finding.start.column}:"
            f" {finding.code}{marker} {finding.message}"
        )
    if report.show_fixes:
        lines.extend(show_fixes_lines(report))
    if not report.quiet:
        lines.extend(summary_lines(report))
    return "".join(line + "\n" for line in lines)


def summary_lines(report: RunReport) -> list[str]:
    """ "Found N errors." (with fixed/remaining after --fix), fix hints, or a clean bill."""
    remaining = len(report.findings)
    fixed = report.fixed
    lines = []
    if fixed:
        total = remaining + fixed
        lines.append(f"Found {plural(total, 'error')} ({fixed} fixed, {remaining} remaining).")
    elif remaining:
        lines.append(f"Found {plural(remaining, 'error')}.")
    elif not report.errors:
        lines.append("All checks passed!")
    hint = fix_hint(report)
    if hint:
        lines.append(hint)
    return lines


def error_summary(count: int) -> str:
    """The line that closes the `count` file errors printed on stderr."""
    return f"{plural(count, 'file')} could not be checked (see the errors above)."


def show_fixes_lines(report: RunReport) -> list[str]:
    """`--show-fixes`: what --fix fixed (after --fix), else what it would fix, per file
    and rule, in ruff's shape."""
    names = {rule.code: rule.name for rule in report.rules}
    per_file: dict[str, Counter[str]] = {}
    for result in report.results:
        if result.fixed_codes:
            per_file[result.path] = Counter(result.fixed_codes)
    if per_file:
        heading = f"Fixed {plural(report.fixed, 'error')}:"
    else:
        for finding in report.findings:
            if report.is_applicable(finding):
                per_file.setdefault(finding.path, Counter())[finding.code] += 1
        if not per_file:
            return []
        heading = f"Would fix {plural(report.fixable, 'error')} with `--fix`:"
    lines = [heading]
    for path in sorted(per_file):
        lines.append(f"- {path}:")
        for code, count in sorted(per_file[path].items()):
            lines.append(f"    {count} \u00d7 {code} ({names.get(code, code)})")
    lines.append("")
    return lines


def fix_hint(report: RunReport) -> str:
    """ruff's wording for what `--fix` and `--unsafe-fixes` would do."""
    fixable, hidden = report.fixable, report.hidden_fixes
    hidden_text = (
        f"{plural(hidden, 'hidden fix', 'es')} can be enabled with the `--unsafe-fixes` option"
    )
    if fixable and hidden:
        return f"[*] {fixable} fixable with the `--fix` option ({hidden_text})."
    if fixable:
        return f"[*] {fixable} fixable with the `--fix` option."
    if hidden:
        return f"No fixes available ({hidden_text})."
    return ""
