"""Reading stored records back: the stored core values plus the interpretation of the row's cells, which stay
in the catalog as the evidence."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from exhibit.archive import Archive, rows
from exhibit.archive.types import TableInfo
from exhibit.errors import UserError
from exhibit.records import store
from exhibit.records.interpret import ExhibitInfo, RowReader, exhibit_info
from exhibit.records.store import StoredRecord
from exhibit.records.types import Record


class _Readers:
    """One RowReader per register table, made on first use."""

    def __init__(self, arch: Archive) -> None:
        self.arch = arch
        self.exhibits: dict[int, ExhibitInfo] = {}
        self.readers: dict[int, RowReader] = {}
        self.tables: dict[int, TableInfo] = {t.id: t for t in arch.tables()}

    def get(self, table_id: int) -> RowReader:
        r = self.readers.get(table_id)
        if r is None:
            g = store.register(self.arch.catalog, table_id)
            if g is None:
                raise UserError(f"table {table_id}: not read by `exhibit records extract`; run it again.")
            table = self.tables[table_id]
            r = RowReader(self.arch, exhibit_info(self.arch, table.exhibit_seq, self.exhibits), table, g.mapping())
            self.readers[table_id] = r
        return r


def _record(arch: Archive, s: StoredRecord, cells: list[list[Any]], readers: _Readers) -> Record:
    reader = readers.get(s.table_id)
    family_rows = None
    if s.rows:
        others = rows.stored_cells(arch, s.table_id, s.rows)
        family_rows = [(n, others[n]) for n in s.rows if n in others]
    # its record_id: from table and row
    return reader.record(s.table_row, cells, s.row, (s.name, s.id_number, s.gender, s.age),
                         family_rows=family_rows, grouped=s.rows)


def _with_cells(arch: Archive, stored: Iterator[StoredRecord], readers: _Readers) -> Iterator[Record]:
    """The records with their rows' cells, read a page at a time per table (records come in source order,
    so a page of them is a run of rows of one table)."""
    page: list[StoredRecord] = []

    def flush() -> Iterator[Record]:
        by_table: dict[int, dict[int, list[list[Any]]]] = {}
        for tid in dict.fromkeys(s.table_id for s in page):
            by_table[tid] = rows.stored_cells(arch, tid, [s.table_row for s in page if s.table_id == tid])
        for s in page:
            yield _record(arch, s, by_table[s.table_id].get(s.table_row, []), readers)
        page.clear()

    for s in stored:
        page.append(s)
        if len(page) >= 2000:
            yield from flush()
    yield from flush()


def register_seqs(arch: Archive, register: str) -> list[int]:
    """Exhibits named by `register`: an exhibit ID, a SHA-256 prefix, or a path as ingested (or its end)."""
    seqs = rows.exhibits_at_path(arch, register)
    if seqs:
        return seqs
    try:
        return [arch.resolve(register)]
    except UserError as e:
        raise UserError(f"{register}: no register with this path, exhibit ID or SHA-256 prefix. "
                        "`exhibit records ls` shows the registers read.") from e


def records(arch: Archive, register: str | None = None, limit: int | None = None) -> Iterator[Record]:
    """Every stored record in source order (exhibit, table, row), or those of one register."""
    store.ensure(arch.catalog)
    seqs = register_seqs(arch, register) if register else None
    return _with_cells(arch, store.stored_records(arch.catalog, seqs, limit), _Readers(arch))


def iter_records(arch: Archive, register: str | None = None, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """records() in the `records ls --json` shape, for the callers that work on that shape (link, coding)."""
    for r in records(arch, register, limit):
        yield r.as_json()


def record(arch: Archive, record_id: str) -> Record:
    """One stored record by its ID."""
    store.ensure(arch.catalog)
    key = store.locate(arch, record_id)
    s = store.stored_record(arch.catalog, key) if key else None
    if s is None:
        raise UserError(f"{record_id}: no such record. `exhibit records ls` lists them (run "
                        "`exhibit records extract` first if the list is empty).")
    return next(_with_cells(arch, iter([s]), _Readers(arch)))


def get(arch: Archive, record_id: str) -> dict[str, Any]:
    """record() in the `records ls --json` shape."""
    return record(arch, record_id).as_json()


def registers(arch: Archive) -> list[dict[str, Any]]:
    """What the last extract decided for every table: status, reason, records, columns."""
    store.ensure(arch.catalog)
    tables = {t.id: t for t in arch.tables()}
    out = []
    stored = [g for g in store.registers(arch.catalog) if g.table_id in tables]
    stored.sort(key=lambda g: (g.exhibit_seq, tables[g.table_id].ordinal))
    history = store.mapping_history(arch.catalog)
    for g in stored:
        t = tables[g.table_id]
        ex = arch.exhibit(g.exhibit_seq)
        out.append({"id": ex.id, "path": ex.path_names[0] if ex.path_names else None, "table": t.name,
                    "table_id": g.table_id, "kind": str(t.kind), "page": t.page, "status": g.status,
                    "reason": g.reason, "records": g.records, "header_row": g.header_row,
                    "title": g.title, "date": g.date,
                    "columns": {(h or f"#{i + 1}"): g.fields.get(i) for i, h in enumerate(g.headers)},
                    "mapping_edit": mapping_edit(history.get(g.table_id, []))})
    return out


def mapping_edit(edits: list[store.MappingEdit]) -> dict[str, Any] | None:
    """Which mapping of a table is in force and why: the latest edit wins; the earlier ones are kept."""
    if not edits:
        return None
    cur = edits[-1]
    return {"actor": cur.actor, "at": cur.at, "source": cur.source, "earlier_edits": len(edits) - 1,
            "why": "the latest edit is in force" + (f"; {len(edits) - 1} earlier kept, by "
                                                    + ", ".join(sorted({e.actor for e in edits[:-1]}))
                                                    if len(edits) > 1 else ""),
            "earlier": [{"actor": e.actor, "at": e.at, "source": e.source} for e in edits[:-1]]}
