"""The text prefilter: a file no rule could match is never parsed."""

from __future__ import annotations

import pytest

from sqla_checks.engine.registry import all_rules
from sqla_checks.engine.runner import check_source

# Would not parse (the trailing `(`): an error proves the parser ran.
UNPARSEABLE_TAIL = "\nbroken = (\n"


@pytest.mark.claim("readme-prefilter")
def test_plain_code_with_common_words_is_not_parsed() -> None:
    plain = (
        "import inspect\n\n"
        "class Column:\n    width = 10\n\n"
        "def describe(obj: object) -> str:\n    return str(inspect.signature(obj))\n"
    )
    result = check_source("table.py", (plain + UNPARSEABLE_TAIL).encode(), all_rules())
    assert result.error is None
    assert result.findings == []


def test_sqlalchemy_code_is_parsed() -> None:
    code = "from sqlalchemy import Column\n" + UNPARSEABLE_TAIL
    result = check_source("models.py", code.encode(), all_rules())
    assert result.error is not None
    assert "cannot parse" in result.error.reason
