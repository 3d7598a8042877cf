"""verify: passes on a fresh archive; a flipped byte, a deleted blob or an edited custody row fail it by name.
Each test runs on both catalog engines (`engine_archive`: SQLite in the folder, and PostgreSQL)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg

from exhibit.archive import Archive, catalog_url_of
from exhibit.archive.verify import manifest, verify

EXHIBIT = [sys.executable, "-m", "exhibit.cli"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EXHIBIT, *args], capture_output=True, text=True, timeout=600)


def _some_exhibit(root: Path) -> tuple[str, str]:
    with Archive.open(root) as arch:
        r = arch.catalog.execute("SELECT seq, sha256 FROM exhibits WHERE size > 100 ORDER BY seq LIMIT 1").fetchone()
        return f"EX-{r['seq']:06d}", r["sha256"]


def test_verify_passes_on_a_fresh_archive_and_prints_a_manifest(engine_archive: Path) -> None:
    res = run("verify", "--json", "--archive", str(engine_archive))
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["ok"] is True and doc["problems"] == []
    with Archive.open(engine_archive) as arch:
        digest, lines = manifest(arch)
        assert doc["manifest_sha256"] == digest
        assert doc["exhibits"] == arch.catalog.execute("SELECT count(*) FROM exhibits").fetchone()[0]
        assert all(len(line.split("  ", 1)[0]) == 64 for line in lines)


def test_flipping_one_byte_of_a_blob_fails_verify_naming_the_exhibit(engine_archive: Path) -> None:
    ex, sha = _some_exhibit(engine_archive)
    blob = engine_archive / "blobs" / sha[:2] / sha[2:4] / sha
    os.chmod(blob, 0o644)
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))
    res = run("verify", "--json", "--archive", str(engine_archive))
    assert res.returncode == 1
    problems = json.loads(res.stdout)["problems"]
    assert {"id": ex, "sha256": sha, "problem": "altered"}.items() <= problems[0].items()


def test_a_deleted_blob_fails_verify_as_missing(engine_archive: Path) -> None:
    ex, sha = _some_exhibit(engine_archive)
    (engine_archive / "blobs" / sha[:2] / sha[2:4] / sha).unlink()
    res = run("verify", "--json", "--archive", str(engine_archive))
    assert res.returncode == 1
    assert [(p["id"], p["problem"]) for p in json.loads(res.stdout)["problems"]] == [(ex, "missing")]


def _tamper(root: Path, sha: str) -> None:
    """What a tamperer with the database's own tools would do: drop the append-only guard, edit a row."""
    url = catalog_url_of(root)
    if url is None:
        db = sqlite3.connect(root / "catalog.sqlite")
        db.execute("DROP TRIGGER custody_no_update")
        db.execute("UPDATE custody SET actor='someone-else' WHERE exhibit_sha256=? AND event='received'", (sha,))
        db.commit()
        db.close()
        return
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE custody DISABLE TRIGGER custody_no_change")
        conn.execute("UPDATE custody SET actor='someone-else' WHERE exhibit_sha256=%s AND event='received'", (sha,))


def test_an_edited_custody_row_breaks_the_chain_and_names_the_exhibit(engine_archive: Path) -> None:
    ex, sha = _some_exhibit(engine_archive)
    _tamper(engine_archive, sha)  # verify must notice the edit anyway
    res = run("verify", "--json", "--archive", str(engine_archive))
    assert res.returncode == 1
    problems = json.loads(res.stdout)["problems"]
    assert any(p["id"] == ex and p["problem"] == "chain_broken" for p in problems)


def test_the_custody_log_refuses_updates_and_deletes(engine_archive: Path) -> None:
    with Archive.open(engine_archive) as arch:
        before = len(arch.custody_events())
        for sql in ("UPDATE custody SET actor='x'", "DELETE FROM custody"):
            try:
                with arch.catalog.transaction():
                    arch.catalog.execute(sql)
            except (sqlite3.DatabaseError, psycopg.Error) as e:  # either engine's trigger, in its words
                assert "append-only" in str(e)
            else:
                raise AssertionError(f"{sql} was allowed")
        assert len(arch.custody_events()) == before


def test_verify_records_itself_in_the_custody_log(engine_archive: Path) -> None:
    with Archive.open(engine_archive) as arch:
        before = len(arch.custody_events())
        result = verify(arch, actor="auditor")
        events = arch.custody_events()
    assert len(events) == before + 1
    assert events[-1].event == "verified" and events[-1].actor == "auditor"
    assert events[-1].details["manifest_sha256"] == result["manifest_sha256"]
