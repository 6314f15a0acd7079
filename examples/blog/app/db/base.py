"""The declarative base every model inherits from, and shared column types."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from sqlalchemy import BigInteger, DateTime, Identity, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

# Deterministic constraint and index names. Alembic can only drop or alter a
# constraint it can name, and autogenerate compares names: without a convention
# PostgreSQL invents names that differ from one database to the next.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Identity column (SQL standard, PostgreSQL 10+) rather than SERIAL: the sequence
# belongs to the column, and BIGINT avoids the 2**31 ceiling.
IntPK = Annotated[int, mapped_column(BigInteger, Identity(), primary_key=True)]


class Base(DeclarativeBase):
    """Declarative base: shared metadata, naming convention and type mapping."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    # `Mapped[int]` becomes BIGINT so foreign keys match the BIGINT primary keys,
    # and every `Mapped[datetime]` is timezone-aware unless a column says otherwise.
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        int: BigInteger(),
        datetime: DateTime(timezone=True),
    }

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        """Mapper options for every model.

        eager_defaults: fetch server-generated values (timestamps) with RETURNING
        during the flush. Left expired, they would be loaded on first access,
        which AsyncSession cannot do implicitly (MissingGreenlet).
        """
        return {"eager_defaults": True}


class TimestampMixin:
    """`created_at` / `updated_at` columns filled in by the database clock.

    The database sets both on INSERT (server defaults), so rows written by other
    tools and by several app servers share one clock. On UPDATE it is SQLAlchemy
    that adds `updated_at = now()` (`onupdate`), to the UPDATEs the ORM sends; a raw
    SQL UPDATE leaves `updated_at` alone [claim: blog-updated-at-orm-updates-only].
    Only an ORM UPDATE of the row itself counts: changing a many-to-many collection writes
    to the link table, so the service sets `updated_at = func.now()` explicitly
    (see PostService.update). `now()` is the start time of the transaction.
    """

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
