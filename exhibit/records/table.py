"""Reading any one table as people without storing records (testimonies, lists a helper reads "as mentions")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from exhibit.archive import Archive, rows
from exhibit.errors import UserError
from exhibit.records.extract import _as_mapping, _sample
from exhibit.records.headers import detect, register_date
from exhibit.records.interpret import RowReader, exhibit_info
from exhibit.records.mapping import MappingFile


def read_table(arch: Archive, table_id: int, mapping: MappingFile | Path | str | dict[str, Any] | None = None,
               ) -> Iterator[dict[str, Any]]:
    """Each person row of one table as a normalised dict (the record shape, with `cells` and `source`).

    `mapping` is {header: field}, e.g. for the testimonies CSV::

        read_table(arch, tid, {"victim_name": "name", "birth_year": "birth_year", "gender": "gender",
                               "hometown": "address", "testimony_id": "seq", "statement": "statement",
                               "relation_of_reporter": "reporter_relation"})

    A table needs no ID-number column here: what makes a row is a name or an ID number.
    """
    t = arch.table(table_id)
    if t is None:
        raise UserError(f"table {table_id}: no such table in this archive.")
    mf = _as_mapping(mapping)
    ex = exhibit_info(arch, t.exhibit_seq, {})
    entry = mf.entry_for(ex.id, ex.sha256, ex.paths, t.name) if mf else None
    tm = detect(_sample(rows.stored_rows(arch, table_id)), t.meta, mf, entry)
    if "name" not in tm.fields.values() and "id_number" not in tm.fields.values():
        raise UserError(f"{ex.id} {t.name}: no name or ID-number column found ({tm.reason}); "
                        "give a mapping {header: field}.")
    tm.date = register_date(tm, [t.name, *ex.paths, ex.title, ex.meta_title])
    reader = RowReader(arch, ex, t, tm)
    for number, cells in rows.stored_rows(arch, table_id):
        if reader.is_data(number, cells):
            yield reader.record(number, cells).as_json()
