"""Build small archives for search tests by writing exhibits and pages straight into the catalog."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from exhibit.archive import Archive


def add_exhibit(arch: Archive, path: str, pages: list[str] | None = None, *, media_type: str = "application/pdf",
                lang: str | None = "zh", source: str = "text", doc_date: str | None = None,
                rows: list[list[str]] | None = None, sheet: str = "Sheet1", label: str = "",
                page_meta: dict[str, Any] | None = None) -> int:
    """One exhibit with its pages (and optionally one table), recorded in `changes` like the pipeline does."""
    body = json.dumps([path, pages, rows], ensure_ascii=False).encode()
    sha = hashlib.sha256(body).hexdigest()
    with arch.transaction() as db:
        cur = db.execute(
            "INSERT INTO exhibits(sha256, size, media_type, status, page_count, lang, doc_date, first_received) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (sha, len(body), media_type, "ok", len(pages or []), lang, doc_date, "2024-01-01T00:00:00Z"))
        seq = int(cur.lastrowid or 0)
        db.execute("INSERT INTO paths(exhibit_seq, path, source, received) VALUES (?,?,?,?)",
                   (seq, path, label, "2024-01-01T00:00:00Z"))
        for i, text in enumerate(pages or [], 1):
            db.execute("INSERT INTO pages(exhibit_seq, number, text, source, lang, meta) VALUES (?,?,?,?,?,?)",
                       (seq, i, text, source, lang, json.dumps(page_meta or {}, ensure_ascii=False)))
        if rows:
            t = db.execute("INSERT INTO tables(exhibit_seq, ordinal, name, kind, row_count) VALUES (?,?,?,?,?)",
                           (seq, 1, sheet, "sheet", len(rows)))
            for n, row in enumerate(rows, 1):
                db.execute("INSERT INTO table_rows(table_id, number, cells) VALUES (?,?,?)",
                           (t.lastrowid, n, json.dumps([[v, "s", None] for v in row], ensure_ascii=False)))
        db.execute("INSERT INTO changes(exhibit_seq, what) VALUES (?, 'extracted')", (seq,))
    return seq


def new_archive(root: Path) -> Archive:
    return Archive.init(root)
