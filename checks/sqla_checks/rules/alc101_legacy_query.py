"""ALC101-ALC103: the legacy `Query` API (`session.query(...)`, `Model.query`, `Query.get`).

The three rules share one chain reader: starting from a call, it walks down the
method chain to `<owner>.query(...)` (or `<Model>.query.<method>`), and knows which
calls of that chain still build the query and which one runs it. ALC101 and ALC103
rewrite a chain only when every step has an exact 2.x counterpart; the reasons a
rewrite is exact (or not) are written next to the code that decides it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import libcst as cst

from sqla_checks.contract.rule import Applicability, Bad, Fix, Good, Import, Rule
from sqla_checks.evidence.call_arguments import keyword_arg
from sqla_checks.evidence.context import FileContext

# Query builder methods with an exact `Select` counterpart in SQLAlchemy 2.x
# (legacy name -> 2.x name). In 2.x `Query` compiles to the very `Select` these
# build, so the SQL is the same; `filter` is spelled `where`, its 2.x name.
_BUILDERS: dict[str, str] = {
    "filter": "where",
    "where": "where",
    "filter_by": "filter_by",
    "order_by": "order_by",
    "limit": "limit",
    "offset": "offset",
    "join": "join",
    "outerjoin": "outerjoin",
    "options": "options",
    "distinct": "distinct",
    "with_for_update": "with_for_update",
}
# Methods that run the query and return rows, objects or a number.
_RUNNERS = frozenset({"all", "first", "one", "one_or_none", "scalar", "count"})
# Other methods that end a Query (their result is not a Query any more).
_OTHER_ENDS = frozenset(
    {
        "get",
        "update",
        "delete",
        "exists",
        "subquery",
        "scalar_subquery",
        "cte",
        "union",
        "union_all",
        "paginate",
        "get_or_404",
        "first_or_404",
        "one_or_404",
    }
)
# Methods that set no FROM entity: `filter_by` after them still targets the lead entity.
_JOINS = frozenset({"join", "outerjoin"})

# Methods of the legacy Query seen on `Model.query` (Flask-SQLAlchemy, query_property).
# `get`, `all`, `first`, `count` and the like are generic names: ALC102 accepts them
# only when the model class is known to be a model (see `_is_query_model`).
_DISTINCTIVE_MODEL_QUERY_METHODS = frozenset(
    {
        "filter_by",
        "filter",
        "order_by",
        "options",
        "join",
        "outerjoin",
        "with_entities",
        "get_or_404",
        "first_or_404",
        "one_or_404",
        "paginate",
        "one_or_none",
    }
)
_GENERIC_MODEL_QUERY_METHODS = frozenset(
    {"get", "all", "first", "one", "count", "limit", "offset", "distinct", "delete", "update"}
)

_SESSION_KINDS = frozenset({"sync-session", "async-session"})

# Column-expression constructors whose result in `query(...)` is a column, not an entity.
_COLUMN_CONSTRUCTORS = frozenset(
    {"literal_column", "literal", "cast", "case", "type_coerce", "extract", "coalesce"}
)


@dataclass(frozen=True)
class _Step:
    """One method call of a chain: `<previous>.name(args)`."""

    call: cst.Call
    name: str


@dataclass(frozen=True)
class _Chain:
    """`owner.query(entities)` followed by `steps`, up to and including `end`."""

    owner: cst.BaseExpression
    query: cst.Call
    builders: tuple[_Step, ...]
    end: _Step | None  # the method that runs or leaves the query, if any


def _read_chain(top: cst.Call) -> tuple[cst.Call, list[_Step]] | None:
    """The `X.query(...)` call under `top` and the method calls above it, bottom first."""
    steps: list[_Step] = []
    node: cst.BaseExpression = top
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        name = node.func.attr.value
        if name == "query":
            steps.reverse()
            return node, steps
        steps.append(_Step(node, name))
        node = node.func.value
    return None


def _split(query: cst.Call, owner: cst.BaseExpression, steps: list[_Step]) -> _Chain:
    builders: list[_Step] = []
    for step in steps:
        if step.name in _RUNNERS or step.name in _OTHER_ENDS or step.name not in _BUILDERS:
            return _Chain(owner, query, tuple(builders), step)
        builders.append(step)
    return _Chain(owner, query, tuple(builders), None)


class _ChainFinder:
    """Finds each `session.query(...)` chain once, from its outermost call."""

    def __init__(self, context: FileContext) -> None:
        self.context = context
        self._seen: set[int] = set()
        self._flask_instances: frozenset[str] | None = None

    def chain_at(self, node: cst.Call) -> tuple[_Chain, str] | None:
        """The session query chain whose outermost call is `node`, and the session kind."""
        if not isinstance(node.func, cst.Attribute):
            return None
        found = _read_chain(node)
        if found is None:
            return None
        query, steps = found
        if id(query) in self._seen or not query.args:
            return None
        self._seen.add(id(query))
        assert isinstance(query.func, cst.Attribute)
        owner = query.func.value
        kind = self._session_kind(owner)
        if kind is None:
            return None
        return _split(query, owner, steps), kind

    def _session_kind(self, owner: cst.BaseExpression) -> str | None:
        kind = self.context.kind_of(owner)
        if kind in _SESSION_KINDS:
            return kind
        # Flask-SQLAlchemy: `db.session` is a scoped (sync) Session.
        if (
            isinstance(owner, cst.Attribute)
            and owner.attr.value == "session"
            and isinstance(owner.value, cst.Name)
        ):
            if self._flask_instances is None:
                self._flask_instances = _flask_sqlalchemy_instances(self.context)
            if owner.value.value in self._flask_instances:
                return "sync-session"
        return None


def _flask_sqlalchemy_instances(context: FileContext) -> frozenset[str]:
    """Module-level names assigned `SQLAlchemy(...)` from Flask-SQLAlchemy."""
    if not context.imports.imports_from("flask_sqlalchemy"):
        return frozenset()
    return frozenset(
        assignment.name
        for assignment in context.module_assignments
        if not assignment.annotated
        and isinstance(assignment.value, cst.Call)
        and context.qualified_name(assignment.value.func) == "flask_sqlalchemy.SQLAlchemy"
    )


# -- what `query(...)` selects ------------------------------------------------------


@dataclass(frozen=True)
class _Selected:
    """One argument of `query(...)`: an ORM entity or a column, and how we know."""

    entity: bool
    proven: bool  # known from this module (else: from the CapWords naming convention)
    key: str | None  # the name the legacy Row gives it, when statically known


def _module_classes(context: FileContext) -> dict[str, cst.ClassDef]:
    return {s.name.value: s for s in context.module.body if isinstance(s, cst.ClassDef)}


def _is_cap_words(name: str) -> bool:
    return name[:1].isupper() and any(c.islower() for c in name)


def _classify(
    context: FileContext, node: cst.BaseExpression, classes: dict[str, cst.ClassDef]
) -> _Selected | None:
    """Entity or column, from evidence; None when the argument cannot be classified."""
    if isinstance(node, cst.Name):
        if node.value in classes:
            return _Selected(entity=True, proven=True, key=node.value)
        if context.sqla_name(node) is not None:
            return None
        if _is_cap_words(node.value):
            return _Selected(entity=True, proven=False, key=node.value)
        return None
    if isinstance(node, cst.Attribute):
        attr = node.attr.value
        if _is_cap_words(attr):
            # `models.User`: a class reached through a module (relative imports included).
            head = node.value
            if (
                isinstance(head, cst.Name)
                and head.value not in {"self", "cls"}
                and context.sqla_name(head) is None
            ):
                return _Selected(entity=True, proven=False, key=attr)
            return None
        owner = _classify(context, node.value, classes)
        if owner is None or not owner.entity or attr.startswith("_"):
            return None
        if owner.proven and isinstance(node.value, cst.Name):
            mapped = _mapped_attribute(context, classes[node.value.value], attr)
            if mapped == "column":
                return _Selected(entity=False, proven=True, key=attr)
            if mapped == "relationship":
                return None  # selecting a relationship selects the related entity
        return _Selected(entity=False, proven=False, key=attr)
    if isinstance(node, cst.Call):
        name = context.sqla_name(node.func)
        if name in {"aliased", "with_polymorphic"}:
            return _Selected(entity=True, proven=True, key=None)
        if name in _COLUMN_CONSTRUCTORS:
            return _Selected(entity=False, proven=True, key=None)
        func = node.func
        if isinstance(func, cst.Attribute):
            if context.sqla_name(func.value) == "func":
                return _Selected(entity=False, proven=True, key=None)
            if func.attr.value == "label" and len(node.args) == 1:
                inner = _classify(context, func.value, classes)
                label = node.args[0].value
                if (
                    inner is not None
                    and not inner.entity
                    and isinstance(label, cst.SimpleString)
                    and isinstance(label.evaluated_value, str)
                ):
                    return _Selected(entity=False, proven=inner.proven, key=label.evaluated_value)
        return None
    return None


def _mapped_attribute(
    context: FileContext, klass: cst.ClassDef, attr: str
) -> Literal["column", "relationship"] | None:
    """How `attr` is declared in the body of `klass`, if it is declared there."""
    for statement in klass.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            value: cst.BaseExpression | None
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                target, value = small.target.value, small.value
                annotation = small.annotation.annotation
            elif (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
            ):
                target, value, annotation = small.targets[0].target.value, small.value, None
            else:
                continue
            if target != attr:
                continue
            if isinstance(value, cst.Call):
                name = context.sqla_name(value.func)
                if name in {"Column", "mapped_column", "column_property", "deferred"}:
                    return "column"
                if name in {"relationship", "dynamic_loader"}:
                    return "relationship"
                return None
            if value is None and annotation is not None:
                # `name: Mapped[str]` alone is a column; a relationship needs a call.
                head = annotation.value if isinstance(annotation, cst.Subscript) else None
                if head is not None and context.sqla_name(head) == "Mapped":
                    return "column"
            return None
    return None


# -- the rewrite ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Rewrite:
    replacement: cst.BaseExpression
    applicability: Applicability
    imports: tuple[Import, ...]


def _sqla_callable(
    context: FileContext, name: str
) -> tuple[cst.BaseExpression, tuple[Import, ...]] | None:
    """How to spell `select`/`func` here: as imported, through `sa.`, or newly imported."""
    if context.sqla_name(cst.Name(name)) == name:
        return cst.Name(name), (Import("sqlalchemy", name),)
    if context.qualified_name(cst.Name(name)) is not None:
        return None  # bound to something else (`import select`, another library)
    for alias in ("sa", "sqlalchemy", "sqla"):
        if context.qualified_name(cst.Name(alias)) == "sqlalchemy":
            return cst.Attribute(value=cst.Name(alias), attr=cst.Name(name)), ()
    if re.search(rf"\b(def|class)\s+{name}\b|\b{name}\s*(=|:[^=])", context.text):
        return None  # a local definition would shadow the import
    return cst.Name(name), (Import("sqlalchemy", name),)


def _call(value: cst.BaseExpression, method: str, *args: cst.BaseExpression) -> cst.Call:
    return cst.Call(
        func=cst.Attribute(value=value, attr=cst.Name(method)),
        args=[cst.Arg(a) for a in args],
    )


def _statement(select_name: cst.BaseExpression, chain: _Chain) -> cst.BaseExpression:
    """`select(<entities>)` followed by the 2.x spelling of each builder step."""
    statement: cst.BaseExpression = chain.query.with_changes(func=select_name)
    for step in chain.builders:
        func = step.call.func
        assert isinstance(func, cst.Attribute)
        new_func = func.with_changes(
            value=statement, attr=func.attr.with_changes(value=_BUILDERS[step.name])
        )
        statement = step.call.with_changes(func=new_func)
    return statement


def _untranslatable_builder(chain: _Chain, selected: Sequence[_Selected]) -> str | None:
    """Why a builder step has no exact 2.x spelling here, or None."""
    joined = False
    for step in chain.builders:
        if step.name in _JOINS:
            joined = True
        if step.name == "filter_by" and (joined or len(selected) != 1 or not selected[0].entity):
            # Query.filter_by targets the last joined entity; 2.1's Select.filter_by
            # searches every FROM entity and raises on ambiguity. They agree only
            # while the statement has a single entity and no join yet.
            return (
                "`filter_by()` after a join or with several entities: "
                "use `where(Model.attr == value)`"
            )
        if step.name == "distinct" and step.call.args:
            return (
                "`distinct(*columns)` (DISTINCT ON) is deprecated in 2.1: "
                "use `select(...).ext(distinct_on(...))`"
            )
        if any(arg.star == "**" for arg in step.call.args) and step.name != "filter_by":
            return f"`{step.name}(**...)` cannot be checked statically"
    return None


def _run(
    owner: cst.BaseExpression, method: str, statement: cst.BaseExpression, awaited: bool
) -> cst.BaseExpression:
    call = _call(owner, method, statement)
    if awaited:
        return cst.Await(expression=call, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return call


def _rewrite_runner(
    context: FileContext, chain: _Chain, kind: str, selected: Sequence[_Selected]
) -> _Rewrite | str:
    """The 2.x expression for a chain ending in a runner, or why there is none."""
    assert chain.end is not None
    end = chain.end
    if end.call.args:
        return f"`{end.name}()` with arguments"
    reason = _untranslatable_builder(chain, selected)
    if reason is not None:
        return reason
    awaited = kind == "async-session"
    if awaited and not context.in_async_function:
        return "an AsyncSession outside `async def`"
    select_name = _sqla_callable(context, "select")
    if select_name is None:
        return "the name `select` is taken in this module"
    imports = list(select_name[1])
    statement = _statement(select_name[0], chain)
    owner = chain.owner
    has_entity = any(s.entity for s in selected)
    single = len(selected) == 1
    # Legacy Query returns bare objects for a single entity and Rows otherwise
    # (`is_single_entity`), and de-duplicates rows whenever an entity is selected
    # (`filtered`, Query._iter in 2.1.9): `.unique()` keeps that behaviour, and is
    # also what 2.x requires for joined eager loading of collections.
    scalars = single and selected[0].entity
    uniquing = has_entity
    proven = all(s.proven for s in selected)
    rows_keys_stable = True

    result: cst.BaseExpression
    if end.name == "count":
        func_name = _sqla_callable(context, "func")
        if func_name is None:
            return "the name `func` is taken in this module"
        imports.extend(func_name[1])
        # Query.count() runs SELECT count(*) FROM (<query>) AS anon_1 with eager
        # loading off; an ORM subquery never eager-loads either.
        count_call = cst.Call(
            func=cst.Attribute(value=func_name[0], attr=cst.Name("count")), args=[]
        )
        counted = _call(
            cst.Call(func=select_name[0], args=[cst.Arg(count_call)]),
            "select_from",
            _call(statement, "subquery"),
        )
        result = _run(owner, "scalar", counted, awaited)
    elif end.name == "scalar":
        if not single:
            return "`scalar()` of several columns"
        # Query.scalar() is one() -> first element, None when there is no row, and
        # MultipleResultsFound for several rows: that is ScalarResult.one_or_none().
        result = _run(owner, "scalars", statement, awaited)
        if uniquing:
            result = _call(result, "unique")
        result = _call(result, "one_or_none")
    else:
        if end.name == "first":
            # Query.first() applies LIMIT 1 itself (`self.limit(1)`); keep it.
            statement = _call(statement, "limit", cst.Integer("1"))
        result = _run(owner, "scalars" if scalars else "execute", statement, awaited)
        if uniquing:
            result = _call(result, "unique")
        result = _call(result, end.name)
        if not scalars:
            keys = [s.key for s in selected]
            # Legacy Rows name columns by attribute key and leave expressions
            # unnamed; 2.x names those (`count`) and renames duplicates (`id_1`).
            rows_keys_stable = None not in keys and len(set(keys)) == len(keys)
    result = result.with_changes(lpar=end.call.lpar, rpar=end.call.rpar)
    safe = proven and rows_keys_stable and not awaited
    return _Rewrite(result, "safe" if safe else "unsafe", tuple(imports))


# -- ALC101 ---------------------------------------------------------------------------


class LegacyQueryApi(Rule):
    """Flags `session.query(...)` chains: the legacy 1.x Query API."""

    code = "ALC101"
    name = "legacy-query-api"
    message = (
        "`session.query()` is the legacy Query API: build a `select()` and run it with "
        "`session.scalars()` (one entity) or `session.execute()` (rows)"
    )
    why = """
Since SQLAlchemy 2.0 the `Query` object is documented as legacy: it is kept for
1.x code but gets no new features, and `AsyncSession` does not have `query()` at
all [claim: asyncsession-has-no-query]. The 2.0 style builds a `select()` statement and
hands it to the session
(`session.scalars(stmt)` for ORM objects, `session.execute(stmt)` for rows), the
same code in sync and async programs. Two behaviours of `Query` are easy to lose in
a hand migration: `first()` adds `LIMIT 1` to the SQL [claim: alc101-first-adds-limit],
and a query that selects an
ORM entity silently de-duplicates its results (in 2.x results are only
de-duplicated after `.unique()`, which joined eager loading of a collection requires)
[claim: alc101-query-dedups-entities].
"""
    example = """from app.models import User
from sqlalchemy.orm import Session


def find_user(session: Session, email: str) -> User | None:
    return session.query(User).filter(User.email == email).first()


def all_users(session: Session) -> list[User]:
    return session.query(User).order_by(User.name).all()"""
    use_instead = """from collections.abc import Sequence

from app.models import User
from sqlalchemy import select
from sqlalchemy.orm import Session


def find_user(session: Session, email: str) -> User | None:
    stmt = select(User).where(User.email == email).limit(1)
    return session.scalars(stmt).unique().first()


def all_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.name)).unique().all()"""
    fix_safety = """
The fix rewrites a chain of `filter`/`where`, `filter_by`, `order_by`, `limit`,
`offset`, `join`, `outerjoin`, `options`, `with_for_update` and `distinct()`
ending in `all()`,
`first()`, `one()`, `one_or_none()`, `scalar()` or `count()`. It keeps what the
legacy `Query` did (SQLAlchemy 2.1.9 source, `Query._iter`, `first`, `scalar`,
`count`):

- `first()` becomes `.limit(1)` on the statement, then `.first()`: the SQL keeps
  its `LIMIT 1`;
- a statement that selects an ORM entity gets `.unique()` on the result, because
  `Query` de-duplicated such results by identity; this also satisfies the 2.x
  requirement of `.unique()` with joined eager loading of collections;
- `scalar()` becomes `.one_or_none()` on `scalars()`: like `Query.scalar()` it
  returns None without rows and raises `MultipleResultsFound` for several rows
  (`session.scalar()` would silently take the first row) [claim: alc101-query-scalar];
- `count()` becomes `select(func.count()).select_from(<statement>.subquery())`,
  the same `SELECT count(*) FROM (...)` the legacy method emits
  [claim: alc101-count-subquery].

`.unique()` is kept even where the statement cannot return one entity twice (no
join, no joined eager loading, also not configured on the mapper); drop it by hand
once you know that. A multi-line chain keeps its line breaks inside the new call:
run your formatter afterwards.

The fix is safe when every selected argument is known from this module (a model
class defined here, one of its `Column`/`mapped_column` attributes, `func.*`,
`aliased()`), and, for row results, when each column has a distinct static name
(legacy rows leave expressions like `func.count()` unnamed and repeat duplicate
names; 2.x rows name them `count` and `id_1`). It is unsafe when a class is only
recognised by its CapWords name (an imported model) and when the session is an
`AsyncSession`: `AsyncSession` has no `query()`, so that code raised
`AttributeError`, and the fix adds the `await` that makes it run.

No fix is offered, and the message says why, for other methods (`group_by`,
`having`, `with_entities`, `update`, `delete`, `subquery`, `yield_per`, ...), for
a chain that is not run where it is built (`q = session.query(User)`), for
`filter_by()` after a join or with several entities (2.1's `Select.filter_by`
searches all FROM entities where `Query.filter_by` used the last joined one), and
for arguments it cannot classify as entity or column.
"""
    blind_spots = """
Sessions are recognised by evidence (annotations, `Depends` on a session
dependency of this module, `with Session(...) as s`, factory calls, Flask-SQLAlchemy
`db.session` with `db = SQLAlchemy(...)` in this module); `session.query` on a name
with no evidence is not reported. A query built in one statement and run in
another (`q = session.query(User)`, then `q.all()`) is reported where it is built,
without a fix.
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/orm/queryguide/query.html",
        "https://docs.sqlalchemy.org/en/20/changelog/migration_20.html#orm-query-unified-with-core-select",
        "https://docs.sqlalchemy.org/en/20/orm/queryguide/api.html#orm-queryguide-legacy-query-methods",
        "https://docs.sqlalchemy.org/en/20/faq/sessions.html#faq-query-deduplicating",
    )
    triggers = ("query(",)
    examples = (
        Bad(
            """
            from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)
                email: Mapped[str]


            def find_user(s: Session, email: str) -> User | None:
                return s.query(User).filter(User.email == email).first()
            """,
            line=15,
            column=12,
            fixed="""
            from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
            from sqlalchemy import select


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)
                email: Mapped[str]


            def find_user(s: Session, email: str) -> User | None:
                return s.scalars(select(User).where(User.email == email).limit(1)).unique().first()
            """,
            note="a model class of this module: safe; first() keeps LIMIT 1",
        ),
        Bad(
            """
            from sqlalchemy.orm import Session, joinedload

            from app.models import Post


            def list_posts(session: Session) -> list[Post]:
                return (
                    session.query(Post)
                    .options(joinedload(Post.tags))
                    .order_by(Post.id.desc())
                    .all()
                )
            """,
            line=8,
            column=9,
            fixed="""
            from sqlalchemy.orm import Session, joinedload

            from app.models import Post
            from sqlalchemy import select


            def list_posts(session: Session) -> list[Post]:
                return (
                    session.scalars(select(Post)
                    .options(joinedload(Post.tags))
                    .order_by(Post.id.desc())).unique().all()
                )
            """,
            note="joinedload of a collection: unique() is required, and Query de-duplicated too",
        ),
        Bad(
            """
            from sqlalchemy.orm import Session

            from app.db import engine
            from app.models import Tag

            s = Session(engine)
            n = s.query(Tag).filter(Tag.used).count()
            """,
            line=7,
            column=5,
            fixed="""
            from sqlalchemy.orm import Session

            from app.db import engine
            from app.models import Tag
            from sqlalchemy import func, select

            s = Session(engine)
            n = s.scalar(select(func.count()).select_from(select(Tag).where(Tag.used).subquery()))
            """,
            note="count() counts the same statement in a subquery; imported model: unsafe",
        ),
        Bad(
            """
            import sqlalchemy as sa
            from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)
                name: Mapped[str] = mapped_column(sa.String(50))


            def names(session: Session):
                return session.query(User.id, User.name).order_by(User.id).all()
            """,
            line=16,
            column=12,
            fixed="""
            import sqlalchemy as sa
            from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)
                name: Mapped[str] = mapped_column(sa.String(50))


            def names(session: Session):
                return session.execute(sa.select(User.id, User.name).order_by(User.id)).all()
            """,
            note="several columns: execute() returns Rows, as Query did",
        ),
        Bad(
            """
            import sqlalchemy as sa
            from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)
                name: Mapped[str] = mapped_column(sa.String(50))


            def named(s: Session) -> int:
                return s.query(sa.func.count(User.id)).scalar()
            """,
            line=16,
            column=12,
            fixed="""
            import sqlalchemy as sa
            from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)
                name: Mapped[str] = mapped_column(sa.String(50))


            def named(s: Session) -> int:
                return s.scalars(sa.select(sa.func.count(User.id))).one_or_none()
            """,
            note="scalar() keeps MultipleResultsFound for several rows",
        ),
        Bad(
            """
            from sqlalchemy.orm import Session

            from app.models import User


            async def get_user(session: Session, user_id: int) -> User:
                return session.query(User).filter_by(id=user_id).one()
            """,
            line=7,
            column=12,
            fixed="""
            from sqlalchemy.orm import Session

            from app.models import User
            from sqlalchemy import select


            async def get_user(session: Session, user_id: int) -> User:
                return session.scalars(select(User).filter_by(id=user_id)).unique().one()
            """,
            note="a sync Session in async def stays sync (ALC201 reports it)",
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import AsyncSession

            from app.models import User


            async def list_users(session: AsyncSession) -> list[User]:
                return session.query(User).limit(10).all()
            """,
            line=7,
            column=12,
            fixed="""
            from sqlalchemy.ext.asyncio import AsyncSession

            from app.models import User
            from sqlalchemy import select


            async def list_users(session: AsyncSession) -> list[User]:
                return (await session.scalars(select(User).limit(10))).unique().all()
            """,
            note="an AsyncSession has no query(): the fix awaits, and is unsafe",
        ),
        Bad(
            """
            from flask_sqlalchemy import SQLAlchemy

            from app.models import User

            db = SQLAlchemy()


            def active_users():
                return db.session.query(User).filter(User.active.is_(True)).all()
            """,
            line=9,
            column=12,
            fixed="""
            from flask_sqlalchemy import SQLAlchemy

            from app.models import User
            from sqlalchemy import select

            db = SQLAlchemy()


            def active_users():
                return db.session.scalars(select(User).where(User.active.is_(True))).unique().all()
            """,
            note="Flask-SQLAlchemy db.session",
        ),
        Bad(
            """
            from sqlalchemy import func
            from sqlalchemy.orm import Session

            from app.models import Post


            def posts_per_author(session: Session):
                return session.query(Post.author_id, func.count()).group_by(Post.author_id).all()
            """,
            line=8,
            column=12,
            note="group_by: no exact rewrite offered",
        ),
        Bad(
            """
            from sqlalchemy.orm import Session

            from app.models import Address, User


            def users_in(session: Session, city: str):
                query = session.query(User).join(User.addresses)
                return query.filter_by(city=city).all()
            """,
            line=7,
            column=13,
            note="a query stored and run later: reported where it is built, no fix",
        ),
        Bad(
            """
            from sqlalchemy.orm import Session

            from app.models import Address, User


            def users_in(session: Session, city: str):
                return session.query(User).join(User.addresses).filter_by(city=city).all()
            """,
            line=7,
            column=12,
            note="filter_by after a join: 2.1 Select.filter_by searches all FROM entities",
        ),
        Good(
            """
            import pandas as pd


            def big(df: pd.DataFrame) -> pd.DataFrame:
                return df.query("a > 1").head()
            """,
            note="pandas DataFrame.query",
        ),
        Good(
            """
            from app.models import User


            def load(session, client):
                users = session.query(User).all()
                docs = client.query(User).all()
                return users, docs
            """,
            note="no evidence that session or client is a SQLAlchemy session",
        ),
        Good(
            """
            from sqlalchemy import select
            from sqlalchemy.orm import Session

            from app.models import User


            def load(session: Session):
                return session.scalars(select(User).order_by(User.id)).all()
            """,
            note="already 2.0 style",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._chains = _ChainFinder(context)

    def visit_Call(self, node: cst.Call) -> None:
        found = self._chains.chain_at(node)
        if found is None:
            return
        chain, kind = found
        end = chain.end
        if end is not None and end.name == "get":
            return  # ALC103's
        top = (
            end.call
            if end is not None
            else (chain.builders[-1].call if chain.builders else chain.query)
        )
        if end is None:
            self.report(
                top,
                self.message + " (run the statement where it is built to get an automatic fix)",
            )
            return
        if end.name not in _RUNNERS:
            self.report(
                top,
                f"`Query.{end.name}()` is legacy API with no automatic rewrite: "
                + _RECIPES.get(end.name, "build a `select()` and run it with the session"),
            )
            return
        classes = _module_classes(self.context)
        selected = [
            _classify(self.context, arg.value, classes)
            if arg.keyword is None and not arg.star
            else None
            for arg in chain.query.args
        ]
        if None in selected:
            self.report(
                top,
                self.message
                + " (no automatic fix: cannot tell entities from columns in `query(...)`)",
            )
            return
        known = [s for s in selected if s is not None]
        rewrite = _rewrite_runner(self.context, chain, kind, known)
        if isinstance(rewrite, str):
            self.report(top, self.message + f" (no automatic fix: {rewrite})")
            return
        self.report(
            top,
            fix=Fix(
                top,
                rewrite.replacement,
                applicability=rewrite.applicability,
                imports=rewrite.imports,
                description="Rewrite as a select() statement run by the session",
            ),
        )


_RECIPES: dict[str, str] = {
    "update": "use `session.execute(update(Model).where(...).values(...))`",
    "delete": "use `session.execute(delete(Model).where(...))`",
    "group_by": "use `select(...).group_by(...)` with `session.execute()`",
    "having": "use `select(...).group_by(...).having(...)` with `session.execute()`",
    "with_entities": "use `select(<columns>)` with the same criteria",
    "subquery": "use `select(...).subquery()` (column names change: `.c.id`, not `.c.users_id`)",
    "exists": "use `select(...).exists()`",
    "yield_per": "use `session.scalars(select(...).execution_options(yield_per=n))`",
    "from_self": "use `aliased(Model, select(...).subquery())`",
    "paginate": "use `db.paginate(select(...))` (Flask-SQLAlchemy 3)",
}


# -- ALC103 ---------------------------------------------------------------------------


class LegacyQueryGet(Rule):
    """Flags `session.query(Model).get(pk)`: use `session.get(Model, pk)`."""

    code = "ALC103"
    name = "legacy-query-get"
    message = "`Query.get()` is legacy: use `session.get(Model, pk)`"
    why = """
`Query.get()` is legacy since SQLAlchemy 2.0: it emits a `LegacyAPIWarning`, but
it is kept in 2.0 and 2.1 and not scheduled for removal
[claim: alc103-query-get-is-legacy]; and
`AsyncSession` has no `query()`. `Session.get(Model, pk)` is its replacement and
does the same thing: it returns the object from the identity map without SQL when
it is already loaded, else it SELECTs it by primary key, and returns None when no row exists
[claim: alc103-session-get-uses-identity-map].
"""
    example = """from app.models import User
from sqlalchemy.orm import Session


def get_user(session: Session, user_id: int) -> User | None:
    return session.query(User).get(user_id)"""
    use_instead = """from app.models import User
from sqlalchemy.orm import Session


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)"""
    fix_safety = """
Safe for `session.query(Model).get(pk)` and `session.query(Model).options(...).get(pk)`:
in SQLAlchemy 2.1.9 `Query.get()` calls `Session._get_impl()` with the query's
mapper, loader options, `populate_existing` and `with_for_update` settings, and
`Session.get()` calls the same function with the same defaults, so the identity-map
lookup and the SQL are unchanged; loader options move to `options=[...]`. Unsafe
when the session is an `AsyncSession` (the fix adds `await`; the original raised
`AttributeError`). A `get()` after `filter()` or other criteria raises in the
legacy API and is reported without a fix.
"""
    blind_spots = """
Sessions are recognised by evidence, as for ALC101. `Model.query.get(pk)`
(Flask-SQLAlchemy) is ALC102's; `query.get(pk)` on a Query stored in a variable is
not seen.
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/orm/session_api.html#sqlalchemy.orm.Session.get",
        "https://docs.sqlalchemy.org/en/20/orm/queryguide/query.html#sqlalchemy.orm.Query.get",
    )
    triggers = ("query(",)
    examples = (
        Bad(
            """
            from sqlalchemy.orm import Session

            from app.models import User


            def get_user(session: Session, user_id: int) -> User | None:
                return session.query(User).get(user_id)
            """,
            line=7,
            column=12,
            fixed="""
            from sqlalchemy.orm import Session

            from app.models import User


            def get_user(session: Session, user_id: int) -> User | None:
                return session.get(User, user_id)
            """,
        ),
        Bad(
            """
            from sqlalchemy.orm import Session, selectinload

            from app.models import Post


            def get_post(session: Session, post_id: int) -> Post | None:
                return session.query(Post).options(selectinload(Post.tags)).get(post_id)
            """,
            line=7,
            column=12,
            fixed="""
            from sqlalchemy.orm import Session, selectinload

            from app.models import Post


            def get_post(session: Session, post_id: int) -> Post | None:
                return session.get(Post, post_id, options=[selectinload(Post.tags)])
            """,
            note="loader options move to options=[...]",
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import AsyncSession

            from app.models import User


            async def get_user(session: AsyncSession, user_id: int) -> User | None:
                return session.query(User).get(user_id)
            """,
            line=7,
            column=12,
            fixed="""
            from sqlalchemy.ext.asyncio import AsyncSession

            from app.models import User


            async def get_user(session: AsyncSession, user_id: int) -> User | None:
                return (await session.get(User, user_id))
            """,
            note="an AsyncSession has no query(): the fix awaits, and is unsafe",
        ),
        Bad(
            """
            from sqlalchemy.orm import Session

            from app.models import User


            def get_active(session: Session, user_id: int) -> User | None:
                return session.query(User).filter(User.active).get(user_id)
            """,
            line=7,
            column=12,
            note="criteria before get(): legacy Query.get() raises; no fix",
        ),
        Good(
            """
            import requests

            from app.models import User


            def fetch(settings: dict[str, str], session: requests.Session) -> str:
                url = settings.get("url", "")
                return session.get(url).text
            """,
            note="dict.get and requests.Session.get",
        ),
        Good(
            """
            from sqlalchemy.orm import Session

            from app.models import User


            def get_user(session: Session, user_id: int) -> User | None:
                return session.get(User, user_id)
            """,
            note="already 2.0 style",
        ),
        Good(
            """
            from app.models import User


            def get_user(repo, user_id: int):
                return repo.query(User).get(user_id)
            """,
            note="repo has no session evidence",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._chains = _ChainFinder(context)

    def visit_Call(self, node: cst.Call) -> None:
        found = self._chains.chain_at(node)
        if found is None:
            return
        chain, kind = found
        end = chain.end
        if end is None or end.name != "get":
            return
        reason = _get_rewrite_blocker(chain)
        awaited = kind == "async-session"
        if reason is None and awaited and not self.context.in_async_function:
            reason = "an AsyncSession outside `async def`"
        if reason is not None:
            self.report(end.call, f"{self.message} (no automatic fix: {reason})")
            return
        options: list[cst.BaseElement] = []
        for step in chain.builders:
            for arg in step.call.args:
                if arg.star == "*":
                    options.append(cst.StarredElement(arg.value))
                else:
                    options.append(cst.Element(arg.value))
        args = [cst.Arg(chain.query.args[0].value), cst.Arg(end.call.args[0].value)]
        if options:
            args.append(keyword_arg("options", cst.List(options)))
        call = cst.Call(func=cst.Attribute(value=chain.owner, attr=cst.Name("get")), args=args)
        replacement: cst.BaseExpression = call
        if awaited:
            replacement = cst.Await(
                expression=call, lpar=[cst.LeftParen()], rpar=[cst.RightParen()]
            )
        else:
            replacement = call.with_changes(lpar=end.call.lpar, rpar=end.call.rpar)
        self.report(
            end.call,
            fix=Fix(
                end.call,
                replacement,
                applicability="unsafe" if awaited else "safe",
                description="Use Session.get()",
            ),
        )


def _get_rewrite_blocker(chain: _Chain) -> str | None:
    """Why `query(M)...get(pk)` has no exact `session.get()` spelling, or None."""
    assert chain.end is not None
    if any(step.name != "options" for step in chain.builders):
        return "criteria before `get()`; `Query.get()` refuses them"
    query_args = chain.query.args
    if len(query_args) != 1 or query_args[0].keyword is not None or query_args[0].star:
        return "`get()` needs exactly one entity"
    get_args = chain.end.call.args
    if len(get_args) != 1 or get_args[0].keyword is not None or get_args[0].star:
        return "unexpected `get()` arguments"
    for step in chain.builders:
        if any(arg.keyword is not None or arg.star == "**" for arg in step.call.args):
            return "keyword arguments to `options()`"
    return None


# -- ALC102 ---------------------------------------------------------------------------


class ModelQueryProperty(Rule):
    """Flags `Model.query...` (Flask-SQLAlchemy, `query_property()`): the legacy Query API."""

    code = "ALC102"
    name = "model-query-property"
    message = (
        "`Model.query` is the legacy Query API: build `select(Model)` and run it with the "
        "session (`db.session.scalars(...)`; keep `.limit(1)` for `.first()`)"
    )
    why = """
`Model.query` returns a legacy `Query` bound to a session the code does not name.
Flask-SQLAlchemy's documentation (3.1) describes `User.query` as a shortcut for
`db.session.query(User)`, marks this interface legacy, and recommends
`db.session.execute(db.select(...))`, with `db.get_or_404()`, `db.first_or_404()`,
`db.one_or_404()` and `db.paginate()` replacing the helpers of its `Query` class.
SQLAlchemy's own `scoped_session.query_property()` gives the same legacy object. In
SQLAlchemy 2.x `Query` gets no new features, and there is no async counterpart:
code that moves to `AsyncSession` has to pass the session explicitly anyway.
"""
    example = """from app.models import User


def find_user(email: str) -> User | None:
    return User.query.filter_by(email=email).first()"""
    use_instead = """from app.models import User
from sqlalchemy import select
from sqlalchemy.orm import Session


def find_user(session: Session, email: str) -> User | None:
    # with Flask-SQLAlchemy, `session` is the `db.session` the model's `db` owns
    stmt = select(User).filter_by(email=email).limit(1)
    return session.scalars(stmt).first()"""
    fix_safety = """
No automatic fix: the replacement needs the session the property was bound to
(`db.session` of the `SQLAlchemy` instance the model was declared with, or the
`scoped_session` that made the property), which the rule cannot name safely; and
a custom `query_class` may give the query methods a meaning of its own. Rewrite by
hand; keep `.limit(1)` for `.first()`, and `.unique()` on the result, as ALC101's
fix does.
"""
    blind_spots = """
The class must be known as a model: defined in this module on a `db.Model`-style
base or a base given `query = session.query_property()`; or a CapWords name used
with a method only a Query has (`filter_by`, `get_or_404`, `paginate`, ...).
`Model.query.get(pk)` on an imported model is therefore not reported: `get` is too
common a method name to count as evidence.
"""
    references = (
        "https://flask-sqlalchemy.readthedocs.io/en/stable/legacy-query/",
        "https://docs.sqlalchemy.org/en/20/orm/contextual.html#sqlalchemy.orm.scoped_session.query_property",
        "https://docs.sqlalchemy.org/en/20/orm/queryguide/query.html",
    )
    triggers = (".query.",)
    examples = (
        Bad(
            """
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()


            class User(db.Model):
                id = db.Column(db.Integer, primary_key=True)
                email = db.Column(db.String(120))


            def find(email: str) -> User | None:
                return User.query.filter_by(email=email).first()
            """,
            line=12,
            column=12,
            note="a Flask-SQLAlchemy model of this module",
        ),
        Bad(
            """
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()


            class User(db.Model):
                id = db.Column(db.Integer, primary_key=True)
                email = db.Column(db.String(120))


            def one(user_id: int) -> User | None:
                return User.query.get(user_id)
            """,
            line=12,
            column=12,
            note="generic methods such as get() count for a known model",
        ),
        Bad(
            """
            from app.models import Post


            def recent_posts():
                return Post.query.order_by(Post.id.desc()).limit(10).all()
            """,
            line=5,
            column=12,
            note="an imported CapWords class with a Query-only method",
        ),
        Bad(
            """
            from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker

            Session = scoped_session(sessionmaker())


            class Base(DeclarativeBase):
                query = Session.query_property()


            class Tag(Base):
                __tablename__ = "tags"


            def all_tags():
                return Tag.query.all()
            """,
            line=15,
            column=12,
            note="a base given scoped_session.query_property()",
        ),
        Good(
            """
            from aiohttp import web

            from app.models import User


            async def handler(request: web.Request) -> web.Response:
                page = request.query.get("page", "1")
                conf = Config.query.get("debug")
                users = User.query_all()
                return web.Response(text=page)
            """,
            note="aiohttp request.query, an unknown Config class, a query_all method",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._seen: set[int] = set()
        self._models: frozenset[str] | None = None

    def visit_Call(self, node: cst.Call) -> None:
        current: cst.BaseExpression = node
        while isinstance(current, cst.Call) and isinstance(current.func, cst.Attribute):
            inner = current.func.value
            if isinstance(inner, cst.Attribute) and inner.attr.value == "query":
                break
            current = inner
        else:
            return
        assert isinstance(current, cst.Call) and isinstance(current.func, cst.Attribute)
        prop = current.func.value
        assert isinstance(prop, cst.Attribute)
        if id(prop) in self._seen:
            return
        self._seen.add(id(prop))
        method = current.func.attr.value
        if self._is_query_model(prop.value, method):
            self.report(current)

    def _is_query_model(self, model: cst.BaseExpression, method: str) -> bool:
        if method not in _DISTINCTIVE_MODEL_QUERY_METHODS | _GENERIC_MODEL_QUERY_METHODS:
            return False
        if isinstance(model, cst.Name):
            if self._models is None:
                self._models = _query_models(self.context)
            if model.value in self._models:
                return True
            name = model.value
        elif isinstance(model, cst.Attribute) and isinstance(model.value, cst.Name):
            name = model.attr.value
        else:
            return False
        if self.context.sqla_name(model) is not None:
            return False
        return _is_cap_words(name) and method in _DISTINCTIVE_MODEL_QUERY_METHODS


def _query_models(context: FileContext) -> frozenset[str]:
    """Classes of this module that have a `query` property, in definition order."""
    query_bases: set[str] = set()
    for statement in context.module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                # `Base.query = Session.query_property()`
                if (
                    isinstance(small, cst.Assign)
                    and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Attribute)
                    and small.targets[0].target.attr.value == "query"
                    and isinstance(small.targets[0].target.value, cst.Name)
                    and _is_query_property_call(small.value)
                ):
                    query_bases.add(small.targets[0].target.value.value)
    models: set[str] = set()
    for statement in context.module.body:
        if not isinstance(statement, cst.ClassDef):
            continue
        if _declares_query_property(statement) or statement.name.value in query_bases:
            models.add(statement.name.value)
            continue
        for base in statement.bases:
            value = base.value
            if (isinstance(value, cst.Attribute) and value.attr.value == "Model") or (
                isinstance(value, cst.Name) and value.value in models | query_bases
            ):
                models.add(statement.name.value)
                break
    return frozenset(models)


def _is_query_property_call(value: cst.BaseExpression) -> bool:
    return (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value == "query_property"
    )


def _declares_query_property(klass: cst.ClassDef) -> bool:
    for statement in klass.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if (
                    isinstance(small, cst.Assign)
                    and any(
                        isinstance(t.target, cst.Name) and t.target.value == "query"
                        for t in small.targets
                    )
                    and _is_query_property_call(small.value)
                ):
                    return True
    return False
