"""Test helper: a scratch archive whose catalog tables are written directly (as ingest would write them),
so records can be tested on tables the tests make, independent of the format readers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from exhibit.archive import Archive, Page, PageSource

Cell = tuple[str, str, str | None]


def make_archive(root: Path, catalog_url: str | None = None) -> Archive:
    """An empty archive, its catalog on SQLite (None) or in the PostgreSQL database named."""
    return Archive.init(root, catalog_url)


def add_exhibit(arch: Archive, path: str, data: bytes | None = None, title: str | None = None,
                metadata: dict[str, Any] | None = None) -> int:
    data = data if data is not None else path.encode()
    sha = hashlib.sha256(data).hexdigest()
    with arch.transaction() as db:
        seq = int(db.execute("INSERT INTO exhibits(sha256, size, media_type, status, title, metadata, first_received)"
                             " VALUES (:s, :n, :m, 'ok', :t, :meta, :f) RETURNING seq",
                             {"s": sha, "n": len(data), "m": "application/octet-stream", "t": title,
                              "meta": json.dumps(metadata or {}), "f": "2026-01-01T00:00:00Z"}).fetchone()[0])
        db.execute("INSERT INTO paths(exhibit_seq, path, received) VALUES (:s, :p, :r)",
                   {"s": seq, "p": path, "r": "2026-01-01"})
    return seq


def add_table(arch: Archive, seq: int, name: str, rows: Iterable[tuple[int, Sequence[Cell]]], kind: str = "sheet",
              page: int | None = None, meta: dict[str, Any] | None = None) -> int:
    with arch.transaction() as db:
        ordinal = db.execute("SELECT COUNT(*) FROM tables WHERE exhibit_seq = :s", {"s": seq}).fetchone()[0] + 1
        tid = int(db.execute("INSERT INTO tables(exhibit_seq, ordinal, name, page, kind, meta, row_count) "
                             "VALUES (:s, :o, :n, :p, :k, :m, 0) RETURNING id",
                             {"s": seq, "o": ordinal, "n": name, "p": page, "k": kind,
                              "m": json.dumps(meta or {})}).fetchone()[0])
        stored = [(tid, number, json.dumps([list(c) for c in cells], ensure_ascii=False)) for number, cells in rows]
        db.bulk_insert("table_rows", ("table_id", "number", "cells"), stored)
        db.execute("UPDATE tables SET row_count = :n WHERE id = :t", {"n": len(stored), "t": tid})
    return tid


def text_rows(rows: Sequence[Sequence[Any]], first: int = 1) -> list[tuple[int, list[Cell]]]:
    """Plain values to catalog rows: ints/floats become number cells, the rest text."""
    out = []
    for i, r in enumerate(rows, first):
        cells: list[Cell] = []
        for v in r:
            if v is None or v == "":
                cells.append(("", "", None))
            elif isinstance(v, (int, float)):
                cells.append((repr(v) if isinstance(v, float) else str(v), "n", None))
            else:
                cells.append((str(v), "s", None))
        out.append((i, cells))
    return out


def add_file(arch: Archive, file: Path, path: str, workdir: Path) -> int:
    """One file read by the real format ingestor (not the pipeline): its tables and pages into the catalog."""
    from exhibit.ingest.detect import detect
    from exhibit.ingest.formats import IngestContext, choose

    seq = add_exhibit(arch, path, file.read_bytes())
    d = detect(file, path)
    workdir.mkdir(parents=True, exist_ok=True)
    ext = choose(d.media_type, path).ingest(file, IngestContext(workdir=workdir, ocr=False))
    with arch.transaction() as db:
        db.execute("UPDATE exhibits SET metadata = :m, title = :t WHERE seq = :s",
                   {"m": json.dumps(ext.metadata, ensure_ascii=False, default=str), "t": ext.metadata.get("title"),
                    "s": seq})
        arch.replace_pages(seq, [Page(p.number, p.text, PageSource(p.source)) for p in ext.pages])
    for t in ext.tables:
        add_table(arch, seq, t.name, ((r.number, [(c.value, c.type, c.raw) for c in r.cells]) for r in t.rows),
                  t.kind, t.page, t.meta)
    return seq


def add_sample(arch: Archive, cache: Path) -> None:
    """The dev corpus registers and testimonies, read by the format ingestors as ingest reads them."""
    work = arch.root / "scratch-work"
    for rel in ("registers/墨玉县学员花名册_2018.xlsx", "registers/家庭成员情况表.docx",
                "registers/收押人员名单_扫描件前打印稿.pdf", "registers/一体化平台推送人员清单.csv",
                "testimonies/testimonies.csv"):
        add_file(arch, cache / rel, rel, work)
