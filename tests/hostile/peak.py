"""The peak memory of the test process and its whole process tree (the ingest's workers), sampled in a thread."""

from __future__ import annotations

import threading
import time

import psutil


class TreePeak:
    """The peak resident memory of this process and all its descendants, and of any one worker's address
    space, sampled in a thread."""

    def __init__(self) -> None:
        self.rss = 0
        self.worker_vms = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = me.memory_info().rss
            for child in me.children(recursive=True):
                try:
                    mi = child.memory_info()
                except psutil.Error:
                    continue
                total += mi.rss
                self.worker_vms = max(self.worker_vms, mi.vms)
            self.rss = max(self.rss, total)
            time.sleep(0.02)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
