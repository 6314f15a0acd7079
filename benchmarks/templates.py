"""Source templates for the synthetic corpus: plain Python, SQLAlchemy 2.x async, 1.x.

Each kind of file is a header (its imports) followed by blocks drawn at random until
the file reaches its target size. Blocks are `string.Template`s (`$entity`, `$Entity`,
`$entities`, `$n`, `$field`) so that braces in the generated code need no escaping.

The plain blocks deliberately include the look-alikes a real project has: asyncio
code (`async def`), the `inspect` module, a text table with a `Column` class. They
contain no database code but do trip some rules' text prefilter, as real files do;
that is part of what the prefilter numbers measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Template


@dataclass(frozen=True)
class Block:
    """A chunk of module-level code and how often it is drawn relative to the others."""

    template: Template
    weight: int = 10


@dataclass(frozen=True)
class Kind:
    """One family of files: its name, imports and the blocks its body is made of."""

    name: str
    header: Template
    blocks: tuple[Block, ...]


def _t(text: str) -> Template:
    # Templates are written flush-left inside the triple quotes; strip the first newline.
    return Template(text.lstrip("\n"))


PLAIN = Kind(
    name="plain",
    header=_t('''
"""Helpers for $entities: parsing, formatting and bookkeeping."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

'''),
    blocks=(
        Block(
            _t('''

@dataclass(frozen=True, slots=True)
class ${Entity}Record$n:
    """One $entity as read from an export file."""

    identifier: int
    label: str
    tags: tuple[str, ...] = ()
    weight: float = 1.0
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """A one-line summary used in logs."""
        tags = ", ".join(self.tags) or "untagged"
        return f"#{self.identifier} {self.label} ({tags}, weight {self.weight:.2f})"

    def heavier_than(self, other: ${Entity}Record$n) -> bool:
        return self.weight > other.weight
'''),
            weight=14,
        ),
        Block(
            _t('''

_${field}_PATTERN_$n = re.compile(r"^(?P<key>[a-z_]+)\\s*=\\s*(?P<value>.+)$$")


def parse_${entity}_lines_$n(lines: list[str]) -> dict[str, str]:
    """Parse `key = value` lines, ignoring comments and blank lines."""
    values: dict[str, str] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _${field}_PATTERN_$n.match(line)
        if match is None:
            logger.warning("line %d: cannot parse %r", number, line)
            continue
        key, value = match.group("key"), match.group("value").strip()
        if key in values:
            logger.info("line %d: %s overrides an earlier value", number, key)
        values[key] = value.strip('"')
    return values
'''),
            weight=14,
        ),
        Block(
            _t('''

class ${Entity}Cache$n:
    """A small least-recently-used cache of $entities keyed by name."""

    def __init__(self, capacity: int = $n) -> None:
        self.capacity = max(1, capacity)
        self._items: dict[str, object] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> object | None:
        if key in self._items:
            self.hits += 1
            value = self._items.pop(key)
            self._items[key] = value
            return value
        self.misses += 1
        return None

    def put(self, key: str, value: object) -> None:
        self._items.pop(key, None)
        self._items[key] = value
        while len(self._items) > self.capacity:
            oldest = next(iter(self._items))
            del self._items[oldest]

    def ratio(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0
'''),
            weight=12,
        ),
        Block(
            _t('''

def group_${entities}_$n(rows: list[tuple[str, int]]) -> dict[str, list[int]]:
    """Group values by key, keeping the order in which keys first appear."""
    groups: defaultdict[str, list[int]] = defaultdict(list)
    for key, value in rows:
        if value < 0:
            raise ValueError(f"negative value {value} for {key!r}")
        groups[key].append(value)
    return {key: sorted(values) for key, values in groups.items()}


def summarise_${entities}_$n(groups: dict[str, list[int]]) -> list[str]:
    lines = []
    for key, values in sorted(groups.items()):
        mean = sum(values) / len(values) if values else 0
        lines.append(f"{key:<20} n={len(values):>4} mean={mean:8.2f} max={max(values, default=0)}")
    return lines
'''),
            weight=14,
        ),
        Block(
            _t("""

${FIELD}_LIMITS_$n = {
    "small": ($n, 10),
    "medium": (10, 100),
    "large": (100, 1000),
}
${FIELD}_LABELS_$n = ("draft", "review", "published", "archived")


def ${field}_bucket_$n(size: int) -> str:
    for name, (low, high) in ${FIELD}_LIMITS_$n.items():
        if low <= size < high:
            return name
    return "huge"
"""),
            weight=10,
        ),
        Block(
            _t('''

def load_${entities}_$n(folder: Path, suffix: str = ".txt") -> list[str]:
    """Read every file with `suffix` under `folder`, skipping unreadable ones."""
    texts = []
    for path in sorted(folder.rglob(f"*{suffix}")):
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            logger.warning("skipping %s: %s", path, exc)
    return texts
'''),
            weight=10,
        ),
        Block(
            _t('''

class ${Entity}State$n:
    """The life cycle of a $entity: transitions are checked, not assumed."""

    TRANSITIONS = {
        "new": {"active", "cancelled"},
        "active": {"paused", "done", "cancelled"},
        "paused": {"active", "cancelled"},
    }

    def __init__(self) -> None:
        self.state = "new"
        self.history: list[str] = ["new"]

    def move(self, target: str) -> None:
        allowed = self.TRANSITIONS.get(self.state, set())
        if target not in allowed:
            raise ValueError(f"cannot go from {self.state} to {target}")
        self.state = target
        self.history.append(target)

    @property
    def finished(self) -> bool:
        return self.state in {"done", "cancelled"}
'''),
            weight=10,
        ),
        # Asyncio without any database: trips the `async def` prefilter of the
        # async rules, as service code does in real projects.
        Block(
            _t('''

async def fetch_${entities}_$n(client: object, urls: list[str], limit: int = 4) -> list[bytes]:
    """Download `urls` with at most `limit` requests in flight."""
    import asyncio

    semaphore = asyncio.Semaphore(limit)

    async def one(url: str) -> bytes:
        async with semaphore:
            response = await client.get(url, timeout=10)  # type: ignore[attr-defined]
            response.raise_for_status()
            return bytes(response.content)

    return list(await asyncio.gather(*(one(url) for url in urls)))
'''),
            weight=4,
        ),
        # The `inspect` module is a trigger of the sync-only-API rule.
        Block(
            _t('''

def discover_${entity}_plugins_$n(module: object) -> dict[str, type]:
    """Classes of `module` whose name ends with Plugin, by name."""
    import inspect

    found = {}
    for name, obj in inspect.getmembers(module, inspect.isclass):
        if name.endswith("Plugin") and not inspect.isabstract(obj):
            found[name.removesuffix("Plugin").lower()] = obj
    return found
'''),
            weight=2,
        ),
        # A text table with a `Column` class: trips the legacy-Column prefilter.
        Block(
            _t('''

@dataclass(frozen=True)
class Column$n:
    """A column of a plain-text report."""

    title: str
    width: int = 12
    align: str = "<"

    def render(self, value: object) -> str:
        return f"{str(value):{self.align}{self.width}}"[: self.width]


def render_${entity}_table_$n(columns: list[Column$n], rows: list[list[object]]) -> str:
    header = " ".join(column.render(column.title) for column in columns)
    body = [" ".join(c.render(v) for c, v in zip(columns, row)) for row in rows]
    return "\\n".join([header, "-" * len(header), *body])
'''),
            weight=2,
        ),
    ),
)


MODERN = Kind(
    name="modern",
    header=_t('''
"""$Entities: models, queries and endpoints (SQLAlchemy 2.x, asyncio)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, selectinload

from app.deps import SessionDep
from app.models import $Entity
from app.repositories import ${Entity}Repository
from app.schemas import ${Entity}Create, ${Entity}Read

router = APIRouter(prefix="/$entities", tags=["$entities"])

'''),
    blocks=(
        Block(
            _t("""

class Base$n(DeclarativeBase):
    pass


class $Entity$n(Base$n):
    __tablename__ = "${entities}_$n"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    $field: Mapped[str | None] = mapped_column(String(100))
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    items: Mapped[list[${Entity}Item$n]] = relationship(
        back_populates="parent", cascade="all, delete-orphan"
    )


class ${Entity}Item$n(Base$n):
    __tablename__ = "${entity}_items_$n"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("${entities}_$n.id"))
    quantity: Mapped[int] = mapped_column(default=1)

    parent: Mapped[$Entity$n] = relationship(back_populates="items")
"""),
            weight=10,
        ),
        Block(
            _t('''

class ${Entity}Repository$n:
    """Loads and stores `$Entity` rows within the caller's session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, ${entity}_id: int) -> $Entity | None:
        return await self.session.get($Entity, ${entity}_id)

    async def by_name(self, name: str) -> $Entity | None:
        statement = select($Entity).where($Entity.name == name)
        return (await self.session.scalars(statement)).first()

    async def page(self, limit: int, offset: int) -> Sequence[$Entity]:
        statement = (
            select($Entity)
            .options(selectinload($Entity.items))
            .order_by($Entity.created_at.desc(), $Entity.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return (await self.session.scalars(statement)).all()

    async def count(self) -> int:
        result = await self.session.execute(select(func.count()).select_from($Entity))
        return result.scalar_one()

    async def add(self, ${entity}: $Entity) -> $Entity:
        self.session.add(${entity})
        await self.session.flush()
        return ${entity}
'''),
            weight=12,
        ),
        Block(
            _t("""

class ${Entity}Create$n(BaseModel):
    name: str
    $field: str | None = None


class ${Entity}Read$n(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    $field: str | None
    created_at: datetime
"""),
            weight=10,
        ),
        Block(
            _t("""

engine_$n = create_async_engine(
    "postgresql+asyncpg://app:app@localhost:5432/$entities",
    pool_size=5,
    max_overflow=5,
    pool_pre_ping=True,
)
session_factory_$n = async_sessionmaker(engine_$n, expire_on_commit=False)


async def get_session_$n() -> AsyncIterator[AsyncSession]:
    async with session_factory_$n() as session:
        yield session


Session$n = Annotated[AsyncSession, Depends(get_session_$n)]
"""),
            weight=6,
        ),
        Block(
            _t("""

@router.get("/{${entity}_id}", response_model=${Entity}Read)
async def read_${entity}_$n(${entity}_id: int, session: SessionDep) -> ${Entity}Read:
    ${entity} = await ${Entity}Repository(session).get(${entity}_id)
    if ${entity} is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "$entity not found")
    return ${Entity}Read.model_validate(${entity})


@router.post("", response_model=${Entity}Read, status_code=status.HTTP_201_CREATED)
async def create_${entity}_$n(data: ${Entity}Create, session: SessionDep) -> ${Entity}Read:
    ${entity} = $Entity(name=data.name, $field=data.$field, owner_id=1)
    await ${Entity}Repository(session).add(${entity})
    await session.commit()
    return ${Entity}Read.model_validate(${entity})


@router.get("", response_model=list[${Entity}Read])
async def list_${entities}_$n(session: SessionDep, limit: int = 20, offset: int = 0) -> list:
    rows = await ${Entity}Repository(session).page(limit, offset)
    return [${Entity}Read.model_validate(row) for row in rows]
"""),
            weight=10,
        ),
        Block(
            _t('''

async def rename_${entities}_$n(session: AsyncSession, prefix: str) -> int:
    """Prefix the name of every $entity that lacks it; returns how many changed."""
    rows = (await session.scalars(select($Entity).where(~$Entity.name.startswith(prefix)))).all()
    for row in rows:
        row.name = f"{prefix}{row.name}"
    await session.commit()
    return len(rows)
'''),
            weight=6,
        ),
    ),
)


LEGACY = Kind(
    name="legacy",
    header=_t("""
import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text, create_engine
from sqlalchemy import select
from sqlalchemy.ext.declarative import declarative_base
from sqlalchemy.orm import Session, backref, relationship, sessionmaker

from .models import $Entity

engine = create_engine("postgresql+psycopg2://app:app@localhost/$entities")
SessionLocal = sessionmaker(autocommit=False, autoflush=False, bind=engine)
Base = declarative_base()

"""),
    blocks=(
        Block(
            _t("""

class $Entity$n(Base):
    __tablename__ = "${entities}_$n"

    id = Column(Integer, primary_key=True, index=True)
    name = Column(String(200), nullable=False)
    $field = Column(Text)
    owner_id = Column(Integer, ForeignKey("owners.id"), nullable=False)
    created_at = Column(DateTime, default=datetime.datetime.utcnow, nullable=False)

    owner = relationship("Owner", backref=backref("${entities}_$n", cascade="all"))
"""),
            weight=10,
        ),
        Block(
            _t("""

def get_${entity}_$n(db: Session, ${entity}_id: int):
    return db.query($Entity).get(${entity}_id)


def find_${entity}_$n(db: Session, name: str):
    return db.query($Entity).filter($Entity.name == name).first()


def list_${entities}_$n(db: Session, skip: int = 0, limit: int = 100):
    return db.query($Entity).order_by($Entity.id).offset(skip).limit(limit).all()


def count_${entities}_$n(db: Session):
    return db.query($Entity).count()
"""),
            weight=12,
        ),
        Block(
            _t("""

def create_${entity}_$n(db: Session, name: str, $field=None):
    ${entity} = $Entity(name=name, $field=$field, owner_id=1)
    db.add(${entity})
    db.commit()
    db.refresh(${entity})
    return ${entity}


def delete_${entity}_$n(db: Session, ${entity}):
    db.delete(${entity})
    db.commit()
"""),
            weight=10,
        ),
        Block(
            _t("""

def ${entity}_report_$n():
    rows = engine.execute("SELECT name, count(*) FROM ${entities}_$n GROUP BY name")
    names = select([$Entity.name]).where($Entity.id > $n)
    return [tuple(row) for row in rows], names
"""),
            weight=5,
        ),
        Block(
            _t("""

def recent_${entities}_$n(db: Session, days: int = 7):
    since = datetime.datetime.utcnow() - datetime.timedelta(days=days)
    query = db.query($Entity).filter($Entity.created_at >= since)
    return [{"id": row.id, "name": row.name} for row in query.all()]
"""),
            weight=8,
        ),
    ),
)

KINDS = (PLAIN, MODERN, LEGACY)

# Domain nouns for names in the generated code; (singular, plural).
NOUNS = (
    ("invoice", "invoices"),
    ("customer", "customers"),
    ("order", "orders"),
    ("product", "products"),
    ("shipment", "shipments"),
    ("ticket", "tickets"),
    ("account", "accounts"),
    ("report", "reports"),
    ("project", "projects"),
    ("task", "tasks"),
    ("booking", "bookings"),
    ("vendor", "vendors"),
)
FIELDS = ("status", "summary", "region", "currency", "category", "reference")
