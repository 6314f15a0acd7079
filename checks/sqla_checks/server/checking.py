"""Checking one editor buffer with the settings of the file it will be saved as.

The one place the server asks the engine for a check: when engine/api.py gains a
function that checks one in-memory document with its file's settings, this module
becomes a call to it.
"""

from __future__ import annotations

from pathlib import Path

from sqla_checks.cli import resolve_rules
from sqla_checks.contract.finding import FileResult
from sqla_checks.engine import registry
from sqla_checks.engine.api import CheckPlan
from sqla_checks.engine.config import load_config
from sqla_checks.engine.runner import RunOptions, check_source


def check_document(
    path: Path, text: str, *, with_edits: bool = False, fix: bool = False
) -> FileResult:
    """Check `text` as the content of `path`: the nearest configuration of `path` and its
    per-file ignores. Raises ConfigError for a broken configuration.
    """
    config = load_config(cwd=path.parent)
    rules = resolve_rules(config)
    plan = CheckPlan(
        rule_codes=tuple(rule.code for rule in rules),
        root=config.root,
        per_file_ignores=config.per_file_ignores,
    )
    kept = set(plan.codes_for(str(path)))
    options = RunOptions(fix=fix, with_edits=with_edits)
    selected = [rule for rule in registry.all_rules() if rule.code in kept]
    return check_source(str(path), text.encode("utf-8"), selected, options)
