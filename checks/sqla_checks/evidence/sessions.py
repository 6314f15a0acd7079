"""Which names hold a SQLAlchemy session, connection or engine, from evidence only.

libcst has no types, so a rule cannot ask "is `db` a Session?". This module answers
it from what the code itself says, and nothing else:

- annotations: `db: Session`, `session: AsyncSession`, `Annotated[AsyncSession, ...]`,
  module-level aliases of those (`SessionDep = Annotated[AsyncSession, Depends(...)]`);
- FastAPI dependencies: `db = Depends(get_db)` where `get_db` is defined in the same
  module and yields a session (or is annotated as doing so);
- context managers and assignments: `async with factory() as s`, `with Session(e) as s`,
  `s = SessionLocal()`, `async with engine.begin() as conn`, where `factory`,
  `SessionLocal` and `engine` were themselves assigned from a SQLAlchemy constructor
  (`async with` never binds a sync kind: a sync Session has no async context manager,
  so a factory annotated `sessionmaker` but entered with `async with` gives unknown);
- attributes set from evidence: `self.session = session` in `__init__` after
  `session: AsyncSession`, or a class-level `session: AsyncSession` annotation;
- awaits, for the receivers rules ask about (`awaited_receiver_kind`): a name the
  enclosing `async def` awaits a session coroutine on (`await s.commit()`,
  `await s.execute(stmt)`, see `SESSION_PROOF_METHODS`) is an `AsyncSession` there,
  when nothing else is known of it or only an annotation says it is a sync
  `Session`: a sync session's results cannot be awaited. An awaited method no
  `AsyncSession` has (`await conn.fetch(...)`) says it is something else.

A union of kinds that differ (`Session | AsyncSession`, `Union[...]`, a type without
evidence in it) is unknown; `X | None` and `Optional[X]` are `X`.

Anything else is unknown, and rules treat unknown as "not a session": a missed
finding is better than a false one. Names imported from other modules of the project
(a factory, a `scoped_session` registry, Flask-SQLAlchemy's `db.session`, a `get_db`
provider, an annotation alias) take the kind the project index gives them
(`evidence.project_sessions`).

Bindings count in source order and per path: a rebinding replaces the kind (one
without evidence makes the name unknown), and where the paths of an `if`, `try`,
`match` or loop meet a name keeps only the kind all of them agree on
(`branch_states`). `self.x` set to two different kinds is unknown everywhere.

Module-level facts are collected up front; bindings inside functions and classes are
recorded by `SessionIndex.binder`, which the runner places in its one batched
traversal just ahead of the rules. A rule therefore sees the bindings that precede
the node it is visiting, which is where Python code binds a name before using it.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from sqla_checks.contract import tree_walk
from sqla_checks.contract.batched_visitor import BatchedVisitor
from sqla_checks.evidence.assignments import simple_assignment
from sqla_checks.evidence.branch_states import BranchStates, Compound
from sqla_checks.evidence.call_arguments import keyword_argument
from sqla_checks.evidence.imports import ImportMap, dotted_name, sqla_symbol
from sqla_checks.evidence.project_index import FlaskSQLAlchemy, Instance
from sqla_checks.evidence.project_sessions import (
    indexed_alias_kind,
    indexed_call_kind,
    indexed_dependency_kind,
    indexed_kind,
    indexed_tuple_items,
)
from sqla_checks.evidence.sqlalchemy_api import (
    ANNOTATION_KINDS,
    AWAITABLE_NON_COROUTINES_OF_ASYNC_SESSION,
    CONSTRUCTOR_KINDS,
    COROUTINE_METHODS,
    METHOD_RESULTS,
    PLAIN_METHODS_OF_ASYNC,
    SESSION_PROOF_METHODS,
    STATEMENT_METHODS,
    Kind,
    Role,
)

if TYPE_CHECKING:
    from sqla_checks.evidence.context import FileContext

_CONTAINERS = {"Annotated", "Optional", "Final", "ClassVar"}
# Methods an `AsyncSession` may be awaited on without that saying more.
_AWAITABLE_ON_ASYNC_SESSION = (
    COROUTINE_METHODS[Kind.ASYNC_SESSION]
    | PLAIN_METHODS_OF_ASYNC[Kind.ASYNC_SESSION]
    | AWAITABLE_NON_COROUTINES_OF_ASYNC_SESSION
)


# A local Flask-SQLAlchemy object `db` is kept as the name `db.session` (no Python
# name has a dot), so branches merge and rebinding `db` forget it like any other name.
FLASK_SESSION = "session"


@dataclass
class _Scope:
    names: dict[str, Kind] = field(default_factory=dict)
    # Every name the function binds itself (parameters, assignments, `with ... as`),
    # with or without evidence: a local binding hides a module-level one of that name.
    bound: set[str] = field(default_factory=set)
    # Names whose kind only an annotation gives (awaits may overrule a sync one).
    annotated: set[str] = field(default_factory=set)


class SessionIndex:
    """Bindings of session-like objects per function, class and module."""

    def __init__(self, module: cst.Module, imports: ImportMap) -> None:
        self.imports = imports
        self.module_scope = _Scope()
        self.function_scopes: dict[cst.FunctionDef, _Scope] = {}
        self.class_attributes: dict[cst.ClassDef, dict[str, Kind]] = {}
        # `self.x` attributes set to different kinds (in two branches, two methods):
        # attributes outlive any one path, so these stay unknown everywhere.
        self.conflicting_attributes: dict[cst.ClassDef, set[str]] = {}
        self.aliases: dict[str, Kind] = {}
        self._functions: dict[str, cst.FunctionDef] = {}
        self._dependencies: dict[str, Kind | None] = {}
        self._awaited_sessions: dict[cst.FunctionDef, frozenset[str]] = {}
        self._locals: dict[cst.FunctionDef, set[str]] = {}
        self._top_level_classes = {s for s in module.body if isinstance(s, cst.ClassDef)}
        self._collect_module_level(module)
        # Function and class bindings are recorded by this visitor during the runner's
        # one batched traversal, just ahead of the rules, so a rule looking at a node
        # sees every binding that precedes it in the source.
        self.binder: cst.BatchableCSTVisitor = _Binder(self)

    def bind_attribute(self, klass: cst.ClassDef, name: str, kind: Kind) -> None:
        """Record `self.<name>` of `klass` as holding `kind` (unknown if it held another)."""
        attrs = self.class_attributes.setdefault(klass, {})
        known = attrs.setdefault(name, kind)
        if known is not kind:
            self.conflicting_attributes.setdefault(klass, set()).add(name)

    def dependency_kind(self, name: str) -> Kind | None:
        """The session kind a same-module dependency function yields (computed once)."""
        if name not in self._dependencies:
            function = self._functions.get(name)
            self._dependencies[name] = None if function is None else self._dependency_kind(function)
        return self._dependencies[name]

    # -- what the index knows -------------------------------------------------
    def kind_of(
        self,
        node: cst.BaseExpression,
        functions: list[cst.FunctionDef],
        classes: list[cst.ClassDef],
    ) -> Kind | None:
        """The kind of `node` as seen from inside `functions` (innermost last)."""
        if isinstance(node, cst.Name):
            return self._name_kind(node.value, functions)[0]
        if isinstance(node, cst.Attribute):
            if isinstance(node.value, cst.Name) and node.value.value in {"self", "cls"}:
                for klass in reversed(classes):
                    attrs = self.class_attributes.get(klass)
                    if attrs and node.attr.value in attrs:
                        if node.attr.value in self.conflicting_attributes.get(klass, ()):
                            return None
                        return attrs[node.attr.value]
                return self._inherited_attribute_kind(node.attr.value, classes)
            if isinstance(node.value, cst.Name) and node.attr.value == FLASK_SESSION:
                local = self._local_flask_session(node.value.value, functions)
                if local is not None:
                    return local
            if self.head_bound_locally(node, functions):
                return None  # `model = context["model"]` hides the imported `model`
            return indexed_kind(self.imports, node)
        if isinstance(node, cst.Call):
            return self.call_result(node, functions, classes)
        if isinstance(node, cst.Await):
            return self.kind_of(node.expression, functions, classes)
        return None

    def _name_kind(self, name: str, functions: list[cst.FunctionDef]) -> tuple[Kind | None, bool]:
        """The kind bindings give `name`, and whether only an annotation gave it."""
        for function in reversed(functions):
            scope = self.function_scopes.get(function)
            if scope is not None:
                if name in scope.names:
                    return scope.names[name], name in scope.annotated
                if name in scope.bound:
                    return None, False  # a local without evidence shadows outer names
        return self.module_scope.names.get(name) or indexed_kind(
            self.imports, cst.Name(name)
        ), False

    def _local_flask_session(self, name: str, functions: list[cst.FunctionDef]) -> Kind | None:
        """`db.session` of a local `db` bound from a provider's tuple (see `_Scope`)."""
        key = f"{name}.{FLASK_SESSION}"
        for function in reversed(functions):
            scope = self.function_scopes.get(function)
            if scope is not None and key in scope.names:
                return scope.names[key]
        return None

    def _inherited_attribute_kind(self, attr: str, classes: list[cst.ClassDef]) -> Kind | None:
        """`self.attr` / `cls.attr` of a top-level class as the project index knows it: a
        session the class body or a project base class binds (`Session = meta.Session`)."""
        if not classes or classes[-1] not in self._top_level_classes:
            return None
        owner = cst.Attribute(value=cst.Name(classes[-1].name.value), attr=cst.Name(attr))
        return indexed_kind(self.imports, owner)

    def bound_locally(self, name: str, functions: list[cst.FunctionDef]) -> bool:
        """Whether one of `functions` binds `name` anywhere in its body or parameters
        (Python makes it local there, hiding a module-level name of the same spelling);
        a local import counts as the import it is, not as a hiding binding.

        Read from the function itself, not from the binder, which runs only in files
        that import SQLAlchemy.
        """
        for function in functions:
            names = self._locals.get(function)
            if names is None:
                params = function.params
                # A local `import app.model as model` is the import the ImportMap reads.
                names = _names_bound_in(function.body, but_imports=True) | {
                    param.name.value
                    for param in (*params.posonly_params, *params.params, *params.kwonly_params)
                }
                for star in (params.star_arg, params.star_kwarg):
                    if isinstance(star, cst.Param):
                        names.add(star.name.value)
                self._locals[function] = names
            if name in names:
                return True
        return False

    def head_bound_locally(
        self, node: cst.BaseExpression, functions: list[cst.FunctionDef]
    ) -> bool:
        """Whether an enclosing function binds the first name of `node` (`factory()`,
        `Session.execute`): that local is not the module's import, whatever the index says."""
        while isinstance(node, cst.Attribute):
            node = node.value
        return isinstance(node, cst.Name) and self.bound_locally(node.value, functions)

    def annotated_only(self, name: str, functions: list[cst.FunctionDef]) -> bool:
        """Whether only an annotation gives `name` its kind where it is read."""
        return self._name_kind(name, functions)[1]

    def awaited_sessions(self, function: cst.FunctionDef) -> frozenset[str]:
        """Names `function` awaits session coroutines on, and no other method.

        One walk of the function body, so rules ask only about the receivers of calls
        they would report (see `awaited_receiver_kind`), never about every name.
        """
        if function.asynchronous is None:
            return frozenset()  # no `await` outside `async def` (computed for nothing)
        found = self._awaited_sessions.get(function)
        if found is None:
            finder = _AwaitedReceivers()
            tree_walk.visit(function.body, finder)
            # An await proves what one binding holds: a name bound twice (`async with
            # engine.begin() as conn` in one branch, `conn = await to_thread(...)` in
            # the other) may hold something else where the unawaited call reads it.
            params = function.params
            for param in (*params.posonly_params, *params.params, *params.kwonly_params):
                finder.count(param.name.value)
            found = frozenset(finder.proven - finder.disproven - finder.rebound())
            self._awaited_sessions[function] = found
        return found

    def call_result(
        self,
        call: cst.Call,
        functions: list[cst.FunctionDef],
        classes: list[cst.ClassDef],
    ) -> Kind | None:
        """What `call` returns, when the callee is known."""
        constructor = sqla_symbol(self.imports.resolve(call.func))
        if constructor in CONSTRUCTOR_KINDS:
            kind = CONSTRUCTOR_KINDS[constructor]
            if (
                constructor == "sessionmaker"
                and async_class_argument(call, self.imports) is not None
            ):
                return Kind.ASYNC_FACTORY
            return kind
        callee = self.kind_of(call.func, functions, classes)
        if callee is not None and (callee.session_made or callee.role is not Role.SESSION):
            return callee.session_made
        indexed = not self.head_bound_locally(call.func, functions)
        if indexed and (callee is not None or self.imports.fact_of(call.func) is not None):
            return indexed_call_kind(self.imports, call)
        if isinstance(call.func, cst.Attribute):
            owner = self.kind_of(call.func.value, functions, classes)
            if owner is not None:
                return METHOD_RESULTS.get((owner, call.func.attr.value))
        return None

    def annotation_kind(self, annotation: cst.BaseExpression) -> Kind | None:
        """The kind an annotation expression names (through Annotated/Optional/aliases)."""
        node = annotation
        if isinstance(node, cst.SimpleString):
            text = node.evaluated_value
            if not isinstance(text, str):
                return None
            try:
                node = cst.parse_expression(text)
            except cst.ParserSyntaxError:
                return None
        members = union_members(self.imports, node)
        if members is not None:
            kinds = {self.annotation_kind(member) for member in members if not _is_none(member)}
            return kinds.pop() if len(kinds) == 1 else None
        if isinstance(node, cst.Subscript):
            head = sqla_or_typing_symbol(self.imports, node.value)
            if head in _CONTAINERS and node.slice:
                first = node.slice[0].slice
                if isinstance(first, cst.Index):
                    return self.annotation_kind(first.value)
            return None
        symbol = sqla_symbol(self.imports.resolve(node))
        if symbol in ANNOTATION_KINDS:
            return ANNOTATION_KINDS[symbol]
        if isinstance(node, cst.Name) and node.value in self.aliases:
            return self.aliases[node.value]
        return indexed_alias_kind(self.imports, node)

    # -- building the index ---------------------------------------------------
    def _collect_module_level(self, module: cst.Module) -> None:
        """Aliases, module-level engines/factories, and the functions by name."""
        for statement in module.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    assignment = simple_assignment(small)
                    if assignment is not None:
                        self._module_assignment(assignment.name, assignment.value)
            elif isinstance(statement, cst.FunctionDef):
                self._functions.setdefault(statement.name.value, statement)

    def _module_assignment(self, name: str, value: cst.BaseExpression) -> None:
        if isinstance(value, cst.Call):
            kind = self.call_result(value, [], [])
            if kind is not None:
                self.module_scope.names[name] = kind
                return
        alias = self.annotation_kind(value)
        if alias is not None and alias.role is Role.SESSION:
            self.aliases[name] = alias

    def _dependency_kind(self, function: cst.FunctionDef) -> Kind | None:
        """The session kind a generator dependency yields, from its annotation or body."""
        if function.returns is not None:
            found = _annotation_mentions(self, function.returns.annotation)
            if found is not None:
                return found
        yielder = _YieldFinder()
        tree_walk.visit(function.body, yielder)
        if not yielder.yields:
            return None
        binder_scope = _Scope()
        tree_walk.visit_batched(function, [_Binder(self, collect_into=binder_scope)])
        for value in yielder.yields:
            if isinstance(value, cst.Name) and value.value in binder_scope.names:
                kind = binder_scope.names[value.value]
                if kind.role is Role.SESSION:
                    return kind
        return None


def awaited_receiver_kind(context: FileContext, node: cst.BaseExpression) -> Kind | None:
    """`context.kind_of(node)`, with the awaits of the enclosing `async def` as evidence.

    A plain name with no kind, or one only an annotation says is a sync `Session`, is
    an `AsyncSession` where the function awaits session coroutines on it and nothing
    an `AsyncSession` lacks (see `SESSION_PROOF_METHODS`): a sync session's results
    cannot be awaited. Walking the function costs, so rules ask this only about the
    receiver of a call they would otherwise report or skip.
    """
    kind = context.kind_of(node)
    functions = context.functions
    if not (isinstance(node, cst.Name) and functions and context.uses_sqlalchemy):
        return kind
    sessions = context.sessions
    overrulable = kind is None or (
        kind is Kind.SYNC_SESSION and sessions.annotated_only(node.value, functions)
    )
    if overrulable and node.value in sessions.awaited_sessions(functions[-1]):
        return Kind.ASYNC_SESSION
    return kind


def async_class_argument(call: cst.Call, imports: ImportMap) -> cst.Arg | None:
    """The `class_=AsyncSession` argument of a `sessionmaker(...)` call, if it has one.

    Any spelling of the import counts (`orm.sessionmaker`, `sessionmaker as make`).
    """
    if sqla_symbol(imports.resolve(call.func)) != "sessionmaker":
        return None
    arg = keyword_argument(call, "class_")
    if arg is not None and sqla_symbol(imports.resolve(arg.value)) == "AsyncSession":
        return arg
    return None


def union_members(imports: ImportMap, node: cst.BaseExpression) -> list[cst.BaseExpression] | None:
    """The members of `A | B` or `Union[A, B]`, nested unions flattened; None for
    anything else (an empty list: a union whose members cannot be read)."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        left = union_members(imports, node.left)
        right = union_members(imports, node.right)
        return [
            *(left if left is not None else [node.left]),
            *(right if right is not None else [node.right]),
        ]
    if isinstance(node, cst.Subscript) and sqla_or_typing_symbol(imports, node.value) == "Union":
        members: list[cst.BaseExpression] = []
        for element in node.slice:
            if not isinstance(element.slice, cst.Index):
                return []
            value = element.slice.value
            nested = union_members(imports, value)
            members += nested if nested is not None else [value]
        return members
    return None


def sqla_or_typing_symbol(imports: ImportMap, node: cst.BaseExpression) -> str | None:
    """Last component of a resolved name (typing containers included)."""
    qualified = imports.resolve(node)
    if qualified is None:
        dotted = dotted_name(node)
        return dotted.rsplit(".", 1)[-1] if dotted else None
    return qualified.rsplit(".", 1)[-1]


def _annotation_mentions(index: SessionIndex, annotation: cst.BaseExpression) -> Kind | None:
    """A session kind named anywhere inside an annotation (`AsyncIterator[AsyncSession]`)."""
    finder = _AnnotationKindFinder(index)
    tree_walk.visit(annotation, finder)
    return finder.kind


class _AnnotationKindFinder(cst.CSTVisitor):
    """The first session kind named in an annotation; a union decides as a whole."""

    def __init__(self, index: SessionIndex) -> None:
        super().__init__()
        self.index = index
        self.kind: Kind | None = None
        self.decided = False

    def _decide(self, node: cst.BaseExpression) -> None:
        if not self.decided:
            kind = self.index.annotation_kind(node)
            if kind is not None and kind.role is Role.SESSION:
                self.kind = kind
                self.decided = True

    def _union(self, node: cst.BaseExpression) -> bool:
        """Decide a union on its own (unknown unless its members agree); whether it was one."""
        if union_members(self.index.imports, node) is None:
            return False
        if not self.decided:
            self.kind = self.index.annotation_kind(node)
            self.decided = True
        return True

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> bool:
        return not self._union(node)

    def visit_Subscript(self, node: cst.Subscript) -> bool:
        return not self._union(node)

    def visit_Name(self, node: cst.Name) -> None:
        self._decide(node)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        self._decide(node)
        return False


class _OwnBodyNames(cst.CSTVisitor):
    """Collects `names` from one function body, not from the defs nested in it."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


class _BindingCounter(_OwnBodyNames):
    """How many binding statements of one function body bind each name."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[str, int] = {}

    def count(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1

    def _targets(self, target: cst.BaseExpression) -> None:
        for name in _target_names(target):
            self.count(name)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._targets(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:  # `x: T` alone binds nothing
            self._targets(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._targets(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        if isinstance(node.name, cst.BaseExpression):
            self._targets(node.name)

    def visit_For(self, node: cst.For) -> None:
        self._targets(node.target)

    def rebound(self) -> set[str]:
        """Names bound more than once."""
        return {name for name, count in self.counts.items() if count > 1}


class _AwaitedReceivers(_BindingCounter):
    """Names a function body awaits `AsyncSession` coroutines on (`proven`), and names
    it awaits a method on that no `AsyncSession` has (`disproven`); a nested
    function's awaits and bindings are its own."""

    def __init__(self) -> None:
        super().__init__()
        self.proven: set[str] = set()
        self.disproven: set[str] = set()

    def visit_Await(self, node: cst.Await) -> None:
        call = node.expression
        if not (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Attribute)
            and isinstance(call.func.value, cst.Name)
        ):
            return
        name, method = call.func.value.value, call.func.attr.value
        if method in STATEMENT_METHODS and call.args and _is_string(call.args[0].value):
            self.disproven.add(name)  # a driver's SQL string, not a SQLAlchemy statement
        elif method in SESSION_PROOF_METHODS:
            self.proven.add(name)
        elif method not in _AWAITABLE_ON_ASYNC_SESSION:
            self.disproven.add(name)


def _is_string(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.SimpleString | cst.ConcatenatedString | cst.FormattedString)


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


class _YieldFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.yields: list[cst.BaseExpression] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # a nested function's yields are its own

    def visit_Yield(self, node: cst.Yield) -> None:
        if isinstance(node.value, cst.BaseExpression):
            self.yields.append(node.value)


class _Binder(BatchedVisitor):
    """Records bindings per function and per class, as part of a batched traversal."""

    def __init__(self, index: SessionIndex, collect_into: _Scope | None = None) -> None:
        super().__init__()
        self.index = index
        self.collect_into = collect_into
        self.functions: list[cst.FunctionDef] = []
        self.classes: list[cst.ClassDef] = []
        self.branches = BranchStates()
        self.async_items: set[cst.WithItem] = set()

    def _scope_of_function(self) -> _Scope:
        return self.index.function_scopes.setdefault(self.functions[-1], _Scope())

    def _scope(self) -> _Scope | None:
        if self.collect_into is not None:
            return self.collect_into
        if not self.functions:
            # Module level (scripts: `with Session(engine) as session:` at the top
            # level or under `if __name__ == "__main__":`), but not a class body.
            return None if self.classes else self.index.module_scope
        return self.index.function_scopes.setdefault(self.functions[-1], _Scope())

    def _bind(
        self, target: cst.BaseExpression, kind: Kind | None, *, annotated: bool = False
    ) -> None:
        if isinstance(target, cst.Name) and self.functions and self.collect_into is None:
            self._scope_of_function().bound.add(target.value)
        if isinstance(target, cst.Name):
            scope = self._scope()
            if scope is None:
                return
            if annotated:
                scope.annotated.add(target.value)
            else:
                scope.annotated.discard(target.value)
            # The latest binding counts: `engine = create_engine(...)` after an async
            # one makes `engine` sync from here on; a binding without evidence, unknown.
            scope.names.pop(f"{target.value}.{FLASK_SESSION}", None)
            if kind is None:
                scope.names.pop(target.value, None)
            else:
                scope.names[target.value] = kind
        elif (
            kind is not None
            and isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value == "self"
            and self.classes
        ):
            self.index.bind_attribute(self.classes[-1], target.attr.value, kind)

    def _kind(self, node: cst.BaseExpression) -> Kind | None:
        functions = self.functions
        if self.collect_into is not None:
            # Dependency pre-pass: only this function's own bindings are known yet.
            if isinstance(node, cst.Name) and node.value in self.collect_into.names:
                return self.collect_into.names[node.value]
            functions = []
        return self.index.kind_of(node, functions, self.classes)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node)
        for statement in node.body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        kind = self.index.annotation_kind(small.annotation.annotation)
                        if kind is not None:
                            self.index.bind_attribute(node, small.target.value, kind)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.classes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.append(node)
        for param in (*node.params.params, *node.params.kwonly_params, *node.params.posonly_params):
            kind: Kind | None = None
            if param.annotation is not None:
                kind = self.index.annotation_kind(param.annotation.annotation)
            annotated = kind is not None
            if kind is None and param.default is not None:
                kind = self._dependency_default(param.default)
            self._bind(param.name, kind, annotated=annotated)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.functions.pop()

    def _dependency_default(self, default: cst.BaseExpression) -> Kind | None:
        """`Depends(get_db)` where `get_db` is a same-module session dependency."""
        if not (isinstance(default, cst.Call) and default.args):
            return None
        if sqla_or_typing_symbol(self.index.imports, default.func) != "Depends":
            return None
        dependency = default.args[0].value
        if isinstance(dependency, cst.Name):
            local = self.index.dependency_kind(dependency.value)
            if local is not None:
                return local
        return indexed_dependency_kind(self.index.imports, dependency)

    def visit_With(self, node: cst.With) -> None:
        if node.asynchronous is not None:
            self.async_items.update(node.items)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is None:
            return
        kind = self._kind(node.item)
        if kind is not None and not kind.asynchronous and node in self.async_items:
            # A sync Session or Connection has no `__aenter__`: whatever an annotation
            # said of the factory, `async with` did not bind one.
            kind = None
        self._bind(node.asname.name, kind)

    def visit_Assign(self, node: cst.Assign) -> None:
        kind = self._kind(node.value)
        for target in node.targets:
            self._bind(target.target, kind)
            if isinstance(target.target, cst.Tuple) and isinstance(node.value, cst.Call):
                self._bind_provided(target.target, node.value)

    def _bind_provided(self, target: cst.Tuple, call: cst.Call) -> None:
        """`app, db = setup()` with `setup` returning a known tuple (`TupleProvider`):
        a Flask-SQLAlchemy `db` is recorded as its `db.session` registry."""
        items = indexed_tuple_items(self.index.imports, call)
        if items is None or len(items) != len(target.elements):
            return
        for element, item in zip(target.elements, items, strict=True):
            if not isinstance(element.value, cst.Name):
                continue
            self._bind(element.value, item.kind if isinstance(item, Instance) else None)
            scope = self._scope()
            if isinstance(item, FlaskSQLAlchemy) and scope is not None:
                scope.names[f"{element.value.value}.{FLASK_SESSION}"] = Kind.SYNC_SESSION

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        kind = self.index.annotation_kind(node.annotation.annotation)
        # `s: Session = Session(engine)`: the constructor proves it, not only the annotation.
        annotated = kind is not None and (node.value is None or self._kind(node.value) is None)
        if kind is None and node.value is not None:
            kind = self._kind(node.value)
        self._bind(node.target, kind, annotated=annotated)

    # -- branches: kinds per path (see branch_states) ---------------------------
    def _enter(self, node: Compound, rebound: AbstractSet[str] = frozenset()) -> None:
        self.branches.enter(node, self._scope(), rebound)

    def visit_If(self, node: cst.If) -> None:
        self.branches.arm(node)  # an `elif` is the `orelse` of the `if` above it
        self._enter(node)

    def leave_If(self, original_node: cst.If) -> None:
        self.branches.leave(original_node)

    def visit_Else(self, node: cst.Else) -> None:
        self.branches.arm(node)

    def visit_Try(self, node: cst.Try) -> None:
        self._enter(node)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self.branches.arm(node)
        if node.name is not None:
            self._bind(node.name.name, None)

    def visit_Finally(self, node: cst.Finally) -> None:
        self.branches.arm(node)

    def leave_Try(self, original_node: cst.Try) -> None:
        self.branches.leave(original_node)

    def visit_Match(self, node: cst.Match) -> None:
        self._enter(node)

    def visit_MatchCase(self, node: cst.MatchCase) -> None:
        self.branches.arm(node)

    def leave_Match(self, original_node: cst.Match) -> None:
        self.branches.leave(original_node)

    def visit_For(self, node: cst.For) -> None:
        self._enter(node, _names_bound_in(node.body) | _target_names(node.target))
        self._bind_target(node.target)

    def leave_For(self, original_node: cst.For) -> None:
        self.branches.leave(original_node)

    def visit_While(self, node: cst.While) -> None:
        self._enter(node, _names_bound_in(node.body))

    def leave_While(self, original_node: cst.While) -> None:
        self.branches.leave(original_node)

    def _bind_target(self, target: cst.BaseExpression) -> None:
        for name in _target_names(target):
            self._bind(cst.Name(name), None)


def _target_names(target: cst.BaseExpression) -> set[str]:
    """The names an assignment target binds (`a`, `a, (b, *c)`)."""
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        names: set[str] = set()
        for element in target.elements:
            names |= _target_names(element.value)
        return names
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return set()


def _names_bound_in(body: cst.BaseSuite, but_imports: bool = False) -> set[str]:
    """Names a body binds itself (not in nested functions or classes); `but_imports`
    leaves out the names its import statements bind."""
    finder = _BoundNames()
    tree_walk.visit(body, finder)
    return finder.names - finder.imported if but_imports else finder.names


class _BoundNames(_OwnBodyNames):
    """The names one body binds, not those of the defs nested in it."""

    def __init__(self) -> None:
        super().__init__()
        # Names bound by `import x as y` (also in `names`, through their AsName).
        self.imported: set[str] = set()

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is not None and isinstance(node.asname.name, cst.Name):
            self.imported.add(node.asname.name.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.names |= _target_names(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.names |= _target_names(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.names |= _target_names(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        if isinstance(node.name, cst.BaseExpression):
            self.names |= _target_names(node.name)

    def visit_For(self, node: cst.For) -> None:
        self.names |= _target_names(node.target)
