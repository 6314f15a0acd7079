"""`--add-noqa`: a `# noqa: CODES` on every line with findings, for adopting the tool.

As ruff does: one directive per line holding every code found there, merged into an
existing `# noqa: ...` (other comments on the line stay), and placed after the end
of a multi-line string or backslash continuation rather than inside it.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqla_checks.contract.finding import Finding
from sqla_checks.engine import registry
from sqla_checks.engine.noqa import read_noqa
from sqla_checks.engine.source import decode_source, read_source_bytes
from sqla_checks.engine.unused_noqa import UNUSED_NOQA
from sqla_checks.fixes.writer import write_fixed_file


@dataclass
class AddedNoqa:
    """The new text, how many lines got a directive, and (line, problem) warnings."""

    text: str
    added: int = 0
    warnings: list[tuple[int, str]] = field(default_factory=list)


def add_noqa_to_file(path: str, findings: Sequence[Finding]) -> AddedNoqa:
    """Add the directives `findings` need to the file at `path`, written atomically.

    Raises SourceError (unreadable) or FixWriteError (not written; file left intact).
    """
    data = read_source_bytes(path)
    source = decode_source(Path(path), data)
    outcome = add_noqa(source.text, findings, {rule.code for rule in registry.all_rules()})
    if outcome.added:
        write_fixed_file(Path(path), data, outcome.text.encode(source.encoding))
    return outcome


def add_noqa(text: str, findings: Sequence[Finding], known_codes: Collection[str]) -> AddedNoqa:
    """Add or extend the `# noqa` of every line that has findings in `text`."""
    noqa = read_noqa(text, known_codes, spans=True)
    by_line: dict[int, set[str]] = {}
    for finding in findings:
        # Silencing the unused-noqa rule with another noqa would only hide the stale one.
        if finding.code != UNUSED_NOQA:
            by_line.setdefault(noqa.noqa_line(finding.start.line), set()).add(finding.code)
    outcome = AddedNoqa(text)
    lines = text.splitlines(keepends=True)
    for number, codes in sorted(by_line.items()):
        if number in noqa.malformed:
            outcome.warnings.append(
                (number, "not adding `# noqa`: fix the malformed directive on this line first")
            )
            continue
        line = lines[number - 1]
        body = line.rstrip("\r\n")
        directive = noqa.directives.get(number)
        if directive is None:
            body = f"{body.rstrip()}  # noqa: {', '.join(sorted(codes))}"
        elif directive.codes is not None:
            merged = sorted({c.code for c in directive.codes} | codes)
            body = f"{body[: directive.start]}# noqa: {', '.join(merged)}{body[directive.end :]}"
        lines[number - 1] = body + _ending(line)
        outcome.added += 1
    new_text = "".join(lines)
    if outcome.added and not _same_code(text, new_text):
        # A comment landed where it changes the tokens (never expected): write nothing.
        problem = "could not place `# noqa` comments safely; file left unchanged"
        return AddedNoqa(text, warnings=[(1, problem)])
    outcome.text = new_text
    return outcome


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


def _same_code(old: str, new: str) -> bool:
    """Whether `new` differs from `old` in comments only."""
    before = _code_tokens(old)
    return before is not None and before == _code_tokens(new)


def _code_tokens(text: str) -> list[tuple[int, str]] | None:
    try:
        tokens = tokenize.generate_tokens(io.StringIO(text).readline)
        return [(t.type, t.string) for t in tokens if t.type not in _COMMENTS]
    except (tokenize.TokenError, SyntaxError):
        return None


_COMMENTS = {tokenize.COMMENT, tokenize.NL}
