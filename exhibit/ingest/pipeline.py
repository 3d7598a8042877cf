"""The ingest pipeline: walk the given paths, store every file's bytes, extract it, write the catalog.

Order of work for each file, chosen so that a kill -9 at any moment leaves a consistent archive:
  1. the bytes go into the blob store (temporary file, fsync, atomic rename);
  2. the file is parsed in a worker (children of containers are stored and parsed there too);
  3. the main process writes the exhibit, its paths, pages, tables and custody events in ONE transaction
     (with the other files of its worker batch).
A rerun finds the blob already stored and the catalog without the file, and simply does step 2-3 again.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import orjson

from exhibit.archive import Archive, custody, ex_id, scratch
from exhibit.archive.blobs import BlobStore, sync_dirs
from exhibit.config import Config
from exhibit.errors import FileProblem, UserError
from exhibit.ingest.formats import ExpansionBudget, IngestContext
from exhibit.ingest.types import Extraction, Page


@dataclass
class TableResult:
    name: str
    page: int | None
    kind: str
    meta: str                  # JSON
    rows_file: str | None  # lines "number<TAB>cells JSON"; streamed into the catalog by the writer
    row_count: int


@dataclass
class Node:
    """One stored file and what was extracted from it, with its children (containers)."""

    name: str                      # path relative to the ingest root, or inside the container
    sha256: str
    size: int
    known: bool = False            # bytes already an exhibit: only the path is new
    media_type: str | None = None
    status: str = "ok"
    reason: str | None = None
    # The catalog's rows are prepared in the worker (JSON encoded, title and date picked), so that the
    # single writer process only executes them: its CPU per file is what limits --jobs scaling.
    pages: list[tuple[int, str, str | None, str | None, str]] = field(default_factory=list)
    tables: list[TableResult] = field(default_factory=list)
    metadata_json: str = "{}"
    title: str | None = None
    doc_date: str | None = None
    notes: list[str] = field(default_factory=list)
    lang: str | None = None
    children: list[Node] = field(default_factory=list)


@dataclass
class Task:
    abs_path: str
    rel: str
    size: int
    mtime_ns: int


@dataclass
class Summary:
    files: int = 0
    new_exhibits: int = 0
    new_paths: int = 0
    unchanged: int = 0
    bytes: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    problems: list[dict[str, str | None]] = field(default_factory=list)  # id None: nothing could be stored

    def as_json(self) -> dict[str, Any]:
        return {"files": self.files, "new_exhibits": self.new_exhibits, "new_paths": self.new_paths,
                "unchanged": self.unchanged, "bytes": self.bytes, "by_status": dict(self.by_status),
                "problems": self.problems}


# ---------------------------------------------------------------------------------------------
# walking


def walk(paths: list[Path], unreadable: Callable[[str, str], None] | None = None) -> Iterator[tuple[Path, Task]]:
    """(root, task) for every regular file under the given paths, in a stable order. A folder that cannot
    be listed is reported to `unreadable(path, reason)` (os.walk would skip it silently)."""
    for root in paths:
        if root.is_file():
            st = root.stat()
            yield root, Task(str(root.resolve()), root.name, st.st_size, st.st_mtime_ns)
            continue
        if not root.is_dir():
            continue
        # One lstat per file: os.walk does not follow directory links and file links are skipped, so a
        # path under the resolved root is already its real path (the walk runs before any worker works,
        # and three stats plus a realpath per file were a measurable share of a small-file ingest).
        base = str(root.resolve())

        def onerror(e: OSError, base: str = base, root: Path = root) -> None:
            if unreadable is not None:
                where = os.path.relpath(e.filename, base) if e.filename else "."
                unreadable(f"{root}/{where}" if where != "." else str(root),
                           f"the folder cannot be read ({e.strerror or e}); the files in it were not ingested. "
                           "Check its permissions and run the same ingest again")

        for dirpath, dirnames, filenames in os.walk(base, followlinks=False, onerror=onerror):
            dirnames.sort()
            rel_dir = os.path.relpath(dirpath, base)
            for fn in sorted(filenames):
                full = os.path.join(dirpath, fn)
                try:
                    st = os.lstat(full)
                except FileNotFoundError:  # gone since the folder was listed
                    continue
                if not stat.S_ISREG(st.st_mode):
                    continue
                rel = fn if rel_dir == "." else f"{rel_dir.replace(os.sep, '/')}/{fn}"
                yield root, Task(full, rel, st.st_size, st.st_mtime_ns)


def count_files(paths: list[Path]) -> int:
    """How many regular files the paths hold, from the directory entries alone (no stat per file on
    most file systems): the progress bar's total, counted while the ingest already runs."""
    n = 0
    stack = []
    for root in paths:
        if root.is_file():
            n += 1
        elif root.is_dir():
            stack.append(str(root))
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                for e in it:
                    if e.is_file(follow_symlinks=False):
                        n += 1
                    elif e.is_dir(follow_symlinks=False):
                        stack.append(e.path)
        except OSError:
            continue  # the walk itself reports unreadable folders
    return n


# ---------------------------------------------------------------------------------------------
# the worker side: store, detect, extract (runs in a worker process, or inline with --jobs 1)

_WORKER: dict[str, Any] = {}


def _worker_init(archive_root: str, config: Config) -> None:
    # One engine thread per worker: --jobs N is the parallelism, engines must not oversubscribe.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    root = Path(archive_root)
    _WORKER["root"] = root
    _WORKER["blobs"] = BlobStore(root / "blobs")
    _WORKER["config"] = config
    db = sqlite3.connect(f"file:{root / 'catalog.sqlite'}?mode=ro", uri=True, timeout=60,
                         check_same_thread=False)
    _WORKER["db"] = db
    from exhibit.ingest.formats import ingestors

    ingestors()  # import the format modules (PyMuPDF, openpyxl, ...) now, while the main process walks


def _ready() -> None:
    """A no-op task: submitting one per worker makes the pool start its processes."""


def _is_known(sha256: str) -> bool:
    return _WORKER["db"].execute("SELECT 1 FROM exhibits WHERE sha256=?", (sha256,)).fetchone() is not None


# The archive's own disk refusing a write: every further file would fail too, so the ingest stops.
_ARCHIVE_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EROFS)


def _store(blobs: BlobStore, task: Task, archive_root: Path,
           pending: list[Path] | None = None) -> tuple[str, int] | Node:
    """Store a file's bytes: (sha256, size), or the node of a file that cannot be read (permissions, gone,
    an I/O error), which has no exhibit since nothing could be preserved; the summary lists it and a rerun
    tries it again. A full or read-only archive disk stops the ingest with a message saying so."""
    try:
        return blobs.put_file(Path(task.abs_path), pending)
    except OSError as e:
        if e.errno in _ARCHIVE_FULL:
            raise UserError(f"{archive_root}: cannot store {task.rel} ({e.strerror}). Free space on the "
                            "archive's disk (or make it writable) and run the same ingest again: what was "
                            "catalogued so far is kept and is not redone.") from e
        return Node(name=task.rel, sha256="", size=task.size, status="unreadable",
                    reason=f"the file cannot be read ({e.strerror or e}); nothing was stored. Check that it is "
                           "readable and run the same ingest again")


def process_task(task: Task) -> Node:
    blobs: BlobStore = _WORKER["blobs"]
    pending: list[Path] = []
    stored = _store(blobs, task, _WORKER["root"], pending)
    if isinstance(stored, Node):
        return stored
    sha, size = stored
    # The bytes are in place and fsynced; making the folder entry durable can overlap the parsing,
    # and is finished before the result goes back to be catalogued.
    syncer = threading.Thread(target=sync_dirs, args=(pending,))
    syncer.start()
    work = Path(tempfile.mkdtemp(dir=scratch.folder(Path(_WORKER["root"]) / "tmp"), prefix="work-"))
    try:
        # One expansion budget for the whole tree of a top-level file: nested containers cannot
        # multiply the total-bytes limit by their depth.
        budget = ExpansionBudget(_WORKER["config"].limits.total_bytes)
        return _process(blobs.path(sha), task.rel, sha, size, 0, work, budget)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        syncer.join()


def _process(path: Path, name: str, sha: str, size: int, depth: int, work: Path,
             budget: ExpansionBudget) -> Node:
    node = Node(name=name, sha256=sha, size=size)
    if _is_known(sha):
        node.known = True
        return node
    config: Config = _WORKER["config"]
    # The top-level file works in the task's own folder; each child of a container gets its own.
    workdir = work if depth == 0 else Path(tempfile.mkdtemp(dir=work, prefix="x-"))
    ctx = IngestContext(workdir=workdir, limits=config.limits,
                        passwords=config.passwords, ocr_langs=config.ocr_langs, depth=depth,
                        ocr=config.ocr, ocr_cache=Path(_WORKER["root"]) / "ocr-cache.sqlite", budget=budget)
    ext = _extract(path, name, size, ctx, node)
    node.notes = list(ctx.notes)
    if ext is not None:
        node.media_type = ext.media_type
        pages = list(ext.pages)
        node.lang = doc_lang(pages)
        node.pages = [(p.number, p.text, p.source, p.lang, json.dumps(p.meta, ensure_ascii=False, default=str))
                      for p in pages]
        del pages
        meta = ext.metadata
        node.metadata_json = json.dumps(meta, ensure_ascii=False, default=str)
        title = meta.get("title") or meta.get("subject")
        node.title = title if isinstance(title, str) else None
        node.doc_date = _doc_date(meta)
        if ext.status != "ok" and node.status == "ok":
            node.status, node.reason = ext.status, ext.reason
        # Table rows are generators: a sheet damaged halfway fails while it streams, here, and keeps the
        # rows read so far.
        for t in ext.tables:
            spooled, problem = _spool_table(t, work)
            node.tables.append(spooled)
            if problem is not None and node.status == "ok":
                node.status, node.reason = problem
        blobs: BlobStore = _WORKER["blobs"]
        for child in ext.children:
            csha, csize = blobs.put_file(Path(child.path))
            cnode = _process(blobs.path(csha), child.name, csha, csize, depth + 1, work, budget)
            if child.status and cnode.status == "ok":
                cnode.status, cnode.reason = child.status, child.reason
            Path(child.path).unlink(missing_ok=True)
            node.children.append(cnode)
    if depth > 0:
        shutil.rmtree(ctx.workdir, ignore_errors=True)
    return node


# What a third-party parser raises on input it does not expect; recorded on the exhibit as `failed`.
PARSER_ERRORS = (ValueError, KeyError, IndexError, TypeError, AttributeError, RuntimeError, OSError,
                 UnicodeError, MemoryError, RecursionError, EOFError, LookupError)


def _extract(path: Path, name: str, size: int, ctx: IngestContext, node: Node) -> Extraction | None:
    from exhibit.ingest.detect import detect
    from exhibit.ingest.formats import choose

    if size == 0:
        node.status, node.reason = "empty", "the file has zero bytes"
        node.media_type = "application/octet-stream"
        return None
    try:
        d = detect(path, name)
        node.media_type = d.media_type
        ext = choose(d.media_type, name).ingest(path, ctx)
        if d.mislabelled and ext.status == "ok":
            ext.status, ext.reason = "mislabelled", d.reason or f"content is {d.media_type}, not what the name says"
        return ext
    except FileProblem as e:
        node.status, node.reason = e.status, str(e) or type(e).__name__
        return None
    except PARSER_ERRORS as e:
        # The one boundary where an unexpected parser failure is recorded on the exhibit instead of
        # stopping the ingest: the bytes are already stored, the user gets the reason.
        node.status, node.reason = "failed", f"{type(e).__name__}: {e}"
        return None


def _cells_json(cells: list[list[Any]]) -> bytes:
    """A row's cells as UTF-8 JSON: orjson (8x the stdlib's speed on a million-row register, and NaN
    becomes null, which SQLite's JSON functions accept); the stdlib for what orjson refuses (huge ints)."""
    try:
        return orjson.dumps(cells)
    except orjson.JSONEncodeError:
        return json.dumps(cells, ensure_ascii=False, default=str).encode("utf-8")


def _spool_table(t: Any, work: Path) -> tuple[TableResult, tuple[str, str] | None]:
    fd, fn = tempfile.mkstemp(dir=work.parent, prefix="rows-", suffix=".jsonl")
    n = 0
    problem: tuple[str, str] | None = None
    with os.fdopen(fd, "wb") as f:
        try:
            for row in t.rows:
                # "number<TAB>cells JSON": the writer stores the JSON as it is, without parsing it again
                # (JSON escapes tabs and newlines inside strings, so neither occurs in the cells part).
                f.write(b"%d\t%b\n" % (row.number, _cells_json([[c.value, c.type, c.raw] for c in row.cells])))
                n += 1
        except FileProblem as e:
            problem = (e.status, f"table {t.name!r} stopped after {n} rows: {e}")
        except PARSER_ERRORS as e:
            problem = ("failed", f"table {t.name!r} stopped after {n} rows: {type(e).__name__}: {e}")
    return TableResult(t.name, t.page, t.kind, json.dumps(t.meta, ensure_ascii=False, default=str), fn, n), problem


# ---------------------------------------------------------------------------------------------
# the writer side (main process only)


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_ARABIC = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile(r"[A-Za-z]")


def doc_lang(pages: list[Page]) -> str | None:
    """The main language of a text by script: zh (Han), ug (Arabic script), en (Latin). Runs in the
    worker, with regular expressions (C speed): a per-character Python loop here was the main process's
    bottleneck."""
    han = arabic = latin = 0
    for p in pages[:20]:
        if p.lang:
            return p.lang
        sample = p.text[:5000]
        han += len(_HAN.findall(sample))
        arabic += len(_ARABIC.findall(sample))
        latin += len(_LATIN.findall(sample))
    best = max((han * 3, "zh"), (arabic, "ug"), (latin, "en"))
    return best[1] if best[0] > 0 else None


_DATE_KEYS = ("creation_date", "created", "date", "datetime", "DateTime", "DateTimeOriginal", "modification_date")


def _doc_date(meta: dict[str, Any]) -> str | None:
    for k in _DATE_KEYS:
        v = meta.get(k)
        if isinstance(v, str) and len(v) >= 10 and v[:4].isdigit():
            return v[:10].replace(":", "-")
    return None


class Writer:
    def __init__(self, arch: Archive, config: Config, actor: str, root_label: str, source: str) -> None:
        self.arch = arch
        self.config = config
        self.actor = actor
        self.root_label = root_label
        self.root_key = str(Path(root_label).resolve())
        self.source = source

    def write(self, db: sqlite3.Connection, log: custody.Appender, node: Node, summary: Summary,
              task: Task | None = None) -> None:
        """Catalog one top-level file and its children, and remember it as seen, inside the caller's
        transaction (the file's rows, custody events and seen-mark commit together)."""
        if not node.sha256:  # unreadable: no bytes, no exhibit; listed, and not remembered as seen
            summary.problems.append({"id": None, "path": node.name, "status": node.status, "reason": node.reason or ""})
            return
        self._write(db, log, node, node.name, None, summary)
        if task is not None:
            db.execute("INSERT OR REPLACE INTO ingest_seen VALUES (?,?,?,?,?,?)",
                       (self.root_key, task.rel, self.source, task.size, task.mtime_ns, node.sha256))

    def _write(self, db: sqlite3.Connection, log: custody.Appender, node: Node, path: str, parent: int | None,
               summary: Summary) -> None:
        now = custody.utc_now()
        row = db.execute("SELECT seq, status FROM exhibits WHERE sha256=?", (node.sha256,)).fetchone()
        if row is not None:
            seq = row["seq"]
            cur = db.execute("INSERT OR IGNORE INTO paths(exhibit_seq, path, source, parent_seq, root, received)"
                             " VALUES (?,?,?,?,?,?)", (seq, path, self.source, parent, self.root_label, now))
            if cur.rowcount:
                summary.new_paths += 1
                log.add("received", node.sha256, self.actor,
                        {"path": path, "source": self.source, "root": self.root_label,
                         "parent": ex_id(parent) if parent else None, "duplicate_of": ex_id(seq)})
            return
        cur = db.execute(
            "INSERT INTO exhibits(sha256, size, media_type, status, reason, page_count, metadata, lang, title,"
            " doc_date, first_received) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (node.sha256, node.size, node.media_type, node.status, node.reason, len(node.pages),
             node.metadata_json, node.lang, node.title, node.doc_date, now))
        seq = int(cur.lastrowid or 0)
        db.execute("INSERT INTO paths(exhibit_seq, path, source, parent_seq, root, received) VALUES (?,?,?,?,?,?)",
                   (seq, path, self.source, parent, self.root_label, now))
        summary.new_exhibits += 1
        summary.by_status[node.status] += 1
        if node.status not in ("ok",):
            summary.problems.append({"id": ex_id(seq), "path": path, "status": node.status,
                                     "reason": node.reason or ""})
        base = {"path": path, "source": self.source, "root": self.root_label,
                "parent": ex_id(parent) if parent else None}
        log.add("received", node.sha256, self.actor, base)
        log.add("stored", node.sha256, self.actor, {"size": node.size, "id": ex_id(seq)})
        for note in node.notes:
            if note.startswith("password"):
                log.add("password_used", node.sha256, self.actor, {"note": note})
        db.executemany("INSERT INTO pages(exhibit_seq, number, text, source, lang, meta) VALUES (?,?,?,?,?,?)",
                       [(seq, *p) for p in node.pages])
        for i, t in enumerate(node.tables, 1):
            tcur = db.execute("INSERT INTO tables(exhibit_seq, ordinal, name, page, kind, meta, row_count)"
                              " VALUES (?,?,?,?,?,?,?)",
                              (seq, i, t.name, t.page, t.kind, t.meta, t.row_count))
            if t.rows_file:
                _load_rows(db, int(tcur.lastrowid or 0), t.rows_file)
        if node.pages or node.tables:
            db.execute("INSERT INTO changes(exhibit_seq, what) VALUES (?, 'extracted')", (seq,))
        if node.status in ("ok", "mislabelled", "path_traversal", "expansion_limit"):
            log.add("extracted", node.sha256, self.actor,
                    {"media_type": node.media_type, "pages": len(node.pages), "tables": len(node.tables),
                     "children": len(node.children), "status": node.status, "reason": node.reason})
        else:
            log.add("failed", node.sha256, self.actor,
                    {"media_type": node.media_type, "status": node.status, "reason": node.reason})
        for child in node.children:
            self._write(db, log, child, f"{path}/{child.name}", seq, summary)


def _load_rows(db: sqlite3.Connection, table_id: int, rows_file: str) -> None:
    batch: list[tuple[int, int, str]] = []
    with open(rows_file, encoding="utf-8") as f:
        for line in f:
            number, _, cells = line.partition("\t")
            batch.append((table_id, int(number), cells.rstrip("\n")))
            if len(batch) >= 5000:
                db.executemany("INSERT OR REPLACE INTO table_rows(table_id, number, cells) VALUES (?,?,?)", batch)
                batch.clear()
    if batch:
        db.executemany("INSERT OR REPLACE INTO table_rows(table_id, number, cells) VALUES (?,?,?)", batch)
    os.unlink(rows_file)


def _cleanup(node: Node) -> None:
    for t in node.tables:
        if t.rows_file and os.path.exists(t.rows_file):
            os.unlink(t.rows_file)
    for c in node.children:
        _cleanup(c)


# ---------------------------------------------------------------------------------------------
# the driver

SEEN = """CREATE TABLE IF NOT EXISTS ingest_seen (
    root TEXT NOT NULL, path TEXT NOT NULL, source TEXT NOT NULL, size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (root, path, source))"""

ProgressHook = Callable[[str, Task | None, Node | None], None]


def ingest(arch: Archive, paths: list[Path], config: Config, on_event: ProgressHook | None = None,
           on_total: Callable[[int], None] | None = None) -> Summary:
    """Preserve and process files and folders. `on_event(kind, task, node)` reports progress: kind is
    "start", "done" or "skipped"; `on_total(n)` gives the number of files once they are counted (a
    thread counts them while the ingest already runs)."""
    actor = config.custodian or custody.os_user()
    source = config.source or ""
    arch.db.execute(SEEN)
    summary = Summary()
    for p in paths:
        if not p.exists():
            raise FileNotFoundError(f"{p}: no such file or folder")
    if on_total is not None:
        threading.Thread(target=lambda: on_total(count_files(paths)), daemon=True).start()

    def unreadable(path: str, reason: str) -> None:
        summary.problems.append({"id": None, "path": path, "status": "unreadable", "reason": reason})

    writers: dict[str, Writer] = {}

    def new_tasks() -> Iterator[tuple[Writer, Task]]:
        """The files to process, streamed from the walk: memory does not grow with the size of the cache."""
        fresh: dict[str, bool] = {}  # roots never ingested before: no per-file lookups needed
        for root, task in walk(paths, unreadable):
            label = str(root)
            w = writers.get(label)
            if w is None:
                w = writers[label] = Writer(arch, config, actor, label, source)
                fresh[label] = arch.db.execute("SELECT 1 FROM ingest_seen WHERE root=? AND source=? LIMIT 1",
                                               (w.root_key, source)).fetchone() is None
            summary.files += 1
            summary.bytes += task.size
            seen = None if fresh[label] else arch.db.execute(
                "SELECT size, mtime_ns FROM ingest_seen WHERE root=? AND path=? AND source=?",
                (w.root_key, task.rel, source)).fetchone()
            if seen and seen["size"] == task.size and seen["mtime_ns"] == task.mtime_ns:
                summary.unchanged += 1
                if on_event:
                    on_event("skipped", task, None)
                continue
            yield w, task

    def finish(done: list[tuple[Writer, Task, Node]]) -> None:
        """Catalog the files of one batch in one transaction: a commit per file was most of the single
        writer's time, and the writer's time is what limits --jobs. A kill in the middle loses the batch's
        catalog rows together (their blobs are stored; a rerun catalogs them again)."""
        if not done:
            return
        try:
            with arch.transaction() as db:
                log = custody.Appender(db)
                for w, task, node in done:
                    w.write(db, log, node, summary, task)
                log.flush()
        finally:
            for _, _, node in done:
                _cleanup(node)
        if on_event:
            for _, task, node in done:
                on_event("done", task, node)

    # Workers are processes even with --jobs 1: a parser that crashes (a segfault on a hostile file)
    # takes down its worker, never the ingest. The window of tasks in flight is bounded, so memory
    # stays flat whatever the size of the cache.
    feed = _Feed(new_tasks())
    suspects: list[tuple[Writer, Task]] = []
    while feed or suspects:
        if feed:
            suspects.extend(_run_pool(arch, config, feed, config.jobs, finish, on_event))
        else:
            # Tasks that were in flight when a worker died: retry each alone to find the culprit.
            one = suspects.pop()
            again = _run_pool(arch, config, _Feed(iter([one])), 1, finish, on_event)
            finish([(w, task, _crashed_node(arch, task)) for w, task in again])
    return summary


class _Feed:
    """Tasks pulled from an iterator one at a time, with a look at the next one (for batching by size)."""

    def __init__(self, items: Iterator[tuple[Writer, Task]]) -> None:
        self._items = items
        self._next: tuple[Writer, Task] | None = None
        self._done = False

    def peek(self) -> tuple[Writer, Task] | None:
        if self._next is None and not self._done:
            self._next = next(self._items, None)
            self._done = self._next is None
        return self._next

    def pop(self) -> tuple[Writer, Task]:
        item = self.peek()
        assert item is not None
        self._next = None
        return item

    def __bool__(self) -> bool:
        return self.peek() is not None


# Small files travel to the workers in batches: one round trip per batch instead of per file.
BATCH_FILES = 16
BATCH_BYTES = 4 * 1024 * 1024


def process_batch(tasks: list[Task]) -> list[Node]:
    return [process_task(t) for t in tasks]


def _next_batch(feed: _Feed) -> list[tuple[Writer, Task]]:
    batch = [feed.pop()]
    size = batch[0][1].size
    while len(batch) < BATCH_FILES and (nxt := feed.peek()) is not None and size + nxt[1].size <= BATCH_BYTES:
        batch.append(feed.pop())
        size += nxt[1].size
    return batch


def _new_pool(arch: Archive, config: Config, jobs: int) -> ProcessPoolExecutor:
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("forkserver"), initializer=_worker_init,
                               initargs=(str(arch.root), config))
    for _ in range(jobs):
        pool.submit(_ready)  # the workers start (and import their parsers) while the first batch is gathered
    return pool


def _run_pool(arch: Archive, config: Config, feed: _Feed, jobs: int,
              finish: Callable[[list[tuple[Writer, Task, Node]]], None],
              on_event: ProgressHook | None) -> list[tuple[Writer, Task]]:
    """Run tasks from `feed` until it is empty or a worker dies; returns the tasks that were in flight
    when a worker died."""
    window = jobs * 2
    with _new_pool(arch, config, jobs) as pool:
        pending: dict[Future[list[Node]], list[tuple[Writer, Task]]] = {}
        while feed or pending:
            while len(pending) < window and feed:
                batch = _next_batch(feed)
                if on_event:
                    for _, task in batch:
                        on_event("start", task, None)
                pending[pool.submit(process_batch, [t for _, t in batch])] = batch
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                batch = pending.pop(fut)
                try:
                    nodes = fut.result()
                except BrokenProcessPool:
                    return [*batch, *(item for b in pending.values() for item in b)]
                finish([(w, task, node) for (w, task), node in zip(batch, nodes, strict=True)])
    return []


def _crashed_node(arch: Archive, task: Task) -> Node:
    """The node for a file whose parser killed its worker: the bytes are stored all the same."""
    stored = _store(arch.blobs, task, arch.root)
    if isinstance(stored, Node):
        return stored
    sha, size = stored
    return Node(name=task.rel, sha256=sha, size=size, status="failed", media_type=None,
                reason="the parser crashed on this file (its worker process died); the bytes are preserved")

