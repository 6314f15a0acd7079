"""The walkthrough in examples/blog/README.md works as written.

Its shell blocks are run in order, the way a reader would run them: create the
database with psql and migrate, start uvicorn, call the API with curl. The only
edits are the ones a reader makes for their own machine: the server URL (this
session's test server), the database name (a fresh one) and the port (a free one).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parents[1]
BLOG = REPO_ROOT / "examples" / "blog"
README_URL = "postgresql://postgres@127.0.0.1:5432"
README_PORT = "8000"


def _shell_blocks() -> list[str]:
    text = (BLOG / "README.md").read_text(encoding="utf-8")
    return [m.group(1) for m in re.finditer(r"```sh\n(.*?)```", text, re.S)]


def _block_containing(needle: str) -> str:
    matches = [block for block in _shell_blocks() if needle in block]
    assert len(matches) == 1, f"expected one README block with {needle!r}"
    return matches[0]


def _free_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def _run(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=BLOG,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def reader_env(admin_database_url: str, postgres_server: ModuleType) -> Iterator[dict[str, str]]:
    """A shell environment with the project's tools first on PATH, and the names to use."""
    server = make_url(admin_database_url)
    name = f"readme_{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "README_SERVER": server.set(database=None).render_as_string(hide_password=False),
        "README_DB": name,
    }
    yield env
    postgres_server.drop_database(server.set(database=name))


def _for_this_machine(block: str, env: dict[str, str], port: str = README_PORT) -> str:
    server, database = env["README_SERVER"], env["README_DB"]

    def at(db: str) -> str:
        return str(make_url(server).set(database=db).render_as_string(hide_password=False))

    return (
        block.replace(f"{README_URL}/blog", at(database))
        .replace(f"{README_URL}/postgres", at("postgres"))
        .replace('"CREATE DATABASE blog"', f'"CREATE DATABASE {database}"')
        .replace(f"localhost:{README_PORT}", f"localhost:{port}")
        .replace(f"--port {README_PORT}", f"--port {port}")
    )


def test_readme_walkthrough_migrates_serves_and_answers(reader_env: dict[str, str]) -> None:
    migrate = _for_this_machine(_block_containing("alembic upgrade head"), reader_env)
    migrated = _run(migrate, reader_env)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr

    port = _free_port()
    serve = _for_this_machine(_block_containing("uvicorn"), reader_env, port)
    # The server reads the DATABASE_URL the migrate block exported.
    export = next(line for line in migrate.splitlines() if line.startswith("export "))
    server = subprocess.Popen(
        ["bash", "-c", f"{export}\nexec {serve}"],
        cwd=BLOG,
        env=reader_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_until_healthy(port, server)
        calls = _for_this_machine(_block_containing("curl"), reader_env, port)
        answered = _run(calls, reader_env)
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[0]
    assert answered.returncode == 0, answered.stderr
    health, user, page = _json_documents(answered.stdout)
    assert health["status"] == "ok"
    assert user["email"] == "ada@example.com"
    assert page["items"] == [] and page["total"] == 0
    # The request log: one line per request, the query string never in it.
    assert log.count("[app.request_log]") == 3, log
    assert "limit=10" not in log


def _json_documents(text: str) -> list[object]:
    """The JSON documents curl printed back to back (it adds no newlines)."""
    decoder = json.JSONDecoder()
    documents, index = [], 0
    while index < len(text):
        document, index = decoder.raw_decode(text, index)
        documents.append(document)
        while index < len(text) and text[index].isspace():
            index += 1
    return documents


def _wait_until_healthy(port: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "uvicorn exited early"
        try:
            with socket.create_connection(("127.0.0.1", int(port)), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("uvicorn did not start listening within 60 s")
