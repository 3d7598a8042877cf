"""A small archive of the dev cache's documents and register, written with direct SQL (no ingest pipeline).

Used by the reports tests only while the format ingestors have not landed; once
`exhibit.ingest.formats.choose` exists the tests use the shared `dev_archive` instead.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import openpyxl
import pymupdf

from exhibit.archive import Archive, custody

FILES = ["documents/副本_电报.pdf", "registers/一体化平台推送人员清单.csv", "documents/电报_培训中心工作意见.pdf",
         "registers/墨玉县学员花名册_2018.xlsx", "documents/telegram_translation.pdf"]


def _cells(values: list[object]) -> str:
    return json.dumps([["" if v is None else str(v), "s" if isinstance(v, str) else "n", None] for v in values],
                      ensure_ascii=False)


def build(root: Path, cache: Path) -> Path:
    arch = Archive.init(root)
    with arch.transaction() as db:
        for rel in FILES:
            data = (cache / rel).read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            known = db.execute("SELECT seq FROM exhibits WHERE sha256=?", (sha,)).fetchone()
            if known:  # the same bytes under another name: one exhibit, two paths
                db.execute("INSERT INTO paths(exhibit_seq, path, source, received) VALUES (?,?,?,?)",
                           (known["seq"], rel, "", custody.utc_now()))
                custody.append(db, "received", sha, "pytest", {"path": rel})
                continue
            pages: list[str] = []
            tables: list[tuple[str, str, list[tuple[int, str]]]] = []
            title = None
            if rel.endswith(".pdf"):
                doc = pymupdf.open(stream=data, filetype="pdf")
                pages = [p.get_text() for p in doc]
                title = doc.metadata.get("title") if doc.metadata else None
            elif rel.endswith(".xlsx"):
                wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
                for ws in wb.worksheets:
                    rows = [(i, _cells(list(r))) for i, r in enumerate(ws.iter_rows(values_only=True), 1)]
                    tables.append((ws.title, "sheet", rows))
            else:
                reader = csv.reader(io.StringIO(data.decode("gb18030")))
                tables.append((Path(rel).name, "csv", [(i, _cells(list(r))) for i, r in enumerate(reader, 1)]))
            now = custody.utc_now()
            seq = db.execute("INSERT INTO exhibits(sha256, size, media_type, page_count, title, first_received)"
                             " VALUES (?,?,?,?,?,?)", (sha, len(data), "application/octet-stream", len(pages),
                                                       title, now)).lastrowid
            db.execute("INSERT INTO paths(exhibit_seq, path, source, received) VALUES (?,?,?,?)",
                       (seq, rel, "", now))
            custody.append(db, "received", sha, "pytest", {"path": rel})
            custody.append(db, "stored", sha, "pytest", {"size": len(data)})
            db.executemany("INSERT INTO pages(exhibit_seq, number, text, source) VALUES (?,?,?,?)",
                           [(seq, n, t, "text") for n, t in enumerate(pages, 1)])
            for ordinal, (name, kind, rows) in enumerate(tables, 1):
                tid = db.execute("INSERT INTO tables(exhibit_seq, ordinal, name, kind, row_count) VALUES (?,?,?,?,?)",
                                 (seq, ordinal, name, kind, len(rows))).lastrowid
                db.executemany("INSERT INTO table_rows(table_id, number, cells) VALUES (?,?,?)",
                               [(tid, n, c) for n, c in rows])
            custody.append(db, "extracted", sha, "pytest", {"pages": len(pages), "tables": len(tables)})
    arch.close()
    return root
