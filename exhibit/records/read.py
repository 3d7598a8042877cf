"""Reading stored records back in the contract's shape, with their cells taken from the catalog."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from exhibit.archive import Archive
from exhibit.errors import UserError
from exhibit.records import store
from exhibit.records.extract import _loads, cells_dict

_SELECT = ("SELECT r.record_id, r.data, r.id_cell, r.table_id, t.cells FROM records r "
           "LEFT JOIN table_rows t ON t.table_id = r.table_id AND t.number = r.table_row ")


def _headers(arch: Archive) -> dict[int, list[str]]:
    return {r[0]: json.loads(r[1]) for r in arch.db.execute("SELECT table_id, headers FROM records_registers")}


def _record(row: Any, headers: dict[int, list[str]]) -> dict[str, Any]:
    rec: dict[str, Any] = _loads(row[1])
    cells = _loads(row[4]) if row[4] else []
    rec["cells"] = cells_dict(headers.get(row[3], []), cells)
    raw = {k: str(c[2]) for k, c in zip(rec["cells"], cells, strict=False) if len(c) > 2 and c[2] is not None}
    if raw:
        rec["cells_stored"] = raw  # the stored value where it differs from the one shown
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
    headers = _headers(arch)
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
            yield _record(r, headers)


def get(arch: Archive, record_id: str) -> dict[str, Any]:
    store.ensure(arch.db)
    r = arch.db.execute(_SELECT + "WHERE r.record_id=?", (record_id,)).fetchone()
    if r is None:
        raise UserError(f"{record_id}: no such record. `exhibit records ls` lists them (run "
                        "`exhibit records extract` first if the list is empty).")
    return _record(r, _headers(arch))


def registers(arch: Archive) -> list[dict[str, Any]]:
    """What the last extract decided for every table: status, reason, records, columns."""
    store.ensure(arch.db)
    out = []
    for r in arch.db.execute("SELECT g.*, t.name AS table_name, t.kind, t.page, t.ordinal FROM records_registers g "
                             "JOIN tables t ON t.id = g.table_id ORDER BY g.exhibit_seq, t.ordinal"):
        ex = arch.exhibit(r["exhibit_seq"])
        headers = json.loads(r["headers"])
        fields = {int(k): v for k, v in json.loads(r["fields"]).items()}
        out.append({"id": ex["id"], "path": ex["paths"][0] if ex["paths"] else None, "table": r["table_name"],
                    "table_id": r["table_id"], "kind": r["kind"], "page": r["page"], "status": r["status"],
                    "reason": r["reason"], "records": r["records"], "header_row": r["header_row"],
                    "title": r["title"], "date": r["date"],
                    "columns": {(h or f"#{i + 1}"): fields.get(i) for i, h in enumerate(headers)}})
    return out
