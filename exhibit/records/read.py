"""Reading stored records back in the contract's shape: the stored core values plus the interpretation of the
row's cells, which stay in the catalog as the evidence."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from exhibit.archive import Archive
from exhibit.errors import UserError
from exhibit.records import store
from exhibit.records.extract import _loads
from exhibit.records.interpret import ExhibitInfo, RowReader, cells_dict, exhibit_info
from exhibit.records.mapping import TableMapping

_SELECT = ("SELECT r.table_id, r.table_row, r.row, r.name, r.id_number, r.gender, r.age, r.rows, "
           "t.cells FROM records r LEFT JOIN table_rows t ON t.table_id = r.table_id AND t.number = r.table_row ")


class _Readers:
    """One RowReader per register table, made on first use."""

    def __init__(self, arch: Archive) -> None:
        self.arch = arch
        self.exhibits: dict[int, ExhibitInfo] = {}
        self.readers: dict[int, RowReader] = {}
        self.tables = {t.id: t for t in arch.tables()}

    def get(self, table_id: int) -> RowReader:
        r = self.readers.get(table_id)
        if r is None:
            g = self.arch.db.execute("SELECT * FROM records_registers WHERE table_id=?", (table_id,)).fetchone()
            table = self.tables[table_id]
            tm = TableMapping(g["status"], g["reason"], g["header_row"], json.loads(g["headers"]),
                              {int(k): v for k, v in json.loads(g["fields"]).items()}, g["title"], g["date"])
            r = RowReader(self.arch, exhibit_info(self.arch, table.exhibit_seq, self.exhibits), table, tm)
            self.readers[table_id] = r
        return r


def _record(arch: Archive, row: Any, readers: _Readers) -> dict[str, Any]:
    reader = readers.get(row["table_id"])
    cells = _loads(row["cells"]) if row["cells"] else []
    stored = {"name": row["name"], "id_number": row["id_number"], "gender": row["gender"], "age": row["age"]}
    rec = reader.record(row["table_row"], cells, row["row"], stored)  # its record_id: from table and row
    rec["cells"] = cells_dict(reader.tm.headers, cells)
    stored_cells = {k: str(c[2]) for k, c in zip(rec["cells"], cells, strict=False) if len(c) > 2 and c[2] is not None}
    if stored_cells:
        rec["cells_stored"] = stored_cells  # the stored value where it differs from the one shown
    if row["rows"]:
        numbers = json.loads(row["rows"])
        others = dict(arch.db.execute(
            f"SELECT number, cells FROM table_rows WHERE table_id=? AND number IN ({','.join('?' * len(numbers))})",
            (row["table_id"], *numbers)).fetchall())
        rec["family"] = [reader.relative(_loads(others[n]), n, n) for n in numbers if n in others]
        rec["source"]["rows"] = numbers
    return rec


def register_seqs(arch: Archive, register: str) -> list[int]:
    """Exhibits named by `register`: an exhibit ID, a SHA-256 prefix, or a path as ingested (or its end)."""
    rows = arch.db.execute("SELECT DISTINCT exhibit_seq FROM paths WHERE path=? OR path LIKE ?",
                           (register, "%/" + register)).fetchall()
    if rows:
        return [r[0] for r in rows]
    try:
        return [arch.resolve(register)]
    except UserError as e:
        raise UserError(f"{register}: no register with this path, exhibit ID or SHA-256 prefix. "
                        "`exhibit records ls` shows the registers read.") from e


def iter_records(arch: Archive, register: str | None = None, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Every stored record in source order (exhibit, table, row), in the `records ls --json` shape."""
    store.ensure(arch.db)
    readers = _Readers(arch)
    sql, args = _SELECT, []
    if register:
        seqs = register_seqs(arch, register)
        sql += f"WHERE r.exhibit_seq IN ({','.join('?' * len(seqs))}) "
        args.extend(seqs)
    sql += "ORDER BY r.exhibit_seq, r.table_id, r.table_row"
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    cur = arch.db.execute(sql, args)
    while True:
        rows = cur.fetchmany(2000)
        if not rows:
            return
        for r in rows:
            yield _record(arch, r, readers)


def get(arch: Archive, record_id: str) -> dict[str, Any]:
    store.ensure(arch.db)
    key = store.locate(arch.db, record_id)
    r = arch.db.execute(_SELECT + "WHERE r.table_id=? AND r.table_row=?", key).fetchone() if key else None
    if r is None:
        raise UserError(f"{record_id}: no such record. `exhibit records ls` lists them (run "
                        "`exhibit records extract` first if the list is empty).")
    return _record(arch, r, _Readers(arch))


def registers(arch: Archive) -> list[dict[str, Any]]:
    """What the last extract decided for every table: status, reason, records, columns."""
    store.ensure(arch.db)
    out = []
    for r in arch.db.execute("SELECT g.*, t.name AS table_name, t.kind, t.page, t.ordinal FROM records_registers g "
                             "JOIN tables t ON t.id = g.table_id ORDER BY g.exhibit_seq, t.ordinal"):
        ex = arch.exhibit(r["exhibit_seq"])
        headers = json.loads(r["headers"])
        fields = {int(k): v for k, v in json.loads(r["fields"]).items()}
        out.append({"id": ex.id, "path": ex.path_names[0] if ex.path_names else None, "table": r["table_name"],
                    "table_id": r["table_id"], "kind": r["kind"], "page": r["page"], "status": r["status"],
                    "reason": r["reason"], "records": r["records"], "header_row": r["header_row"],
                    "title": r["title"], "date": r["date"],
                    "columns": {(h or f"#{i + 1}"): fields.get(i) for i, h in enumerate(headers)}})
    return out
