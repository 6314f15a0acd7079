"""[tool.sqla-checks], rule selection on the command line, noqa comments."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sqla_checks.engine.config import ConfigError, read_config
from sqla_checks.engine.settings import SettingsResolver
from tests.cli.conftest import CLEAN, SQLITE_URL, SYNC_URL, Project


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("colour = true", "unknown key 'colour'"),
        ('ignore = "ALC204"', "ignore: expected a list of strings"),
        ("extend-exclude = [1, 2]", "extend-exclude: expected a list of strings"),
        ('extend-select = ["ALC999"]', "extend-select: 'ALC999' matches no rule"),
        ('per-file-ignores = { "tests/*" = ["NOPE1"] }', "'NOPE1' matches no rule"),
        ('per-file-ignores = ["x"]', "per-file-ignores: expected a table"),
    ],
)
@pytest.mark.claim("readme-exit-codes")
def test_bad_configuration_names_file_and_key_and_exits_two(
    project: Project, extra: str, message: str
) -> None:
    project.write("app.py", SYNC_URL)
    project.config(extra)
    outcome = project.run()
    assert outcome.code == 2
    assert str(project.root / "pyproject.toml") in outcome.err
    assert message in outcome.err
    assert outcome.out == ""


def test_invalid_toml_is_a_config_error(project: Project) -> None:
    project.write("pyproject.toml", "[tool.sqla-checks\n")
    outcome = project.run()
    assert outcome.code == 2
    assert "invalid TOML" in outcome.err


def test_config_is_found_from_a_subdirectory(project: Project, tmp_path: Path) -> None:
    project.config('ignore = ["ALC204"]')
    sub = project.root / "pkg" / "deep"
    sub.mkdir(parents=True)
    config = SettingsResolver(cwd=sub).root.config
    assert config.root == project.root
    assert config.ignore == ("ALC204",)


def test_without_a_table_the_defaults_apply(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    config = SettingsResolver(cwd=tmp_path).root.config
    assert config.path is None
    assert config.select is None


def test_explicit_config_path(project: Project, tmp_path: Path) -> None:
    project.write("app.py", SYNC_URL)
    other = tmp_path / "elsewhere.toml"
    other.write_text('[tool.sqla-checks]\nignore = ["ALC2"]\n')
    assert project.run("--config", str(other)).code == 0
    missing = project.run("--config", str(tmp_path / "nope.toml"))
    assert missing.code == 2
    assert "nope.toml: configuration file not found" in missing.err
    # A file named otherwise holds the keys at its top level (or the pyproject form).
    (tmp_path / "notable.toml").write_text("x = 1\n")
    with pytest.raises(ConfigError, match=r"notable.toml: unknown key 'x'"):
        read_config(tmp_path / "notable.toml")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    with pytest.raises(ConfigError, match=r"no \[tool.sqla-checks\] table"):
        read_config(tmp_path / "pyproject.toml")


@pytest.mark.claim("readme-select-prefixes")
def test_select_ignore_and_extend_select_on_the_command_line(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    assert project.run("--ignore", "ALC204").code == 0
    assert project.run("--ignore", "ALC2").code == 0
    assert project.run("--ignore", "async-engine-sync-driver").code == 0
    project.config(select="select = []")
    assert project.run().code == 0
    assert project.run("--extend-select", "ALC204").code == 1
    assert project.run("--select", "ALL").code == 1
    assert project.run("--select", "ALC1,ALC204").code == 1
    # Configured and command-line ignores add up.
    project.config('ignore = ["ALC1"]')
    assert project.run("--select", "ALC204", "--ignore", "ALC2").code == 0


@pytest.mark.claim("readme-noqa")
def test_noqa_bare_and_with_codes(project: Project) -> None:
    project.write(
        "app.py",
        "from sqlalchemy.ext.asyncio import create_async_engine\n"
        'a = create_async_engine("postgresql://a")  # noqa\n'
        'b = create_async_engine("postgresql://b")  # noqa: ALC204\n'
        'c = create_async_engine("postgresql://c")  # noqa: ALC101, E501\n'
        'd = create_async_engine("postgresql://d")\n',
    )
    outcome = project.run()
    assert outcome.code == 1
    lines = [line for line in outcome.out.splitlines() if "ALC204" in line]
    assert [line.split(":")[1] for line in lines] == ["4", "5"]


def test_noqa_keeps_fix_away(project: Project) -> None:
    path = project.write(
        "app.py",
        "from sqlalchemy.ext.asyncio import create_async_engine\n"
        'a = create_async_engine("postgresql://a")  # noqa: ALC204\n',
    )
    before = path.read_bytes()
    assert project.run("--fix").code == 0
    assert path.read_bytes() == before


def test_per_file_ignores(project: Project) -> None:
    project.config(
        "[tool.sqla-checks.per-file-ignores]\n"
        '"legacy/*.py" = ["ALC204"]\n'
        '"conftest.py" = ["ALC2"]\n'
        '"!keep/**" = ["async-engine-sync-driver"]\n'
    )
    project.write("legacy/old.py", SYNC_URL)
    project.write("tests/conftest.py", SYNC_URL)
    project.write("other/x.py", SYNC_URL)
    project.write("keep/y.py", SYNC_URL)
    outcome = project.run()
    assert outcome.code == 1
    flagged = sorted(line.split(":")[0] for line in outcome.out.splitlines() if "ALC204" in line)
    # The negated pattern ignores ALC204 everywhere except under keep/.
    assert flagged == ["keep/y.py"]


def test_rules_off_by_default_are_not_run_unless_named(project: Project) -> None:
    from sqla_checks.engine.registry import all_rules, select_rules

    policy = [rule for rule in all_rules() if not rule.default_enabled]
    for rule in policy:
        assert rule not in select_rules(None)
        assert rule in select_rules([rule.code])


def test_sqlite_finding_has_no_fix_marker(project: Project) -> None:
    project.write("app.py", SQLITE_URL)
    outcome = project.run()
    assert "app.py:3:30: ALC204 `create_async_engine`" in outcome.out
    assert "fixable" not in outcome.out


def test_clean_file_passes(project: Project) -> None:
    project.write("app.py", CLEAN)
    assert project.run().code == 0


def _flagged(out: str) -> list[str]:
    return sorted({line.split(":")[0] for line in out.splitlines() if "ALC204" in line})


def _nested_projects(project: Project) -> None:
    """The root selects ALC204; `sub/` is a project of its own that ignores it for
    `scripts/` (relative to sub/) and `lib/` extends the root, dropping `gen/`."""
    project.config('[tool.sqla-checks.per-file-ignores]\n"scripts/*.py" = ["ALC101"]\n')
    project.write(
        "sub/pyproject.toml",
        '[tool.sqla-checks]\nselect = ["ALC204"]\n'
        '[tool.sqla-checks.per-file-ignores]\n"scripts/*.py" = ["ALC204"]\n',
    )
    project.write("lib/.sqla-checks.toml", 'extend = "../pyproject.toml"\nexclude = ["gen"]\n')
    for relative in (
        "app.py",
        "scripts/run.py",
        "sub/app.py",
        "sub/scripts/run.py",
        "lib/x.py",
        "lib/gen/y.py",
    ):
        project.write(relative, SYNC_URL)


def test_each_file_follows_its_nearest_configuration(project: Project) -> None:
    _nested_projects(project)
    outcome = project.run()
    assert _flagged(outcome.out) == ["app.py", "lib/x.py", "scripts/run.py", "sub/app.py"]


@pytest.mark.claim("readme-nearest-config")
def test_same_results_from_the_parent_and_from_inside_the_subproject(
    project: Project,
) -> None:
    _nested_projects(project)
    from_parent = project.run("--no-cache", "sub")
    os.chdir(project.root / "sub")
    from_inside = project.run("--no-cache")
    assert from_parent.code == from_inside.code == 1
    assert _flagged(from_parent.out) == ["sub/app.py"]
    assert _flagged(from_inside.out) == ["app.py"]
    os.chdir(project.root / "lib")
    assert _flagged(project.run("--no-cache").out) == ["x.py"]


def test_dot_sqla_checks_toml_beats_sqla_checks_toml_beats_pyproject(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    project.write("sqla-checks.toml", 'select = ["ALC101"]\n')
    assert project.run().code == 0
    project.write(".sqla-checks.toml", 'select = ["ALC204"]\n')
    assert project.run().code == 1
    (project.root / ".sqla-checks.toml").unlink()
    (project.root / "sqla-checks.toml").unlink()
    assert project.run().code == 1


def test_a_pyproject_without_the_table_is_passed_over(project: Project) -> None:
    project.config('ignore = ["ALC204"]')
    project.write("pkg/pyproject.toml", '[project]\nname = "pkg"\n')
    project.write("pkg/app.py", SYNC_URL)
    assert project.run().code == 0


def test_extend_inherits_and_the_nearer_file_wins(project: Project) -> None:
    project.config('ignore = ["ALC101"]\nexclude = ["legacy"]')
    project.write(
        "svc/pyproject.toml",
        '[tool.sqla-checks]\nextend = "../pyproject.toml"\nextend-exclude = ["gen"]\n',
    )
    for relative in ("svc/a.py", "svc/legacy/b.py", "svc/gen/c.py"):
        project.write(relative, SYNC_URL)
    # exclude comes from the root (relative to its folder: root/legacy, not svc/legacy);
    # a bare name matches at any depth, as in ruff, so svc/legacy is dropped too.
    assert _flagged(project.run().out) == ["svc/a.py"]
    settings = SettingsResolver(cwd=project.root).settings_for("svc/a.py")
    assert settings.config.sources == (
        project.root / "svc" / "pyproject.toml",
        project.root / "pyproject.toml",
    )
    assert settings.config.ignore == ("ALC101",)
    # A select in the extending file starts the rule choice afresh.
    project.write(
        "svc/pyproject.toml", '[tool.sqla-checks]\nextend = "../pyproject.toml"\nselect = []\n'
    )
    assert project.run("svc").code == 0


def test_relative_globs_are_relative_to_the_file_that_wrote_them(project: Project) -> None:
    project.config('extend-exclude = ["app/legacy/*.py"]')
    project.write("svc/app/legacy/a.py", SYNC_URL)
    project.write("app/legacy/b.py", SYNC_URL)
    project.write("svc/sqla-checks.toml", 'extend = "../pyproject.toml"\nselect = ["ALC204"]\n')
    # The root's glob means <root>/app/legacy, also when svc/ inherits it.
    assert _flagged(project.run().out) == ["svc/app/legacy/a.py"]
    os.chdir(project.root / "svc")
    assert _flagged(project.run("--no-cache").out) == ["app/legacy/a.py"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('extend = "missing.toml"\n', "extend: "),
        ("extend = 3\n", "extend: expected a path"),
        ('extend = "sqla-checks.toml"\n', "extend: circular"),
        ("respect-gitignore = 1\n", "respect-gitignore: expected true or false"),
        ("colour = 1\n", "unknown key 'colour'"),
    ],
)
def test_bad_config_files_name_the_file(project: Project, content: str, message: str) -> None:
    project.write("app.py", SYNC_URL)
    project.write("sqla-checks.toml", content)
    outcome = project.run()
    assert outcome.code == 2
    assert f"{project.root / 'sqla-checks.toml'}: " in outcome.err
    assert message in outcome.err


def test_a_broken_nested_configuration_fails_the_run_with_its_path(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    project.write("deep/pkg/pyproject.toml", "[tool.sqla-checks\n")
    project.write("deep/pkg/x.py", SYNC_URL)
    outcome = project.run()
    assert outcome.code == 2
    assert str(project.root / "deep" / "pkg" / "pyproject.toml") in outcome.err


def test_config_flag_governs_every_file_with_globs_relative_to_the_cwd(
    project: Project, tmp_path: Path
) -> None:
    _nested_projects(project)
    shared = tmp_path / "shared.toml"
    shared.write_text('select = ["ALC204"]\nexclude = ["sub/scripts"]\n')
    outcome = project.run("--config", str(shared))
    assert _flagged(outcome.out) == [
        "app.py",
        "lib/gen/y.py",
        "lib/x.py",
        "scripts/run.py",
        "sub/app.py",
    ]


def test_show_settings_names_the_files_the_settings_came_from(project: Project) -> None:
    _nested_projects(project)
    shown = project.run("--show-settings", "sub/scripts/run.py")
    assert shown.code == 0
    assert f"configuration: {project.root / 'sub' / 'pyproject.toml'}" in shown.out
    assert "per-file-ignores for this file: ALC204" in shown.out
    assert "rules run on this file: (none)" in shown.out
    inherited = project.run("--show-settings", "lib/x.py")
    assert f"configuration: {project.root / 'lib' / '.sqla-checks.toml'}" in inherited.out
    assert f"  extends: {project.root / 'pyproject.toml'}" in inherited.out
    assert f"exclude: gen (in {project.root / 'lib'})" in inherited.out
    stdin_named = project.run("--show-settings", "--stdin-filename", "sub/new.py")
    assert "rules run on this file: ALC204" in stdin_named.out
    assert project.run("--show-settings").code == 2


def test_help_describes_per_file_discovery_and_stdin(project: Project) -> None:
    shown = project.run("--help")
    assert shown.code == 0
    text = " ".join(shown.out.split())
    nearest = "each file follows the nearest .sqla-checks.toml, sqla-checks.toml or pyproject.toml"
    assert nearest in text
    for flag in ("--stdin-filename", "--show-settings", "--show-files", "--extend-exclude"):
        assert flag in text


# -- target-sqlalchemy ------------------------------------------------------------------

OLD_FACTORY = """\
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import sessionmaker

SessionLocal = sessionmaker(class_=AsyncSession)
"""


def _target_project(project: Project, dependencies: str, extra: str = "") -> None:
    project.write(
        "pyproject.toml",
        f'[project]\nname = "demo"\ndependencies = {dependencies}\n\n'
        f'[tool.sqla-checks]\nselect = ["ALC205"]\n{extra}\n',
    )
    project.write("app.py", OLD_FACTORY)


@pytest.mark.claim("readme-target-and-guards")
def test_target_inferred_from_the_dependency_withholds_a_2_0_fix(project: Project) -> None:
    _target_project(project, '["SQLAlchemy>=1.4,<3"]')
    outcome = project.run("--fix", "--no-cache", "app.py")
    assert outcome.code == 1
    assert (project.root / "app.py").read_text() == OLD_FACTORY
    assert (
        "(no automatic fix: the fix needs SQLAlchemy 2.0 for `async_sessionmaker`,"
        " and the project targets SQLAlchemy>=1.4,<3 (pyproject.toml))"
    ) in outcome.out


@pytest.mark.claim("readme-target-and-guards")
def test_configured_target_overrides_the_dependency(project: Project) -> None:
    _target_project(project, '["SQLAlchemy>=1.4,<3"]', 'target-sqlalchemy = "2.0"')
    outcome = project.run("--fix", "--no-cache", "app.py")
    assert outcome.code == 0, outcome.out
    assert "async_sessionmaker()" in (project.root / "app.py").read_text()


@pytest.mark.claim("readme-target-and-guards")
def test_unknown_target_offers_the_fix(project: Project) -> None:
    _target_project(project, '["flask-sqlalchemy>=3"]')
    outcome = project.run("--fix", "--no-cache", "app.py")
    assert outcome.code == 0, outcome.out
    assert "async_sessionmaker()" in (project.root / "app.py").read_text()


def test_the_cache_keeps_targets_apart(project: Project) -> None:
    _target_project(project, '["SQLAlchemy>=1.4"]')
    first = project.run("app.py")
    assert "no automatic fix" in first.out
    _target_project(project, '["SQLAlchemy>=1.4"]', 'target-sqlalchemy = "2.1"')
    second = project.run("app.py")
    assert "no automatic fix" not in second.out
    assert "[*]" in second.out


@pytest.mark.parametrize("value", ['"2"', '"latest"', "2.0", '"2.0b1"'])
def test_a_bad_target_is_a_config_error(project: Project, value: str) -> None:
    _target_project(project, "[]", f"target-sqlalchemy = {value}")
    outcome = project.run("app.py")
    assert outcome.code == 2
    assert str(project.root / "pyproject.toml") in outcome.err
    assert 'target-sqlalchemy: expected a SQLAlchemy release such as "1.4" or "2.0"' in outcome.err


def test_each_file_gets_the_target_of_its_own_configuration(project: Project) -> None:
    _target_project(project, '["SQLAlchemy>=2.0"]')
    project.write(
        "legacy/pyproject.toml",
        '[tool.sqla-checks]\nselect = ["ALC205"]\ntarget-sqlalchemy = "1.4"\n',
    )
    project.write("legacy/app.py", OLD_FACTORY)
    lines = project.run("--no-cache").out.splitlines()
    assert any(line.startswith("app.py:") and "[*]" in line for line in lines), lines
    assert any(
        line.startswith("legacy/app.py:") and "the project targets" in line for line in lines
    ), lines
    shown = project.run("--show-settings", "legacy/app.py").out
    assert "target-sqlalchemy: " in shown
    assert "1.4" in shown.split("target-sqlalchemy: ")[1]


# -- Alembic revision files (tests/engine/test_alembic_revisions.py has the details) ----


@pytest.mark.claim("readme-alembic-revisions")
def test_alembic_revisions_get_no_legacy_or_async_findings_or_fixes(project: Project) -> None:
    project.write("alembic.ini", "[alembic]\nscript_location = %(here)s/migrations\n")
    revision = project.write("migrations/versions/0001_first.py", SYNC_URL)
    stray = project.write(
        "db/versions/0002_second.py", "revision = '2'\ndown_revision = '1'\n" + SYNC_URL
    )
    project.write("migrations/env.py", SYNC_URL)
    outcome = project.run("--no-cache")
    assert _flagged(outcome.out) == ["migrations/env.py"]
    assert project.run("--fix").code == 0
    assert revision.read_text() == SYNC_URL
    assert stray.read_text().endswith(SYNC_URL)
    turned_on = project.run("--no-cache", "--check-alembic-revisions")
    assert _flagged(turned_on.out) == [
        "db/versions/0002_second.py",
        "migrations/versions/0001_first.py",
    ]
