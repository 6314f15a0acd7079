"""The example app (examples/blog) under a bounded HTTP load on loopback.

    python -m benchmarks.db.blog_load           # up to 8 x 60 s: 407 s on 2 busy cores
    python -m benchmarks.db.blog_load --quick   # 50 requests an endpoint: a smoke test

uvicorn serves the blog on 127.0.0.1 (one worker, the app's default pool of
5 + 10 connections, its logging.ini) in a scratch database that Alembic migrates
and this script seeds. For each endpoint an httpx client sends a fixed number of
requests from a fixed number of concurrent tasks; past the time limit the tasks
take no new request, so every run stops by itself. Any error, or more app
connections after the load than before it, fails the run.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import IO

import httpx
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from benchmarks.db.database import REPO_ROOT
from benchmarks.db.pool_size import LoadRun
from benchmarks.db.report import Report, Table, count, ms
from benchmarks.db.runner import Options, main
from benchmarks.timing import progress

BLOG = REPO_ROOT / "examples" / "blog"
REQUESTS = 2_000
QUICK_REQUESTS = 50
CONCURRENCY = 20
QUICK_CONCURRENCY = 5
TIME_LIMIT_S = 60.0
QUICK_TIME_LIMIT_S = 15.0
USERS = 100
POSTS = 2_000
TAGS = ("python", "postgres", "sqlalchemy", "asyncio", "fastapi", "alembic")
# The app's defaults (app/config.py), stated here for the report.
POOL_SIZE, MAX_OVERFLOW = 5, 10

# Method, path and JSON body of request n: each endpoint's traffic, deterministic.
RequestFor = Callable[[int], tuple[str, str, object]]


def _get(path: Callable[[int], str]) -> RequestFor:
    return lambda n: ("GET", path(n), None)


def _post(path: str, body: Callable[[int], object]) -> RequestFor:
    return lambda n: ("POST", path, body(n))


def _endpoints(run_id: str) -> tuple[tuple[str, RequestFor], ...]:
    return (
        ("GET /health", _get(lambda n: "/health")),
        ("GET /posts?limit=20", _get(lambda n: "/posts?limit=20")),
        ("GET /posts?tag=...&limit=20", _get(lambda n: f"/posts?tag={TAGS[n % 6]}&limit=20")),
        ("GET /posts/feed?limit=20", _get(lambda n: "/posts/feed?limit=20")),
        ("GET /posts/{id}", _get(lambda n: f"/posts/{n * 7919 % POSTS + 1}")),
        ("GET /users/{id}", _get(lambda n: f"/users/{n % USERS + 1}")),
        (
            "POST /users",
            _post("/users", lambda n: {"email": f"{run_id}-{n}@load.test", "display_name": "L"}),
        ),
        (
            "POST /posts (2 tags)",
            _post(
                "/posts",
                lambda n: {
                    "author_id": n % USERS + 1,
                    "title": f"Load {n}",
                    "body": "Text. " * 50,
                    "tags": [TAGS[n % 6], TAGS[(n + 1) % 6]],
                },
            ),
        ),
    )


@dataclass(frozen=True)
class EndpointRun:
    """One endpoint's bounded run and the errors it met."""

    label: str
    run: LoadRun
    errors: dict[str, int]


async def _load(
    client: httpx.AsyncClient,
    request_for: RequestFor,
    numbers: range,
    concurrency: int,
    limit: float,
) -> tuple[LoadRun, dict[str, int]]:
    """Send request n for each n in `numbers` from `concurrency` tasks, until `limit` s."""
    pending: Iterator[int] = iter(numbers)  # shared: each request is sent once
    latencies: list[float] = []
    errors: dict[str, int] = {}
    start = time.perf_counter()
    deadline = start + limit

    async def worker() -> None:
        for n in pending:
            if time.perf_counter() > deadline:
                return
            method, path, body = request_for(n)
            began = time.perf_counter()
            try:
                response = await client.request(method, path, json=body)
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            if response.is_success:
                latencies.append(time.perf_counter() - began)
            else:
                errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1

    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())
    failed = sum(errors.values())
    return LoadRun(len(latencies), failed, time.perf_counter() - start, tuple(latencies)), errors


async def _seed(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO users (email, display_name) "
                "SELECT 'user' || n || '@seed.test', 'User ' || n FROM generate_series(1, :users) n"
            ),
            {"users": USERS},
        )
        await connection.execute(
            text(
                "INSERT INTO posts (author_id, title, body) "
                "SELECT n % :users + 1, 'Post ' || n, repeat('Text. ', 50) "
                "FROM generate_series(1, :posts) n"
            ),
            {"users": USERS, "posts": POSTS},
        )
        await connection.execute(
            text("INSERT INTO tags (name) SELECT unnest(CAST(:tags AS text[]))"),
            {"tags": list(TAGS)},
        )
        await connection.execute(
            text("INSERT INTO post_tags (post_id, tag_id) SELECT id, id % 6 + 1 FROM posts")
        )
        await connection.execute(text("ANALYZE"))


async def _app_connections(engine: AsyncEngine, application_name: str) -> int:
    async with engine.connect() as connection:
        found = await connection.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
            {"name": application_name},
        )
    return int(found or 0)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class _Server:
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    def output(self) -> str:
        """The end of what uvicorn and the app wrote so far."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]


@contextmanager
def _server(url: URL, application_name: str, port: int) -> Iterator[_Server]:
    env = {
        **os.environ,
        "DATABASE_URL": url.render_as_string(hide_password=False),
        "APP_NAME": application_name,
    }
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app",
        "--host", "127.0.0.1", "--port", str(port),
        "--no-access-log", "--log-config", "logging.ini",
    ]  # fmt: skip
    # The request log (one line a request) goes to a file: a pipe nobody reads
    # would fill up and stall the server.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=BLOG, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield _Server(process, log)
        finally:
            process.terminate()
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
            if process.poll() is None:
                process.kill()


async def _wait_until_healthy(client: httpx.AsyncClient, server: _Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"uvicorn exited early:\n{server.output()}")
        with suppress(httpx.HTTPError):
            if (await client.get("/health")).status_code == 200:
                return
        await asyncio.sleep(0.2)
    raise RuntimeError("the blog did not answer /health within 60 s")


def _migrate(url: URL) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=BLOG,
        env={**os.environ, "DATABASE_URL": url.render_as_string(hide_password=False)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"alembic upgrade head failed:\n{completed.stderr[-4000:]}")


async def run(url: URL, options: Options) -> Report:
    requests = QUICK_REQUESTS if options.quick else REQUESTS
    concurrency = QUICK_CONCURRENCY if options.quick else CONCURRENCY
    time_limit = QUICK_TIME_LIMIT_S if options.quick else TIME_LIMIT_S
    await asyncio.to_thread(_migrate, url)
    observer = create_async_engine(url, poolclass=NullPool)
    application_name = f"blog-load-{uuid.uuid4().hex[:8]}"
    port = _free_port()
    results: list[EndpointRun] = []
    try:
        await _seed(observer)
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        with _server(url, application_name, port) as server:
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30
            ) as client:
                await _wait_until_healthy(client, server)
                endpoints = _endpoints(application_name)
                # Warm: open the pool's connections and every route's code paths
                # (numbered apart from the measured requests: e-mails stay unique).
                warm = range(10**6, 10**6 + concurrency * 2)
                for _, request_for in endpoints:
                    await _load(client, request_for, warm, concurrency, time_limit)
                before = await _app_connections(observer, application_name)
                peak = before

                async def sample_connections() -> None:
                    nonlocal peak
                    for _ in itertools.count():
                        peak = max(peak, await _app_connections(observer, application_name))
                        await asyncio.sleep(0.1)

                sampler = asyncio.create_task(sample_connections())
                try:
                    for label, request_for in endpoints:
                        loaded, errors = await _load(
                            client, request_for, range(requests), concurrency, time_limit
                        )
                        progress(f"  {label}: {loaded.throughput:,.0f} requests/s")
                        results.append(EndpointRun(label, loaded, errors))
                finally:
                    sampler.cancel()
                    with suppress(asyncio.CancelledError):
                        await sampler
                after = await _app_connections(observer, application_name)
    finally:
        await observer.dispose()

    table = Table(
        ("endpoint", "requests", "errors", "seconds", "requests/s", "p50 ms", "p99 ms"),
        "lrrrrrr",
    )
    for result in results:
        table.add(
            result.label,
            count(result.run.done + result.run.failed),
            count(result.run.failed),
            f"{result.run.seconds:.2f}",
            count(result.run.throughput),
            ms(result.run.percentile(0.5)),
            ms(result.run.percentile(0.99)),
        )
    connections = Table(("app connections (pg_stat_activity)", "count"), "lr")
    connections.add("after the warm-up", str(before))
    connections.add("peak during the load (sampled every 0.1 s)", str(peak))
    connections.add("after the load", str(after))

    report = Report(
        title="The blog under load on loopback (benchmarks/db/blog_load.py)",
        command=options.command,
        settings=[
            f"{requests:,} requests an endpoint from {concurrency} concurrent tasks "
            f"(httpx, keep-alive), time limit {time_limit:.0f} s an endpoint; one uvicorn "
            f"worker, pool_size={POOL_SIZE}, max_overflow={MAX_OVERFLOW}; {USERS} users, "
            f"{POSTS:,} posts, {len(TAGS)} tags seeded; latency from send to full response",
        ],
    )
    report.add_table("", table)
    report.add_table("", connections)

    failures = {result.label: result.errors for result in results if result.errors}
    if failures:
        raise RuntimeError(f"requests failed under load: {failures}")
    if after > before or peak > POOL_SIZE + MAX_OVERFLOW:
        raise RuntimeError(f"app connections grew: before {before}, peak {peak}, after {after}")
    return report


def cli(argv: Sequence[str] | None = None) -> int:
    return main("benchmarks.db.blog_load", __doc__.split("\n\n")[0], run, argv)


if __name__ == "__main__":
    sys.exit(cli())
