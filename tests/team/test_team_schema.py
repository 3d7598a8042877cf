"""A capability's schema made once is not run again by every new connection: on PostgreSQL even a CREATE
INDEX IF NOT EXISTS that changes nothing takes a SHARE lock on its table, so a web worker's fresh connection
waited on (and deadlocked with) a write in progress (found under bench/web_team.py's load)."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from pg_support import new_database

from exhibit.archive import Archive


def _template(table: str, indexes: int) -> str:
    parts = [f"CREATE TABLE IF NOT EXISTS {table} (k TEXT PRIMARY KEY, v TEXT);"]
    parts += [f"CREATE INDEX IF NOT EXISTS {table}_i{i} ON {table}(v, k);" for i in range(indexes)]
    return "\n".join(parts)


@pytest.mark.parametrize("indexes", [1, 3])
def test_a_made_schema_does_not_wait_for_a_write_in_progress(tmp_path: Path, postgres_server: str,
                                                            indexes: int) -> None:
    root = tmp_path / "archive"
    Archive.init(root, new_database(postgres_server)).close()
    table = "probe_" + uuid.uuid4().hex[:8]
    template = _template(table, indexes)
    with Archive.attach(root) as writer, Archive.attach(root) as fresh:
        writer.catalog.ensure(template)
        with writer.catalog.transaction() as cat:
            cat.execute(f"INSERT INTO {table}(k, v) VALUES ('a', 'b')")  # holds ROW EXCLUSIVE until commit
            fresh.catalog.execute("SET lock_timeout = '3s'")
            fresh.catalog.ensure(template)  # would raise LockNotAvailable if it ran the DDL again
        got = fresh.catalog.execute(f"SELECT v FROM {table} WHERE k = 'a'").fetchall()
    assert [r[0] for r in got] == ["b"]


def test_a_changed_template_is_still_made(tmp_path: Path, postgres_server: str) -> None:
    root = tmp_path / "archive"
    url = new_database(postgres_server)
    Archive.init(root, url).close()
    table = "probe_" + uuid.uuid4().hex[:8]
    with Archive.attach(root) as first:
        first.catalog.ensure(_template(table, 1))
    with Archive.attach(root) as later:
        later.catalog.ensure(_template(table, 2))  # a release that adds an index
    with psycopg.connect(url) as conn:
        names = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", (table,))}
    assert {f"{table}_i0", f"{table}_i1"} <= names
