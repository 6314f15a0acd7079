"""asyncpg against psycopg 3 (async), both under SQLAlchemy's AsyncSession.

    python -m benchmarks.db.drivers           # under a minute on 2 cores
    python -m benchmarks.db.drivers --quick   # tiny sizes, one repeat

The same ORM code runs on both engines; only the URL's driver differs.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Identity, String, insert, select
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from benchmarks.db.database import with_driver
from benchmarks.db.report import Report, Table, count, ms, ratio
from benchmarks.db.runner import Options, main, measure

DRIVERS = ("asyncpg", "psycopg")
TABLE_ROWS = 10_000
QUICK_TABLE_ROWS = 500


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int]


async def select_by_pk(session: AsyncSession, n: int, table_rows: int) -> None:
    item_id = n * 7919 % table_rows + 1  # spread over the table, same order each run
    await session.scalar(select(Item).where(Item.id == item_id))


async def fetch_100_rows(session: AsyncSession, n: int, table_rows: int) -> None:
    start = n * 101 % (table_rows - 100)
    result = await session.scalars(select(Item).where(Item.id > start).order_by(Item.id).limit(100))
    if len(result.all()) != 100:
        raise RuntimeError("expected 100 rows")


async def fetch_100_tuples(session: AsyncSession, n: int, table_rows: int) -> None:
    # The same rows as plain Row tuples: no ORM objects, so more of the time is
    # the driver's.
    start = n * 101 % (table_rows - 100)
    columns = (Item.id, Item.name, Item.quantity)
    result = await session.execute(
        select(*columns).where(Item.id > start).order_by(Item.id).limit(100)
    )
    if len(result.all()) != 100:
        raise RuntimeError("expected 100 rows")


async def insert_and_commit(session: AsyncSession, n: int, table_rows: int) -> None:
    session.add(Item(name=f"new {n}", quantity=n))
    await session.commit()


@dataclass(frozen=True)
class Workload:
    label: str
    operation: Callable[[AsyncSession, int, int], Awaitable[None]]
    operations: int
    quick_operations: int


WORKLOADS = (
    Workload("select one row by primary key", select_by_pk, 2_000, 50),
    Workload("fetch 100 rows (ORM objects)", fetch_100_rows, 300, 10),
    Workload("fetch 100 rows (Row tuples of 3 columns)", fetch_100_tuples, 300, 10),
    Workload("insert one row + commit", insert_and_commit, 1_000, 20),
)


async def run(url: URL, options: Options) -> Report:
    table_rows = QUICK_TABLE_ROWS if options.quick else TABLE_ROWS
    setup = create_async_engine(with_driver(url, "asyncpg"))
    async with setup.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
        await connection.execute(
            insert(Item), [{"name": f"item {n}", "quantity": n % 100} for n in range(table_rows)]
        )
    await setup.dispose()

    table = Table(
        ("workload", "driver", "operations", "median ms", "µs per operation", "time x asyncpg"),
        "llrrrr",
    )
    for workload in WORKLOADS:
        operations = workload.quick_operations if options.quick else workload.operations
        medians: dict[str, float] = {}
        for driver in DRIVERS:
            engine = create_async_engine(with_driver(url, driver))
            factory = async_sessionmaker(engine, expire_on_commit=False)
            try:
                async with factory() as session:

                    async def batch(
                        session: AsyncSession = session,
                        workload: Workload = workload,
                        operations: int = operations,
                    ) -> None:
                        for n in range(operations):
                            await workload.operation(session, n, table_rows)
                        # Objects loaded so far would make later rows identity-map hits.
                        session.expunge_all()

                    await batch()  # warm: connection, compiled cache, prepared statements
                    timing, _ = await measure(
                        batch, options.repeat, f"{workload.label} on {driver}"
                    )
            finally:
                await engine.dispose()
            medians[driver] = timing.median
        for driver, seconds in medians.items():
            table.add(
                workload.label,
                driver,
                count(operations),
                ms(seconds),
                f"{seconds / operations * 1e6:,.0f}",
                ratio(seconds, medians["asyncpg"]),
            )

    report = Report(
        title="asyncpg against psycopg 3 under SQLAlchemy async (benchmarks/db/drivers.py)",
        command=options.command,
        settings=[
            f"{options.repeat} repeat(s) per cell, median shown; one AsyncSession (one "
            f"connection) runs the operations one after another; table of {table_rows:,} rows; "
            "default driver settings (asyncpg prepares and caches every statement, psycopg "
            "prepares a statement on its 5th execution)",
        ],
    )
    report.add_table("", table)
    return report


def cli(argv: Sequence[str] | None = None) -> int:
    return main("benchmarks.db.drivers", __doc__.split("\n\n")[0], run, argv)


if __name__ == "__main__":
    sys.exit(cli())
