"""All rules, found by importing every module of `sqla_checks.rules`, and rule selection."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable, Sequence
from functools import cache

from sqla_checks import rules as rules_package
from sqla_checks.contract.rule import Rule


class SelectionError(ValueError):
    """A `--select`/`--ignore` entry that names no rule."""


@cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, ordered by code."""
    found: dict[str, type[Rule]] = {}
    for info in pkgutil.iter_modules(rules_package.__path__):
        module = importlib.import_module(f"{rules_package.__name__}.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Rule) and obj is not Rule and obj.__module__ == module.__name__:
                if obj.code in found and found[obj.code] is not obj:
                    raise RuntimeError(f"duplicate rule code {obj.code}")
                found[obj.code] = obj
    return tuple(found[code] for code in sorted(found))


def rule_by_code_or_name(key: str) -> type[Rule] | None:
    """Look a rule up by code (`ALC101`) or kebab name (`legacy-query-api`)."""
    for rule in all_rules():
        if key.upper() == rule.code or key == rule.name:
            return rule
    return None


def _matches(rule: type[Rule], selector: str) -> bool:
    selector = selector.strip()
    if selector.upper() == "ALL":
        return True
    return rule.code.startswith(selector.upper()) or rule.name == selector


def validate_selectors(selectors: Iterable[str], where: str) -> None:
    """Raise SelectionError for a selector that matches no rule."""
    for selector in selectors:
        if not any(_matches(rule, selector) for rule in all_rules()):
            raise SelectionError(f"{where}: {selector!r} matches no rule (see --list-rules)")


def select_rules(
    select: Sequence[str] | None,
    ignore: Sequence[str] = (),
    rules: Sequence[type[Rule]] | None = None,
) -> tuple[type[Rule], ...]:
    """Rules enabled by `select` (default: all default-enabled) minus `ignore`.

    Like ruff, an explicit selector of a rule turns on even an off-by-default rule,
    but only when it names that rule's code or a prefix longer than the family.
    """
    pool = all_rules() if rules is None else tuple(rules)
    chosen: list[type[Rule]] = []
    for rule in pool:
        if select is None:
            enabled = rule.default_enabled
        else:
            enabled = any(
                _matches(rule, s) and (rule.default_enabled or _names_rule_exactly(rule, s))
                for s in select
            )
        if enabled and not any(_matches(rule, s) for s in ignore):
            chosen.append(rule)
    return tuple(chosen)


def _names_rule_exactly(rule: type[Rule], selector: str) -> bool:
    return selector.upper() == rule.code or selector == rule.name
