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
from exhibit.config import Config, Limits
from exhibit.errors import FileProblem, LimitExceeded, UserError
from exhibit.ingest import contain
from exhibit.ingest.detect import TXT_RUNS, Detected, candidates, detect, empty_is_an_answer, yields_something
from exhibit.ingest.formats import ExpansionBudget, IngestContext, choose, ingestors
from exhibit.ingest.formats.fallback import FallbackIngestor
from exhibit.ingest.types import Extraction, Page, Table
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


def init(archive_root: str, config: Config, board: contain.Board | None = None) -> None:
    # One engine thread per worker: --jobs N is the parallelism, engines must not oversubscribe.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    root = Path(archive_root)
    _confine_engines(scratch.folder(root / "tmp"))
    _STATE[:] = [_State(root, BlobStore(root / "blobs"), config, KnownExhibits(root))]
    contain.install(config.limits, board)  # memory, CPU, wall time, scratch: whatever the format
    ingestors()  # import the format modules (PyMuPDF, openpyxl, ...) now, while the main process walks


# Where libraries write caches and configuration when nothing else is said: under HOME, or these.
_HOME_VARS = ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "MPLCONFIGDIR")
_TEMP_VARS = ("TMPDIR", "TEMP", "TMP")


def _confine_engines(scratch_dir: Path) -> None:
    """Nothing a worker's engines write may leave the archive folder, not even for a moment (issue 13): the
    pages of a cache must not land in the system temp folder or the user's home (docs/ingest.md, "What
    ingest writes where"). Set before any engine is loaded, since engines read these once.

    - onnxruntime (RapidOCR) writes a device id, a telemetry database and `$TMPDIR/.ses`, and uploads
      events, unless ORT_DISABLE_TELEMETRY=1 is set before it initialises: forced to 1 whatever the
      user's environment says, since redirecting the files would not stop the upload;
    - Python's tempfile (pytesseract's page image and TSV, any library's temporary file) and every
      program or C library that reads TMPDIR (the tesseract process) use the worker's scratch folder;
    - HOME and the XDG folders point into it too, so that a cache no one foresaw (fontconfig's, a model
      download, matplotlib's) is written inside the archive, in a folder removed with the worker's.
    """
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    for var in _TEMP_VARS:
        os.environ[var] = str(scratch_dir)
    tempfile.tempdir = str(scratch_dir)
    home = scratch_dir / "home"
    home.mkdir(exist_ok=True)
    for var in _HOME_VARS:
        os.environ[var] = str(home)


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


def confine_once(archive_root: str) -> None:
    """Confine this process's engines to the archive's scratch folder, once (a Spark executor's worker)."""
    if not _CONFINED:
        _confine_engines(scratch.folder(Path(archive_root) / "tmp"))
        _CONFINED.append(archive_root)


_CONFINED: list[str] = []


def init_once(archive_root: str, config: Config) -> None:
    """`init` on a process's first task (a Spark executor's Python worker, reused between tasks)."""
    if not _STATE:
        init(archive_root, config)


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
    try:
        return process_stored(task, sha, size)
    finally:
        syncer.join()


def process_stored(task: Task, sha: str, size: int) -> StoredFile:
    """Parse a file whose bytes are stored (as `sha`) under the per-file limits: its catalog rows to be."""
    st = _STATE[0]
    work = Path(tempfile.mkdtemp(dir=scratch.folder(st.root / "tmp"), prefix="work-"))
    try:
        # One expansion budget for the whole tree of a top-level file: nested containers cannot
        # multiply the total-bytes limit by their depth.
        budget = ExpansionBudget(st.config.limits.total_bytes, total_members=st.config.limits.total_members)
        with contain.file_limits(work):
            try:
                node = _process(st, st.blobs.path(sha), task.rel, sha, size, 0, work, budget)
            except LimitExceeded as e:  # reached outside the parser (between members, building the rows)
                node = StoredFile(name=task.rel, sha256=sha, size=size, status=Status.EXPANSION_LIMIT, reason=str(e))
            except MemoryError:
                node = StoredFile(name=task.rel, sha256=sha, size=size, status=Status.EXPANSION_LIMIT,
                                  reason=contain.memory_reason(st.config.limits))
            reached = contain.tripped()
        if reached is not None and node.status not in (Status.EXPANSION_LIMIT, Status.PATH_TRAVERSAL):
            # The parser swallowed the LimitExceeded (or turned it into an error of its own): the limit
            # is what stopped it, and what was read before it is kept.
            node.status, node.reason = Status.EXPANSION_LIMIT, reached
        node.name_bytes, node.name_encoding = task.rel_bytes, task.rel_encoding
        return node
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _process(st: _State, path: Path, name: str, sha: str, size: int, depth: int, work: Path,
             budget: ExpansionBudget) -> StoredFile:
    node = StoredFile(name=name, sha256=sha, size=size)
    if sha in st.known or sha in budget.seen:
        # Already an exhibit, or met earlier in this very tree (a fan-out of zips whose entries all point
        # at one inner zip): stored once, read once; this is one more path of it.
        node.known = True
        return node
    budget.seen.add(sha)
    config = st.config
    # The top-level file works in the task's own folder; each child of a container gets its own.
    workdir = work if depth == 0 else Path(tempfile.mkdtemp(dir=work, prefix="x-"))
    ctx = IngestContext(workdir=workdir, limits=config.limits,
                        passwords=config.passwords, ocr_langs=config.ocr_langs, depth=depth,
                        ocr=config.ocr, ocr_presence=config.ocr_presence,
                        ocr_cache=st.root / "ocr-cache.sqlite", budget=budget)
    ext = _extract(path, name, size, ctx, node)
    node.notes = list(ctx.notes)
    if ext is not None:
        node.media_type = ext.media_type
        pages, cut = _kept_pages(ext.pages, config.limits)
        ext.pages = []
        if cut is not None and ext.status == Status.OK:
            ext.status, ext.reason = Status.EXPANSION_LIMIT, cut
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
        output = _Output(config.limits.rows, config.limits.cells)
        for t in ext.tables:
            spooled, problem = _spool_table(t, work, output, config.limits)
            node.tables.append(spooled)
            if problem is not None and node.status == Status.OK:
                node.status, node.reason = problem
        for i, child in enumerate(ext.children):
            if contain.tripped() is not None:
                # The file's time or scratch is used up: the members not yet read stay inside the
                # container's bytes, and the reason says how many.
                left = len(ext.children) - i
                if node.status == Status.OK:
                    node.status, node.reason = Status.EXPANSION_LIMIT, f"{contain.tripped()}; {left} members not read"
                break
            try:
                csha, csize = st.blobs.put_file(Path(child.path))
                cnode = _process(st, st.blobs.path(csha), child.name, csha, csize, depth + 1, work, budget)
            except LimitExceeded as e:
                if node.status == Status.OK:
                    node.status, node.reason = Status.EXPANSION_LIMIT, f"{e}; {len(ext.children) - i} members not read"
                break
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
        ext = _first_with_content(path, name, d, ctx)
        if d.mislabelled and ext.status == Status.OK:
            ext.status = Status.MISLABELLED
            ext.reason = d.reason or f"content is {d.media_type}, not what the name says"
        return ext
    except FileProblem as e:
        node.status, node.reason = Status(e.status), str(e) or type(e).__name__
        return None
    except MemoryError:
        # The worker's address-space limit (or the machine's memory) stopped the parser: a limit, which
        # an ingest with a higher --max-memory-mb may pass.
        node.status, node.reason = Status.EXPANSION_LIMIT, contain.memory_reason(ctx.limits)
        return None
    except OSError as e:
        if e.errno == errno.EFBIG:  # a scratch file reached RLIMIT_FSIZE
            node.status, node.reason = Status.EXPANSION_LIMIT, contain.scratch_reason(ctx.limits)
        else:
            node.status, node.reason = Status.FAILED, f"{type(e).__name__}: {e}"
        return None
    except PARSER_ERRORS as e:
        # The one boundary where an unexpected parser failure is recorded on the exhibit instead of
        # stopping the ingest: the bytes are already stored, the user gets the reason.
        node.status, node.reason = Status.FAILED, f"{type(e).__name__}: {e}"
        return None


def _first_with_content(path: Path, name: str, d: Detected, ctx: IngestContext) -> Extraction:
    """The extraction of the first candidate type that yields something (detect.candidates: the detected
    type, the claimed one, text, the printable runs of the bytes): a parser that finds nothing where
    something must be does not end in nothing. A problem a parser raises ends the search (a corrupt PDF
    is `corrupt`, not read as text); a search that finds nothing keeps the first extraction."""
    first: Extraction | None = None
    tried: list[str] = []
    for media_type in candidates(path, d, name):
        ingestor = choose(media_type, name)
        if isinstance(ingestor, FallbackIngestor) and media_type != TXT_RUNS:
            tried.append(f"{media_type} (no parser)")
            continue
        try:
            ext = ingestor.ingest(path, ctx)
        except FileProblem:
            if first is None and not tried:
                raise  # the file's own parser judged it (a corrupt PDF is `corrupt`, not read as text)
            tried.append(f"{media_type} (does not fit)")
            continue
        if first is None:
            first = ext
        if yields_something(ext) or (media_type == d.media_type and empty_is_an_answer(media_type)):
            if tried:
                ext.metadata["read_as"] = {"tried": tried, "read_by": type(ingestor).__name__}
            return ext
        tried.append(f"{media_type} ({type(ingestor).__name__}: nothing)")
    assert first is not None  # the last candidate, the fallback, never raises
    return first


def _cells_json(cells: list[list[Any]]) -> bytes:
    """A row's cells as UTF-8 JSON: orjson (8x the stdlib's speed on a million-row register, and NaN
    becomes null, which SQLite's JSON functions accept); the stdlib for what orjson refuses (huge ints)."""
    try:
        return orjson.dumps(cells)
    except orjson.JSONEncodeError:
        return json.dumps(cells, ensure_ascii=False, default=str).encode("utf-8")


@dataclass
class _Output:
    """Table rows and cells an exhibit may still keep (Limits.rows, Limits.cells, all its tables together)."""

    rows: int
    cells: int


def _kept_pages(pages: list[Page], limits: Limits) -> tuple[list[Page], str | None]:
    """The pages within the limits on pages and characters per exhibit (the page that reaches the
    character limit is kept up to it), and the reason when some were cut."""
    kept: list[Page] = []
    chars = limits.chars
    for p in pages:
        if len(kept) == limits.pages:
            return kept, (f"kept the first {len(kept)} of {len(pages)} pages: reached the {limits.pages:,}-page "
                          "limit per file (--max-pages)")
        if len(p.text) > chars:
            kept.append(Page(p.number, p.text[:chars], p.source, p.lang, {**p.meta, "cut_at_chars": chars}))
            return kept, (f"kept page text up to page {p.number} of {len(pages)}: reached the {limits.chars:,}-"
                          "character limit per file (--max-chars)")
        chars -= len(p.text)
        kept.append(p)
    return kept, None


def _spool_table(t: Table, work: Path, output: _Output,
                 limits: Limits) -> tuple[SpooledTable, tuple[Status, str] | None]:
    fd, fn = tempfile.mkstemp(dir=work.parent, prefix="rows-", suffix=".jsonl")
    n = 0
    problem: tuple[Status, str] | None = None
    rows = iter(t.rows)
    with os.fdopen(fd, "wb") as f:
        try:
            for row in rows:
                cells = row.cells
                if output.rows == 0:
                    problem = (Status.EXPANSION_LIMIT, f"table {t.name!r} stopped after {n} rows: reached the "
                               f"{limits.rows:,}-row limit per file (--max-rows)")
                    break
                if len(cells) > output.cells:
                    # What was read before the limit is kept, this row's first cells included.
                    cells = cells[:output.cells]
                    problem = (Status.EXPANSION_LIMIT, f"table {t.name!r} stopped at row {row.number} after "
                               f"{len(cells):,} of its {len(row.cells):,} cells: reached the {limits.cells:,}-cell "
                               "limit per file (--max-cells)")
                # "number<TAB>cells JSON": the writer stores the JSON as it is, without parsing it again
                # (JSON escapes tabs and newlines inside strings, so neither occurs in the cells part).
                if cells or problem is None:
                    f.write(b"%d\t%b\n" % (row.number, _cells_json([[c.value, c.type, c.raw] for c in cells])))
                    n += 1
                    output.rows -= 1
                    output.cells -= len(cells)
                if problem is not None:
                    break
        except FileProblem as e:
            problem = (Status(e.status), f"table {t.name!r} stopped after {n} rows: {e}")
        except MemoryError:
            problem = (Status.EXPANSION_LIMIT, f"table {t.name!r} stopped after {n} rows: {contain.memory_reason(limits)}")
        except PARSER_ERRORS as e:
            problem = (Status.FAILED, f"table {t.name!r} stopped after {n} rows: {type(e).__name__}: {e}")
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()  # a generator stopped at a limit lets go of its file now
    return SpooledTable(t.name, t.page, str(t.kind), json.dumps(t.meta, ensure_ascii=False, default=str), fn,
                        n), problem


_DATE_KEYS = ("creation_date", "created", "date", "datetime", "DateTime", "DateTimeOriginal", "modification_date")


def _doc_date(meta: dict[str, Any]) -> str | None:
    for k in _DATE_KEYS:
        v = meta.get(k)
        if isinstance(v, str) and len(v) >= 10 and v[:4].isdigit():
            return v[:10].replace(":", "-")
    return None
