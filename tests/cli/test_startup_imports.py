"""A one-file text run imports only what it uses (issue 10: start-up near `import libcst`).

Each run is a fresh interpreter that reports the modules it ended with, so an import
that creeps back into the plain path fails here. The controls show the same probe
seeing each module once an option or a file calls for it. Time goals live in
benchmarks/ (benchmarks/formats.py, the `one_file` row), not in tests.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.cli.conftest import SYNC_URL, Project

# Runs the CLI, then prints the names in sys.modules as the last line of stderr.
PROBE = """\
import json, sys
from sqla_checks.cli import main
code = main(sys.argv[1:])
sys.stderr.write("\\n" + json.dumps(sorted(sys.modules)) + "\\n")
sys.exit(code)
"""

# What a plain run on one file never needs: the process pool, libcst's codemods,
# the ignore-file matcher, dependency parsing, the other output formats and options.
NOT_ON_THE_PLAIN_PATH = (
    "multiprocessing",
    "concurrent.futures.process",
    "libcst.codemod",
    "pathspec",
    "packaging",
    "configparser",
    "xml.etree.ElementTree",
    "difflib",
    "sqla_checks.output.full",
    "sqla_checks.output.json",
    "sqla_checks.output.sarif",
    "sqla_checks.output.github",
    "sqla_checks.output.gitlab",
    "sqla_checks.output.junit",
    "sqla_checks.output.explain",
    "sqla_checks.output.statistics",
    "sqla_checks.output.rule_table",
    "sqla_checks.output.show_settings",
    "sqla_checks.output.diff",
    "sqla_checks.output.destination",
    "sqla_checks.engine.add_noqa",
    "sqla_checks.fixes.writer",
    "sqla_checks.server",
    "sqla_checks.skill",
)


def _modules_after(project: Project, *args: str) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=project.root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    last_line = done.stderr.strip().splitlines()[-1]
    return done.returncode, set(json.loads(last_line))


def _default_rules(project: Project) -> None:
    project.write("app.py", SYNC_URL)
    project.config(select="")


def test_one_file_text_run_imports_only_what_it_uses(project: Project) -> None:
    _default_rules(project)
    project.write(".ignore", "build/\n")
    code, modules = _modules_after(project, "app.py")
    assert code == 1  # the ALC204 finding: the file was really checked
    assert "sqla_checks.rules.alc204_sync_driver_url" in modules
    assert not sorted(modules & set(NOT_ON_THE_PLAIN_PATH))


@pytest.mark.parametrize(
    ("args", "extra_file", "needed"),
    [
        (("--format", "junit", "app.py"), None, "sqla_checks.output.junit"),
        (("--diff", "app.py"), None, "difflib"),
        (("--fix", "app.py"), None, "sqla_checks.fixes.writer"),
        # A walk consults the ignore files; a file named explicitly does not.
        ((".",), (".ignore", "build/\n"), "pathspec"),
        (("app.py",), ("requirements.txt", "sqlalchemy>=1.4\n"), "packaging"),
        (("app.py",), ("alembic.ini", "[alembic]\nscript_location = migrations\n"), "configparser"),
    ],
)
def test_the_probe_sees_what_an_option_or_a_file_needs(
    project: Project, args: tuple[str, ...], extra_file: tuple[str, str] | None, needed: str
) -> None:
    _default_rules(project)
    if extra_file is not None:
        project.write(*extra_file)
    code, modules = _modules_after(project, *args)
    assert code in (0, 1)
    assert needed in modules
