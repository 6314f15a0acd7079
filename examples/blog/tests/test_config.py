"""Settings: DATABASE_URL normalisation and secrecy."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from app.config import Settings


@pytest.mark.parametrize(
    "raw",
    [
        "postgres://app:pw@db.example.com:5432/blog",
        "postgresql://app:pw@db.example.com:5432/blog",
        "postgresql+asyncpg://app:pw@db.example.com:5432/blog",
    ],
)
def test_database_url_is_normalised_to_asyncpg(raw: str) -> None:
    settings = Settings(database_url=SecretStr(raw))

    url = settings.sqlalchemy_url
    assert url.drivername == "postgresql+asyncpg"
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "app",
        "pw",
        "db.example.com",
        5432,
        "blog",
    )


def test_database_url_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://app:pw@localhost/blog")
    monkeypatch.setenv("DB_POOL_SIZE", "7")

    settings = Settings()

    assert settings.sqlalchemy_url.drivername == "postgresql+asyncpg"
    assert settings.db_pool_size == 7


@pytest.mark.parametrize(
    "raw",
    ["postgresql+psycopg2://app:pw@localhost/blog", "sqlite:///blog.db", "pw-without-scheme"],
)
def test_other_drivers_are_rejected_without_echoing_the_url(raw: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Settings(database_url=SecretStr(raw))

    assert "pw" not in str(excinfo.value).replace("postgresql", "")


def test_the_password_never_appears_in_repr_or_in_the_displayed_url() -> None:
    settings = Settings(database_url=SecretStr("postgresql://app:s3cret@localhost/blog"))

    assert "s3cret" not in repr(settings)
    assert "s3cret" not in str(settings.sqlalchemy_url)
    assert "s3cret" not in str(settings.model_dump())
