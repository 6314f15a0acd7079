"""ALC106: `relationship(backref=...)`: declare both sides with `back_populates`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import libcst as cst

from sqla_checks.contract.rule import Bad, Fix, Good, Import, InsertStatements, NodeEdit, Rule
from sqla_checks.evidence.call_arguments import keyword_arg, keyword_argument
from sqla_checks.evidence.declarative import class_attribute, class_body_names

if TYPE_CHECKING:
    from sqla_checks.evidence.context import FileContext

# relationship() keywords that only shape the forward side: the backref machinery
# does not copy them to the generated reverse relationship (SQLAlchemy 2.1.9,
# `RelationshipProperty._generate_backref`). Any other keyword (primaryjoin,
# foreign_keys, viewonly, post_update, passive_updates, sync_backref, remote_side,
# back_populates...) either is copied or changes the join, so the fix stays out.
_FORWARD_ONLY = {
    "lazy",
    "order_by",
    "cascade",
    "uselist",
    "passive_deletes",
    "single_parent",
    "innerjoin",
    "collection_class",
    "info",
    "doc",
    "active_history",
    "join_depth",
    "distinct_target_key",
}


class Backref(Rule):
    """Flags `relationship(..., backref=...)`, which creates the other side implicitly."""

    code = "ALC106"
    name = "backref"
    message = "Declare both sides with `back_populates` instead of `backref`"
    why = """
`backref=` makes SQLAlchemy add an attribute to the *other* class when mappers are
configured: reading the target class you cannot see the attribute, type checkers and
IDEs do not know it exists, and it has no `Mapped[]` annotation. SQLAlchemy 2.0's
documentation calls `backref` a legacy form and recommends declaring both
relationships explicitly, linked with `back_populates` (still true in 2.1).
"""
    example = """
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    posts = relationship("Post", backref="author")


class Post(Base):
    __tablename__ = "post"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
"""
    use_instead = """
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    posts: Mapped[list["Post"]] = relationship(back_populates="author")


class Post(Base):
    __tablename__ = "post"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    author: Mapped[User] = relationship(back_populates="posts")
"""
    fix_safety = """
Partial and unsafe. The fix is offered only when both classes are module-level
models of this file, the target class (and its bases in this file) has no attribute
of the backref's name, the relationship is not self-referential, and it uses only
keywords that the backref machinery does not copy to the other side (`lazy`,
`order_by`, `cascade`, `uselist`, ...) plus `secondary`. It then replaces
`backref="x"` with `back_populates="x"` and adds `x = relationship("Source",
back_populates="attr")` to the target class, carrying literal keyword arguments of
`backref("x", ...)` over. Collection-or-scalar needs no guessing: the new
relationship, like the generated one, takes `uselist` from the direction SQLAlchemy
finds from the foreign keys (a backref of a one-to-many is a scalar many-to-one, a
backref of a many-to-one or many-to-many is a list)
[claim: alc106-backref-direction]. It is unsafe because the
generated relationship reused the forward side's join condition, while the new one
works out its own from the foreign keys: the same join when the tables are linked by
one foreign-key path, which a linter cannot prove. Without a fix: backrefs whose
`backref()` arguments are not literals, relationships with `primaryjoin`,
`foreign_keys` or `remote_side`, self-referential ones, and targets in other modules.
"""
    blind_spots = """
Only `relationship()` that is SQLAlchemy's is checked: imported from it, re-exported
by a project module, or Flask-SQLAlchemy's `db.relationship` (and `db.backref`) with
`db = SQLAlchemy()` in any module of the project; a `db` that is a function's return
value (`app, db = setup()`) is not followed. The added relationship
has no `Mapped[]` annotation (add it by hand); it is placed after the target
class's leading run of attributes. With several backrefs onto one class, the new
relationships follow the source order of the forward ones, the order in which
SQLAlchemy set the backrefs up (mapper by mapper, SQLAlchemy 2.1.9
`Mapper._post_configure_properties`), which orders the target's cascades. A
relationship the author declared after a method now comes after the new ones,
where the generated ones came after every declared one.
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/orm/backref.html",
        "https://docs.sqlalchemy.org/en/20/orm/basic_relationships.html",
        "https://docs.sqlalchemy.org/en/20/orm/relationship_api.html#sqlalchemy.orm.relationship.params.back_populates",
    )
    triggers = ("backref",)
    examples = (
        Bad(
            """
            from sqlalchemy import ForeignKey, Integer
            from sqlalchemy.orm import DeclarativeBase, mapped_column, relationship


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "user_account"
                id = mapped_column(Integer, primary_key=True)
                posts = relationship("Post", backref="author", lazy="selectin")


            class Post(Base):
                __tablename__ = "post"
                id = mapped_column(Integer, primary_key=True)
                author_id = mapped_column(ForeignKey("user_account.id"))

                def __repr__(self):
                    return f"Post({self.id})"
            """,
            line=12,
            column=34,
            fixed="""
            from sqlalchemy import ForeignKey, Integer
            from sqlalchemy.orm import DeclarativeBase, mapped_column, relationship


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "user_account"
                id = mapped_column(Integer, primary_key=True)
                posts = relationship("Post", back_populates="author", lazy="selectin")


            class Post(Base):
                __tablename__ = "post"
                id = mapped_column(Integer, primary_key=True)
                author_id = mapped_column(ForeignKey("user_account.id"))
                author = relationship("User", back_populates="posts")

                def __repr__(self):
                    return f"Post({self.id})"
            """,
        ),
        Bad(
            """
            import sqlalchemy as sa
            from sqlalchemy import orm
            from sqlalchemy.orm import backref

            Base = orm.declarative_base()


            class Address(Base):
                __tablename__ = "address"
                id = sa.Column(sa.Integer, primary_key=True)
                user_id = sa.Column(sa.ForeignKey("user_account.id"))
                user = orm.relationship("User", backref=backref("addresses", lazy="selectin"))


            class User(Base):
                __tablename__ = "user_account"
                id = sa.Column(sa.Integer, primary_key=True)
            """,
            line=12,
            column=37,
            fixed="""
            import sqlalchemy as sa
            from sqlalchemy import orm

            Base = orm.declarative_base()


            class Address(Base):
                __tablename__ = "address"
                id = sa.Column(sa.Integer, primary_key=True)
                user_id = sa.Column(sa.ForeignKey("user_account.id"))
                user = orm.relationship("User", back_populates="addresses")


            class User(Base):
                __tablename__ = "user_account"
                id = sa.Column(sa.Integer, primary_key=True)
                addresses = orm.relationship("Address", back_populates="user", lazy="selectin")
            """,
            note="backref() keywords move to the new side, which is a collection here",
        ),
        Bad(
            """
            from sqlalchemy.orm import relationship

            from app.models.user import Base


            class Post(Base):
                __tablename__ = "post"
                author = relationship("User", backref="posts")
            """,
            line=8,
            column=35,
            note="no fix: the User class lives in another module",
        ),
        Bad(
            """
            from sqlalchemy import Column, ForeignKey, Integer
            from sqlalchemy.orm import backref, declarative_base, relationship

            Base = declarative_base()


            class Node(Base):
                __tablename__ = "node"
                id = Column(Integer, primary_key=True)
                parent_id = Column(ForeignKey("node.id"))
                children = relationship("Node", backref=backref("parent", remote_side=[id]))
            """,
            line=11,
            column=37,
            note="no fix: self-referential, remote_side needs the author's hand",
        ),
        Good(
            """
            from sqlalchemy.orm import relationship

            from app.db import Base


            class User(Base):
                __tablename__ = "user_account"
                posts = relationship("Post", back_populates="author")
                drafts = relationship("Post", backref=None, viewonly=True)
            """,
            note="back_populates, and an explicit backref=None",
        ),
        Good(
            """
            from myorm import relationship

            users = relationship("User", backref="groups")
            """,
            note="not SQLAlchemy's relationship",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        # id(relationship call) -> (its module-level class, the attribute name).
        self._attributes: dict[int, tuple[cst.ClassDef, str]] = {}
        self._classes: dict[str, cst.ClassDef] | None = None
        self._found: list[tuple[cst.Arg, Fix | None]] = []
        # (target class, attribute) pairs an earlier fix of this file adds: a second
        # backref of that name onto the class gets no fix (SQLAlchemy refuses it too).
        self._claimed: set[tuple[str, str]] = set()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if len(self.context.classes) != 1 or self.context.functions:
            return
        if not isinstance(node.body, cst.IndentedBlock):
            return
        for statement in node.body.body:
            attribute = class_attribute(statement)
            if attribute is not None and isinstance(attribute[2], cst.Call):
                self._attributes[id(attribute[2])] = (node, attribute[1])

    def visit_Call(self, node: cst.Call) -> None:
        arg = keyword_argument(node, "backref")
        if arg is None or (isinstance(arg.value, cst.Name) and arg.value.value == "None"):
            return
        if self.context.sqla_name(node.func) == "relationship":
            self._found.append((arg, self._fix(node, arg)))

    def leave_Module(self, original_node: cst.Module) -> None:
        # Reported in source order: `--fix` applies all of them in one round, and the
        # new relationships inserted at one place land in the order of their fixes,
        # the order in which SQLAlchemy set the backrefs up (mapper by mapper, each
        # mapper's relationships in source order), which is the order of the target
        # mapper's properties and so of its cascades.
        for arg, fix in self._found:
            self.report(arg, fix=fix)

    # -- the fix ----------------------------------------------------------------------
    def _fix(self, call: cst.Call, backref_arg: cst.Arg) -> Fix | None:
        located = self._attributes.get(id(call))
        if located is None:
            return None
        source, attribute = located
        module = self.context.module
        if self._classes is None:
            self._classes = {s.name.value: s for s in module.body if isinstance(s, cst.ClassDef)}
        classes = self._classes
        target_name, secondary = _target_and_secondary(call)
        target = classes.get(target_name or "")
        if target is None or target is source or source.name.value not in classes:
            return None
        index = self.context.declarative
        if not (index.is_declarative(source) and index.is_declarative(target)):
            return None
        if any(
            arg.keyword is not None
            and arg.keyword.value not in _FORWARD_ONLY | {"backref", "secondary"}
            for arg in call.args
        ) or any(arg.star for arg in call.args):
            return None
        if secondary is not None and not _secondary_visible(secondary, module, source, target):
            return None
        parsed = self._parse_backref(backref_arg.value)
        if parsed is None:
            return None
        name_node, carried, unused = parsed
        name = name_node.evaluated_value
        if not isinstance(name, str) or not name.isidentifier():
            return None
        if _has_attribute(target, name, classes, self._claimed):
            return None

        new_forward = call.with_changes(
            args=[
                arg.with_changes(keyword=cst.Name("back_populates"), value=name_node)
                if arg is backref_arg
                else arg
                for arg in call.args
            ]
        )
        reverse_args = [
            cst.Arg(cst.SimpleString(f'"{source.name.value}"')),
            keyword_arg("back_populates", cst.SimpleString(f'"{attribute}"')),
        ]
        if secondary is not None:
            # The generated side shared the forward side's association table.
            reverse_args.append(keyword_arg("secondary", secondary.deep_clone()))
        reverse_args += [keyword_arg(key, value.deep_clone()) for key, value in carried]
        reverse = cst.SimpleStatementLine(
            [
                cst.Assign(
                    [cst.AssignTarget(cst.Name(name))],
                    cst.Call(func=call.func.deep_clone(), args=reverse_args),
                )
            ]
        )
        anchor, before = _insertion_point(target)
        self._claimed.add((target.name.value, name))
        return Fix(
            edits=(NodeEdit(call, new_forward), InsertStatements(anchor, (reverse,), before)),
            applicability="unsafe",
            unused_imports=unused,
            description=f"Declare {target.name.value}.{name} with back_populates",
        )

    def _parse_backref(
        self, value: cst.BaseExpression
    ) -> tuple[cst.SimpleString, list[tuple[str, cst.BaseExpression]], tuple[Import, ...]] | None:
        """(name, keyword arguments for the new side, imports made unused), or None."""
        if isinstance(value, cst.SimpleString):
            return value, [], ()
        if not isinstance(value, cst.Call) or self.context.sqla_name(value.func) != "backref":
            return None
        if not value.args or value.args[0].keyword is not None:
            return None
        name = value.args[0].value
        if not isinstance(name, cst.SimpleString):
            return None
        carried: list[tuple[str, cst.BaseExpression]] = []
        for arg in value.args[1:]:
            if arg.keyword is None or arg.star or not _is_literal(arg.value):
                return None
            if arg.keyword.value == "back_populates":
                return None
            carried.append((arg.keyword.value, arg.value))
        unused: tuple[Import, ...] = ()
        qualified = self.context.qualified_name(value.func)
        if isinstance(value.func, cst.Name) and value.func.value == "backref" and qualified:
            module, _, symbol = qualified.rpartition(".")
            unused = (Import(module, symbol),)
        return name, carried, unused


def _target_and_secondary(call: cst.Call) -> tuple[str | None, cst.BaseExpression | None]:
    """The target class name of `relationship(...)` and its `secondary`, if given."""
    positional = [arg.value for arg in call.args if arg.keyword is None]
    target: str | None = None
    if positional:
        first = positional[0]
        if isinstance(first, cst.SimpleString):
            value = first.evaluated_value
            target = value if isinstance(value, str) and value.isidentifier() else None
        elif isinstance(first, cst.Name):
            target = first.value
    secondary = positional[1] if len(positional) > 1 else None
    if len(positional) > 2:
        return None, None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "secondary":
            secondary = arg.value
    return target, secondary


def _secondary_visible(
    secondary: cst.BaseExpression,
    module: cst.Module,
    source: cst.ClassDef,
    target: cst.ClassDef,
) -> bool:
    """Whether `secondary` means the same thing in the target class body."""
    if isinstance(secondary, cst.SimpleString):
        return True
    if not isinstance(secondary, cst.Name):
        return False
    # A name is evaluated when the class body runs: the target class must come after
    # the source class, whose body already evaluated it.
    body = list(module.body)
    return body.index(target) > body.index(source)


def _has_attribute(
    target: cst.ClassDef,
    name: str,
    classes: Mapping[str, cst.ClassDef],
    claimed: set[tuple[str, str]],
) -> bool:
    """Whether `target` or one of its bases in this module binds `name` (or may), or
    an earlier fix of this file adds it to one of them."""
    seen: set[str] = set()
    pending = [target]
    while pending:
        node = pending.pop()
        if node.name.value in seen:
            continue
        seen.add(node.name.value)
        names = class_body_names(node)
        if name in names or "*" in names or (node.name.value, name) in claimed:
            return True
        for base in node.bases:
            if isinstance(base.value, cst.Name) and base.value.value in classes:
                pending.append(classes[base.value.value])
    return False


def _is_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString | cst.Integer | cst.Float):
        return True
    return isinstance(node, cst.Name) and node.value in {"True", "False", "None"}


def _insertion_point(target: cst.ClassDef) -> tuple[cst.BaseStatement, bool]:
    """Where the new relationship goes: after the class's leading run of simple
    statements (the anchor, and False), or before its first statement (and True)."""
    assert isinstance(target.body, cst.IndentedBlock)
    body = target.body.body
    leading = 0
    while leading < len(body) and isinstance(body[leading], cst.SimpleStatementLine):
        leading += 1
    return (body[leading - 1], False) if leading else (body[0], True)
