"""Test helper: a scratch archive whose catalog tables are written directly (as ingest would write them),
so records can be tested on tables the tests make, independent of the format readers."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from exhibit.archive import Archive

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


def add_xlsx(arch: Archive, file: Path, path: str) -> int:
    from openpyxl import load_workbook

    seq = add_exhibit(arch, path, file.read_bytes())
    wb = load_workbook(file)
    for ws in wb.worksheets:
        rows = []
        for r in ws.iter_rows():
            cells: list[Cell] = []
            for c in r:
                v = c.value
                if v is None:
                    cells.append(("", "", None))
                elif isinstance(v, float):
                    cells.append((repr(v), "n", repr(v)))
                elif isinstance(v, int):
                    cells.append((str(v), "n", None))
                else:
                    cells.append((str(v), "s", None))
            rows.append((r[0].row, cells))
        add_table(arch, seq, ws.title, rows, "sheet", meta={"merged": [str(m) for m in ws.merged_cells.ranges]})
    return seq


def add_csv(arch: Archive, file: Path, path: str, encoding: str = "utf-8") -> int:
    data = file.read_bytes()
    seq = add_exhibit(arch, path, data)
    reader = csv.reader(io.StringIO(data.decode(encoding)))
    rows = [(i, [(v, "s" if v else "", None) for v in r]) for i, r in enumerate(reader, 1)]
    add_table(arch, seq, Path(path).name, rows, "csv")
    return seq


def add_docx(arch: Archive, file: Path, path: str) -> int:
    import docx

    seq = add_exhibit(arch, path, file.read_bytes())
    d = docx.Document(str(file))
    for k, t in enumerate(d.tables, 1):
        rows = [(i, [(c.text, "s" if c.text else "", None) for c in r.cells]) for i, r in enumerate(t.rows, 1)]
        add_table(arch, seq, f"table {k}", rows, "docx")
    return seq


def add_pdf(arch: Archive, file: Path, path: str) -> int:
    import pymupdf

    seq = add_exhibit(arch, path, file.read_bytes())
    doc = pymupdf.open(str(file))
    with arch.transaction():
        arch.replace_pages(seq, [{"number": p.number + 1, "text": p.get_text(), "source": "text"} for p in doc])
    for p in doc:
        for k, t in enumerate(p.find_tables(), 1):
            rows = [(i, [(v or "", "s" if v else "", None) for v in r]) for i, r in enumerate(t.extract(), 1)]
            add_table(arch, seq, f"page {p.number + 1} table {k}", rows, "pdf", page=p.number + 1)
    return seq


def add_sample(arch: Archive, cache: Path) -> None:
    """The dev corpus registers and testimonies, read the way ingest will store them."""
    reg = cache / "registers"
    add_xlsx(arch, reg / "墨玉县学员花名册_2018.xlsx", "registers/墨玉县学员花名册_2018.xlsx")
    add_docx(arch, reg / "家庭成员情况表.docx", "registers/家庭成员情况表.docx")
    add_pdf(arch, reg / "收押人员名单_扫描件前打印稿.pdf", "registers/收押人员名单_扫描件前打印稿.pdf")
    add_csv(arch, reg / "一体化平台推送人员清单.csv", "registers/一体化平台推送人员清单.csv", "gb18030")
    add_csv(arch, cache / "testimonies" / "testimonies.csv", "testimonies/testimonies.csv")
