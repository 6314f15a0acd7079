"""Keyset against OFFSET pagination, at deep pages of a 100k-row table.

    python -m benchmarks.db.pagination           # under a minute on 2 cores
    python -m benchmarks.db.pagination --quick   # tiny sizes, one repeat

Both read the same newest-first page through the same (created_at, id) index.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import DateTime, Index, String, select, text, tuple_
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from benchmarks.db.report import Report, Table, count, ms, ratio
from benchmarks.db.runner import Options, main, measure

TABLE_ROWS = 100_000
QUICK_TABLE_ROWS = 2_000
PAGE_SIZE = 50
PAGES = (1, 100, 1_000)
QUICK_PAGES = (1, 4, 20)
# Each sample reads the page this many times: one query is too short to time alone.
QUERIES_PER_SAMPLE = 50
QUICK_QUERIES_PER_SAMPLE = 3


class Base(DeclarativeBase):
    pass


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_created_at_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    payload: Mapped[str] = mapped_column(String(100))


NEWEST_FIRST = (Event.created_at.desc(), Event.id.desc())


async def offset_page(session: AsyncSession, page: int) -> list[Event]:
    statement = select(Event).order_by(*NEWEST_FIRST)
    statement = statement.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    return list((await session.scalars(statement)).all())


async def keyset_page(session: AsyncSession, after: tuple[datetime, int] | None) -> list[Event]:
    statement = select(Event).order_by(*NEWEST_FIRST).limit(PAGE_SIZE)
    if after is not None:
        # A row-value comparison PostgreSQL matches to the index: it starts reading
        # right after the previous page's last row instead of counting rows off.
        statement = statement.where(tuple_(Event.created_at, Event.id) < tuple_(*after))
    return list((await session.scalars(statement)).all())


async def run(url: URL, options: Options) -> Report:
    table_rows = QUICK_TABLE_ROWS if options.quick else TABLE_ROWS
    pages = QUICK_PAGES if options.quick else PAGES
    queries = QUICK_QUERIES_PER_SAMPLE if options.quick else QUERIES_PER_SAMPLE
    engine = create_async_engine(url)
    table = Table(
        ("method", "page", "rows skipped", "median ms per page", "time x keyset"), "lrrrr"
    )
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
            # Several rows share each timestamp, so the id tie-breaker matters.
            await connection.execute(
                text(
                    "INSERT INTO events (id, created_at, payload) "
                    "SELECT g, timestamptz '2026-01-01' + (g / 3) * interval '1 second', "
                    "md5(g::text) FROM generate_series(1, :rows) AS g"
                ),
                {"rows": table_rows},
            )
        # Fresh statistics, as on a settled table; VACUUM refuses to run inside a
        # transaction, hence AUTOCOMMIT.
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM ANALYZE events"))

        factory = async_sessionmaker(engine, expire_on_commit=False)
        async with factory() as session:
            for page in pages:
                # The cursor a client would hold: the last row of the previous page.
                after = None
                if page > 1:
                    previous = await offset_page(session, page - 1)
                    after = (previous[-1].created_at, previous[-1].id)
                expected = [event.id for event in await offset_page(session, page)]
                if [event.id for event in await keyset_page(session, after)] != expected:
                    raise RuntimeError(f"keyset and offset disagree on page {page}")

                async def by_offset(page: int = page) -> None:
                    for _ in range(queries):
                        await offset_page(session, page)
                    session.expunge_all()

                async def by_keyset(after: tuple[datetime, int] | None = after) -> None:
                    for _ in range(queries):
                        await keyset_page(session, after)
                    session.expunge_all()

                offset_timing, _ = await measure(by_offset, options.repeat, f"offset p{page}")
                keyset_timing, _ = await measure(by_keyset, options.repeat, f"keyset p{page}")
                keyset_s = keyset_timing.median / queries
                offset_s = offset_timing.median / queries
                skipped = count((page - 1) * PAGE_SIZE)
                table.add(
                    "OFFSET / LIMIT", count(page), skipped, ms(offset_s), ratio(offset_s, keyset_s)
                )
                table.add("keyset (row-value WHERE)", count(page), "0", ms(keyset_s), "1.00")
    finally:
        await engine.dispose()

    report = Report(
        title="Keyset against OFFSET pagination (benchmarks/db/pagination.py)",
        command=options.command,
        settings=[
            f"{options.repeat} repeat(s) of {queries} reads of each page, median per read "
            f"shown; {table_rows:,} rows, {PAGE_SIZE} a page, newest first on "
            "(created_at, id) with a matching index; ORM objects through one AsyncSession",
        ],
    )
    report.add_table("", table)
    return report


def cli(argv: Sequence[str] | None = None) -> int:
    return main("benchmarks.db.pagination", __doc__.split("\n\n")[0], run, argv)


if __name__ == "__main__":
    sys.exit(cli())
