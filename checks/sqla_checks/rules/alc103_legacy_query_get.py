"""ALC103: `session.query(Model).get(pk)`: use `session.get(Model, pk)`."""

from __future__ import annotations

import libcst as cst

from sqla_checks.contract.rule import Bad, Fix, Good, Rule
from sqla_checks.evidence.call_arguments import keyword_arg
from sqla_checks.evidence.context import FileContext
from sqla_checks.evidence.query_chains import QueryChain, QueryChainFinder
from sqla_checks.evidence.sqlalchemy_api import SESSION_GET, Kind
from sqla_checks.fixes.select_rewrite import dot_keeping_comments


class LegacyQueryGet(Rule):
    """Flags `session.query(Model).get(pk)`: use `session.get(Model, pk)`."""

    code = "ALC103"
    name = "legacy-query-get"
    message = "`Query.get()` is legacy: use `session.get(Model, pk)`"
    why = """
`Query.get()` is legacy since SQLAlchemy 2.0: it emits a `LegacyAPIWarning`, but
it is kept in 2.0 and 2.1 and not scheduled for removal
[claim: alc103-query-get-is-legacy]; and
`AsyncSession` has no `query()`. `Session.get(Model, pk)` is its replacement and
does the same thing: it returns the object from the identity map without SQL when
it is already loaded, else it SELECTs it by primary key, and returns None when no row exists
[claim: alc103-session-get-uses-identity-map].
"""
    example = """from app.models import User
from sqlalchemy.orm import Session


def get_user(session: Session, user_id: int) -> User | None:
    return session.query(User).get(user_id)"""
    use_instead = """from app.models import User
from sqlalchemy.orm import Session


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)"""
    fix_safety = """
Safe for `session.query(Model).get(pk)` and `session.query(Model).options(...).get(pk)`:
in SQLAlchemy 2.1.9 `Query.get()` calls `Session._get_impl()` with the query's
mapper, loader options, `populate_existing` and `with_for_update` settings, and
`Session.get()` calls the same function with the same defaults, so the identity-map
lookup and the SQL are unchanged [claim: alc103-get-fix-sends-the-same-sql]; loader
options move to `options=[...]`. Unsafe
when the session is an `AsyncSession` (the fix adds `await`; the original raised
`AttributeError`). A `get()` after `filter()` or other criteria raises
`InvalidRequestError` in the legacy API [claim: alc103-get-after-criteria-raises] and
is reported without a fix. So is every `get()` of a run whose files configure a
custom Query class (`query_cls=`, Flask-SQLAlchemy's `query_class=`, as for ALC101):
such a class may override `get()`, which `Session.get()` never calls.

Target release: `Session.get()` is new in SQLAlchemy 1.4; with an older target
(`target-sqlalchemy`, else the lowest release the declared dependency admits) the
finding says so and has no fix. Like every fix, it is not offered under a SQLAlchemy
version guard (`if sqlalchemy.__version__ ...`, `try: import ... except ImportError`).
"""
    blind_spots = """
Sessions are recognised by evidence, as for ALC101, and so is a receiver without
evidence that queries a mapped class of the project (reported with no fix); a
session from a dict or an unannotated parameter querying an unknown name is not
seen. `Model.query.get(pk)` (Flask-SQLAlchemy) is ALC102's; `query.get(pk)` on a
Query stored in a variable is not seen.
"""
    references = (
        "https://docs.sqlalchemy.org/en/20/orm/session_api.html#sqlalchemy.orm.Session.get",
        "https://docs.sqlalchemy.org/en/20/orm/queryguide/query.html#sqlalchemy.orm.Query.get",
    )
    triggers = ("query(",)
    examples = (
        Bad(
            """
            from sqlalchemy.orm import Session

            from app.models import User


            def get_user(session: Session, user_id: int) -> User | None:
                return session.query(User).get(user_id)
            """,
            line=7,
            column=12,
            fixed="""
            from sqlalchemy.orm import Session

            from app.models import User


            def get_user(session: Session, user_id: int) -> User | None:
                return session.get(User, user_id)
            """,
        ),
        Bad(
            """
            from sqlalchemy.orm import Session, selectinload

            from app.models import Post


            def get_post(session: Session, post_id: int) -> Post | None:
                return session.query(Post).options(selectinload(Post.tags)).get(post_id)
            """,
            line=7,
            column=12,
            fixed="""
            from sqlalchemy.orm import Session, selectinload

            from app.models import Post


            def get_post(session: Session, post_id: int) -> Post | None:
                return session.get(Post, post_id, options=[selectinload(Post.tags)])
            """,
            note="loader options move to options=[...]",
        ),
        Bad(
            """
            from sqlalchemy.ext.asyncio import AsyncSession

            from app.models import User


            async def get_user(session: AsyncSession, user_id: int) -> User | None:
                return session.query(User).get(user_id)
            """,
            line=7,
            column=12,
            fixed="""
            from sqlalchemy.ext.asyncio import AsyncSession

            from app.models import User


            async def get_user(session: AsyncSession, user_id: int) -> User | None:
                return (await session.get(User, user_id))
            """,
            note="an AsyncSession has no query(): the fix awaits, and is unsafe",
        ),
        Bad(
            """
            from sqlalchemy.orm import Session

            from app.models import User


            def get_active(session: Session, user_id: int) -> User | None:
                return session.query(User).filter(User.active).get(user_id)
            """,
            line=7,
            column=12,
            note="criteria before get(): legacy Query.get() raises; no fix",
        ),
        Good(
            """
            import requests

            from app.models import User


            def fetch(settings: dict[str, str], session: requests.Session) -> str:
                url = settings.get("url", "")
                return session.get(url).text
            """,
            note="dict.get and requests.Session.get",
        ),
        Good(
            """
            from sqlalchemy.orm import Session

            from app.models import User


            def get_user(session: Session, user_id: int) -> User | None:
                return session.get(User, user_id)
            """,
            note="already 2.0 style",
        ),
        Good(
            """
            from app.models import User


            def get_user(repo, user_id: int):
                return repo.query(User).get(user_id)
            """,
            note="repo has no session evidence",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._chains = QueryChainFinder(context)

    def visit_Call(self, node: cst.Call) -> None:
        found = self._chains.query_at(node)
        if found is None or found.chain.end is None or found.chain.end.name != "get":
            return
        chain, end = found.chain, found.chain.end
        reason = found.fix_blocker or _get_rewrite_blocker(chain)
        awaited = found.kind is Kind.ASYNC_SESSION
        if reason is None and awaited and not self.context.in_async_function:
            reason = "an AsyncSession outside `async def`"
        if reason is not None:
            self.report(end.call, f"{self.message} (no automatic fix: {reason})")
            return
        options: list[cst.BaseElement] = []
        for step in chain.builders:
            for arg in step.call.args:
                if arg.star == "*":
                    options.append(cst.StarredElement(arg.value))
                else:
                    options.append(cst.Element(arg.value))
        args = [cst.Arg(chain.query.args[0].value), cst.Arg(end.call.args[0].value)]
        if options:
            args.append(keyword_arg("options", cst.List(options)))
        end_func = end.call.func
        assert isinstance(end_func, cst.Attribute)
        # The dot before `.get` holds the comment of the line above it: keep it.
        call = cst.Call(
            func=cst.Attribute(
                value=chain.owner, attr=cst.Name("get"), dot=dot_keeping_comments(end_func.dot)
            ),
            args=args,
        )
        replacement: cst.BaseExpression = call
        if awaited:
            replacement = cst.Await(
                expression=call, lpar=[cst.LeftParen()], rpar=[cst.RightParen()]
            )
        else:
            replacement = call.with_changes(lpar=end.call.lpar, rpar=end.call.rpar)
        self.report(
            end.call,
            fix=Fix(
                end.call,
                replacement,
                applicability="unsafe" if awaited else "safe",
                description="Use Session.get()",
            ),
            needs=(SESSION_GET,),
        )


def _get_rewrite_blocker(chain: QueryChain) -> str | None:
    """Why `query(M)...get(pk)` has no exact `session.get()` spelling, or None."""
    assert chain.end is not None
    if any(step.name != "options" for step in chain.builders):
        return "criteria before `get()`; `Query.get()` refuses them"
    query_args = chain.query.args
    if len(query_args) != 1 or query_args[0].keyword is not None or query_args[0].star:
        return "`get()` needs exactly one entity"
    get_args = chain.end.call.args
    if len(get_args) != 1 or get_args[0].keyword is not None or get_args[0].star:
        return "unexpected `get()` arguments"
    for step in chain.builders:
        if any(arg.keyword is not None or arg.star == "**" for arg in step.call.args):
            return "keyword arguments to `options()`"
    return None
