"""What references/ and workflows/ say SQLAlchemy, Alembic and Pydantic do, shown on the
installed versions (sync SQLAlchemy on psycopg2 where no asyncio is involved)."""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy
from alembic.runtime.environment import EnvironmentContext
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import BaseModel, ConfigDict, PydanticUserError, ValidationError
from sqlalchemy import ForeignKey, String, create_engine, event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, InternalError, InvalidRequestError, PendingRollbackError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    joinedload,
    mapped_column,
    relationship,
)


class Base(DeclarativeBase):
    pass


class Shelf(Base):
    __tablename__ = "claim_shelves"
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(30), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    items: Mapped[list[Item]] = relationship(back_populates="shelf", lazy="raise")


class Item(Base):
    __tablename__ = "claim_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    shelf_id: Mapped[int] = mapped_column(ForeignKey("claim_shelves.id"))
    shelf: Mapped[Shelf] = relationship(back_populates="items")


@pytest.fixture
def engine(sync_url: str) -> Iterator[Engine]:
    engine = create_engine(sync_url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Shelf(id=1, label="a", items=[Item(id=1), Item(id=2)]))
        session.commit()
    yield engine
    Base.metadata.drop_all(engine)
    engine.dispose()


@pytest.mark.claim("joinedload-collection-needs-unique")
def test_joined_eager_loading_of_a_collection_requires_unique(engine: Engine) -> None:
    statement = select(Shelf).options(joinedload(Shelf.items))
    with Session(engine) as session:
        with pytest.raises(InvalidRequestError, match=r"The unique\(\) method must be invoked"):
            session.scalars(statement).all()
        (shelf,) = session.scalars(statement).unique().all()
        assert len(shelf.items) == 2


@pytest.mark.claim("lazy-raise-names-the-attribute")
def test_lazy_raise_names_the_attribute_that_was_not_loaded(engine: Engine) -> None:
    with Session(engine) as session:
        shelf = session.get_one(Shelf, 1)
        with pytest.raises(
            InvalidRequestError, match=r"'Shelf\.items' is not available due to lazy='raise'"
        ):
            shelf.items  # noqa: B018


@pytest.mark.claim("failed-flush-needs-rollback")
def test_after_a_failed_statement_everything_fails_until_a_rollback(engine: Engine) -> None:
    with engine.connect() as connection:
        with pytest.raises(IntegrityError):
            connection.execute(text("INSERT INTO claim_shelves (id, label) VALUES (1, 'b')"))
        with pytest.raises(InternalError, match="current transaction is aborted"):
            connection.execute(text("SELECT 1"))
        connection.rollback()
        assert connection.scalar(text("SELECT 1")) == 1
    with Session(engine) as session:
        session.add(Shelf(id=2, label="a"))  # the label is taken
        with pytest.raises(IntegrityError):
            session.flush()
        with pytest.raises(PendingRollbackError):
            session.execute(select(Shelf))
        session.rollback()
        assert session.scalar(select(func.count()).select_from(Shelf)) == 1


@pytest.mark.claim("eager-defaults-auto")
def test_eager_defaults_auto_returns_server_defaults_on_insert(engine: Engine) -> None:
    assert sqlalchemy.inspect(Shelf).eager_defaults == "auto"
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    with Session(engine) as session:
        shelf = Shelf(id=3, label="c")
        session.add(shelf)
        session.flush()
        (insert,) = [s for s in sent if s.startswith("INSERT")]
        assert "RETURNING claim_shelves.created_at" in insert
        before = len(sent)
        assert shelf.created_at is not None
        assert len(sent) == before  # already loaded by the RETURNING
        session.rollback()


@pytest.mark.claim("alembic-compare-type-default")
def test_alembic_compares_column_types_by_default() -> None:
    parameters = inspect.signature(EnvironmentContext.configure).parameters
    assert parameters["compare_type"].default is True
    from alembic import command

    assert callable(command.check)


class Book(BaseModel):
    title: str


class OrmBook(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    title: str


class Row:
    title = "from attributes"


@pytest.mark.claim("pydantic-orm-mode-is-ignored")
def test_orm_mode_only_warns_and_attribute_reading_stays_off() -> None:
    with pytest.warns(UserWarning, match="'orm_mode' has been renamed to 'from_attributes'"):

        class Legacy(BaseModel):
            model_config = ConfigDict(orm_mode=True)  # type: ignore[typeddict-unknown-key]
            title: str

    with pytest.raises(ValidationError, match="valid dictionary or instance of Legacy"):
        Legacy.model_validate(Row())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(PydanticUserError, match="from_attributes=True"):
            Legacy.from_orm(Row())
    assert OrmBook.model_validate(Row()).title == "from attributes"


@pytest.mark.claim("pydantic-v1-methods-warn")
def test_pydantic_v1_methods_warn_with_their_v2_names_and_still_work() -> None:
    book = Book(title="t")
    calls = [
        ("model_validate", lambda: OrmBook.from_orm(Row())),
        ("model_dump", book.dict),
        ("model_dump_json", book.json),
        ("model_validate", lambda: Book.parse_obj({"title": "t"})),
        ("model_validate_json", lambda: Book.parse_raw('{"title": "t"}')),
        ("model_json_schema", Book.schema),
        ("model_copy", lambda: book.copy(update={"title": "u"})),
        ("model_construct", lambda: Book.construct(title="t")),
        ("model_rebuild", Book.update_forward_refs),
        ("model_fields", lambda: Book.__fields__),
    ]
    for new_name, call in calls:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        assert any(new_name in str(w.message) for w in caught), new_name


@pytest.mark.claim("fastapi-response-model-reads-attributes")
async def test_a_response_model_without_from_attributes_still_serialises_an_object() -> None:
    app = FastAPI()

    @app.get("/book", response_model=Book)
    def read_book() -> Any:
        return Row()

    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
        response = await client.get("/book")
    assert (response.status_code, response.json()) == (200, {"title": "from attributes"})
