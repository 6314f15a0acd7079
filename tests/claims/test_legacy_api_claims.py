"""What the ALC1xx rule docs say about the 1.x API, shown on the installed SQLAlchemy.

Each test is the proof of one `[claim: id]` in a rule module's docs; the matrix runs
them on SQLAlchemy 2.0 and 2.1. Sync code uses psycopg2, named in the URL, because a
bare `postgresql://` means a different driver on 2.0 and 2.1.
"""

from __future__ import annotations

import inspect
import re
import sys
import types
import warnings
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
import sqlalchemy
from sqlalchemy import (
    Column,
    Computed,
    ForeignKey,
    Identity,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    case,
    create_engine,
    event,
    func,
    literal,
    select,
    text,
    true,
)
from sqlalchemy.dialects.mysql.mariadb import MariaDBDialect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import (
    ArgumentError,
    InvalidRequestError,
    LegacyAPIWarning,
    MovedIn20Warning,
    MultipleResultsFound,
    ObjectNotExecutableError,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import (
    DeclarativeBase,
    DeclarativeMeta,
    Mapped,
    MappedAsDataclass,
    Query,
    Session,
    configure_mappers,
    declarative_base,
    mapped_column,
    relationship,
    scoped_session,
    selectinload,
    sessionmaker,
)
from sqlalchemy.schema import CreateTable

from tests.claims.versions import SQLALCHEMY_2_1


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "claim_authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    books: Mapped[list[Book]] = relationship(back_populates="author")


class Book(Base):
    __tablename__ = "claim_books"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("claim_authors.id"))
    author: Mapped[Author] = relationship(back_populates="books")


@pytest.fixture(scope="module")
def engine(sync_url: str) -> Iterator[Engine]:
    engine = create_engine(sync_url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Author(id=1, name="Ada", books=[Book(id=1), Book(id=2)]))
        session.commit()
    yield engine
    Base.metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL text of every statement the engine sends during the test."""
    sent: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


@pytest.mark.claim("asyncsession-has-no-query")
def test_async_session_has_no_query_method() -> None:
    assert not hasattr(AsyncSession, "query")
    assert hasattr(Session, "query")


@pytest.mark.claim("alc101-first-adds-limit")
def test_query_first_sends_limit_1(engine: Engine, statements: list[str]) -> None:
    with Session(engine) as session:
        session.query(Book).first()
        session.scalars(select(Book)).first()
    legacy, modern = statements
    assert "LIMIT" in legacy
    assert "LIMIT" not in modern


@pytest.mark.claim("alc101-query-dedups-entities")
def test_query_deduplicates_entities_and_select_needs_unique(engine: Engine) -> None:
    with Session(engine) as session:
        legacy = session.query(Author).join(Author.books).all()
        modern = session.scalars(select(Author).join(Author.books)).all()
        unique = session.scalars(select(Author).join(Author.books)).unique().all()
    assert len(legacy) == 1
    assert len(modern) == 2  # one row per book
    assert len(unique) == 1


@pytest.mark.claim("alc101-query-scalar")
def test_query_scalar_raises_on_several_rows_session_scalar_takes_the_first(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        with pytest.raises(MultipleResultsFound):
            session.query(Book.id).scalar()
        assert session.scalar(select(Book.id).order_by(Book.id)) == 1
        assert session.scalars(select(Book.id).where(Book.id == 9)).one_or_none() is None
        assert session.query(Book.id).filter(Book.id == 9).scalar() is None


@pytest.mark.claim("alc101-count-subquery")
def test_query_count_is_a_count_over_a_subquery(engine: Engine, statements: list[str]) -> None:
    with Session(engine) as session:
        legacy = session.query(Book).filter(Book.author_id == 1).count()
        statement = select(Book).where(Book.author_id == 1)
        modern = session.scalar(select(func.count()).select_from(statement.subquery()))
    assert legacy == modern == 2
    # The same statement; only the labels of the inner columns differ.
    legacy_sql, modern_sql = (re.sub(r" AS \w+", "", sql) for sql in statements)
    assert legacy_sql == modern_sql
    assert legacy_sql.startswith("SELECT count(*) \nFROM (SELECT claim_books.id")


@pytest.mark.claim("alc101-row-names")
def test_legacy_rows_leave_expressions_unnamed_and_names_repeated(engine: Engine) -> None:
    columns = (func.count(Book.id), Book.id, Author.id)
    groups = (Book.id, Author.id)
    with Session(engine) as session:
        legacy = session.query(*columns).join(Book.author).group_by(*groups).first()
        modern = session.execute(select(*columns).join(Book.author).group_by(*groups)).first()
    assert legacy is not None and modern is not None
    assert (len(legacy), legacy._fields) == (3, ("id", "id"))
    assert modern._fields == ("count", "id", "id_1")


@pytest.mark.claim("alc101-filter-by-after-join")
def test_filter_by_after_a_join_looks_in_the_last_joined_entity_except_2_1_select(
    engine: Engine,
) -> None:
    no_name = 'has no property "name"'  # Book, the joined entity, has no `name`
    with Session(engine) as session:
        legacy = session.query(Author).join(Author.books)
        with pytest.raises(InvalidRequestError, match=no_name):
            legacy.filter_by(name="Ada").all()
        assert "WHERE claim_books.id = " in str(legacy.filter_by(id=2).statement)
        modern = select(Author).join(Author.books)
        if SQLALCHEMY_2_1:
            assert session.scalars(modern.filter_by(name="Ada")).unique().one().name == "Ada"
            with pytest.raises(sqlalchemy.exc.AmbiguousColumnError, match='"id" is ambiguous'):
                modern.filter_by(id=2)
        else:
            with pytest.raises(InvalidRequestError, match=no_name):
                modern.filter_by(name="Ada")
            assert "WHERE claim_books.id = " in str(modern.filter_by(id=2))


@pytest.mark.claim("alc102-query-property-is-a-query")
def test_query_property_gives_a_legacy_query_bound_to_the_scoped_session(engine: Engine) -> None:
    scoped = scoped_session(sessionmaker(engine))

    class Local(DeclarativeBase):
        query = scoped.query_property()

    class Shelf(Local):
        __tablename__ = "claim_books"  # mapped onto an existing table: read only
        id: Mapped[int] = mapped_column(primary_key=True)

    try:
        assert isinstance(Shelf.query, Query)
        assert Shelf.query.session is scoped()
        assert Shelf.query.order_by(Shelf.id).first().id == 1
    finally:
        scoped.remove()
        Local.registry.dispose()


@pytest.mark.claim("alc106-backref-direction")
def test_a_backref_takes_its_direction_from_the_foreign_keys() -> None:
    class Local(DeclarativeBase):
        pass

    links = Table(
        "tags_links",
        Local.metadata,
        Column("parent_id", ForeignKey("parents.id"), primary_key=True),
        Column("tag_id", ForeignKey("tags.id"), primary_key=True),
    )

    class Parent(Local):
        __tablename__ = "parents"
        id = Column(Integer, primary_key=True)
        children = relationship("Child", backref="parent")  # one-to-many
        tags = relationship("Tag", secondary=links, backref="parents")  # many-to-many

    class Child(Local):
        __tablename__ = "children"
        id = Column(Integer, primary_key=True)
        parent_id = Column(ForeignKey("parents.id"))
        owner_id = Column(ForeignKey("owners.id"))
        owner = relationship("Owner", backref="children")  # many-to-one

    class Owner(Local):
        __tablename__ = "owners"
        id = Column(Integer, primary_key=True)

    class Tag(Local):
        __tablename__ = "tags"
        id = Column(Integer, primary_key=True)

    try:
        configure_mappers()
        backrefs = {
            (cls.__name__, name): sqlalchemy.inspect(cls).relationships[name]
            for cls, name in ((Child, "parent"), (Owner, "children"), (Tag, "parents"))
        }
        assert backrefs[("Child", "parent")].uselist is False
        assert backrefs[("Child", "parent")].direction.name == "MANYTOONE"
        assert backrefs[("Owner", "children")].uselist is True
        assert backrefs[("Tag", "parents")].uselist is True
        assert Parent.children.property.uselist is True
    finally:
        Local.registry.dispose()


@pytest.mark.claim("alc103-query-get-is-legacy")
def test_query_get_warns_legacy_and_still_works(engine: Engine) -> None:
    with Session(engine) as session, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        book = session.query(Book).get(1)
    assert book is not None and book.id == 1
    categories = {warning.category for warning in caught}
    assert categories == {LegacyAPIWarning}
    assert "legacy" in str(caught[0].message)
    # Legacy, not "moved" or "removed in 2.0": the 1.x-to-2.0 warnings are other classes.
    assert not issubclass(LegacyAPIWarning, MovedIn20Warning)


@pytest.mark.claim("alc103-get-after-criteria-raises")
def test_query_get_after_criteria_raises(engine: Engine) -> None:
    with Session(engine) as session, warnings.catch_warnings():
        warnings.simplefilter("ignore", LegacyAPIWarning)
        with pytest.raises(InvalidRequestError, match="existing criterion"):
            session.query(Book).filter(Book.id == 1).get(1)


@pytest.mark.claim("alc103-get-fix-sends-the-same-sql")
def test_query_get_and_session_get_send_the_same_sql(engine: Engine, statements: list[str]) -> None:
    with Session(engine) as session, warnings.catch_warnings():
        warnings.simplefilter("ignore", LegacyAPIWarning)
        legacy = session.query(Author).options(selectinload(Author.books)).get(1)
    legacy_sql = list(statements)
    statements.clear()
    with Session(engine) as session:
        modern = session.get(Author, 1, options=[selectinload(Author.books)])
    assert legacy is not None and modern is not None
    assert len(legacy_sql) == 2  # the row, then its books
    assert statements == legacy_sql


@pytest.mark.claim("alc103-session-get-uses-identity-map")
def test_session_get_uses_the_identity_map_then_selects(
    engine: Engine, statements: list[str]
) -> None:
    with Session(engine) as session:
        first = session.get(Book, 1)
        assert len(statements) == 1
        assert session.get(Book, 1) is first
        assert len(statements) == 1  # no SQL: found in the identity map
        assert session.get(Book, 999) is None


@pytest.mark.claim("alc104-mapped-str-is-not-null")
def test_mapped_str_is_not_null_where_column_was_nullable() -> None:
    class Local(DeclarativeBase):
        pass

    class Row(Local):
        __tablename__ = "rows"
        id: Mapped[int] = mapped_column(primary_key=True)
        typed: Mapped[str] = mapped_column(String)
        legacy = Column(String)
        optional: Mapped[str | None] = mapped_column(String)

    columns = Row.__table__.c
    assert columns.typed.nullable is False
    assert columns.legacy.nullable is True
    assert columns.optional.nullable is True


@pytest.mark.claim("alc104-untyped-mapped-column-raises")
def test_unannotated_mapped_column_wraps_its_column_and_needs_a_type_or_foreign_key() -> None:
    class Local(DeclarativeBase):
        pass

    wrapped = mapped_column(ForeignKey("parents.id"))

    class Parent(Local):
        __tablename__ = "parents"
        id = mapped_column(Integer, primary_key=True)
        parent_id = wrapped

    assert Parent.__table__.c.parent_id is wrapped.column
    assert isinstance(wrapped.column.type, Integer)  # taken from the foreign key
    with pytest.raises(ArgumentError, match="annotation is required"):

        class Untyped(Local):
            __tablename__ = "untyped"
            id = mapped_column(Integer, primary_key=True)
            value = mapped_column()


def _nullability(*models: type[DeclarativeBase]) -> dict[str, bool | None]:
    return {c.name: c.nullable for model in models for c in model.__table__.c}


@pytest.mark.claim("alc104-nullability-sources")
def test_where_a_column_gets_not_null_and_what_an_annotation_overrides() -> None:
    class Local(DeclarativeBase):
        pass

    class Legacy(Local):
        __tablename__ = "legacy_nullability"
        key = Column(Integer, primary_key=True)
        identity = Column(Integer, Identity())
        identity_default = Column(Integer, server_default=Identity())
        plain = Column(Integer)

    class LegacyNamed(Local):
        __tablename__ = "legacy_named"
        __table_args__ = (PrimaryKeyConstraint("named"),)
        named = Column(Integer)

    class Typed(Local):
        __tablename__ = "typed_nullability"
        key: Mapped[int | None] = mapped_column(primary_key=True)
        identity: Mapped[int | None] = mapped_column(Identity())
        identity_default: Mapped[int | None] = mapped_column(server_default=Identity())
        kept: Mapped[int | None] = mapped_column(Identity(), nullable=False)

    class TypedNamed(Local):
        __tablename__ = "typed_named"
        __table_args__ = (PrimaryKeyConstraint("named", "named_nullable"),)
        named: Mapped[int | None] = mapped_column()
        named_nullable: Mapped[int | None] = mapped_column(nullable=True)

    assert _nullability(Legacy, LegacyNamed) == {
        "key": False,
        "identity": False,
        "identity_default": False,
        "plain": True,
        "named": False,
    }
    assert _nullability(Typed, TypedNamed) == {
        "key": True,  # the Optional annotation overrides primary_key ...
        "identity": True,  # ... and Identity()
        "identity_default": True,
        "kept": False,  # unless nullable= is passed
        "named": False,  # the constraint attaches after the annotation
        "named_nullable": True,  # an explicit nullable=True overrides the constraint
    }


# At module level: SQLAlchemy resolves the string annotations in the module.
DraftByDefault = Annotated[str, mapped_column(server_default="draft")]


@pytest.mark.claim("alc104-annotated-alias-merges")
def test_an_annotated_alias_adds_its_arguments_to_mapped_column_not_to_column() -> None:
    class Local(DeclarativeBase):
        pass

    class Post(Local):
        __tablename__ = "alias_posts"
        id: Mapped[int] = mapped_column(primary_key=True)
        legacy: Mapped[DraftByDefault] = Column(String)
        modern: Mapped[DraftByDefault] = mapped_column(String)

    columns = Post.__table__.c
    assert (columns.legacy.server_default, columns.legacy.nullable) == (None, True)
    assert columns.modern.server_default is not None
    assert columns.modern.nullable is False


@pytest.mark.claim("alc104-dataclass-init-argument")
def test_under_dataclass_mapping_mapped_column_makes_the_argument_required() -> None:
    class Local(MappedAsDataclass, DeclarativeBase):
        pass

    class Legacy(Local):
        __tablename__ = "dataclass_legacy"
        id: Mapped[int] = mapped_column(primary_key=True, init=False)
        title: Mapped[str | None] = Column(String)

    class Modern(Local):
        __tablename__ = "dataclass_modern"
        id: Mapped[int] = mapped_column(primary_key=True, init=False)
        title: Mapped[str | None] = mapped_column(String)

    legacy = inspect.signature(Legacy.__init__).parameters["title"]
    modern = inspect.signature(Modern.__init__).parameters["title"]
    assert legacy.default is not inspect.Parameter.empty
    assert modern.default is inspect.Parameter.empty
    Legacy()
    with pytest.raises(TypeError, match="title"):
        Modern()  # type: ignore[call-arg]


@pytest.mark.claim("alc104-mariadb-computed-not-null")
def test_mariadb_leaves_not_null_off_a_computed_column_unless_nullable_is_passed() -> None:
    class Local(DeclarativeBase):
        pass

    class Row(Local):
        __tablename__ = "computed_rows"
        id: Mapped[int] = mapped_column(primary_key=True)
        unset: Mapped[int] = mapped_column(Computed("id + 1"))
        explicit: Mapped[int] = mapped_column(Computed("id + 1"), nullable=False)

    assert Row.__table__.c.unset.nullable is False
    ddl = str(CreateTable(Row.__table__).compile(dialect=MariaDBDialect()))
    assert "unset INTEGER GENERATED ALWAYS AS (id + 1)," in ddl
    assert "explicit INTEGER GENERATED ALWAYS AS (id + 1) NOT NULL," in ddl


def _annotation_error() -> type[Exception]:
    # MappedAnnotationError (a subclass of ArgumentError) exists from SQLAlchemy 2.0.40.
    return getattr(sqlalchemy.orm.exc, "MappedAnnotationError", ArgumentError)


@pytest.mark.claim("alc104-unbound-annotation-raises")
def test_mapped_column_evaluates_the_annotation_when_the_class_is_made() -> None:
    # A real module: SQLAlchemy resolves string annotations in the class's module.
    module = types.ModuleType("claim_unbound_annotation")
    sys.modules[module.__name__] = module
    source = (
        "from __future__ import annotations\n"
        "from sqlalchemy import Numeric\n"
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n"
        "class Local(DeclarativeBase):\n"
        "    pass\n"
        "class Item(Local):\n"
        "    __tablename__ = 'items'\n"
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))\n"
    )
    try:
        with pytest.raises(_annotation_error(), match="Mapped\\[Decimal\\]"):
            exec(compile(source, "<claim>", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    assert issubclass(_annotation_error(), ArgumentError)


@pytest.mark.claim("alc104-non-mapped-annotation-raises")
def test_mapped_column_rejects_a_plain_annotation_unless_allowed() -> None:
    class Local(DeclarativeBase):
        pass

    with pytest.raises(_annotation_error()):

        class Strict(Local):
            __tablename__ = "strict"
            id: int = mapped_column(Integer, primary_key=True)

    class Allowed(Local):
        __tablename__ = "allowed"
        __allow_unmapped__ = True
        id: int = mapped_column(Integer, primary_key=True)

    assert Allowed.__table__.c.id.primary_key


@pytest.mark.claim("alc105-ext-declarative-warns")
def test_ext_declarative_wrappers_warn_and_reexports_are_the_orm_objects() -> None:
    from sqlalchemy.ext import declarative as ext

    with pytest.warns(MovedIn20Warning):
        ext.declarative_base()
    assert ext.declared_attr is sqlalchemy.orm.declared_attr
    assert ext.DeclarativeMeta is DeclarativeMeta


@pytest.mark.claim("alc105-metaclass-changes")
def test_declarative_base_classes_are_declarative_meta_and_declarative_base_ones_not() -> None:
    old = declarative_base()

    class New(DeclarativeBase):
        pass

    assert isinstance(old, DeclarativeMeta)
    assert not isinstance(New, DeclarativeMeta)
    assert type(New).__name__ == "DeclarativeAttributeIntercept"


@pytest.mark.claim("alc105-bases-check-annotations-alike")
@pytest.mark.parametrize("make_base", ["declarative_base", "DeclarativeBase"])
def test_both_bases_reject_a_plain_annotation_on_mapped_column(make_base: str) -> None:
    if make_base == "declarative_base":
        base: Any = declarative_base()
    else:

        class Modern(DeclarativeBase):
            pass

        base = Modern

    with pytest.raises(ArgumentError, match="Mapped"):

        class Strict(base):  # type: ignore[valid-type, misc]
            __tablename__ = "strict"
            id: int = mapped_column(Integer, primary_key=True)

    base.registry.dispose()


@pytest.mark.claim("alc105-mixin-constructor")
def test_declarative_base_replaces_a_mixin_init_and_declarative_base_class_keeps_it() -> None:
    class Stamp:
        def __init__(self, **values: object) -> None:
            self.stamped = True
            for key, value in values.items():
                setattr(self, key, value)

    Old: Any = declarative_base(cls=Stamp)

    class New(Stamp, DeclarativeBase):
        pass

    class OldRow(Old):  # type: ignore[valid-type, misc]
        __tablename__ = "old_rows"
        id = Column(Integer, primary_key=True)

    class NewRow(New):
        __tablename__ = "new_rows"
        id: Mapped[int] = mapped_column(primary_key=True)

    assert not hasattr(OldRow(id=1), "stamped")
    assert NewRow(id=1).stamped is True  # type: ignore[attr-defined]


@pytest.mark.claim("alc107-select-keywords-removed")
@pytest.mark.parametrize("keyword", ["whereclause", "from_obj", "order_by"])
def test_the_1x_select_keywords_are_rejected(keyword: str) -> None:
    with pytest.raises(ArgumentError, match="Additional keyword arguments are not accepted"):
        select(literal(1), **{keyword: None})


@pytest.mark.claim("alc107-with-only-columns-list")
def test_with_only_columns_rejects_a_list() -> None:
    statement = select(Book.id)
    with pytest.raises(ArgumentError, match="with_only_columns"):
        statement.with_only_columns([Book.author_id])  # type: ignore[call-overload]
    assert "author_id" in str(statement.with_only_columns(Book.author_id))


@pytest.mark.claim("alc107-list-forms-raise")
def test_select_and_case_reject_lists() -> None:
    with pytest.raises(ArgumentError, match="Column expression, FROM clause"):
        select([literal(1)])  # type: ignore[call-overload]
    with pytest.raises(ArgumentError, match="series of positional elements"):
        case([(true(), 1)])
    assert str(select(literal(1)).compile()).startswith("SELECT")


@pytest.mark.claim("alc108-implicit-execution-removed")
def test_implicit_execution_is_gone(sync_url: str) -> None:
    from sqlalchemy.ext.asyncio import AsyncEngine

    engine = create_engine(sync_url)
    try:
        with pytest.raises(AttributeError):
            engine.execute  # type: ignore[attr-defined]  # noqa: B018
        with pytest.raises(AttributeError):
            select(literal(1)).execute  # type: ignore[attr-defined]  # noqa: B018
        with pytest.raises(TypeError, match="bind"):
            MetaData(bind=engine)  # type: ignore[call-arg]
        assert not hasattr(AsyncEngine, "execute")
    finally:
        engine.dispose()


@pytest.mark.claim("alc109-strings-are-rejected")
def test_plain_strings_are_not_statements(engine: Engine) -> None:
    with Session(engine) as session:
        with pytest.raises(ArgumentError, match=r"explicitly declared as text\('SELECT 1'\)"):
            session.execute("SELECT 1")  # type: ignore[call-overload]
        assert session.execute(text("SELECT 1")).scalar() == 1
    with engine.connect() as connection:
        with pytest.raises(ObjectNotExecutableError, match="Not an executable object"):
            connection.execute("SELECT 1")  # type: ignore[call-overload]
        assert connection.exec_driver_sql("SELECT %s", (2,)).scalar() == 2


@pytest.mark.claim("alc109-casts-are-not-binds")
def test_casts_and_times_are_not_bind_parameters(engine: Engine) -> None:
    statement = text("SELECT '1'::int, '10:30'::time, :value")
    compiled = statement.compile()
    assert list(compiled.params) == ["value"]
    with engine.connect() as connection:
        row = connection.execute(statement, {"value": 3}).one()
    assert (row[0], str(row[1]), row[2]) == (1, "10:30:00", 3)


@pytest.mark.claim("alc110-flag-behaviour")
def test_legacy_session_and_engine_flags(sync_url: str) -> None:
    with pytest.raises(ArgumentError, match="autocommit=True is no longer supported"):
        Session(autocommit=True)  # type: ignore[call-arg]
    factory = sessionmaker(autocommit=True)  # accepted here, refused when a session is made
    with pytest.raises(ArgumentError, match="autocommit=True"):
        factory()
    with pytest.raises(ArgumentError, match="autocommit=True"):
        AsyncSession(autocommit=True)
    Session(autocommit=False).close()  # type: ignore[call-arg]
    Session(future=True).close()
    with pytest.raises(TypeError, match="subtransactions"):
        Session().begin(subtransactions=True)  # type: ignore[call-arg]
    create_engine(sync_url, future=True).dispose()
    with pytest.raises(ArgumentError, match="future"):
        create_engine(sync_url, future=False)


@pytest.mark.claim("alc109-text-bind-parsing")
@pytest.mark.parametrize(
    ("sql", "binds", "sent"),
    [
        ("SELECT 1 WHERE 1 = :name", ["name"], "SELECT 1 WHERE 1 = :name"),
        ("SELECT ' :word'", ["word"], "SELECT ' :word'"),
        ("SELECT '\\:x'", [], "SELECT ':x'"),  # the backslash escapes the colon ...
        ("SELECT 'a\\b'", [], "SELECT 'a\\b'"),  # ... and stays before anything else
        ("SELECT '1'::int", [], "SELECT '1'::int"),
    ],
)
def test_what_text_reads_as_a_bind_parameter(sql: str, binds: list[str], sent: str) -> None:
    compiled = text(sql).compile()
    assert (list(compiled.params), str(compiled)) == (binds, sent)


def test_the_claim_models_map_to_their_own_tables() -> None:
    # Guards the fixtures above: the claim tables never collide with the app's.
    assert set(Base.metadata.tables) == {"claim_authors", "claim_books"}
    assert isinstance(Author.__table__, Table)
