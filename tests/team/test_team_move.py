"""catalog copy: SQLite -> PostgreSQL -> SQLite keeps the manifest hash and the custody chain, and records
each move as a custody event; the web app's database role cannot rewrite custody; concurrent appends
from several processes make one unbroken chain."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import psycopg
import pytest
from team_helpers import make_archive, new_database, run, run_json

from exhibit.archive import Archive, catalog, catalog_url_of, custody
from exhibit.archive.engine import Dialect


@pytest.fixture(scope="module")
def sqlite_archive(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path, truth: dict[str, Any]) -> Path:
    return make_archive(tmp_path_factory.mktemp("move") / "archive", corpus_dir, None, truth)


def _chain(root: Path) -> list[tuple[int, str, str]]:
    with Archive.open(root) as arch:
        return [(e.seq, e.event, e.hash) for e in arch.custody_events()]


def test_a_round_trip_sqlite_postgresql_sqlite_keeps_manifest_and_chain(sqlite_archive: Path,
                                                                        postgres_server: str) -> None:
    before = run_json("verify", "--archive", str(sqlite_archive))
    chain = _chain(sqlite_archive)
    url = new_database(postgres_server)

    there = run_json("catalog", "copy", "--to", url, "--archive", str(sqlite_archive))
    assert there["verified"] is True and there["manifest_sha256"] == before["manifest_sha256"]
    assert catalog_url_of(sqlite_archive) == url and not (sqlite_archive / "catalog.sqlite").exists()
    assert (sqlite_archive / "catalog.sqlite.moved").exists()  # the old catalog is kept, not deleted
    on_pg = _chain(sqlite_archive)
    assert on_pg[:len(chain)] == chain and on_pg[-1][1] == "catalog_copied"
    mid = run_json("verify", "--archive", str(sqlite_archive))
    assert mid["ok"] is True and mid["manifest_sha256"] == before["manifest_sha256"]

    back = run_json("catalog", "copy", "--to", "sqlite", "--archive", str(sqlite_archive))
    assert back["verified"] is True and catalog_url_of(sqlite_archive) is None
    after = run_json("verify", "--archive", str(sqlite_archive))
    assert after["ok"] is True and after["manifest_sha256"] == before["manifest_sha256"]
    final = _chain(sqlite_archive)
    assert final[:len(on_pg)] == on_pg  # every event of the PostgreSQL catalog, in order, same hashes
    assert [e for _, e, _ in final].count("catalog_copied") >= 2
    with Archive.open(sqlite_archive) as arch:
        assert custody.broken_links(arch.catalog) == []
        assert arch.dialect is Dialect.SQLITE


def test_a_copy_into_a_database_that_is_not_empty_is_refused(tmp_path: Path, corpus_dir: Path,
                                                             truth: dict[str, Any], postgres_server: str) -> None:
    url = new_database(postgres_server)
    Archive.init(tmp_path / "other", url).close()
    with Archive.open(tmp_path / "other") as other:
        other.log_event("note", None, "pytest")
    root = tmp_path / "a"
    assert run("init", "--archive", str(root)).returncode == 0
    res = run("catalog", "copy", "--to", url, "--archive", str(root))
    assert res.returncode != 0 and "not empty" in " ".join(res.stderr.split())  # the console wraps lines
    assert catalog_url_of(root) is None and (root / "catalog.sqlite").exists()


def test_the_app_role_cannot_update_or_delete_custody_but_can_append(tmp_path: Path, postgres_server: str) -> None:
    url = new_database(postgres_server)
    root = tmp_path / "archive"
    Archive.init(root, url).close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='exhibit_app') THEN "
                     "CREATE ROLE exhibit_app LOGIN; END IF; END $$")
    assert run("catalog", "grant-app", "exhibit_app", "--archive", str(root)).returncode == 0
    with Archive.open(root, role="exhibit_app") as app:
        app.log_event("login", None, "analyst")  # appending is what the app does
        for sql in ("UPDATE custody SET actor='x' WHERE seq=1", "DELETE FROM custody WHERE seq=1"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                with app.catalog.transaction():
                    app.catalog.execute(sql)
        assert [e.actor for e in app.custody_events()] == ["analyst"]


def _append_many(root: str, who: str, n: int) -> None:
    with Archive.open(Path(root)) as arch:
        for i in range(n):
            arch.log_event("judgement", None, who, {"i": i})


@pytest.mark.parametrize("processes", [4])
def test_concurrent_appends_from_several_processes_make_one_unbroken_chain(
        tmp_path: Path, catalog_url: str | None, processes: int) -> None:
    root = tmp_path / "archive"
    Archive.init(root, catalog_url).close()
    ctx = multiprocessing.get_context("spawn")
    ps = [ctx.Process(target=_append_many, args=(str(root), f"p{k}", 40)) for k in range(processes)]
    for p in ps:
        p.start()
    for p in ps:
        p.join(120)
        assert p.exitcode == 0
    with Archive.open(root) as arch:
        events = arch.custody_events()
        assert custody.broken_links(arch.catalog) == []
        assert [e.seq for e in events] == list(range(1, processes * 40 + 1))
        for k in range(processes):  # nobody's events lost, each one's in its own order
            assert [e.details["i"] for e in events if e.actor == f"p{k}"] == list(range(40))


def test_grant_app_role_is_for_postgresql_only(tmp_path: Path) -> None:
    with Archive.init(tmp_path / "a") as arch, pytest.raises(ValueError):
        catalog.grant_app_role(arch.catalog, "exhibit_app")


# A capability's schema of each kind the DDL convention has (engine.py): an insertion-ordered `{row_id}`
# table, a `{serial_key}` table whose keys have gaps, a `{without_rowid}` table, bytes and NULLs.
_CAPABILITY = """
CREATE TABLE IF NOT EXISTS zz_notes ({row_id} who TEXT NOT NULL, body TEXT, raw {blob});
CREATE TABLE IF NOT EXISTS zz_items (n {serial_key}, label TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS zz_pairs (a TEXT NOT NULL, b TEXT NOT NULL, PRIMARY KEY (a, b)) {without_rowid};
"""


def _capability_rows(arch: Archive) -> dict[str, list[tuple[Any, ...]]]:
    order = arch.catalog.row_order
    return {"zz_notes": [tuple(r) for r in arch.catalog.execute(f"SELECT who, body, raw FROM zz_notes ORDER BY {order}")],
            "zz_items": [tuple(r) for r in arch.catalog.execute("SELECT n, label FROM zz_items ORDER BY n")],
            "zz_pairs": [tuple(r) for r in arch.catalog.execute("SELECT a, b FROM zz_pairs ORDER BY a, b")]}


@pytest.mark.parametrize("seed", [1, 2])
def test_a_copy_carries_every_capability_table_both_ways(tmp_path: Path, postgres_server: str, seed: int) -> None:
    import random

    rng = random.Random(seed)
    words = ["证人", "ئەركىن", "note", "", "x" * 300, "a'b", "100%"]
    root = tmp_path / "archive"
    with Archive.init(root) as arch:
        arch.catalog.ensure(_CAPABILITY)
        with arch.catalog.transaction():
            for i in range(rng.randint(5, 40)):
                arch.catalog.execute("INSERT INTO zz_notes(who, body, raw) VALUES (:w, :b, :r)",
                                     {"w": f"u{i}", "b": rng.choice(words + [None]),
                                      "r": rng.choice([None, bytes(rng.randrange(256) for _ in range(rng.randint(0, 64)))])})
            for n in sorted(rng.sample(range(1, 500), rng.randint(3, 30))):
                arch.catalog.execute("INSERT INTO zz_items(n, label) VALUES (:n, :l)", {"n": n, "l": rng.choice(words)})
            for a, b in {(rng.choice(words), rng.choice(words)) for _ in range(20)}:
                arch.catalog.execute("INSERT INTO zz_pairs(a, b) VALUES (:a, :b)", {"a": a, "b": b})
        before = _capability_rows(arch)

    there = run_json("catalog", "copy", "--to", new_database(postgres_server), "--archive", str(root))
    assert there["counts"]["zz_notes"] == len(before["zz_notes"]) and there["counts"]["zz_items"] == len(before["zz_items"])
    with Archive.open(root) as arch:
        assert arch.dialect is Dialect.POSTGRESQL
        assert _capability_rows(arch) == before
        # the copy's keys go on after the largest one copied, as they would have on the source
        new = arch.catalog.execute("INSERT INTO zz_items(label) VALUES (:l) RETURNING n", {"l": "next"}).fetchone()[0]
        assert new == before["zz_items"][-1][0] + 1
        arch.catalog.execute("DELETE FROM zz_items WHERE n = :n", {"n": new})
    for old in root.glob("catalog.sqlite.moved*"):
        old.unlink()
    run_json("catalog", "copy", "--to", "sqlite", "--archive", str(root))
    with Archive.open(root) as arch:
        assert arch.dialect is Dialect.SQLITE and _capability_rows(arch) == before
