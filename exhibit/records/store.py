"""The records_* tables in the catalog: registers as read, records with their provenance, the secret."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exhibit.archive import Archive, rows
from exhibit.archive.engine import Catalog, Dialect, in_list
from exhibit.records import id_screen
from exhibit.records.mapping import TableMapping

SCHEMA = """
CREATE TABLE IF NOT EXISTS records_registers (
    table_id     BIGINT PRIMARY KEY,            -- tables.id
    exhibit_seq  BIGINT NOT NULL,
    status       TEXT NOT NULL,                 -- register|skipped|no_id_column|excluded
    reason       TEXT,
    header_row   INTEGER,
    headers      TEXT NOT NULL DEFAULT '[]',    -- JSON: verbatim header per column
    fields       TEXT NOT NULL DEFAULT '{{}}',  -- JSON: column index -> field
    title        TEXT,
    date         TEXT,                          -- the register's own date (ISO, may be YYYY or YYYY-MM)
    records      INTEGER NOT NULL DEFAULT 0,
    from_file    INTEGER NOT NULL DEFAULT 0,
    extracted    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    table_id     BIGINT NOT NULL,
    table_row    BIGINT NOT NULL,               -- table_rows.number of the (first) row read
    exhibit_seq  BIGINT NOT NULL,
    row          BIGINT NOT NULL,               -- the row as the source counts it (PDF: across pages)
    name         TEXT,                          -- what the checks and the index need; the rest of the
    id_number    TEXT,                          -- record is read from the cells (interpret.RowReader)
    gender       TEXT,
    age          INTEGER,
    id_cell      TEXT,                          -- JSON [value, type, raw] of an ID cell not stored as text
    rows         TEXT,                          -- JSON: every table row of a grouped record (family tables)
    suspect      INTEGER,                       -- 1: the ID might carry an anomaly code (records.id_screen)
    fix          INTEGER,                       -- transient: set while a row waits for its Python reading
    -- Keyed by where the row is, so that a register's rows are appended in order (a text key that does not
    -- sort like the rows made every insert of a million-row register land somewhere else in the tree). The
    -- record ID ('R-' + exhibit sha256[:12] + table ordinal + row) is computed from the key: record_id().
    PRIMARY KEY (table_id, table_row)
) {without_rowid};
CREATE INDEX IF NOT EXISTS records_suspect ON records(table_id) WHERE suspect = 1;
CREATE INDEX IF NOT EXISTS records_fix ON records(table_id) WHERE fix = 1;
CREATE TABLE IF NOT EXISTS records_anomalies (
    table_id     BIGINT NOT NULL,
    table_row    BIGINT NOT NULL,
    codes        TEXT NOT NULL,                 -- JSON list of codes
    PRIMARY KEY (table_id, table_row)
) {without_rowid};
CREATE TABLE IF NOT EXISTS records_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS records_id ON records(id_number);
-- Every mapping a table was read with, appended when it changes (never updated): who ran the extraction,
-- when, and whether a mapping file or detection gave it. The latest is the one records_registers holds.
CREATE TABLE IF NOT EXISTS records_mapping_edits (
    {row_id}
    table_id     BIGINT NOT NULL,
    at           TEXT NOT NULL,                 -- UTC, ISO 8601
    actor        TEXT NOT NULL,
    source       TEXT NOT NULL,                 -- file | detected
    mapping      TEXT NOT NULL                  -- JSON: status, header_row, headers, fields, date
);
CREATE INDEX IF NOT EXISTS records_mapping_edits_t ON records_mapping_edits(table_id);
"""


# The index duplicate_id reads: IDs given more than once are found from it without visiting the table.
# Extraction drops it while it writes and builds it once at the end (a sorted build is several times
# cheaper than a million inserts at random places); ensure() puts it back after a crash.
ID_INDEX = "CREATE INDEX IF NOT EXISTS records_id ON records(id_number)"

SCHEMA_VERSION = "4"


def ensure(cat: Catalog) -> None:
    """Create the records_* tables if missing (Catalog.ensure: the template is kept, so `catalog copy` carries
    them). Tables of an archive made before are kept as they are: the layout is the same (SCHEMA_VERSION)."""
    cat.ensure(SCHEMA)
    # put back after a crash inside id_index_after; on PostgreSQL only when missing (the web app's role may
    # not run CREATE INDEX at all, even IF NOT EXISTS)
    if cat.dialect is Dialect.SQLITE or not cat.execute(
            "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'records_id'").fetchone():
        cat.execute(ID_INDEX)
    if get_meta(cat, "schema") != SCHEMA_VERSION:
        set_meta(cat, "schema", SCHEMA_VERSION)


def _indexed_by(cat: Catalog, index: str) -> str:
    """SQLite's INDEXED BY (its planner is told which partial index answers); PostgreSQL's planner picks it."""
    return f"INDEXED BY {index} " if cat.dialect is Dialect.SQLITE else ""


_RECORD_ID = re.compile(r"R-([0-9a-f]{12})-(\d+)-(\d+)")


def locate(arch: Archive, record_id: str) -> tuple[int, int] | None:
    """(table_id, table_row) of a record ID, or None when no table of the archive can hold it."""
    m = _RECORD_ID.fullmatch(record_id.strip())
    if m is None:
        return None
    table_id = rows.table_at(arch, m.group(1), int(m.group(2)))
    return (table_id, int(m.group(3))) if table_id is not None else None


def forget_tables_except(cat: Catalog, table_ids: list[int]) -> None:
    """Drop the records and register decisions of every table not in `table_ids` (tables gone with a
    re-ingest leave nothing behind)."""
    keep = set(table_ids)
    gone = [int(r[0]) for r in cat.execute("SELECT table_id FROM records_registers") if int(r[0]) not in keep]
    gone += [int(r[0]) for r in cat.execute("SELECT DISTINCT table_id FROM records") if int(r[0]) not in keep]
    for tid in sorted(set(gone)):
        forget_table(cat, tid)
        cat.execute("DELETE FROM records_registers WHERE table_id = :t", {"t": tid})


def get_meta(cat: Catalog, key: str) -> str | None:
    r = cat.execute("SELECT value FROM records_meta WHERE key = :k", {"k": key}).fetchone()
    return r[0] if r else None


def set_meta(cat: Catalog, key: str, value: Any) -> None:
    cat.execute("INSERT INTO records_meta(key, value) VALUES (:k, :v) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                {"k": key, "v": value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)})


def secret(cat: Catalog) -> bytes:
    """The archive's pseudonymisation key, made on first use; it never leaves the catalog."""
    ensure(cat)
    s = get_meta(cat, "pseudonym_secret")
    if s is None:
        cat.execute("INSERT INTO records_meta(key, value) VALUES ('pseudonym_secret', :v) ON CONFLICT (key) DO NOTHING",
                    {"v": secrets.token_hex(32)})
        s = get_meta(cat, "pseudonym_secret")
    assert s is not None
    return bytes.fromhex(s)


@contextmanager
def id_index_after(cat: Catalog) -> Iterator[None]:
    """Drop the ID index while every register is written, build it once at the end (and on failure: the
    records left behind are then still indexed)."""
    cat.execute("DROP INDEX IF EXISTS records_id")
    try:
        yield
    finally:
        if cat.dialect is not Dialect.SQLITE:
            cat.execute(ID_INDEX)
        else:
            # A small cache makes SQLite sort in runs that fit the CPU's caches and merge them: half the time
            # of one sort in a large cache (measured on a million IDs).
            old = cat.execute("PRAGMA cache_size").fetchone()[0]
            cat.execute("PRAGMA cache_size=-2048")
            try:
                cat.execute(ID_INDEX)
            finally:
                cat.execute(f"PRAGMA cache_size={int(old)}")


# ---- writing what extraction read ---------------------------------------------------------------------

# The columns the bulk INSERT ... SELECT (records.bulk) fills, in this order.
BULK_COLUMNS = "table_id, table_row, exhibit_seq, row, name, id_number, gender, age, id_cell, fix, suspect"
# The columns of a record as written row by row (family tables; the PostgreSQL path of records.bulk).
ROW_COLUMNS = ("table_id", "table_row", "exhibit_seq", "row", "name", "id_number", "gender", "age", "id_cell",
               "rows", "suspect")


def create_scratch(cat: Catalog, path: Path) -> None:
    """Attach (and so create) the scratch file the second process of a long register writes its records into
    (records.bulk, SQLite only), as `part`."""
    cat.execute("ATTACH DATABASE :p AS part", {"p": str(path)})
    cat.execute(f"CREATE TABLE part.records({BULK_COLUMNS})")


def copy_scratch(cat: Catalog) -> int | None:
    """Copy the attached scratch file's records (`part.records`) in; their number."""
    return cat.execute(f"INSERT INTO records({BULK_COLUMNS}) SELECT {BULK_COLUMNS} FROM part.records").rowcount


def scratch_count(cat: Catalog) -> int:
    return int(cat.execute("SELECT COUNT(*) FROM part.records").fetchone()[0])


def to_fix(cat: Catalog, table_id: int) -> list[int]:
    """The rows of a table the bulk expressions could not settle (marked `fix`): read again in Python."""
    return [int(r[0]) for r in cat.execute(f"SELECT table_row FROM records {_indexed_by(cat, 'records_fix')}"
                                           "WHERE table_id = :t AND fix = 1", {"t": table_id})]


def fixed(cat: Catalog, updates: list[tuple[Any, ...]]) -> None:
    """(name, id_number, gender, age, table_id, table_row) read in Python; such a row is checked in Python
    too: marked suspect, the checks decide."""
    if updates:
        cat.executemany("UPDATE records SET name = :n, id_number = :i, gender = :g, age = :a, fix = NULL, suspect = 1 "
                        "WHERE table_id = :t AND table_row = :r",
                        [dict(zip("nigatr", u, strict=True)) for u in updates])


def insert_grouped(cat: Catalog, batch: list[tuple[Any, ...]]) -> None:
    """New records (the caller forgot the table's earlier ones): (table_id, table_row, exhibit_seq, row, name,
    id_number, gender, age, id_cell, rows, suspect), written in one stream (COPY on PostgreSQL)."""
    if batch:
        cat.bulk_insert("records", ROW_COLUMNS, batch)


def forget_table(cat: Catalog, table_id: int) -> None:
    cat.execute("DELETE FROM records WHERE table_id = :t", {"t": table_id})
    cat.execute("DELETE FROM records_anomalies WHERE table_id = :t", {"t": table_id})


def save_register(cat: Catalog, table_id: int, exhibit_seq: int, tm: TableMapping, records: int,
                  when: str) -> None:
    """What extraction decided for one table."""
    cols = ("table_id", "exhibit_seq", "status", "reason", "header_row", "headers", "fields", "title", "date",
            "records", "from_file", "extracted")
    vals = (table_id, exhibit_seq, tm.status, tm.reason, tm.header_row, json.dumps(tm.headers, ensure_ascii=False),
            json.dumps({str(k): v for k, v in tm.fields.items()}, ensure_ascii=False), tm.title, tm.date,
            records, int(tm.from_file), when)
    cat.execute(f"INSERT INTO records_registers({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)}) "
                "ON CONFLICT (table_id) DO UPDATE SET "
                + ", ".join(f"{c} = excluded.{c}" for c in cols[1:]), dict(zip(cols, vals, strict=True)))


def _mapping_value(tm: TableMapping) -> str:
    return json.dumps({"status": tm.status, "header_row": tm.header_row, "headers": tm.headers,
                       "fields": {str(k): v for k, v in sorted(tm.fields.items())}, "date": tm.date},
                      ensure_ascii=False, sort_keys=True)


def record_mapping(cat: Catalog, table_id: int, tm: TableMapping, actor: str, when: str) -> bool:
    """Append the mapping a table was read with, unless it is the one last recorded for it; whether it was
    appended. An edit never replaces an earlier one: two investigators' mapping files both stay, in order."""
    value = _mapping_value(tm)
    last = cat.execute(f"SELECT mapping FROM records_mapping_edits WHERE table_id = :t "
                       f"ORDER BY at DESC, {cat.row_order} DESC LIMIT 1", {"t": table_id}).fetchone()
    if last is not None and last[0] == value:
        return False
    cat.execute("INSERT INTO records_mapping_edits(table_id, at, actor, source, mapping) VALUES (:t, :at, :a, :s, :m)",
                {"t": table_id, "at": when, "a": actor, "s": "file" if tm.from_file else "detected", "m": value})
    return True


@dataclass(frozen=True)
class MappingEdit:
    """One appended mapping of a table."""

    at: str
    actor: str
    source: str
    mapping: dict[str, Any]


def mapping_history(cat: Catalog, table_id: int | None = None) -> dict[int, list[MappingEdit]]:
    """{table_id: its mappings, oldest first}; the last is in force (the latest edit wins)."""
    where, args = ("WHERE table_id = :t ", {"t": table_id}) if table_id is not None else ("", {})
    out: dict[int, list[MappingEdit]] = {}
    for r in cat.execute(f"SELECT table_id, at, actor, source, mapping FROM records_mapping_edits {where}"
                         f"ORDER BY table_id, at, {cat.row_order}", args):
        out.setdefault(int(r[0]), []).append(MappingEdit(r[1], r[2], r[3], json.loads(r[4])))
    return out


def forget_anomalies(cat: Catalog) -> None:
    cat.execute("DELETE FROM records_anomalies")


# ---- reading back ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoredRegister:
    """A records_registers row: what the last extraction decided for one table."""

    table_id: int
    exhibit_seq: int
    status: str
    reason: str | None
    header_row: int | None
    headers: list[str]
    fields: dict[int, str]
    title: str | None
    date: str | None
    records: int

    def mapping(self) -> TableMapping:
        return TableMapping(self.status, self.reason, self.header_row, list(self.headers), dict(self.fields),
                            self.title, self.date)


def _register(r: Any) -> StoredRegister:
    return StoredRegister(r["table_id"], r["exhibit_seq"], r["status"], r["reason"], r["header_row"],
                          json.loads(r["headers"]), {int(k): v for k, v in json.loads(r["fields"]).items()},
                          r["title"], r["date"], r["records"])


def register(cat: Catalog, table_id: int) -> StoredRegister | None:
    r = cat.execute("SELECT * FROM records_registers WHERE table_id = :t", {"t": table_id}).fetchone()
    return None if r is None else _register(r)


def registers(cat: Catalog) -> list[StoredRegister]:
    return [_register(r) for r in cat.execute("SELECT * FROM records_registers ORDER BY exhibit_seq, table_id")]


@dataclass(frozen=True)
class StoredRecord:
    """A records row: where the record is and the core values extraction computed once."""

    table_id: int
    table_row: int
    row: int
    name: str | None
    id_number: str | None
    gender: str | None
    age: int | None
    rows: list[int] | None  # every table row of a grouped record (family tables)


_RECORD_COLS = "table_id, table_row, row, name, id_number, gender, age, rows"


def _stored(r: Any) -> StoredRecord:
    return StoredRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7]) if r[7] else None)


def stored_records(cat: Catalog, exhibit_seqs: list[int] | None = None,
                   limit: int | None = None) -> Iterator[StoredRecord]:
    """Every stored record (or those of the exhibits given) in source order: exhibit, table, row."""
    sql = f"SELECT {_RECORD_COLS} FROM records "
    args: dict[str, Any] = {}
    if exhibit_seqs is not None:
        if not exhibit_seqs:
            return
        marks, args = in_list("s", exhibit_seqs)
        sql += f"WHERE exhibit_seq IN {marks} "
    sql += "ORDER BY exhibit_seq, table_id, table_row"
    if limit is not None:
        sql += " LIMIT :limit"
        args["limit"] = limit
    cur = cat.execute(sql, args)
    while True:
        batch = cur.fetchmany(2000)
        if not batch:
            return
        for r in batch:
            yield _stored(r)


def stored_record(cat: Catalog, key: tuple[int, int]) -> StoredRecord | None:
    r = cat.execute(f"SELECT {_RECORD_COLS} FROM records WHERE table_id = :t AND table_row = :r",
                    {"t": key[0], "r": key[1]}).fetchone()
    return None if r is None else _stored(r)


# ---- what the checks read and write (exhibit.checks judges; the rows are the records capability's) --------

# The columns of a record the checks judge, in this order
_CHECK_COLS = "table_id, table_row, id_number, id_cell, gender, age, name, row"


def count(cat: Catalog) -> int:
    return int(cat.execute("SELECT COUNT(*) FROM records").fetchone()[0])


def register_dates(cat: Catalog) -> dict[int, str | None]:
    """{table_id: the register's own date} of every table read as a register."""
    return {int(r[0]): r[1] for r in cat.execute(
        "SELECT table_id, date FROM records_registers WHERE status = 'register'")}


def screened(cat: Catalog) -> list[tuple[Any, ...]]:
    """The records extraction's ID screen (records.id_screen) marked, for the registers' own dates (a
    partial index holds just those rows)."""
    return [tuple(r) for r in cat.execute(f"SELECT {_CHECK_COLS} FROM records {_indexed_by(cat, 'records_suspect')}"
                                          "WHERE suspect = 1")]


def screen_again(cat: Catalog, table_id: int, params: dict[str, object]) -> list[tuple[Any, ...]]:
    """The ID screen run again on one table for other date bounds (`records check --as-of`). The screen is
    SQLite SQL (records.id_screen); on PostgreSQL every record of the table with an ID is a candidate (the
    checks judge each: the same codes, more Python)."""
    if cat.dialect is not Dialect.SQLITE:
        return [tuple(r) for r in cat.execute(f"SELECT {_CHECK_COLS} FROM records WHERE table_id = :tid AND "
                                              "id_number IS NOT NULL AND id_number != ''", {"tid": table_id})]
    return [tuple(r) for r in cat.execute(f"SELECT {_CHECK_COLS} FROM records WHERE table_id = :tid AND "
                                          + id_screen.screen_sql("id_number", "gender", "age", "id_cell"),
                                          {"tid": table_id, **params})]


def shared_ids(cat: Catalog) -> list[tuple[Any, ...]]:
    """(id_number, name, table_id, table_row, row) of the records whose ID is given more than once (the ID
    index alone finds those numbers)."""
    return [tuple(r) for r in cat.execute(
        "SELECT r.id_number, r.name, r.table_id, r.table_row, r.row FROM records r WHERE r.id_number "
        f"IN (SELECT id_number FROM records {_indexed_by(cat, 'records_id')}WHERE id_number IS NOT NULL "
        "GROUP BY id_number HAVING COUNT(*) > 1)")]


def save_anomalies(cat: Catalog, found: list[tuple[int, int, str]]) -> None:
    """Replace the stored anomalies: (table_id, table_row, JSON list of codes)."""
    cat.execute("DELETE FROM records_anomalies")
    if found:
        cat.bulk_insert("records_anomalies", ("table_id", "table_row", "codes"), found)


def anomalies(cat: Catalog) -> Iterator[tuple[int, int, list[str]]]:
    """(table_id, table_row, codes) of every stored anomaly."""
    for r in cat.execute("SELECT table_id, table_row, codes FROM records_anomalies ORDER BY table_id, table_row"):
        yield int(r[0]), int(r[1]), json.loads(r[2])


def anomaly_rows(cat: Catalog, table_id: int) -> Iterator[tuple[list[str], int]]:
    """(codes, row as the source counts it) of one table's stored anomalies, in row order."""
    for r in cat.execute("SELECT a.codes, r.row FROM records_anomalies a JOIN records r ON r.table_id = "
                         "a.table_id AND r.table_row = a.table_row WHERE a.table_id = :t ORDER BY a.table_row",
                         {"t": table_id}):
        yield json.loads(r[0]), int(r[1])
