"""The one write path of an ingest into the catalog: exhibits, paths, pages, tables, rows, custody events.

The workers prepare everything (page tuples, metadata and table JSON, title and date, table rows spooled
to files) so that the single writer process only executes statements: its CPU per file is what limits how
far `--jobs` scales.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exhibit.archive import Archive, catalog_url_of, custody
from exhibit.archive.engine import Catalog, connect
from exhibit.archive.types import Status, ex_id

# A page as the writer inserts it: (number, text, source, lang, meta JSON).
PageRow = tuple[int, str, str, str | None, str]


@dataclass
class SpooledTable:
    """A table whose rows a worker has written to a file, one line "number<TAB>cells JSON" each."""

    name: str
    page: int | None
    kind: str
    meta: str               # JSON
    rows_file: str | None   # streamed into the catalog by the writer, then removed
    row_count: int


@dataclass
class StoredFile:
    """One stored file and what was extracted from it, with the members it contained (for containers)."""

    name: str                      # path relative to the ingest root, or inside the container (readable)
    sha256: str                    # "" when nothing could be read, so nothing was stored
    size: int
    known: bool = False            # bytes already an exhibit: only the path is new
    media_type: str | None = None
    status: Status = Status.OK
    reason: str | None = None
    pages: list[PageRow] = field(default_factory=list)
    tables: list[SpooledTable] = field(default_factory=list)
    metadata_json: str = "{}"
    title: str | None = None
    doc_date: str | None = None
    notes: list[str] = field(default_factory=list)
    lang: str | None = None
    children: list[StoredFile] = field(default_factory=list)
    name_bytes: bytes | None = None    # the name's exact original bytes when `name` is not them
    name_encoding: str | None = None   # what `name` was decoded with (None: UTF-8)

    def has_problem(self) -> bool:
        return self.status != Status.OK or any(c.has_problem() for c in self.children)

    def remove_spools(self) -> None:
        for t in self.tables:
            if t.rows_file and os.path.exists(t.rows_file):
                os.unlink(t.rows_file)
        for c in self.children:
            c.remove_spools()


@dataclass(frozen=True)
class Written:
    """What the writer did with one file or member: a new exhibit, or a new path of a known one."""

    seq: int
    path: str
    status: Status
    reason: str | None
    new_exhibit: bool


@dataclass(frozen=True)
class SeenFile:
    """A file of an ingest root as it was when last catalogued: a rerun skips it when size and time agree."""

    root: str
    path: str
    source: str
    size: int
    mtime_ns: int


class IngestWriter:
    """Catalogues the stored files of one ingest root, inside the caller's transaction."""

    def __init__(self, arch: Archive, actor: str, root_label: str, source: str) -> None:
        self.db = arch.catalog
        self.actor = actor
        self._expanded: set[int] = set()  # catalogued containers whose members were listed in this write
        self.root_label = root_label
        self.root_key = str(Path(root_label).resolve())
        self.source = source

    def root_seen_before(self) -> bool:
        """Whether this root was ingested with this source before (if not, no file needs a seen lookup)."""
        return self.db.execute("SELECT 1 FROM ingest_seen WHERE root=:r AND source=:s LIMIT 1",
                               {"r": self.root_key, "s": self.source}).fetchone() is not None

    def unchanged(self, path: str, size: int, mtime_ns: int) -> bool:
        seen = self.db.execute("SELECT size, mtime_ns FROM ingest_seen WHERE root=:r AND path=:p AND source=:s",
                               {"r": self.root_key, "p": path, "s": self.source}).fetchone()
        return seen is not None and seen[0] == size and seen[1] == mtime_ns

    def write(self, log: custody.Appender, stored: StoredFile, rel: str, size: int, mtime_ns: int) -> list[Written]:
        """Catalog one top-level file and its members and remember it as seen under `rel` (the file's
        rows, custody events and seen-mark commit together)."""
        out: list[Written] = []
        self._expanded = set()
        self._write(log, stored, _Name(stored.name, stored.name_bytes, stored.name_encoding), None, out)
        self.db.execute("INSERT INTO ingest_seen(root, path, source, size, mtime_ns, sha256) "
                        "VALUES (:r,:p,:s,:size,:m,:h) ON CONFLICT (root, path, source) DO UPDATE SET "
                        "size=excluded.size, mtime_ns=excluded.mtime_ns, sha256=excluded.sha256",
                        {"r": self.root_key, "p": rel, "s": self.source, "size": size, "m": mtime_ns,
                         "h": stored.sha256})
        return out

    def write_derived(self, log: custody.Appender, stored: StoredFile, path: str, parent: int) -> list[Written]:
        """Catalog a file exhibit made from an exhibit (a redacted copy, an earlier revision of a PDF) under
        `path`, a path below its original's, with the original as its parent; nothing is remembered as seen,
        as no ingest root holds it."""
        out: list[Written] = []
        self._write(log, stored, _Name(path), parent, out)
        return out

    def _write(self, log: custody.Appender, node: StoredFile, name: _Name, parent: int | None,
               out: list[Written]) -> None:
        db = self.db
        now = custody.utc_now()
        path = name.text
        row = db.execute("SELECT seq, status FROM exhibits WHERE sha256=:h", {"h": node.sha256}).fetchone()
        path_row = {"p": path, "src": self.source, "parent": parent, "root": self.root_label, "now": now,
                    "raw": name.raw, "enc": name.encoding}
        if row is not None:
            seq = row[0]
            cur = db.execute("INSERT INTO paths(exhibit_seq, path, source, parent_seq, root, received,"
                             " path_bytes, path_encoding) VALUES (:seq,:p,:src,:parent,:root,:now,:raw,:enc)"
                             " ON CONFLICT (exhibit_seq, path, source) DO NOTHING", {"seq": seq, **path_row})
            if cur.rowcount:
                out.append(Written(seq, path, Status(row[1]), None, new_exhibit=False))
                log.add("received", node.sha256, self.actor,
                        {"path": path, **name.custody(), "source": self.source, "root": self.root_label,
                         "parent": ex_id(parent) if parent else None, "duplicate_of": ex_id(seq)})
                # A container already catalogued is not parsed again, but its members are at this new
                # path too: without their paths here, which paths an archive lists would depend on
                # whether the two copies were parsed at the same moment by two workers.
                # Each catalogued container's members once per file: a fan-out of stored zips (every entry of
                # a level pointing at one inner zip) would otherwise list its paths exponentially.
                for member, child_sha in (self._members(seq) if seq not in self._expanded else ()):
                    self._expanded.add(seq)
                    self._write(log, StoredFile(name=member.text, sha256=child_sha, size=0),
                                name.joined(member), seq, out)
            return
        seq = int(db.execute(
            "INSERT INTO exhibits(sha256, size, media_type, status, reason, page_count, metadata, lang, title,"
            " doc_date, first_received) VALUES (:h,:size,:mt,:st,:r,:pc,:md,:l,:t,:d,:now) RETURNING seq",
            {"h": node.sha256, "size": node.size, "mt": node.media_type, "st": str(node.status), "r": node.reason,
             "pc": len(node.pages), "md": node.metadata_json, "l": node.lang, "t": node.title, "d": node.doc_date,
             "now": now}).fetchone()[0])
        db.execute("INSERT INTO paths(exhibit_seq, path, source, parent_seq, root, received, path_bytes,"
                   " path_encoding) VALUES (:seq,:p,:src,:parent,:root,:now,:raw,:enc)", {"seq": seq, **path_row})
        out.append(Written(seq, path, node.status, node.reason, new_exhibit=True))
        base = {"path": path, **name.custody(), "source": self.source, "root": self.root_label,
                "parent": ex_id(parent) if parent else None}
        log.add("received", node.sha256, self.actor, base)
        log.add("stored", node.sha256, self.actor, {"size": node.size, "id": ex_id(seq)})
        for note in node.notes:
            if note.startswith("password"):
                log.add("password_used", node.sha256, self.actor, {"note": note})
        db.executemany("INSERT INTO pages(exhibit_seq, number, text, source, lang, meta) "
                       "VALUES (:s,:n,:t,:src,:l,:m)",
                       [{"s": seq, "n": p[0], "t": p[1], "src": p[2], "l": p[3], "m": p[4]} for p in node.pages])
        for i, t in enumerate(node.tables, 1):
            tid = int(db.execute("INSERT INTO tables(exhibit_seq, ordinal, name, page, kind, meta, row_count)"
                                 " VALUES (:s,:o,:n,:p,:k,:m,:c) RETURNING id",
                                 {"s": seq, "o": i, "n": t.name, "p": t.page, "k": t.kind, "m": t.meta,
                                  "c": t.row_count}).fetchone()[0])
            if t.rows_file:
                _load_rows(db, tid, t.rows_file)
        if node.pages or node.tables:
            db.execute("INSERT INTO changes(exhibit_seq, what) VALUES (:s, 'extracted')", {"s": seq})
        if node.status.extracted:
            log.add("extracted", node.sha256, self.actor,
                    {"media_type": node.media_type, "pages": len(node.pages), "tables": len(node.tables),
                     "children": len(node.children), "status": str(node.status), "reason": node.reason})
        else:
            log.add("failed", node.sha256, self.actor,
                    {"media_type": node.media_type, "status": str(node.status), "reason": node.reason})
        for child in node.children:
            self._write(log, child, name.joined(_Name(child.name, child.name_bytes, child.name_encoding)), seq, out)


    def _members(self, seq: int) -> list[tuple[_Name, str]]:
        """The members of a catalogued container: each one's name inside it and its content hash."""
        parents = self.db.execute("SELECT path, path_bytes FROM paths WHERE exhibit_seq=:s", {"s": seq}).fetchall()
        found: dict[str, tuple[_Name, str]] = {}
        for child_path, raw, encoding, sha in self.db.execute(
                "SELECT p.path, p.path_bytes, p.path_encoding, e.sha256 FROM paths p"
                " JOIN exhibits e ON e.seq = p.exhibit_seq WHERE p.parent_seq=:s ORDER BY p.path", {"s": seq}):
            raw = bytes(raw) if raw is not None else None  # BYTEA may come back as a memoryview
            for ppath, praw in parents:
                if child_path.startswith(ppath + "/"):
                    text = child_path[len(ppath) + 1:]
                    head = (bytes(praw) if praw is not None else ppath.encode("utf-8")) + b"/"
                    member_raw = raw[len(head):] if raw is not None and raw.startswith(head) else None
                    found.setdefault(text, (_Name(text, member_raw, encoding if member_raw else None), sha))
                    break
        return list(found.values())


@dataclass(frozen=True)
class _Name:
    """A path as catalogued: readable text, the exact original bytes when the text is not them, and what
    the text was decoded with (see ingest.names, which makes them)."""

    text: str
    raw: bytes | None = None
    encoding: str | None = None

    def joined(self, child: _Name) -> _Name:
        """A member's full path, `container/member`: the bytes join each level's original bytes (UTF-8
        where the level's name was exactly its text); encodings are listed outermost first."""
        text = f"{self.text}/{child.text}"
        if self.raw is None and child.raw is None:
            return _Name(text)
        raw = (self.raw if self.raw is not None else self.text.encode("utf-8")) + b"/" + \
            (child.raw if child.raw is not None else child.text.encode("utf-8"))
        levels = [e for level in (self.encoding, child.encoding) if level for e in level.split("+")]
        return _Name(text, raw, "+".join(dict.fromkeys(levels)) or None)

    def custody(self) -> dict[str, str]:
        """The original bytes for the custody event (hex), when the path is not exactly them."""
        if self.raw is None:
            return {}
        return {"path_bytes": self.raw.hex(), "path_encoding": self.encoding or "utf-8"}

    # branch docsb (issue 17): an earlier PDF revision, cut from a stored exhibit's bytes, is catalogued
    # the way a container's member is (a path under its parent, parent_seq, received/stored/extracted
    # events), through the same _write, without an ingest root's seen-mark.

_ROW_UPSERT = ("INSERT INTO table_rows(table_id, number, cells) VALUES (:t,:n,:c) "
               "ON CONFLICT (table_id, number) DO UPDATE SET cells=excluded.cells")


def _load_rows(db: Catalog, table_id: int, rows_file: str) -> None:
    # The table is new (its id was just made), so its rows go in by the engine's bulk path (COPY on
    # PostgreSQL); a row number the spool repeats keeps its last cells, as the upsert this replaced did.
    batch: dict[int, str] = {}
    flushed: set[int] = set()
    with open(rows_file, encoding="utf-8") as f:
        for line in f:
            number, _, cells = line.partition("\t")
            batch[int(number)] = cells.rstrip("\n")
            if len(batch) >= 5000:
                _flush_rows(db, table_id, batch, flushed)
    _flush_rows(db, table_id, batch, flushed)
    os.unlink(rows_file)


def _flush_rows(db: Catalog, table_id: int, batch: dict[int, str], flushed: set[int]) -> None:
    again = [{"t": table_id, "n": n, "c": c} for n, c in batch.items() if n in flushed]
    db.bulk_insert("table_rows", ("table_id", "number", "cells"),
                   [(table_id, n, c) for n, c in batch.items() if n not in flushed])
    if again:
        db.executemany(_ROW_UPSERT, again)
    flushed.update(batch)
    batch.clear()


class KnownExhibits:
    """A worker's read-only view of the catalog: is this content already an exhibit? (Then only its new
    path is catalogued and nothing is parsed again.)"""

    def __init__(self, archive_root: Path) -> None:
        url = catalog_url_of(archive_root)
        if url:
            self.db: Any = connect(archive_root, url)
        else:
            self.db = sqlite3.connect(f"file:{archive_root / 'catalog.sqlite'}?mode=ro", uri=True, timeout=60,
                                      check_same_thread=False)

    def __contains__(self, sha256: object) -> bool:
        return self.db.execute("SELECT 1 FROM exhibits WHERE sha256=:h", {"h": sha256}).fetchone() is not None
