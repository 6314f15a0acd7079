"""Every rule's own examples are its tests: bad ones are flagged where they say, with
the fix they show; good ones (look-alikes included) are not flagged at all."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest

from sqla_checks.contract.rule import Bad, Good, Rule
from sqla_checks.engine.registry import all_rules
from sqla_checks.engine.runner import RunOptions, check_source

CASES = [
    pytest.param(rule, example, id=f"{rule.code}-{type(example).__name__.lower()}-{index}")
    for rule in all_rules()
    for index, example in enumerate(rule.examples)
]


def _findings(rule: type[Rule], code: str) -> list[tuple[int, int]]:
    result = check_source("example.py", code.encode(), [rule])
    assert result.error is None, result.error
    return [(f.start.line, f.start.column) for f in result.findings]


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_rule_example(rule: type[Rule], example: Bad | Good) -> None:
    if isinstance(example, Good):
        assert _findings(rule, example.code) == []
        return
    assert _findings(rule, example.code) == [(example.line, example.column)]
    fixed = check_source(
        "example.py", example.code.encode(), [rule], RunOptions(fix=True, unsafe_fixes=True)
    )
    if example.fixed is None:
        assert fixed.fixed_source is None, "this example is documented as having no fix"
        return
    assert fixed.fixed_source is not None, "this example is documented as fixable"
    new_code = fixed.fixed_source.decode()
    assert new_code == example.fixed
    cst.parse_module(new_code)
    again = check_source(
        "example.py", new_code.encode(), [rule], RunOptions(fix=True, unsafe_fixes=True)
    )
    assert again.fixed_source is None, "fixes must be idempotent"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_is_documented(rule: type[Rule]) -> None:
    assert re.fullmatch(r"ALC[0-6][0-9]{2}", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.summary(), "the docstring's first line is the rule's summary"
    for attribute in ("message", "why", "example", "use_instead", "fix_safety"):
        assert getattr(rule, attribute).strip(), f"{rule.code} lacks {attribute}"
    assert any(isinstance(e, Bad) for e in rule.examples)
    assert any(isinstance(e, Good) for e in rule.examples)
    assert rule.triggers, "a rule without triggers would never run"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_documented_example_is_flagged_by_its_rule(rule: type[Rule]) -> None:
    result = check_source("example.py", rule.example.encode(), [rule])
    assert result.error is None, result.error
    assert result.findings, f"{rule.code}'s `example` is not flagged by {rule.code}"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_documented_fix_is_clean(rule: type[Rule], tmp_path: Path) -> None:
    result = check_source("example.py", rule.use_instead.encode(), all_rules())
    assert result.error is None, result.error
    assert [f.code for f in result.findings] == []
    snippet = tmp_path / "use_instead.py"
    snippet.write_text(rule.use_instead, encoding="utf-8")
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", str(snippet)],
        capture_output=True,
        text=True,
    )
    assert ruff.returncode == 0, ruff.stdout
