"""The cached visitor lookup finds exactly the methods libcst's own lookup finds."""

from __future__ import annotations

import libcst as cst
import pytest

from sqla_checks.contract.rule import Rule
from sqla_checks.engine.registry import all_rules
from sqla_checks.engine.unused_noqa import UNUSED_NOQA
from sqla_checks.evidence.context import FileContext, ScopeEnter, ScopeLeave

# Unused-noqa visits nothing: its check runs in the engine, after every other rule.
VISITING_RULES = [rule for rule in all_rules() if rule.code != UNUSED_NOQA]


@pytest.mark.parametrize("visitor_class", [*VISITING_RULES, ScopeEnter, ScopeLeave], ids=str)
def test_cached_lookup_matches_libcst(visitor_class: type[Rule]) -> None:
    context = FileContext("example.py", "", cst.parse_module(""))
    visitor = visitor_class(context)
    uncached = cst.BatchableCSTVisitor.get_visitors(visitor)
    assert set(visitor.get_visitors()) == set(uncached)
    assert uncached, "a visitor with no visit/leave methods does nothing"
