"""ALC106 beyond its examples: when the fix holds back, and that it maps the same."""

from __future__ import annotations

import textwrap
import types
import warnings

import pytest

from sqla_checks.rules.alc106_backref import Backref
from tests.rules.lint import fixed_code, lint

HEADER = """\
from sqlalchemy import Column, ForeignKey, Integer, Table
from sqlalchemy.orm import DeclarativeBase, backref, relationship


class Base(DeclarativeBase):
    pass


"""


def _result(body: str, unsafe: bool = True) -> tuple[list[bool], str | None]:
    source = HEADER + textwrap.dedent(body)
    checked = lint(Backref, source, path="models.py", dedent=False)
    has_fix = [f.fix is not None for f in checked.findings]
    return has_fix, fixed_code(Backref, source, unsafe=unsafe, path="models.py", dedent=False)


def _dispose_registries_of(module: types.ModuleType) -> None:
    # Only this module's registries: clear_mappers() would also unmap the models that
    # other test modules (tests/claims) define at import time.
    registries = {
        value.registry
        for value in vars(module).values()
        if isinstance(value, type) and hasattr(value, "__mapper__")
    }
    for registry in registries:
        registry.dispose()


def _mapping(source: str) -> dict[str, list[tuple[object, ...]]]:
    """Each mapped class's relationships: key, direction, uselist, join, partner."""
    sqlalchemy = pytest.importorskip("sqlalchemy")
    from sqlalchemy import inspect
    from sqlalchemy.orm import configure_mappers

    module = types.ModuleType("models_under_test")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sqlalchemy.exc.SAWarning)
        exec(compile(source, "models_under_test", "exec"), module.__dict__)
        configure_mappers()
    mapping = {
        name: sorted(
            (r.key, r.direction.name, r.uselist, str(r.primaryjoin), r.back_populates, r.lazy)
            for r in inspect(value).relationships
        )
        for name, value in vars(module).items()
        if isinstance(value, type) and hasattr(value, "__mapper__")
    }
    _dispose_registries_of(module)
    return mapping


ONE_TO_MANY = """
    class Parent(Base):
        __tablename__ = "parent"
        id = Column(Integer, primary_key=True)
        children = relationship("Child", backref="parent", order_by="Child.id")


    class Child(Base):
        __tablename__ = "child"
        id = Column(Integer, primary_key=True)
        parent_id = Column(ForeignKey("parent.id"))
    """

ONE_TO_ONE = """
    class Child(Base):
        __tablename__ = "child"
        id = Column(Integer, primary_key=True)
        parent_id = Column(ForeignKey("parent.id"))
        parent = relationship("Parent", backref=backref("child", uselist=False))


    class Parent(Base):
        __tablename__ = "parent"
        id = Column(Integer, primary_key=True)
    """

MANY_TO_MANY = """
    tagging = Table(
        "tagging",
        Base.metadata,
        Column("post_id", ForeignKey("post.id"), primary_key=True),
        Column("tag_id", ForeignKey("tag.id"), primary_key=True),
    )


    class Post(Base):
        __tablename__ = "post"
        id = Column(Integer, primary_key=True)
        tags = relationship("Tag", secondary=tagging, backref="posts")


    class Tag(Base):
        __tablename__ = "tag"
        id = Column(Integer, primary_key=True)
    """


@pytest.mark.parametrize("body", [ONE_TO_MANY, ONE_TO_ONE, MANY_TO_MANY])
def test_fixed_models_map_exactly_as_before(body: str) -> None:
    has_fix, fixed = _result(body)
    assert has_fix == [True]
    assert fixed is not None and "backref=" not in fixed
    assert _mapping(fixed) == _mapping(HEADER + textwrap.dedent(body))


def test_fix_is_not_applied_without_unsafe_fixes() -> None:
    assert _result(ONE_TO_MANY, unsafe=False)[1] is None


def test_two_backrefs_in_one_module_are_both_fixed() -> None:
    body = """
        class User(Base):
            __tablename__ = "user_account"
            id = Column(Integer, primary_key=True)
            posts = relationship("Post", backref="author")
            comments = relationship("Comment", backref="author")


        class Post(Base):
            __tablename__ = "post"
            id = Column(Integer, primary_key=True)
            author_id = Column(ForeignKey("user_account.id"))


        class Comment(Base):
            __tablename__ = "comment"
            id = Column(Integer, primary_key=True)
            author_id = Column(ForeignKey("user_account.id"))
        """
    has_fix, fixed = _result(body)
    assert has_fix == [True, True]
    assert fixed is not None
    assert fixed.count('author = relationship("User", back_populates=') == 2
    assert _mapping(fixed) == _mapping(HEADER + textwrap.dedent(body))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            ONE_TO_MANY.replace(
                'parent_id = Column(ForeignKey("parent.id"))',
                'parent_id = Column(ForeignKey("parent.id"))\n        parent = None',
            ),
            "the target already has the attribute",
        ),
        (
            ONE_TO_MANY.replace(
                'backref="parent"', 'backref="parent", foreign_keys="Child.parent_id"'
            ),
            "foreign_keys is copied to the reverse side",
        ),
        (
            ONE_TO_MANY.replace('backref="parent"', 'backref="parent", viewonly=True'),
            "viewonly is copied to the reverse side",
        ),
        (
            ONE_TO_MANY.replace('backref="parent"', 'backref=backref("parent", lazy=mode)'),
            "a non-literal backref() argument",
        ),
        (
            ONE_TO_MANY.replace('backref="parent"', "backref=name"),
            "a computed backref name",
        ),
        (
            """
            class Tag(Base):
                __tablename__ = "tag"
                id = Column(Integer, primary_key=True)


            tagging = Table(
                "tagging",
                Base.metadata,
                Column("post_id", ForeignKey("post.id"), primary_key=True),
                Column("tag_id", ForeignKey("tag.id"), primary_key=True),
            )


            class Post(Base):
                __tablename__ = "post"
                id = Column(Integer, primary_key=True)
                tags = relationship("Tag", secondary=tagging, backref="posts")
            """,
            "secondary given by name to a class defined before the source",
        ),
    ],
)
def test_report_only_when_the_fix_could_change_the_mapping(body: str, reason: str) -> None:
    has_fix, _ = _result(body)
    assert has_fix == [False], reason


def _property_order(source: str) -> dict[str, list[str]]:
    """Each mapped class's relationships in mapper order (which orders cascades)."""
    sqlalchemy = pytest.importorskip("sqlalchemy")
    from sqlalchemy import inspect
    from sqlalchemy.orm import configure_mappers

    module = types.ModuleType("models_under_test")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sqlalchemy.exc.SAWarning)
        exec(compile(source, "models_under_test", "exec"), module.__dict__)
        configure_mappers()
    order = {
        name: list(inspect(value).relationships.keys())
        for name, value in vars(module).items()
        if isinstance(value, type) and hasattr(value, "__mapper__")
    }
    _dispose_registries_of(module)
    return order


def test_new_relationships_follow_the_order_sqlalchemy_set_the_backrefs_up() -> None:
    """Backrefs are set up mapper by mapper in source order; the fix keeps that order."""
    body = """
        class Author(Base):
            __tablename__ = "author"
            id = Column(Integer, primary_key=True)


        class Book(Base):
            __tablename__ = "book"
            id = Column(Integer, primary_key=True)
            author_id = Column(ForeignKey("author.id"))
            author = relationship("Author", backref="books")


        class Profile(Base):
            __tablename__ = "profile"
            id = Column(Integer, primary_key=True)
            author_id = Column(ForeignKey("author.id"))
            author = relationship("Author", backref=backref("profile", uselist=False))


        class Review(Base):
            __tablename__ = "review"
            id = Column(Integer, primary_key=True)
            author_id = Column(ForeignKey("author.id"))
            book_id = Column(ForeignKey("book.id"))
            author = relationship("Author", backref="reviews")
            book = relationship("Book", backref="reviews")
        """
    source = HEADER + textwrap.dedent(body)
    has_fix, fixed = _result(body)
    assert has_fix == [True, True, True, True]
    assert fixed is not None
    assert (
        '    books = relationship("Book", back_populates="author")\n'
        '    profile = relationship("Profile", back_populates="author", uselist=False)\n'
        '    reviews = relationship("Review", back_populates="author")\n'
    ) in fixed
    assert _property_order(fixed) == _property_order(source)
    assert _property_order(source)["Author"] == ["books", "profile", "reviews"]
