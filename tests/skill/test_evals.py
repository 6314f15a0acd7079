"""The skill's evaluation material: well formed, balanced, split once, about real files.

The files live in `skills/evals/sqlalchemy-postgres/`, outside the skill folder, so no
install route ships them (the route tests check the installed file sets exactly).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from sqla_checks.skill import SKILL_NAME
from tests.docs.markdown import REPO_ROOT

EVALS = REPO_ROOT / "skills" / "evals" / SKILL_NAME
SCHEMAS = Path(__file__).parent / "schemas"
SPLITS = {"train": EVALS / "triggers.train.json", "validation": EVALS / "triggers.validation.json"}
# The near misses the trigger set must contain, by a word each one's query uses.
NEAR_MISSES = {
    "SQLite-only scripts": "sqlite",
    "Django ORM": "django",
    "SQLModel-only questions": "sqlmodel",
    "Prisma": "prisma",
    "MongoDB": "mongo",
    "PostgreSQL server tuning": "tuning",
    "pandas df.query": "df.query",
    "Redis": "redis",
}
# What the task evals' expectations must make a grader run, across the set.
GRADED_COMMANDS = (
    "sqla-checks",
    "pytest",
    "alembic upgrade head && alembic downgrade",
    "alembic check",
    "mypy --strict",
)


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _validator(name: str) -> Draft202012Validator:
    schema = _load(SCHEMAS / name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(schema: str, document: object) -> list[str]:
    return [error.message for error in _validator(schema).iter_errors(document)]


def _normalised(query: str) -> str:
    return re.sub(r"\s+", " ", query.strip().lower())


def test_evals_json_follows_skill_creators_format() -> None:
    assert _errors("evals.schema.json", _load(EVALS / "evals.json")) == []


@pytest.mark.parametrize("split", sorted(SPLITS))
def test_trigger_sets_follow_skill_creators_format(split: str) -> None:
    assert _errors("triggers.schema.json", _load(SPLITS[split])) == []


def test_the_schemas_reject_what_the_format_does_not_allow() -> None:
    an_eval = {"id": 1, "prompt": "p", "expected_output": "o", "expectations": ["e"]}
    assert _errors("evals.schema.json", {"skill_name": SKILL_NAME, "evals": [an_eval]}) == []
    no_expectations = {key: value for key, value in an_eval.items() if key != "expectations"}
    assert _errors("evals.schema.json", {"skill_name": SKILL_NAME, "evals": [no_expectations]})
    assert _errors("evals.schema.json", {"skill_name": "Not A Name", "evals": [an_eval]})
    assert _errors("triggers.schema.json", [{"query": "q", "should_trigger": "yes"}])
    assert _errors("triggers.schema.json", [{"query": "q", "should_trigger": True, "x": 1}])


def test_evals_name_the_skill_they_evaluate() -> None:
    assert _load(EVALS / "evals.json")["skill_name"] == SKILL_NAME == EVALS.name
    frontmatter = (REPO_ROOT / "skills" / SKILL_NAME / "SKILL.md").read_text(encoding="utf-8")
    assert f"\nname: {SKILL_NAME}\n" in frontmatter


def test_there_are_enough_distinct_task_evals() -> None:
    evals = _load(EVALS / "evals.json")["evals"]
    assert len(evals) >= 8
    assert len({e["id"] for e in evals}) == len(evals), "ids repeat"
    assert len({_normalised(e["prompt"]) for e in evals}) == len(evals), "prompts repeat"


def test_every_file_an_eval_names_exists() -> None:
    missing = [
        f"eval {e['id']}: {name}"
        for e in _load(EVALS / "evals.json")["evals"]
        for name in e.get("files", [])
        if not (REPO_ROOT / name).is_file()
    ]
    assert missing == []


def test_expectations_make_the_grader_run_every_verification_command() -> None:
    expectations = " ".join(
        text for e in _load(EVALS / "evals.json")["evals"] for text in e["expectations"]
    )
    assert [command for command in GRADED_COMMANDS if command not in expectations] == []


def test_trigger_set_is_large_balanced_and_split_sixty_forty() -> None:
    splits = {name: _load(path) for name, path in SPLITS.items()}
    total = sum(len(queries) for queries in splits.values())
    assert total >= 40
    assert len(splits["train"]) * 5 == total * 3  # 60% train, 40% validation
    for name, queries in splits.items():
        positives = sum(1 for query in queries if query["should_trigger"])
        assert positives * 2 == len(queries), f"{name}: {positives} of {len(queries)} trigger"


def test_no_query_repeats_within_or_across_the_split() -> None:
    queries = [_normalised(q["query"]) for path in SPLITS.values() for q in _load(path)]
    assert len(set(queries)) == len(queries)


def test_near_misses_cover_every_neighbouring_tool() -> None:
    queries = [q for path in SPLITS.values() for q in _load(path)]
    negatives = " ".join(q["query"].lower() for q in queries if not q["should_trigger"])
    assert [kind for kind, word in NEAR_MISSES.items() if word not in negatives] == []


def test_no_skill_hides_in_the_evals_folder() -> None:
    # Installers take any folder with a SKILL.md for a skill; the evals must not be one.
    assert list((REPO_ROOT / "skills" / "evals").rglob("SKILL.md")) == []
