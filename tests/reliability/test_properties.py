"""Properties of the checker on generated and mutated programs: it never raises, and
every `--fix` output parses, is idempotent and touches only what it fixed (the
findings' own lines, plus the imports fixes add or drop)."""

from __future__ import annotations

import difflib

import hypothesmith
import libcst as cst
from hypothesis import given
from hypothesis import strategies as st

from sqla_checks.contract.finding import FileResult
from sqla_checks.contract.rule import Bad, Good
from sqla_checks.engine.registry import all_rules
from sqla_checks.engine.runner import RunOptions, check_source

RULES = all_rules()
CHECK = RunOptions()
FIX = RunOptions(fix=True, unsafe_fixes=True)
# Every rule's trigger words, so generated programs get past the text prefilter.
TRIGGERS = (
    "from sqlalchemy.orm import Session, Query, Column, relationship, backref\n"
    "from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine\n"
)
EXAMPLES = [example.code for rule in RULES for example in rule.examples]
SNIPPETS = [
    "session.query(User)",
    ".first()",
    "await ",
    "async def f():\n",
    "(",
    ")",
    "\n    ",
    "# noqa: ALC101",
    "lambda: ",
    "\\\n",
    '"""',
    "create_async_engine('postgresql://x')",
]


def _check(source: str, options: RunOptions = CHECK) -> FileResult:
    result = check_source("example.py", source.encode("utf-8", "surrogatepass"), RULES, options)
    assert isinstance(result, FileResult)
    return result


@st.composite
def mutated_examples(draw: st.DrawFn) -> str:
    """A rule example with a few random line edits and snippet insertions."""
    lines = draw(st.sampled_from(EXAMPLES)).splitlines(keepends=True) or ["\n"]
    for _ in range(draw(st.integers(0, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "duplicate", "indent", "insert", "cut"]))
        if action == "drop" and len(lines) > 1:
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "indent":
            lines[index] = "    " + lines[index]
        elif action == "insert":
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(st.sampled_from(SNIPPETS)) + line[at:]
        elif action == "cut":
            lines[index] = lines[index][: draw(st.integers(0, len(lines[index])))]
    return "".join(lines)


def _assert_fix_properties(source: str) -> None:
    before = _check(source)
    fixed = _check(source, FIX)
    if fixed.error is not None or fixed.fixed_source is None:
        return
    new = fixed.fixed_source.decode()
    cst.parse_module(new)
    again = _check(new, FIX)
    assert again.fixed_source is None, "fix twice must equal fix once"
    fixable_lines = {
        line
        for finding in before.findings
        if finding.fix is not None
        for line in range(finding.start.line, finding.end.line + 1)
    }
    old_lines, new_lines = source.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        # Imports are added and dropped by fixes anywhere in the import block.
        old_changed = {i + 1 for i in range(i1, i2) if not _is_import_or_blank(old_lines[i])}
        new_changed = [line for line in new_lines[j1:j2] if not _is_import_or_blank(line)]
        where = f"lines {i1 + 1}-{i2} outside the fixed findings ({sorted(fixable_lines)})"
        if old_changed:
            assert old_changed <= fixable_lines, f"fix changed {where}: {new_changed}"
        elif new_changed:
            # New lines inside or next to a finding (an added keyword argument), or
            # ALC106's documented fix: the counterpart `back_populates` relationship.
            assert {i1, i1 + 1} & fixable_lines or all(
                _is_back_populates(line) for line in new_changed
            ), f"fix inserted at {where}: {new_changed}"


def _is_back_populates(line: str) -> bool:
    return "relationship(" in line and "back_populates=" in line


def _is_import_or_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith(("import ", "from ")) or stripped in (")", "(")


@given(mutated_examples())
def test_mutated_rule_examples_never_raise_and_fix_well(source: str) -> None:
    _check(source)
    _assert_fix_properties(source)


@given(hypothesmith.from_grammar())
def test_generated_programs_never_raise(program: str) -> None:
    _check(TRIGGERS + program)
    _check(TRIGGERS + program, FIX)


@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    _check(TRIGGERS + text)


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    result = check_source("example.py", TRIGGERS.encode() + data, RULES)
    assert isinstance(result, FileResult)


def test_every_rule_has_examples_to_mutate() -> None:
    assert all(any(isinstance(e, Bad | Good) for e in rule.examples) for rule in RULES)
