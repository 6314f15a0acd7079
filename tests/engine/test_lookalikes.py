"""Code that looks like a finding but is not one gets nothing from any rule."""

from __future__ import annotations

import textwrap

import pytest

from sqla_checks.engine.registry import all_rules
from sqla_checks.engine.runner import check_source

LOOKALIKES = {
    "pandas query": """
        import pandas as pd

        def adults(df: pd.DataFrame) -> pd.DataFrame:
            return df.query("age >= 18").head()
    """,
    "dict.get and requests.Session().get": """
        import requests
        from sqlalchemy.orm import Session

        def lookup(session: Session, cache: dict[str, int], key: str) -> int | None:
            http = requests.Session()
            http.get("https://example.com")
            return cache.get(key)
    """,
    "Column inside Table()": """
        from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table

        metadata = MetaData()
        post_tags = Table(
            "post_tags",
            metadata,
            Column("post_id", ForeignKey("posts.id"), primary_key=True),
            Column("tag_id", Integer, primary_key=True),
        )
    """,
    "sync Session in a plain def route": """
        from fastapi import Depends, FastAPI
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from app.db import get_db
        from app.models import User

        app = FastAPI()

        @app.get("/users")
        def list_users(db: Session = Depends(get_db)) -> list[str]:
            return [u.email for u in db.scalars(select(User)).all()]
    """,
    "an unrelated query method": """
        class Search:
            def query(self, text: str) -> "Search":
                return self

            def first(self) -> str:
                return ""

        def run(search: Search) -> str:
            return search.query("x").first()
    """,
    "stdlib select": """
        import select
        import socket

        def wait(sock: socket.socket) -> None:
            select.select([sock], [], [], 1.0)
    """,
}


@pytest.mark.parametrize("name", sorted(LOOKALIKES))
def test_lookalike_is_not_reported(name: str) -> None:
    code = textwrap.dedent(LOOKALIKES[name]).lstrip()
    result = check_source("lookalike.py", code.encode(), all_rules())
    assert result.error is None
    assert [f"{f.code} {f.message}" for f in result.findings] == []
