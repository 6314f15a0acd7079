"""The server's life over raw stdio: initialize, shutdown, exit, and its exit code."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from tests.server.test_server import _server_command


def _frame(message: dict[str, Any]) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def _read(stream: Any) -> dict[str, Any]:
    length = 0
    while (line := stream.readline().strip()) != b"":
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    message: dict[str, Any] = json.loads(stream.read(length))
    return message


def test_shutdown_then_exit_ends_the_process_with_code_0() -> None:
    server = subprocess.Popen(
        _server_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        server.stdin.write(
            _frame({"id": 1, "method": "initialize", "params": {"capabilities": {}}})
        )
        server.stdin.flush()
        initialized = _read(server.stdout)
        capabilities = initialized["result"]["capabilities"]
        assert capabilities["hoverProvider"]
        assert "source.fixAll.sqla-checks" in capabilities["codeActionProvider"]["codeActionKinds"]
        assert initialized["result"]["serverInfo"]["name"] == "sqla-checks"
        server.stdin.write(_frame({"method": "initialized", "params": {}}))
        server.stdin.write(_frame({"id": 2, "method": "shutdown"}))
        server.stdin.flush()
        assert _read(server.stdout) == {"jsonrpc": "2.0", "id": 2, "result": None}
        server.stdin.write(_frame({"method": "exit"}))
        server.stdin.flush()
        assert server.wait(timeout=60) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
