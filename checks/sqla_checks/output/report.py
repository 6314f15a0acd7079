"""What every output format renders: the results of one run and its settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from sqla_checks.contract.finding import FileError, FileResult, Finding
from sqla_checks.contract.rule import Rule


@dataclass(frozen=True)
class RunReport:
    """The findings and file errors of a run, with what is needed to describe them."""

    results: Sequence[FileResult]
    rules: Sequence[type[Rule]]
    # Errors that belong to no checked file (a PATH argument that does not exist).
    extra_errors: Sequence[FileError] = ()
    unsafe_fixes: bool = False
    # --quiet: findings only, no summary lines.
    quiet: bool = False
    # --show-fixes: list what was fixed (or would be) per file and rule.
    show_fixes: bool = False

    @cached_property
    def findings(self) -> list[Finding]:
        """Every remaining finding, in output order."""
        found = [finding for result in self.results for finding in result.findings]
        return sorted(found, key=lambda finding: finding.sort_key())

    @cached_property
    def errors(self) -> list[FileError]:
        """Every file that could not be checked, in path order."""
        found = [*self.extra_errors, *(r.error for r in self.results if r.error is not None)]
        return sorted(found, key=lambda error: error.path)

    @property
    def fixed(self) -> int:
        """How many fixes were written."""
        return sum(result.fixes_applied for result in self.results)

    def is_applicable(self, finding: Finding) -> bool:
        """Whether `--fix` would apply this finding's fix under the current settings."""
        if finding.fix is None:
            return False
        return finding.fix.applicability == "safe" or self.unsafe_fixes

    @property
    def fixable(self) -> int:
        """Findings `--fix` would fix now."""
        return sum(1 for finding in self.findings if self.is_applicable(finding))

    @property
    def hidden_fixes(self) -> int:
        """Findings whose fix needs `--unsafe-fixes`."""
        return sum(
            1
            for finding in self.findings
            if finding.fix is not None and not self.is_applicable(finding)
        )


def plural(count: int, word: str, suffix: str = "s") -> str:
    """`1 error`, `2 errors`."""
    return f"{count} {word}{'' if count == 1 else suffix}"


def location_suffix(error: FileError) -> str:
    """`:line:col` for an error whose position is known, else nothing."""
    if error.line is None:
        return ""
    column = f":{error.column}" if error.column is not None else ""
    return f":{error.line}{column}"
