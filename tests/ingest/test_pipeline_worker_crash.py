"""A worker process that dies in the middle of a file (as a parser segfault would kill it) does not stop
the ingest: the files in flight are retried alone, and every file ends catalogued, the archive verifying."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

import psutil

from exhibit.archive import Archive
from exhibit.archive.verify import verify
from exhibit.config import Config
from exhibit.ingest import Summary, ingest


def _workers() -> list[psutil.Process]:
    """The pool's workers: spawned children of this process (not multiprocessing's resource tracker)."""
    workers = []
    for p in psutil.Process().children():
        try:
            if "--multiprocessing-fork" in p.cmdline():
                workers.append(p)
        except psutil.NoSuchProcess:
            continue
    return workers


def test_a_worker_killed_mid_file_does_not_stop_the_ingest(tmp_path: Path, corpus_dir: Path) -> None:
    src = tmp_path / "cache"
    src.mkdir()
    # OCR of a scan keeps the worker busy long enough to be killed in the middle of it.
    shutil.copy(corpus_dir / "scans" / "传真_情况通报_第4期.jpg", src / "fax.jpg")
    for i in range(5):
        (src / f"note{i}.txt").write_text(f"第{i}号 通知 收押", encoding="utf-8")
    root = tmp_path / "archive"
    arch = Archive.init(root)
    result: dict[str, Summary] = {}
    t = threading.Thread(target=lambda: result.setdefault(
        "s", ingest(arch, [src], Config(jobs=1, ocr=True, custodian="pytest"))))
    t.start()
    killed = 0
    deadline = time.monotonic() + 120
    while not killed and time.monotonic() < deadline and t.is_alive():
        workers = _workers()
        if workers:
            time.sleep(0.5)  # inside the first batch: loading the OCR models or reading the fax
            for w in _workers():
                os.kill(w.pid, signal.SIGKILL)
                killed += 1
        time.sleep(0.01)
    t.join(timeout=600)
    assert killed, "no worker was seen to kill"
    assert not t.is_alive() and "s" in result, "the ingest did not finish"
    paths = {p for e in (x.as_json() for x in arch.exhibits()) for p in e["paths"]}
    assert paths == {"fax.jpg", *(f"note{i}.txt" for i in range(5))}
    assert verify(arch, record=False)["ok"]
    arch.close()
