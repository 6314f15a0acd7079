"""--explain, --list-rules, and the generated references/rules.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sqla_checks.engine.registry import all_rules
from sqla_checks.output.explain import REFERENCE_PATH, heading, render_reference, render_rule
from sqla_checks.output.explain import main as explain_main
from tests.cli.conftest import Project

REPO_ROOT = Path(__file__).resolve().parents[2]


def github_anchor(title: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    return re.sub(r"[^a-z0-9 _-]", "", title.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("key", ["ALC204", "alc204", "async-engine-sync-driver"])
def test_explain_prints_ruff_shaped_docs(project: Project, key: str) -> None:
    outcome = project.run("--explain", key)
    assert outcome.code == 0
    lines = outcome.out.splitlines()
    assert lines[0] == "# ALC204 (async-engine-sync-driver)"
    sections = [line for line in lines if line.startswith("## ")]
    assert sections == [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
        "## Fix safety",
        "## Known blind spots",
        "## References",
    ]
    assert "```python bad\n" in outcome.out
    assert 'create_async_engine("postgresql+asyncpg://' in outcome.out


def test_explain_unknown_rule_exits_two(project: Project) -> None:
    outcome = project.run("--explain", "ALC999")
    assert outcome.code == 2
    assert "no rule with code or name 'ALC999'" in outcome.err


def test_list_rules(project: Project) -> None:
    outcome = project.run("--list-rules")
    assert outcome.code == 0
    header, *rows = outcome.out.splitlines()
    assert header.split() == ["code", "name", "default", "fix", "summary"]
    assert len(rows) == len(all_rules())
    assert any(
        row.split()[:4] == ["ALC204", "async-engine-sync-driver", "on", "sometimes"] for row in rows
    )
    listed = json.loads(project.run("--list-rules", "--format", "json").out)
    assert {entry["code"] for entry in listed} == {rule.code for rule in all_rules()}


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_rule_url_points_at_its_section(rule: object) -> None:
    from sqla_checks.contract.rule import Rule

    assert isinstance(rule, type) and issubclass(rule, Rule)
    assert rule.url().split("#")[1] == github_anchor(heading(rule))
    assert f"## {heading(rule)}\n" in render_reference([rule])
    assert render_rule(rule).startswith(f"# {heading(rule)}\n")


def test_committed_rule_reference_is_up_to_date() -> None:
    committed = (REPO_ROOT / REFERENCE_PATH).read_text(encoding="utf-8")
    assert committed == render_reference(all_rules()), (
        "references/rules.md is stale: run"
        " `python -m sqla_checks.output.explain --write-reference references/rules.md`"
    )


def test_reference_generator_writes_and_checks(tmp_path: Path) -> None:
    target = tmp_path / "refs" / "rules.md"
    assert explain_main(["--check", str(target)]) == 1
    assert explain_main(["--write-reference", str(target)]) == 0
    assert explain_main(["--check", str(target)]) == 0
    target.write_text(target.read_text() + "edited by hand\n")
    assert explain_main(["--check", str(target)]) == 1
