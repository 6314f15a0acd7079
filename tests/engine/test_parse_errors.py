"""A parse error is reported at the one position its reason talks about."""

from __future__ import annotations

import libcst as cst
import pytest

from sqla_checks.contract.finding import FileError
from sqla_checks.engine.parse_errors import parse_error


def _libcst_error(text: str) -> cst.ParserSyntaxError:
    with pytest.raises(cst.ParserSyntaxError) as caught:
        cst.parse_module(text)
    return caught.value


def test_python_describes_a_file_python_rejects() -> None:
    text = "import x\n(\n"
    error = parse_error("broken.py", text, _libcst_error(text))
    assert error == FileError("broken.py", "cannot parse file: '(' was never closed", 2, 1)


def test_libcst_position_comes_from_its_own_message_when_python_accepts_the_file() -> None:
    # Syntax newer than libcst: Python compiles the text, so libcst's report stands,
    # placed where its message says (0-based column there, 1-based here).
    text = "x = 1\n"
    libcst_only = cst.ParserSyntaxError(
        "parser error: error at 1:4: expected NAME", lines=[text], raw_line=1, raw_column=0
    )
    error = parse_error("new.py", text, libcst_only)
    assert error == FileError("new.py", "cannot parse file: expected NAME", 1, 5)


def test_a_libcst_message_without_a_position_keeps_libcsts_own() -> None:
    text = "x = 1\n"
    tokenizer = cst.ParserSyntaxError(
        "tokenizer error: odd", lines=[text], raw_line=1, raw_column=2
    )
    error = parse_error("new.py", text, tokenizer)
    assert error == FileError("new.py", "cannot parse file: tokenizer error: odd", 1, 3)
