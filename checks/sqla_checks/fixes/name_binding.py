"""May a fix write `select`, `func` or `text` here, and how: the name-binding answers.

A fix that introduces a SQLAlchemy name must not pick up something else the module
binds under that name. Each answer is a `Spelling`: the expression to write and the
imports it needs, or None when no spelling is provably SQLAlchemy's.

Two answers exist today, with different reach, and are kept as they are so that fixes
behave as before: `spelling_by_definitions` looks for definitions of the name in the
source text (ALC101's rewrite), `spelling_by_name_use` for any use of the bare name
in the tree (ALC109). One scope-aware answer replacing both is planned (issue 10).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from sqla_checks.contract.rule import Import
from sqla_checks.evidence.context import FileContext

# Modules commonly imported as an alias of `sqlalchemy`, for `sa.select(...)`.
SQLALCHEMY_ALIASES = ("sa", "sqlalchemy", "sqla")


@dataclass(frozen=True)
class Spelling:
    """How to write a SQLAlchemy name at the fix's position, and what to import for it."""

    expression: cst.BaseExpression
    imports: tuple[Import, ...] = ()


def spelling_by_definitions(context: FileContext, name: str) -> Spelling | None:
    """`name` as imported, through a `sa.` alias, or newly imported if nothing defines it.

    A `def`/`class`/assignment of `name` anywhere in the text blocks the new import.
    """
    if context.sqla_name(cst.Name(name)) == name:
        return Spelling(cst.Name(name), (Import("sqlalchemy", name),))
    if context.qualified_name(cst.Name(name)) is not None:
        return None  # bound to something else (`import select`, another library)
    alias = _sqlalchemy_alias(context)
    if alias is not None:
        return Spelling(cst.Attribute(value=cst.Name(alias), attr=cst.Name(name)))
    if re.search(rf"\b(def|class)\s+{name}\b|\b{name}\s*(=|:[^=])", context.text):
        return None  # a local definition would shadow the import
    return Spelling(cst.Name(name), (Import("sqlalchemy", name),))


def spelling_by_name_use(context: FileContext, name: str) -> Spelling | None:
    """`name` as imported, newly imported if the bare name appears nowhere, or `sa.name`."""
    if context.sqla_name(cst.Name(name)) == name:
        return Spelling(cst.Name(name))
    if context.qualified_name(cst.Name(name)) is None:
        finder = _NameUse(name)
        context.module.visit(finder)
        if not finder.found:
            return Spelling(cst.Name(name), (Import("sqlalchemy", name),))
    alias = _sqlalchemy_alias(context)
    if alias is not None:
        return Spelling(cst.Attribute(value=cst.Name(alias), attr=cst.Name(name)))
    return None


def _sqlalchemy_alias(context: FileContext) -> str | None:
    for alias in SQLALCHEMY_ALIASES:
        if context.qualified_name(cst.Name(alias)) == "sqlalchemy":
            return alias
    return None


class _NameUse(cst.CSTVisitor):
    """Whether a bare name is used or bound anywhere (attribute and keyword names aside)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.found = False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.found = True

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False
