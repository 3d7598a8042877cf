"""A table's rows as cells are stored, for the capabilities that read registers in bulk (records, checks).

Archive.table_rows gives typed Rows and is what most readers want. Reading a register of a million rows
costs a Cell object per cell there; the records capability reads the stored cells as JSON arrays
([value, type, raw]) instead, or inside SQLite itself. Both ways go through this module, so that no
capability names a core table (tables, table_rows, exhibits, paths) in its own SQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import orjson

from exhibit.archive import Archive
from exhibit.archive.engine import in_list

StoredCells = list[list[Any]]  # [[value, type, raw], ...]: a row's cells as the catalog stores them

# Chunks of a row-number list sent as one IN (...): well below SQLite's parameter limit.
_IN_CHUNK = 500


def stored_rows(arch: Archive, table_id: int, batch: int = 20000, after: int = -1) -> Iterator[tuple[int, StoredCells]]:
    """A table's rows numbered above `after`, in order, as (number, stored cells), read a batch at a time
    (memory does not grow with the table)."""
    last = after
    while True:
        rs = arch.catalog.execute("SELECT number, cells FROM table_rows WHERE table_id=:t AND number>:n "
                                  "ORDER BY number LIMIT :k", {"t": table_id, "n": last, "k": batch}).fetchall()
        if not rs:
            return
        for number, cells in rs:
            yield number, orjson.loads(cells)
        last = rs[-1][0]


def stored_cells(arch: Archive, table_id: int, numbers: Sequence[int]) -> dict[int, StoredCells]:
    """{number: stored cells} of the given rows of one table (numbers not in the table are left out)."""
    if not numbers:
        return {}
    lo, hi = min(numbers), max(numbers)
    out: dict[int, StoredCells] = {}
    if hi - lo < 2 * len(numbers):
        # Dense (a page of records in source order): one range scan on the key beats a lookup per row.
        wanted = set(numbers)
        for n, cells in arch.catalog.execute("SELECT number, cells FROM table_rows WHERE table_id=:t AND number "
                                             "BETWEEN :a AND :b", {"t": table_id, "a": lo, "b": hi}):
            if n in wanted:
                out[n] = orjson.loads(cells)
        return out
    for i in range(0, len(numbers), _IN_CHUNK):
        chunk = list(numbers[i:i + _IN_CHUNK])
        marks, args = in_list("n", chunk)
        for n, cells in arch.catalog.execute(f"SELECT number, cells FROM table_rows WHERE table_id=:t AND number IN "
                                             f"{marks}", {"t": table_id, **args}):
            out[n] = orjson.loads(cells)
    return out


def row_span(arch: Archive, table_id: int, after: int = -1) -> tuple[int, int] | None:
    """(first, last) row number of a table above `after`, or None when it has no such row."""
    # two queries: SQLite reads one min() or max() from the key's ends, but scans for both at once
    first = arch.catalog.execute("SELECT min(number) FROM table_rows WHERE table_id=:t AND number>:n",
                                 {"t": table_id, "n": after}).fetchone()[0]
    if first is None:
        return None
    last = arch.catalog.execute("SELECT max(number) FROM table_rows WHERE table_id=:t", {"t": table_id}).fetchone()[0]
    return int(first), int(last)


def projection_sql(columns: str) -> str:
    """A SELECT of `number` and the caller's `columns` over the rows of table :tid numbered in (:lo, :hi].

    Why SQL text and not a method that runs it: reading a register in bulk is one INSERT ... SELECT whose
    per-row expressions (json_extract on `cells`, the cleaning of IDs and names) run in C inside SQLite,
    several times faster than reading the rows into Python; the statement is embedded by the records
    capability in its own INSERT into its own table, and for a long register it is run by a second
    process (records/part.py, standard library only) on a read-only connection. So the archive owns the
    one part that reads the core table, the caller owns the projection and the table it writes, and the
    statement stays the one SQLite plans as before (the subquery is flattened: no view, no copy).

    `columns` are SQL expressions over `number` and `cells` (the row's JSON array of [value, type, raw]).
    """
    return f"SELECT number, {columns} FROM table_rows WHERE table_id = :tid AND number > :lo AND number <= :hi"


def table_at(arch: Archive, sha256_prefix: str, ordinal: int) -> int | None:
    """The id of table `ordinal` of the exhibit whose SHA-256 starts with `sha256_prefix`, if there is one
    (what a record ID names: 'R-' + sha256[:12] + ordinal + row)."""
    r = arch.catalog.execute("SELECT t.id FROM tables t JOIN exhibits e ON e.seq = t.exhibit_seq "
                             "WHERE e.sha256 >= :lo AND e.sha256 < :hi AND t.ordinal = :o",
                             {"lo": sha256_prefix, "hi": sha256_prefix + "g", "o": ordinal}).fetchone()
    return int(r[0]) if r else None


def exhibits_at_path(arch: Archive, path: str) -> list[int]:
    """The exhibits received under `path` exactly, or under a path ending in `/path`."""
    return [int(r[0]) for r in arch.catalog.execute(
        "SELECT DISTINCT exhibit_seq FROM paths WHERE path=:p OR path LIKE :like", {"p": path, "like": "%/" + path})]
