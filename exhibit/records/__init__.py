"""Registers to person records: the library API that the CLI, link, coding, web and report layers use.

    extract(arch, mapping=None, progress=SILENT) -> summary dict
    records(arch, register=None, limit=None) -> Iterator[Record]   (Record.as_json: the `records ls --json` shape)
    record(arch, record_id) -> Record
    iter_records(...), get(...): the same as JSON dicts, for callers that work on that shape
    read_table(arch, table_id, mapping) -> Iterator[person dict]  (any table, e.g. testimonies, not stored)
    pseudonymise(record dict, secret) -> record dict
"""

from __future__ import annotations

from exhibit.records.export import export, pseudonym, pseudonymise
from exhibit.records.extract import extract
from exhibit.records.read import get, iter_records, record, records, registers
from exhibit.records.table import read_table
from exhibit.records.types import Record, RegisterRef, Source

__all__ = ["Record", "RegisterRef", "Source", "export", "extract", "get", "iter_records", "pseudonym",
           "pseudonymise", "read_table", "record", "records", "registers"]
