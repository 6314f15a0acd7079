"""ALC104 on models a test suite defines inside functions, on a Flask-SQLAlchemy `db`
the function binds from a helper (`app, db = setup()`) or takes as a parameter.

A parameter counts only when every call of its function in the project passes a
Flask-SQLAlchemy object; GINO spells its models the same way (`db = Gino()`,
`class User(db.Model)`, `db.Column(...)`), so the shape of a function alone is no
evidence, and those look-alikes must stay silent.
"""

from __future__ import annotations

from pathlib import Path

from sqla_checks.contract.finding import Finding
from sqla_checks.engine.api import CheckPlan, Overrides, SettingsResolver, check_files
from sqla_checks.engine.cache import FindingsCache
from sqla_checks.engine.runner import RunOptions
from tests.rules.project_files import finding_lines, write_project

HELPERS = """
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy
    from gino import Gino


    def setup():
        app = Flask(__name__)
        db = SQLAlchemy()
        db.init_app(app)
        admin = None
        return app, db, admin


    def setup_gino():
        app = Flask(__name__)
        db = Gino()
        admin = None
        return app, db, admin
"""


def _findings(root: Path, files: dict[str, str]) -> dict[str, list[Finding]]:
    paths = write_project(root, files)
    resolver = SettingsResolver(Overrides(select=("ALC104",)), cwd=root)
    checked = check_files(paths, CheckPlan(resolver))
    return {
        Path(c.result.path).relative_to(root).as_posix(): list(c.result.findings)
        for c in checked
        if c.result.findings
    }


# -- bound in the function's body ------------------------------------------------------

BODY = {
    "app/__init__.py": "",
    "app/tests/__init__.py": HELPERS,
    "app/tests/test_views.py": """
        from flask_sqlalchemy import SQLAlchemy
        from gino import Gino

        from . import setup, setup_gino


        def test_list():
            app, db, admin = setup()
            with app.app_context():
                class User(db.Model):
                    id = db.Column(db.Integer, primary_key=True)  # found

                class Admin(User):
                    level = db.Column(db.Integer)  # found: a subclass of a model

                class Plain:
                    name = db.Column(db.String)  # no base: no model


        def test_local_object():
            db = SQLAlchemy()

            class Tag(db.Model):
                id = db.Column(db.Integer, primary_key=True)  # found


        def test_gino():
            db = Gino()

            class Tag(db.Model):
                id = db.Column(db.Integer, primary_key=True)


        def test_gino_helper():
            app, db, admin = setup_gino()

            class Tag(db.Model):
                id = db.Column(db.Integer, primary_key=True)


        def test_rebound(other):
            app, db, admin = setup()
            db = other

            class Tag(db.Model):
                id = db.Column(db.Integer, primary_key=True)


        def test_wrong_length():
            app, db = setup()

            class Tag(db.Model):
                id = db.Column(db.Integer, primary_key=True)
    """,
}


def test_a_model_on_the_db_a_helper_returns_is_found_and_fixed(tmp_path: Path) -> None:
    found = _findings(tmp_path, BODY)
    assert [f.start.line for f in found["app/tests/test_views.py"]] == [11, 14, 24]
    assert all(f.fix is not None for f in found["app/tests/test_views.py"])
    paths = write_project(tmp_path / "applied", BODY)
    resolver = SettingsResolver(Overrides(select=("ALC104",)), cwd=tmp_path / "applied")
    checked = check_files(paths, CheckPlan(resolver, RunOptions(fix=True)))
    source = next(c for c in checked if c.result.path.endswith("test_views.py"))
    assert source.result.fixed_source is not None
    text = source.result.fixed_source.decode()
    assert "from sqlalchemy.orm import mapped_column" in text
    assert "id = mapped_column(db.Integer, primary_key=True)  # found" in text
    assert "name = db.Column(db.String)" in text  # the plain class keeps its Column
    assert text.count("db.Column(db.Integer, primary_key=True)") == 4  # GINO and unknowns


# -- a parameter, proven by the calls of its function ----------------------------------

PARAMETER = {
    "app/__init__.py": "",
    "app/tests/__init__.py": HELPERS,
    "app/tests/models.py": """
        def create_models(db):
            class Model1(db.Model):
                id = db.Column(db.Integer, primary_key=True)  # found, no fix
            return Model1
    """,
    "app/tests/test_models.py": """
        from flask_sqlalchemy import SQLAlchemy

        from . import setup
        from .models import create_models

        db = SQLAlchemy()


        def test_one():
            app, db, admin = setup()
            create_models(db)


        def test_module_object():
            create_models(db)


        def test_keyword():
            create_models(db=SQLAlchemy())
    """,
}


def test_a_model_on_a_parameter_every_call_passes_a_flask_db_is_found_without_fix(
    tmp_path: Path,
) -> None:
    found = _findings(tmp_path, PARAMETER)
    assert list(found) == ["app/tests/models.py"]
    (finding,) = found["app/tests/models.py"]
    assert finding.start.line == 3
    assert finding.fix is None
    assert "only the calls of `create_models()`" in finding.message


GINO_CALLS = {
    "app/__init__.py": "",
    "app/tests/__init__.py": HELPERS,
    "app/tests/models.py": """
        def create_models(db):
            class Model1(db.Model):
                id = db.Column(db.Integer, primary_key=True)
            return Model1


        def never_called(db):
            class Model2(db.Model):
                id = db.Column(db.Integer, primary_key=True)
            return Model2


        def mixed(db):
            class Model3(db.Model):
                id = db.Column(db.Integer, primary_key=True)
            return Model3


        def handed_around(db):
            class Model4(db.Model):
                id = db.Column(db.Integer, primary_key=True)
            return Model4
    """,
    "app/tests/test_gino.py": """
        from functools import partial

        from gino import Gino
        from sqlalchemy import func  # GINO builds on SQLAlchemy Core

        from . import setup, setup_gino
        from .models import create_models, handed_around, mixed

        db = Gino()


        def test_gino():
            create_models(db)


        def test_gino_helper():
            app, other, admin = setup_gino()
            mixed(other)


        def test_flask():
            app, flask_db, admin = setup()
            mixed(flask_db)
            handed_around(flask_db)
            later = partial(handed_around, flask_db)
    """,
}


def test_gino_look_alikes_and_unproven_parameters_stay_silent(tmp_path: Path) -> None:
    # GINO's module-level `db`, a function nobody calls, one called with a Flask db
    # and with a GINO one, and one also handed to `partial`: no finding.
    assert finding_lines(tmp_path, GINO_CALLS, "ALC104") == {}
    # The same calls all passing the Flask-SQLAlchemy `db`: found (the callers were read).
    proven = dict(GINO_CALLS)
    proven["app/tests/test_gino.py"] = (
        GINO_CALLS["app/tests/test_gino.py"]
        .replace("create_models(db)", "create_models(SQLAlchemy())")
        .replace("other, admin = setup_gino()", "other, admin = setup()")
        .replace("later = partial(handed_around, flask_db)", "")
        .replace("from gino import Gino", "from flask_sqlalchemy import SQLAlchemy")
    )
    assert finding_lines(tmp_path / "proven", proven, "ALC104") == {
        "app/tests/models.py": [3, 15, 21]
    }


def test_the_model_file_checked_alone_does_not_see_its_callers(tmp_path: Path) -> None:
    assert finding_lines(tmp_path, PARAMETER, "ALC104", only="tests/models.py") == {}


def test_a_cached_model_file_is_rechecked_when_a_caller_changes(tmp_path: Path) -> None:
    paths = write_project(tmp_path, PARAMETER)
    (tmp_path / "cache").mkdir()
    cache = FindingsCache(directory=tmp_path / "cache", fingerprint="test")
    resolver = SettingsResolver(Overrides(select=("ALC104",)), cwd=tmp_path)

    def lines() -> dict[str, list[int]]:
        checked = check_files(paths, CheckPlan(resolver, cache=cache))
        return {
            Path(c.result.path).relative_to(tmp_path).as_posix(): [
                f.start.line for f in c.result.findings
            ]
            for c in checked
            if c.result.findings
        }

    assert lines() == {"app/tests/models.py": [3]}
    # Only a caller changes: it now passes a GINO object; models.py did not change.
    caller = tmp_path / "app/tests/test_models.py"
    caller.write_text(caller.read_text() + "\n\ndef test_gino():\n    create_models(Gino())\n")
    caller.write_text("from gino import Gino\n" + caller.read_text())
    assert lines() == {}
