"""Model-side legacy rules (ALC102, ALC104, ALC105, ALC106) across the modules of a project.

Each case is a small package written to `tmp_path` and checked through `check_files`
(the CLI's path: the project index is built from the files of the run and the project
modules they import). Every case has a look-alike that must stay silent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sqla_checks.engine.api import CheckPlan, Overrides, SettingsResolver, check_files
from sqla_checks.engine.project_scan import build_project_index
from sqla_checks.engine.runner import RunOptions
from sqla_checks.evidence.project_index import ModelClass
from tests.rules.project_files import finding_lines, write_project

EXTENSIONS = """
    from flask_sqlalchemy import SQLAlchemy

    db = SQLAlchemy()
    Column = db.Column
"""


_write = write_project


_run = finding_lines


def _fixed(root: Path, files: dict[str, str], code: str, name: str) -> str:
    paths = _write(root, files)
    resolver = SettingsResolver(Overrides(select=(code,)), cwd=root)
    checked = check_files(paths, CheckPlan(resolver, RunOptions(fix=True)))
    for c in checked:
        if c.result.path.endswith(name):
            assert c.result.fixed_source is not None, c.result.findings
            return c.result.fixed_source.decode()
    raise AssertionError(name)


# -- ALC104: Column() in models ---------------------------------------------------------

GENERATED_TABLENAME_BASE = {
    "app/__init__.py": "",
    "app/models/__init__.py": "",
    "app/models/base.py": """
        from sqlalchemy.orm import declarative_base, declared_attr


        class _Base:
            @declared_attr
            def __tablename__(cls):
                return cls.__name__.lower()


        Base = declarative_base(cls=_Base)
    """,
    "app/models/user.py": """
        from sqlalchemy import Column, Integer

        from app.models.base import Base


        class User(Base):
            id = Column(Integer, primary_key=True)
    """,
}


def test_a_model_on_a_base_from_declarative_base_cls_with_a_generated_tablename(
    tmp_path: Path,
) -> None:
    assert _run(tmp_path, GENERATED_TABLENAME_BASE, "ALC104") == {"app/models/user.py": [7]}


def test_the_model_file_checked_alone_still_sees_its_base(tmp_path: Path) -> None:
    found = _run(tmp_path, GENERATED_TABLENAME_BASE, "ALC104", only="user.py")
    assert found == {"app/models/user.py": [7]}


def test_a_plain_class_on_the_mixin_that_generates_tablenames_is_no_model(
    tmp_path: Path,
) -> None:
    files = {
        **GENERATED_TABLENAME_BASE,
        "app/models/user.py": """
            from sqlalchemy import Column, Integer

            from app.models.base import _Base


            class NotAModel(_Base):
                id = Column(Integer, primary_key=True)
        """,
    }
    assert _run(tmp_path, files, "ALC104") == {}


def test_an_as_declarative_base_with_a_generated_tablename(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/base.py": """
            from sqlalchemy.orm import as_declarative, declared_attr


            @as_declarative()
            class Base:
                @declared_attr
                def __tablename__(cls):
                    return cls.__name__.lower()
        """,
        "app/models.py": """
            from sqlalchemy import Column, Integer

            from app.base import Base


            class Item(Base):
                id = Column(Integer, primary_key=True)


            class Plain:
                id = Column(Integer, primary_key=True)
        """,
    }
    assert _run(tmp_path, files, "ALC104") == {"app/models.py": [7]}


FLASK = {
    "app/__init__.py": "",
    "app/extensions.py": EXTENSIONS,
    # No `sqlalchemy` anywhere in the text: everything comes through `db`.
    "app/models.py": """
        from app.extensions import db


        class Post(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            title = db.Column(db.String(80))
    """,
}


def test_flask_sqlalchemy_db_column_on_db_model(tmp_path: Path) -> None:
    assert _run(tmp_path, FLASK, "ALC104") == {"app/models.py": [5, 6]}


def test_the_fix_of_db_column_imports_mapped_column_from_sqlalchemy_orm(tmp_path: Path) -> None:
    fixed = _fixed(tmp_path, FLASK, "ALC104", "models.py")
    assert "from sqlalchemy.orm import mapped_column" in fixed
    assert "id = mapped_column(db.Integer, primary_key=True)" in fixed
    assert "title = mapped_column(db.String(80))" in fixed
    assert "db.Column" not in fixed


def test_db_column_of_a_model_targets_a_release_without_mapped_column(tmp_path: Path) -> None:
    files = {
        **FLASK,
        "pyproject.toml": """
            [project]
            name = "app"
            version = "1"
            dependencies = ["SQLAlchemy>=1.4,<2"]
        """,
    }
    paths = _write(tmp_path, files)
    resolver = SettingsResolver(Overrides(select=("ALC104",)), cwd=tmp_path)
    checked = check_files([p for p in paths if p.endswith(".py")], CheckPlan(resolver))
    findings = [f for c in checked for f in c.result.findings]
    assert len(findings) == 2
    assert all(f.fix is None for f in findings)


def test_a_column_of_a_table_library_in_a_plain_class_stays_silent(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/extensions.py": EXTENSIONS,
        "app/report.py": """
            from tablib import Column

            from app.extensions import db


            class Report:
                name = Column("name")


            class Sheet(db.Model):
                title = Column("title")
        """,
    }
    assert _run(tmp_path, files, "ALC104") == {}


def test_a_project_column_class_stays_silent(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/extensions.py": EXTENSIONS,
        "app/grid.py": """
            class Column:
                def __init__(self, title):
                    self.title = title
        """,
        "app/views.py": """
            from app.extensions import db
            from app.grid import Column


            class Table(db.Model):
                name = Column("name")
        """,
    }
    assert _run(tmp_path, files, "ALC104") == {}


def test_a_column_re_exported_as_db_column(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/extensions.py": EXTENSIONS,
        "app/models.py": """
            from app.extensions import Column, db


            class Tag(db.Model):
                id = Column(db.Integer, primary_key=True)
        """,
    }
    assert _run(tmp_path, files, "ALC104") == {"app/models.py": [5]}


MIXINS = {
    "app/__init__.py": "",
    "app/extensions.py": EXTENSIONS,
    "app/mixins.py": """
        from app.extensions import db


        class TimestampMixin:
            created = db.Column(db.DateTime)


        class Helper:
            created = db.Column(db.DateTime)
    """,
    "app/models.py": """
        from app.extensions import db
        from app.mixins import Helper, TimestampMixin


        class Post(TimestampMixin, db.Model):
            id = db.Column(db.Integer, primary_key=True)


        class Plain(Helper):
            pass
    """,
}


def test_a_mixin_defined_in_another_module(tmp_path: Path) -> None:
    assert _run(tmp_path, MIXINS, "ALC104") == {"app/mixins.py": [5], "app/models.py": [6]}


def test_a_plain_class_subclassing_a_mixin_only_stays_silent(tmp_path: Path) -> None:
    files = {
        **MIXINS,
        "app/other.py": """
            from app.extensions import db
            from app.mixins import TimestampMixin


            class NotAModel(TimestampMixin):
                updated = db.Column(db.DateTime)
        """,
    }
    found = _run(tmp_path, files, "ALC104")
    assert "app/other.py" not in found


def test_single_table_inheritance_from_an_imported_model(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/base.py": """
            from sqlalchemy import Column, Integer, String
            from sqlalchemy.orm import DeclarativeBase


            class Base(DeclarativeBase):
                pass


            class Employee(Base):
                __tablename__ = "employee"
                id = Column(Integer, primary_key=True)
                kind = Column(String(20))
                __mapper_args__ = {"polymorphic_on": kind}


            class Plain:
                pass
        """,
        "app/staff.py": """
            from sqlalchemy import Column, String

            from app.base import Employee, Plain


            class Manager(Employee):
                title = Column(String(50))
                __mapper_args__ = {"polymorphic_identity": "manager"}


            class NotMapped(Plain):
                title = Column(String(50))
        """,
    }
    assert _run(tmp_path, files, "ALC104") == {"app/base.py": [11, 12], "app/staff.py": [7]}


# -- ALC102: Model.query ----------------------------------------------------------------

QUERY = {
    "app/__init__.py": "",
    "app/extensions.py": EXTENSIONS,
    "app/models.py": """
        from app.extensions import db


        class User(db.Model):
            id = db.Column(db.Integer, primary_key=True)


        class Config:
            query = {"debug": "1"}
    """,
}


def test_a_generic_method_on_the_query_of_an_imported_model(tmp_path: Path) -> None:
    files = {
        **QUERY,
        "app/views.py": """
            from app.models import Config, User


            def one(user_id):
                return User.query.get(user_id)


            def every():
                return User.query.all()


            def config():
                return Config.query.get("debug")
        """,
    }
    assert _run(tmp_path, files, "ALC102") == {"app/views.py": [5, 9]}


def test_a_bare_model_query_value(tmp_path: Path) -> None:
    files = {
        **QUERY,
        "app/views.py": """
            from app.models import Config, User


            def users():
                query = User.query
                return query


            def config():
                return Config.query
        """,
    }
    assert _run(tmp_path, files, "ALC102") == {"app/views.py": [5]}


def test_a_method_only_a_query_has_later_in_the_chain(tmp_path: Path) -> None:
    files = {
        **QUERY,
        "app/views.py": """
            from app.vendor import Remote


            def remote():
                return Remote.query.limit(5).order_by("x").all()


            def remote_dict(request):
                return request.query.get("x")
        """,
    }
    assert _run(tmp_path, files, "ALC102") == {"app/views.py": [5]}


# -- ALC106: backref= -------------------------------------------------------------------


def test_db_relationship_and_db_backref(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/extensions.py": EXTENSIONS,
        "app/models.py": """
            from app.extensions import db


            class Author(db.Model):
                id = db.Column(db.Integer, primary_key=True)


            class Post(db.Model):
                id = db.Column(db.Integer, primary_key=True)
                author_id = db.Column(db.ForeignKey("author.id"))
                author = db.relationship("Author", backref="posts")


            class Comment(db.Model):
                id = db.Column(db.Integer, primary_key=True)
                post_id = db.Column(db.ForeignKey("post.id"))
                post = db.relationship("Post", backref=db.backref("comments", lazy="dynamic"))
        """,
    }
    assert _run(tmp_path, files, "ALC106") == {"app/models.py": [11, 17]}


def test_a_re_exported_relationship(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/orm.py": """
            from sqlalchemy.orm import relationship
        """,
        "app/models.py": """
            from sqlalchemy import ForeignKey, Integer, Column
            from sqlalchemy.orm import DeclarativeBase

            from app.orm import relationship


            class Base(DeclarativeBase):
                pass


            class Parent(Base):
                __tablename__ = "parent"
                id = Column(Integer, primary_key=True)


            class Child(Base):
                __tablename__ = "child"
                id = Column(Integer, primary_key=True)
                parent_id = Column(ForeignKey("parent.id"))
                parent = relationship("Parent", backref="children")
        """,
    }
    assert _run(tmp_path, files, "ALC106") == {"app/models.py": [20]}


def test_a_peewee_backref_stays_silent(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/extensions.py": EXTENSIONS,
        "app/models.py": """
            from peewee import ForeignKeyField, Model

            from app.extensions import db


            class Tweet(Model):
                user = ForeignKeyField(db, backref="tweets")
        """,
    }
    assert _run(tmp_path, files, "ALC106") == {}


# -- ALC105: declarative_base() through a re-export -------------------------------------


@pytest.mark.parametrize(
    ("compat", "silent"),
    [
        ("from sqlalchemy.orm import declarative_base\n", False),
        ("def declarative_base():\n    return object\n", True),
    ],
)
def test_a_re_exported_declarative_base(tmp_path: Path, compat: str, silent: bool) -> None:
    files = {
        "app/__init__.py": "",
        "app/compat.py": compat,
        "app/base.py": """
            from app.compat import declarative_base

            Base = declarative_base()
        """,
    }
    expected = {} if silent else {"app/base.py": [3]}
    assert _run(tmp_path, files, "ALC105") == expected


def test_a_query_property_given_to_an_imported_base(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/database.py": """
            from sqlalchemy.orm import declarative_base, scoped_session, sessionmaker

            db_session = scoped_session(sessionmaker())
            Base = declarative_base()
            Base.query = db_session.query_property()
            Other = declarative_base()
        """,
        "app/models.py": """
            from sqlalchemy import Column, Integer

            from app.database import Base, Other


            class User(Base):
                __tablename__ = "users"
                id = Column(Integer, primary_key=True)


            class Thing(Other):
                __tablename__ = "things"
                id = Column(Integer, primary_key=True)
        """,
        "app/views.py": """
            from app.models import Thing, User


            def first():
                return User.query.first()


            def thing():
                return Thing.query.first()
        """,
    }
    assert _run(tmp_path, files, "ALC102") == {"app/views.py": [5]}


def test_a_column_named_query_hides_the_property(tmp_path: Path) -> None:
    files = {
        **QUERY,
        "app/search.py": """
            from app.extensions import db


            class Search(db.Model):
                id = db.Column(db.Integer, primary_key=True)
                query = db.Column(db.Text)


            class Local(db.Model):
                id = db.Column(db.Integer, primary_key=True)
                query = db.Column(db.Text)


            def local():
                return Local.query.distinct()
        """,
        "app/views.py": """
            from app.search import Search


            def matching(text):
                return Search.query.ilike(text), Search.query.distinct()


            def column():
                return Search.query
        """,
    }
    assert _run(tmp_path, files, "ALC102") == {}


def test_the_index_knows_a_base_made_with_a_tablename_mixin(tmp_path: Path) -> None:
    paths = _write(tmp_path, GENERATED_TABLENAME_BASE)
    index = build_project_index((p, Path(p).read_bytes()) for p in paths)
    assert index.lookup("app.models.base.Base") == ModelClass(base=True, generates_tablename=True)
    assert index.lookup("app.models.user.User") == ModelClass(generates_tablename=True)


def test_a_query_chain_that_continues_on_the_next_line(tmp_path: Path) -> None:
    files = {
        **QUERY,
        "app/views.py": """
            from app.models import User


            def active():
                return (User.query
                        .all())
        """,
    }
    assert _run(tmp_path, files, "ALC102") == {"app/views.py": [5]}


def test_a_column_imported_in_parentheses_from_the_project(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/extensions.py": EXTENSIONS,
        "app/models.py": """
            from app.extensions import (
                db,
                Column,
            )


            class Tag(db.Model):
                id = Column(db.Integer, primary_key=True)
        """,
    }
    assert _run(tmp_path, files, "ALC104") == {"app/models.py": [8]}
