"""From a built wheel to a skill an agent loads: `pip install` it into a fresh virtualenv
(its dependencies from the package index, not this checkout), then run that
environment's `sqla-checks install-skill` on a fresh project."""

from __future__ import annotations

import os
import subprocess
import venv
from pathlib import Path

from sqla_checks.skill import SKILL_NAME
from tests.skill.validation import assert_is_the_packaged_skill


def test_pip_installed_wheel_installs_a_valid_skill_for_claude(
    built_wheel: Path, tmp_path: Path
) -> None:
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(built_wheel)],
        check=True,
        capture_output=True,
    )
    project = tmp_path / "project"
    project.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    # Neither this checkout nor this test run's environment may leak into that venv.
    clean = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    completed = subprocess.run(
        [
            str(environment / "bin" / "sqla-checks"),
            *("install-skill", "--agent", "claude", "--project", str(project)),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**clean, "HOME": str(home)},
    )
    assert completed.returncode == 0, completed.stderr
    where = subprocess.run(
        [str(python), "-c", "import sqla_checks; print(sqla_checks.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=clean,
    ).stdout.strip()
    assert Path(where).is_relative_to(environment), where  # the wheel, not this checkout
    assert_is_the_packaged_skill(project / ".claude" / "skills" / SKILL_NAME)
