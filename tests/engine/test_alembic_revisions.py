"""Alembic revision files get no legacy (ALC1xx) or async (ALC2xx) findings or fixes.

Each test builds a small project in `tmp_path`: an `alembic.ini` (or `[tool.alembic]`)
naming where the revisions live, or only a `versions/` folder of revision modules,
next to model files and look-alikes that must still be checked.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sqla_checks.engine.alembic_revisions import AlembicRevisions, assigns_revision_identifiers
from sqla_checks.engine.api import (
    CheckPlan,
    Overrides,
    SettingsResolver,
    check_files,
    check_text,
    project_facts,
    settings_for,
)
from sqla_checks.engine.config import ConfigError
from sqla_checks.engine.runner import RunOptions
from tests.cli.conftest import FIXED_URL, SYNC_URL, Project
from tests.cli.conftest import project as project  # the CLI tests' project fixture

# Alembic's revision template (1.13+), with an ALC204 finding (a safe fix) at 13:30.
REVISION = (
    '"""add users\n'
    "\n"
    "Revision ID: 1a2b3c4d5e6f\n"
    "Revises:\n"
    '"""\n'
    "from typing import Sequence, Union\n"
    "\n"
    "revision: str = '1a2b3c4d5e6f'\n"
    "down_revision: Union[str, None] = None\n"
    "branch_labels: Union[str, Sequence[str], None] = None\n" + SYNC_URL
)
REVISION_FINDING_LINE = 13
# The pre-1.13 template: plain assignments, no annotations.
OLD_REVISION = "revision = 'ae1027a6acf'\ndown_revision = '1975ea83b712'\n" + SYNC_URL


def _flagged(output: str) -> list[str]:
    """The files with findings in a text report."""
    return sorted({line.split(":", 1)[0] for line in output.splitlines() if ": ALC" in line})


def _why(path: Path, source: str | None = None) -> str | None:
    data = None if source is None else source.encode()
    return AlembicRevisions().why_revision(str(path), data)


# -- recognising revision files ---------------------------------------------------------


def test_alembic_ini_script_location_marks_its_versions_folder(project: Project) -> None:
    project.write("alembic.ini", "[alembic]\nscript_location = migrations\n")
    revision = project.write("migrations/versions/1a2b_add_users.py", REVISION)
    # The ini names the folder: even a module without the identifiers is a revision.
    helper = project.write("migrations/versions/shared_helpers.py", SYNC_URL)
    env = project.write("migrations/env.py", SYNC_URL)
    model = project.write("app/models.py", SYNC_URL)
    ini = project.root / "alembic.ini"
    assert _why(revision) == f"in a version location of {ini}"
    assert _why(helper) == f"in a version location of {ini}"
    # env.py runs on every migration: it is live code, checked as any other.
    assert _why(env) is None
    assert _why(model) is None
    outcome = project.run("--no-cache")
    assert outcome.code == 1
    assert _flagged(outcome.out) == ["app/models.py", "migrations/env.py"]


def test_here_interpolation_and_a_section_of_its_own(project: Project) -> None:
    # `alembic -n tenants` reads another section; every section with a
    # script_location counts.
    project.write(
        "alembic.ini",
        "[alembic]\nscript_location = %(here)s/db/main\n\n"
        "[tenants]\nscript_location = %(here)s/db/tenants\n\n"
        "[loggers]\nkeys = root\n",
    )
    main = project.write("db/main/versions/0001_first.py", SYNC_URL)
    tenants = project.write("db/tenants/versions/0001_first.py", SYNC_URL)
    elsewhere = project.write("db/versions_of_api/client.py", SYNC_URL)
    assert _why(main) is not None
    assert _why(tenants) is not None
    assert _why(elsewhere) is None
    assert _flagged(project.run("--no-cache").out) == ["db/versions_of_api/client.py"]


def test_version_locations_replace_the_versions_folder(project: Project) -> None:
    project.write(
        "alembic.ini",
        "[alembic]\nscript_location = migrations\n"
        "version_locations = %(here)s/migrations/core:%(here)s/plugins/billing/versions\n"
        "path_separator = :\n"
        "recursive_version_locations = true\n",
    )
    core = project.write("migrations/core/2024/0001_first.py", SYNC_URL)
    plugin = project.write("plugins/billing/versions/0002_invoices.py", SYNC_URL)
    # With version_locations set, Alembic no longer reads script_location/versions;
    # its revision modules are still found by their text.
    default = project.write("migrations/versions/0003_stray.py", OLD_REVISION)
    unlisted = project.write("migrations/versions/notes.py", SYNC_URL)
    assert _why(core) is not None  # a subfolder, with recursive_version_locations
    assert _why(plugin) is not None
    assert _why(default) == "assigns revision and down_revision in a versions folder"
    assert _why(unlisted) is None


def test_version_locations_without_a_separator_split_on_spaces_and_commas(
    project: Project,
) -> None:
    project.write(
        "alembic.ini",
        "[alembic]\nscript_location = migrations\nversion_locations = one, two three\n",
    )
    for folder in ("one", "two", "three"):
        assert _why(project.write(f"{folder}/0001_x.py", SYNC_URL)) is not None
    # Not recursive by default.
    assert _why(project.write("one/nested/0002_x.py", SYNC_URL)) is None


def test_pyproject_tool_alembic_and_a_package_resource(project: Project) -> None:
    project.write(
        "pyproject.toml",
        '[tool.sqla-checks]\nselect = ["ALC204"]\n\n'
        '[tool.alembic]\nscript_location = "%(here)s/alembic"\n',
    )
    revision = project.write("alembic/versions/0001_first.py", SYNC_URL)
    assert _why(revision) == f"in a version location of {project.root / 'pyproject.toml'}"
    # `package:resource`, found as the package's folder beside the ini or under src/.
    project.write("services/api/alembic.ini", "[alembic]\nscript_location = api.db:migrations\n")
    resource = project.write("services/api/src/api/db/migrations/versions/0001.py", SYNC_URL)
    project.write("services/api/src/api/db/__init__.py", "")
    assert _why(resource) is not None
    assert _flagged(project.run("--no-cache").out) == []


def test_versions_folder_of_revision_modules_without_an_ini(tmp_path: Path) -> None:
    assert _why(tmp_path / "migrations" / "versions" / "a.py", REVISION) is not None
    assert _why(tmp_path / "migrations" / "versions" / "b.py", OLD_REVISION) is not None
    # The text is read from disk when the caller has none.
    on_disk = tmp_path / "other" / "versions" / "c.py"
    on_disk.parent.mkdir(parents=True)
    on_disk.write_text(OLD_REVISION)
    assert _why(on_disk) is not None
    # Directly in `versions` only, and both identifiers at module level.
    assert _why(tmp_path / "versions" / "sub" / "d.py", REVISION) is None
    assert _why(tmp_path / "migrations" / "e.py", REVISION) is None


@pytest.mark.parametrize(
    "source",
    [
        "revision = 3\n",  # only one identifier
        "def f():\n    revision = 1\n    down_revision = 0\n",  # not at module level
        "if revision == 1 and down_revision == 0:\n    pass\n",  # compared, not assigned
        "revision_id = 'x'\ndown_revision_id = 'y'\n",  # other names
        "from .api import revision, down_revision\n",
    ],
)
def test_look_alike_versions_modules_are_not_revisions(source: str) -> None:
    assert not assigns_revision_identifiers(source.encode())


def test_look_alike_versions_folder_is_checked(project: Project) -> None:
    # An API package with `versions/v1.py` modules: no ini names it, no identifiers.
    project.write("api/versions/__init__.py", "")
    project.write("api/versions/v1.py", "API_VERSION = 1\n" + SYNC_URL)
    project.write("api/versions/v2.py", "revision = 2\n" + SYNC_URL)
    project.write("migrations/versions/1a2b_add_users.py", REVISION)
    outcome = project.run("--no-cache")
    assert _flagged(outcome.out) == ["api/versions/v1.py", "api/versions/v2.py"]


def test_the_search_for_an_ini_stops_at_the_work_tree_top(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = repo/migrations\n")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    inside = tmp_path / "repo" / "migrations" / "versions" / "0001.py"
    assert _why(inside, SYNC_URL) is None
    (tmp_path / "repo" / ".git").rmdir()
    assert _why(inside, SYNC_URL) is not None


def test_a_broken_ini_declares_nothing(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text("script_location = migrations\n[alembic\n")
    revision = tmp_path / "migrations" / "versions" / "0001.py"
    assert _why(revision, SYNC_URL) is None
    assert _why(revision, REVISION) is not None


# -- what the rules do with them --------------------------------------------------------


def test_fix_leaves_revision_files_untouched(project: Project) -> None:
    project.write("alembic.ini", "[alembic]\nscript_location = migrations\n")
    revision = project.write("migrations/versions/1a2b_add_users.py", REVISION)
    stray = project.write("db/versions/0001_first.py", REVISION)
    model = project.write("app/db.py", SYNC_URL)
    outcome = project.run("--fix")
    assert outcome.code == 0, outcome.err
    assert model.read_text() == FIXED_URL
    assert revision.read_text() == REVISION
    assert stray.read_text() == REVISION


def test_setting_turns_the_rules_back_on(project: Project) -> None:
    project.write("migrations/versions/1a2b_add_users.py", REVISION)
    revision_finding = f"migrations/versions/1a2b_add_users.py:{REVISION_FINDING_LINE}:30: ALC204"
    assert project.run("--no-cache").code == 0
    flag = project.run("--no-cache", "--check-alembic-revisions")
    assert flag.code == 1
    assert flag.out.startswith(revision_finding)
    project.config("check-alembic-revisions = true")
    configured = project.run("--no-cache")
    assert configured.out.startswith(revision_finding)
    # The command line wins over the configuration, either way.
    assert project.run("--no-cache", "--no-check-alembic-revisions").code == 0
    shown = project.run("--show-settings", "migrations/versions/1a2b_add_users.py").out
    assert "check-alembic-revisions: true" in shown
    assert "rules run on this file: ALC204" in shown


def test_show_settings_says_why_a_file_is_a_revision(project: Project) -> None:
    project.write("migrations/versions/1a2b_add_users.py", REVISION)
    shown = project.run("--show-settings", "migrations/versions/1a2b_add_users.py").out
    assert "rules run on this file: (none)" in shown
    assert "check-alembic-revisions: false" in shown
    assert (
        "alembic revision file: yes, assigns revision and down_revision in a versions folder"
        in shown
    )
    model = project.run("--show-settings", "app/db.py").out
    assert "rules run on this file: ALC204" in model
    assert "alembic revision file: no" in model


def test_other_families_and_noqa_still_apply_to_revision_files(project: Project) -> None:
    project.config('extend-select = ["ALC001"]')
    source = REVISION.replace('blog")\n', 'blog")  # noqa: ALC204\n') + "x = 1  # noqa: ALC999\n"
    project.write("migrations/versions/1a2b_add_users.py", source)
    outcome = project.run("--no-cache")
    # ALC001 still runs: the unknown code is reported, and the ALC204 directive is not
    # called unused, since ALC204 does not run on this file.
    assert outcome.code == 1
    lines = [line for line in outcome.out.splitlines() if ": ALC" in line]
    assert len(lines) == 1
    assert "ALC001" in lines[0] and "ALC999" in lines[0]


def test_a_bad_setting_is_a_configuration_error(tmp_path: Path) -> None:
    table = '[tool.sqla-checks]\ncheck-alembic-revisions = "yes"\n'
    (tmp_path / "pyproject.toml").write_text(table)
    with pytest.raises(ConfigError, match="check-alembic-revisions: expected true or false"):
        settings_for(tmp_path / "app.py")


def test_check_text_treats_a_buffer_in_versions_as_a_revision(tmp_path: Path) -> None:
    # An editor buffer not yet saved: the text given decides, not the (missing) file.
    path = str(tmp_path / "migrations" / "versions" / "new.py")
    settings = settings_for(path)
    assert check_text(path, REVISION, settings, RunOptions(fix=True)).fixed_source is None
    assert check_text(path, REVISION, settings).findings == []
    assert [f.code for f in check_text(path, SYNC_URL, settings).findings] == ["ALC204"]


def test_stdin_filename_in_versions_is_a_revision(project: Project) -> None:
    def pipe(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "sqla_checks", "--no-cache", *args],
            cwd=project.root,
            input=REVISION.encode(),
            capture_output=True,
            timeout=120,
        )

    fixed = pipe("--fix", "--stdin-filename", "migrations/versions/1a2b_add_users.py")
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout.decode() == REVISION
    checked = pipe("--stdin-filename", "app/revision_like.py")
    assert checked.returncode == 1
    assert checked.stdout.decode().startswith(
        f"app/revision_like.py:{REVISION_FINDING_LINE}:30: ALC204"
    )


# -- revision files tell the project index nothing ----------------------------------------

SOFT_DELETE_FACTORY = (
    "from sqlalchemy.orm import sessionmaker\n\n"
    "from app.query import SoftDeleteQuery\n\n"
    "SessionLocal = sessionmaker(query_cls=SoftDeleteQuery)\n"
)
LEGACY_QUERIES = """\
from sqlalchemy.orm import Session

from app.models import User


def active(session: Session) -> list[User]:
    return session.query(User).all()
"""
USER_MODEL = """\
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
"""


@pytest.mark.parametrize(
    ("factory_path", "fixable"),
    [("migrations/versions/1a2b_soft_delete.py", True), ("app/db.py", False)],
)
def test_a_revision_file_configures_no_query_class_of_the_app(
    project: Project, factory_path: str, fixable: bool
) -> None:
    project.write("alembic.ini", "[alembic]\nscript_location = migrations\n")
    project.write("app/__init__.py", "")
    project.write("app/models.py", USER_MODEL)
    queries = str(project.write("app/queries.py", LEGACY_QUERIES))
    # A revision's `query_cls=` is history; in app/db.py it configures the app's sessions.
    factory = str(project.write(factory_path, REVISION.replace(SYNC_URL, SOFT_DELETE_FACTORY)))
    plan = CheckPlan(
        SettingsResolver(Overrides(select=("ALC101",))), options=RunOptions(with_edits=True)
    )
    checked = {c.result.path: c.result for c in check_files([queries, factory], plan)}
    assert [f.fix is not None for f in checked[queries].findings] == [fixable]
    index = project_facts([queries, factory], leave_out=plan.is_revision).index
    assert (index.module_of(factory) is None) is fixable
