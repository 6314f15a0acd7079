"""/health really asks the database, and says so when it cannot."""

from __future__ import annotations

from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr
from sqlalchemy.pool import QueuePool

from app.config import Settings
from app.db.session import Database
from app.main import create_app


async def test_health_runs_select_1_on_the_database(client: AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_health_is_503_with_an_error_body_when_the_database_is_unreachable() -> None:
    # Port 1 on localhost refuses connections at once: no test waits on a timeout.
    settings = Settings(
        database_url=SecretStr("postgresql://nobody:secret@127.0.0.1:1/nowhere"),
        db_connect_timeout=2,
    )
    app = create_app(settings)

    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client,
    ):
        response = await client.get("/health")

    assert response.status_code == 503
    assert response.json() == {
        "error": {"code": "service_unavailable", "message": "the database is not reachable"}
    }
    assert "secret" not in response.text


async def test_lifespan_creates_one_engine_and_disposes_it_on_shutdown(settings: Settings) -> None:
    app = create_app(settings)

    async with app.router.lifespan_context(app):
        database = app.state.database
        assert isinstance(database, Database)
        async with database.engine.connect():
            pool = database.engine.pool
            assert isinstance(pool, QueuePool)
            assert pool.checkedout() == 1

    # dispose() closed the connections and replaced the pool with an empty one.
    pool = database.engine.pool
    assert isinstance(pool, QueuePool)
    assert (pool.checkedout(), pool.checkedin()) == (0, 0)
