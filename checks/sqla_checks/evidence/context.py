"""Per-file facts shared by all rules during the one batched visit."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING

import libcst as cst

from sqla_checks.contract.batched_visitor import BatchedVisitor
from sqla_checks.evidence.assignments import Assignment, module_assignments
from sqla_checks.evidence.bindings import Bindings, TopLevelBindings
from sqla_checks.evidence.declarative import DeclarativeIndex
from sqla_checks.evidence.imports import ImportMap, sqla_symbol
from sqla_checks.evidence.project_facts import ProjectFacts, facts_of_file
from sqla_checks.evidence.sessions import SessionIndex
from sqla_checks.evidence.sqlalchemy_api import Feature, Kind, Target
from sqla_checks.evidence.version_guards import VersionGuards

if TYPE_CHECKING:
    from sqla_checks.contract.rule import Fix


class FileContext:
    """The file being checked, its imports, and where the visit currently is.

    The scope stacks are kept by the `ScopeEnter` and `ScopeLeave` visitors placed first
    and last in the batch, so every rule sees the enclosing functions and classes of the node it is
    visiting without paying for libcst's parent metadata.
    """

    def __init__(
        self,
        path: str,
        text: str,
        module: cst.Module,
        *,
        target: Target | None = None,
        project: ProjectFacts | None = None,
    ) -> None:
        self.path = path
        self.text = text
        self.module = module
        # The oldest SQLAlchemy release the project runs on; None: unknown, the newest.
        self.target = target
        self._project = project
        self.functions: list[cst.FunctionDef] = []
        self.classes: list[cst.ClassDef] = []
        # Lambdas reset "am I in async code" just as a nested `def` does.
        self.lambda_depth = 0
        # The top-level statement being visited (None before and after the body).
        self.statement: cst.BaseStatement | None = None

    def enter_statement(self, statement: cst.BaseStatement | None) -> None:
        """Called by the walk before each top-level statement, and with None after."""
        self.statement = statement

    @cached_property
    def project(self) -> ProjectFacts:
        """Facts of the whole run; a file checked on its own is its own project."""
        if self._project is not None:
            return self._project
        return facts_of_file(self.path, self.text.encode())

    @cached_property
    def imports(self) -> ImportMap:
        """Local names -> qualified names, from the module's imports."""
        index = self.project.index
        package = os.path.basename(self.path) == "__init__.py"
        return ImportMap.of_module(self.module, index, index.module_of(self.path), package)

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
    def version_guards(self) -> VersionGuards:
        """Code under `if <SQLAlchemy version test>` or `try: import ... except ImportError`."""
        return VersionGuards(self.module, self.text, self.imports, self.module_assignments)

    def fix_withheld(self, node: cst.CSTNode, fix: Fix, needs: Sequence[Feature]) -> str | None:
        """Why `fix` of a finding on `node` must not be offered, or None when it may be.

        A fix may not write an API the target release lacks (`needs`), rewrite code under
        a version guard, or touch a name that a guard binds: such a module also runs on
        releases the fix would break.
        """
        target = self.target
        missing = [feature for feature in needs if target is not None and target.lacks(feature)]
        if target is not None and missing:
            newest = max(missing, key=lambda feature: feature.since)
            return (
                f"the fix needs SQLAlchemy {newest.since} for {newest.api},"
                f" and the project targets {target.label}"
            )
        guards = self.version_guards
        if guards.covers(node):
            return "the code is under a SQLAlchemy version guard"
        names = [name for feature in needs for name in feature.names]
        names += [imp.name or imp.module.partition(".")[0] for imp in fix.imports]
        names += [imp.name or imp.module.partition(".")[0] for imp in fix.unused_imports]
        for name in names:
            if guards.binds(name):
                return f"`{name}` is bound under a SQLAlchemy version guard"
        return None

    @cached_property
    def bindings(self) -> Bindings:
        """Scope-aware bindings; built only when a fix asks how to spell a name."""
        return Bindings(self.module)

    def built_bindings(self) -> Bindings | None:
        """`bindings` if something already built them (they cost a pass over the module)."""
        built = self.__dict__.get("bindings")
        return built if isinstance(built, Bindings) else None

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
        """Whether the module imports anything from SQLAlchemy or Flask-SQLAlchemy, or a
        project name the index knows as one of theirs."""
        imports = self.imports
        return (
            imports.imports_from("sqlalchemy")
            or imports.imports_from("flask_sqlalchemy")
            or imports.imports_project_facts()
        )


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
