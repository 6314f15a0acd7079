"""ALC104: `Column()` as a class attribute of a declarative model."""

from __future__ import annotations

import builtins

import libcst as cst

from checks.call_arguments import keyword_argument, with_keyword
from checks.declarative import class_attribute
from checks.rule import Bad, Fix, Good, Import, Rule

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
    # and ALC111 adds the annotations.
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
`Column(String)` was nullable. ALC111 proposes annotations separately.

- No annotation: safe. An un-annotated `mapped_column()` builds the very `Column` it
  wraps and skips annotation handling (SQLAlchemy 2.1.9,
  `MappedColumn.declarative_scan`), under `DeclarativeBase` and `declarative_base()`
  alike, in mixins too. Without a type and without a `ForeignKey` it would raise
  instead, so such columns get no fix.
- `Mapped[...]` annotation: the annotation now decides nullability unless
  `nullable=` is passed, so the fix adds `nullable=` with the value `Column()` had
  (`not primary_key`) when the annotation does not already give the same answer.
  Safe when the annotation is made of builtins, standard-library types, classes of
  this module and `Optional`/`Union`/`| None`, and the model's base is defined in
  this module without `MappedAsDataclass`. Unsafe otherwise: an
  `Annotated[..., mapped_column(...)]` alias would merge its own arguments (a
  primary key, a server default) into the column, where `Column()` ignored them;
  and under dataclass mapping the `Column()` attribute was an optional `__init__`
  argument, which `mapped_column()` makes required.
- Any other annotation (`x: int = Column(...)`): no fix. `mapped_column()` with a
  non-`Mapped` annotation raises `MappedAnnotationError` unless the class sets
  `__allow_unmapped__`.

The `Column` import is removed when nothing else uses it; `mapped_column` is
imported from `sqlalchemy.orm`.
"""
    blind_spots = """
A class counts as a model only with evidence in the same module (see
`checks/declarative.py`): a base assigned from `declarative_base()` or
`registry().generate_base()`, a `DeclarativeBase` subclass, `@registry.mapped`, a
`__tablename__`, a subclass of one of those, or a mixin used by one. A subclass of a
`Base` imported from elsewhere without `__tablename__` (single-table inheritance),
classes defined inside functions, and `Column()` returned from `@declared_attr`
functions are not checked. Columns passed through `*args` or `**kwargs` get no fix.
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/orm/declarative_tables.html",
        "https://docs.sqlalchemy.org/en/20/orm/mapping_api.html#sqlalchemy.orm.mapped_column",
        "https://docs.sqlalchemy.org/en/20/changelog/whatsnew_20.html",
    )
    triggers = ("Column",)
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
        candidates = []
        for statement in node.body.body:
            attribute = class_attribute(statement)
            if attribute is None:
                continue
            small, _, value = attribute
            if isinstance(value, cst.Call) and self._is_column(value.func):
                candidates.append((small, value))
        if not candidates:
            return
        index = self.context.declarative
        if not index.is_declarative(node):
            return
        plain = index.is_plain_mapped(node)
        for small, call in candidates:
            annotation = small.annotation.annotation if isinstance(small, cst.AnnAssign) else None
            self.report(call, fix=self._fix(call, annotation, plain))

    def _is_column(self, func: cst.BaseExpression) -> bool:
        qualified = self.context.qualified_name(func)
        return (
            qualified is not None
            and self.context.sqla_name(func) == "Column"
            and ".func." not in qualified
        )

    # -- the fix ------------------------------------------------------------------
    def _fix(
        self, call: cst.Call, annotation: cst.BaseExpression | None, plain: bool
    ) -> Fix | None:
        if any(arg.star for arg in call.args) or not self._has_type(call):
            return None
        bound = self.context.qualified_name(cst.Name("mapped_column"))
        if bound is not None and self.context.sqla_name(cst.Name("mapped_column")) is None:
            return None
        args = list(call.args)
        safe = True
        if annotation is not None:
            inner = self._mapped_argument(annotation)
            if inner is None:
                return None
            includes_none, plain_type = self._shape(inner)
            nullable = keyword_argument(call, "nullable")
            if nullable is not None:
                if _literal_bool(nullable.value) is None:
                    return None
            else:
                primary_key = keyword_argument(call, "primary_key")
                is_pk = False if primary_key is None else _literal_bool(primary_key.value)
                if is_pk is None:
                    return None
                if includes_none is not (not is_pk):
                    with_nullable = with_keyword(
                        call, "nullable", cst.Name("False" if is_pk else "True")
                    )
                    args = list(with_nullable.args)
            # Under dataclass mapping, `x: Mapped[T] = Column()` was an __init__ argument
            # defaulting to the Column object, and `mapped_column()` makes it required.
            safe = plain_type and plain
        replacement = call.with_changes(func=cst.Name("mapped_column"), args=args)
        return Fix(
            call,
            replacement,
            applicability="safe" if safe else "unsafe",
            imports=(Import("sqlalchemy.orm", "mapped_column"),),
            unused_imports=self._column_import(call.func),
            description="Use mapped_column()",
        )

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
            if isinstance(value, cst.Call) and self.context.sqla_name(value.func) in _NOT_A_TYPE:
                continue
            return True
        return False

    def _mapped_argument(self, annotation: cst.BaseExpression) -> cst.BaseExpression | None:
        """`T` for an annotation `Mapped[T]` (also written as a string), else None."""
        annotation = _unquote(annotation) or annotation
        if not isinstance(annotation, cst.Subscript) or len(annotation.slice) != 1:
            return None
        if self.context.sqla_name(annotation.value) != "Mapped":
            return None
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
