"""[tool.sqla-checks], rule selection on the command line, noqa comments."""

from __future__ import annotations

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
