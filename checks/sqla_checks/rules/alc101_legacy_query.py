"""ALC101: `session.query(...)` chains, the legacy Query API."""

from __future__ import annotations

import libcst as cst

from sqla_checks.contract.rule import Bad, Fix, Good, Rule
from sqla_checks.evidence.context import FileContext
from sqla_checks.evidence.query_chains import QueryChainFinder
from sqla_checks.evidence.query_entities import classify, module_classes
from sqla_checks.evidence.sqlalchemy_api import QUERY_RUNNERS, SESSION_SCALARS
from sqla_checks.fixes.select_rewrite import rewrite_runner


class LegacyQueryApi(Rule):
    """Flags `session.query(...)` chains: the legacy 1.x Query API."""

    code = "ALC101"
    name = "legacy-query-api"
    message = (
        "`session.query()` is the legacy Query API: build a `select()` and run it with "
        "`session.scalars()` (one entity) or `session.execute()` (rows)"
    )
    why = """
Since SQLAlchemy 2.0 the `Query` object is documented as legacy: it is kept for
1.x code but gets no new features, and `AsyncSession` does not have `query()` at
all [claim: asyncsession-has-no-query]. The 2.0 style builds a `select()` statement and
hands it to the session
(`session.scalars(stmt)` for ORM objects, `session.execute(stmt)` for rows), the
same code in sync and async programs. Two behaviours of `Query` are easy to lose in
a hand migration: `first()` adds `LIMIT 1` to the SQL [claim: alc101-first-adds-limit],
and a query that selects an
ORM entity silently de-duplicates its results (in 2.x results are only
de-duplicated after `.unique()`, which joined eager loading of a collection requires)
[claim: alc101-query-dedups-entities].
"""
    example = """from app.models import User
from sqlalchemy.orm import Session


def find_user(session: Session, email: str) -> User | None:
    return session.query(User).filter(User.email == email).first()


def all_users(session: Session) -> list[User]:
    return session.query(User).order_by(User.name).all()"""
    use_instead = """from collections.abc import Sequence

from app.models import User
from sqlalchemy import select
from sqlalchemy.orm import Session


def find_user(session: Session, email: str) -> User | None:
    stmt = select(User).where(User.email == email).limit(1)
    return session.scalars(stmt).unique().first()


def all_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.name)).unique().all()"""
    fix_safety = """
The fix rewrites a chain of `filter`/`where`, `filter_by`, `order_by`, `limit`,
`offset`, `join`, `outerjoin`, `options`, `with_for_update` and `distinct()`
ending in `all()`,
`first()`, `one()`, `one_or_none()`, `scalar()` or `count()`. It keeps what the
legacy `Query` did (SQLAlchemy 2.1.9 source, `Query._iter`, `first`, `scalar`,
`count`):

- `first()` becomes `.limit(1)` on the statement, then `.first()`: the SQL keeps
  its `LIMIT 1`;
- a statement that selects an ORM entity gets `.unique()` on the result, because
  `Query` de-duplicated such results by identity; this also satisfies the 2.x
  requirement of `.unique()` with joined eager loading of collections;
- `scalar()` becomes `.one_or_none()` on `scalars()`: like `Query.scalar()` it
  returns None without rows and raises `MultipleResultsFound` for several rows
  (`session.scalar()` would silently take the first row) [claim: alc101-query-scalar];
- `count()` becomes `select(func.count()).select_from(<statement>.subquery())`,
  the same `SELECT count(*) FROM (...)` the legacy method emits
  [claim: alc101-count-subquery].

`.unique()` is kept even where the statement cannot return one entity twice (no
join, no joined eager loading, also not configured on the mapper); drop it by hand
once you know that. A multi-line chain keeps its line breaks inside the new call:
run your formatter afterwards.

The fix is safe when every selected argument is known from this module (a model
class defined here, one of its `Column`/`mapped_column` attributes, `func.*`,
`aliased()`), and, for row results, when each column has a distinct static name
(legacy rows leave expressions like `func.count()` unnamed and repeat duplicate
names; 2.x rows name them `count` and `id_1` [claim: alc101-row-names]). It is
unsafe for rows that mix an entity with columns (`query(User, Pref.data)`): `Query`
de-duplicated those rows by identity where a column value cannot be hashed, while
2.x `.unique()` raises `InvalidRequestError` for an unhashable value such as a JSON
column (SQLAlchemy 2.1.9, `orm/loading.py`), and the rule cannot see column types.
It is unsafe when a class is only recognised by its CapWords name (an imported model) and
when the session is an `AsyncSession`: `AsyncSession` has no `query()`, so that code raised
`AttributeError`, and the fix adds the `await` that makes it run.

No fix is offered anywhere in a run whose files configure a custom Query class
(`sessionmaker(query_cls=...)`, Flask-SQLAlchemy's `SQLAlchemy(query_class=...)`,
`db.Model.query_class = ...` or a model's `query_class = ...`): its methods (a
soft-delete filter, say) run for `session.query()` but never for a `select()`, and
the message names where it is configured. Only the files of the run are searched:
check the whole project at once for this to hold. No fix is offered, and the
message says why, for other methods (`group_by`,
`having`, `with_entities`, `update`, `delete`, `subquery`, `yield_per`, ...), for
a chain that is not run where it is built (`q = session.query(User)`), for
`filter_by()` after a join or with several entities (`Query.filter_by`, like 2.0's
`Select.filter_by`, uses the last joined entity; 2.1's `Select.filter_by` searches
all FROM entities and raises `AmbiguousColumnError` for a name several of them have
[claim: alc101-filter-by-after-join]), and
for arguments it cannot classify as entity or column.

The rewrite writes `select` (and `func` for `count()`) only where the name means
SQLAlchemy's there. Where a parameter, a local, a class attribute, a comprehension
variable, a `global` or `nonlocal` assignment, another import or a star import may
bind it, the fix writes `sa.select` through an import of `sqlalchemy` visible at that
place, or an aliased import (`from sqlalchemy import select as sa_select`), and
otherwise offers no fix and names the binding in the way. It adds
`from sqlalchemy import select` only when the module neither binds nor reads the name.

Target release: the rewrite runs statements with `Session.scalars()`, added in
SQLAlchemy 1.4.24; with an older target (`target-sqlalchemy`, else the lowest release
the declared dependency admits) the finding says so and has no fix. Like every fix, it
is not offered under a SQLAlchemy version guard (`if sqlalchemy.__version__ ...`,
`try: import ... except ImportError`).
"""
    blind_spots = """
Sessions are recognised by evidence: annotations, `Depends` on a session provider,
`with Session(...) as s`, factory and `scoped_session` registry calls,
Flask-SQLAlchemy's `db.session`, and what other modules of the project define (a
registry read as `model.Session`, a module-level `Session: Callable[..., Session]`
that a setup function assigns, a class attribute `Session = ...` or a `@property`
annotated to return a `Session`, also inherited from a project base class, the `db`
a helper returns to `app, db = setup()`), also in a file that never names SQLAlchemy
(`from app import settings`, then `settings.Session()`). A receiver without evidence
is still reported, with no fix, when the query selects a mapped class of the project
(declarative or mapped by `map_imperatively`/`mapper`, as `User`, `User.id`,
`func.count(User.id)`, `self.user_model` with `user_model = User` in the class
body, or a local bound only to such classes), or when the chain itself proves a
`Query`: it selects a class and filters, orders or joins by that class's attributes
(`.query(model.Package).filter(model.Package.name == name)`), or filters by keywords
(`.filter_by(name=name)`). Not seen: a session from a dict or an unannotated
parameter or attribute (`context["session"]`, `self.session = session`) querying an
unknown name with no such chain (`query(entity).all()`, or
`query(model.Package).get(pk)` after `model = context["model"]`, a local that hides
any imported `model`). A query
built in one statement and run in another (`q = session.query(User)`, then
`q.all()`) is reported where it is built, without a fix.
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/orm/queryguide/query.html",
        "https://docs.sqlalchemy.org/en/20/changelog/migration_20.html#orm-query-unified-with-core-select",
        "https://docs.sqlalchemy.org/en/20/orm/queryguide/api.html#orm-queryguide-legacy-query-methods",
        "https://docs.sqlalchemy.org/en/20/faq/sessions.html#faq-query-deduplicating",
    )
    triggers = ("query(",)
    examples = (
        Bad(
            """
            from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)
                email: Mapped[str]


            def find_user(s: Session, email: str) -> User | None:
                return s.query(User).filter(User.email == email).first()
            """,
            line=15,
            column=12,
            fixed="""
            from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
            from sqlalchemy import select


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)
                email: Mapped[str]


            def find_user(s: Session, email: str) -> User | None:
                return s.scalars(select(User).where(User.email == email).limit(1)).unique().first()
            """,
            note="a model class of this module: safe; first() keeps LIMIT 1",
        ),
        Bad(
            """
            from sqlalchemy.orm import Session, joinedload

            from app.models import Post


            def list_posts(session: Session) -> list[Post]:
                return (
                    session.query(Post)
                    .options(joinedload(Post.tags))
                    .order_by(Post.id.desc())
                    .all()
                )
            """,
            line=8,
            column=9,
            fixed="""
            from sqlalchemy.orm import Session, joinedload

            from app.models import Post
            from sqlalchemy import select


            def list_posts(session: Session) -> list[Post]:
                return (
                    session.scalars(select(Post)
                    .options(joinedload(Post.tags))
                    .order_by(Post.id.desc())).unique().all()
                )
            """,
            note="joinedload of a collection: unique() is required, and Query de-duplicated too",
        ),
        Bad(
            """
            from sqlalchemy.orm import Session

            from app.db import engine
            from app.models import Tag

            s = Session(engine)
            n = s.query(Tag).filter(Tag.used).count()
            """,
            line=7,
            column=5,
            fixed="""
            from sqlalchemy.orm import Session

            from app.db import engine
            from app.models import Tag
            from sqlalchemy import func, select

            s = Session(engine)
            n = s.scalar(select(func.count()).select_from(select(Tag).where(Tag.used).subquery()))
            """,
            note="count() counts the same statement in a subquery; imported model: unsafe",
        ),
        Bad(
            """
            import sqlalchemy as sa
            from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)
                name: Mapped[str] = mapped_column(sa.String(50))


            def names(session: Session):
                return session.query(User.id, User.name).order_by(User.id).all()
            """,
            line=16,
            column=12,
            fixed="""
            import sqlalchemy as sa
            from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)
                name: Mapped[str] = mapped_column(sa.String(50))


            def names(session: Session):
                return session.execute(sa.select(User.id, User.name).order_by(User.id)).all()
            """,
            note="several columns: execute() returns Rows, as Query did",
        ),
        Bad(
            """
            import sqlalchemy as sa
            from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)
                name: Mapped[str] = mapped_column(sa.String(50))


            def named(s: Session) -> int:
                return s.query(sa.func.count(User.id)).scalar()
            """,
            line=16,
            column=12,
            fixed="""
            import sqlalchemy as sa
            from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)
                name: Mapped[str] = mapped_column(sa.String(50))


            def named(s: Session) -> int:
                return s.scalars(sa.select(sa.func.count(User.id))).one_or_none()
            """,
            note="scalar() keeps MultipleResultsFound for several rows",
        ),
        Bad(
            """
            from sqlalchemy.orm import Session

            from app.models import User


            async def get_user(session: Session, user_id: int) -> User:
                return session.query(User).filter_by(id=user_id).one()
            """,
            line=7,
            column=12,
            fixed="""
            from sqlalchemy.orm import Session

            from app.models import User
            from sqlalchemy import select


            async def get_user(session: Session, user_id: int) -> User:
                return session.scalars(select(User).filter_by(id=user_id)).unique().one()
            """,
            note="a sync Session in async def stays sync (ALC201 reports it)",
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import AsyncSession

            from app.models import User


            async def list_users(session: AsyncSession) -> list[User]:
                return session.query(User).limit(10).all()
            """,
            line=7,
            column=12,
            fixed="""
            from sqlalchemy.ext.asyncio import AsyncSession

            from app.models import User
            from sqlalchemy import select


            async def list_users(session: AsyncSession) -> list[User]:
                return (await session.scalars(select(User).limit(10))).unique().all()
            """,
            note="an AsyncSession has no query(): the fix awaits, and is unsafe",
        ),
        Bad(
            """
            from flask_sqlalchemy import SQLAlchemy

            from app.models import User

            db = SQLAlchemy()


            def active_users():
                return db.session.query(User).filter(User.active.is_(True)).all()
            """,
            line=9,
            column=12,
            fixed="""
            from flask_sqlalchemy import SQLAlchemy

            from app.models import User
            from sqlalchemy import select

            db = SQLAlchemy()


            def active_users():
                return db.session.scalars(select(User).where(User.active.is_(True))).unique().all()
            """,
            note="Flask-SQLAlchemy db.session",
        ),
        Bad(
            """
            from sqlalchemy import func
            from sqlalchemy.orm import Session

            from app.models import Post


            def posts_per_author(session: Session):
                return session.query(Post.author_id, func.count()).group_by(Post.author_id).all()
            """,
            line=8,
            column=12,
            note="group_by: no exact rewrite offered",
        ),
        Bad(
            """
            from sqlalchemy.orm import Session

            from app.models import Address, User


            def users_in(session: Session, city: str):
                query = session.query(User).join(User.addresses)
                return query.filter_by(city=city).all()
            """,
            line=7,
            column=13,
            note="a query stored and run later: reported where it is built, no fix",
        ),
        Bad(
            """
            from sqlalchemy.orm import Session

            from app.models import Address, User


            def users_in(session: Session, city: str):
                return session.query(User).join(User.addresses).filter_by(city=city).all()
            """,
            line=7,
            column=12,
            note="filter_by after a join: 2.1 Select.filter_by searches all FROM entities",
        ),
        Good(
            """
            import pandas as pd


            def big(df: pd.DataFrame) -> pd.DataFrame:
                return df.query("a > 1").head()
            """,
            note="pandas DataFrame.query",
        ),
        Good(
            """
            from app.models import User


            def load(session, client):
                users = session.query(User).all()
                docs = client.query(User).all()
                return users, docs
            """,
            note="no evidence that session or client is a SQLAlchemy session",
        ),
        Good(
            """
            from sqlalchemy import select
            from sqlalchemy.orm import Session

            from app.models import User


            def load(session: Session):
                return session.scalars(select(User).order_by(User.id)).all()
            """,
            note="already 2.0 style",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._chains = QueryChainFinder(context)

    def visit_Call(self, node: cst.Call) -> None:
        found = self._chains.query_at(node)
        if found is None or found.chain.end_name == "get":
            return  # no session query here, or ALC103's
        chain, end, top = found.chain, found.chain.end, found.chain.top
        if end is None:
            self.report(
                top,
                self.message + " (run the statement where it is built to get an automatic fix)",
            )
            return
        if end.name not in QUERY_RUNNERS:
            self.report(
                top,
                f"`Query.{end.name}()` is legacy API with no automatic rewrite: "
                + _RECIPES.get(end.name, "build a `select()` and run it with the session"),
            )
            return
        classes = module_classes(self.context)
        selected = [
            classify(self.context, arg.value, classes)
            if arg.keyword is None and not arg.star
            else None
            for arg in chain.query.args
        ]
        if None in selected:
            self.report(
                top,
                self.message
                + " (no automatic fix: cannot tell entities from columns in `query(...)`)",
            )
            return
        known = [s for s in selected if s is not None]
        rewrite = found.fix_blocker or rewrite_runner(self.context, chain, found.kind, known)
        if isinstance(rewrite, str):
            self.report(top, self.message + f" (no automatic fix: {rewrite})")
            return
        self.report(
            top,
            fix=Fix(
                top,
                rewrite.replacement,
                applicability=rewrite.applicability,
                imports=rewrite.imports,
                description="Rewrite as a select() statement run by the session",
            ),
            needs=(SESSION_SCALARS,),
        )


_RECIPES: dict[str, str] = {
    "update": "use `session.execute(update(Model).where(...).values(...))`",
    "delete": "use `session.execute(delete(Model).where(...))`",
    "group_by": "use `select(...).group_by(...)` with `session.execute()`",
    "having": "use `select(...).group_by(...).having(...)` with `session.execute()`",
    "with_entities": "use `select(<columns>)` with the same criteria",
    "subquery": "use `select(...).subquery()` (column names change: `.c.id`, not `.c.users_id`)",
    "exists": "use `select(...).exists()`",
    "yield_per": "use `session.scalars(select(...).execution_options(yield_per=n))`",
    "from_self": "use `aliased(Model, select(...).subquery())`",
    "paginate": "use `db.paginate(select(...))` (Flask-SQLAlchemy 3)",
}
