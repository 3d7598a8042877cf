"""A process killed with SIGKILL at any moment, then run again, leaves an archive that verifies with
every file present exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from exhibit.archive import Archive
from exhibit.archive.verify import verify


def _count(root: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{root / 'catalog.sqlite'}?mode=ro", uri=True, timeout=1)
        try:
            return int(db.execute("SELECT count(*) FROM exhibits").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def _ingest_cmd(src: Path, root: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "exhibit.cli", "ingest", str(src), "--archive", str(root), "--no-ocr",
            "--jobs", str(jobs)]


def _snapshot(root: Path) -> set[tuple[str, str]]:
    with Archive.open(root) as arch:
        return {(r["sha256"], r["path"]) for r in arch.db.execute(
            "SELECT e.sha256, p.path FROM paths p JOIN exhibits e ON e.seq = p.exhibit_seq")}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> set[tuple[str, str]]:
    root = tmp_path_factory.mktemp("ref") / "archive"
    subprocess.run(_ingest_cmd(corpus_dir, root, 1), check=True, capture_output=True, timeout=900)
    return _snapshot(root)


@pytest.mark.slow
@pytest.mark.parametrize("kill_after,jobs", [(-1, 1), (0, 1), (3, 1), (9, 2), (15, 1), (22, 2)])
def test_sigkill_then_rerun_verifies_with_everything_exactly_once(
        kill_after: int, jobs: int, tmp_path: Path, corpus_dir: Path, reference: set[tuple[str, str]]) -> None:
    root = tmp_path / "archive"
    proc = subprocess.Popen(_ingest_cmd(corpus_dir, root, jobs), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    if kill_after < 0:
        time.sleep(0.3)  # early: while starting up and storing the first blobs
    else:
        while _count(root) <= kill_after and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    subprocess.run(_ingest_cmd(corpus_dir, root, jobs), check=True, capture_output=True, timeout=900)
    with Archive.open(root) as arch:
        result = verify(arch, record=False)
        assert result["ok"], result["problems"]
        dup_paths = arch.db.execute("SELECT path, count(*) FROM paths GROUP BY path HAVING count(*) > 1").fetchall()
        assert not dup_paths
    assert _snapshot(root) == reference
