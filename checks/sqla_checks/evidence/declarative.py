"""Which classes of a module are declarative ORM classes, from evidence only.

A rule about model attributes must not fire on a plain class that happens to hold a
`Column`. libcst has no types, so this module looks at what the file itself says
about each module-level class:

- its bases include a name assigned here from `declarative_base()` or
  `<registry>.generate_base()`, or a class decorated with `@as_declarative()`;
- its bases include `DeclarativeBase` / `DeclarativeBaseNoMeta` (the class is then a
  declarative base, and its subclasses are mapped);
- it is decorated with `@<registry>.mapped` / `@<registry>.mapped_as_dataclass`;
- its body assigns `__tablename__` (the base may live in another module);
- it inherits from a class already recognised above;
- it is used as a base (a mixin) by a class recognised above, or decorated with
  `@declarative_mixin`;
- through the project index: a base imported from another module (or Flask-SQLAlchemy's
  `db.Model`) is a declarative base or mapped class there, or this class is used as a
  mixin by a mapped class of another module.

Classes defined inside functions count on narrower evidence (`evidence.local_flask_db`):
a base `db.Model` where `db` is a local of the enclosing functions proven to be a
Flask-SQLAlchemy object, a base bound in the function only by `declarative_base()`,
or a class of the same function recognised so. `function_model` says which proof
it rests on. Classes under module-level `if` blocks are not considered. Without
the index (a file checked on its own, no project), a class whose base is imported and
which has no `__tablename__` of its own is not recognised: a missed finding is better
than a false one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import libcst as cst

from sqla_checks.contract import tree_walk
from sqla_checks.evidence.assignments import Assignment, assigned_name, simple_assignment
from sqla_checks.evidence.imports import ImportMap, dotted_name, sqla_symbol
from sqla_checks.evidence.local_flask_db import FunctionLocals
from sqla_checks.evidence.project_index import ModelClass

_BASE_CLASSES = {"DeclarativeBase", "DeclarativeBaseNoMeta"}
_BASE_FACTORIES = {"declarative_base"}
_MAPPING_DECORATORS = {"mapped", "mapped_as_dataclass"}
# How many classes of one function a subclass may stand on (`class C(B)`, `class B(A)`).
_MAX_LOCAL_DEPTH = 20


@dataclass(frozen=True)
class FunctionModel:
    """A class of a function body recognised as a model, and what proves it."""

    # Set when only the calls of this function prove it: the class subclasses the
    # `db.Model` of a parameter `db` that every call the run sees passes a
    # Flask-SQLAlchemy object for (`def create_models(db): class M(db.Model)`).
    callers_of: str | None = None


class DeclarativeIndex:
    """The module-level classes of one module that take part in declarative mapping."""

    def __init__(
        self, module: cst.Module, imports: ImportMap, assignments: Sequence[Assignment]
    ) -> None:
        """Index `module`, given its imports and its `module_assignments`."""
        self._imports = imports
        self._module = module
        self.classes: dict[str, cst.ClassDef] = {}
        self._declarative: set[str] = set()
        # Classes whose whole declarative hierarchy is visible here and plain: rooted in
        # a base of this module, with no dataclass mapping anywhere in the chain.
        self._plain: set[str] = set()
        base_names, registries = self._base_and_registry_names(module, assignments)
        for statement in module.body:
            if isinstance(statement, cst.ClassDef):
                self.classes.setdefault(statement.name.value, statement)
        for node in self.classes.values():
            name = node.name.value
            if self._is_declarative(node, base_names, registries):
                self._declarative.add(name)
                if self._is_plain(node, base_names, registries):
                    self._plain.add(name)
        # Bases and mapped classes, before mixins join them below.
        self._mapped = frozenset(self._declarative) | frozenset(base_names)
        for name in self.classes:
            # Mixins of mapped classes of other modules (from the project index).
            fact = imports.fact_of(cst.Name(name))
            if isinstance(fact, ModelClass) and not fact.imperative:
                self._declarative.add(name)
        # Mixins: classes of this module used as bases by a declarative class.
        changed = True
        while changed:
            changed = False
            for node in self.classes.values():
                if node.name.value not in self._declarative:
                    continue
                for base in _base_names(node):
                    if base in self.classes and base not in self._declarative:
                        self._declarative.add(base)
                        changed = True

    def is_declarative(self, node: cst.ClassDef) -> bool:
        """Whether `node` is a module-level class recognised as declarative."""
        return self.classes.get(node.name.value) is node and node.name.value in self._declarative

    # -- classes defined inside functions ------------------------------------------
    @cached_property
    def _function_classes(self) -> dict[cst.ClassDef, tuple[cst.FunctionDef, ...]]:
        """Each class statement of a function body, with its enclosing functions."""
        found: dict[cst.ClassDef, tuple[cst.FunctionDef, ...]] = {}
        _collect_function_classes(self._module.body, (), found)
        return found

    @cached_property
    def function_locals(self) -> FunctionLocals:
        """What the module's functions bind (Flask-SQLAlchemy objects among them)."""
        top = [s for s in self._module.body if isinstance(s, cst.FunctionDef)]
        return FunctionLocals(self._imports, top)

    def enclosing_functions(self, node: cst.ClassDef) -> tuple[cst.FunctionDef, ...] | None:
        """The functions `node` is defined in (outermost first), if it is a class
        statement of a function body (not nested in another class)."""
        return self._function_classes.get(node)

    def function_model(self, node: cst.ClassDef) -> FunctionModel | None:
        """Whether a class of a function body is a model, and what proves it: a base
        `db.Model` of a local Flask-SQLAlchemy `db` (proven by the function's body or
        by its callers), of the module's `db`, a declarative class of the module, a
        base the function binds from `declarative_base()`, or a model class of the same
        function."""
        return self._function_model(node, 0)

    def _function_model(self, node: cst.ClassDef, depth: int) -> FunctionModel | None:
        functions = self._function_classes.get(node)
        if functions is None or depth > _MAX_LOCAL_DEPTH:
            return None
        scopes = self.function_locals
        for arg in node.bases:
            if arg.keyword is not None:
                continue
            base = arg.value
            head = dotted_name(base)
            if head is None:
                continue
            first, _, rest = head.partition(".")
            if not scopes.binds(first, functions):
                # Bound at module level: the module's own evidence.
                if (not rest and first in self._mapped) or self._is_model_fact(base):
                    return FunctionModel()
            elif rest == "Model":
                db = scopes.flask_db(first, functions)
                if db is not None:
                    return FunctionModel(db.function if db.proof == "callers" else None)
            elif not rest:
                if scopes.local_base_call(first, functions) in _BASE_FACTORIES:
                    return FunctionModel()
                parent = scopes.local_class(first, functions)
                if parent is not None and parent is not node:
                    found = self._function_model(parent, depth + 1)
                    if found is not None:
                        return found
        return None

    def _is_model_fact(self, base: cst.BaseExpression) -> bool:
        fact = self._imports.fact_of(base)
        return isinstance(fact, ModelClass) and not fact.mixin and not fact.imperative

    def is_plain_mapped(self, node: cst.ClassDef) -> bool:
        """Whether `node` maps through a base defined here, with no dataclass mapping.

        Mixins are never "plain": the classes using them decide how they are mapped.
        """
        return self.classes.get(node.name.value) is node and node.name.value in self._plain

    def has_query_property(self, node: cst.BaseExpression) -> bool:
        """Whether `node` names a mapped class whose `node.query` is a legacy Query.

        From the project index: a subclass of Flask-SQLAlchemy's `db.Model`, or of a
        class given `query = <scoped_session>.query_property()`, in any module.
        """
        fact = self._imports.fact_of(node)
        return isinstance(fact, ModelClass) and fact.query and not fact.mixin

    def is_declarative_name(self, name: str) -> bool:
        """Whether `name` is a module-level class recognised as declarative."""
        return name in self._declarative

    def _is_declarative(
        self, node: cst.ClassDef, base_names: set[str], registries: set[str]
    ) -> bool:
        for arg in node.bases:
            if arg.keyword is not None:
                continue
            if isinstance(arg.value, cst.Name) and (
                arg.value.value in base_names or arg.value.value in self._declarative
            ):
                return True
            if self._sqla(arg.value) in _BASE_CLASSES:
                return True
            fact = self._imports.fact_of(arg.value)
            if isinstance(fact, ModelClass) and not fact.mixin and not fact.imperative:
                return True
        for decorator in node.decorators:
            target = decorator.decorator
            if isinstance(target, cst.Call):
                target = target.func
            if self._sqla(target) in {"as_declarative", "declarative_mixin"}:
                return True
            if (
                isinstance(target, cst.Attribute)
                and target.attr.value in _MAPPING_DECORATORS
                and isinstance(target.value, cst.Name)
                and target.value.value in registries
            ):
                return True
        return _assigns_tablename(node)

    def _is_plain(self, node: cst.ClassDef, base_names: set[str], registries: set[str]) -> bool:
        rooted = False
        for decorator in node.decorators:
            target = decorator.decorator
            if (
                isinstance(target, cst.Attribute)
                and target.attr.value == "mapped"
                and isinstance(target.value, cst.Name)
                and target.value.value in registries
            ):
                rooted = True
            else:
                return False
        for arg in node.bases:
            if arg.keyword is not None:
                return False
            name = self._sqla(arg.value)
            local = arg.value.value if isinstance(arg.value, cst.Name) else None
            if name == "MappedAsDataclass":
                return False
            if name in _BASE_CLASSES or local in base_names or local in self._plain:
                rooted = True
            elif not (isinstance(arg.value, cst.Name) and arg.value.value in self.classes):
                # A base from elsewhere could bring dataclass mapping with it.
                return False
        return rooted

    def _base_and_registry_names(
        self, module: cst.Module, assignments: Sequence[Assignment]
    ) -> tuple[set[str], set[str]]:
        """Names bound at module level to a declarative base class or a registry."""
        registries: set[str] = set()
        bases: set[str] = set()
        for statement in module.body:
            if isinstance(statement, cst.ClassDef):
                for decorator in statement.decorators:
                    target = decorator.decorator
                    if isinstance(target, cst.Call):
                        target = target.func
                    if self._sqla(target) == "as_declarative":
                        bases.add(statement.name.value)
        # In source order: `Base = reg.generate_base()` needs `reg = registry()` first.
        for _, name, value in assignments:
            if not isinstance(value, cst.Call):
                continue
            called = self._sqla(value.func)
            if called == "registry":
                registries.add(name)
            elif called in _BASE_FACTORIES or self._is_generate_base(value, registries):
                bases.add(name)
        return bases, registries

    def _is_generate_base(self, call: cst.Call, registries: set[str]) -> bool:
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "generate_base"):
            return False
        receiver = func.value
        if isinstance(receiver, cst.Name):
            return receiver.value in registries
        return isinstance(receiver, cst.Call) and self._sqla(receiver.func) == "registry"

    def _sqla(self, node: cst.BaseExpression) -> str | None:
        return sqla_symbol(self._imports.resolve(node))


def _collect_function_classes(
    body: Sequence[cst.CSTNode],
    functions: tuple[cst.FunctionDef, ...],
    found: dict[cst.ClassDef, tuple[cst.FunctionDef, ...]],
) -> None:
    """Record the class statements of function bodies (through `with`, `if`, `for`,
    `try` blocks), and walk on into nested functions; not into class bodies."""
    for statement in body:
        if isinstance(statement, cst.FunctionDef):
            _collect_function_classes(_statements(statement.body), (*functions, statement), found)
        elif isinstance(statement, cst.ClassDef):
            if functions:
                found[statement] = functions
            for inner in _statements(statement.body):
                if isinstance(inner, cst.FunctionDef):  # methods: classes inside them
                    _collect_function_classes([inner], functions, found)
        elif isinstance(statement, cst.BaseCompoundStatement):
            _collect_function_classes(_blocks(statement), functions, found)


# Parts of a compound statement that hold blocks of their own.
_BLOCK_OWNERS = (
    cst.Else,
    cst.ExceptHandler,
    cst.ExceptStarHandler,
    cst.Finally,
    cst.If,
    cst.MatchCase,
)


def _statements(suite: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return suite.body if isinstance(suite, cst.IndentedBlock) else ()


def _blocks(statement: cst.BaseCompoundStatement) -> list[cst.CSTNode]:
    """The statements of every block of a compound statement (else, except, finally)."""
    found: list[cst.CSTNode] = []
    pending: list[cst.CSTNode] = [statement]
    while pending:
        node = pending.pop()
        for child in tree_walk.children(node):
            if isinstance(child, cst.IndentedBlock):
                found.extend(child.body)
            elif isinstance(child, _BLOCK_OWNERS):
                pending.append(child)
    return found


def _base_names(node: cst.ClassDef) -> list[str]:
    return [
        arg.value.value
        for arg in node.bases
        if arg.keyword is None and isinstance(arg.value, cst.Name)
    ]


def _assigns_tablename(node: cst.ClassDef) -> bool:
    if not isinstance(node.body, cst.IndentedBlock):
        return False
    for statement in node.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if assigned_name(small) == "__tablename__":
                return True
    return False


def class_attribute(statement: cst.BaseStatement) -> Assignment | None:
    """`(node, name, value)` for a class-body statement `name = value` / `name: T = value`."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    return simple_assignment(statement.body[0])


def class_body_names(node: cst.ClassDef) -> set[str]:
    """Names a class body binds directly (assignments, defs, nested classes)."""
    names: set[str] = set()
    if not isinstance(node.body, cst.IndentedBlock):
        return names
    for statement in node.body.body:
        if isinstance(statement, cst.FunctionDef | cst.ClassDef):
            names.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    for target in small.targets:
                        dotted = dotted_name(target.target)
                        if dotted is not None and "." not in dotted:
                            names.add(dotted)
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    names.add(small.target.value)
        else:
            # Compound statements (if/for/with/try) may bind anything: stay unsure.
            names.add("*")
    return names
