"""The archive: one folder with content-addressed blobs, a SQLite catalog and derived indexes.

    archive/
      exhibit.json        format marker
      catalog.sqlite      exhibits, paths, pages, tables, custody (WAL)
      blobs/ab/cd/<sha>   the files exactly as received, read-only
      index/              the search index (derived, rebuildable)
      tmp/                scratch space: a locked folder per process, leftovers of dead ones removed on open
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from exhibit.archive import catalog, custody, scratch
from exhibit.archive.blobs import BlobStore
from exhibit.errors import UserError
from exhibit.ingest.types import Cell, Row

FORMAT = 1
_EX_RE = re.compile(r"^EX-(\d{6,})$", re.IGNORECASE)
_HEX_RE = re.compile(r"^(?:sha256:)?([0-9a-f]{8,64})$", re.IGNORECASE)


def ex_id(seq: int) -> str:
    return f"EX-{seq:06d}"


class Archive:
    """An open archive. Every capability reads and writes through this object's `db` and helpers."""

    def __init__(self, root: Path, db: sqlite3.Connection) -> None:
        self.root = root
        self.db = db
        self.blobs = BlobStore(root / "blobs")
        self.index_dir = root / "index"

    @property
    def tmp_dir(self) -> Path:
        """This process's scratch folder inside the archive (see archive.scratch)."""
        return scratch.folder(self.root / "tmp")

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def init(cls, root: Path) -> Archive:
        root.mkdir(parents=True, exist_ok=True)
        marker = root / "exhibit.json"
        if not marker.exists():
            marker.write_text(json.dumps({"format": FORMAT, "created": custody.utc_now()}) + "\n")
        (root / "blobs").mkdir(exist_ok=True)
        db = catalog.connect(root / "catalog.sqlite")
        catalog.create(db)
        return cls(root, db)

    @classmethod
    def open(cls, root: Path, create: bool = False) -> Archive:
        if not (root / "exhibit.json").exists():
            if create:
                return cls.init(root)
            raise UserError(f"{root}: no exhibit archive here. Run `exhibit init --archive {root}` "
                            "or point --archive (or $EXHIBIT_ARCHIVE) at an existing archive.")
        db = catalog.connect(root / "catalog.sqlite")
        catalog.create(db)
        arch = cls(root, db)
        # Leftovers of killed runs go; the scratch of live processes (an ingest's workers while the web
        # app opens the archive) stays. Blobs are only ever renamed into place whole.
        scratch.clean(root / "tmp")
        return arch

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        done = False
        try:
            yield self.db
            done = True
        finally:  # anything raised inside, even KeyboardInterrupt, leaves no half-written change
            self.db.execute("COMMIT" if done else "ROLLBACK")

    # -- identifiers ---------------------------------------------------------------------------
    def resolve(self, ref: str) -> int:
        """The exhibit number for `EX-000012`, `12`, or a unique SHA-256 prefix of 8+ hex digits."""
        ref = ref.strip()
        m = _EX_RE.match(ref)
        if m or ref.isdigit() and len(ref) < 8:
            seq = int(m.group(1) if m else ref)
            if self.db.execute("SELECT 1 FROM exhibits WHERE seq=?", (seq,)).fetchone():
                return seq
            raise UserError(f"{ref}: no such exhibit. `exhibit ls` lists them.")
        m = _HEX_RE.match(ref)
        if not m:
            raise UserError(f"{ref!r} is neither an exhibit ID (EX-000012) nor a SHA-256 prefix of 8+ hex digits.")
        prefix = m.group(1).lower()
        rows = self.db.execute("SELECT seq FROM exhibits WHERE sha256 >= ? AND sha256 < ? LIMIT 2",
                               (prefix, prefix + "g")).fetchall()
        if not rows:
            raise UserError(f"{ref}: no exhibit has a SHA-256 starting with {prefix}.")
        if len(rows) > 1:
            raise UserError(f"{ref}: more than one exhibit's SHA-256 starts with {prefix}; give more digits.")
        return int(rows[0]["seq"])

    # -- reading -------------------------------------------------------------------------------
    def exhibit(self, seq: int) -> dict[str, Any]:
        """The `ls --json` object for one exhibit (plus title, lang, metadata-free)."""
        r = self.db.execute("SELECT * FROM exhibits WHERE seq=?", (seq,)).fetchone()
        if r is None:
            raise UserError(f"{ex_id(seq)}: no such exhibit.")
        return self._exhibit_json(r)

    def exhibits(self) -> Iterator[dict[str, Any]]:
        for r in self.db.execute("SELECT * FROM exhibits ORDER BY seq").fetchall():
            yield self._exhibit_json(r)

    def _exhibit_json(self, r: sqlite3.Row) -> dict[str, Any]:
        paths = self.db.execute("SELECT path, source, parent_seq FROM paths WHERE exhibit_seq=? ORDER BY id",
                                (r["seq"],)).fetchall()
        parent = paths[0]["parent_seq"] if paths else None
        return {
            "id": ex_id(r["seq"]), "sha256": r["sha256"], "size": r["size"],
            "paths": [p["path"] for p in paths], "media_type": r["media_type"], "status": r["status"],
            "reason": r["reason"], "pages": r["page_count"],
            "parent": ex_id(parent) if parent else None,
            "parents": sorted({ex_id(p["parent_seq"]) for p in paths if p["parent_seq"]}),
            "sources": sorted({p["source"] for p in paths if p["source"]}),
            "title": r["title"], "lang": r["lang"], "doc_date": r["doc_date"],
            "first_received": r["first_received"],
        }

    def metadata(self, seq: int) -> dict[str, Any]:
        r = self.db.execute("SELECT metadata FROM exhibits WHERE seq=?", (seq,)).fetchone()
        return json.loads(r["metadata"]) if r else {}

    def children(self, seq: int) -> list[int]:
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT exhibit_seq FROM paths WHERE parent_seq=? ORDER BY exhibit_seq", (seq,))]

    def pages(self, seq: int) -> list[dict[str, Any]]:
        """[{number, text, source, lang, meta}] in page order."""
        return [{"number": r["number"], "text": r["text"], "source": r["source"], "lang": r["lang"],
                 "meta": json.loads(r["meta"])}
                for r in self.db.execute("SELECT * FROM pages WHERE exhibit_seq=? ORDER BY number", (seq,))]

    def page(self, seq: int, number: int) -> dict[str, Any] | None:
        r = self.db.execute("SELECT * FROM pages WHERE exhibit_seq=? AND number=?", (seq, number)).fetchone()
        if r is None:
            return None
        return {"number": r["number"], "text": r["text"], "source": r["source"], "lang": r["lang"],
                "meta": json.loads(r["meta"])}

    def tables(self, seq: int | None = None) -> list[dict[str, Any]]:
        """[{id, exhibit_seq, ordinal, name, page, kind, meta, row_count}]."""
        sql = "SELECT * FROM tables" + (" WHERE exhibit_seq=?" if seq is not None else "") + \
              " ORDER BY exhibit_seq, ordinal"
        args: tuple[Any, ...] = (seq,) if seq is not None else ()
        return [{"id": r["id"], "exhibit_seq": r["exhibit_seq"], "ordinal": r["ordinal"], "name": r["name"],
                 "page": r["page"], "kind": r["kind"], "meta": json.loads(r["meta"]), "row_count": r["row_count"]}
                for r in self.db.execute(sql, args)]

    def table_rows(self, table_id: int, batch: int = 5000) -> Iterator[Row]:
        """Stream a table's rows in order, a batch at a time, so memory does not grow with the table."""
        last = -1
        while True:
            rs = self.db.execute("SELECT number, cells FROM table_rows WHERE table_id=? AND number>? "
                                 "ORDER BY number LIMIT ?", (table_id, last, batch)).fetchall()
            if not rs:
                return
            for r in rs:
                yield Row(r["number"], tuple(Cell(c[0], c[1], c[2]) for c in json.loads(r["cells"])))
            last = rs[-1]["number"]

    def custody_events(self, sha256: str | None = None) -> list[custody.CustodyEvent]:
        if sha256 is None:
            rs = self.db.execute("SELECT * FROM custody ORDER BY seq")
        else:
            rs = self.db.execute("SELECT * FROM custody WHERE exhibit_sha256=? ORDER BY seq", (sha256,))
        return [custody.row_to_event(r) for r in rs]

    def blob_path(self, sha256: str) -> Path:
        return self.blobs.path(sha256)

    def search(self, query: str, **kw: Any) -> dict[str, Any]:
        """Page- and row-level hits for a query (see exhibit.search.search): the Python API on the
        archive object. Imported late: search is built on the archive, not the other way round."""
        from exhibit.search import search

        return search(self, query, **kw)

    # -- writing -------------------------------------------------------------------------------
    def record(self, event: str, sha256: str | None, actor: str | None = None,
               details: dict[str, Any] | None = None) -> custody.CustodyEvent:
        """Append a custody event in its own transaction (exports, judgements, logins, OCR runs...)."""
        with self.transaction() as db:
            return custody.append(db, event, sha256, actor or custody.os_user(), details)

    def replace_pages(self, seq: int, pages: list[dict[str, Any]]) -> None:
        """Replace an exhibit's pages (re-OCR); call inside a transaction. Search catches up via `changes`."""
        self.db.execute("DELETE FROM pages WHERE exhibit_seq=?", (seq,))
        self.db.executemany(
            "INSERT INTO pages(exhibit_seq, number, text, source, lang, meta) VALUES (?,?,?,?,?,?)",
            [(seq, p["number"], p["text"], p["source"], p.get("lang"),
              json.dumps(p.get("meta") or {}, ensure_ascii=False)) for p in pages])
        self.db.execute("UPDATE exhibits SET page_count=? WHERE seq=?", (len(pages), seq))
        self.db.execute("INSERT INTO changes(exhibit_seq, what) VALUES (?, 'pages')", (seq,))

    # -- added by the ocr branch
    def ocr_candidates(self) -> list[int]:
        """Exhibits with something to OCR, in order: images, and PDFs with at least one OCR'd page."""
        rows = self.db.execute(
            "SELECT seq FROM exhibits WHERE media_type LIKE 'image/%' OR (media_type='application/pdf' AND "
            "EXISTS (SELECT 1 FROM pages p WHERE p.exhibit_seq=exhibits.seq AND p.source='ocr')) ORDER BY seq")
        return [int(r[0]) for r in rows]

    def set_extraction_state(self, seq: int, status: str, reason: str | None, lang: str | None) -> None:
        """An exhibit's status, reason and language after it was read again (re-OCR); call inside a
        transaction."""
        self.db.execute("UPDATE exhibits SET status=?, reason=?, lang=? WHERE seq=?", (status, reason, lang, seq))
