"""`# noqa` directives as ruff reads them, per line and for the whole file.

Only real comments count (the tokenizer finds them, so `"# noqa"` in a string is
text). The grammar follows ruff's noqa lexer (crates/ruff_linter/src/noqa.rs):

- `# noqa` (any case) silences every code on its line; so does `# noqa`, a space,
  then anything but a colon (`# noqa because ...`), as in ruff and flake8.
- `# noqa: ALC101, ALC104` (commas and/or spaces; `# noqa : ALC101` too) silences
  those codes. Codes are uppercase letters then digits; the first word that is not
  a code ends the list (`# noqa: ALC101 the reason`).
- A colon with no code after it (`# noqa:`, `# noqa: legacy-query-get`, `# noqa: alc101`),
  `#noqaALC101`, or `# noqa: ALC101x` is malformed: a warning, and it silences nothing.
- `# sqla-checks: noqa` on a line of its own exempts the whole file, and
  `# sqla-checks: noqa: ALC101` those codes in the whole file (ruff's `# ruff: noqa`).

A finding is silenced by the directive on its first line, or, when that line is
inside a multi-line string or a backslash continuation, on the last line of it
(where ruff and `--add-noqa` put the comment). Codes of other tools (`F401`) are
accepted silently; an `ALC` code that names no rule is a warning.
"""

from __future__ import annotations

import io
import tokenize
from bisect import bisect_right
from collections.abc import Collection
from dataclasses import dataclass, field

OWN_PREFIX = "ALC"
FILE_MARKER = "sqla-checks"
EXAMPLE = "(e.g. `# noqa: ALC101, ALC104`)"


class NoqaError(ValueError):
    """A malformed directive; the message says what was expected."""


@dataclass(frozen=True)
class Code:
    """One code of a directive and its columns (0-based, end exclusive) in the line."""

    code: str
    start: int
    end: int


@dataclass(frozen=True)
class Directive:
    """A `# noqa` on one line. `codes` is None for a blanket `# noqa`.

    `start`/`end` are the columns of the directive itself (from its `#` to its last
    code), which may sit inside a longer comment (`# type: ignore  # noqa: ALC101`).
    """

    line: int
    start: int
    end: int
    codes: tuple[Code, ...] | None

    def silences(self, code: str) -> bool:
        """Whether this directive silences findings of `code`."""
        return self.codes is None or any(c.code == code for c in self.codes)


@dataclass
class FileNoqa:
    """Every directive of one file, the file exemption, and the warnings to print."""

    directives: dict[int, Directive] = field(default_factory=dict)
    exempt_all: bool = False
    exempt_codes: frozenset[str] = frozenset()
    # (line, problem) pairs; the caller adds the path.
    warnings: list[tuple[int, str]] = field(default_factory=list)
    # Sorted, disjoint (first, last) line spans whose findings belong on `last`.
    spans: list[tuple[int, int]] = field(default_factory=list)
    # (line, code) pairs a directive actually silenced, for the unused-noqa rule.
    used: set[tuple[int, str]] = field(default_factory=set)
    # Lines with a malformed directive (`--add-noqa` leaves them to the user).
    malformed: set[int] = field(default_factory=set)

    def noqa_line(self, line: int) -> int:
        """The line whose directive governs a finding starting on `line`."""
        index = bisect_right(self.spans, line, key=lambda span: span[0]) - 1
        if index >= 0 and self.spans[index][0] <= line <= self.spans[index][1]:
            return self.spans[index][1]
        return line

    def may_silence(self, codes: Collection[str]) -> bool:
        """Whether a line directive could silence a finding of one of `codes` (only
        then do findings need their lines: most directives name other tools' codes)."""
        return any(
            directive.codes is None or any(c.code in codes for c in directive.codes)
            for directive in self.directives.values()
        )

    def suppresses(self, code: str, line: int) -> bool:
        """Whether a finding of `code` starting on `line` is silenced (and note it)."""
        if self.exempt_all or code in self.exempt_codes:
            return True
        target = self.noqa_line(line)
        directive = self.directives.get(target)
        if directive is None or not directive.silences(code):
            return False
        self.used.add((target, code))
        return True


def read_noqa(text: str, known_codes: Collection[str], spans: bool = False) -> FileNoqa:
    """Read the directives of `text`; `known_codes` are the codes of every rule.

    Without a `noqa` in the text nothing is tokenized, unless `spans` asks for the
    multi-line spans anyway (`--add-noqa` needs them to place new comments).
    """
    found = FileNoqa()
    if not spans and "noqa" not in text.lower():
        return found
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError) as exc:
        # libcst accepted the file, Python's tokenizer did not: say so rather than
        # silently ignoring every directive.
        found.warnings.append((1, f"cannot read `# noqa` comments: {exc}"))
        return found
    lines = text.splitlines()
    found.spans = _continued_spans(tokens)
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        line, column = token.start
        own_line = not lines[line - 1][:column].strip()
        _read_comment(found, token.string, line, column, own_line, known_codes)
    return found


def _read_comment(
    found: FileNoqa,
    comment: str,
    line: int,
    column: int,
    own_line: bool,
    known_codes: Collection[str],
) -> None:
    kind = f"`# {FILE_MARKER}: noqa`"
    try:
        exemption = _lex(comment, file_level=True)
        kind = "`# noqa`"
        directive = None if exemption else _lex(comment, file_level=False)
    except NoqaError as exc:
        found.warnings.append((line, f"malformed {kind} directive suppresses nothing: {exc}"))
        found.malformed.add(line)
        return
    lexed = exemption or directive
    if lexed is None:
        return
    start, end, codes, problems = lexed
    found.warnings.extend((line, problem) for problem in problems)
    for code in codes or ():
        if code.code.startswith(OWN_PREFIX) and code.code not in known_codes:
            found.warnings.append((line, f"unknown rule code {code.code} in `# noqa`"))
    if exemption is not None:
        if not own_line:
            found.warnings.append(
                (line, f"`# {FILE_MARKER}: noqa` must be on a line of its own; ignored")
            )
        elif codes is None:
            found.exempt_all = True
        else:
            found.exempt_codes |= {c.code for c in codes}
        return
    found.directives[line] = Directive(
        line=line,
        start=column + start,
        end=column + end,
        codes=None if codes is None else tuple(_shift(c, column) for c in codes),
    )


def _shift(code: Code, column: int) -> Code:
    return Code(code.code, code.start + column, code.end + column)


_Lexed = tuple[int, int, tuple[Code, ...] | None, list[str]]


def _lex(comment: str, file_level: bool) -> _Lexed | None:
    """Find a directive in one comment: its columns, codes (None: all) and warnings.

    A comment may hold several `#` parts (`# type: ignore # noqa: ALC101`); the
    first that starts a directive is read.
    """
    position = comment.find("#")
    while position != -1:
        start = position
        cursor = _skip_space(comment, position + 1)
        if file_level:
            if not comment.startswith(FILE_MARKER, cursor):
                position = comment.find("#", position + 1)
                continue
            cursor = _skip_space(comment, cursor + len(FILE_MARKER))
            if not comment.startswith(":", cursor):
                position = comment.find("#", position + 1)
                continue
            cursor = _skip_space(comment, cursor + 1)
        if comment[cursor : cursor + 4].lower() == "noqa":
            return _lex_after_noqa(comment, start, cursor + 4)
        position = comment.find("#", position + 1)
    return None


def _lex_after_noqa(comment: str, start: int, cursor: int) -> _Lexed:
    rest = comment[cursor:]
    if not rest or rest[0] == "#":
        return start, cursor, None, []
    if rest[0] == ":":
        return _lex_codes(comment, start, cursor + 1)
    if rest[0].isspace():
        after = _skip_space(comment, cursor)
        if comment.startswith(":", after):
            return _lex_codes(comment, start, after + 1)
        return start, cursor, None, []
    raise NoqaError(f"expected `:` and a list of codes after `noqa` {EXAMPLE}")


def _lex_codes(comment: str, start: int, cursor: int) -> _Lexed:
    codes: list[Code] = []
    warnings: list[str] = []
    joined = False
    length = len(comment)
    while cursor < length:
        cursor = _skip_space(comment, cursor)
        if cursor >= length:
            break
        if comment[cursor] == ",":
            warnings.append("expected a rule code between commas")
            cursor += 1
            continue
        if not ("A" <= comment[cursor] <= "Z"):
            break  # the rest is prose, a reason after the codes
        code_start = cursor
        while cursor < length and "A" <= comment[cursor] <= "Z":
            cursor += 1
        if cursor >= length or not comment[cursor].isdigit():
            if joined:
                raise NoqaError("expected codes of uppercase letters then digits (e.g. ALC101)")
            break  # a capitalised word of prose
        while cursor < length and comment[cursor].isdigit():
            cursor += 1
        codes.append(Code(comment[code_start:cursor], code_start, cursor))
        joined = False
        if cursor >= length:
            break
        follower = comment[cursor]
        if follower == ",":
            cursor += 1
        elif "A" <= follower <= "Z":
            warnings.append("expected a comma or a space between codes")
            joined = True
        elif not (follower.isspace() or follower == "#"):
            raise NoqaError("expected codes of uppercase letters then digits (e.g. ALC101)")
    if not codes:
        raise NoqaError(f"expected a list of rule codes after the colon {EXAMPLE}")
    return start, codes[-1].end, tuple(codes), warnings


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index].isspace():
        index += 1
    return index


def _continued_spans(tokens: list[tokenize.TokenInfo]) -> list[tuple[int, int]]:
    """Line spans a `# noqa` can only follow at their end: multi-line strings
    (f-strings included) and lines joined by a backslash."""
    spans: list[tuple[int, int]] = []
    previous_end = 0
    previous_type = tokenize.NEWLINE
    fstring_starts: list[int] = []
    for token in tokens:
        first, last = token.start[0], token.end[0]
        if token.type == tokenize.STRING and last > first:
            spans.append((first, last))
        elif token.type == _FSTRING_START:
            fstring_starts.append(first)
        elif token.type == _FSTRING_END and fstring_starts:
            opened = fstring_starts.pop()
            if last > opened:
                spans.append((opened, last))
        if first > previous_end and previous_type not in _LINE_BREAKS and previous_end:
            # The token starts on a later line with no line break between: a
            # backslash joined the lines.
            spans.append((previous_end, first))
        previous_end, previous_type = last, token.type
    return _merge(spans)


# Python 3.12 tokenizes f-strings into parts; 3.11 reports one STRING token.
_FSTRING_START = getattr(tokenize, "FSTRING_START", -1)
_FSTRING_END = getattr(tokenize, "FSTRING_END", -1)
_LINE_BREAKS = {tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    # Spans sharing a line chain together (`"""a\n""" + """b\n"""`): the comment
    # can only go after the last of them.
    merged: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return merged
