"""Per-file facts shared by all rules during the one batched visit."""

from __future__ import annotations

from functools import cached_property

import libcst as cst

from sqla_checks.contract.batched_visitor import BatchedVisitor
from sqla_checks.evidence.assignments import Assignment, module_assignments
from sqla_checks.evidence.bindings import Bindings, TopLevelBindings
from sqla_checks.evidence.declarative import DeclarativeIndex
from sqla_checks.evidence.imports import ImportMap, sqla_symbol
from sqla_checks.evidence.sessions import SessionIndex
from sqla_checks.evidence.sqlalchemy_api import Kind


class FileContext:
    """The file being checked, its imports, and where the visit currently is.

    The scope stacks are kept by the `ScopeEnter` and `ScopeLeave` visitors placed first
    and last in the batch, so every rule sees the enclosing functions and classes of the node it is
    visiting without paying for libcst's parent metadata.
    """

    def __init__(self, path: str, text: str, module: cst.Module) -> None:
        self.path = path
        self.text = text
        self.module = module
        self.functions: list[cst.FunctionDef] = []
        self.classes: list[cst.ClassDef] = []
        # Lambdas reset "am I in async code" just as a nested `def` does.
        self.lambda_depth = 0

    @cached_property
    def imports(self) -> ImportMap:
        """Local names -> qualified names, from the module's imports."""
        return ImportMap.of_module(self.module)

    @cached_property
    def sessions(self) -> SessionIndex:
        """Session/engine evidence (its binder runs in the batched traversal)."""
        return SessionIndex(self.module, self.imports)

    @cached_property
    def module_assignments(self) -> tuple[Assignment, ...]:
        """The module-level `name = value` / `name: T = value` statements, in order."""
        return module_assignments(self.module)

    @cached_property
    def declarative(self) -> DeclarativeIndex:
        """Which module-level classes are declarative ORM classes; built on first use only."""
        return DeclarativeIndex(self.module, self.imports, self.module_assignments)

    @cached_property
    def bindings(self) -> Bindings:
        """Scope-aware bindings; built only when a fix asks how to spell a name."""
        return Bindings(self.module)

    @cached_property
    def top_level_bindings(self) -> TopLevelBindings:
        """Which top-level statement binds each name, and how surely."""
        return TopLevelBindings.of_module(self.module)

    # -- name resolution --------------------------------------------------------
    def qualified_name(self, node: cst.BaseExpression) -> str | None:
        """The fully qualified name `node` refers to through the imports, or None."""
        return self.imports.resolve(node)

    def sqla_name(self, node: cst.BaseExpression) -> str | None:
        """The public SQLAlchemy name `node` refers to (`sa.Column` -> `Column`)."""
        return sqla_symbol(self.imports.resolve(node))

    # -- where we are -----------------------------------------------------------
    @property
    def function(self) -> cst.FunctionDef | None:
        """The innermost enclosing function, if any."""
        return self.functions[-1] if self.functions else None

    @property
    def in_async_function(self) -> bool:
        """Whether the current node runs in an `async def` body (not a nested def/lambda)."""
        function = self.function
        return function is not None and function.asynchronous is not None and not self.lambda_depth

    def kind_of(self, node: cst.BaseExpression) -> Kind | None:
        """Session/connection/engine kind of `node` at the current position, from evidence."""
        if not self.uses_sqlalchemy:
            # All evidence starts from a SQLAlchemy import; skip building the index.
            return None
        return self.sessions.kind_of(node, self.functions, self.classes)

    @cached_property
    def uses_sqlalchemy(self) -> bool:
        """Whether the module imports anything from SQLAlchemy."""
        return self.imports.imports_from("sqlalchemy")


class ScopeEnter(BatchedVisitor):
    """First visitor of the batch: pushes scopes before the rules see a node."""

    def __init__(self, context: FileContext) -> None:
        super().__init__()
        self.context = context

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.context.functions.append(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.context.classes.append(node)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.context.lambda_depth += 1


class ScopeLeave(BatchedVisitor):
    """Last visitor of the batch: pops scopes after the rules have left a node."""

    def __init__(self, context: FileContext) -> None:
        super().__init__()
        self.context = context

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.context.functions.pop()

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.context.classes.pop()

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.context.lambda_depth -= 1
