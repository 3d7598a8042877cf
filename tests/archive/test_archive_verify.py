"""verify: passes on a fresh archive; a flipped byte, a deleted blob or an edited custody row fail it by name."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from exhibit.archive import Archive
from exhibit.archive.verify import manifest, verify

EXHIBIT = [sys.executable, "-m", "exhibit.cli"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EXHIBIT, *args], capture_output=True, text=True, timeout=600)


def _some_exhibit(root: Path) -> tuple[str, str]:
    with Archive.open(root) as arch:
        r = arch.db.execute("SELECT seq, sha256 FROM exhibits WHERE size > 100 ORDER BY seq LIMIT 1").fetchone()
        return f"EX-{r['seq']:06d}", r["sha256"]


def test_verify_passes_on_a_fresh_archive_and_prints_a_manifest(copy_archive: Path) -> None:
    res = run("verify", "--json", "--archive", str(copy_archive))
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["ok"] is True and doc["problems"] == []
    with Archive.open(copy_archive) as arch:
        digest, lines = manifest(arch)
        assert doc["manifest_sha256"] == digest
        assert doc["exhibits"] == arch.db.execute("SELECT count(*) FROM exhibits").fetchone()[0]
        assert all(len(line.split("  ", 1)[0]) == 64 for line in lines)


def test_flipping_one_byte_of_a_blob_fails_verify_naming_the_exhibit(copy_archive: Path) -> None:
    ex, sha = _some_exhibit(copy_archive)
    blob = copy_archive / "blobs" / sha[:2] / sha[2:4] / sha
    os.chmod(blob, 0o644)
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))
    res = run("verify", "--json", "--archive", str(copy_archive))
    assert res.returncode == 1
    problems = json.loads(res.stdout)["problems"]
    assert {"id": ex, "sha256": sha, "problem": "altered"}.items() <= problems[0].items()


def test_a_deleted_blob_fails_verify_as_missing(copy_archive: Path) -> None:
    ex, sha = _some_exhibit(copy_archive)
    (copy_archive / "blobs" / sha[:2] / sha[2:4] / sha).unlink()
    res = run("verify", "--json", "--archive", str(copy_archive))
    assert res.returncode == 1
    assert [(p["id"], p["problem"]) for p in json.loads(res.stdout)["problems"]] == [(ex, "missing")]


def test_an_edited_custody_row_breaks_the_chain_and_names_the_exhibit(copy_archive: Path) -> None:
    ex, sha = _some_exhibit(copy_archive)
    db = sqlite3.connect(copy_archive / "catalog.sqlite")
    # A tamperer must first drop the append-only guard; verify must notice the edit anyway.
    db.execute("DROP TRIGGER custody_no_update")
    db.execute("UPDATE custody SET actor='someone-else' WHERE exhibit_sha256=? AND event='received'", (sha,))
    db.commit()
    db.close()
    res = run("verify", "--json", "--archive", str(copy_archive))
    assert res.returncode == 1
    problems = json.loads(res.stdout)["problems"]
    assert any(p["id"] == ex and p["problem"] == "chain_broken" for p in problems)


def test_the_custody_log_refuses_updates_and_deletes(copy_archive: Path) -> None:
    db = sqlite3.connect(copy_archive / "catalog.sqlite")
    for sql in ("UPDATE custody SET actor='x'", "DELETE FROM custody"):
        try:
            db.execute(sql)
        except sqlite3.DatabaseError as e:
            assert "append-only" in str(e)
        else:
            raise AssertionError(f"{sql} was allowed")


def test_verify_records_itself_in_the_custody_log(copy_archive: Path) -> None:
    with Archive.open(copy_archive) as arch:
        before = len(arch.custody_events())
        result = verify(arch, actor="auditor")
        events = arch.custody_events()
    assert len(events) == before + 1
    assert events[-1].event == "verified" and events[-1].actor == "auditor"
    assert events[-1].details["manifest_sha256"] == result["manifest_sha256"]
