"""ALC107 beyond its examples: argument layouts and the calls it leaves alone."""

from __future__ import annotations

import pytest

from sqla_checks.rules.alc107_list_select import ListSelect
from tests.rules.lint import fixed_code, lint

IMPORTS = "import sqlalchemy as sa\nfrom sqlalchemy import case, select\n\n"


def _fix(code: str) -> str | None:
    fixed = fixed_code(ListSelect, f"{IMPORTS}{code}\n", path="query.py", dedent=False)
    return None if fixed is None else fixed.removeprefix(IMPORTS).removesuffix("\n")


def _count(code: str) -> int:
    return len(lint(ListSelect, f"{IMPORTS}{code}\n", path="query.py", dedent=False).findings)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("select([])", "select()"),
        ("select([t])", "select(t)"),
        ("select([t.c.a, *extra])", "select(t.c.a, *extra)"),
        ("select([t.c.a,])", "select(t.c.a,)"),
        ("sa.select([t])", "sa.select(t)"),
        ("case([(a, 1)])", "case((a, 1))"),
        ("case([(a, 1), (b, 2)], else_=0)", "case((a, 1), (b, 2), else_=0)"),
        ("case([(a, 1)], value=x, else_=0)", "case((a, 1), value=x, else_=0)"),
        ("case([w for w in whens], else_=0)", "case(*[w for w in whens], else_=0)"),
        (
            "case(\n    [\n        (a, 1),\n        (b, 2),\n    ],\n    else_=0,\n)",
            # Still valid code; the extra indentation is left to the formatter.
            "case(\n        (a, 1),\n        (b, 2),\n    else_=0,\n)",
        ),
    ],
)
def test_fix_passes_the_elements_positionally(code: str, expected: str) -> None:
    assert _fix(code) == expected


@pytest.mark.parametrize(
    "code",
    [
        "select([t], t.c.a == 1)",
        "select([t], from_obj=[other])",
        "case([(a, 1)], x)",
    ],
)
def test_legacy_extra_arguments_are_reported_without_a_fix(code: str) -> None:
    assert _count(code) == 1
    assert _fix(code) is None


@pytest.mark.parametrize(
    "code",
    [
        "select(t)",
        "select(*[t])",
        "select(columns)",
        "select(([t]))",
        "case({1: 'a'}, value=x)",
        "sa.func.select([t])",
        "t.select([t.c.a])",
    ],
)
def test_valid_or_unknown_calls_are_not_flagged(code: str) -> None:
    assert _count(code) == 0
