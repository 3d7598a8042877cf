"""What the PostgreSQL tests share beside the server fixture of tests/conftest.py."""

from __future__ import annotations


def new_database(server: str) -> str:
    """A fresh empty database on the test server, by URL."""
    import uuid

    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"
