"""The model, session and async fixes, proven on PostgreSQL with whole programs.

Each program is a complete script, fixed exactly as `sqla-checks --fix` (all rules,
with `--unsafe-fixes` where the fix is unsafe) would fix it, and run in a subprocess
on a database of its own, before and after the fix:

- programs that work before the fix must print the same after it: the DDL of every
  table, what PostgreSQL reports for the created tables, the mapped attributes and
  relationships, the SQL sent while the ORM works, and the rows left behind;
- programs that crash on SQLAlchemy 2.x before the fix must raise the documented
  exception, and after the fix print what a hand-written correct program prints;
- where a fix is unsafe because behaviour does change (ALC206, and ALC104 with an
  `Annotated` alias), a test pins the documented difference.

`applied` is checked for every program, so each one proves what it claims: the fixes
of exactly these rules were applied (and a second `--fix` run changes nothing).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType

import pytest
import sqlalchemy

from tests.fix_equivalence.programs import (
    ASYNC_DRIVER,
    SYNC_DRIVER,
    ProgramRunner,
    apply_fixes,
    fix_or_none,
    url_with_driver,
)


@dataclass(frozen=True)
class Program:
    name: str
    # The rules whose fixes the program receives (in the mode `unsafe` selects).
    rules: frozenset[str]
    source: str
    unsafe: bool = False
    driver: str = SYNC_DRIVER
    # For a program that fails before the fix: its traceback's exception line (a
    # regex), and a hand-written correct program that prints the expected output.
    raises: str = ""
    reference: str = ""


def program(
    name: str,
    rules: str,
    source: str,
    *,
    unsafe: bool = False,
    is_async: bool = False,
    raises: str = "",
    reference: str = "",
) -> Program:
    return Program(
        name=name,
        rules=frozenset(rules.split()),
        source=textwrap.dedent(source).lstrip("\n"),
        unsafe=unsafe,
        driver=ASYNC_DRIVER if is_async else SYNC_DRIVER,
        raises=raises,
        reference=textwrap.dedent(reference).lstrip("\n"),
    )


# ---------------------------------------------------------------------------------
# Programs that work before the fix: the fix must not change what they print.
# ---------------------------------------------------------------------------------

ALC104_DECLARATIVE_BASE = program(
    "alc104-declarative-base-unannotated-columns",
    "ALC104",
    """
    import datetime
    from decimal import Decimal

    from sqlalchemy import (
        Boolean,
        Column,
        DateTime,
        ForeignKey,
        Integer,
        Numeric,
        String,
        Text,
        create_engine,
        select,
        text,
    )
    from sqlalchemy.orm import Session, declarative_base, relationship

    from program_runtime import DATABASE_URL, create_and_describe, print_mappers, printed_sql, show

    Base = declarative_base()


    class AuditMixin:
        created_at = Column(
            DateTime(timezone=True),
            server_default=text("'2024-01-02 03:04:05+00'"),
            nullable=False,
        )
        note = Column(String(50), default="none")


    class Author(AuditMixin, Base):
        __tablename__ = "author"
        id = Column(Integer, primary_key=True)
        name = Column(String(30), nullable=False, unique=True)
        email = Column("email_address", String(100), index=True)
        active = Column(Boolean, default=True, server_default=text("true"))
        rating = Column(Numeric(4, 2))
        books = relationship("Book", back_populates="author", order_by="Book.id")


    class Book(AuditMixin, Base):
        __tablename__ = "book"
        id = Column(Integer, primary_key=True)
        author_id = Column(ForeignKey("author.id", ondelete="CASCADE"), nullable=False)
        title = Column(Text, nullable=False)
        pages = Column(Integer, default=lambda: 100, doc="page count")
        revised = Column(DateTime, onupdate=datetime.datetime(2024, 5, 6))
        author = relationship("Author", back_populates="books")


    engine = create_engine(DATABASE_URL)
    create_and_describe(engine, Base.metadata)
    print_mappers(Author, Book)
    with Session(engine) as session:
        with printed_sql(engine):
            ann = Author(name="ann", email="ann@example.org", rating=Decimal("4.50"))
            ann.books = [Book(title="First"), Book(title="Second", pages=250)]
            session.add_all([ann, Author(name="bob")])
            session.commit()
            ann.books[0].title = "First, revised"
            session.commit()
        for author in session.scalars(select(Author).order_by(Author.id)):
            print(show(author), [show(book) for book in author.books])
    """,
)

ALC104_DECLARATIVE_BASE_CLASS = program(
    "alc104-declarativebase-sa-columns-and-table-args",
    "ALC104",
    """
    import enum

    import sqlalchemy as sa
    from sqlalchemy.dialects.postgresql import ARRAY, JSONB
    from sqlalchemy.orm import DeclarativeBase, Session

    from program_runtime import DATABASE_URL, create_and_describe, print_mappers, printed_sql, show


    class Status(enum.Enum):
        draft = "draft"
        live = "live"


    class Base(DeclarativeBase):
        pass


    class Shelf(Base):
        __tablename__ = "shelf"
        id = sa.Column(sa.Integer, sa.Identity(start=10), primary_key=True)
        label = sa.Column(
            sa.String(20), sa.CheckConstraint("label <> ''", name="label_not_empty"), nullable=False
        )


    class Item(Base):
        __tablename__ = "item"
        __table_args__ = (
            sa.UniqueConstraint("shelf_id", "position", name="uq_item_place"),
            sa.Index("ix_item_status_title", "status", "item_title"),
        )
        id = sa.Column(sa.Integer, sa.Sequence("item_id_seq", start=100), primary_key=True)
        shelf_id = sa.Column(sa.ForeignKey("shelf.id"))
        position = sa.Column(sa.SmallInteger, nullable=False, server_default="0")
        title = sa.Column("item_title", sa.Unicode(40))
        status = sa.Column(
            sa.Enum(Status, name="item_status"), default=Status.draft, nullable=False
        )
        tags = sa.Column(ARRAY(sa.String))
        data = sa.Column(JSONB, server_default=sa.text("'{}'::jsonb"))
        weight = sa.Column(sa.Float(precision=53))
        double_position = sa.Column(sa.Integer, sa.Computed("position * 2", persisted=True))
        secret = sa.Column(sa.String, info={"hidden": True}, comment="not for display")


    engine = sa.create_engine(DATABASE_URL)
    create_and_describe(engine, Base.metadata)
    print_mappers(Shelf, Item)
    print(Item.__table__.c.secret.info, Item.__table__.c.secret.comment)
    with Session(engine) as session:
        with printed_sql(engine):
            shelf = Shelf(label="top")
            session.add(shelf)
            session.flush()
            session.add_all(
                [
                    Item(shelf_id=shelf.id, position=1, title="lamp", tags=["a", "b"]),
                    Item(shelf_id=shelf.id, title="vase", status=Status.live, weight=1.5),
                ]
            )
            session.commit()
        for item in session.scalars(sa.select(Item).order_by(Item.id)):
            print(show(item))
    """,
)

ALC104_MAPPED_SAFE = program(
    "alc104-mapped-annotations-safe",
    "ALC104",
    """
    import datetime
    import decimal
    import enum
    from typing import List, Optional, Union

    from sqlalchemy import (
        BigInteger,
        Column,
        DateTime,
        Enum,
        ForeignKey,
        Integer,
        Numeric,
        String,
        Text,
        create_engine,
        select,
        text,
    )
    from sqlalchemy.dialects.postgresql import ARRAY
    from sqlalchemy.orm import DeclarativeBase, Mapped, Session

    from program_runtime import DATABASE_URL, create_and_describe, print_mappers, printed_sql, show


    class Kind(enum.Enum):
        member = 1
        admin = 2


    class Base(DeclarativeBase):
        pass


    class Team(Base):
        __tablename__ = "team"
        id: Mapped[int] = Column(BigInteger, primary_key=True)
        name: Mapped[str] = Column(String(30), nullable=False, unique=True)


    class Account(Base):
        __tablename__ = "account"
        id: Mapped[int] = Column(Integer, primary_key=True)
        team_id: Mapped[int] = Column(ForeignKey("team.id"))
        login: Mapped[str] = Column(String(30), nullable=False)
        nickname: Mapped[str] = Column(String(30))
        bio: Mapped[Optional[str]] = Column(Text)
        motto: Mapped[str | None] = Column(Text, nullable=False, default="carpe diem")
        balance: Mapped[decimal.Decimal] = Column(Numeric(10, 2), server_default="0")
        kind: Mapped[Kind] = Column(Enum(Kind), default=Kind.member)
        joined: Mapped[datetime.datetime] = Column(
            DateTime(timezone=True), server_default=text("'2024-01-02 03:04:05+00'")
        )
        aliases: Mapped[List[str]] = Column(ARRAY(String))
        score: Mapped["int"] = Column(Integer, default=0)
        mentor_id: Mapped[Optional[int]] = Column(ForeignKey("account.id", ondelete="SET NULL"))


    class Tag(Base):
        __tablename__ = "tag"
        name: Mapped[Optional[str]] = Column(String(20), primary_key=True)
        weight: Mapped[Union[int, None]] = Column(Integer)


    engine = create_engine(DATABASE_URL)
    create_and_describe(engine, Base.metadata)
    print_mappers(Team, Account, Tag)
    with Session(engine) as session:
        with printed_sql(engine):
            team = Team(name="core")
            session.add(team)
            session.flush()
            ann = Account(team_id=team.id, login="ann", aliases=["a"])
            session.add(ann)
            session.flush()
            session.add_all(
                [
                    Account(login="bob", nickname="b", mentor_id=ann.id, kind=Kind.admin),
                    Tag(name="x"),
                ]
            )
            session.commit()
        for account in session.scalars(select(Account).order_by(Account.id)):
            print(show(account))
        print([show(tag) for tag in session.scalars(select(Tag))])
    """,
)

ALC104_MAPPED_FUTURE_ANNOTATIONS = program(
    "alc104-mapped-string-annotations-declarative-base",
    "ALC104",
    """
    from __future__ import annotations

    import enum
    from datetime import datetime
    from typing import Optional

    from sqlalchemy import (
        Column,
        DateTime,
        Enum,
        ForeignKey,
        Integer,
        String,
        create_engine,
        select,
    )
    from sqlalchemy.orm import Mapped, Session, declarative_base, relationship

    from program_runtime import DATABASE_URL, create_and_describe, print_mappers, printed_sql, show

    Base = declarative_base()


    class Species(enum.Enum):
        cat = "cat"
        dog = "dog"


    class Owner(Base):
        __tablename__ = "owner"
        id: Mapped[int] = Column(Integer, primary_key=True)
        name: Mapped[str] = Column(String(30))
        pets: Mapped[list[Pet]] = relationship("Pet", back_populates="owner")


    class Pet(Base):
        __tablename__ = "pet"
        id: Mapped[int] = Column(Integer, primary_key=True)
        owner_id: Mapped[Optional[int]] = Column(ForeignKey("owner.id"))
        species: Mapped[Species] = Column(Enum(Species), nullable=False)
        born: Mapped[datetime] = Column(DateTime)
        owner: Mapped[Optional[Owner]] = relationship("Owner", back_populates="pets")


    engine = create_engine(DATABASE_URL)
    create_and_describe(engine, Base.metadata)
    print_mappers(Owner, Pet)
    with Session(engine) as session:
        with printed_sql(engine):
            owner = Owner(name="ann")
            owner.pets.append(Pet(species=Species.cat, born=datetime(2020, 1, 2)))
            session.add_all([owner, Pet(species=Species.dog)])
            session.commit()
        print([show(pet) for pet in session.scalars(select(Pet).order_by(Pet.id))])
    """,
)

ALC104_MAPPED_UNSAFE = program(
    "alc104-mapped-annotated-alias-and-dataclass-unsafe",
    "ALC104",
    """
    from typing import Annotated, Optional

    from sqlalchemy import Column, Integer, String, create_engine, select
    from sqlalchemy.orm import DeclarativeBase, Mapped, MappedAsDataclass, Session, mapped_column

    from program_runtime import DATABASE_URL, create_and_describe, print_mappers, printed_sql, show

    intpk = Annotated[int, mapped_column(primary_key=True)]
    str30 = Annotated[str, mapped_column(String(30))]


    class Base(DeclarativeBase):
        pass


    class Note(Base):
        __tablename__ = "note"
        id: Mapped[intpk] = Column(Integer, primary_key=True)
        title: Mapped[str30] = Column(String(30), nullable=False)
        body: Mapped[Optional[str30]] = Column(String(30))


    class DataBase(MappedAsDataclass, DeclarativeBase):
        pass


    class Point(DataBase):
        __tablename__ = "point"
        id: Mapped[int] = mapped_column(primary_key=True, init=False)
        x: Mapped[int] = Column(Integer, nullable=False)
        label: Mapped[Optional[str]] = Column(String(10))


    engine = create_engine(DATABASE_URL)
    create_and_describe(engine, Base.metadata)
    create_and_describe(engine, DataBase.metadata)
    print_mappers(Note, Point)
    with Session(engine) as session:
        with printed_sql(engine):
            session.add_all([Note(title="hello"), Note(title="bye", body="so long")])
            point = Point(x=3, label="p")
            print(repr(point))
            session.add(point)
            session.commit()
        print([show(note) for note in session.scalars(select(Note).order_by(Note.id))])
        print([repr(point) for point in session.scalars(select(Point))])
    """,
    unsafe=True,
)

ALC105_METADATA = program(
    "alc105-metadata-name-and-type-annotation-map",
    "ALC105",
    """
    from sqlalchemy import ForeignKey, MetaData, String, create_engine, select
    from sqlalchemy.orm import Mapped, Session, declarative_base, mapped_column, relationship

    from program_runtime import DATABASE_URL, create_and_describe, print_mappers, printed_sql, show

    convention = {
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
    Model = declarative_base(
        metadata=MetaData(naming_convention=convention),
        name="Model",
        type_annotation_map={str: String(50)},
    )


    class Account(Model):
        __tablename__ = "account"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(unique=True, index=True)
        posts: Mapped[list["Post"]] = relationship(back_populates="account")


    class Post(Model):
        __tablename__ = "post"
        id: Mapped[int] = mapped_column(primary_key=True)
        account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
        title: Mapped[str | None]
        account: Mapped[Account] = relationship(back_populates="posts")


    print(Model.__name__, Model.metadata.naming_convention == convention)
    print(sorted(mapper.class_.__name__ for mapper in Model.registry.mappers))
    engine = create_engine(DATABASE_URL)
    create_and_describe(engine, Model.metadata)
    print_mappers(Account, Post)
    try:
        Account(nickname="x")
    except TypeError as exc:
        print("constructor:", exc)
    with Session(engine) as session:
        with printed_sql(engine):
            session.add(Account(email="ann@example.org", posts=[Post(title="hi"), Post()]))
            session.commit()
        print([show(post) for post in session.scalars(select(Post).order_by(Post.id))])
    """,
    unsafe=True,
)

ALC105_CLS_MIXIN = program(
    "alc105-cls-mixin-on-a-legacy-model-module",
    "ALC104 ALC105",
    """
    from sqlalchemy import Column, ForeignKey, Integer, String, create_engine, select
    from sqlalchemy.ext.declarative import declarative_base, declared_attr
    from sqlalchemy.orm import Session, relationship

    from program_runtime import DATABASE_URL, create_and_describe, print_mappers, printed_sql


    class Model:
        @declared_attr
        def __tablename__(cls):
            return cls.__name__.lower()

        id = Column(Integer, primary_key=True)

        def __repr__(self):
            return f"<{type(self).__name__} #{self.id}>"

        def to_dict(self):
            return {column.key: getattr(self, column.key) for column in self.__table__.columns}


    Base = declarative_base(cls=Model)


    class Owner(Base):
        name = Column(String(30), nullable=False)
        visits: int = Column(Integer, default=0)
        pets = relationship("Pet", back_populates="owner", order_by="Pet.id")


    class Pet(Base):
        owner_id = Column(ForeignKey("owner.id"))
        name = Column(String(30))
        owner = relationship("Owner", back_populates="pets")


    print(issubclass(Base, Model), Owner.__tablename__, Pet.__tablename__)
    engine = create_engine(DATABASE_URL)
    create_and_describe(engine, Base.metadata)
    print_mappers(Owner, Pet)
    with Session(engine) as session:
        with printed_sql(engine):
            owner = Owner(name="ann", pets=[Pet(name="rex"), Pet(name="tom")])
            session.add(owner)
            session.commit()
            print(owner, owner.pets, owner.to_dict(), owner.pets[0].to_dict())
        print(session.scalars(select(Pet).order_by(Pet.id)).all())
    """,
    unsafe=True,
)

# The relationships are exercised from both sides; the SQL each flush sends and the
# rows left at the end are printed, so a join or cascade that differs shows up.
_RELATIONSHIP_EXERCISE = """
engine = create_engine(DATABASE_URL)
create_and_describe(engine, Base.metadata)
print_mappers(Author, Book, Tag, Profile, Comment)

with Session(engine) as session:
    with printed_sql(engine):
        ann = Author(name="ann")
        first = Book(title="first")
        ann.books.append(first)
        second = Book(title="second", author=ann)
        print("in memory", [b.title for b in ann.books], first.author is ann)
        python, sql = Tag(name="python"), Tag(name="sql")
        first.tags.append(python)
        sql.books.append(second)
        python.books.append(second)
        print("tags", [t.name for t in second.tags], sorted(b.title for b in python.books))
        Profile(bio="ann's", author=ann)
        Comment(text="great", book=first)
        first.comments.append(Comment(text="meh"))
        print("profile", ann.profile.bio, [c.text for c in first.comments])
        session.add(ann)
        session.flush()
        print("flushed", [(b.id, b.author_id) for b in ann.books])
        bob = Author(name="bob")
        third = Book(title="third")
        third.author = bob
        session.add(third)
        session.flush()
        print("bob joined through the many-to-one side", bob in session, bob.id is not None)
        first.author = bob
        print("moved", [b.title for b in ann.books], [b.title for b in bob.books])
        ann.books.remove(second)
        session.flush()
        print("orphan deleted", second in session, [b.title for b in ann.books])
        session.delete(python)
        session.flush()
        session.delete(bob)
        session.flush()
        session.commit()
    print("ann", [b.title for b in ann.books], ann.profile.bio)
with engine.connect() as conn:
    for name in ["author", "book", "tag", "book_tag", "profile", "comment"]:
        print_table(conn, name)
"""

ALC106_BACKREFS = program(
    "alc106-backref-one-to-many-many-to-one-many-to-many",
    "ALC106",
    textwrap.dedent(
        """
    from sqlalchemy import Column, ForeignKey, String, Table, create_engine
    from sqlalchemy.orm import DeclarativeBase, Mapped, Session, backref, mapped_column
    from sqlalchemy.orm import relationship

    from program_runtime import (
        DATABASE_URL,
        create_and_describe,
        print_mappers,
        print_table,
        printed_sql,
    )


    class Base(DeclarativeBase):
        pass


    book_tag = Table(
        "book_tag",
        Base.metadata,
        Column("book_id", ForeignKey("book.id"), primary_key=True),
        Column("tag_id", ForeignKey("tag.id"), primary_key=True),
    )


    class Author(Base):
        __tablename__ = "author"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(30))
        books = relationship(
            "Book", backref="author", cascade="all, delete-orphan", order_by="Book.id"
        )


    class Book(Base):
        __tablename__ = "book"
        id: Mapped[int] = mapped_column(primary_key=True)
        author_id: Mapped[int | None] = mapped_column(ForeignKey("author.id"))
        title: Mapped[str] = mapped_column(String(30))
        tags = relationship("Tag", secondary=book_tag, backref="books", order_by="Tag.id")

        def __repr__(self):
            return f"Book({self.title!r})"


    class Tag(Base):
        __tablename__ = "tag"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(30))


    class Profile(Base):
        __tablename__ = "profile"
        id: Mapped[int] = mapped_column(primary_key=True)
        author_id: Mapped[int] = mapped_column(ForeignKey("author.id"), unique=True)
        bio: Mapped[str] = mapped_column(String(30))
        author = relationship(
            "Author", backref=backref("profile", uselist=False, cascade="all, delete-orphan")
        )


    class Comment(Base):
        __tablename__ = "comment"
        id: Mapped[int] = mapped_column(primary_key=True)
        book_id: Mapped[int] = mapped_column(ForeignKey("book.id"))
        text: Mapped[str] = mapped_column(String(30))
        book = relationship(
            "Book",
            backref=backref("comments", cascade="all, delete-orphan", order_by="Comment.id"),
            lazy="joined",
        )
    """
    )
    + _RELATIONSHIP_EXERCISE,
    unsafe=True,
)

ALC106_LEGACY = program(
    "alc106-legacy-module-backref-objects-declarative-base-columns",
    "ALC104 ALC105 ALC106",
    textwrap.dedent(
        """
    from sqlalchemy import Column, ForeignKey, Integer, String, Table, create_engine
    from sqlalchemy.orm import Session, backref, declarative_base, relationship

    from program_runtime import (
        DATABASE_URL,
        create_and_describe,
        print_mappers,
        print_table,
        printed_sql,
    )

    Base = declarative_base()

    book_tag = Table(
        "book_tag",
        Base.metadata,
        Column("book_id", ForeignKey("book.id"), primary_key=True),
        Column("tag_id", ForeignKey("tag.id"), primary_key=True),
    )


    class Author(Base):
        __tablename__ = "author"
        id = Column(Integer, primary_key=True)
        name = Column(String(30))


    class Book(Base):
        __tablename__ = "book"
        id = Column(Integer, primary_key=True)
        author_id = Column(Integer, ForeignKey("author.id"))
        title = Column(String(30))
        author = relationship(
            "Author",
            backref=backref("books", cascade="all, delete-orphan", order_by="Book.id"),
        )
        tags = relationship("Tag", secondary="book_tag", backref=backref("books", lazy="selectin"))


    class Tag(Base):
        __tablename__ = "tag"
        id = Column(Integer, primary_key=True)
        name = Column(String(30))


    class Profile(Base):
        __tablename__ = "profile"
        id = Column(Integer, primary_key=True)
        author_id = Column(ForeignKey("author.id"), unique=True)
        bio = Column(String(30))
        author = relationship("Author", backref=backref("profile", uselist=False, cascade="all"))


    class Comment(Base):
        __tablename__ = "comment"
        id = Column(Integer, primary_key=True)
        book_id = Column(ForeignKey("book.id"))
        text = Column(String(30))
        book = relationship("Book", backref=backref("comments", cascade="all, delete-orphan"))
    """
    )
    + _RELATIONSHIP_EXERCISE,
    unsafe=True,
)

ALC110_SYNC = program(
    "alc110-future-and-autocommit-flags-sync",
    "ALC110",
    """
    from sqlalchemy import String, create_engine, func, insert, select
    from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

    from program_runtime import DATABASE_URL, printed_sql


    class Base(DeclarativeBase):
        pass


    class Entry(Base):
        __tablename__ = "entry"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(10))


    engine = create_engine(DATABASE_URL, future=True)
    SessionLocal = sessionmaker(bind=engine, autocommit=False, autoflush=False, future=True)
    Base.metadata.create_all(engine)
    count = select(func.count(Entry.id))

    with printed_sql(engine):
        with SessionLocal() as session:
            print("fresh session in a transaction:", session.in_transaction())
            session.add(Entry(name="a"))
            print("autoflush off, count:", session.scalar(count))
            print("autobegun:", session.in_transaction())
            session.commit()
            print("after commit:", session.in_transaction(), session.scalar(count))
            session.add(Entry(name="b"))
            session.flush()
            print("flushed:", session.scalar(count))
            session.rollback()
            print("after rollback:", session.scalar(count))
            session.rollback()
            with session.begin():
                session.add(Entry(name="c"))
            print("after begin block:", session.in_transaction())
        with Session(engine, future=True, autocommit=False) as session:
            print("options:", session.autoflush, session.expire_on_commit)
            session.add(Entry(name="d"))
            print("autoflush on, count:", session.scalar(count))
        with engine.connect() as conn:
            conn.execute(insert(Entry), [{"name": "e"}])
            print("connection autobegun:", conn.in_transaction())
            conn.commit()
            conn.execute(insert(Entry), [{"name": "f"}])
        with engine.begin() as conn:
            print("names:", conn.scalars(select(Entry.name).order_by(Entry.id)).all())
    """,
)

ALC110_ASYNC = program(
    "alc110-future-and-autocommit-flags-async",
    "ALC110",
    """
    import asyncio

    from sqlalchemy import String, func, select
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    from program_runtime import DATABASE_URL, printed_sql


    class Base(DeclarativeBase):
        pass


    class Entry(Base):
        __tablename__ = "entry"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(10))


    engine = create_async_engine(DATABASE_URL, future=True)
    SessionLocal = async_sessionmaker(engine, autocommit=False, expire_on_commit=False)


    async def main() -> None:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        with printed_sql(engine.sync_engine):
            async with SessionLocal() as session:
                session.add(Entry(name="a"))
                print("autoflush on:", await session.scalar(select(func.count(Entry.id))))
                await session.commit()
                print("after commit:", session.in_transaction())
            async with AsyncSession(engine, future=True, expire_on_commit=False) as session:
                session.add(Entry(name="b"))
                await session.rollback()
                print("names:", (await session.scalars(select(Entry.name))).all())
        await engine.dispose()


    asyncio.run(main())
    """,
    is_async=True,
)

ALC205_SESSIONMAKER = program(
    "alc205-sessionmaker-class-asyncsession",
    "ALC205",
    """
    import asyncio

    from sqlalchemy import String, func, select
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

    from program_runtime import DATABASE_URL, printed_sql, show


    class Base(DeclarativeBase):
        pass


    class Entry(Base):
        __tablename__ = "entry"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(10))


    engine = create_async_engine(DATABASE_URL)
    SessionLocal = sessionmaker(
        engine, class_=AsyncSession, expire_on_commit=False, autoflush=False
    )


    async def main() -> None:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        print(sorted(SessionLocal.kw))
        with printed_sql(engine.sync_engine):
            async with SessionLocal() as session:
                sync = session.sync_session
                print(isinstance(session, AsyncSession), type(session).__name__)
                print(sync.autoflush, sync.expire_on_commit, session.bind is engine)
                entry = Entry(name="a")
                session.add(entry)
                print("autoflush off:", await session.scalar(select(func.count(Entry.id))))
                await session.commit()
                print("kept after commit:", show(entry))
            async with SessionLocal() as session, session.begin():
                session.add(Entry(name="b"))
            async with SessionLocal() as session:
                print((await session.scalars(select(Entry.name).order_by(Entry.id))).all())
        await engine.dispose()


    asyncio.run(main())
    """,
    is_async=True,
)

# ALC104's safe fix with a `Mapped[...]` annotation adds `nullable=` only where the
# annotation would change the Column's nullability. Besides primary_key=True, a
# PrimaryKeyConstraint in __table_args__ and an Identity() make a Column without
# nullable= NOT NULL (an explicit nullable=True would override them).

ALC104_PK_CONSTRAINT = program(
    "alc104-mapped-column-in-a-primary-key-constraint",
    "ALC104",
    """
    from sqlalchemy import Column, Integer, PrimaryKeyConstraint, String, create_engine
    from sqlalchemy.orm import DeclarativeBase, Mapped

    from program_runtime import DATABASE_URL, create_and_describe


    class Base(DeclarativeBase):
        pass


    class Membership(Base):
        __tablename__ = "membership"
        __table_args__ = (PrimaryKeyConstraint("group_id", "user_id"),)
        group_id: Mapped[int] = Column(Integer)
        user_id: Mapped[int] = Column(Integer)
        role: Mapped[str] = Column(String(20))


    create_and_describe(create_engine(DATABASE_URL), Base.metadata)
    print({c.name: c.nullable for c in Membership.__table__.c})
    """,
)

ALC104_IDENTITY = program(
    "alc104-mapped-identity-column",
    "ALC104",
    """
    from sqlalchemy import Column, Identity, Integer, String, create_engine
    from sqlalchemy.orm import DeclarativeBase, Mapped

    from program_runtime import DATABASE_URL, create_and_describe


    class Base(DeclarativeBase):
        pass


    class Ticket(Base):
        __tablename__ = "ticket"
        code: Mapped[str] = Column(String(10), primary_key=True)
        number: Mapped[int] = Column(Integer, Identity())


    create_and_describe(create_engine(DATABASE_URL), Base.metadata)
    print({c.name: c.nullable for c in Ticket.__table__.c})
    """,
)

ALC104_TYPE_CHECKING = program(
    "alc104-mapped-annotation-imported-under-type-checking",
    "ALC104",
    """
    from __future__ import annotations

    from typing import TYPE_CHECKING

    from sqlalchemy import Column, Integer, Numeric, create_engine
    from sqlalchemy.orm import DeclarativeBase, Mapped

    from program_runtime import DATABASE_URL, create_and_describe

    if TYPE_CHECKING:
        from decimal import Decimal


    class Base(DeclarativeBase):
        pass


    class Item(Base):
        __tablename__ = "item"
        id: Mapped[int] = Column(Integer, primary_key=True)
        price: Mapped[Decimal] = Column(Numeric(10, 2), nullable=False)


    create_and_describe(create_engine(DATABASE_URL), Base.metadata)
    """,
)

EQUIVALENT = [
    ALC104_DECLARATIVE_BASE,
    ALC104_DECLARATIVE_BASE_CLASS,
    ALC104_MAPPED_SAFE,
    ALC104_MAPPED_FUTURE_ANNOTATIONS,
    ALC104_MAPPED_UNSAFE,
    ALC105_METADATA,
    ALC105_CLS_MIXIN,
    ALC106_BACKREFS,
    ALC106_LEGACY,
    ALC110_SYNC,
    ALC110_ASYNC,
    ALC205_SESSIONMAKER,
    ALC104_PK_CONSTRAINT,
    ALC104_IDENTITY,
    ALC104_TYPE_CHECKING,
]


def _ids(value: object) -> str:
    return value.name if isinstance(value, Program) else str(value)


@pytest.fixture(scope="module")
def runner(postgres_server: ModuleType, request: pytest.FixtureRequest) -> Iterator[ProgramRunner]:
    """Runs the programs; those of every selected test in this module start at once."""
    runner = ProgramRunner(postgres_server, workers=6)
    for item in request.session.items:
        if not isinstance(item, pytest.Function) or item.module is not request.module:
            continue
        if "runner" not in item.fixturenames:
            continue
        callspec = getattr(item, "callspec", None)
        selected = callspec.params.get("program") if callspec else None
        if isinstance(selected, Program):
            runner.prefetch(selected.source, unsafe=selected.unsafe, driver=selected.driver)
            if selected.reference:
                runner.submit(selected.reference, selected.driver)
        for source, unsafe, driver in PROGRAMS_OF_TESTS.get(item.name, []):
            runner.prefetch(source, unsafe=unsafe, driver=driver)
    yield runner
    runner.close()


@pytest.mark.parametrize("program", EQUIVALENT, ids=_ids)
def test_fixed_program_prints_the_same(runner: ProgramRunner, program: Program) -> None:
    fixed = runner.fix(program.source, unsafe=program.unsafe)
    assert fixed.applied == program.rules
    runs = runner.run({"before": program.source, "after": fixed.source}, program.driver)
    before, after = runs["before"], runs["after"]
    assert before.returncode == 0, before.describe()
    assert before.stdout.strip(), "the program printed nothing"
    assert after.returncode == 0, after.describe()
    assert after.stdout == before.stdout
    assert "Warning" not in after.stderr, after.stderr


@pytest.mark.parametrize(
    "program", [p for p in EQUIVALENT if isinstance(p, Program) and p.unsafe], ids=_ids
)
def test_unsafe_fixes_wait_for_the_unsafe_flag(runner: ProgramRunner, program: Program) -> None:
    safe = fix_or_none(program.source, unsafe=False)
    assert safe != runner.fix(program.source, unsafe=True).source


def test_annotation_imported_for_type_checking_only_keeps_its_column(
    runner: ProgramRunner,
) -> None:
    """ALC104 leaves `price` a Column (no fix at all): `mapped_column()` would raise."""
    source = ALC104_TYPE_CHECKING.source
    column = "    price: Mapped[Decimal] = Column(Numeric(10, 2), nullable=False)\n"
    assert column in source
    assert column in runner.fix(source, unsafe=False).source
    assert column in runner.fix(source, unsafe=True).source
    # What the fix would have written: mapped_column() evaluates `Decimal`, which only
    # type checkers import.
    converted = source.replace(column, column.replace("Column(", "mapped_column(")).replace(
        "DeclarativeBase, Mapped\n", "DeclarativeBase, Mapped, mapped_column\n"
    )
    assert converted.count("mapped_column") == 2
    outcome = runner.run({"converted": converted}, SYNC_DRIVER)["converted"]
    assert outcome.returncode != 0, outcome.describe()
    # SQLAlchemy 2.0.40 gave this error its own class, a subclass of ArgumentError.
    error = (
        "sqlalchemy.orm.exc.MappedAnnotationError"
        if hasattr(sqlalchemy.orm.exc, "MappedAnnotationError")
        else "sqlalchemy.exc.ArgumentError"
    )
    assert outcome.exception.startswith(
        f'{error}: Could not resolve all types within mapped annotation: "Mapped[Decimal]"'
    ), outcome.describe()


# ---------------------------------------------------------------------------------
# Programs that crash on SQLAlchemy 2.x before the fix.
# ---------------------------------------------------------------------------------

SYNC_IMPORTS = """
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from program_runtime import DATABASE_URL
"""

SYNC_SEED = """

class Base(DeclarativeBase):
    pass


class Player(Base):
    __tablename__ = "player"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    score: Mapped[int]
    team: Mapped[str] = mapped_column(String(1))


engine = create_engine(DATABASE_URL)
Base.metadata.create_all(engine)
with Session(engine) as seed:
    seed.add_all(
        [
            Player(id=1, name="ann", score=95, team="a"),
            Player(id=2, name="bob", score=70, team="b"),
            Player(id=3, name="cid", score=40, team="a"),
            Player(id=4, name="dee", score=91, team="b"),
        ]
    )
    seed.commit()
players = Player.__table__
"""

ASYNC_IMPORTS = """
import asyncio

from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncAttrs, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from program_runtime import DATABASE_URL
"""

ASYNC_SEED = """

class Base(AsyncAttrs, DeclarativeBase):
    pass


class Player(Base):
    __tablename__ = "player"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    score: Mapped[int]
    team: Mapped[str] = mapped_column(String(1))


engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


async def seed() -> None:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with SessionLocal() as session:
        session.add_all(
            [
                Player(id=1, name="ann", score=95, team="a"),
                Player(id=2, name="bob", score=70, team="b"),
                Player(id=3, name="cid", score=40, team="a"),
                Player(id=4, name="dee", score=91, team="b"),
            ]
        )
        await session.commit()
"""


def sync_program(body: str, imports: str = "") -> str:
    return SYNC_IMPORTS.lstrip() + imports + SYNC_SEED + "\n" + textwrap.dedent(body).lstrip()


def async_program(body: str, imports: str = "") -> str:
    return ASYNC_IMPORTS.lstrip() + imports + ASYNC_SEED + "\n" + textwrap.dedent(body).lstrip()


CRASHING = [
    program(
        "alc107-select-with-a-list",
        "ALC107",
        sync_program(
            """
            with Session(engine) as session:
                stmt = select([Player.id, Player.name]).where(Player.score > 50).order_by(Player.id)
                print([tuple(row) for row in session.execute(stmt)])
            with engine.connect() as conn:
                result = conn.execute(
                    select([c for c in players.c if c.name != "score"]).order_by(players.c.id)
                )
                print(list(result.keys()), [tuple(row) for row in result])
            """
        ),
        raises=r"^sqlalchemy\.exc\.ArgumentError: Column expression, FROM clause, or other"
        r" columns clause element expected, got \[",
        reference=sync_program(
            """
            with engine.connect() as conn:
                result = conn.exec_driver_sql(
                    "SELECT id, name FROM player WHERE score > 50 ORDER BY id"
                )
                print([tuple(row) for row in result])
                result = conn.exec_driver_sql("SELECT id, name, team FROM player ORDER BY id")
                print(list(result.keys()), [tuple(row) for row in result])
            """
        ),
    ),
    program(
        "alc107-case-with-a-list",
        "ALC107",
        sync_program(
            """
            medal = case([(Player.score > 90, "gold"), (Player.score > 50, "silver")], else_="-")
            team = case([("a", "Ants"), ("b", "Bees")], value=Player.team)
            with Session(engine) as session:
                rows = session.execute(select(Player.name, medal, team).order_by(Player.id))
                print([tuple(row) for row in rows])
            """,
            imports="from sqlalchemy import case\n",
        ),
        raises=r"^sqlalchemy\.exc\.ArgumentError: The \"whens\" argument to case\(\)",
        reference=sync_program(
            """
            with engine.connect() as conn:
                rows = conn.exec_driver_sql(
                    "SELECT name,"
                    " CASE WHEN score > 90 THEN 'gold' WHEN score > 50 THEN 'silver' ELSE '-' END,"
                    " CASE team WHEN 'a' THEN 'Ants' WHEN 'b' THEN 'Bees' END"
                    " FROM player ORDER BY id"
                )
                print([tuple(row) for row in rows])
            """
        ),
    ),
    program(
        "alc109-session-execute-a-string",
        "ALC109",
        sync_program(
            """
            def main() -> None:
                with Session(engine) as session:
                    rows = session.execute(
                        "SELECT name, score FROM player WHERE score > 50 ORDER BY id"
                    )
                    print([tuple(row) for row in rows])
                    print(session.scalar("SELECT count(*) FROM player"))
                    names = session.scalars("SELECT name FROM player WHERE team = 'a' ORDER BY 1")
                    print(names.all())
                    print(tuple(session.execute("SELECT '10:30'::time, '7'::int * 6").one()))


            main()
            """
        ),
        # SQLAlchemy shortens the statement in the message.
        raises=r"^sqlalchemy\.exc\.ArgumentError: Textual SQL expression 'SELECT name, score"
        r" FROM p\.\.\.' should be explicitly declared as text\('SELECT name, score FROM p",
        reference=sync_program(
            """
            with engine.connect() as conn:
                sql = conn.exec_driver_sql
                rows = sql("SELECT name, score FROM player WHERE score > 50 ORDER BY id")
                print([tuple(row) for row in rows])
                print(sql("SELECT count(*) FROM player").scalar())
                print(sql("SELECT name FROM player WHERE team = 'a' ORDER BY 1").scalars().all())
                print(tuple(sql("SELECT '10:30'::time, '7'::int * 6").one()))
            """
        ),
    ),
    program(
        "alc109-connection-execute-a-string",
        "ALC109",
        sync_program(
            """
            def main() -> None:
                with engine.connect() as conn:
                    print(conn.execute("SELECT max(score) FROM player").scalar())
                    print(conn.scalars("SELECT name FROM player ORDER BY score DESC").all())


            main()
            """
        ),
        raises=r"^sqlalchemy\.exc\.ObjectNotExecutableError: Not an executable object:"
        r" 'SELECT max\(score\) FROM player'",
        reference=sync_program(
            """
            with engine.connect() as conn:
                print(conn.exec_driver_sql("SELECT max(score) FROM player").scalar())
                print(
                    conn.exec_driver_sql("SELECT name FROM player ORDER BY score DESC")
                    .scalars()
                    .all()
                )
            """
        ),
    ),
    program(
        "alc109-string-with-bind-parameters-unsafe",
        "ALC109",
        sync_program(
            """
            def main(session: Session) -> None:
                found = session.execute("SELECT name FROM player WHERE id = :id", {"id": 2})
                print(found.scalar_one())
                print(session.scalar("SELECT count(*) FROM player WHERE team = :t", {"t": "a"}))


            with Session(engine) as session:
                main(session)
            """
        ),
        unsafe=True,
        raises=r"^sqlalchemy\.exc\.ArgumentError: Textual SQL expression 'SELECT name FROM"
        r" player W\.\.\.' should be explicitly declared as text\(",
        reference=sync_program(
            """
            with engine.connect() as conn:
                sql = conn.exec_driver_sql
                print(sql("SELECT name FROM player WHERE id = %(id)s", {"id": 2}).scalar_one())
                print(sql("SELECT count(*) FROM player WHERE team = %(t)s", {"t": "a"}).scalar())
            """
        ),
    ),
    program(
        "alc202-missing-await",
        "ALC202",
        async_program(
            """
            async def strong_names(session: AsyncSession) -> list[str]:
                result = session.execute(select(Player.name).where(Player.score > 50))
                return sorted(result.scalars().all())


            async def rename(session: AsyncSession, player_id: int, name: str) -> None:
                player = session.get(Player, player_id)
                player.name = name
                session.commit()


            async def main() -> None:
                await seed()
                async with SessionLocal() as session:
                    print(await strong_names(session))
                    await rename(session, 2, "robert")
                async with SessionLocal() as session:
                    names = session.scalars(select(Player.name).order_by(Player.id))
                    print(names.all())
                await engine.dispose()


            asyncio.run(main())
            """
        ),
        is_async=True,
        raises=r"^AttributeError: 'coroutine' object has no attribute 'scalars'",
        reference=async_program(
            """
            async def main() -> None:
                await seed()
                async with engine.begin() as conn:
                    sql = conn.exec_driver_sql
                    result = await sql("SELECT name FROM player WHERE score > 50")
                    print(sorted(result.scalars().all()))
                    await sql("UPDATE player SET name = 'robert' WHERE id = 2")
                async with engine.connect() as conn:
                    result = await conn.exec_driver_sql("SELECT name FROM player ORDER BY id")
                    print(result.scalars().all())
                await engine.dispose()


            asyncio.run(main())
            """
        ),
    ),
    program(
        "alc203-await-on-session-add",
        "ALC203",
        async_program(
            """
            async def create(session: AsyncSession, player_id: int, name: str) -> Player:
                player = Player(id=player_id, name=name, score=88, team="a")
                await session.add(player)
                await session.flush()
                return player


            async def main() -> None:
                await seed()
                async with SessionLocal() as session:
                    eve = await create(session, 5, "eve")
                    print(eve.id, session.in_transaction())
                    await session.add_all([Player(id=6, name="fay", score=12, team="b")])
                    await session.commit()
                    await session.expunge(eve)
                async with SessionLocal() as session:
                    print((await session.scalars(select(Player.name).order_by(Player.id))).all())
                await engine.dispose()


            asyncio.run(main())
            """
        ),
        is_async=True,
        raises=r"^TypeError: object NoneType can't be used in 'await' expression$",
        reference=async_program(
            """
            async def main() -> None:
                await seed()
                async with engine.begin() as conn:
                    sql = conn.exec_driver_sql
                    await sql("INSERT INTO player VALUES (5, 'eve', 88, 'a')")
                    print(5, True)
                    await sql("INSERT INTO player VALUES (6, 'fay', 12, 'b')")
                async with engine.connect() as conn:
                    result = await conn.exec_driver_sql("SELECT name FROM player ORDER BY id")
                    print(result.scalars().all())
                await engine.dispose()


            asyncio.run(main())
            """
        ),
    ),
]


@pytest.mark.parametrize("program", CRASHING, ids=_ids)
def test_fix_turns_a_crash_into_the_intended_result(
    runner: ProgramRunner, program: Program
) -> None:
    fixed = runner.fix(program.source, unsafe=program.unsafe)
    assert fixed.applied == program.rules
    runs = runner.run(
        {"before": program.source, "after": fixed.source, "reference": program.reference},
        program.driver,
    )
    before, after, reference = runs["before"], runs["after"], runs["reference"]
    assert before.returncode != 0, before.describe()
    assert re.search(program.raises, before.exception), before.describe()
    assert reference.returncode == 0, reference.describe()
    assert reference.stdout.strip(), "the reference program printed nothing"
    assert after.returncode == 0, after.describe()
    assert after.stdout == reference.stdout
    assert "Warning" not in after.stderr, after.stderr


# ALC204: the URL must be a literal in the program, so the database comes first.
ALC204_PROGRAM = """
import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine({url!r})


async def main() -> None:
    async with engine.connect() as conn:
        print((await conn.execute(text("SELECT current_database(), 6 * 7"))).one())
    await engine.dispose()


asyncio.run(main())
"""


SQLALCHEMY_VERSION = tuple(int(part) for part in sqlalchemy.__version__.split(".")[:2])
PSYCOPG2_IS_NOT_ASYNC = (
    r"^sqlalchemy\.exc\.InvalidRequestError: The asyncio extension requires an async"
    r" driver to be used\. The loaded 'psycopg2' is not async\.$"
)


@pytest.mark.parametrize(
    ("scheme", "raises", "unsafe"),
    [
        # SQLAlchemy 2.0 maps a bare postgresql:// to psycopg2, which cannot run async.
        # 2.1 maps it to psycopg 3, which the dev extra installs: that URL runs, so its
        # rewrite is an unsafe fix (the test after this one).
        *([("postgresql", PSYCOPG2_IS_NOT_ASYNC, True)] if SQLALCHEMY_VERSION < (2, 1) else []),
        ("postgresql+psycopg2", PSYCOPG2_IS_NOT_ASYNC, False),
        (
            "postgres",
            r"^sqlalchemy\.exc\.NoSuchModuleError: Can't load plugin:"
            r" sqlalchemy\.dialects:postgres$",
            False,
        ),
    ],
)
def test_async_engine_url_fix_turns_a_crash_into_a_connection(
    postgres_server: ModuleType,
    runner: ProgramRunner,
    scheme: str,
    raises: str,
    unsafe: bool,
) -> None:
    url = postgres_server.create_database("fixeq")
    try:
        asyncpg_url = url_with_driver(url, ASYNC_DRIVER)
        literal = scheme + asyncpg_url.removeprefix("postgresql+asyncpg")
        source = ALC204_PROGRAM.lstrip().format(url=literal)
        fixed = apply_fixes(source, unsafe=unsafe)
        assert fixed.applied == {"ALC204"}
        assert fixed.source == source.replace(repr(literal), repr(asyncpg_url))
        reference = source.replace(repr(literal), 'os.environ["DATABASE_URL"]').replace(
            "import asyncio\n", "import asyncio\nimport os\n"
        )
        runs = runner.run_on(
            {"before": source, "after": fixed.source, "reference": reference}, asyncpg_url
        )
        before, after, reference_run = runs["before"], runs["after"], runs["reference"]
    finally:
        postgres_server.drop_database(url)
    assert re.search(raises, before.exception), before.describe()
    assert reference_run.returncode == 0, reference_run.describe()
    assert reference_run.stdout == f"({url.database!r}, 42)\n"
    assert after.returncode == 0, after.describe()
    assert after.stdout == reference_run.stdout


@pytest.mark.skipif(
    SQLALCHEMY_VERSION < (2, 1),
    reason="SQLAlchemy 2.0 maps postgresql:// to psycopg2: the crash case above covers it",
)
def test_async_engine_url_fix_of_a_bare_postgresql_url_is_unsafe_because_it_runs(
    postgres_server: ModuleType, runner: ProgramRunner
) -> None:
    # SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3, which the dev extra
    # installs (benchmarks/db compares it with asyncpg): the program connects as it
    # is, so rewriting the URL swaps the driver under a working program. Hence the
    # fix is offered as unsafe only.
    url = postgres_server.create_database("fixeq")
    try:
        asyncpg_url = url_with_driver(url, ASYNC_DRIVER)
        literal = "postgresql" + asyncpg_url.removeprefix("postgresql+asyncpg")
        source = ALC204_PROGRAM.lstrip().format(url=literal)
        assert fix_or_none(source, unsafe=False) is None
        fixed = apply_fixes(source, unsafe=True)
        assert fixed.applied == {"ALC204"}
        assert fixed.source == source.replace(repr(literal), repr(asyncpg_url))
        runs = runner.run_on({"before": source, "after": fixed.source}, asyncpg_url)
    finally:
        postgres_server.drop_database(url)
    expected = f"({url.database!r}, 42)\n"
    for name in ("before", "after"):
        assert runs[name].returncode == 0, runs[name].describe()
        assert runs[name].stdout == expected, runs[name].describe()


# ---------------------------------------------------------------------------------
# Fixes that change behaviour on purpose: the documented difference, pinned.
# ---------------------------------------------------------------------------------

ALC206_EXPIRE_ON_COMMIT = async_program(
    """
    async def main() -> None:
        await seed()
        async with Factory() as session:
            ann = await session.get(Player, 1)
            ann.score = 96
            await session.commit()
            async with engine.begin() as conn:  # a concurrent writer
                await conn.execute(update(Player).where(Player.id == 1).values(name="ann 2"))
            try:
                print("plain read:", ann.name, ann.score)
            except Exception as exc:
                print("plain read raises", type(exc).__name__)
            print("awaited read:", await ann.awaitable_attrs.name, await ann.awaitable_attrs.score)
            await session.refresh(ann)
            print("after refresh:", ann.name, ann.score)
        await engine.dispose()


    Factory = async_sessionmaker(engine)
    asyncio.run(main())
    """,
    imports="from sqlalchemy import update\n",
)


def test_expire_on_commit_fix_stops_reloading_after_commit(runner: ProgramRunner) -> None:
    """ALC206 is unsafe because of exactly this: committed objects are not reloaded."""
    assert fix_or_none(ALC206_EXPIRE_ON_COMMIT, unsafe=False) is None
    fixed = runner.fix(ALC206_EXPIRE_ON_COMMIT, unsafe=True)
    assert fixed.applied == {"ALC206"}
    assert "Factory = async_sessionmaker(engine, expire_on_commit=False)" in fixed.source
    runs = runner.run({"before": ALC206_EXPIRE_ON_COMMIT, "after": fixed.source}, ASYNC_DRIVER)
    before, after = runs["before"], runs["after"]
    assert before.returncode == 0, before.describe()
    assert after.returncode == 0, after.describe()
    # Before: commit expired `ann`; a plain read cannot load in async code, and an
    # awaited read reloads the row, the concurrent writer's name included.
    assert before.stdout.splitlines() == [
        "plain read raises MissingGreenlet",
        "awaited read: ann 2 96",
        "after refresh: ann 2 96",
    ]
    # After: `ann` keeps its in-memory state until refreshed.
    assert after.stdout.splitlines() == [
        "plain read: ann 96",
        "awaited read: ann 96",
        "after refresh: ann 2 96",
    ]


ALC202_LOST_COMMIT = async_program(
    """
    async def rename(session: AsyncSession, player_id: int, name: str) -> None:
        player = await session.get(Player, player_id)
        player.name = name
        session.commit()


    async def main() -> None:
        await seed()
        async with SessionLocal() as session:
            await rename(session, 2, "robert")
        async with SessionLocal() as session:
            print((await session.scalars(select(Player.name).order_by(Player.id))).all())
        await engine.dispose()


    asyncio.run(main())
    """
)


def test_missing_await_on_commit_loses_the_write_until_fixed(runner: ProgramRunner) -> None:
    """ALC202 where nothing raises: the commit never runs, and the session rolls back."""
    fixed = runner.fix(ALC202_LOST_COMMIT, unsafe=False)
    assert fixed.applied == {"ALC202"}
    runs = runner.run({"before": ALC202_LOST_COMMIT, "after": fixed.source}, ASYNC_DRIVER)
    before, after = runs["before"], runs["after"]
    assert before.returncode == 0, before.describe()
    assert before.stdout == "['ann', 'bob', 'cid', 'dee']\n"
    assert "RuntimeWarning: coroutine 'AsyncSession.commit' was never awaited" in before.stderr
    assert after.returncode == 0, after.describe()
    assert after.stdout == "['ann', 'robert', 'cid', 'dee']\n"
    assert "Warning" not in after.stderr, after.stderr


ALC104_ANNOTATED_SERVER_DEFAULT = """\
import datetime
from typing import Annotated

from sqlalchemy import Column, DateTime, create_engine, insert, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from program_runtime import DATABASE_URL, print_ddl

stamp = Annotated[
    datetime.datetime, mapped_column(server_default=text("'2024-01-02 03:04:05+00'"))
]


class Base(DeclarativeBase):
    pass


class Event(Base):
    __tablename__ = "event"
    id: Mapped[int] = mapped_column(primary_key=True)
    created: Mapped[stamp] = Column(DateTime(timezone=True))


engine = create_engine(DATABASE_URL)
print_ddl(Base.metadata)
Base.metadata.create_all(engine)
with engine.begin() as conn:
    conn.execute(insert(Event).values(id=1))
    print("created:", conn.scalar(select(Event.created)))
"""


def test_mapped_column_fix_is_unsafe_with_an_annotated_alias(runner: ProgramRunner) -> None:
    """ALC104's documented unsafe case: the alias's server default now applies."""
    source = ALC104_ANNOTATED_SERVER_DEFAULT
    assert fix_or_none(source, unsafe=False) is None
    fixed = runner.fix(source, unsafe=True)
    assert fixed.applied == {"ALC104"}
    runs = runner.run({"before": source, "after": fixed.source}, SYNC_DRIVER)
    before, after = runs["before"], runs["after"]
    assert before.returncode == 0, before.describe()
    assert after.returncode == 0, after.describe()
    assert "created TIMESTAMP WITH TIME ZONE," in before.stdout
    assert "created: None" in before.stdout
    assert "created TIMESTAMP WITH TIME ZONE DEFAULT '2024-01-02 03:04:05+00'," in after.stdout
    assert "created: 2024-01-02 03:04:05+00:00" in after.stdout


# The programs of the tests above that are not parametrized by a Program.
PROGRAMS_OF_TESTS = {
    "test_expire_on_commit_fix_stops_reloading_after_commit": [
        (ALC206_EXPIRE_ON_COMMIT, True, ASYNC_DRIVER)
    ],
    "test_missing_await_on_commit_loses_the_write_until_fixed": [
        (ALC202_LOST_COMMIT, False, ASYNC_DRIVER)
    ],
    "test_mapped_column_fix_is_unsafe_with_an_annotated_alias": [
        (ALC104_ANNOTATED_SERVER_DEFAULT, True, SYNC_DRIVER)
    ],
}
