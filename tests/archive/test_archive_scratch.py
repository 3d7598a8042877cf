"""Scratch space: opening an archive removes what dead processes left in tmp/, never what a live process
(an ingest's worker, the web app) is writing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from exhibit.archive import Archive
from exhibit.archive.verify import verify
from exhibit.config import Config
from exhibit.ingest import ingest

HOLDER = """
import sys, time
from pathlib import Path
from exhibit.archive import scratch
d = scratch.folder(Path(sys.argv[1]))
(d / "half-written").write_bytes(b"x" * 1000)
print(d, flush=True)
time.sleep(120)
"""


def test_open_keeps_a_live_process_scratch_and_removes_a_dead_one(tmp_path: Path) -> None:
    root = tmp_path / "arch"
    Archive.init(root).close()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(root / "tmp")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        theirs = Path(holder.stdout.readline().strip())
        assert (theirs / "half-written").exists()
        Archive.open(root).close()
        assert (theirs / "half-written").exists()  # alive: kept
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    arch = Archive.open(root)  # dead: removed
    assert not theirs.exists()
    assert arch.tmp_dir.is_dir() and arch.tmp_dir != theirs
    arch.close()


def test_opening_the_archive_during_an_ingest_does_not_disturb_it(tmp_path: Path) -> None:
    src = tmp_path / "cache"
    src.mkdir()
    for i in range(24):
        (src / f"note{i:02d}.txt").write_text(f"第{i}号 通知", encoding="utf-8")
        (src / f"scan{i:02d}.bin").write_bytes(os.urandom(3 << 20))  # blobs that take a moment to write
    root = tmp_path / "arch"
    arch = Archive.init(root)
    done = threading.Event()
    opened = []

    def meanwhile() -> None:  # e.g. `exhibit ls` or the web app opening the archive again and again
        while not done.is_set():
            Archive.open(root).close()
            opened.append(1)

    t = threading.Thread(target=meanwhile)
    t.start()
    try:
        summary = ingest(arch, [src], Config(jobs=2, ocr=False, custodian="pytest"))
    finally:
        done.set()
        t.join()
    assert len(opened) > 10
    assert summary.new_exhibits == 48 and not summary.problems, summary.problems
    assert verify(arch)["ok"]
    arch.close()
