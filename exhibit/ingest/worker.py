"""The worker side of an ingest: store a file's bytes, detect its type, extract it, prepare its catalog rows.

Runs in a worker process (even with --jobs 1, so that a parser that crashes takes down its worker, never
the ingest). Containers' members are stored and extracted here too, under one expansion budget per
top-level file.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from exhibit.archive import scratch
from exhibit.archive.blobs import BlobStore, sync_dirs
from exhibit.archive.types import Status
from exhibit.archive.writer import KnownExhibits, SpooledTable, StoredFile
from exhibit.config import Config
from exhibit.errors import FileProblem, UserError
from exhibit.ingest.detect import detect
from exhibit.ingest.formats import ExpansionBudget, IngestContext, choose, ingestors
from exhibit.ingest.types import Extraction, Table
from exhibit.ingest.walk import Task
from exhibit.text.script import main_language


@dataclass
class _State:
    """What a worker process keeps between tasks: set once by `init`, read by every task."""

    root: Path
    blobs: BlobStore
    config: Config
    known: KnownExhibits


_STATE: list[_State] = []  # one entry in a worker process (a list so that no `global` statement is needed)


def init(archive_root: str, config: Config) -> None:
    # One engine thread per worker: --jobs N is the parallelism, engines must not oversubscribe.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    root = Path(archive_root)
    _STATE[:] = [_State(root, BlobStore(root / "blobs"), config, KnownExhibits(root))]
    ingestors()  # import the format modules (PyMuPDF, openpyxl, ...) now, while the main process walks


def ready() -> None:
    """A no-op task: submitting one per worker makes the pool start its processes."""


# The archive's own disk refusing a write: every further file would fail too, so the ingest stops.
_ARCHIVE_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EROFS)


def store(blobs: BlobStore, task: Task, archive_root: Path,
          pending: list[Path] | None = None) -> tuple[str, int] | StoredFile:
    """Store a file's bytes: (sha256, size), or the record of a file that cannot be read (permissions, gone,
    an I/O error), which has no exhibit since nothing could be preserved; the summary lists it and a rerun
    tries it again. A full or read-only archive disk stops the ingest with a message saying so."""
    try:
        return blobs.put_file(Path(task.abs_path), pending)
    except OSError as e:
        if e.errno in _ARCHIVE_FULL:
            raise UserError(f"{archive_root}: cannot store {task.rel} ({e.strerror}). Free space on the "
                            "archive's disk (or make it writable) and run the same ingest again: what was "
                            "catalogued so far is kept and is not redone.") from e
        return StoredFile(name=task.rel, sha256="", size=task.size, status=Status.UNREADABLE,
                          name_bytes=task.rel_bytes, name_encoding=task.rel_encoding,
                          reason=f"the file cannot be read ({e.strerror or e}); nothing was stored. Check that "
                                 "it is readable and run the same ingest again")


def process_batch(tasks: list[Task]) -> list[StoredFile]:
    return [process_task(t) for t in tasks]


def process_task(task: Task) -> StoredFile:
    st = _STATE[0]
    pending: list[Path] = []
    stored = store(st.blobs, task, st.root, pending)
    if isinstance(stored, StoredFile):
        return stored
    sha, size = stored
    # The bytes are in place and fsynced; making the folder entry durable can overlap the parsing,
    # and is finished before the result goes back to be catalogued.
    syncer = threading.Thread(target=sync_dirs, args=(pending,))
    syncer.start()
    work = Path(tempfile.mkdtemp(dir=scratch.folder(st.root / "tmp"), prefix="work-"))
    try:
        # One expansion budget for the whole tree of a top-level file: nested containers cannot
        # multiply the total-bytes limit by their depth.
        budget = ExpansionBudget(st.config.limits.total_bytes)
        node = _process(st, st.blobs.path(sha), task.rel, sha, size, 0, work, budget)
        node.name_bytes, node.name_encoding = task.rel_bytes, task.rel_encoding
        return node
    finally:
        shutil.rmtree(work, ignore_errors=True)
        syncer.join()


def _process(st: _State, path: Path, name: str, sha: str, size: int, depth: int, work: Path,
             budget: ExpansionBudget) -> StoredFile:
    node = StoredFile(name=name, sha256=sha, size=size)
    if sha in st.known:
        node.known = True
        return node
    config = st.config
    # The top-level file works in the task's own folder; each child of a container gets its own.
    workdir = work if depth == 0 else Path(tempfile.mkdtemp(dir=work, prefix="x-"))
    ctx = IngestContext(workdir=workdir, limits=config.limits,
                        passwords=config.passwords, ocr_langs=config.ocr_langs, depth=depth,
                        ocr=config.ocr, ocr_cache=st.root / "ocr-cache.sqlite", budget=budget)
    ext = _extract(path, name, size, ctx, node)
    node.notes = list(ctx.notes)
    if ext is not None:
        node.media_type = ext.media_type
        pages = list(ext.pages)
        node.lang = next((p.lang for p in pages[:20] if p.lang), None) or \
            main_language(p.text[:5000] for p in pages[:20])
        node.pages = [(p.number, p.text, str(p.source), p.lang,
                       json.dumps(p.meta, ensure_ascii=False, default=str)) for p in pages]
        del pages
        meta = ext.metadata
        node.metadata_json = json.dumps(meta, ensure_ascii=False, default=str)
        title = meta.get("title") or meta.get("subject")
        node.title = title if isinstance(title, str) else None
        node.doc_date = _doc_date(meta)
        if ext.status != Status.OK and node.status == Status.OK:
            node.status, node.reason = Status(ext.status), ext.reason
        # Table rows are generators: a sheet damaged halfway fails while it streams, here, and keeps the
        # rows read so far.
        for t in ext.tables:
            spooled, problem = _spool_table(t, work)
            node.tables.append(spooled)
            if problem is not None and node.status == Status.OK:
                node.status, node.reason = problem
        for child in ext.children:
            csha, csize = st.blobs.put_file(Path(child.path))
            cnode = _process(st, st.blobs.path(csha), child.name, csha, csize, depth + 1, work, budget)
            if child.status and cnode.status == Status.OK:
                cnode.status, cnode.reason = Status(child.status), child.reason
            cnode.name_bytes, cnode.name_encoding = child.raw_name, child.name_encoding
            Path(child.path).unlink(missing_ok=True)
            node.children.append(cnode)
    if depth > 0:
        shutil.rmtree(ctx.workdir, ignore_errors=True)
    return node


# What a third-party parser raises on input it does not expect; recorded on the exhibit as `failed`.
PARSER_ERRORS = (ValueError, KeyError, IndexError, TypeError, AttributeError, RuntimeError, OSError,
                 UnicodeError, MemoryError, RecursionError, EOFError, LookupError)


def _extract(path: Path, name: str, size: int, ctx: IngestContext, node: StoredFile) -> Extraction | None:
    if size == 0:
        node.status, node.reason = Status.EMPTY, "the file has zero bytes"
        node.media_type = "application/octet-stream"
        return None
    try:
        d = detect(path, name)
        node.media_type = d.media_type
        ext = choose(d.media_type, name).ingest(path, ctx)
        if d.mislabelled and ext.status == Status.OK:
            ext.status = Status.MISLABELLED
            ext.reason = d.reason or f"content is {d.media_type}, not what the name says"
        return ext
    except FileProblem as e:
        node.status, node.reason = Status(e.status), str(e) or type(e).__name__
        return None
    except PARSER_ERRORS as e:
        # The one boundary where an unexpected parser failure is recorded on the exhibit instead of
        # stopping the ingest: the bytes are already stored, the user gets the reason.
        node.status, node.reason = Status.FAILED, f"{type(e).__name__}: {e}"
        return None


def _cells_json(cells: list[list[Any]]) -> bytes:
    """A row's cells as UTF-8 JSON: orjson (8x the stdlib's speed on a million-row register, and NaN
    becomes null, which SQLite's JSON functions accept); the stdlib for what orjson refuses (huge ints)."""
    try:
        return orjson.dumps(cells)
    except orjson.JSONEncodeError:
        return json.dumps(cells, ensure_ascii=False, default=str).encode("utf-8")


def _spool_table(t: Table, work: Path) -> tuple[SpooledTable, tuple[Status, str] | None]:
    fd, fn = tempfile.mkstemp(dir=work.parent, prefix="rows-", suffix=".jsonl")
    n = 0
    problem: tuple[Status, str] | None = None
    with os.fdopen(fd, "wb") as f:
        try:
            for row in t.rows:
                # "number<TAB>cells JSON": the writer stores the JSON as it is, without parsing it again
                # (JSON escapes tabs and newlines inside strings, so neither occurs in the cells part).
                f.write(b"%d\t%b\n" % (row.number, _cells_json([[c.value, c.type, c.raw] for c in row.cells])))
                n += 1
        except FileProblem as e:
            problem = (Status(e.status), f"table {t.name!r} stopped after {n} rows: {e}")
        except PARSER_ERRORS as e:
            problem = (Status.FAILED, f"table {t.name!r} stopped after {n} rows: {type(e).__name__}: {e}")
    return SpooledTable(t.name, t.page, str(t.kind), json.dumps(t.meta, ensure_ascii=False, default=str), fn,
                        n), problem


_DATE_KEYS = ("creation_date", "created", "date", "datetime", "DateTime", "DateTimeOriginal", "modification_date")


def _doc_date(meta: dict[str, Any]) -> str | None:
    for k in _DATE_KEYS:
        v = meta.get(k)
        if isinstance(v, str) and len(v) >= 10 and v[:4].isdigit():
            return v[:10].replace(":", "-")
    return None
