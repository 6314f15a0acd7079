"""What references/testing.md says about pytest-asyncio's event loops, shown by running a
small test suite in a child pytest on the installed pytest-asyncio (1.0 or newer, the pin).

The version history in the reference (`loop_scope` and the fixture setting since 0.24, the
test setting since 0.26, no `event_loop` fixture since 1.0) comes from pytest-asyncio's
changelog; what the installed version does is checked here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# Each test records the loop it ran on; the last one compares them. Loops are kept alive
# in the list, so `is` tells two loops apart even after the first one closed.
LOOPS_SUITE = """
import asyncio

import pytest

loops = {}


async def test_plain_first():
    loops["plain_first"] = asyncio.get_running_loop()


async def test_plain_second():
    loops["plain_second"] = asyncio.get_running_loop()


@pytest.mark.asyncio(loop_scope="session")
async def test_session_first():
    loops["session_first"] = asyncio.get_running_loop()


@pytest.mark.asyncio(loop_scope="session")
async def test_session_second():
    loops["session_second"] = asyncio.get_running_loop()


def test_zz_compare(request):
    assert (loops["plain_first"] is loops["plain_second"]) is PLAIN_SHARE
    assert loops["session_first"] is loops["session_second"]
    with pytest.raises(pytest.FixtureLookupError):
        request.getfixturevalue("event_loop")
"""


def _run_suite(tmp_path: Path, settings: str, *, plain_share: bool) -> None:
    (tmp_path / "pytest.ini").write_text(f"[pytest]\nasyncio_mode = auto\n{settings}")
    (tmp_path / "test_loops.py").write_text(LOOPS_SUITE.replace("PLAIN_SHARE", str(plain_share)))
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W",
         "error::pytest.PytestConfigWarning", "test_loops.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "5 passed" in completed.stdout


@pytest.mark.claim("pytest-asyncio-loop-scopes")
def test_tests_get_a_loop_each_unless_a_loop_scope_says_otherwise(tmp_path: Path) -> None:
    _run_suite(tmp_path, "", plain_share=False)


@pytest.mark.claim("pytest-asyncio-loop-scopes")
def test_the_two_settings_put_tests_and_fixtures_on_one_session_loop(tmp_path: Path) -> None:
    settings = (
        "asyncio_default_fixture_loop_scope = session\nasyncio_default_test_loop_scope = session\n"
    )
    _run_suite(tmp_path, settings, plain_share=True)
