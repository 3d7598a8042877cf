"""Registers to person records: the library API that the CLI, link, coding, web and report layers use.

    extract(arch, mapping=None, progress=False) -> summary dict
    iter_records(arch, register=None) -> Iterator[record dict]   (the `records ls --json` shape)
    get(arch, record_id) -> record dict
    read_table(arch, table_id, mapping) -> Iterator[person dict]  (any table, e.g. testimonies, not stored)
    pseudonymise(record, secret) -> record
"""

from __future__ import annotations

from exhibit.records.export import export, pseudonym, pseudonymise
from exhibit.records.extract import extract
from exhibit.records.read import get, iter_records, registers
from exhibit.records.table import read_table

__all__ = ["export", "extract", "get", "iter_records", "pseudonym", "pseudonymise", "read_table", "registers"]
