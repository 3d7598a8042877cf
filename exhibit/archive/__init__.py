"""The archive: one folder with content-addressed blobs, a catalog (SQLite in the folder, or PostgreSQL)
and derived indexes.

    archive/
      exhibit.json        format marker (and the PostgreSQL catalog's URL, in team mode)
      catalog.sqlite      exhibits, paths, pages, tables, custody (WAL); absent in team mode
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
from exhibit.archive.engine import Catalog, Dialect, Rows, connect, in_list, is_postgres_url
from exhibit.archive.feed import IndexFeed
from exhibit.archive.types import (
    Cell,
    Exhibit,
    ExhibitDetail,
    Page,
    PageSource,
    PathEntry,
    Row,
    Status,
    TableInfo,
    TableKind,
    ex_id,
)
from exhibit.errors import UserError

__all__ = ["Archive", "Cell", "Exhibit", "ExhibitDetail", "Page", "PageSource", "PathEntry", "Row", "Status",
           "TableInfo", "TableKind", "ex_id"]

FORMAT = 1
_EX_RE = re.compile(r"^EX-([0-9]{6,15})$", re.IGNORECASE)
_HEX_RE = re.compile(r"^(?:sha256:)?([0-9a-f]{8,64})$", re.IGNORECASE)


def _chunks(items: list[int], n: int) -> Iterator[list[int]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _page(r: Any) -> Page:
    return Page(number=r["number"], text=r["text"], source=PageSource(r["source"]), lang=r["lang"],
                meta=json.loads(r["meta"]))


def _table(r: Any) -> TableInfo:
    return TableInfo(id=r["id"], exhibit_seq=r["exhibit_seq"], ordinal=r["ordinal"], name=r["name"],
                     page=r["page"], kind=TableKind(r["kind"]), meta=json.loads(r["meta"]), row_count=r["row_count"])


class Archive:
    """An open archive. Every capability reads and writes through this object's `catalog` and helpers."""

    def __init__(self, root: Path, cat: Catalog | sqlite3.Connection) -> None:
        self.root = root
        if isinstance(cat, sqlite3.Connection):  # a caller with a connection of its own (web/deps.py)
            cat = catalog_from_sqlite(cat, root)
        self.catalog: Catalog = cat
        self.blobs = BlobStore(root / "blobs")
        self.index_dir = root / "index"

    @property
    def db(self) -> sqlite3.Connection:
        """The raw sqlite3 connection of a SQLite catalog, for benchmarks and tests that inspect SQLite as
        such. Capability code never uses it: it writes portable SQL through `catalog` (engine.py)."""
        raw = getattr(self.catalog, "raw", None)
        if raw is None:
            raise UserError(f"{self.root}: the catalog is on PostgreSQL; this needs the SQLite catalog of an "
                            "archive folder (`exhibit catalog copy --to sqlite` moves it back).")
        return raw  # type: ignore[no-any-return]

    @property
    def dialect(self) -> Dialect:
        return self.catalog.dialect

    @property
    def tmp_dir(self) -> Path:
        """This process's scratch folder inside the archive (see archive.scratch)."""
        return scratch.folder(self.root / "tmp")

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def init(cls, root: Path, catalog_url: str | None = None) -> Archive:
        """A new archive at `root`; its catalog on PostgreSQL when `catalog_url` is a postgresql:// URL."""
        if catalog_url and not is_postgres_url(catalog_url):
            raise UserError(f"{catalog_url}: not a catalog URL. Give postgresql://USER@HOST/DB, or nothing for the "
                            "SQLite catalog in the archive folder.")
        root.mkdir(parents=True, exist_ok=True)
        marker = root / "exhibit.json"
        if marker.exists():
            known = catalog_url_of(root)
            if catalog_url and known != catalog_url:
                raise UserError(f"{root}: already an archive with its catalog at {known or 'catalog.sqlite'}; "
                                "`exhibit catalog copy --to URL` moves a catalog.")
        else:
            doc: dict[str, Any] = {"format": FORMAT, "created": custody.utc_now()}
            if catalog_url:
                doc["catalog"] = catalog_url
            marker.write_text(json.dumps(doc) + "\n")
        (root / "blobs").mkdir(exist_ok=True)
        cat = _connect(root, catalog_url_of(root))
        catalog.create(cat)
        return cls(root, cat)

    @classmethod
    def open(cls, root: Path, create: bool = False, role: str | None = None) -> Archive:
        """The archive at `root`; `role` is the PostgreSQL role to act as (the web app's, see catalog.grant_app_role)."""
        if not (root / "exhibit.json").exists():
            if create:
                return cls.init(root)
            raise UserError(f"{root}: no exhibit archive here. Run `exhibit init --archive {root}` "
                            "or point --archive (or $EXHIBIT_ARCHIVE) at an existing archive.")
        cat = _connect(root, catalog_url_of(root), role=role)
        if role is None:  # the app role creates nothing: its owner did, at init
            catalog.create(cat)
        arch = cls(root, cat)
        # Leftovers of killed runs go; the scratch of live processes (an ingest's workers while the web
        # app opens the archive) stays. Blobs are only ever renamed into place whole.
        scratch.clean(root / "tmp")
        return arch

    @classmethod
    def attach(cls, root: Path, role: str | None = None) -> Archive:
        """Another connection to an archive that is open already (a web thread's): no schema work, and the
        scratch folders of live processes (a running ingest's) are left alone."""
        return cls(root, _connect(root, catalog_url_of(root), role=role))

    def close(self) -> None:
        self.catalog.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Catalog]:
        """A write transaction: everything inside commits together or not at all."""
        with self.catalog.transaction() as cat:
            yield cat

    @contextmanager
    def custody_batch(self) -> Iterator[custody.Appender]:
        """A transaction whose custody events are appended together when it commits (an ingest batch)."""
        with self.transaction() as db:
            log = custody.Appender(db)  # takes the custody lock
            yield log
            log.flush()

    # -- identifiers ---------------------------------------------------------------------------
    def resolve(self, ref: str) -> int:
        """The exhibit number for `EX-000012`, `12`, or a unique SHA-256 prefix of 8+ hex digits."""
        ref = ref.strip()
        m = _EX_RE.match(ref)
        if m or ref.isascii() and ref.isdigit() and len(ref) < 8:
            seq = int(m.group(1) if m else ref)
            if self.catalog.execute("SELECT 1 FROM exhibits WHERE seq=:s", {"s": seq}).fetchone():
                return seq
            raise UserError(f"{ref}: no such exhibit. `exhibit ls` lists them.")
        m = _HEX_RE.match(ref)
        if not m:
            raise UserError(f"{ref!r} is neither an exhibit ID (EX-000012) nor a SHA-256 prefix of 8+ hex digits.")
        prefix = m.group(1).lower()
        rows = self.catalog.execute("SELECT seq FROM exhibits WHERE sha256 >= :lo AND sha256 < :hi LIMIT 2",
                                    {"lo": prefix, "hi": prefix + "g"}).fetchall()
        if not rows:
            raise UserError(f"{ref}: no exhibit has a SHA-256 starting with {prefix}.")
        if len(rows) > 1:
            raise UserError(f"{ref}: more than one exhibit's SHA-256 starts with {prefix}; give more digits.")
        return int(rows[0]["seq"])

    # -- reading -------------------------------------------------------------------------------
    def exhibit(self, seq: int) -> Exhibit:
        """One exhibit, with every path it was found under."""
        r = self.catalog.execute("SELECT * FROM exhibits WHERE seq=:s", {"s": seq}).fetchone()
        if r is None:
            raise UserError(f"{ex_id(seq)}: no such exhibit. `exhibit ls` lists them.")
        return self._exhibit(r, self._paths([seq]).get(seq, ()))

    def exhibits(self, seqs: list[int] | None = None) -> Iterator[Exhibit]:
        """All exhibits in ingest order, or those of `seqs` (in the order given, unknown ones left out)."""
        if seqs is None:
            rows = self.catalog.execute("SELECT * FROM exhibits ORDER BY seq").fetchall()
            paths = self._paths(None)
            for r in rows:
                yield self._exhibit(r, paths.get(r["seq"], ()))
            return
        for chunk in _chunks(seqs, 500):
            marks, args = in_list("s", chunk)
            by_seq = {r["seq"]: r for r in self.catalog.execute(f"SELECT * FROM exhibits WHERE seq IN {marks}", args)}
            paths = self._paths(chunk)
            for s in chunk:
                if s in by_seq:
                    yield self._exhibit(by_seq[s], paths.get(s, ()))

    def _paths(self, seqs: list[int] | None) -> dict[int, tuple[PathEntry, ...]]:
        if seqs is None:
            rs: Rows = self.catalog.execute("SELECT * FROM paths ORDER BY id")
        else:
            marks, args = in_list("s", seqs)
            rs = self.catalog.execute(f"SELECT * FROM paths WHERE exhibit_seq IN {marks} ORDER BY id", args)
        out: dict[int, list[PathEntry]] = {}
        for p in rs:
            out.setdefault(p["exhibit_seq"], []).append(
                PathEntry(p["path"], p["source"], p["parent_seq"], p["root"], p["received"],
                          None if p["path_bytes"] is None else bytes(p["path_bytes"]), p["path_encoding"]))
        return {k: tuple(v) for k, v in out.items()}

    @staticmethod
    def _exhibit(r: Any, paths: tuple[PathEntry, ...]) -> Exhibit:
        return Exhibit(seq=r["seq"], sha256=r["sha256"], size=r["size"], media_type=r["media_type"],
                       status=Status(r["status"]), reason=r["reason"], page_count=r["page_count"], paths=paths,
                       lang=r["lang"], title=r["title"], doc_date=r["doc_date"],
                       first_received=r["first_received"])

    def detail(self, seq: int) -> ExhibitDetail:
        """Everything about one exhibit, for `show` and the web API."""
        ex = self.exhibit(seq)
        return ExhibitDetail(ex, self.metadata(seq), tuple(self.custody_events(ex.sha256)),
                             tuple(self.children(seq)), tuple(self.tables(seq)), tuple(self.pages(seq)))

    def metadata(self, seq: int) -> dict[str, Any]:
        r = self.catalog.execute("SELECT metadata FROM exhibits WHERE seq=:s", {"s": seq}).fetchone()
        return json.loads(r["metadata"]) if r else {}

    def children(self, seq: int) -> list[int]:
        return [r[0] for r in self.catalog.execute(
            "SELECT DISTINCT exhibit_seq FROM paths WHERE parent_seq=:s ORDER BY exhibit_seq", {"s": seq})]

    def pages(self, seq: int) -> list[Page]:
        """The exhibit's pages in order."""
        return [_page(r) for r in self.catalog.execute("SELECT * FROM pages WHERE exhibit_seq=:s ORDER BY number",
                                                       {"s": seq})]

    def page(self, seq: int, number: int) -> Page | None:
        r = self.catalog.execute("SELECT * FROM pages WHERE exhibit_seq=:s AND number=:n",
                                 {"s": seq, "n": number}).fetchone()
        return None if r is None else _page(r)

    def tables(self, seq: int | None = None) -> list[TableInfo]:
        """The tables of one exhibit, or of all, in exhibit and table order."""
        sql = "SELECT * FROM tables" + (" WHERE exhibit_seq=:s" if seq is not None else "") + \
              " ORDER BY exhibit_seq, ordinal"
        return [_table(r) for r in self.catalog.execute(sql, {"s": seq} if seq is not None else {})]

    def table(self, table_id: int) -> TableInfo | None:
        r = self.catalog.execute("SELECT * FROM tables WHERE id=:t", {"t": table_id}).fetchone()
        return None if r is None else _table(r)

    def table_rows(self, table_id: int, batch: int = 5000) -> Iterator[Row]:
        """Stream a table's rows in order, a batch at a time, so memory does not grow with the table."""
        last = -1
        while True:
            rs = self.catalog.execute("SELECT number, cells FROM table_rows WHERE table_id=:t AND number>:n "
                                      "ORDER BY number LIMIT :k", {"t": table_id, "n": last, "k": batch}).fetchall()
            if not rs:
                return
            for r in rs:
                yield Row(r["number"], tuple(Cell(c[0], c[1], c[2]) for c in json.loads(r["cells"])))
            last = rs[-1]["number"]

    def custody_events(self, sha256: str | None = None) -> list[custody.CustodyEvent]:
        if sha256 is None:
            rs = self.catalog.execute("SELECT * FROM custody ORDER BY seq")
        else:
            rs = self.catalog.execute("SELECT * FROM custody WHERE exhibit_sha256=:h ORDER BY seq", {"h": sha256})
        return [custody.row_to_event(r) for r in rs]

    def blob_path(self, sha256: str) -> Path:
        return self.blobs.path(sha256)

    # -- writing -------------------------------------------------------------------------------
    def replace_pages(self, seq: int, pages: list[Page]) -> None:
        """Replace an exhibit's pages (re-OCR); call inside a transaction. Search catches up via `changes`."""
        cat = self.catalog
        cat.execute("DELETE FROM pages WHERE exhibit_seq=:s", {"s": seq})
        cat.executemany(
            "INSERT INTO pages(exhibit_seq, number, text, source, lang, meta) VALUES (:s,:n,:t,:src,:l,:m)",
            [{"s": seq, "n": p.number, "t": p.text, "src": str(p.source), "l": p.lang,
              "m": json.dumps(p.meta or {}, ensure_ascii=False)} for p in pages])
        cat.execute("UPDATE exhibits SET page_count=:n WHERE seq=:s", {"n": len(pages), "s": seq})
        cat.execute("INSERT INTO changes(exhibit_seq, what) VALUES (:s, 'pages')", {"s": seq})

    @property
    def feed(self) -> IndexFeed:
        """The catalog as the search index reads it: change marks, what changed, pages and rows to index."""
        return IndexFeed(self)

    def log_event(self, event: str, sha256: str | None, actor: str | None = None,
                  details: dict[str, Any] | None = None) -> custody.CustodyEvent:
        """Append a custody event in its own transaction (exports, judgements, logins, OCR runs...)."""
        with self.transaction() as db:
            return custody.append(db, event, sha256, actor or custody.os_user(), details)


    def ocr_candidates(self) -> list[int]:
        """Exhibits with something to OCR, in order: images, and PDFs with at least one OCR'd page."""
        rows = self.catalog.execute(
            "SELECT seq FROM exhibits WHERE media_type LIKE 'image/%' OR (media_type='application/pdf' AND "
            "EXISTS (SELECT 1 FROM pages p WHERE p.exhibit_seq=exhibits.seq AND p.source='ocr')) ORDER BY seq")
        return [int(r[0]) for r in rows]

    def set_extraction_state(self, seq: int, status: str, reason: str | None, lang: str | None) -> None:
        """An exhibit's status, reason and language after it was read again (re-OCR); call inside a
        transaction."""
        self.catalog.execute("UPDATE exhibits SET status=:st, reason=:r, lang=:l WHERE seq=:s",
                             {"st": status, "r": reason, "l": lang, "s": seq})


def catalog_url_of(root: Path) -> str | None:
    """The PostgreSQL catalog's URL the archive's marker names, or None (the folder's catalog.sqlite)."""
    try:
        doc = json.loads((root / "exhibit.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    url = doc.get("catalog") if isinstance(doc, dict) else None
    return str(url) if url else None


def set_catalog_url(root: Path, url: str | None) -> None:
    """Point the archive's marker at another catalog (after `catalog copy --switch`)."""
    marker = root / "exhibit.json"
    doc = json.loads(marker.read_text(encoding="utf-8"))
    if url:
        doc["catalog"] = url
    else:
        doc.pop("catalog", None)
    marker.write_text(json.dumps(doc) + "\n")


def _connect(root: Path, url: str | None, role: str | None = None) -> Catalog:
    if not is_postgres_url(url):
        return connect(root, None)
    import psycopg

    try:
        return connect(root, url, role=role)
    except psycopg.OperationalError as e:
        raise UserError(f"{root}: cannot reach the catalog at {url}: {str(e).strip()}. Check that PostgreSQL "
                        "is running and the URL, user and password (~/.pgpass) are right.") from e


def catalog_from_sqlite(db: sqlite3.Connection, root: Path) -> Catalog:
    """A Catalog around a sqlite3 connection a caller opened itself."""
    from exhibit.archive.engine import SqliteCatalog

    cat = SqliteCatalog.__new__(SqliteCatalog)
    cat.path, cat.raw, cat._depth = root / "catalog.sqlite", db, 0
    return cat
