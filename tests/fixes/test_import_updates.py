"""import_updates makes the same code as libcst's AddImports/RemoveImports visitors."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from sqla_checks.contract.rule import Import
from sqla_checks.fixes import import_updates

SOURCES = [
    "x = 1\n",
    '"""Doc."""\nimport os\n\nx = 1\n',
    '"""Doc."""\nx = 1\n',
    "__strict__ = True\nfrom sqlalchemy import Column\n# note\nx = Column()\n",
    "from sqlalchemy import (\n    Column,  # c\n    String,\n)\n\nx = 1\n",
    "from sqlalchemy import *\nimport sqlalchemy\nx = 1\n",
    "import os; import sys\nfrom sqlalchemy.orm import declarative_base, sessionmaker\n"
    "Base = sessionmaker()\n",
    "from sqlalchemy.orm import declarative_base\n\nBase = object\n",
    "from sqlalchemy.orm import (\n    declarative_base,  # gone\n    sessionmaker,\n)\n"
    "S = sessionmaker\n",
    "from sqlalchemy.orm import sessionmaker, declarative_base\nS = sessionmaker\n",
    "import sqlalchemy\n",
]
ADDITIONS = [
    [Import("sqlalchemy", "select")],
    [Import("sqlalchemy.orm", "DeclarativeBase"), Import("sqlalchemy", "text")],
    [Import("sqlalchemy", None), Import("sqlalchemy", "Column")],
]
REMOVALS = [
    [Import("sqlalchemy.orm", "declarative_base")],
    [
        Import("sqlalchemy.orm", "declarative_base"),
        Import("sqlalchemy.ext.declarative", "declarative_base"),
    ],
    [Import("sqlalchemy", "Column")],
]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("imports", ADDITIONS)
def test_additions_match_libcst(source: str, imports: list[Import]) -> None:
    module = cst.parse_module(source)
    context = CodemodContext()
    for imp in imports:
        AddImportsVisitor.add_needed_import(context, imp.module, imp.name)
    expected = AddImportsVisitor(context).transform_module(module).code
    added = import_updates.add_imports(module, imports)
    assert added is not None
    assert added.code == expected


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("imports", REMOVALS)
def test_removals_match_libcst_or_defer(source: str, imports: list[Import]) -> None:
    module = cst.parse_module(source)
    context = CodemodContext()
    for imp in imports:
        RemoveImportsVisitor.remove_unused_import(context, imp.module, imp.name)
    expected = RemoveImportsVisitor(context).transform_module(module).code
    removed = import_updates.remove_unused_imports(module, imports)
    if removed is not None:
        assert removed.code == expected


def test_an_unused_import_is_removed_without_the_codemod() -> None:
    module = cst.parse_module(SOURCES[8])
    removed = import_updates.remove_unused_imports(
        module, [Import("sqlalchemy.orm", "declarative_base")]
    )
    assert removed is not None
    assert "declarative_base" not in removed.code


def test_a_name_written_twice_is_left_to_the_codemod() -> None:
    module = cst.parse_module("from sqlalchemy import text\nq = text('x')\n")
    assert import_updates.remove_unused_imports(module, [Import("sqlalchemy", "text")]) is None


def test_a_name_written_in_the_code_below_a_head_is_left_to_the_codemod() -> None:
    head = cst.parse_module("from sqlalchemy import text\n\nx = 1\n")
    unused = [Import("sqlalchemy", "text")]
    assert import_updates.remove_unused_imports(head, unused, "y = 2\n") is not None
    assert import_updates.remove_unused_imports(head, unused, "q = text('x')\n") is None
