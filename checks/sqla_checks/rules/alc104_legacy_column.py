"""ALC104: `Column()` as a class attribute of a declarative model."""

from __future__ import annotations

import builtins
import re
from typing import TYPE_CHECKING, Literal

import libcst as cst

from sqla_checks.contract.rule import Bad, Fix, Good, Import, Rule
from sqla_checks.evidence.bindings import ALWAYS, CONDITIONAL
from sqla_checks.evidence.call_arguments import keyword_argument, with_keyword
from sqla_checks.evidence.declarative import class_attribute, class_body_names
from sqla_checks.evidence.imports import dotted_name, sqla_symbol
from sqla_checks.evidence.sqlalchemy_api import MAPPED_COLUMN
from sqla_checks.fixes.name_binding import only_imports_bind, spelling

if TYPE_CHECKING:
    pass

# Schema items that may sit among a Column's positional arguments without being its
# type. A Column whose only positional arguments are these (and no ForeignKey) has no
# type: `mapped_column()` would then demand one from an annotation.
_NOT_A_TYPE = {
    "Sequence",
    "Identity",
    "Computed",
    "CheckConstraint",
    "DefaultClause",
    "FetchedValue",
    "UniqueConstraint",
}
# Builtin names that are plain types when used inside `Mapped[...]`.
_PLAIN_BUILTINS = {
    "int",
    "str",
    "bool",
    "float",
    "bytes",
    "bytearray",
    "dict",
    "list",
    "set",
    "frozenset",
    "tuple",
    "object",
}
# Standard-library modules whose classes are plain types (never `Annotated` aliases).
_PLAIN_MODULES = {"datetime", "decimal", "uuid", "ipaddress", "enum", "builtins"}
# Bases that bring no __table_args__ of their own.
_BASES_WITHOUT_TABLE_ARGS = {"DeclarativeBase", "DeclarativeBaseNoMeta", "AsyncAttrs"}
# Table-level items that never change a column's nullability.
_CONSTRAINTS_WITHOUT_NULLABILITY = {
    "UniqueConstraint",
    "ForeignKeyConstraint",
    "CheckConstraint",
    "Index",
}
# `from app.db import Column` / `from app.db import (\n    Column,\n)`.
_IMPORTED_COLUMN = re.compile(r"\bimport\s+(\([^)]*|[^\n]*)\bColumn\b")
_LITERALS = {"typing.Literal", "typing_extensions.Literal"}
_BUILTIN_NAMES = frozenset(dir(builtins))
_GENERIC_CONTAINERS = {
    "typing.List",
    "typing.Dict",
    "typing.Set",
    "typing.FrozenSet",
    "typing.Tuple",
    "typing.Sequence",
    "typing.Mapping",
}


class LegacyColumn(Rule):
    """Flags `Column()` assigned as a class attribute of a declarative ORM model."""

    code = "ALC104"
    name = "legacy-column"
    message = "Declare model attributes with `mapped_column()`, not `Column()`"
    why = """
Since SQLAlchemy 2.0 the ORM form of a table column is `mapped_column()`. It takes
the same arguments as `Column()`, and it also understands `Mapped[...]` annotations
(type and nullability can come from the annotation), dataclass options (`init=`,
`default_factory=`), `deferred=` loading and `sort_order=`. `Column()` on a model
still works in 2.0 and 2.1, but only as the 1.x spelling: type checkers see a
`Column` where the instance holds a value, and none of the 2.0 features apply.
`Column()` stays the right call inside `Table(...)`, in Alembic migrations and in
Core code.
"""
    example = """
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "user_account"
    id = Column(Integer, primary_key=True)
    name = Column(String(30))
"""
    # The complete 2.0 form; the fix itself only renames the call (see Fix safety),
    # and adding the annotations is a manual step.
    use_instead = """
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(30))
"""
    fix_safety = """
The fix renames the call and keeps every argument. It never adds an annotation: with
`Mapped[str]` (not Optional) `mapped_column()` makes the column NOT NULL, where
`Column(String)` was nullable
[claim: alc104-mapped-str-is-not-null]. Add the annotations by hand, `Optional[...]`
for every nullable column.

- No annotation: safe. An un-annotated `mapped_column()` builds the very `Column` it
  wraps and skips annotation handling (SQLAlchemy 2.1.9,
  `MappedColumn.declarative_scan`), under `DeclarativeBase` and `declarative_base()`
  alike, in mixins too. Without a type and without a `ForeignKey` it would raise
  instead [claim: alc104-untyped-mapped-column-raises], so such columns get no fix.
- `Mapped[...]` annotation: the annotation now decides nullability unless
  `nullable=` is passed, so the fix adds `nullable=` with the value `Column()` had
  when the annotation does not already give the same answer. Without `nullable=`,
  a Column is NOT NULL when it is `primary_key=True` (`Column.__init__`), has an
  `Identity()`, positional or as `server_default=` (`Identity._set_parent`), or is
  named by a `PrimaryKeyConstraint` in `__table_args__`
  (`PrimaryKeyConstraint._set_parent`; all SQLAlchemy 2.1.9, `sql/schema.py`). The
  annotation overrides the first two in `mapped_column()`
  (`MappedColumn._init_column_for_annotation`), hence `nullable=False` with an
  Optional annotation; the constraint attaches later and makes an unset
  `mapped_column()` NOT NULL too, so such a column gets nothing added
  [claim: alc104-nullability-sources].
  Safe when that nullability is read from this file, the annotation is made of
  builtins, standard-library types, classes of this module and
  `Optional`/`Union`/`| None`, and the model's base is defined in this module
  without `MappedAsDataclass`. Unsafe otherwise: an
  `Annotated[..., mapped_column(...)]` alias would merge its own arguments (a
  primary key, a server default) into the column, where `Column()` ignored them
  [claim: alc104-annotated-alias-merges];
  under dataclass mapping the `Column()` attribute was an optional `__init__`
  argument, which `mapped_column()` makes required
  [claim: alc104-dataclass-init-argument]; an argument this file cannot
  identify (a variable, a helper call) may be an `Identity()`; `__table_args__`
  that are not a literal tuple or dict of constraints, or that may come from a
  class of another module, may hold a `PrimaryKeyConstraint`, which an added
  `nullable=True` would override (so may the tables that the columns of mixins and
  abstract classes are copied into); and on a `Computed()` column an added
  `nullable=False` makes MariaDB emit NOT NULL, which it leaves off while
  `nullable` is unset (SQLAlchemy 2.1.9 `dialects/mysql/_mariadb_shim.py`)
  [claim: alc104-mariadb-computed-not-null].
- Names in a `Mapped[...]` annotation: `mapped_column()` evaluates the whole
  annotation when the class is created, where `Column()` only needed `Mapped`. A
  name not bound by then (imported only under `if TYPE_CHECKING:`, defined further
  down the module, or nowhere) would raise `MappedAnnotationError` (an `ArgumentError`
subclass; SQLAlchemy before 2.0.40 raises plain `ArgumentError`)
[claim: alc104-unbound-annotation-raises]: no fix. A name
  bound only under some other condition (`try`/`except ImportError`, `if`) or
  possibly by a star import: unsafe.
- Any other annotation (`x: int = Column(...)`): no fix. `mapped_column()` with a
  non-`Mapped` annotation raises `MappedAnnotationError` (`ArgumentError` before 2.0.40)
unless the class sets `__allow_unmapped__` [claim: alc104-non-mapped-annotation-raises].

The `Column` import is removed when nothing else uses it; `mapped_column` is
imported from `sqlalchemy.orm` when the module neither binds nor reads that name.
Where something else binds it for the class body (a class attribute, the module's
own `def`, `class` or assignment of `mapped_column`, even after an import of
SQLAlchemy's, a `global` assignment in a function, another import, a star import),
the fix writes `orm.mapped_column` through an import of `sqlalchemy.orm`, or an
aliased import of it, and otherwise offers no fix and says why. A `Mapped` that is
not SQLAlchemy's in the class body (a class attribute or the module's own binding
named `Mapped`) gets no fix either.

Target release: `mapped_column()` is new in SQLAlchemy 2.0, so when the project
targets an older release (`target-sqlalchemy`, else the lowest release its declared
dependency admits) the finding says so and has no fix. Like every fix, it is not
offered under a SQLAlchemy version guard (`if sqlalchemy.__version__ ...`, `try:
import ... except ImportError`), nor when a guard binds `mapped_column` or `Mapped`.
"""
    blind_spots = """
A class counts as a model only with evidence (see
`checks/sqla_checks/evidence/declarative.py`): a base assigned from `declarative_base()` or
`registry().generate_base()`, a `DeclarativeBase` subclass, `@as_declarative`,
`@registry.mapped`, a `__tablename__`, a subclass of one of those, or a mixin used by
one. Through the project index this evidence may live in another module of the run
or of a project package it imports: a base or mapped class imported from there
(Flask-SQLAlchemy's `db.Model` with `db = SQLAlchemy()` anywhere in the project,
single-table subclasses of an imported model, bases that generate `__tablename__`),
a mixin that a mapped class of another module uses, and `db.Column` or a
re-exported `Column = db.Column`.

Classes defined inside functions (test suites that build their models in a test, as
Flask-Admin's do) count when a base is a model class of the module or the project, a
base the function binds from `declarative_base()`, a model class of the same
function, or `db.Model` of a `db` the function binds exactly once from
Flask-SQLAlchemy's `SQLAlchemy(...)` or from a project helper that returns one
(`app, db = setup()`), and these get the fix as module-level models do. A `db` that
is a parameter (`def create_models(db): class Model1(db.Model)`) counts only when
every call of that top-level function in the project passes such an object
(`create_models(db)` after `app, db = setup()`); GINO spells its models the same way
(`db = Gino()`), so the function alone proves nothing. Those findings have no fix:
a call the run does not see (outside the run, in a file that mentions neither
SQLAlchemy nor a rule's trigger, through an attribute or a value the index cannot
follow) could pass another object. A decorated function, or one read other than as a
callee (`partial(create_models, db)`), gets no finding; nor does a parameter passed
on from another function's parameter.

Not seen: a file checked on its own outside any
package, mixins shipped for other projects to use (no mapped class of
the run subclasses them, such as Flask-AppBuilder's `AuditMixin`), and `Column()`
returned from `@declared_attr` functions. Columns passed through `*args` or
`**kwargs` get no fix; the fix of an imported `Column` alias leaves that import in
place. Nullability is read from the class and its bases in this module: a
`PrimaryKeyConstraint` added to the table in other ways (`Table.append_constraint`,
events) is not seen. Names in annotations are looked up among the module's
top-level bindings; one rebound inside a function with `global` is not followed.
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/orm/declarative_tables.html",
        "https://docs.sqlalchemy.org/en/20/orm/mapping_api.html#sqlalchemy.orm.mapped_column",
        "https://docs.sqlalchemy.org/en/20/changelog/whatsnew_20.html",
    )
    triggers = ("Column",)
    # The functions the class being visited is defined in (None: a module-level class).
    _functions: tuple[cst.FunctionDef, ...] | None = None

    @classmethod
    def applies_to_text(cls, text: str) -> bool:
        """Many projects have a `Column` of their own: a match needs SQLAlchemy named in
        the file, an attribute call (`db.Column(...)`) or an imported `Column` (which the
        project index may know as SQLAlchemy's)."""
        return super().applies_to_text(text) and (
            "sqlalchemy" in text or ".Column(" in text or _IMPORTED_COLUMN.search(text) is not None
        )

    examples = (
        Bad(
            """
            from sqlalchemy import Column, Integer, String
            from sqlalchemy.orm import declarative_base, mapped_column

            Base = declarative_base()


            class User(Base):
                __tablename__ = "user_account"
                id = mapped_column(Integer, primary_key=True)
                name = Column(String(30), nullable=False)
            """,
            line=10,
            column=12,
            fixed="""
            from sqlalchemy import Integer, String
            from sqlalchemy.orm import declarative_base, mapped_column

            Base = declarative_base()


            class User(Base):
                __tablename__ = "user_account"
                id = mapped_column(Integer, primary_key=True)
                name = mapped_column(String(30), nullable=False)
            """,
        ),
        Bad(
            """
            import sqlalchemy as sa
            from sqlalchemy.orm import DeclarativeBase, mapped_column


            class Base(DeclarativeBase):
                pass


            class TimestampMixin:
                created_at = sa.Column(sa.DateTime(timezone=True), server_default=sa.func.now())


            class Post(TimestampMixin, Base):
                __tablename__ = "post"
                id = mapped_column(sa.Integer, primary_key=True)
            """,
            line=10,
            column=18,
            fixed="""
            import sqlalchemy as sa
            from sqlalchemy.orm import DeclarativeBase, mapped_column


            class Base(DeclarativeBase):
                pass


            class TimestampMixin:
                created_at = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


            class Post(TimestampMixin, Base):
                __tablename__ = "post"
                id = mapped_column(sa.Integer, primary_key=True)
            """,
            note="a mixin used by a model, and the sa.Column spelling",
        ),
        Bad(
            """
            from sqlalchemy import Column, String
            from sqlalchemy.orm import Mapped, mapped_column

            from app.db import Base


            class User(Base):
                __tablename__ = "user_account"
                id: Mapped[int] = mapped_column(primary_key=True)
                email: Mapped[str] = Column(String(200), index=True)
            """,
            line=10,
            column=26,
            fixed="""
            from sqlalchemy import String
            from sqlalchemy.orm import Mapped, mapped_column

            from app.db import Base


            class User(Base):
                __tablename__ = "user_account"
                id: Mapped[int] = mapped_column(primary_key=True)
                email: Mapped[str] = mapped_column(String(200), index=True, nullable=True)
            """,
            note="Mapped[str] alone means NOT NULL: nullable=True is kept (unsafe: imported base)",
        ),
        Bad(
            """
            from typing import Optional

            from sqlalchemy import Column, String
            from sqlalchemy.orm import Mapped, mapped_column

            from app.db import Base


            class User(Base):
                __tablename__ = "user_account"
                id: Mapped[int] = mapped_column(primary_key=True)
                nickname: Mapped[Optional[str]] = Column(String(30))
            """,
            line=12,
            column=39,
            fixed="""
            from typing import Optional

            from sqlalchemy import String
            from sqlalchemy.orm import Mapped, mapped_column

            from app.db import Base


            class User(Base):
                __tablename__ = "user_account"
                id: Mapped[int] = mapped_column(primary_key=True)
                nickname: Mapped[Optional[str]] = mapped_column(String(30))
            """,
            note="Optional already means nullable: nothing to add (unsafe: imported base)",
        ),
        Bad(
            """
            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import Mapped

            from app.db import Base
            from app.types import intpk


            class User(Base):
                __tablename__ = "user_account"
                id: Mapped[intpk] = Column(Integer, primary_key=True)
            """,
            line=10,
            column=25,
            fixed="""
            from sqlalchemy import Integer
            from sqlalchemy.orm import mapped_column, Mapped

            from app.db import Base
            from app.types import intpk


            class User(Base):
                __tablename__ = "user_account"
                id: Mapped[intpk] = mapped_column(Integer, primary_key=True, nullable=False)
            """,
            note="unsafe: `intpk` may be an Annotated alias carrying mapped_column arguments",
        ),
        Bad(
            """
            from sqlalchemy import Column, Integer, PrimaryKeyConstraint
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Base(DeclarativeBase):
                pass


            class Membership(Base):
                __tablename__ = "membership"
                __table_args__ = (PrimaryKeyConstraint("group_id", "user_id"),)
                group_id: Mapped[int] = mapped_column(Integer)
                user_id: Mapped[int] = Column(Integer)
            """,
            line=13,
            column=28,
            fixed="""
            from sqlalchemy import Integer, PrimaryKeyConstraint
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Base(DeclarativeBase):
                pass


            class Membership(Base):
                __tablename__ = "membership"
                __table_args__ = (PrimaryKeyConstraint("group_id", "user_id"),)
                group_id: Mapped[int] = mapped_column(Integer)
                user_id: Mapped[int] = mapped_column(Integer)
            """,
            note="safe: the PrimaryKeyConstraint makes it NOT NULL either way, so no nullable=True",
        ),
        Bad(
            """
            from typing import Optional

            from sqlalchemy import Column, Identity, Integer
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Base(DeclarativeBase):
                pass


            class Ticket(Base):
                __tablename__ = "ticket"
                code: Mapped[str] = mapped_column(primary_key=True)
                number: Mapped[Optional[int]] = Column(Integer, Identity())
            """,
            line=14,
            column=37,
            fixed="""
            from typing import Optional

            from sqlalchemy import Identity, Integer
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Base(DeclarativeBase):
                pass


            class Ticket(Base):
                __tablename__ = "ticket"
                code: Mapped[str] = mapped_column(primary_key=True)
                number: Mapped[Optional[int]] = mapped_column(Integer, Identity(), nullable=False)
            """,
            note="safe: Identity() made the Column NOT NULL, which Optional would undo",
        ),
        Bad(
            """
            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

            from app.schema import membership_args


            class Base(DeclarativeBase):
                pass


            class Membership(Base):
                __tablename__ = "membership"
                __table_args__ = membership_args()
                id: Mapped[int] = mapped_column(primary_key=True)
                user_id: Mapped[int] = Column(Integer)
            """,
            line=15,
            column=28,
            fixed="""
            from sqlalchemy import Integer
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

            from app.schema import membership_args


            class Base(DeclarativeBase):
                pass


            class Membership(Base):
                __tablename__ = "membership"
                __table_args__ = membership_args()
                id: Mapped[int] = mapped_column(primary_key=True)
                user_id: Mapped[int] = mapped_column(Integer, nullable=True)
            """,
            note="unsafe: unreadable __table_args__ may name it in a PrimaryKeyConstraint",
        ),
        Bad(
            """
            from __future__ import annotations

            from typing import TYPE_CHECKING

            from sqlalchemy import Column, Numeric
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

            if TYPE_CHECKING:
                from decimal import Decimal


            class Base(DeclarativeBase):
                pass


            class Item(Base):
                __tablename__ = "item"
                id: Mapped[int] = mapped_column(primary_key=True)
                price: Mapped[Decimal] = Column(Numeric(10, 2), nullable=False)
            """,
            line=19,
            column=30,
            note="no fix: mapped_column() evaluates the annotation, and Decimal is not imported",
        ),
        Bad(
            """
            from sqlalchemy import Column, Integer

            from app.db import Base


            class User(Base):
                __tablename__ = "user_account"
                id: int = Column(Integer, primary_key=True)
            """,
            line=8,
            column=15,
            note="no fix: mapped_column with a non-Mapped annotation raises",
        ),
        Bad(
            """
            from sqlalchemy import Column, Sequence

            from app.db import Base


            class Ticket(Base):
                __tablename__ = "ticket"
                number = Column(Sequence("ticket_seq"), primary_key=True)
            """,
            line=8,
            column=14,
            note="no fix: no type and no ForeignKey, mapped_column would raise",
        ),
        Good(
            """
            from sqlalchemy import Column, Integer, MetaData, String, Table

            metadata = MetaData()
            user = Table("user_account", metadata, Column("id", Integer, primary_key=True))
            name_column = Column("name", String)
            """,
            note="Core: Column inside Table() and at module level",
        ),
        Good(
            """
            from sqlalchemy import Column, Integer


            class Settings:
                id = Column(Integer)
            """,
            note="a plain class: no evidence it is mapped",
        ),
        Good(
            """
            from sqlalchemy import Integer
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "user_account"
                id: Mapped[int] = mapped_column(Integer, primary_key=True)
            """
        ),
        Good(
            """
            from pandas import Column

            from app.db import Base


            class Report(Base):
                __tablename__ = "report"
                total = Column("total")
            """,
            note="a Column that is not SQLAlchemy's",
        ),
    )

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if not isinstance(node.body, cst.IndentedBlock):
            return
        index = self.context.declarative
        # A class of a function body reads the function's locals (`db` of `setup()`).
        self._functions = index.enclosing_functions(node)
        candidates = []
        callers_of: str | None = None
        for statement in node.body.body:
            attribute = class_attribute(statement)
            if attribute is None:
                continue
            small, attribute_name, value = attribute
            if not isinstance(value, cst.Call):
                continue
            column = self._column(value.func, node)
            if column is not False:
                candidates.append((small, attribute_name, value))
                callers_of = callers_of or (column if isinstance(column, str) else None)
        if not candidates:
            return
        if self._functions is None:
            if not index.is_declarative(node):
                return
        else:
            model = index.function_model(node)
            if model is None:
                return
            callers_of = callers_of or model.callers_of
        plain = index.is_plain_mapped(node)
        for small, attribute_name, call in candidates:
            if callers_of is not None:
                # Calls are weaker evidence than a body: one outside the run, or one
                # the index could not read, may pass GINO's look-alike `db`.
                why = (
                    f"only the calls of `{callers_of}()` this run sees show that its parameter"
                    " is a Flask-SQLAlchemy object"
                )
                self.report(call, f"{self.message} (no automatic fix: {why})")
                continue
            annotation = small.annotation.annotation if isinstance(small, cst.AnnAssign) else None
            fix = self._fix(call, annotation, plain, node, attribute_name)
            if isinstance(fix, str):
                self.report(call, f"{self.message} (no automatic fix: {fix})")
            else:
                self.report(call, fix=fix, needs=(MAPPED_COLUMN,))

    def _column(self, func: cst.BaseExpression, model: cst.ClassDef) -> bool | str:
        """Whether `func` is SQLAlchemy's `Column` where the class body reads it: False,
        True, or the function whose callers alone prove it (a parameter `db`)."""
        if self._functions is None:
            return self._is_column(func)
        head = (dotted_name(func) or "").partition(".")[0]
        if head in class_body_names(model):
            return False  # the class body's own binding, not the function's
        qualified, db = self.context.declarative.function_locals.qualified_name(
            func, self._functions
        )
        if qualified is None or sqla_symbol(qualified) != "Column" or ".func." in qualified:
            return False
        return db.function if db is not None and db.proof == "callers" else True

    def _sqla(self, node: cst.BaseExpression) -> str | None:
        """The SQLAlchemy name of `node` where the current class body reads it."""
        if self._functions is None:
            return self.context.sqla_name(node)
        qualified, _ = self.context.declarative.function_locals.qualified_name(
            node, self._functions
        )
        return sqla_symbol(qualified)

    def _is_column(self, func: cst.BaseExpression) -> bool:
        qualified = self.context.qualified_name(func)
        return (
            qualified is not None
            and self.context.sqla_name(func) == "Column"
            and ".func." not in qualified
        )

    # -- the fix ------------------------------------------------------------------
    def _fix(
        self,
        call: cst.Call,
        annotation: cst.BaseExpression | None,
        plain: bool,
        model: cst.ClassDef,
        attribute: str,
    ) -> Fix | str | None:
        """The fix, why the name `mapped_column` cannot be written here, or None."""
        if any(arg.star for arg in call.args) or not self._has_type(call):
            return None
        mapped_column = spelling(self.context, "sqlalchemy.orm.mapped_column", call)
        if isinstance(mapped_column, str):
            return mapped_column
        args = list(call.args)
        safe = True
        if annotation is not None:
            inner = self._mapped_argument(annotation)
            if inner is None:
                return None
            # `mapped_column()` evaluates the annotation when the class is created,
            # `Column()` never did (only `Mapped` itself).
            bindings = self._annotation_bindings(annotation, model)
            if bindings == "missing":
                return None
            includes_none, plain_type = self._shape(inner)
            nullable = keyword_argument(call, "nullable")
            exact = True
            if nullable is not None:
                if _literal_bool(nullable.value) is None:
                    return None
            else:
                primary_key = keyword_argument(call, "primary_key")
                is_pk = False if primary_key is None else _literal_bool(primary_key.value)
                if is_pk is None:
                    return None
                added, exact = self._nullable_to_add(call, includes_none, is_pk, model, attribute)
                if added is not None:
                    with_nullable = with_keyword(
                        call, "nullable", cst.Name("True" if added else "False")
                    )
                    args = list(with_nullable.args)
            # Under dataclass mapping, `x: Mapped[T] = Column()` was an __init__ argument
            # defaulting to the Column object, and `mapped_column()` makes it required.
            safe = plain_type and plain and exact and bindings == "bound"
        replacement = call.with_changes(func=mapped_column.expression, args=args)
        return Fix(
            call,
            replacement,
            applicability="safe" if safe else "unsafe",
            imports=mapped_column.imports,
            unused_imports=self._column_import(call.func),
            description="Use mapped_column()",
        )

    def _nullable_to_add(
        self,
        call: cst.Call,
        includes_none: bool | None,
        is_pk: bool,
        model: cst.ClassDef,
        attribute: str,
    ) -> tuple[bool | None, bool]:
        """(the `nullable=` value to add, or None; whether that is provably exact).

        A Column without `nullable=` is NOT NULL when it is a primary key
        (`Column.__init__`), has an `Identity()` (`Identity._set_parent`) or is named
        by a `PrimaryKeyConstraint` of its table (`PrimaryKeyConstraint._set_parent`,
        which runs when the table is built, after the annotation was applied; it
        overrides an unset `nullable` of a `mapped_column()` the same way).
        """
        in_constraint = self._in_primary_key_constraint(model, _column_key(call, attribute))
        if in_constraint is True:
            # NOT NULL before and after, whatever the annotation says.
            return None, True
        identity, computed = self._identity_and_computed(call)
        column_nullable = not is_pk and identity is not True
        # An unrecognised argument may be an Identity() (only matters off the primary key).
        exact = is_pk or identity is not None
        if includes_none is column_nullable:
            return None, exact
        if column_nullable and in_constraint is None:
            # A constraint this file does not show could make the Column NOT NULL, and
            # an explicit nullable=True would then win over it.
            exact = False
        if not column_nullable and computed:
            # MariaDB leaves NOT NULL off a Computed column only while nullable is unset.
            exact = False
        return column_nullable, exact

    # -- what makes a Column NOT NULL besides primary_key ----------------------------
    def _identity_and_computed(self, call: cst.Call) -> tuple[bool | None, bool]:
        """(has an Identity(): yes, no, or unknown; has a Computed()).

        `Identity()` reaches `Identity._set_parent` as a positional argument or as
        `server_default=` (a FetchedValue, also passed to `_init_items`).
        """
        identity: bool | None = False
        computed = False
        type_slot = True
        for index, arg in enumerate(call.args):
            if arg.keyword is not None:
                if arg.keyword.value == "server_default":
                    kind = self._schema_item(arg.value, server_default=True)
                    if kind == "Identity":
                        return True, computed
                    if kind is None:
                        identity = None
                continue
            value = arg.value
            if index == 0 and isinstance(value, cst.SimpleString | cst.ConcatenatedString):
                continue
            kind = self._schema_item(value, server_default=False)
            if kind == "Identity":
                return True, computed
            if kind == "Computed":
                computed = True
            if type_slot:
                # The first argument after the name is the type unless it is a schema
                # item; a user's own type class is no Identity.
                type_slot = False
                continue
            if kind is None:
                identity = None
        return identity, computed

    def _schema_item(self, node: cst.BaseExpression, *, server_default: bool) -> str | None:
        """The SQLAlchemy name a Column argument is built from, "" for a literal or a
        SQL function, None when this file cannot tell (a variable, a helper call)."""
        if server_default and isinstance(node, cst.SimpleString | cst.ConcatenatedString):
            return ""
        target = node.func if isinstance(node, cst.Call) else node
        qualified = self.context.qualified_name(target)
        if qualified is None or not qualified.startswith("sqlalchemy."):
            return None
        return self.context.sqla_name(target) or ""

    def _in_primary_key_constraint(self, model: cst.ClassDef, key: str | None) -> bool | None:
        """Whether a `PrimaryKeyConstraint` of the model's table names the column.

        None when this file cannot tell: the table is not the model's own
        (mixins and abstract classes are copied into other tables), or its
        `__table_args__` may come from elsewhere or are not literal.
        """
        classes = self.context.declarative.classes
        names = class_body_names(model)
        if "*" in names or "__table__" in names:
            return None
        if "__tablename__" not in names:
            # A single-table subclass adds its columns to a table whose constraints
            # were built (and resolved by column key) before the columns existed.
            if "__abstract__" not in names and self._has_mapped_ancestor(model):
                return False
            return None
        own = _class_value(model, "__table_args__")
        if own is not None:
            return self._names_in_table_args(own, key)
        # Declarative takes __table_args__ from the first class in the MRO that is
        # not itself mapped (or from a declared_attr anywhere).
        answers: list[bool | None] = []
        seen: set[str] = set()
        pending = list(model.bases)
        while pending:
            base = pending.pop(0)
            if base.keyword is not None:
                continue
            value = base.value
            if isinstance(value, cst.Name) and value.value in classes:
                if value.value in seen:
                    continue
                seen.add(value.value)
                node = classes[value.value]
                base_names = class_body_names(node)
                if "*" in base_names or "__table__" in base_names:
                    return None
                table_args = _class_value(node, "__table_args__")
                if isinstance(table_args, cst.FunctionDef):
                    return None
                mapped = "__tablename__" in base_names or self._has_mapped_ancestor(node)
                if table_args is not None and not mapped:
                    answers.append(self._names_in_table_args(table_args, key))
                pending.extend(node.bases)
            elif not self._adds_no_table_args(value):
                return None
        if not answers:
            return False
        # With several candidates the MRO picks one; only an answer they share is sure.
        return answers[0] if len(set(answers)) == 1 else None

    def _has_mapped_ancestor(self, model: cst.ClassDef) -> bool:
        classes = self.context.declarative.classes
        seen: set[str] = set()
        pending = [base.value for base in model.bases if base.keyword is None]
        while pending:
            value = pending.pop()
            if not isinstance(value, cst.Name) or value.value not in classes:
                continue
            if value.value in seen:
                continue
            seen.add(value.value)
            node = classes[value.value]
            if "__tablename__" in class_body_names(node):
                return True
            pending.extend(base.value for base in node.bases if base.keyword is None)
        return False

    def _adds_no_table_args(self, base: cst.BaseExpression) -> bool:
        """Whether a base that is no class of this module provably has no __table_args__."""
        if self.context.sqla_name(base) in _BASES_WITHOUT_TABLE_ARGS:
            return True
        if not isinstance(base, cst.Name):
            return False
        for _, name, value in self.context.module_assignments:
            if name != base.value:
                continue
            # `Base = declarative_base()` (no cls= to bring a class body along).
            return (
                isinstance(value, cst.Call)
                and self.context.sqla_name(value.func) == "declarative_base"
                and keyword_argument(value, "cls") is None
            )
        return False

    def _names_in_table_args(
        self, table_args: cst.BaseExpression | cst.FunctionDef, key: str | None
    ) -> bool | None:
        """Whether literal `__table_args__` hold a PrimaryKeyConstraint naming `key`."""
        if isinstance(table_args, cst.FunctionDef):
            return None
        if isinstance(table_args, cst.Dict) or (
            isinstance(table_args, cst.Name) and table_args.value == "None"
        ):
            return False
        if not isinstance(table_args, cst.Tuple):
            return None
        answer: bool | None = False
        for element in table_args.elements:
            if isinstance(element, cst.StarredElement):
                answer = None
                continue
            value = element.value
            if isinstance(value, cst.Dict):
                continue
            kind = (
                self._schema_item(value, server_default=False)
                if isinstance(value, cst.Call)
                else None
            )
            if kind in _CONSTRAINTS_WITHOUT_NULLABILITY:
                continue
            if kind != "PrimaryKeyConstraint" or not isinstance(value, cst.Call):
                answer = None
                continue
            named: list[str] = []
            for arg in value.args:
                if arg.keyword is not None:
                    continue
                literal = arg.value
                text = literal.evaluated_value if isinstance(literal, cst.SimpleString) else None
                if arg.star or not isinstance(text, str):
                    answer = None
                    break
                named.append(text)
            else:
                if key is not None and key in named:
                    # A constraint makes its columns NOT NULL as it attaches; a later
                    # one replacing it as the table's primary key does not undo that.
                    return True
                if key is None and named:
                    answer = None
        return answer

    # -- the annotation at run time -------------------------------------------------
    def _annotation_bindings(
        self, annotation: cst.BaseExpression, model: cst.ClassDef
    ) -> Literal["bound", "unsure", "missing"]:
        """Whether the annotation's names are bound when the class body runs.

        "bound": all are; "missing": one surely is not, so `mapped_column()` would
        raise MappedAnnotationError; "unsure": one may not be.
        """
        bindings = self.context.top_level_bindings
        body = self.context.module.body
        position = next(i for i, statement in enumerate(body) if statement is model)
        class_names = class_body_names(model)
        result: Literal["bound", "unsure"] = "bound"
        for name in self._annotation_names(annotation):
            if name in {"None", "True", "False"}:
                continue
            if name is None or name in class_names or "*" in class_names:
                result = "unsure"
                continue
            before = [kind for index, kind in bindings.names.get(name, []) if index < position]
            if ALWAYS in before:
                continue
            star = bindings.star_import is not None and bindings.star_import < position
            if CONDITIONAL in before or star:
                result = "unsure"
                continue
            if name in _BUILTIN_NAMES:
                # A builtin, unless the module binds the name (later, or only for
                # type checkers) to something else.
                if bindings.names.get(name):
                    result = "unsure"
                continue
            # Imported only under `if TYPE_CHECKING:`, bound further down, or nowhere.
            return "missing"
        return result

    def _annotation_names(self, node: cst.BaseExpression) -> list[str | None]:
        """The names an annotation evaluates (the head of each dotted name); None
        stands for a part this file cannot read."""
        if isinstance(node, cst.SimpleString):
            parsed = _unquote(node)
            return [None] if parsed is None else self._annotation_names(parsed)
        if isinstance(node, cst.Name):
            return [node.value]
        if isinstance(node, cst.Attribute):
            return self._annotation_names(node.value)
        if isinstance(node, cst.BinaryOperation):
            return self._annotation_names(node.left) + self._annotation_names(node.right)
        if isinstance(node, cst.Subscript):
            names = self._annotation_names(node.value)
            if self._qualified(node.value) in _LITERALS:
                return names
            for element in node.slice:
                if not isinstance(element.slice, cst.Index):
                    return [*names, None]
                names += self._annotation_names(element.slice.value)
            return names
        if isinstance(node, cst.Tuple | cst.List):
            return [
                name for element in node.elements for name in self._annotation_names(element.value)
            ]
        if isinstance(node, cst.Ellipsis | cst.Integer):
            return []
        return [None]

    def _column_import(self, func: cst.BaseExpression) -> tuple[Import, ...]:
        qualified = self.context.qualified_name(func)
        if not isinstance(func, cst.Name) or func.value != "Column" or qualified is None:
            return ()
        module, _, name = qualified.rpartition(".")
        return (Import(module, name),)

    def _has_type(self, call: cst.Call) -> bool:
        """Whether the Column gets a type from its arguments (a type or a ForeignKey)."""
        if keyword_argument(call, "type_") is not None:
            return True
        for index, arg in enumerate(call.args):
            if arg.keyword is not None:
                continue
            value = arg.value
            if index == 0 and isinstance(value, cst.SimpleString | cst.ConcatenatedString):
                continue
            if isinstance(value, cst.Call) and self._sqla(value.func) in _NOT_A_TYPE:
                continue
            return True
        return False

    def _mapped_argument(self, annotation: cst.BaseExpression) -> cst.BaseExpression | None:
        """`T` for an annotation `Mapped[T]` (also written as a string), else None."""
        written = annotation
        annotation = _unquote(annotation) or annotation
        if not isinstance(annotation, cst.Subscript) or len(annotation.slice) != 1:
            return None
        if self.context.sqla_name(annotation.value) != "Mapped":
            return None
        head = (dotted_name(annotation.value) or "").split(".")[0]
        if not only_imports_bind(self.context, head, written):
            return None  # a class attribute or parameter named `Mapped` hides the import
        index = annotation.slice[0].slice
        return index.value if isinstance(index, cst.Index) else None

    def _shape(self, node: cst.BaseExpression) -> tuple[bool | None, bool]:
        """(does the type include None, is it provably a plain type and no Annotated alias)."""
        unquoted = _unquote(node)
        if unquoted is not None:
            node = unquoted
        if isinstance(node, cst.Name) and node.value == "None":
            return True, True
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return _union(self._shape(node.left), self._shape(node.right))
        if isinstance(node, cst.Subscript):
            head = self._qualified(node.value)
            members = [
                element.slice.value
                for element in node.slice
                if isinstance(element.slice, cst.Index)
            ]
            if head == "typing.Optional" and len(members) == 1:
                return True, self._shape(members[0])[1]
            if head == "typing.Union" and members:
                shape = self._shape(members[0])
                for member in members[1:]:
                    shape = _union(shape, self._shape(member))
                return shape
            if head in _GENERIC_CONTAINERS or head in {f"builtins.{n}" for n in _PLAIN_BUILTINS}:
                return False, True
            return None, False
        head = self._qualified(node)
        if head is None:
            return None, False
        module = head.rpartition(".")[0]
        if module in _PLAIN_MODULES:
            return False, True
        if module == "" and head in self.context.declarative.classes:
            return False, True
        return None, False

    def _qualified(self, node: cst.BaseExpression) -> str | None:
        """Qualified name through imports; unimported builtins as `builtins.x`."""
        qualified = self.context.qualified_name(node)
        if qualified is not None:
            return qualified
        if isinstance(node, cst.Name):
            if node.value in _PLAIN_BUILTINS and hasattr(builtins, node.value):
                return f"builtins.{node.value}"
            return node.value
        return None


def _class_value(node: cst.ClassDef, name: str) -> cst.BaseExpression | cst.FunctionDef | None:
    """What a class body binds `name` to: a simple assignment's value or a def."""
    if not isinstance(node.body, cst.IndentedBlock):
        return None
    found: cst.BaseExpression | cst.FunctionDef | None = None
    for statement in node.body.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            found = statement
        attribute = class_attribute(statement)
        if attribute is not None and attribute[1] == name:
            found = attribute[2]
    return found


def _column_key(call: cst.Call, attribute: str) -> str | None:
    """The key a table knows the column by (what constraint names resolve against):
    `key=`, else the column's name, else the attribute name; None if not literal."""
    explicit = keyword_argument(call, "key")
    if explicit is None and call.args and call.args[0].keyword is None:
        first = call.args[0].value
        if isinstance(first, cst.SimpleString | cst.ConcatenatedString):
            value = first.evaluated_value
            return value if isinstance(value, str) else None
    if explicit is None:
        explicit = keyword_argument(call, "name")
    if explicit is None:
        return attribute
    value = explicit.value.evaluated_value if isinstance(explicit.value, cst.SimpleString) else None
    return value if isinstance(value, str) else None


def _union(a: tuple[bool | None, bool], b: tuple[bool | None, bool]) -> tuple[bool | None, bool]:
    includes_none: bool | None
    if a[0] is True or b[0] is True:
        includes_none = True
    elif a[0] is False and b[0] is False:
        includes_none = False
    else:
        includes_none = None
    return includes_none, a[1] and b[1]


def _unquote(node: cst.BaseExpression) -> cst.BaseExpression | None:
    """The expression inside a string annotation, or None."""
    if not isinstance(node, cst.SimpleString):
        return None
    value = node.evaluated_value
    if not isinstance(value, str):
        return None
    try:
        return cst.parse_expression(value)
    except cst.ParserSyntaxError:
        return None


def _literal_bool(node: cst.BaseExpression) -> bool | None:
    if isinstance(node, cst.Name) and node.value in {"True", "False"}:
        return node.value == "True"
    return None
