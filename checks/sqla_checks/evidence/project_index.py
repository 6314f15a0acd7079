"""What the names of a project's modules are, across modules: the project index.

A file can rarely prove on its own that `Base` is a declarative base, that `db` is
Flask-SQLAlchemy's object or that `SessionLocal` makes sessions: those are bound in
another module of the project. The engine summarises every module of the run (and
the project modules they import) with `evidence.module_summary`, and this module
resolves each top-level name of each module, following imports and re-exports from
module to module, to one of a few facts:

- `SqlaName`: the name is a SQLAlchemy object (`Column = db.Column`,
  `from app.db import relationship` where `app.db` imported it from SQLAlchemy);
- `Instance`: a session, session factory or engine, with its `Kind`; `registry`
  marks a `scoped_session`-style registry, whose call returns the session it proxies;
- `FlaskSQLAlchemy`: a Flask-SQLAlchemy `SQLAlchemy()` object (or of a project
  subclass), whose `db.Column`, `db.relationship`, `db.Model` and `db.session` are
  SQLAlchemy's;
- `ModelClass`: a declarative base, a mapped class (declaratively, or imperatively
  by a top-level `registry.map_imperatively(Cls, table)` / `mapper(Cls, table)`) or a
  mixin of mapped classes;
- `MapperRegistry`: a SQLAlchemy `registry()` object;
- `SessionDependency`: a function whose call (or `Depends(...)`) gives a session;
- `TupleProvider`: a function returning a tuple with a `db` object or session in it;
- `AnnotationAlias`: `SessionDep = Annotated[Session, ...]`.

A parameter of a top-level function is recorded under `module.function.<locals>.name`
(the spelling Python's `__qualname__` gives locals, which no expression can read)
when every call of the function that the summaries saw passes the same kind of
object for it: so far a Flask-SQLAlchemy `db` (`create_models(db)` after `app, db =
setup()`), for models a test suite defines inside a function. A function that is
decorated, or read anywhere other than as a callee (`partial(create_models, db)`),
may be called with anything, and gets no such fact. The calls are read
(`module_summary.call_sites`) only when the project has such functions, and only
from the modules the scan summarised: a caller in a file that mentions neither
SQLAlchemy nor a rule's trigger, or outside the project, is not seen.

Resolution is done once, in the process that builds the index, so worker processes
receive plain dictionaries. Rules do not use this module directly: the evidence
helpers (`ImportMap`, `DeclarativeIndex`, `SessionIndex`) consult it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from sqla_checks.evidence.module_summary import (
    Alias,
    Binding,
    Called,
    CallSite,
    CallSites,
    ClassSummary,
    Declared,
    FunctionSummary,
    Imported,
    ModuleSummary,
    Subscripted,
)
from sqla_checks.evidence.sqlalchemy_api import ANNOTATION_KINDS, CONSTRUCTOR_KINDS, Kind, Role


@dataclass(frozen=True)
class SqlaName:
    """A SQLAlchemy object, by its qualified name (`sqlalchemy.orm.relationship`)."""

    qualified: str


@dataclass(frozen=True)
class Instance:
    """A session, factory, connection or engine object."""

    kind: Kind
    # A `scoped_session` / `async_scoped_session` registry: calling it returns the
    # session it proxies (`Session()` on a registry is that thread's session).
    registry: bool = False


@dataclass(frozen=True)
class FlaskSQLAlchemy:
    """A Flask-SQLAlchemy `SQLAlchemy()` object."""


@dataclass(frozen=True)
class ModelClass:
    """A class that takes part in declarative mapping."""

    # A declarative base: its subclasses are mapped (Flask-SQLAlchemy's `db.Model`,
    # `declarative_base()`, a `DeclarativeBase` subclass).
    base: bool = False
    # Subclasses get a `__tablename__` without writing one (Flask-SQLAlchemy's
    # `db.Model`, a base with `@declared_attr def __tablename__`).
    generates_tablename: bool = False
    # A plain class used as a base by mapped classes: its columns are mapped, but
    # subclassing it alone maps nothing.
    mixin: bool = False
    # `Class.query` is a legacy Query: Flask-SQLAlchemy's `db.Model` and its
    # subclasses, a class given `query = <scoped_session>.query_property()`.
    query: bool = False
    # Mapped by `registry.map_imperatively(Class, table)`: a plain class with a
    # mapper, not declarative (its subclasses and body map nothing).
    imperative: bool = False


@dataclass(frozen=True)
class MapperRegistry:
    """A SQLAlchemy `registry()`: its `map_imperatively(Class, table)` maps `Class`."""


@dataclass(frozen=True)
class SessionDependency:
    """A function that provides a session of `kind` (a `get_db`-style provider).

    A plain function's call returns the session; a generator's is a generator (what
    FastAPI's `Depends()` unwraps), and a `@contextmanager` one's a context manager
    whose `with ... as s` gives the session.
    """

    kind: Kind
    generator: bool = False
    context_manager: bool = False


@dataclass(frozen=True)
class TupleProvider:
    """A function returning a tuple whose items are known: `return app, db` after
    `db = SQLAlchemy(app)` (test helpers: `app, db = setup()`)."""

    items: tuple[FlaskSQLAlchemy | Instance | None, ...]


@dataclass(frozen=True)
class AnnotationAlias:
    """A module-level annotation alias naming a session type."""

    kind: Kind


@dataclass(frozen=True)
class ProjectClass:
    """A project class that is not (known to be) declarative, by qualified name."""

    qualified: str


@dataclass(frozen=True)
class ProjectModule:
    """A module of the project."""

    name: str


Fact = (
    SqlaName
    | Instance
    | FlaskSQLAlchemy
    | ModelClass
    | MapperRegistry
    | SessionDependency
    | TupleProvider
    | AnnotationAlias
    | ProjectClass
    | ProjectModule
)

# Flask-SQLAlchemy's `db.<name>` for names that are not SQLAlchemy's (3.1
# `SQLAlchemy.__init__` and its properties); every other public name is looked up in
# `sqlalchemy`, then `sqlalchemy.orm` (`SQLAlchemy.__getattr__`).
_FLASK_DB_OWN = frozenset(
    {
        "Query",
        "engine",
        "engines",
        "metadata",
        "metadatas",
        "init_app",
        "get_engine",
        "get_or_404",
        "first_or_404",
        "one_or_404",
        "paginate",
        "create_all",
        "drop_all",
        "reflect",
        "get_tables_for_bind",
        "get_binds",
        "get_app",
        "app",
    }
)
# Names Flask-SQLAlchemy takes from `sqlalchemy.orm` (the rest come from `sqlalchemy`).
_ORM_NAMES = frozenset(
    {
        "relationship",
        "relation",
        "backref",
        "dynamic_loader",
        "mapped_column",
        "Mapped",
        "declared_attr",
        "column_property",
        "deferred",
        "synonym",
        "composite",
        "joinedload",
        "selectinload",
        "subqueryload",
        "lazyload",
        "contains_eager",
        "load_only",
        "aliased",
        "with_polymorphic",
        "Session",
        "sessionmaker",
        "scoped_session",
        "Query",
    }
)
_FLASK_SQLALCHEMY = "flask_sqlalchemy.SQLAlchemy"
_FLASK_SQLALCHEMY_LITE = "flask_sqlalchemy.extension.SQLAlchemy"
_DECLARATIVE_BASE_CLASSES = {"DeclarativeBase", "DeclarativeBaseNoMeta"}
_DECLARATIVE_FACTORIES = {"declarative_base"}
_MAPPING_DECORATORS = {"mapped", "mapped_as_dataclass"}
_DECLARATIVE_DECORATORS = {"as_declarative", "declarative_mixin"}
_SCOPED = {"scoped_session", "async_scoped_session"}
_REGISTRIES = {"registry"}
# The classical `mapper(Class, table)` of SQLAlchemy 1.x.
_CLASSICAL_MAPPERS = {"mapper"}
_CONTEXT_MANAGERS = {"contextmanager", "asynccontextmanager"}
_CALLABLES = frozenset({"typing.Callable", "collections.abc.Callable"})
# Resolution follows at most this many hops (import cycles, long alias chains).
_MAX_DEPTH = 40


def _sqla_public(qualified: str) -> str | None:
    """`Column` for `sqlalchemy.Column` / `sqlalchemy.sql.schema.Column`, else None."""
    if qualified != "sqlalchemy" and not qualified.startswith("sqlalchemy."):
        return None
    parts = qualified.split(".")
    if "func" in parts[1:-1]:
        return None
    return parts[-1]


@dataclass(frozen=True)
class ProjectIndex:
    """The resolved facts of a project's top-level names, by qualified name."""

    facts: Mapping[str, Fact] = field(default_factory=dict)
    # Module name of each summarised file, by the path the engine read it from.
    modules_by_path: Mapping[str, str] = field(default_factory=dict)
    # Every module of the project the index knows (summarised or not).
    modules: frozenset[str] = frozenset()
    # Rules resolve the same names over and over; lookups are remembered.
    _memo: dict[str, Fact | None] = field(default_factory=dict, compare=False, repr=False)

    def module_of(self, path: str) -> str | None:
        """The module name of the file at `path`, when the index summarised it."""
        return self.modules_by_path.get(path)

    def lookup(self, qualified: str) -> Fact | None:
        """What `qualified` (`app.models.Base`, `app.ext.db.Column`) is, if known."""
        if not self.facts:
            return None
        if qualified not in self._memo:
            self._memo[qualified] = self._lookup(qualified)
        return self._memo[qualified]

    def _lookup(self, qualified: str) -> Fact | None:
        found = self.facts.get(qualified)
        if found is not None:
            return found
        if qualified in self.modules:
            return ProjectModule(qualified)
        head, _, attr = qualified.rpartition(".")
        if not head:
            return None
        owner = self.lookup(head)
        return attribute_of(owner, attr) if owner is not None else None

    @cached_property
    def _session_owners(self) -> frozenset[str]:
        """Dotted prefixes of every session fact (`app.model.base.Mixin` for
        `app.model.base.Mixin.Session`)."""
        owners: set[str] = set()
        for name, fact in self.facts.items():
            if isinstance(fact, Instance):
                while "." in name:
                    name = name.rpartition(".")[0]
                    owners.add(name)
        return frozenset(owners)

    def has_sessions_in(self, module: str) -> bool:
        """Whether a class or name of `module` is known to hold a session (a class may
        inherit one from a project base without the module importing SQLAlchemy)."""
        return module in self._session_owners

    @cached_property
    def _sqlalchemy_modules(self) -> frozenset[str]:
        """The modules binding a name that is a project fact of SQLAlchemy's own kind
        (see `defines_sqlalchemy_in`), each fact counted for the module that binds it."""
        found: set[str] = set()
        modules = self.modules
        for name, fact in self.facts.items():
            if isinstance(fact, SqlaName | ProjectClass | ProjectModule):
                continue
            owner = name.rpartition(".")[0]
            while owner and owner not in modules:
                owner = owner.rpartition(".")[0]
            if owner:
                found.add(owner)
        return frozenset(found)

    def defines_sqlalchemy_in(self, module: str) -> bool:
        """Whether `module` binds a session, factory, engine, Flask-SQLAlchemy `db`, mapped
        class, mapper registry, session provider or session annotation alias (directly, a
        re-export, or as a class attribute): a module importing it may reach them as
        `module.name` without naming SQLAlchemy. A module that only imports SQLAlchemy
        names does not count (nearly every module of a database project does)."""
        return module in self._sqlalchemy_modules

    def canonical(self, qualified: str) -> str:
        """`qualified`, or the SQLAlchemy name it stands for (`sqlalchemy.Column`)."""
        if qualified.startswith("sqlalchemy."):
            return qualified
        fact = self.lookup(qualified)
        return fact.qualified if isinstance(fact, SqlaName) else qualified


def attribute_of(owner: Fact, attr: str) -> Fact | None:
    """What `owner.attr` is, for the owners whose attributes are known."""
    if isinstance(owner, FlaskSQLAlchemy):
        if attr == "Model":
            return ModelClass(base=True, generates_tablename=True, query=True)
        if attr == "session":
            return Instance(Kind.SYNC_SESSION, registry=True)
        if attr.startswith("_") or attr in _FLASK_DB_OWN:
            return None
        if attr == "relation":
            return SqlaName("sqlalchemy.orm.relationship")
        module = "sqlalchemy.orm" if attr in _ORM_NAMES else "sqlalchemy"
        return SqlaName(f"{module}.{attr}")
    if isinstance(owner, SqlaName):
        return SqlaName(f"{owner.qualified}.{attr}")
    return None


class IndexBuilder:
    """Resolves the summaries of a project's modules into a `ProjectIndex`."""

    def __init__(
        self,
        summaries: Iterable[ModuleSummary],
        modules: Iterable[str] = (),
        calls: Mapping[str, CallSites] | None = None,
    ) -> None:
        self._summaries = {summary.module: summary for summary in summaries}
        # By module: the calls of functions whose parameters depend on their callers
        # (`FunctionSummary.model_parameters`; the scan collects them, `call_sites`).
        self._calls = dict(calls or {})
        self._modules = frozenset(modules) | frozenset(self._summaries)
        self._facts: dict[str, Fact | None] = {}
        self._resolving: set[str] = set()

    def build(self) -> ProjectIndex:
        """Resolve every top-level name of every summarised module."""
        for summary in self._summaries.values():
            for name in summary.bindings:
                self.resolve(f"{summary.module}.{name}")
        self._add_mixins()
        self._add_imperative()
        self._follow_reexports()
        self._add_class_attributes()
        self._add_parameters()
        facts = {name: fact for name, fact in self._facts.items() if fact is not None}
        paths = {summary.path: summary.module for summary in self._summaries.values()}
        return ProjectIndex(facts, paths, self._modules)

    # -- resolution -------------------------------------------------------------
    def resolve(self, qualified: str, depth: int = 0) -> Fact | None:
        """The fact `qualified` stands for, following imports across modules."""
        if qualified in self._facts:
            return self._facts[qualified]
        sqla = _sqla_public(qualified)
        if sqla is not None:
            return SqlaName(qualified)
        if qualified in (_FLASK_SQLALCHEMY, _FLASK_SQLALCHEMY_LITE):
            return ProjectClass(_FLASK_SQLALCHEMY)
        if depth > _MAX_DEPTH or qualified in self._resolving:
            return None
        self._resolving.add(qualified)
        try:
            fact = self._resolve_uncached(qualified, depth)
        finally:
            self._resolving.discard(qualified)
        if self._owner(qualified) is not None:
            self._facts[qualified] = fact  # only project names are recorded
        return fact

    def _owner(self, qualified: str) -> tuple[ModuleSummary, str] | None:
        """The summarised module binding the first name of `qualified`, and the rest."""
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            summary = self._summaries.get(".".join(parts[:cut]))
            if summary is not None:
                return summary, ".".join(parts[cut:])
        return None

    def _resolve_uncached(self, qualified: str, depth: int) -> Fact | None:
        if qualified in self._modules:
            return ProjectModule(qualified)
        owner = self._owner(qualified)
        if owner is None:
            return None
        summary, rest = owner
        head, _, attrs = rest.partition(".")
        fact = self._binding(summary, head, depth)
        for attr in attrs.split(".") if attrs else ():
            if fact is None:
                return None
            fact = self._attribute(fact, attr, depth)
        return fact

    def _attribute(self, owner: Fact, attr: str, depth: int) -> Fact | None:
        if isinstance(owner, ProjectModule):
            return self.resolve(f"{owner.name}.{attr}", depth + 1)
        return attribute_of(owner, attr)

    def _binding(self, summary: ModuleSummary, name: str, depth: int) -> Fact | None:
        binding = summary.bindings.get(name)
        if binding is None:
            for star in summary.star_imports:
                found = self.resolve(f"{star}.{name}", depth + 1)
                if found is not None:
                    return found
            return None
        return self._value(summary, binding, name, depth)

    def _dotted(self, summary: ModuleSummary, dotted: str, depth: int) -> Fact | None:
        """What the dotted expression `dotted` means in `summary`'s module."""
        return self.resolve(f"{summary.module}.{dotted}", depth + 1)

    def _value(
        self, summary: ModuleSummary, binding: Binding, name: str, depth: int
    ) -> Fact | None:
        if isinstance(binding, Imported):
            return self.resolve(binding.qualified, depth + 1)
        if isinstance(binding, Alias):
            return self._dotted(summary, binding.dotted, depth)
        if isinstance(binding, Called):
            return self._call(summary, binding, depth)
        if isinstance(binding, Subscripted):
            return self._annotation(summary, binding, depth)
        if isinstance(binding, Declared):
            return self._declared(summary, binding, depth)
        if isinstance(binding, ClassSummary):
            return self._class(summary, binding, name, depth)
        return self._function(summary, binding, depth)

    def _call(
        self, summary: ModuleSummary, call: Called, depth: int, callee: Fact | None = None
    ) -> Fact | None:
        """What `call` in `summary`'s module returns; `callee`: what it calls, if known."""
        if callee is None:
            callee = self._dotted(summary, call.callee, depth)
        if isinstance(callee, SqlaName):
            public = _sqla_public(callee.qualified)
            if public in _DECLARATIVE_FACTORIES:
                # `declarative_base(cls=Mixin)`: the base's body is the mixin's.
                body = self._class_summary(summary, call.keyword("cls"), depth)
                return ModelClass(
                    base=True,
                    generates_tablename=body is not None and body.generates_tablename,
                    query=call.query_property or (body is not None and body.query_property),
                )
            if public in _REGISTRIES:
                return MapperRegistry()
            if public in CONSTRUCTOR_KINDS:
                kind = CONSTRUCTOR_KINDS[public]
                if public == "sessionmaker":
                    class_ = call.keyword("class_")
                    made = self._dotted(summary, class_, depth) if class_ else None
                    if isinstance(made, SqlaName) and made.qualified.endswith(".AsyncSession"):
                        kind = Kind.ASYNC_FACTORY
                return Instance(kind, registry=public in _SCOPED)
            return None
        if isinstance(callee, ProjectClass) and self._is_flask_sqlalchemy(callee, depth):
            return FlaskSQLAlchemy()
        if isinstance(callee, Instance):
            if callee.registry:
                return Instance(callee.kind)
            session = callee.kind.session_made
            return Instance(session) if session is not None else None
        if isinstance(callee, SessionDependency) and not callee.generator:
            return Instance(callee.kind)
        if call.callee.endswith(".generate_base") and isinstance(
            self._dotted(summary, call.callee.rpartition(".")[0], depth), SqlaName | Instance
        ):
            return ModelClass(base=True, query=call.query_property)
        return None

    def _class_summary(
        self, summary: ModuleSummary, spelled: str | None, depth: int
    ) -> ClassSummary | None:
        """The summary of the project class `spelled` names in `summary`'s module."""
        fact = self._dotted(summary, spelled, depth) if spelled else None
        owner = self._owner(fact.qualified) if isinstance(fact, ProjectClass) else None
        if owner is None:
            return None
        binding = owner[0].bindings.get(owner[1])
        return binding if isinstance(binding, ClassSummary) else None

    def _is_flask_sqlalchemy(self, klass: ProjectClass, depth: int) -> bool:
        if klass.qualified == _FLASK_SQLALCHEMY:
            return True
        owner = self._owner(klass.qualified)
        if owner is None or depth > _MAX_DEPTH:
            return False
        summary, name = owner
        binding = summary.bindings.get(name)
        if not isinstance(binding, ClassSummary):
            return False
        for base in binding.bases:
            fact = self._dotted(summary, base, depth)
            if isinstance(fact, ProjectClass) and self._is_flask_sqlalchemy(fact, depth + 1):
                return True
        return False

    def _declared(self, summary: ModuleSummary, declared: Declared, depth: int) -> Fact | None:
        """A top-level `name: Session` is a session; `name: Callable[..., Session]` a
        provider whose call returns one (what `typing` says, as for an annotated
        parameter; other declared types are left unknown)."""
        kind = self._session_kind(self._dotted(summary, declared.annotation, depth), called=False)
        if kind is None:
            return None
        if declared.callable is None:
            return Instance(kind)
        if not self._is_callable(summary, declared.callable):
            return None
        return SessionDependency(kind)

    @staticmethod
    def _is_callable(summary: ModuleSummary, spelled: str) -> bool:
        """Whether `spelled` names `typing.Callable` or `collections.abc.Callable` in the
        module (`Callable` imported from either, or `typing.Callable`)."""
        head, _, rest = spelled.partition(".")
        binding = summary.bindings.get(head)
        if not isinstance(binding, Imported):
            return False
        qualified = f"{binding.qualified}.{rest}" if rest else binding.qualified
        return qualified in _CALLABLES

    def _annotation(self, summary: ModuleSummary, alias: Subscripted, depth: int) -> Fact | None:
        if alias.first is None:
            return None
        head = self._dotted(summary, alias.head, depth)
        if not (isinstance(head, SqlaName) or alias.head.rpartition(".")[2] == "Annotated"):
            return None
        inner = self._dotted(summary, alias.first, depth)
        if isinstance(inner, SqlaName):
            kind = ANNOTATION_KINDS.get(_sqla_public(inner.qualified) or "")
            if kind is not None and kind.role is Role.SESSION:
                return AnnotationAlias(kind)
        if isinstance(inner, AnnotationAlias):
            return inner
        return None

    def _class(
        self, summary: ModuleSummary, klass: ClassSummary, name: str, depth: int
    ) -> Fact | None:
        qualified = f"{summary.module}.{name}"
        base = generates = declarative = False
        query = klass.query_property
        for decorator in klass.decorators:
            fact = self._dotted(summary, decorator, depth)
            if isinstance(fact, SqlaName):
                public = _sqla_public(fact.qualified)
                if public in _DECLARATIVE_DECORATORS:
                    declarative = True
                    base = base or public == "as_declarative"
                if public in _MAPPING_DECORATORS:
                    declarative = True
            elif decorator.rpartition(".")[2] in _MAPPING_DECORATORS:
                owner = self._dotted(summary, decorator.rpartition(".")[0], depth)
                declarative = declarative or isinstance(owner, ModelClass | SqlaName)
        for spelled in klass.bases:
            fact = self._dotted(summary, spelled, depth)
            if isinstance(fact, SqlaName):
                if _sqla_public(fact.qualified) in _DECLARATIVE_BASE_CLASSES:
                    declarative = base = True
            elif isinstance(fact, ModelClass) and not fact.mixin and not fact.imperative:
                declarative = True
                generates = generates or fact.generates_tablename
                query = query or fact.query
        if klass.hides_query:
            query = False
        if klass.tablename:
            declarative = True
        if klass.generates_tablename:
            generates = True
        if declarative:
            return ModelClass(
                base=base or klass.abstract, generates_tablename=generates, query=query
            )
        return ProjectClass(qualified)

    def _function(
        self, summary: ModuleSummary, function: FunctionSummary, depth: int
    ) -> Fact | None:
        for spelled in (*function.returns, *function.produces):
            fact = self._dotted(summary, spelled, depth)
            kind = self._session_kind(fact, spelled in function.produces)
            if kind is not None:
                managers = {d.rpartition(".")[2] for d in function.decorators}
                return SessionDependency(
                    kind,
                    generator=function.generator,
                    context_manager=bool(managers & _CONTEXT_MANAGERS),
                )
        if function.returns_tuple:
            items = tuple(
                self._tuple_item(summary, callee, depth) for callee in function.returns_tuple
            )
            if any(items):
                return TupleProvider(items)
        return None

    def _tuple_item(
        self, summary: ModuleSummary, callee: str, depth: int
    ) -> FlaskSQLAlchemy | Instance | None:
        """What a returned name bound from `callee(...)` is ("" for no call)."""
        found = self._call(summary, Called(callee), depth) if callee else None
        return found if isinstance(found, FlaskSQLAlchemy | Instance) else None

    @staticmethod
    def _session_kind(fact: Fact | None, called: bool) -> Kind | None:
        """The session kind `fact` gives: named in an annotation, or called."""
        if isinstance(fact, SqlaName) and not called:
            kind = ANNOTATION_KINDS.get(_sqla_public(fact.qualified) or "")
            return kind if kind is not None and kind.role is Role.SESSION else None
        if isinstance(fact, SqlaName):
            kind = CONSTRUCTOR_KINDS.get(_sqla_public(fact.qualified) or "")
            return kind if kind is not None and kind.role is Role.SESSION else None
        if isinstance(fact, Instance) and called:
            if fact.registry:
                return fact.kind
            return fact.kind.session_made
        if isinstance(fact, SessionDependency):
            return fact.kind
        if isinstance(fact, AnnotationAlias) and not called:
            return fact.kind
        return None

    # -- mixins -----------------------------------------------------------------
    def _add_mixins(self) -> None:
        """Project classes used as bases of mapped classes are mixins of the mapping."""
        changed = True
        while changed:
            changed = False
            for summary in self._summaries.values():
                for name, binding in summary.bindings.items():
                    if not isinstance(binding, ClassSummary):
                        continue
                    if not isinstance(self._facts.get(f"{summary.module}.{name}"), ModelClass):
                        continue
                    for spelled in binding.bases:
                        fact = self._dotted(summary, spelled, 0)
                        if isinstance(fact, ProjectClass) and fact.qualified != _FLASK_SQLALCHEMY:
                            known = self._facts.get(fact.qualified)
                            if self._owner(fact.qualified) is None or isinstance(known, ModelClass):
                                continue
                            self._facts[fact.qualified] = ModelClass(mixin=True)
                            changed = True

    def _add_imperative(self) -> None:
        """Project classes a top-level `map_imperatively` or `mapper` call maps."""
        for summary in self._summaries.values():
            for callee, spelled in summary.imperative:
                owner, _, method = callee.rpartition(".")
                if method == "map_imperatively":
                    mapper = owner and isinstance(self._dotted(summary, owner, 0), MapperRegistry)
                else:
                    found = self._dotted(summary, callee, 0)
                    mapper = isinstance(found, SqlaName) and (
                        _sqla_public(found.qualified) in _CLASSICAL_MAPPERS
                    )
                fact = self._dotted(summary, spelled, 0) if mapper else None
                if isinstance(fact, ProjectClass) and self._owner(fact.qualified) is not None:
                    self._facts[fact.qualified] = ModelClass(imperative=True)

    # -- class attributes -------------------------------------------------------
    def _add_class_attributes(self) -> None:
        """`module.Class.attr` facts for sessions a class binds or inherits from project
        bases: `Session = meta.Session`, `Session = scoped_session(...)`, a `@property`
        annotated as returning a `Session`; read as `cls.Session` / `self.session`."""
        for summary in self._summaries.values():
            for name, binding in summary.bindings.items():
                if not isinstance(binding, ClassSummary):
                    continue
                for attr in self._attribute_names(summary, binding, 0):
                    fact = self._class_attribute(summary, binding, attr, 0)
                    if isinstance(fact, Instance):
                        self._facts[f"{summary.module}.{name}.{attr}"] = fact

    def _attribute_names(self, summary: ModuleSummary, klass: ClassSummary, depth: int) -> set[str]:
        """Names a class or its project bases bind with something that may be a session."""
        names = {name for name, how, _ in klass.attributes if how != "other"}
        if depth < _MAX_DEPTH:
            for base in klass.bases:
                found = self._defining_class(summary, base, depth)
                if found is not None:
                    names |= self._attribute_names(found[0], found[1], depth + 1)
        return names

    def _class_attribute(
        self, summary: ModuleSummary, klass: ClassSummary, attr: str, depth: int
    ) -> Fact | None:
        """What `attr` of the class is: its own binding, else the first base's (in base
        order, depth first: the MRO of single-rooted project hierarchies)."""
        found = self._bound_attribute(summary, klass, attr, depth)
        return found[1] if found is not None else None

    def _bound_attribute(
        self, summary: ModuleSummary, klass: ClassSummary, attr: str, depth: int
    ) -> tuple[str, Fact | None] | None:
        """`(how, fact)` of the first binding of `attr` in the class and its bases; None
        when none binds it. A method or other binding hides what a later base binds."""
        for name, how, value in klass.attributes:
            if name == attr:
                return how, self._attribute_value(summary, how, value, depth)
        if depth >= _MAX_DEPTH:
            return None
        for base in klass.bases:
            owner = self._defining_class(summary, base, depth)
            if owner is not None:
                found = self._bound_attribute(owner[0], owner[1], attr, depth + 1)
                if found is not None:
                    return found
        return None

    def _attribute_value(
        self, summary: ModuleSummary, how: str, value: str, depth: int
    ) -> Fact | None:
        if how == "alias":
            return self._dotted(summary, value, depth)
        if how == "call":
            return self._call(summary, Called(value), depth)
        if how == "annotation":
            kind = self._session_kind(self._dotted(summary, value, depth), called=False)
            return Instance(kind) if kind is not None else None
        return None

    def _defining_class(
        self, summary: ModuleSummary, spelled: str, depth: int
    ) -> tuple[ModuleSummary, ClassSummary] | None:
        """The summary of the project class `spelled` names in `summary`'s module,
        following imports and aliases."""
        if depth > _MAX_DEPTH:
            return None
        head, _, rest = spelled.partition(".")
        binding = summary.bindings.get(head)
        if isinstance(binding, ClassSummary):
            return (summary, binding) if not rest else None
        if isinstance(binding, Alias):
            return self._defining_class(
                summary, binding.dotted + (f".{rest}" if rest else ""), depth + 1
            )
        if isinstance(binding, Imported):
            owner = self._owner(binding.qualified + (f".{rest}" if rest else ""))
            if owner is not None:
                return self._defining_class(owner[0], owner[1], depth + 1)
        return None

    # -- parameters, from the calls of their functions ---------------------------
    def _add_parameters(self) -> None:
        """`module.f.<locals>.db` for a parameter every seen call of `f` passes a
        Flask-SQLAlchemy object for (see the module docstring)."""
        escaped: set[str] = set()
        calls: dict[str, list[tuple[ModuleSummary, CallSite]]] = {}
        functions: dict[str, FunctionSummary] = {}
        for module, found_in in self._calls.items():
            summary = self._summaries.get(module)
            if summary is None:
                continue
            for spelled in found_in.escaped:
                found = self._defining_function(summary, spelled, 0)
                if found is not None:
                    escaped.add(found[0])
            for call in found_in.calls:
                found = self._defining_function(summary, call.callee, 0)
                if found is not None:
                    calls.setdefault(found[0], []).append((summary, call))
                    functions[found[0]] = found[1]
        for qualified, sites in calls.items():
            function = functions[qualified]
            if qualified in escaped or function.decorators:
                continue
            for position, parameter in enumerate(function.parameters):
                if parameter not in function.model_parameters:
                    continue
                positional = position if position < function.keyword_only_from else None
                if all(
                    not call.unpacked
                    and isinstance(
                        self._argument(summary, call.argument(positional, parameter)),
                        FlaskSQLAlchemy,
                    )
                    for summary, call in sites
                ):
                    self._facts[f"{qualified}.<locals>.{parameter}"] = FlaskSQLAlchemy()

    def _argument(self, summary: ModuleSummary, argument: str | None) -> Fact | None:
        """What a `CallSite` argument of a call in `summary`'s module is."""
        how, _, value = (argument or "").partition(":")
        if how == "name":
            return self._dotted(summary, value, 0)
        if how == "call":
            callee = self._spelled(summary, value)
            return self._call(summary, Called(value), 0, callee) if callee is not None else None
        if how == "item":
            index, length, spelled = value.split(":", 2)
            provider = self._spelled(summary, spelled)
            if isinstance(provider, TupleProvider) and len(provider.items) == int(length):
                return provider.items[int(index)]
        return None

    def _spelled(self, summary: ModuleSummary, spelled: str) -> Fact | None:
        """What a `CallSite` spelling means: `=qualified`, or a name of the module."""
        if spelled.startswith("="):
            return self.resolve(spelled[1:])
        return self._dotted(summary, spelled, 0)

    def _defining_function(
        self, summary: ModuleSummary, spelled: str, depth: int
    ) -> tuple[str, FunctionSummary] | None:
        """The qualified name and summary of the project function `spelled` names in
        `summary`'s module, following imports and aliases."""
        if depth > _MAX_DEPTH:
            return None
        if spelled.startswith("="):
            owner = self._owner(spelled[1:])
            return self._defining_function(owner[0], owner[1], depth + 1) if owner else None
        head, _, rest = spelled.partition(".")
        binding = summary.bindings.get(head)
        if isinstance(binding, FunctionSummary):
            return (f"{summary.module}.{head}", binding) if not rest else None
        if isinstance(binding, Alias):
            joined = binding.dotted + (f".{rest}" if rest else "")
            return self._defining_function(summary, joined, depth + 1)
        if isinstance(binding, Imported):
            owner = self._owner(binding.qualified + (f".{rest}" if rest else ""))
            if owner is not None:
                return self._defining_function(owner[0], owner[1], depth + 1)
        return None

    def _follow_reexports(self) -> None:
        """Names that re-export a class now known as a mixin or mapped take its fact."""
        for name, fact in self._facts.items():
            if isinstance(fact, ProjectClass):
                mixin = self._facts.get(fact.qualified)
                if isinstance(mixin, ModelClass):
                    self._facts[name] = mixin
