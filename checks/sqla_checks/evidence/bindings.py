"""What a name means at one place of a module, scope by scope (libcst's scope analysis).

Parameters, locals, class attributes, comprehension variables, `global`/`nonlocal`
and imports inside functions all count, as Python resolves them. Building the scopes
walks the whole module, so `FileContext.bindings` makes it only when a fix asks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import (
    BaseAssignment,
    BuiltinAssignment,
    ClassScope,
    ComprehensionScope,
    FunctionScope,
    GlobalScope,
    ImportAssignment,
    MetadataWrapper,
    Scope,
    ScopeProvider,
)

from sqla_checks.contract import tree_walk
from sqla_checks.evidence.imports import dotted_name


@dataclass(frozen=True)
class Binding:
    """One statement that may give `name` its value where it is read.

    `imported` is the qualified name an import binds it to (`sqlalchemy.select`), None
    for anything else; `where` says in words what binds it, for messages.
    """

    imported: str | None
    where: str


class Bindings:
    """The scopes of one module, and what a name is bound to at a node."""

    def __init__(self, module: cst.Module) -> None:
        # unsafe_skip_copy: the rules hold nodes of this very tree, so no copy.
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self._scopes = wrapper.resolve(ScopeProvider)
        self.star_imports = tuple(_star_imports(module))

    @property
    def scopes(self) -> Mapping[cst.CSTNode, Scope | None]:
        """libcst's scope of each node of the module."""
        return self._scopes

    def _scope(self, node: cst.CSTNode) -> Scope | None:
        return self._scopes.get(node)

    def visible(self, name: str, node: cst.CSTNode) -> tuple[Binding, ...] | None:
        """What may bind `name` where `node` is evaluated (empty: nothing does);
        None when the node is not part of the module."""
        scope = self._scope(node)
        if scope is None:
            return None
        return tuple(
            sorted({_binding(a) for a in scope[name]}, key=lambda b: (b.where, b.imported or ""))
        )

    def imports_visible(self, node: cst.CSTNode) -> dict[str, str]:
        """Local name -> qualified name, for names that, at `node`, only imports bind
        (each of them to the same object)."""
        scope = self._scope(node)
        if scope is None:
            return {}
        names: dict[str, str] = {}
        candidates = {
            assignment.name
            for current in _chain(scope)
            for assignment in current.assignments
            if isinstance(assignment, ImportAssignment)
        }
        for name in sorted(candidates):
            bound = {_binding(a).imported for a in scope[name]}
            if len(bound) == 1:
                (imported,) = bound
                if imported is not None:
                    names[name] = imported
        return names

    def read_unbound(self, name: str) -> bool:
        """Whether the module reads `name` somewhere nothing binds it (a builtin, a
        star import's or a NameError): a new module-level import would change that."""
        seen: set[int] = set()
        for scope in self._scopes.values():
            if scope is None or id(scope) in seen:
                continue
            seen.add(id(scope))
            for access in scope.accesses[name]:
                referents = access.referents
                if not referents or any(isinstance(a, BuiltinAssignment) for a in referents):
                    return True
        return False


def _chain(scope: Scope) -> list[Scope]:
    """The scope and its parents up to the module (class scopes included: the caller
    resolves each name through libcst, which skips them where Python does)."""
    chain = [scope]
    while not isinstance(chain[-1], GlobalScope):
        chain.append(chain[-1].parent)
    return chain


def _binding(assignment: BaseAssignment) -> Binding:
    if isinstance(assignment, BuiltinAssignment):
        return Binding(None, "a builtin")
    where = _scope_words(assignment.scope)
    if isinstance(assignment, ImportAssignment):
        return Binding(_imported(assignment), f"an import {where}")
    node = getattr(assignment, "node", None)
    if isinstance(node, cst.Param):
        return Binding(None, f"a parameter {where}")
    if isinstance(assignment.scope, ComprehensionScope):
        return Binding(None, "a comprehension variable")
    if isinstance(node, cst.FunctionDef):
        return Binding(None, f"a function {where}")
    if isinstance(node, cst.ClassDef):
        return Binding(None, f"a class {where}")
    return Binding(None, f"an assignment {where}")


def _scope_words(scope: Scope) -> str:
    if isinstance(scope, FunctionScope) and scope.name:
        return f"in `{scope.name}`"
    if isinstance(scope, ClassScope) and scope.name:
        return f"in class `{scope.name}`"
    if isinstance(scope, GlobalScope):
        return "at module level"
    return "in a lambda or comprehension"


def _imported(assignment: ImportAssignment) -> str | None:
    """The qualified name an import statement binds `assignment.name` to."""
    statement = assignment.node
    if not isinstance(statement, cst.Import | cst.ImportFrom) or isinstance(
        statement.names, cst.ImportStar
    ):
        return None
    base = None
    if isinstance(statement, cst.ImportFrom):
        if statement.relative or statement.module is None:
            return None
        base = dotted_name(statement.module)
    for alias in statement.names:
        full = dotted_name(alias.name)
        if full is None:
            continue
        local = dotted_name(alias.asname.name) if alias.asname is not None else None
        if base is not None:
            if (local or full) == assignment.name:
                return f"{base}.{full}"
        elif local == assignment.name:
            return full
        elif local is None and full.split(".")[0] == assignment.name:
            return assignment.name  # `import a.b` binds `a`
    return None


def _star_imports(module: cst.Module) -> list[str]:
    """The modules of `from m import *` statements (only legal at module level)."""
    found: list[str] = []
    pending: list[cst.CSTNode] = list(module.body)
    while pending:
        node = pending.pop()
        if isinstance(node, cst.ImportFrom) and isinstance(node.names, cst.ImportStar):
            found.append(dotted_name(node.module) or "" if node.module else "")
        elif isinstance(node, cst.SimpleStatementLine | cst.IndentedBlock):
            pending.extend(node.body)
        elif isinstance(node, cst.If | cst.Try | cst.Else | cst.ExceptHandler | cst.Finally):
            pending.extend(
                c for c in tree_walk.children(node) if not isinstance(c, cst.BaseExpression)
            )
    return found


# How a top-level statement binds a name: always, only for type checkers, or maybe.
ALWAYS = "always"
CONDITIONAL = "conditional"
TYPE_CHECKING_ONLY = "type-checking"


@dataclass
class TopLevelBindings:
    """Where the module binds each name: the index of the top-level statement that
    binds it, and whether it always does, only for type checkers, or conditionally.

    What a class body sees when it runs (ALC104: is an annotation's name bound yet)
    depends on statement order, which the scopes above do not record.
    """

    names: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    # Index of the first star import that runs (names it binds are unknown).
    star_import: int | None = None

    @classmethod
    def of_module(cls, module: cst.Module) -> TopLevelBindings:
        bindings = cls()
        for index, statement in enumerate(module.body):
            bindings._statement(statement, index, ALWAYS)
        return bindings

    def _add(self, name: str, index: int, kind: str) -> None:
        self.names.setdefault(name, []).append((index, kind))

    def _statement(self, statement: cst.CSTNode, index: int, kind: str) -> None:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                self._small(small, index, kind)
        elif isinstance(statement, cst.FunctionDef | cst.ClassDef):
            self._add(statement.name.value, index, kind)
        elif isinstance(statement, cst.If) and _is_type_checking(statement.test):
            inner = TYPE_CHECKING_ONLY if kind == ALWAYS else kind
            self._suite(statement.body, index, inner)
            if statement.orelse is not None:
                self._suite(
                    statement.orelse,
                    index,
                    TYPE_CHECKING_ONLY if kind == TYPE_CHECKING_ONLY else CONDITIONAL,
                )
        elif isinstance(statement, cst.BaseCompoundStatement):
            # if/try/with/for/while/match: what they bind may not be bound at all.
            inner = TYPE_CHECKING_ONLY if kind == TYPE_CHECKING_ONLY else CONDITIONAL
            for child in tree_walk.children(statement):
                self._suite(child, index, inner)

    def _suite(self, node: cst.CSTNode, index: int, kind: str) -> None:
        if isinstance(node, cst.IndentedBlock):
            for statement in node.body:
                self._statement(statement, index, kind)
        elif isinstance(node, cst.SimpleStatementSuite):
            for small in node.body:
                self._small(small, index, kind)
        elif isinstance(node, cst.If | cst.BaseCompoundStatement):
            self._statement(node, index, kind)
        elif isinstance(
            node, cst.Else | cst.ExceptHandler | cst.ExceptStarHandler | cst.Finally | cst.MatchCase
        ):
            self._suite(node.body, index, kind)

    def _small(self, small: cst.BaseSmallStatement, index: int, kind: str) -> None:
        if isinstance(small, cst.Import):
            for alias in small.names:
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self._add(alias.asname.name.value, index, kind)
                else:
                    dotted = dotted_name(alias.name)
                    if dotted is not None:
                        self._add(dotted.split(".")[0], index, kind)
        elif isinstance(small, cst.ImportFrom):
            if isinstance(small.names, cst.ImportStar):
                if kind != TYPE_CHECKING_ONLY and self.star_import is None:
                    self.star_import = index
                return
            for alias in small.names:
                bound = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(bound, cst.Name):
                    self._add(bound.value, index, kind)
        elif isinstance(small, cst.Assign):
            for target in small.targets:
                for name in _target_names(target.target):
                    self._add(name, index, kind)
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            for name in _target_names(small.target):
                self._add(name, index, kind)


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, cst.Tuple | cst.List):
        names: list[str] = []
        for element in target.elements:
            names += _target_names(element.value)
        return names
    return []


def _is_type_checking(test: cst.BaseExpression) -> bool:
    """`TYPE_CHECKING` or `typing.TYPE_CHECKING` (any module's)."""
    dotted = dotted_name(test)
    return dotted is not None and dotted.split(".")[-1] == "TYPE_CHECKING"
