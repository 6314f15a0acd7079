"""ALC104 beyond its examples: which classes are models, fix safety, layouts."""

from __future__ import annotations

import sys
import textwrap
import types

import pytest

from sqla_checks.rules.alc104_legacy_column import LegacyColumn
from tests.rules.lint import finding_lines, fixed_code, lint


def _lines(source: str) -> list[int]:
    return finding_lines(LegacyColumn, source, path="models.py")


def _fix(source: str, unsafe: bool = False) -> str | None:
    return fixed_code(LegacyColumn, source, unsafe=unsafe, path="models.py")


@pytest.mark.parametrize(
    "base",
    [
        "from sqlalchemy.orm import declarative_base\nBase = declarative_base()",
        "from sqlalchemy.orm import registry\nBase = registry().generate_base()",
        "from sqlalchemy.orm import registry\nreg = registry()\nBase = reg.generate_base()",
        "import sqlalchemy.orm as orm\nclass Base(orm.DeclarativeBase):\n    pass",
        "from sqlalchemy.orm import DeclarativeBaseNoMeta as B\nclass Base(B):\n    pass",
        "from sqlalchemy.orm import as_declarative\n@as_declarative()\nclass Base:\n    pass",
    ],
)
def test_every_kind_of_declarative_base_is_recognised(base: str) -> None:
    source = f"from sqlalchemy import Column, Integer\n{base}\n\n"
    source += "class Tag(Base):\n    id = Column(Integer)\n"
    assert len(_lines(source)) == 1


def test_subclasses_mixins_and_registry_mapped_classes_are_models() -> None:
    source = """
        from sqlalchemy import Column, Integer, String
        from sqlalchemy.orm import declarative_mixin, registry

        from app.db import Base

        reg = registry()


        class User(Base):
            __tablename__ = "user_account"
            id = Column(Integer, primary_key=True)


        class Admin(User):
            level = Column(Integer)


        class NamedMixin:
            name = Column(String)


        class Tag(NamedMixin, Base):
            __tablename__ = "tag"


        @declarative_mixin
        class AuditMixin:
            who = Column(String)


        @reg.mapped
        class Event:
            __table_args__ = {}
            at = Column(Integer)
        """
    assert _lines(source) == [12, 16, 20, 29, 35]


def test_classes_without_evidence_are_left_alone() -> None:
    source = """
        from sqlalchemy import Column, Integer

        from app.db import Base


        class SingleTableChild(Base):
            extra = Column(Integer)


        def factory():
            class Local(Base):
                __tablename__ = "local"
                id = Column(Integer, primary_key=True)
            return Local


        class Holder:
            columns = [Column("a", Integer)]
        """
    assert _lines(source) == []


def test_unannotated_fix_is_safe_and_keeps_every_argument() -> None:
    source = """
        from sqlalchemy import Column, ForeignKey, Integer, String
        from sqlalchemy.orm import DeclarativeBase


        class Base(DeclarativeBase):
            pass


        class Post(Base):
            __tablename__ = "post"
            id = Column(Integer, primary_key=True)
            author_id = Column(
                ForeignKey("user_account.id", ondelete="CASCADE"),
                index=True,
            )
            title = Column("title_text", String(200), nullable=False, comment="shown")
        """
    assert _fix(source) == textwrap.dedent(
        """
        from sqlalchemy import ForeignKey, Integer, String
        from sqlalchemy.orm import mapped_column, DeclarativeBase


        class Base(DeclarativeBase):
            pass


        class Post(Base):
            __tablename__ = "post"
            id = mapped_column(Integer, primary_key=True)
            author_id = mapped_column(
                ForeignKey("user_account.id", ondelete="CASCADE"),
                index=True,
            )
            title = mapped_column("title_text", String(200), nullable=False, comment="shown")
        """
    )


def test_nullable_is_added_in_the_calls_own_layout() -> None:
    source = """
        from sqlalchemy import Column, String
        from sqlalchemy.orm import Mapped, mapped_column

        from app.db import Base


        class User(Base):
            __tablename__ = "user_account"
            id: Mapped[int] = mapped_column(primary_key=True)
            bio: Mapped[str] = Column(
                String,
                index=True,
            )
        """
    fixed = _fix(source, unsafe=True)
    assert fixed is not None
    assert (
        "bio: Mapped[str] = mapped_column(\n"
        "        String,\n        index=True,\n        nullable=True,\n    )\n" in fixed
    )


@pytest.mark.parametrize(
    ("annotation", "column", "expected"),
    [
        # Column() was nullable; a non-Optional annotation would flip it.
        ("Mapped[str]", "Column(String)", "mapped_column(String, nullable=True)"),
        ("Mapped[Optional[str]]", "Column(String)", "mapped_column(String)"),
        ("Mapped[str | None]", "Column(String)", "mapped_column(String)"),
        ('Mapped["str | None"]', "Column(String)", "mapped_column(String)"),
        # Primary keys: Column() made them NOT NULL whatever the annotation said.
        (
            "Mapped[int]",
            "Column(Integer, primary_key=True)",
            "mapped_column(Integer, primary_key=True)",
        ),
        (
            "Mapped[Optional[int]]",
            "Column(Integer, primary_key=True)",
            "mapped_column(Integer, primary_key=True, nullable=False)",
        ),
        # An explicit nullable= wins over the annotation: nothing to add.
        ("Mapped[str]", "Column(String, nullable=True)", "mapped_column(String, nullable=True)"),
        ("Mapped[datetime]", "Column(DateTime)", "mapped_column(DateTime, nullable=True)"),
        ("Mapped[Status]", "Column(Enum(Status))", "mapped_column(Enum(Status), nullable=True)"),
        ("Mapped[list[str]]", "Column(JSON)", "mapped_column(JSON, nullable=True)"),
    ],
)
def test_mapped_annotation_keeps_the_columns_nullability(
    annotation: str, column: str, expected: str
) -> None:
    source = f"""\
from datetime import datetime
from enum import Enum as PyEnum
from typing import Optional

from sqlalchemy import JSON, Column, DateTime, Enum, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped


class Base(DeclarativeBase):
    pass


class Status(PyEnum):
    ok = "ok"


class Row(Base):
    __tablename__ = "row"
    value: {annotation} = {column}
"""
    fixed = _fix(source)
    assert fixed is not None, "a safe fix was expected"
    assert f"    value: {annotation} = {expected}\n" in fixed


@pytest.mark.parametrize(
    "base",
    [
        "from app.db import Base",
        "from sqlalchemy.orm import DeclarativeBase, MappedAsDataclass\n\n"
        "class Base(MappedAsDataclass, DeclarativeBase):\n    pass",
        "from app.db import Root\n\nclass Base(Root):\n    pass",
    ],
)
def test_annotated_fix_is_unsafe_unless_the_base_is_plain_and_local(base: str) -> None:
    source = f"""\
from sqlalchemy import Column, String
from sqlalchemy.orm import Mapped
{base}


class User(Base):
    __tablename__ = "user_account"
    name: Mapped[str] = Column(String(50), nullable=False)
"""
    assert _fix(source) is None
    fixed = _fix(source, unsafe=True)
    assert fixed is not None
    assert "name: Mapped[str] = mapped_column(String(50), nullable=False)" in fixed


def test_unannotated_fix_stays_safe_under_any_base() -> None:
    source = """
        from sqlalchemy import Column, String

        from app.db import Base


        class User(Base):
            __tablename__ = "user_account"
            name = Column(String(50))
        """
    fixed = _fix(source)
    assert fixed is not None
    assert "name = mapped_column(String(50))" in fixed


def test_unknown_annotation_aliases_make_the_fix_unsafe() -> None:
    source = """
        from sqlalchemy import Column, String
        from sqlalchemy.orm import DeclarativeBase, Mapped

        from app.types import str50


        class Base(DeclarativeBase):
            pass


        class User(Base):
            __tablename__ = "user_account"
            name: Mapped[str50] = Column(String(50))
        """
    assert _fix(source) is None
    fixed = _fix(source, unsafe=True)
    assert fixed is not None
    assert "name: Mapped[str50] = mapped_column(String(50), nullable=True)" in fixed


@pytest.mark.parametrize(
    "column",
    [
        'Column("name")',
        "Column()",
        "Column(*columns_args)",
        "Column(String, nullable=is_nullable)",
        "Column(String, primary_key=is_pk)",
    ],
)
def test_no_fix_where_mapped_column_could_differ(column: str) -> None:
    source = f"""\
from sqlalchemy import Column, String
from sqlalchemy.orm import Mapped

from app.db import Base


class User(Base):
    __tablename__ = "user_account"
    name: Mapped[str] = {column}
"""
    result = lint(LegacyColumn, source, path="models.py")
    assert [f.fix for f in result.findings] == [None]


def test_column_import_is_kept_while_table_code_still_uses_it() -> None:
    source = """
        from sqlalchemy import Column, Integer, Table

        from app.db import Base

        association = Table("association", Base.metadata, Column("a", Integer))


        class Tag(Base):
            __tablename__ = "tag"
            id = Column(Integer, primary_key=True)
        """
    fixed = _fix(source)
    assert fixed is not None
    assert "from sqlalchemy import Column, Integer, Table\n" in fixed
    assert 'Table("association", Base.metadata, Column("a", Integer))' in fixed
    assert "id = mapped_column(Integer, primary_key=True)" in fixed


def _tables(source: str) -> dict[str, tuple[str, dict[str, bool]]]:
    """Each table's PostgreSQL DDL and column nullability, from running `source`."""
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateTable

    # SQLAlchemy resolves annotations in the module the class comes from.
    module = types.ModuleType("models_under_test")
    sys.modules[module.__name__] = module
    try:
        exec(compile(source, module.__name__, "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    metadata = module.Base.metadata
    return {
        name: (
            str(CreateTable(table).compile(dialect=postgresql.dialect())),
            {column.key: column.nullable for column in table.c},
        )
        for name, table in metadata.tables.items()
    }


NULLABILITY_HEADER = """\
from typing import Optional

from sqlalchemy import (
    Column,
    Computed,
    ForeignKey,
    Identity,
    Integer,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            """
            class Membership(Base):
                __tablename__ = "membership"
                __table_args__ = (PrimaryKeyConstraint("group_id", "k", "grp"),)
                group_id: Mapped[int] = Column(Integer)
                user_id: Mapped[Optional[int]] = Column(Integer, key="k")
                team: Mapped[int] = Column("grp", Integer)
                role: Mapped[str] = Column(String(20))
            """,
            [
                "group_id: Mapped[int] = mapped_column(Integer)",
                'user_id: Mapped[Optional[int]] = mapped_column(Integer, key="k")',
                'team: Mapped[int] = mapped_column("grp", Integer)',
                "role: Mapped[str] = mapped_column(String(20), nullable=True)",
            ],
        ),
        (
            """
            class Keys:
                __table_args__ = (
                    UniqueConstraint("b"),
                    PrimaryKeyConstraint("a", name="pk_pair"),
                    {"comment": "pairs"},
                )


            class Pair(Keys, Base):
                __tablename__ = "pair"
                a: Mapped[int] = Column(Integer)
                b: Mapped[int] = Column(Integer)
            """,
            [
                "a: Mapped[int] = mapped_column(Integer)",
                "b: Mapped[int] = mapped_column(Integer, nullable=True)",
            ],
        ),
        (
            """
            class Ticket(Base):
                __tablename__ = "ticket"
                code: Mapped[str] = Column(String(10), primary_key=True)
                number: Mapped[int] = Column(Integer, Identity())
                spare: Mapped[Optional[int]] = Column(Integer, Identity(start=5))
                other: Mapped[Optional[int]] = Column(Integer, server_default=Identity())
                total: Mapped[Optional[int]] = Column(Integer, Computed("number + 1"))
            """,
            [
                "number: Mapped[int] = mapped_column(Integer, Identity())",
                "spare: Mapped[Optional[int]] = mapped_column(Integer, Identity(start=5),"
                " nullable=False)",
                "other: Mapped[Optional[int]] = mapped_column(Integer,"
                " server_default=Identity(), nullable=False)",
                'total: Mapped[Optional[int]] = mapped_column(Integer, Computed("number + 1"))',
            ],
        ),
        (
            """
            class Parent(Base):
                __tablename__ = "parent"
                __table_args__ = (PrimaryKeyConstraint("id", "code"),)
                id: Mapped[int] = Column(Integer)
                code: Mapped[str] = Column(String(5))


            class Child(Parent):
                __tablename__ = "child"
                id: Mapped[int] = Column(ForeignKey("parent.id"), primary_key=True)
                child_code: Mapped[str] = Column("code", String(5))
            """,
            [
                "    code: Mapped[str] = mapped_column(String(5))\n",
                'child_code: Mapped[str] = mapped_column("code", String(5), nullable=True)',
            ],
        ),
    ],
    ids=["primary-key-constraint", "constraint-from-a-mixin", "identity", "joined-subclass"],
)
def test_nullability_the_table_gives_is_kept_exactly(body: str, expected: list[str]) -> None:
    """SQLAlchemy 2.1.9 builds the same tables before and after the (safe) fix."""
    source = NULLABILITY_HEADER + textwrap.dedent(body)
    fixed = _fix(source)
    assert fixed is not None, "a safe fix was expected"
    assert "= Column(" not in fixed
    for line in expected:
        assert line in fixed
    assert _tables(fixed) == _tables(source)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            """
            class Ticket(Base):
                __tablename__ = "ticket"
                number: Mapped[int] = Column(Integer, next_number)
            """,
            "mapped_column(Integer, next_number, nullable=True)",
        ),
        (
            """
            class Ticket(Base):
                __tablename__ = "ticket"
                number: Mapped[Optional[int]] = Column(Integer, server_default=NUMBER_DEFAULT)
            """,
            "mapped_column(Integer, server_default=NUMBER_DEFAULT)",
        ),
        (
            """
            class Membership(Base):
                __tablename__ = "membership"
                __table_args__ = (PrimaryKeyConstraint(*KEY_COLUMNS),)
                user_id: Mapped[int] = Column(Integer)
            """,
            "mapped_column(Integer, nullable=True)",
        ),
        (
            """
            class Keyed:
                user_id: Mapped[int] = Column(Integer)


            class Membership(Keyed, Base):
                __tablename__ = "membership"
            """,
            "mapped_column(Integer, nullable=True)",
        ),
        (
            """
            class Total(Base):
                __tablename__ = "total"
                value: Mapped[Optional[int]] = Column(Integer, Computed("1"), primary_key=True)
            """,
            'mapped_column(Integer, Computed("1"), primary_key=True, nullable=False)',
        ),
    ],
    ids=[
        "argument-may-be-an-identity",
        "server-default-may-be-an-identity",
        "constraint-columns-not-literal",
        "mixin-column-copied-into-other-tables",
        "computed-on-mariadb",
    ],
)
def test_nullability_this_file_cannot_prove_makes_the_fix_unsafe(body: str, expected: str) -> None:
    source = NULLABILITY_HEADER + textwrap.dedent(body)
    assert _fix(source) is None
    fixed = _fix(source, unsafe=True)
    assert fixed is not None
    assert expected in fixed


def test_unreadable_table_args_do_not_matter_when_nothing_is_added() -> None:
    """A constraint would make the column NOT NULL both before and after."""
    source = NULLABILITY_HEADER + textwrap.dedent(
        """
        class Membership(Base):
            __tablename__ = "membership"
            __table_args__ = membership_args()
            user_id: Mapped[Optional[int]] = Column(Integer)
            id: Mapped[Optional[int]] = Column(Integer, primary_key=True)
        """
    )
    fixed = _fix(source)
    assert fixed is not None
    assert "user_id: Mapped[Optional[int]] = mapped_column(Integer)\n" in fixed
    assert (
        "id: Mapped[Optional[int]] = mapped_column(Integer, primary_key=True, nullable=False)"
        in fixed
    )


ANNOTATION_SOURCE = """\
from __future__ import annotations

import typing

from sqlalchemy import Column, Numeric
from sqlalchemy.orm import DeclarativeBase, Mapped
{imports}

class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "item"
    price: Mapped[{annotation}] = Column(Numeric(10, 2), nullable=False)
{after}"""


@pytest.mark.parametrize(
    ("imports", "annotation", "after", "expected"),
    [
        ("from decimal import Decimal", "Decimal", "", "safe"),
        ("import decimal", '"decimal.Decimal"', "", "safe"),
        ("", "int", "", "safe"),
        (
            "from decimal import Decimal\n"
            "if typing.TYPE_CHECKING:\n    from decimal import Decimal",
            "Decimal",
            "",
            "safe",
        ),
        ("if typing.TYPE_CHECKING:\n    from decimal import Decimal", "Decimal", "", None),
        (
            "if typing.TYPE_CHECKING:\n    from decimal import Decimal",
            "typing.Optional[Decimal]",
            "",
            None,
        ),
        ("from typing import Optional", '"Optional[Money]"', "", None),
        ("", "Money", "\n\nclass Money(float):\n    pass\n", None),
        (
            "try:\n    from decimal import Decimal\nexcept ImportError:\n    Decimal = float",
            "Decimal",
            "",
            "unsafe",
        ),
        # The star import may bind `Money`; `mapped_column` is imported after it.
        ("from money import *\nfrom sqlalchemy.orm import mapped_column", "Money", "", "unsafe"),
        # ... and may bind `mapped_column` too: a new import would merge into the
        # `sqlalchemy.orm` import above it, which the star import overrides.
        ("from money import *", "Money", "", None),
    ],
    ids=[
        "imported",
        "dotted-in-a-string",
        "builtin",
        "imported-and-for-type-checkers",
        "type-checking-only",
        "type-checking-only-nested",
        "undefined",
        "defined-after-the-model",
        "conditional-import",
        "star-import",
        "star-import-may-bind-mapped_column",
    ],
)
def test_annotation_names_must_be_bound_when_the_class_is_created(
    imports: str, annotation: str, after: str, expected: str | None
) -> None:
    source = ANNOTATION_SOURCE.format(imports=imports, annotation=annotation, after=after)
    safe, unsafe = _fix(source), _fix(source, unsafe=True)
    line = f"price: Mapped[{annotation}] = mapped_column(Numeric(10, 2), nullable=False)"
    if expected is None:
        assert safe is None and unsafe is None
        assert [f.fix for f in lint(LegacyColumn, source, path="models.py").findings] == [None]
    elif expected == "unsafe":
        assert safe is None
        assert unsafe is not None and line in unsafe
    else:
        assert safe is not None and line in safe


# optuna 4.2's models: the `try` body binds the 2.0 name, the fallback the 1.x one.
_TRY_ALIAS = """
    from sqlalchemy import Integer
    from sqlalchemy.orm import declarative_base

    try:
        from sqlalchemy.orm import {try_import}

        _Column = {try_import}
    except ImportError:
        from sqlalchemy import Column as _Column

    Base = declarative_base()


    class Trial(Base):
        __tablename__ = "trials"
        id = _Column(Integer, primary_key=True)
"""


def test_a_try_body_alias_of_mapped_column_wins_over_the_fallback_import() -> None:
    assert _lines(_TRY_ALIAS.format(try_import="mapped_column")) == []


def test_a_try_body_import_of_column_is_still_flagged() -> None:
    # The look-alike: the `try` body imports the legacy `Column` under that name.
    source = _TRY_ALIAS.format(try_import="mapped_column").replace(
        "from sqlalchemy.orm import mapped_column\n\n        _Column = mapped_column",
        "from sqlalchemy import Column as _Column",
    )
    assert "mapped_column" not in source
    assert _lines(source) == [15]
