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


def make_archive(root: Path) -> Archive:
    return Archive.init(root)


def add_exhibit(arch: Archive, path: str, data: bytes | None = None, title: str | None = None,
                metadata: dict[str, Any] | None = None) -> int:
    data = data if data is not None else path.encode()
    sha = hashlib.sha256(data).hexdigest()
    with arch.transaction() as db:
        cur = db.execute("INSERT INTO exhibits(sha256, size, media_type, status, title, metadata, first_received)"
                         " VALUES (?,?,?,?,?,?,?)", (sha, len(data), "application/octet-stream", "ok", title,
                                                     json.dumps(metadata or {}), "2026-01-01T00:00:00Z"))
        seq = int(cur.lastrowid or 0)
        db.execute("INSERT INTO paths(exhibit_seq, path, received) VALUES (?,?,?)", (seq, path, "2026-01-01"))
    return seq


def add_table(arch: Archive, seq: int, name: str, rows: Iterable[tuple[int, Sequence[Cell]]], kind: str = "sheet",
              page: int | None = None, meta: dict[str, Any] | None = None) -> int:
    with arch.transaction() as db:
        ordinal = db.execute("SELECT COUNT(*) FROM tables WHERE exhibit_seq=?", (seq,)).fetchone()[0] + 1
        cur = db.execute("INSERT INTO tables(exhibit_seq, ordinal, name, page, kind, meta, row_count) "
                         "VALUES (?,?,?,?,?,?,0)", (seq, ordinal, name, page, kind, json.dumps(meta or {})))
        tid = int(cur.lastrowid or 0)
        n = 0
        for number, cells in rows:
            db.execute("INSERT INTO table_rows(table_id, number, cells) VALUES (?,?,?)",
                       (tid, number, json.dumps([list(c) for c in cells], ensure_ascii=False)))
            n += 1
        db.execute("UPDATE tables SET row_count=? WHERE id=?", (n, tid))
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
        db.execute("UPDATE exhibits SET metadata=?, title=? WHERE seq=?",
                   (json.dumps(ext.metadata, ensure_ascii=False, default=str), ext.metadata.get("title"), seq))
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
