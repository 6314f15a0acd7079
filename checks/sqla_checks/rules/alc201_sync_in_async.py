"""ALC201: synchronous SQLAlchemy work inside an `async def`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING

import libcst as cst

from sqla_checks.contract.rule import Bad, Good, Rule
from sqla_checks.evidence.fastapi_routes import fastapi_applications, is_route
from sqla_checks.evidence.sessions import awaited_receiver_kind
from sqla_checks.evidence.sqlalchemy_api import IO_METHODS_OF_SYNC, METADATA_BIND_METHODS, Kind

if TYPE_CHECKING:
    from sqla_checks.evidence.context import FileContext

_SYNC_CONSTRUCTORS = frozenset({"Session", "create_engine", "engine_from_config"})
# Making a session does no I/O; entering it with `with` (whose exit closes it on the
# loop) or calling a method on it right away does. A bound session is checked where
# its methods are called.
_SESSION_MAKERS = frozenset({"Session"})
_SYNC_BINDS = frozenset({Kind.SYNC_ENGINE, Kind.SYNC_CONNECTION})

_RECIPE = "use `AsyncSession`/`create_async_engine` with `await`"
# Only a FastAPI path operation runs in the threadpool when it is a plain `def`.
_ROUTE_RECIPE = (
    _RECIPE + ", or make the route a plain `def` (FastAPI runs plain-`def` routes in a threadpool)"
)
_NOUNS: dict[Kind, str] = {
    Kind.SYNC_SESSION: "sync Session",
    Kind.SYNC_CONNECTION: "sync Connection",
    Kind.SYNC_ENGINE: "sync Engine",
    Kind.SYNC_FACTORY: "sync session factory",
}


class SyncInAsync(Rule):
    """Flags synchronous Session, Connection and Engine work inside an `async def`."""

    code = "ALC201"
    name = "sync-in-async"
    message = "sync database work inside `async def` blocks the event loop: " + _RECIPE
    why = """
A synchronous `Session`, `Connection` or `Engine` does its I/O by blocking the calling
thread. Inside an `async def` that thread runs the event loop, so every query stalls
every other request the process is serving, for as long as the database takes. FastAPI
awaits `async def` path operations and dependencies on the
loop and sends plain `def` ones to a threadpool
[claim: fastapi-def-routes-run-in-threadpool], which is why a sync `Session` is fine
in a `def` route and harmful in an `async def` one. SQLAlchemy's asyncio extension
(`AsyncSession`, `AsyncEngine`, `create_async_engine`, 1.4+ and 2.x) does the same work
without blocking.
"""
    example = """\
from app.db import get_db
from app.models import Post
from app.schemas import PostRead
from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session

app = FastAPI()


@app.get("/posts", response_model=list[PostRead])
async def list_posts(db: Session = Depends(get_db)):
    return db.query(Post).all()"""
    use_instead = """\
from collections.abc import Iterator, Sequence
from typing import Annotated

from app.api.deps import SessionDep
from app.models import Post
from app.schemas.post import PostRead
from fastapi import Depends, FastAPI
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

app = FastAPI()
sync_engine = create_engine("postgresql+psycopg://app@db/blog")


@app.get("/posts", response_model=list[PostRead])
async def list_posts(session: SessionDep) -> Sequence[Post]:
    return (await session.scalars(select(Post))).all()


def get_db() -> Iterator[Session]:
    with Session(sync_engine) as session:
        yield session


# or keep the sync Session in a plain `def`: FastAPI runs it in its threadpool
@app.get("/posts-sync", response_model=list[PostRead])
def list_posts_sync(db: Annotated[Session, Depends(get_db)]) -> Sequence[Post]:
    return db.scalars(select(Post)).all()"""
    blind_spots = """
Sessions, connections and engines are known from evidence only: annotations
(`db: Session`), same-module `Depends(get_db)` dependencies, `with` bindings and
assignments from SQLAlchemy constructors or factories, and the sessions, factories,
dependencies and annotation aliases (`SessionDep`) the project index knows from
other modules of the project, in a module that imports no SQLAlchemy as well. A sync
session reached through an unannotated helper, a provider outside the checked
project, or a `self.db` without an annotation is not seen. Only calls of the
methods that do I/O (`query`, `execute`, `commit`, `connect`, ...) on a known sync
session, connection or engine are reported, with `create_engine()` and sync
sessions made and used at once (`with SessionLocal() as s`, whose exit closes the
session on the loop, or `Session(e).execute(...)`): making a session that is kept
in a name does no I/O (`s = Session(e)`), and its I/O calls are checked where they
are made, so a session whose work is all sent to a thread (`await
to_thread(s.commit)`) is quiet. Handing a session to a function
(`crud.get_user(db, user_id)`) or to a container (`sessions.add(db)`) is not I/O,
and what the callee does with it is not followed. Bookkeeping calls (`db.add(obj)`)
are not reported either. A name the function awaits session coroutines on (`await
db.commit()`) is taken for an `AsyncSession` even when annotated `Session`, unless
the function binds that name more than once (the await may read another binding).
What `async with` enters, and the name it binds, is never
taken for sync (a sync `Session` has no async context manager), even from a factory
annotated `sessionmaker`. A union such as `Session | AsyncSession` is unknown. A
`try`/`except ImportError` import means what the `try` body imports. The hint to make
the function a plain `def` comes only in FastAPI routes decorated through an app or
router created in the same module (`app = FastAPI()`, `router = APIRouter()`).
"""
    references = (
        "https://fastapi.tiangolo.com/async/#path-operation-functions",
        "https://docs.sqlalchemy.org/en/20/orm/extensions/asyncio.html",
    )
    triggers = ("async def",)
    examples = (
        Bad(
            """
            from fastapi import Depends
            from sqlalchemy.orm import Session

            from app.db import get_db

            async def list_posts(db: Session = Depends(get_db)):
                return db.query(Post).filter(Post.published).all()
            """,
            line=7,
            column=12,
        ),
        Bad(
            """
            from sqlalchemy import create_engine, text

            engine = create_engine("postgresql+psycopg://app@localhost/blog")

            async def health() -> bool:
                with engine.connect() as conn:
                    return True
            """,
            line=6,
            column=10,
        ),
        Bad(
            """
            from sqlalchemy.orm import sessionmaker

            SessionLocal = sessionmaker(bind=engine)

            async def handler(event):
                with SessionLocal() as session:
                    pass
            """,
            line=6,
            column=10,
        ),
        Bad(
            """
            from sqlalchemy import create_engine

            async def startup():
                engine = create_engine("postgresql+psycopg://app@localhost/blog")
            """,
            line=4,
            column=14,
        ),
        Good(
            """
            from fastapi import Depends
            from sqlalchemy.orm import Session

            from app.db import get_db

            def list_posts(db: Session = Depends(get_db)):
                return db.query(Post).all()
            """,
            note="a plain `def` route runs in FastAPI's threadpool",
        ),
        Good(
            """
            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession

            async def list_posts(db: AsyncSession):
                return (await db.scalars(select(Post))).all()
            """
        ),
        Good(
            """
            from fastapi import Depends
            from sqlalchemy.orm import Session

            from app import crud
            from app.db import get_db

            async def read_user(user_id: int, db: Session = Depends(get_db)):
                return crud.get_user(db, user_id)
            """,
            note="handing the session to a function is not I/O; the callee is not followed",
        ),
        Good(
            """
            from sqlalchemy.ext.asyncio import AsyncSession
            from sqlalchemy.orm import Session

            async def save(db: Session | AsyncSession, post):
                db.add(post)
                await db.commit()
                await db.refresh(post)
            """,
            note="a union of sync and async types is unknown",
        ),
        Good(
            """
            import asyncio

            from sqlalchemy.orm import Session

            from app import crud

            async def read_user(user_id: int, db: Session):
                return await asyncio.to_thread(crud.get_user, db, user_id)
            """,
            note="the work is moved to a thread",
        ),
        Good(
            """
            from sqlalchemy.orm import Session

            async def refresh_all(db: Session):
                def work(session: Session) -> None:
                    session.execute(stmt)
                return work
            """,
            note="a nested plain `def` is not the event loop's code",
        ),
        Good(
            """
            from sqlalchemy.ext.asyncio import AsyncSession

            async def save(db: AsyncSession, post):
                db.add(post)
                await db.commit()
            """
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._routes: dict[cst.FunctionDef, bool] = {}
        # What `async with` enters is no sync object (those have no `__aenter__`).
        self._entered_async: set[cst.BaseExpression] = set()
        # Sessions made and used on the spot: `with Session(e) as s`, `Session(e).execute`.
        self._used_at_once: set[cst.BaseExpression] = set()

    @cached_property
    def _applications(self) -> frozenset[str]:
        return fastapi_applications(self.context.imports, self.context.module_assignments)

    def _recipe(self) -> str:
        """What to do instead; the plain-`def` way out only in a FastAPI route."""
        function = self.context.function
        if function is None:
            return _RECIPE
        if function not in self._routes:
            self._routes[function] = is_route(function, self._applications)
        return _ROUTE_RECIPE if self._routes[function] else _RECIPE

    def visit_With(self, node: cst.With) -> None:
        items = {item.item for item in node.items}
        if node.asynchronous is not None:
            self._entered_async.update(items)
        else:
            self._used_at_once.update(items)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._used_at_once.add(node.value)

    def visit_Call(self, node: cst.Call) -> None:
        # Handing a session to a function or a container is not I/O: only the I/O
        # methods, constructors and factories below are reported.
        # Evidence of a sync session always goes through an import: SQLAlchemy's, or a
        # project module's that the index knows (`from app.deps import SessionDep`).
        if (
            self.context.in_async_function
            and node not in self._entered_async
            and self.context.uses_sqlalchemy
        ):
            self._check_call(node)

    def _check_call(self, node: cst.Call) -> None:
        """Report `node` if it is sync database work."""
        func = node.func
        name = self.context.sqla_name(func)
        if name in _SESSION_MAKERS and node not in self._used_at_once:
            return  # assigned, returned or handed on: not I/O yet
        if name in _SYNC_CONSTRUCTORS:
            self.report(node, f"`{name}()` inside `async def` is synchronous: {self._recipe()}")
            return
        if name == "inspect":
            self._check_bind(node, node.args, "`inspect()`")
            return
        if isinstance(func, cst.Name):
            if self.context.kind_of(func) is Kind.SYNC_FACTORY and node in self._used_at_once:
                self.report(
                    node,
                    f"sync session factory `{func.value}()` inside `async def`: {self._recipe()}",
                )
            return
        if not isinstance(func, cst.Attribute):
            return
        method = func.attr.value
        if method in METADATA_BIND_METHODS:
            self._check_bind(node, node.args, f"`{method}()`")
            return
        receiver = func.value
        if not (isinstance(receiver, cst.Name) or _is_self_attribute(receiver)):
            return
        kind = self.context.kind_of(receiver)
        if kind is None or method not in IO_METHODS_OF_SYNC.get(kind, ()):
            return
        if awaited_receiver_kind(self.context, receiver) is Kind.ASYNC_SESSION:
            return  # annotated `Session`, but the function awaits its coroutines
        self.report(
            node,
            f"{_NOUNS[kind]} `.{method}()` inside `async def` blocks the event loop: "
            f"{self._recipe()}",
        )

    def _check_bind(self, node: cst.Call, args: Sequence[cst.Arg], what: str) -> None:
        """`metadata.create_all(engine)` / `inspect(engine)` with a sync engine or connection."""
        for index, arg in enumerate(args):
            positional_bind = arg.keyword is None and index == 0
            if positional_bind or (arg.keyword is not None and arg.keyword.value == "bind"):
                kind = self.context.kind_of(arg.value)
                if kind in _SYNC_BINDS:
                    self.report(
                        node,
                        f"{what} with a {_NOUNS[kind]} inside `async def`: {self._recipe()}",
                    )
                return


def _is_self_attribute(node: cst.BaseExpression) -> bool:
    return (
        isinstance(node, cst.Attribute)
        and isinstance(node.value, cst.Name)
        and node.value.value in {"self", "cls"}
    )
