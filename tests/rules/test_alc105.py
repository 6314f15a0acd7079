"""ALC105 beyond its examples: import splitting, safe-only runs, carried arguments."""

from __future__ import annotations

import textwrap

import pytest

from sqla_checks.rules.alc105_legacy_declarative_base import LegacyDeclarativeBase
from tests.rules.lint import fixed_code, lint


def _fix(source: str, unsafe: bool) -> str | None:
    return fixed_code(LegacyDeclarativeBase, source, unsafe=unsafe, path="models.py")


def _fixes(source: str) -> list[str | None]:
    result = lint(LegacyDeclarativeBase, source, path="models.py")
    return [f.fix.applicability if f.fix else None for f in result.findings]


LEGACY = """
    from sqlalchemy.ext.declarative import declarative_base

    Base = declarative_base()
    """


def test_safe_fixes_only_move_the_import() -> None:
    assert _fixes(LEGACY) == ["safe", "unsafe"]
    assert _fix(LEGACY, unsafe=False) == textwrap.dedent(
        """
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()
        """
    )


def test_unsafe_fixes_replace_the_base_and_drop_the_old_import() -> None:
    assert _fix(LEGACY, unsafe=True) == textwrap.dedent(
        """
        from sqlalchemy.orm import DeclarativeBase

        class Base(DeclarativeBase):
            pass
        """
    )


def test_moved_names_are_split_from_names_that_stay_in_the_extension() -> None:
    source = """
        from sqlalchemy.ext.declarative import AbstractConcreteBase, declared_attr

        x = (AbstractConcreteBase, declared_attr)
        """
    assert _fix(source, unsafe=False) == textwrap.dedent(
        """
        from sqlalchemy.ext.declarative import AbstractConcreteBase
        from sqlalchemy.orm import declared_attr

        x = (AbstractConcreteBase, declared_attr)
        """
    )


def test_aliases_are_kept_when_the_whole_import_moves() -> None:
    source = "from sqlalchemy.ext.declarative import declared_attr as da, as_declarative\n"
    assert _fix(source, unsafe=False) == (
        "from sqlalchemy.orm import declared_attr as da, as_declarative\n"
    )


def test_comments_and_class_attributes_are_carried() -> None:
    source = """
        from sqlalchemy import MetaData
        from sqlalchemy.orm import declarative_base

        # the one base of the project
        Model = declarative_base(metadata=MetaData(), type_annotation_map={}, name="Model")  # why
        """
    assert _fix(source, unsafe=True) == textwrap.dedent(
        """
        from sqlalchemy import MetaData
        from sqlalchemy.orm import DeclarativeBase

        # the one base of the project
        class Model(DeclarativeBase):  # why
            metadata = MetaData()
            type_annotation_map = {}
        """
    )


def test_a_plain_mixin_becomes_a_base_class() -> None:
    source = """
        from sqlalchemy.orm import declarative_base


        class ReprMixin:
            def __repr__(self):
                return type(self).__name__


        Base = declarative_base(cls=ReprMixin)
        """
    fixed = _fix(source, unsafe=True)
    assert fixed is not None
    assert "class Base(ReprMixin, DeclarativeBase):\n    pass\n" in fixed


@pytest.mark.parametrize(
    "call",
    [
        "declarative_base(name='Other')",
        "declarative_base(mapper=my_mapper)",
        "declarative_base(constructor=None)",
        "declarative_base(metaclass=Meta)",
        "declarative_base(cls=(A, B))",
        "declarative_base(**options)",
    ],
)
def test_other_arguments_are_reported_without_a_fix(call: str) -> None:
    source = f"from sqlalchemy.orm import declarative_base\n\nBase = {call}\n"
    assert _fixes(source) == [None]


def test_annotated_or_nested_bases_get_no_fix() -> None:
    source = """
        from typing import Any

        from sqlalchemy.orm import declarative_base

        Base: Any = declarative_base()


        class Holder:
            Base = declarative_base()
        """
    assert _fixes(source) == [None, None]


# optuna 4.2: the extension import is the fallback for releases before 1.4.
_FALLBACK = """
    try:
        from sqlalchemy.orm import {modern}
    except ImportError:
        from sqlalchemy.ext.declarative import declarative_base
    """


def _lines(source: str) -> list[int]:
    return [f.start.line for f in lint(LegacyDeclarativeBase, source, path="models.py").findings]


def test_a_fallback_import_of_a_name_the_try_body_imports_is_not_reported() -> None:
    assert _lines(_FALLBACK.format(modern="declarative_base")) == []


def test_a_fallback_import_of_another_name_is_still_reported() -> None:
    # The look-alike: the body brings `DeclarativeBase`, so nothing imports
    # `declarative_base` from its new home; the extension import is still reported.
    assert _lines(_FALLBACK.format(modern="DeclarativeBase")) == [5]
