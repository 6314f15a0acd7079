"""Legacy `x.query(...)` (ALC101/ALC103) proven by what it selects, across modules.

A receiver with no evidence (`session = context["session"]`) still runs a legacy
`Query` when it selects a mapped class of the project: mapped imperatively
(`registry.map_imperatively`, classical `mapper`), reached through a module alias
(`import app.model as model`) or a relative import, as a mapped attribute
(`User.id`, `func.count(User.id)`), as a class attribute (`user_model = User`), or
as a local every binding of which is one (`entity = User`).
Receivers are proven across modules too: a session a class (or its project base)
binds as a class attribute or a `@property` annotated to return one, and the
`db.session` of a `db` a test helper returns (`app, db = setup()`). With neither, the
chain's own criteria prove it: it selects a class and filters, orders or joins by
that class's attributes, or filters by keywords (`filter_by`). Each case has a
look-alike that must stay silent; `# found` marks the findings.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sqla_checks.engine.api import CheckPlan, Overrides, SettingsResolver, check_files
from sqla_checks.engine.runner import RunOptions
from tests.rules.project_files import finding_lines

DECLARATIVE = """
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)

    class Helper:
        x = 1
"""
IMPERATIVE = {
    "app/__init__.py": "",
    "app/model/__init__.py": """
        from app.model.meta import Session
        from app.model.package import Helper, Package
    """,
    "app/model/meta.py": """
        from sqlalchemy import MetaData, orm

        metadata = MetaData()
        registry = orm.registry(metadata=metadata)
        Session = orm.scoped_session(orm.sessionmaker())
    """,
    "app/model/package.py": """
        from sqlalchemy import Column, Table, Text

        import app.model.meta as meta

        package_table = Table("package", meta.metadata, Column("id", Text, primary_key=True))

        class Package:
            pass

        class Helper:
            pass

        meta.registry.map_imperatively(Package, package_table)
    """,
}


def _lines(root: Path, files: dict[str, str], code: str = "ALC101") -> dict[str, list[int]]:
    return finding_lines(root, files, code)


def _marked(source: str) -> list[int]:
    """Lines of `source` (as written to disk) that end with `# found`."""
    lines = textwrap.dedent(source).lstrip().splitlines()
    return [n for n, line in enumerate(lines, 1) if line.endswith("# found")]


CASES = {
    "imperative_through_module_alias": {
        **IMPERATIVE,
        "app/logic.py": """
            import app.model as model

            def show(context: dict, client):
                session = context["session"]
                client.query(model.Helper)
                return session.query(model.Package).all()  # found

            def hidden(context: dict):
                # `model` is the context's here, not the imported module: no proof.
                model = context["model"]
                return context["session"].query(model.Package).all()

            def through_registry():
                return model.Session.query(model.Package).all()  # found

            def registry_hidden(context: dict):
                model = context["model"]
                return model.Session.query(model.Package).all()

            def imported_here(rows):
                import app.model as model

                return model.Session.query(rows).all()  # found
        """,
    },
    "class_attribute_sessions": {
        **IMPERATIVE,
        "app/model/base.py": """
            from sqlalchemy.orm import Session as OrmSession, scoped_session, sessionmaker

            from app.model.meta import Session


            class SessionMixin:
                Session = Session


            class NameMixin(SessionMixin):
                @classmethod
                def by_name(cls, name):
                    return cls.Session.query(cls).filter_by(name=name).first()  # found


            class OwnRegistry:
                Session = scoped_session(sessionmaker())


            class Store:
                @property
                def session(self) -> OrmSession:
                    return OrmSession()

                @property
                def client(self) -> dict:
                    return {}
        """,
        "app/model/domain.py": """
            from .base import NameMixin, OwnRegistry, Store


            class Domain(NameMixin):
                @classmethod
                def count(cls):
                    return cls.Session.query(cls).count()  # found


            class Hidden(NameMixin):
                Session = dict

                @classmethod
                def count(cls):
                    return cls.Session.query(cls).count()


            class Own(OwnRegistry):
                def rows(self, entity):
                    return self.Session.query(entity).all()  # found


            class Repo(Store):
                def rows(self, entity):
                    self.client.query(entity)
                    return self.session.query(entity).all()  # found
        """,
    },
    "classical_mapper": {
        "app/__init__.py": "",
        "app/tables.py": """
            from sqlalchemy import Column, Integer, MetaData, Table
            from sqlalchemy.orm import mapper

            metadata = MetaData()
            users = Table("users", metadata, Column("id", Integer, primary_key=True))

            class User:
                pass

            class Report:
                pass

            mapper(User, users)
            chart.mapper(Report, users)
        """,
        "app/logic.py": """
            from app.tables import Report, User

            def show(repo, charts):
                charts.query(Report)
                return repo.query(User).all()  # found
        """,
    },
    "relative_import": {
        "app/__init__.py": "",
        "app/models.py": DECLARATIVE,
        "app/logic.py": """
            from .models import Helper, User

            def show(repo, df):
                df.query(Helper)
                return repo.query(User).first()  # found
        """,
    },
    "mapped_attributes": {
        "app/__init__.py": "",
        "app/models.py": DECLARATIVE,
        "app/logic.py": """
            from sqlalchemy import func
            from app.models import Helper, User

            def show(repo, df, entity):
                df.query(Helper.x); df.query(len(User.id))
                repo.query(User.id).all()  # found
                repo.query(func.count(User.id)).scalar()  # found
                return repo.query(entity, User).all()  # found
        """,
    },
    "class_attribute_model": {
        "app/__init__.py": "",
        "app/models.py": DECLARATIVE,
        "app/security.py": """
            from app.models import Helper, User

            class Manager:
                user_model = User
                filters = Helper

                def find(self, name):
                    self.datamodel.query(self.filters)
                    return self.get_session.query(self.user_model).all()  # found
        """,
    },
    "local_model_alias": {
        "app/__init__.py": "",
        "app/models.py": DECLARATIVE,
        "app/logic.py": """
            from app.models import Helper, User

            def branches(repo, kind):
                if kind:
                    entity = User
                else:
                    entity = User
                return repo.query(entity).all()  # found

            def mixed(repo, kind):
                entity = User
                if kind:
                    entity = Helper
                return repo.query(entity).all()

            def looped(repo, kinds):
                entity = User
                for entity in kinds:
                    pass
                return repo.query(entity).all()

            def parameter(repo, entity=User):
                entity = User if entity else entity
                return repo.query(entity).all()
        """,
    },
    "tuple_provider": {
        "app/__init__.py": "",
        "app/tests/__init__.py": """
            from flask import Flask
            from flask_sqlalchemy import SQLAlchemy

            def setup():
                app = Flask(__name__)
                app.config["TESTING"] = True
                db = SQLAlchemy(app)
                return app, db

            def setup_twice(flag):
                db = SQLAlchemy()
                if flag:
                    db = object()
                return None, db
        """,
        "app/tests/test_views.py": """
            from . import setup, setup_twice

            def test_list(rows):
                app, db = setup()
                app.session.query(rows)
                return db.session.query(rows).all()  # found

            def test_twice(rows):
                app, db = setup_twice(True)
                return db.session.query(rows).all()

            def test_rebound(rows):
                app, db = setup()
                db = object()
                return db.session.query(rows).all()
        """,
    },
    # No evidence of the receiver or the entity, but the chain's own criteria: it selects
    # a class and filters by that class's attributes, or by keywords (`filter_by`).
    "chain_criteria": {
        "app/__init__.py": "",
        "app/logic.py": """
            import sqlalchemy

            def show(context: dict, name, df, search, Match, resolver):
                model = context["model"]
                session = context["session"]
                session.query(model.Package).filter(model.Package.name == name).first()  # found
                session.query(model.Group.id).order_by(model.Group.title).all()  # found
                session.query(model.Package).filter_by(name=name).first()  # found
                df.query("a > 1").filter(df.a == 1)
                search.query(Match(title=name)).filter(Match.title == name)
                resolver.query(name, "A")
                session.query(model.Package).filter(model.Group.name == name).first()
                session.query(model.Package).get(name)
                return session.query(model.Package).all()
        """,
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_mapped_class_proves_the_query(tmp_path: Path, case: str) -> None:
    files = CASES[case]
    expected = {name: _marked(text) for name, text in files.items() if _marked(text)}
    assert _lines(tmp_path, files) == expected


def test_query_get_on_an_imperatively_mapped_class(tmp_path: Path) -> None:
    files = {
        **IMPERATIVE,
        "app/logic.py": """
            import app.model as model

            def show(context: dict, client, pk):
                client.query(model.Helper).get(pk)
                return context["session"].query(model.Package).get(pk)  # found
        """,
    }
    assert _lines(tmp_path, files, "ALC103") == {"app/logic.py": [5]}


def test_only_a_proven_session_gets_a_fix(tmp_path: Path) -> None:
    # `model.Session` is a registry: its query is fixable; the context's session is not.
    files = {
        **IMPERATIVE,
        "app/logic.py": """
            import app.model as model

            def show(context: dict):
                return context["session"].query(model.Package).all()

            def listed():
                return model.Session.query(model.Package).all()
        """,
    }
    _lines(tmp_path, files)
    resolver = SettingsResolver(Overrides(select=("ALC101",)), cwd=tmp_path)
    paths = [str(tmp_path / name) for name in files]
    checked = check_files(paths, CheckPlan(resolver, RunOptions(fix=True, unsafe_fixes=True)))
    logic = next(c for c in checked if c.result.path.endswith("logic.py"))
    assert logic.result.fixed_source is not None
    fixed = logic.result.fixed_source.decode()
    assert 'context["session"].query(model.Package).all()' in fixed
    assert "model.Session.query(" not in fixed
