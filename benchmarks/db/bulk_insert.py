"""Bulk insert methods at 1k/10k/100k rows: ORM, Core and COPY.

    python -m benchmarks.db.bulk_insert           # about a minute on 2 cores
    python -m benchmarks.db.bulk_insert --quick   # tiny sizes, one repeat

Every method writes the same rows into an empty table in one transaction.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, cast

from sqlalchemy import DateTime, Identity, String, func, insert, select, text
from sqlalchemy import Table as CoreTable
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from benchmarks.db.report import Report, Table, count, ms, ratio
from benchmarks.db.runner import Options, main, measure

SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (10, 50, 200)
# insert().values(list) renders one bind parameter per value, and asyncpg refuses
# a statement with more than 32,767 of them (PostgreSQL's protocol stops at 65,535):
# 100k rows x 3 columns cannot go in one statement, so that method sends chunks of
# the size insertmanyvalues uses.
VALUES_CHUNK = 1_000


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# The Core table behind the model (mapped classes always have a Table here).
ITEMS = cast(CoreTable, Item.__table__)
COLUMNS = ("name", "quantity", "created_at")
Rows = list[dict[str, Any]]
Method = Callable[[AsyncEngine, Rows], Awaitable[None]]


async def orm_unit_of_work(engine: AsyncEngine, rows: Rows) -> None:
    # Objects need their primary keys back, so the flush sends INSERT ... RETURNING
    # batched by insertmanyvalues (SQLAlchemy 2.0+), and builds an object per row.
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        session.add_all([Item(**row) for row in rows])
        await session.commit()


async def orm_bulk_insert(engine: AsyncEngine, rows: Rows) -> None:
    # ORM bulk INSERT (2.0+): a list of dicts, no objects, no RETURNING.
    async with async_sessionmaker(engine)() as session:
        await session.execute(insert(Item), rows)
        await session.commit()


async def core_executemany(engine: AsyncEngine, rows: Rows) -> None:
    # Without RETURNING the asyncpg dialect hands the rows to the driver's own
    # executemany (one prepared statement, parameters streamed).
    async with engine.begin() as connection:
        await connection.execute(insert(ITEMS), rows)


async def core_insertmanyvalues(engine: AsyncEngine, rows: Rows) -> None:
    # With RETURNING, SQLAlchemy 2.0+ rewrites the executemany into multi-row
    # INSERT ... VALUES (...), (...) ... RETURNING statements of 1,000 rows each.
    async with engine.begin() as connection:
        result = await connection.execute(insert(ITEMS).returning(ITEMS.c.id), rows)
        result.all()


async def core_values_list(engine: AsyncEngine, rows: Rows) -> None:
    async with engine.begin() as connection:
        for start in range(0, len(rows), VALUES_CHUNK):
            await connection.execute(insert(ITEMS).values(rows[start : start + VALUES_CHUNK]))


async def asyncpg_copy(engine: AsyncEngine, rows: Rows) -> None:
    records = [tuple(row[name] for name in COLUMNS) for row in rows]
    async with engine.begin() as connection:
        # The pool's connection wraps asyncpg's; COPY goes through the same
        # transaction as everything else on `connection`.
        raw = await connection.get_raw_connection()
        assert raw.driver_connection is not None
        await raw.driver_connection.copy_records_to_table(
            "items", records=records, columns=list(COLUMNS)
        )


METHODS: tuple[tuple[str, Method], ...] = (
    ("ORM unit of work: session.add_all", orm_unit_of_work),
    ("ORM bulk: session.execute(insert(Item), dicts)", orm_bulk_insert),
    ("Core executemany: insert(table), dicts", core_executemany),
    ("Core executemany + RETURNING (insertmanyvalues)", core_insertmanyvalues),
    (f"Core insert().values(list), {VALUES_CHUNK:,} rows a statement", core_values_list),
    ("asyncpg copy_records_to_table", asyncpg_copy),
)


def make_rows(size: int) -> Rows:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        {"name": f"item {n}", "quantity": n % 100, "created_at": start + timedelta(seconds=n)}
        for n in range(size)
    ]


async def run(url: URL, options: Options) -> Report:
    sizes = QUICK_SIZES if options.quick else SIZES
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)

        async def truncate() -> None:
            async with engine.begin() as connection:
                await connection.execute(text("TRUNCATE items RESTART IDENTITY"))

        # One untimed pass warms the connection and SQLAlchemy's compiled cache.
        for _, method in METHODS:
            await truncate()
            await method(engine, make_rows(10))

        table = Table(("method", "rows", "median ms", "rows/s", "time x COPY"), "lrrrr")
        for size in sizes:
            rows = make_rows(size)
            medians: dict[str, float] = {}
            for label, method in METHODS:
                timing, _ = await measure(
                    partial(method, engine, rows),
                    options.repeat,
                    f"{label} x {size}",
                    reset=truncate,
                )
                await _check_count(engine, size)
                medians[label] = timing.median
            copy = medians[METHODS[-1][0]]
            for label, seconds in medians.items():
                table.add(
                    label, count(size), ms(seconds), count(size / seconds), ratio(seconds, copy)
                )
    finally:
        await engine.dispose()

    report = Report(
        title="Bulk insert methods (benchmarks/db/bulk_insert.py)",
        command=options.command,
        settings=[
            f"{options.repeat} repeat(s) per cell, median shown; table items (identity id, "
            "varchar name, int quantity, timestamptz created_at), emptied before each repeat; "
            "each method in one transaction, rows prepared as dicts (tuples for COPY) "
            "before the clock starts",
        ],
    )
    report.add_table("", table)
    return report


async def _check_count(engine: AsyncEngine, expected: int) -> None:
    async with engine.connect() as connection:
        found = await connection.scalar(select(func.count()).select_from(ITEMS))
    if found != expected:
        raise RuntimeError(f"expected {expected} rows in items, found {found}")


def cli(argv: Sequence[str] | None = None) -> int:
    return main("benchmarks.db.bulk_insert", __doc__.split("\n\n")[0], run, argv)


if __name__ == "__main__":
    sys.exit(cli())
