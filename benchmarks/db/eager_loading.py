"""Eager loading strategies against N+1, at several collection sizes.

    python -m benchmarks.db.eager_loading           # under a minute on 2 cores
    python -m benchmarks.db.eager_loading --quick   # tiny sizes, one repeat

Each strategy loads every author and all of their books in a new session, and
counts the statements it sent.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import ForeignKey, String, Text, event, insert, select, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import (
    AsyncAttrs,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    joinedload,
    mapped_column,
    relationship,
    selectinload,
)

from benchmarks.db.report import Report, Table, ms, ratio
from benchmarks.db.runner import Options, main, measure

AUTHORS = 100
QUICK_AUTHORS = 5
BOOKS_PER_AUTHOR = (1, 10, 100)
BIO_CHARACTERS = 500
QUICK_BOOKS_PER_AUTHOR = (1, 2, 5)


class Base(AsyncAttrs, DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # A realistic row width: a JOIN repeats the parent's columns on every child row.
    bio: Mapped[str] = mapped_column(Text)
    # The default lazy="select", so that the N+1 rows can show what it costs; the
    # blog's models say lazy="raise" so that such a loop fails instead.
    books: Mapped[list[Book]] = relationship(back_populates="author", order_by="Book.id")


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))

    author: Mapped[Author] = relationship(back_populates="books")


Strategy = Callable[[AsyncSession], Awaitable[int]]
AUTHORS_BY_ID = select(Author).order_by(Author.id)


async def lazy_awaitable_attrs(session: AsyncSession) -> int:
    authors = (await session.scalars(AUTHORS_BY_ID)).all()
    # One lazy load per author: AsyncAttrs makes the implicit load awaitable.
    return sum([len(await author.awaitable_attrs.books) for author in authors])


async def query_per_row(session: AsyncSession) -> int:
    authors = (await session.scalars(AUTHORS_BY_ID)).all()
    loaded = 0
    for author in authors:
        books = await session.scalars(select(Book).where(Book.author_id == author.id))
        loaded += len(books.all())
    return loaded


async def selectin(session: AsyncSession) -> int:
    authors = await session.scalars(AUTHORS_BY_ID.options(selectinload(Author.books)))
    return sum(len(author.books) for author in authors)


async def joined_unique(session: AsyncSession) -> int:
    # The JOIN repeats each author once per book; unique() folds them back, and
    # SQLAlchemy refuses a joined collection without it.
    result = await session.scalars(AUTHORS_BY_ID.options(joinedload(Author.books)))
    return sum(len(author.books) for author in result.unique())


STRATEGIES: tuple[tuple[str, Strategy], ...] = (
    ("N+1: await author.awaitable_attrs.books", lazy_awaitable_attrs),
    ("N+1: one SELECT of books per author", query_per_row),
    ("selectinload(Author.books)", selectin),
    ("joinedload(Author.books) + unique()", joined_unique),
)
BASELINE = "selectinload(Author.books)"


async def load_data(engine: AsyncEngine, authors: int, books_per_author: int) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("TRUNCATE authors, books"))
        await connection.execute(
            insert(Author),
            [
                {"id": n, "name": f"author {n}", "bio": f"{n:05} " * (BIO_CHARACTERS // 6)}
                for n in range(1, authors + 1)
            ],
        )
        await connection.execute(
            insert(Book),
            [
                {"author_id": author, "title": f"book {author}.{n}"}
                for author in range(1, authors + 1)
                for n in range(books_per_author)
            ],
        )
        await connection.execute(text("ANALYZE authors, books"))


async def run(url: URL, options: Options) -> Report:
    authors = QUICK_AUTHORS if options.quick else AUTHORS
    sizes = QUICK_BOOKS_PER_AUTHOR if options.quick else BOOKS_PER_AUTHOR
    engine = create_async_engine(url)
    statements = [0]

    def count_statement(*_: Any) -> None:
        statements[0] += 1

    table = Table(
        ("strategy", "books per author", "queries", "median ms", "time x selectinload"), "lrrrr"
    )
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        event.listen(engine.sync_engine, "before_cursor_execute", count_statement)
        factory = async_sessionmaker(engine, expire_on_commit=False)
        for size in sizes:
            await load_data(engine, authors, size)
            rows: list[tuple[str, int, float]] = []
            for label, strategy in STRATEGIES:

                async def once(strategy: Strategy = strategy) -> int:
                    statements[0] = 0
                    async with factory() as session:
                        return await strategy(session)

                await once()  # warm: compiled cache and the pool's connection
                timing, loaded = await measure(once, options.repeat, f"{label} x {size}")
                if loaded != authors * size:
                    raise RuntimeError(f"{label}: loaded {loaded} books of {authors * size}")
                rows.append((label, statements[0], timing.median))
            base = next(seconds for label, _, seconds in rows if label == BASELINE)
            for label, queries, seconds in rows:
                table.add(label, str(size), str(queries), ms(seconds), ratio(seconds, base))
    finally:
        await engine.dispose()

    report = Report(
        title="Eager loading against N+1 (benchmarks/db/eager_loading.py)",
        command=options.command,
        settings=[
            f"{options.repeat} repeat(s) per cell, median shown; {authors} authors (each with a "
            f"{BIO_CHARACTERS}-character bio), each with the number of books shown; one new "
            "AsyncSession per repeat loads every author and every book; queries = statements "
            "sent to the server",
        ],
    )
    report.add_table("", table)
    return report


def cli(argv: Sequence[str] | None = None) -> int:
    return main("benchmarks.db.eager_loading", __doc__.split("\n\n")[0], run, argv)


if __name__ == "__main__":
    sys.exit(cli())
