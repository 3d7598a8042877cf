"""Running an ingest: walk the given paths, feed the files to worker processes, catalogue their results.

Order of work for each file, chosen so that a kill -9 at any moment leaves a consistent archive:
  1. the bytes go into the blob store (temporary file, fsync, atomic rename), in a worker;
  2. the file is parsed in that worker (members of containers are stored and parsed there too);
  3. the main process writes the exhibit, its paths, pages, tables and custody events in ONE transaction
     (with the other files of its worker batch), through the archive's writer.
A rerun finds the blob already stored and the catalog without the file, and simply does step 2-3 again.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from exhibit.archive import Archive, custody, ex_id
from exhibit.archive.types import Status
from exhibit.archive.writer import IngestWriter, StoredFile
from exhibit.config import Config, Limits
from exhibit.ingest import contain, worker
from exhibit.ingest.walk import Task, count_files, shown_path, walk
from exhibit.progress import SILENT, Progress


@dataclass
class Summary:
    files: int = 0
    new_exhibits: int = 0
    new_paths: int = 0
    unchanged: int = 0
    bytes: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    problems: list[dict[str, str | None]] = field(default_factory=list)  # id None: nothing could be stored
    spark: dict[str, Any] | None = None  # with --spark: the master, files parsed there, failed jobs

    def as_json(self) -> dict[str, Any]:
        out = {"files": self.files, "new_exhibits": self.new_exhibits, "new_paths": self.new_paths,
               "unchanged": self.unchanged, "bytes": self.bytes, "by_status": dict(self.by_status),
               "problems": self.problems}
        if self.spark is not None:
            out["spark"] = self.spark
        return out

    def problem(self, id: str | None, path: str, status: Status, reason: str | None,
                target: str | None = None) -> None:
        entry = {"id": id, "path": path, "status": str(status), "reason": reason or ""}
        if target is not None:
            entry["target"] = target
        self.problems.append(entry)


Item = tuple[IngestWriter, Task]


def ingest(arch: Archive, paths: list[Path], config: Config, progress: Progress = SILENT) -> Summary:
    """Preserve and process files and folders. Progress: one unit per file (its size in bytes, whether it
    or a member had a problem); the total is given once a thread has counted the files, while the ingest
    already runs."""
    actor = config.custodian or custody.os_user()
    source = config.source or ""
    summary = Summary()
    for p in paths:
        if not p.is_symlink() and not p.exists():  # a dangling link is listed as a link, not refused
            raise FileNotFoundError(f"{shown_path(p)}: no such file or folder")
    progress.start("ingest")
    counter = threading.Thread(target=lambda: progress.total(count_files(paths)), daemon=True)
    counter.start()

    def unreadable(path: str, reason: str) -> None:
        summary.problem(None, path, Status.UNREADABLE, reason)

    def link(path: str, target: str) -> None:
        # The one rule for links, wherever they are (see ingest.walk): listed with the target, not followed.
        summary.problem(None, path, Status.LINK, f"a link to {target}, not followed (links never are): "
                        "ingest the target itself if it belongs to the cache", target)

    writers: dict[str, IngestWriter] = {}

    def new_tasks() -> Iterator[Item]:
        """The files to process, streamed from the walk: memory does not grow with the size of the cache."""
        fresh: dict[str, bool] = {}  # roots never ingested before: no per-file lookups needed
        for root, task in walk(paths, unreadable, link):
            label = shown_path(root)
            w = writers.get(label)
            if w is None:
                w = writers[label] = IngestWriter(arch, actor, label, source)
                fresh[label] = not w.root_seen_before()
            summary.files += 1
            summary.bytes += task.size
            if not fresh[label] and w.unchanged(task.seen_key, task.size, task.mtime_ns):
                summary.unchanged += 1
                progress.advance(1, task.rel)
                continue
            yield w, task

    def finish(done: list[tuple[IngestWriter, Task, StoredFile]]) -> None:
        """Catalog the files of one batch in one transaction: a commit per file was most of the single
        writer's time, and the writer's time is what limits --jobs. A kill in the middle loses the batch's
        catalog rows together (their blobs are stored; a rerun catalogs them again)."""
        if not done:
            return
        try:
            with arch.custody_batch() as log:
                for w, task, node in done:
                    if not node.sha256:  # unreadable: no bytes, no exhibit; listed, and not remembered as seen
                        summary.problem(None, node.name, node.status, node.reason)
                        continue
                    for written in w.write(log, node, task.seen_key, task.size, task.mtime_ns):
                        if not written.new_exhibit:
                            summary.new_paths += 1
                            continue
                        summary.new_exhibits += 1
                        summary.by_status[str(written.status)] += 1
                        if written.status != Status.OK:
                            summary.problem(ex_id(written.seq), written.path, written.status, written.reason)
        finally:
            for _, _, node in done:
                node.remove_spools()
        for _, task, node in done:
            progress.advance(1, task.rel, failed=int(node.has_problem()), nbytes=task.size)

    # Workers are processes even with --jobs 1: a parser that crashes (a segfault on a hostile file)
    # takes down its worker, never the ingest. The window of tasks in flight is bounded, so memory
    # stays flat whatever the size of the cache.
    suspects: list[Item] = []
    if config.spark:
        from exhibit.ingest import spark  # here: py4j and pyspark load only for --spark

        # Parsed on the cluster; the files of a failed Spark job are the suspects, each parsed alone here.
        on_spark = spark.run(arch, config, config.spark, new_tasks(), finish, progress)
        suspects = on_spark.retry
        summary.spark = {"master": config.spark, "parsed": on_spark.parsed, "failed_jobs": on_spark.failed_jobs,
                         "parsed_here": len(suspects)}
        feed = _Feed(iter(()))
    else:
        feed = _Feed(new_tasks())
    while feed or suspects:
        if feed:
            suspects.extend(_run_pool(arch, config, feed, config.jobs, finish, progress).in_flight)
        else:
            # Tasks that were in flight when a worker died (or was killed for overrunning its file's
            # wall time): retry each alone to find the culprit.
            one = suspects.pop()
            again = _run_pool(arch, config, _Feed(iter([one])), 1, finish, progress)
            finish([(w, task, _crashed(arch, task, config.limits if again.overran else None)) for w, task in again.in_flight])
    counter.join()  # the total is given before the end, however fast the files went (a small cache, a busy machine)
    progress.finish()
    return summary


class _Feed:
    """Tasks pulled from an iterator one at a time, with a look at the next one (for batching by size)."""

    def __init__(self, items: Iterator[Item]) -> None:
        self._items = items
        self._next: Item | None = None
        self._done = False

    def peek(self) -> Item | None:
        if self._next is None and not self._done:
            self._next = next(self._items, None)
            self._done = self._next is None
        return self._next

    def pop(self) -> Item:
        item = self.peek()
        assert item is not None
        self._next = None
        return item

    def __bool__(self) -> bool:
        return self.peek() is not None


# Small files travel to the workers in batches: one round trip per batch instead of per file.
BATCH_FILES = 16
BATCH_BYTES = 4 * 1024 * 1024


def _next_batch(feed: _Feed) -> list[Item]:
    batch = [feed.pop()]
    size = batch[0][1].size
    while len(batch) < BATCH_FILES and (nxt := feed.peek()) is not None and size + nxt[1].size <= BATCH_BYTES:
        batch.append(feed.pop())
        size += nxt[1].size
    return batch


def _new_pool(arch: Archive, config: Config, jobs: int) -> tuple[ProcessPoolExecutor, contain.Board]:
    # spawn, not forkserver: the forkserver listens on a socket in a folder of the system temp folder
    # (multiprocessing makes `$TMPDIR/pymp-*`), and nothing may be written outside the archive (docs/ingest.md,
    # "What ingest writes where"); the archive's own folder cannot hold it, since a socket's path is limited to
    # 107 bytes. Spawned workers talk over pipes; like the forkserver's, they are never a fork of this process.
    ctx = get_context("spawn")
    board = contain.Board(ctx, jobs)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=worker.init,
                               initargs=(str(arch.root), config, board))
    for _ in range(jobs):
        pool.submit(worker.ready)  # the workers start (and import their parsers) while the first batch is gathered
    return pool, board


@dataclass
class _Stopped:
    """Why a pool stopped early: the tasks in flight when a worker died, and whether the main process
    killed a worker because its file overran the wall-time limit (a parser stuck in C)."""

    in_flight: list[Item] = field(default_factory=list)
    overran: bool = False


# How often the main process looks at the workers' deadlines.
_WATCH_EVERY = 1.0


def _run_pool(arch: Archive, config: Config, feed: _Feed, jobs: int,
              finish: Callable[[list[tuple[IngestWriter, Task, StoredFile]]], None],
              progress: Progress) -> _Stopped:
    """Run tasks from `feed` until it is empty or a worker dies; returns the tasks that were in flight
    when a worker died."""
    window = jobs * 2
    overran = False
    pool, board = _new_pool(arch, config, jobs)
    with pool:
        pending: dict[Future[list[StoredFile]], list[Item]] = {}
        while feed or pending:
            while len(pending) < window and feed:
                batch = _next_batch(feed)
                for _, task in batch:
                    progress.working_on(task.rel)
                pending[pool.submit(worker.process_batch, [t for _, t in batch])] = batch
            done, _ = wait(pending, timeout=_WATCH_EVERY, return_when=FIRST_COMPLETED)
            for pid in board.overdue(time.monotonic()):
                # A worker that did not stop at its file's wall-time limit gets no Python control back
                # (stuck in C): killed, which breaks the pool; its files are then retried alone.
                overran = True
                _kill(pid)
            for fut in done:
                batch = pending.pop(fut)
                try:
                    nodes = fut.result()
                except BrokenProcessPool:
                    return _Stopped([*batch, *(item for b in pending.values() for item in b)], overran)
                finish([(w, task, node) for (w, task), node in zip(batch, nodes, strict=True)])
    return _Stopped()


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # it finished meanwhile


def _crashed(arch: Archive, task: Task, overran: Limits | None = None) -> StoredFile:
    """The record of a file whose parser killed its worker, or was killed for overrunning its wall
    time (`overran`: the limits it overran) while read alone: the bytes are stored all the same."""
    stored = worker.store(arch.blobs, task, arch.root)
    if isinstance(stored, StoredFile):
        return stored
    sha, size = stored
    if overran is not None:
        return StoredFile(name=task.rel, sha256=sha, size=size, status=Status.EXPANSION_LIMIT, media_type=None,
                          reason=f"{contain.wall_reason(overran)}; the parser did not stop and "
                                 "its worker process was killed; the bytes are preserved")
    return StoredFile(name=task.rel, sha256=sha, size=size, status=Status.FAILED, media_type=None,
                      reason="the parser crashed on this file (its worker process died, e.g. killed by the "
                             "kernel for lack of memory: --max-memory-mb bounds a worker's memory); the bytes "
                             "are preserved")
