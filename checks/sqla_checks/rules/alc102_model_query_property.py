"""ALC102: `Model.query...` (Flask-SQLAlchemy, `query_property()`), the legacy Query API."""

from __future__ import annotations

import libcst as cst

from sqla_checks.contract.rule import Bad, Good, Rule
from sqla_checks.evidence.context import FileContext
from sqla_checks.evidence.declarative import class_body_names
from sqla_checks.evidence.query_entities import is_cap_words

# Methods of the legacy Query seen on `Model.query` (Flask-SQLAlchemy, query_property).
# `get`, `all`, `first`, `count` and the like are generic names: they count only when
# the class is known to be a model (see `ModelQueryProperty._is_query_model`).
_DISTINCTIVE_MODEL_QUERY_METHODS = frozenset(
    {
        "filter_by",
        "filter",
        "order_by",
        "options",
        "join",
        "outerjoin",
        "with_entities",
        "get_or_404",
        "first_or_404",
        "one_or_404",
        "paginate",
        "one_or_none",
    }
)
_GENERIC_MODEL_QUERY_METHODS = frozenset(
    {"get", "all", "first", "one", "count", "limit", "offset", "distinct", "delete", "update"}
)


class ModelQueryProperty(Rule):
    """Flags `Model.query...` (Flask-SQLAlchemy, `query_property()`): the legacy Query API."""

    code = "ALC102"
    name = "model-query-property"
    message = (
        "`Model.query` is the legacy Query API: build `select(Model)` and run it with the "
        "session (`db.session.scalars(...)`; keep `.limit(1)` for `.first()`)"
    )
    why = """
`Model.query` returns a legacy `Query` bound to a session the code does not name.
Flask-SQLAlchemy's documentation (3.1) describes `User.query` as a shortcut for
`db.session.query(User)`, marks this interface legacy, and recommends
`db.session.execute(db.select(...))`, with `db.get_or_404()`, `db.first_or_404()`,
`db.one_or_404()` and `db.paginate()` replacing the helpers of its `Query` class.
SQLAlchemy's own `scoped_session.query_property()` gives the same legacy object
[claim: alc102-query-property-is-a-query]. In
SQLAlchemy 2.x `Query` gets no new features, and there is no async counterpart:
code that moves to `AsyncSession` has to pass the session explicitly anyway.
"""
    example = """from app.models import User


def find_user(email: str) -> User | None:
    return User.query.filter_by(email=email).first()"""
    use_instead = """from app.models import User
from sqlalchemy import select
from sqlalchemy.orm import Session


def find_user(session: Session, email: str) -> User | None:
    # with Flask-SQLAlchemy, `session` is the `db.session` the model's `db` owns
    stmt = select(User).filter_by(email=email).limit(1)
    return session.scalars(stmt).first()"""
    fix_safety = """
No automatic fix: the replacement needs the session the property was bound to
(`db.session` of the `SQLAlchemy` instance the model was declared with, or the
`scoped_session` that made the property), which the rule cannot name safely; and
a custom `query_class` may give the query methods a meaning of its own. Rewrite by
hand; keep `.limit(1)` for `.first()`, and `.unique()` on the result, as ALC101's
fix does.
"""
    blind_spots = """
The class must be known as a model whose `query` is a Query: a subclass of a
`db.Model`-style base or of a class given `query = session.query_property()` (also
`Base.query = session.query_property()`), defined in this module or, through the
project index, in another module of the project (Flask-SQLAlchemy's `db` found
wherever `db = SQLAlchemy()` is); or a CapWords name whose `.query` chain calls a
method only a Query has (`filter_by`, `get_or_404`, `paginate`, ...). For a known
model every use is reported, a bare `q = User.query` too; for an unknown class
`Model.query.get(pk)` is not, as `get` is too common a method name to count as
evidence. Not seen: models defined inside functions, and classes whose `db` is a
function's return value (`app, db = setup()`).
"""
    references = (
        "https://flask-sqlalchemy.readthedocs.io/en/stable/legacy-query/",
        "https://docs.sqlalchemy.org/en/20/orm/contextual.html#sqlalchemy.orm.scoped_session.query_property",
        "https://docs.sqlalchemy.org/en/20/orm/queryguide/query.html",
    )
    triggers = (".query",)
    examples = (
        Bad(
            """
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()


            class User(db.Model):
                id = db.Column(db.Integer, primary_key=True)
                email = db.Column(db.String(120))


            def find(email: str) -> User | None:
                return User.query.filter_by(email=email).first()
            """,
            line=12,
            column=12,
            note="a Flask-SQLAlchemy model of this module",
        ),
        Bad(
            """
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()


            class User(db.Model):
                id = db.Column(db.Integer, primary_key=True)
                email = db.Column(db.String(120))


            def one(user_id: int) -> User | None:
                return User.query.get(user_id)
            """,
            line=12,
            column=12,
            note="generic methods such as get() count for a known model",
        ),
        Bad(
            """
            from app.models import Post


            def recent_posts():
                return Post.query.order_by(Post.id.desc()).limit(10).all()
            """,
            line=5,
            column=12,
            note="an imported CapWords class with a Query-only method",
        ),
        Bad(
            """
            from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker

            Session = scoped_session(sessionmaker())


            class Base(DeclarativeBase):
                query = Session.query_property()


            class Tag(Base):
                __tablename__ = "tags"


            def all_tags():
                return Tag.query.all()
            """,
            line=15,
            column=12,
            note="a base given scoped_session.query_property()",
        ),
        Good(
            """
            from aiohttp import web

            from app.models import User


            async def handler(request: web.Request) -> web.Response:
                page = request.query.get("page", "1")
                conf = Config.query.get("debug")
                users = User.query_all()
                return web.Response(text=page)
            """,
            note="aiohttp request.query, an unknown Config class, a query_all method",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._seen: set[int] = set()
        self._models: frozenset[str] | None = None

    def visit_Assign(self, node: cst.Assign) -> None:
        # `User.query = ...` sets the property; it does not read it.
        for target in node.targets:
            self._seen.add(id(target.target))

    def visit_Call(self, node: cst.Call) -> None:
        self._seen.add(id(node.func))  # `X.query(...)` is a call of `query` (ALC101's)
        current: cst.BaseExpression = node
        methods: list[str] = []
        while isinstance(current, cst.Call) and isinstance(current.func, cst.Attribute):
            methods.append(current.func.attr.value)
            inner = current.func.value
            if isinstance(inner, cst.Attribute) and inner.attr.value == "query":
                break
            current = inner
        else:
            return
        assert isinstance(current, cst.Call) and isinstance(current.func, cst.Attribute)
        prop = current.func.value
        assert isinstance(prop, cst.Attribute)
        if id(prop) in self._seen:
            return
        self._seen.add(id(prop))
        # Innermost first: the method called on `.query`, then the rest of the chain.
        methods.reverse()
        if self._is_query_model(prop.value, methods):
            self.report(current)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        """A bare `Model.query` value (`q = User.query`), on a class known to have one."""
        if node.attr.value != "query" or id(node) in self._seen:
            return
        self._seen.add(id(node))
        if self._is_known_query_model(node.value):
            self.report(node)

    def _is_known_query_model(self, model: cst.BaseExpression) -> bool:
        """Whether `model` is a class whose `query` is provably a legacy Query."""
        if isinstance(model, cst.Name):
            if self._models is None:
                self._models = _query_models(self.context)
            if model.value in self._models:
                return True
        return self.context.declarative.has_query_property(model)

    def _is_query_model(self, model: cst.BaseExpression, methods: list[str]) -> bool:
        if self._is_known_query_model(model):
            return True
        if methods[0] not in _DISTINCTIVE_MODEL_QUERY_METHODS | _GENERIC_MODEL_QUERY_METHODS:
            return False
        if isinstance(model, cst.Name):
            name = model.value
        elif isinstance(model, cst.Attribute) and isinstance(model.value, cst.Name):
            name = model.attr.value
        else:
            return False
        if self.context.sqla_name(model) is not None:
            return False
        # An unknown CapWords class: a method only a Query has, anywhere in the chain
        # of Query methods (`X.query.limit(5).order_by(...)`).
        query_methods = _DISTINCTIVE_MODEL_QUERY_METHODS | _GENERIC_MODEL_QUERY_METHODS
        chain = []
        for method in methods:
            if method not in query_methods:
                break
            chain.append(method)
        return is_cap_words(name) and any(m in _DISTINCTIVE_MODEL_QUERY_METHODS for m in chain)


def _query_models(context: FileContext) -> frozenset[str]:
    """Classes of this module that have a `query` property, in definition order."""
    query_bases: set[str] = set()
    for statement in context.module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                # `Base.query = Session.query_property()`
                if (
                    isinstance(small, cst.Assign)
                    and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Attribute)
                    and small.targets[0].target.attr.value == "query"
                    and isinstance(small.targets[0].target.value, cst.Name)
                    and _is_query_property_call(small.value)
                ):
                    query_bases.add(small.targets[0].target.value.value)
    models: set[str] = set()
    for statement in context.module.body:
        if not isinstance(statement, cst.ClassDef):
            continue
        if _declares_query_property(statement) or statement.name.value in query_bases:
            models.add(statement.name.value)
            continue
        if "query" in class_body_names(statement):
            continue  # a column (or method) named `query` hides the property
        for base in statement.bases:
            value = base.value
            if (
                (isinstance(value, cst.Attribute) and value.attr.value == "Model")
                or (isinstance(value, cst.Name) and value.value in models | query_bases)
                or context.declarative.has_query_property(value)
            ):
                models.add(statement.name.value)
                break
    return frozenset(models)


def _is_query_property_call(value: cst.BaseExpression) -> bool:
    return (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value == "query_property"
    )


def _declares_query_property(klass: cst.ClassDef) -> bool:
    for statement in klass.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if (
                    isinstance(small, cst.Assign)
                    and any(
                        isinstance(t.target, cst.Name) and t.target.value == "query"
                        for t in small.targets
                    )
                    and _is_query_property_call(small.value)
                ):
                    return True
    return False
