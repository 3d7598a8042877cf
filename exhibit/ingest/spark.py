"""Ingest on Apache Spark: the driver walks and stores the bytes, executors extract the stored blobs.

The order of work is the local ingest's (ingest/run.py), with the parsing moved to a cluster:
  1. the driver stores each file's bytes in the blob store (the archive folder, which the executors read
     from a shared path: NFS or a mounted object store, see docs/scale.md);
  2. Spark tasks extract the stored blobs (`worker.process_stored`), each Python worker loading its engines
     once (`worker.init` on its first task, kept while Spark reuses the worker) and parsing under the same
     per-file limits as a local worker;
  3. the driver catalogs the results through the archive's one write path, one transaction per chunk.
A task whose Python worker dies is retried by Spark (`local[N,F]` or `spark.task.maxFailures`); a chunk
whose job still fails is parsed again on this machine, each file alone in a contained worker process, so
that the file that kills its worker is found and listed with the reason. Nothing is lost: the bytes were
stored in step 1, and a repeated run catalogs what a killed run did not.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from py4j.protocol import Py4JError, Py4JJavaError

from exhibit.archive import Archive, scratch
from exhibit.archive.writer import IngestWriter, StoredFile
from exhibit.config import Config
from exhibit.errors import UserError
from exhibit.ingest import worker
from exhibit.ingest.walk import Task
from exhibit.progress import Progress

Item = tuple[IngestWriter, Task]
T = TypeVar("T")
R = TypeVar("R")
Finish = Callable[[list[tuple[IngestWriter, Task, StoredFile]]], None]

# Files per Spark job: enough tasks to keep every executor busy, few enough that the driver's memory and
# the work lost to a failed job stay small, and that the catalog grows while the ingest runs.
CHUNK_FILES = 256
JOBS_IN_FLIGHT = 2
STORE_THREADS = 4


@dataclass(frozen=True)
class _Stored:
    """One file whose bytes are in the blob store: what an executor needs to parse it."""

    index: int
    task: Task
    sha256: str
    size: int


@dataclass
class SparkRun:
    """What the cluster did: files parsed by executors, and those of failed jobs left for the caller."""

    parsed: int = 0
    failed_jobs: int = 0
    retry: list[Item] = field(default_factory=list)


def run(arch: Archive, config: Config, master: str, items: Iterator[Item], finish: Finish,
        progress: Progress) -> SparkRun:
    """Parse `items` on Spark; the files whose Spark job failed are returned, for the caller to parse alone.

    Three things overlap, as in a local ingest: this process stores the next chunk's bytes while Spark
    parses the one before it (up to JOBS_IN_FLIGHT jobs queued, so that no executor waits for the driver)
    and the one before that is written into the catalog. The JVM and the Spark context start (about six
    seconds) in the background while the first chunks' bytes are stored."""
    starting = ThreadPoolExecutor(1, thread_name_prefix="spark-start")
    context = starting.submit(_context, arch, master)
    starting.shutdown(wait=False)
    out = SparkRun()
    extract = _extractor(str(arch.root), config)

    def parse(stored: list[_Stored]) -> dict[int, StoredFile]:
        sc = context.result()  # a Spark that did not start raises its UserError here, in the first job
        slices = max(1, min(len(stored), sc.defaultParallelism * 2))
        return dict(sc.parallelize(stored, slices).mapPartitions(extract).collect())

    def catalog(job: Future[dict[int, StoredFile]], stored: list[tuple[IngestWriter, Task, _Stored]]) -> None:
        try:
            results = job.result()
        except Py4JJavaError as e:  # the job failed after Spark's retries (a worker died on a file)
            out.failed_jobs += 1
            out.retry.extend((w, task) for w, task, _ in stored)
            progress.note(f"a Spark job failed ({_first_line(e)}); its {len(stored)} files are parsed "
                          "again on this machine, each alone")
            return
        out.parsed += len(stored)
        finish([(w, task, results[s.index]) for w, task, s in stored])

    in_flight: deque[tuple[Future[dict[int, StoredFile]], list[tuple[IngestWriter, Task, _Stored]]]] = deque()
    try:
        # Spark runs jobs submitted from several threads at once: one thread per job in flight.
        with ThreadPoolExecutor(JOBS_IN_FLIGHT, thread_name_prefix="spark-job") as jobs, \
                ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="store") as storers:
            while chunk := _take(items, CHUNK_FILES):
                stored: list[tuple[IngestWriter, Task, _Stored]] = []
                # Hashing and fsync release the GIL: a few threads store the chunk as fast as the local
                # ingest's workers do.
                for (w, task), s in zip(chunk, storers.map(lambda item: worker.store(arch.blobs, item[1], arch.root),
                                                           chunk), strict=True):
                    progress.working_on(task.rel)
                    if isinstance(s, StoredFile):  # unreadable: nothing stored, listed by the writer's caller
                        finish([(w, task, s)])
                        continue
                    stored.append((w, task, _Stored(len(stored), task, *s)))
                if stored:
                    in_flight.append((jobs.submit(parse, [s for _, _, s in stored]), stored))
                while len(in_flight) >= JOBS_IN_FLIGHT or (in_flight and in_flight[0][0].done()):
                    catalog(*in_flight.popleft())
            while in_flight:
                catalog(*in_flight.popleft())
            context.result()  # a cache with nothing to parse still says when Spark did not start
    finally:
        if context.exception() is None:  # waits for a context still starting, then stops it
            _stop(context.result())
    return out


def map_files(arch: Archive, master: str, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[T, R]]:
    """`fn` over `items` in Spark tasks (`exhibit ocr --spark`), chunk by chunk, each item with its result in
    the order given; a chunk whose Spark job fails is run again here, in this process."""
    sc = _context(arch, master)
    root = str(arch.root)
    try:
        it = iter(items)
        while chunk := list(islice(it, CHUNK_FILES)):
            slices = max(1, min(len(chunk), sc.defaultParallelism * 4))
            try:
                got = dict(sc.parallelize(list(enumerate(chunk)), slices).mapPartitions(_mapper(root, fn)).collect())
            except Py4JJavaError:
                got = {i: fn(x) for i, x in enumerate(chunk)}
            yield from ((x, got[i]) for i, x in enumerate(chunk))
    finally:
        _stop(sc)


def _mapper(root: str, fn: Callable[[T], R]) -> Callable[[Iterator[tuple[int, T]]], Iterator[tuple[int, R]]]:
    def apply(part: Iterator[tuple[int, T]]) -> Iterator[tuple[int, R]]:
        worker.confine_once(root)  # engines write nothing outside the archive folder, on an executor too
        for i, x in part:
            yield i, fn(x)

    return apply


def _take(items: Iterator[Item], n: int) -> list[Item]:
    return list(islice(items, n))


def _extractor(root: str, config: Config) -> Callable[[Iterator[_Stored]], Iterator[tuple[int, StoredFile]]]:
    """The function a Spark task runs over its files (shipped to executors by cloudpickle)."""

    def extract(files: Iterator[_Stored]) -> Iterator[tuple[int, StoredFile]]:
        worker.init_once(root, config)
        for f in files:
            yield f.index, worker.process_stored(f.task, f.sha256, f.size)

    return extract


def _stop(sc: Any) -> None:
    """Stop the context and the JVM it ran in. That JVM's class path and temp folder (inside this archive's
    scratch) were this run's: a later Spark user in the same process (a test session, a notebook, splink's
    Spark backend with its own jars) must start a JVM of its own rather than inherit this one."""
    from pyspark import SparkContext

    sc.stop()
    with SparkContext._lock:
        gateway, SparkContext._gateway, SparkContext._jvm = SparkContext._gateway, None, None
    if gateway is None:
        return
    proc = getattr(gateway, "proc", None)
    gateway.shutdown()
    if proc is not None:
        if proc.stdin:
            proc.stdin.close()  # PySpark's gateway server exits when its stdin closes
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _context(arch: Archive, master: str) -> Any:
    # imported here: loading pyspark costs a second, and only --spark needs it
    from pyspark import SparkConf, SparkContext

    # Spark's own scratch (shuffle and block files, the driver's temp files) stays inside the archive
    # folder like every other engine's (docs/ingest.md, "What ingest writes where").
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # a local run listens on loopback only
    local = scratch.folder(arch.root / "tmp") / "spark"
    local.mkdir(exist_ok=True)
    java_tmp = f"-Djava.io.tmpdir={local}"
    conf = (SparkConf().setMaster(master).setAppName(f"exhibit ingest {arch.root.name}")
            .set("spark.ui.enabled", "false")
            .set("spark.ui.showConsoleProgress", "false")  # exhibit draws its own progress bar
            .set("spark.local.dir", str(local))
            .set("spark.driver.extraJavaOptions", java_tmp)
            .set("spark.executor.extraJavaOptions", java_tmp)
            .set("spark.driver.host", os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"))
            .set("spark.driver.bindAddress", os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"))
            .set("spark.task.maxFailures", "4")  # on a cluster; in local mode say local[N,F]
            .set("spark.python.worker.reuse", "true"))  # engines loaded once per Python worker
    # Executors run this Python (the one with exhibit and its engines installed) unless the cluster says
    # otherwise: Spark's default, `python3` on the PATH, may be another installation. PySpark reads the
    # variable when the context starts (its `spark.pyspark.python` setting was not honoured in local mode).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    try:
        sc = SparkContext(conf=conf)
        sc.setLogLevel("ERROR")
        return sc
    except (Py4JError, RuntimeError, OSError) as e:  # a JVM that does not start, a master that does not answer
        raise UserError(f"--spark {master}: Spark did not start ({_first_line(e)}). Check the master URL and "
                        "that Java 17 is installed (java -version), then try again.") from e


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return (text.splitlines() or [type(e).__name__])[0][:300]


def shared_path_note(root: Path) -> str:
    """What executors on other machines need (printed by the CLI when the master is not local)."""
    return (f"executors read and write the archive folder {root} (blobs, scratch): it must be mounted at the "
            "same path on every machine of the cluster")
