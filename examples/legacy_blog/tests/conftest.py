"""Run the legacy app against a real PostgreSQL database made for this session.

The server comes from ../blog/tests/postgres_server.py: `DATABASE_URL` (an admin
URL) when it is set, else an embedded server in a temporary directory. The app
reads `DATABASE_URL` when it is imported, so this file points that variable at
the session's database first and imports the app afterwards.
"""

import importlib.util
import os
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

# The driver the app under test connects with (change it when the app changes).
APP_DRIVER = "postgresql+psycopg2"

TABLES = ("users", "posts", "comments", "tags", "post_tags")


def _load_postgres_server():
    path = Path(__file__).parents[2] / "blog" / "tests" / "postgres_server.py"
    spec = importlib.util.spec_from_file_location("_legacy_blog_pg_server", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


postgres_server = _load_postgres_server()


@pytest.fixture(scope="session")
def database_url():
    """URL of a fresh database for this session (dropped at the end)."""
    url = postgres_server.create_database("legacy_blog")
    yield url.set(drivername=APP_DRIVER).render_as_string(hide_password=False)
    postgres_server.drop_database(url)


@pytest.fixture(scope="session")
def blog_app(database_url):
    """The FastAPI app, imported once DATABASE_URL names the test database."""
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = database_url
    try:
        from app.database import engine
        from app.main import app

        yield app
        engine.dispose()
    finally:
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous


@pytest.fixture(scope="session")
async def client(blog_app):
    """An HTTP client for the app, with its startup/shutdown handlers run."""
    async with blog_app.router.lifespan_context(blog_app):
        transport = httpx.ASGITransport(app=blog_app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as http:
            yield http


@pytest.fixture(scope="session")
def cleaner(database_url):
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def clean_tables(client, cleaner):
    """Every test starts from empty tables and ids starting at 1."""
    with cleaner.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def make_user(client):
    async def make(email="ann@example.com", name="Ann", **extra):
        response = await client.post(
            "/users", json={"email": email, "name": name, **extra}
        )
        assert response.status_code == 201, response.text
        return response.json()

    return make


@pytest.fixture
def make_post(client):
    async def make(author_id, title="Hello", body="First post", tags=()):
        payload = {
            "title": title,
            "body": body,
            "author_id": author_id,
            "tags": list(tags),
        }
        response = await client.post("/posts", json=payload)
        assert response.status_code == 201, response.text
        return response.json()

    return make
