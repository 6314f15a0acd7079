"""Running rules on a snippet, the one way rule tests do it."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from sqla_checks.contract.finding import FileResult
from sqla_checks.contract.rule import Rule
from sqla_checks.engine.runner import RunOptions, check_source

Rules = type[Rule] | Sequence[type[Rule]]


def lint(
    rules: Rules,
    code: str,
    *,
    path: str = "example.py",
    fix: bool = False,
    unsafe: bool = False,
    dedent: bool = True,
) -> FileResult:
    """Check `code` (dedented unless told not to) with `rules`; it must parse."""
    source = textwrap.dedent(code) if dedent else code
    result = check_source(
        path,
        source.encode(),
        [rules] if isinstance(rules, type) else list(rules),
        RunOptions(fix=fix, unsafe_fixes=unsafe),
    )
    assert result.error is None, result.error
    return result


def finding_lines(rules: Rules, code: str, *, path: str = "example.py") -> list[int]:
    """The line of each finding in dedented `code`."""
    return [finding.start.line for finding in lint(rules, code, path=path).findings]


def fixed_code(
    rules: Rules,
    code: str,
    *,
    unsafe: bool = False,
    path: str = "example.py",
    dedent: bool = True,
) -> str | None:
    """`code` after the fixes (unsafe ones too, if asked), or None when nothing changed."""
    result = lint(rules, code, path=path, fix=True, unsafe=unsafe, dedent=dedent)
    return result.fixed_source.decode() if result.fixed_source is not None else None
