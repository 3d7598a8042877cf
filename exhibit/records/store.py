"""The records_* tables in the catalog: registers as read, records with their provenance, the secret."""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exhibit.archive import Archive, rows
from exhibit.records import id_screen
from exhibit.records.mapping import TableMapping

SCHEMA = """
CREATE TABLE IF NOT EXISTS records_registers (
    table_id     INTEGER PRIMARY KEY,           -- tables.id
    exhibit_seq  INTEGER NOT NULL,
    status       TEXT NOT NULL,                 -- register|skipped|no_id_column|excluded
    reason       TEXT,
    header_row   INTEGER,
    headers      TEXT NOT NULL DEFAULT '[]',    -- JSON: verbatim header per column
    fields       TEXT NOT NULL DEFAULT '{}',    -- JSON: column index -> field
    title        TEXT,
    date         TEXT,                          -- the register's own date (ISO, may be YYYY or YYYY-MM)
    records      INTEGER NOT NULL DEFAULT 0,
    from_file    INTEGER NOT NULL DEFAULT 0,
    extracted    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    table_id     INTEGER NOT NULL,
    table_row    INTEGER NOT NULL,              -- table_rows.number of the (first) row read
    exhibit_seq  INTEGER NOT NULL,
    row          INTEGER NOT NULL,              -- the row as the source counts it (PDF: across pages)
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
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_suspect ON records(table_id) WHERE suspect = 1;
CREATE INDEX IF NOT EXISTS records_fix ON records(table_id) WHERE fix = 1;
CREATE TABLE IF NOT EXISTS records_anomalies (
    table_id     INTEGER NOT NULL,
    table_row    INTEGER NOT NULL,
    codes        TEXT NOT NULL,                 -- JSON list of codes
    PRIMARY KEY (table_id, table_row)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


# The index duplicate_id reads: IDs given more than once are found from it without visiting the table.
# Extraction drops it while it writes and builds it once at the end (a sorted build is several times
# cheaper than a million inserts at random places); ensure() puts it back after a crash.
ID_INDEX = "CREATE INDEX IF NOT EXISTS records_id ON records(id_number)"

SCHEMA_VERSION = "4"


def ensure(db: sqlite3.Connection) -> None:
    """Create the records_* tables; tables of an older layout are dropped (they are derived data: the next
    `records extract` rebuilds them from the catalog)."""
    have = db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='records_meta'").fetchone()
    if have and get_meta(db, "schema") != SCHEMA_VERSION:
        db.executescript("DROP TABLE IF EXISTS records; DROP TABLE IF EXISTS records_registers; "
                         "DROP TABLE IF EXISTS records_anomalies;")
    db.executescript(SCHEMA)
    db.execute(ID_INDEX)
    if get_meta(db, "schema") != SCHEMA_VERSION:
        set_meta(db, "schema", SCHEMA_VERSION)


_RECORD_ID = re.compile(r"R-([0-9a-f]{12})-(\d+)-(\d+)")


def locate(arch: Archive, record_id: str) -> tuple[int, int] | None:
    """(table_id, table_row) of a record ID, or None when no table of the archive can hold it."""
    m = _RECORD_ID.fullmatch(record_id.strip())
    if m is None:
        return None
    table_id = rows.table_at(arch, m.group(1), int(m.group(2)))
    return (table_id, int(m.group(3))) if table_id is not None else None


def forget_tables_except(db: sqlite3.Connection, table_ids: list[int]) -> None:
    """Drop the records and register decisions of every table not in `table_ids` (tables gone with a
    re-ingest leave nothing behind)."""
    keep = json.dumps(table_ids)
    db.execute("DELETE FROM records WHERE table_id NOT IN (SELECT value FROM json_each(?))", (keep,))
    db.execute("DELETE FROM records_registers WHERE table_id NOT IN (SELECT value FROM json_each(?))", (keep,))


def get_meta(db: sqlite3.Connection, key: str) -> str | None:
    r = db.execute("SELECT value FROM records_meta WHERE key=?", (key,)).fetchone()
    return r[0] if r else None


def set_meta(db: sqlite3.Connection, key: str, value: Any) -> None:
    db.execute("INSERT OR REPLACE INTO records_meta(key, value) VALUES (?,?)",
               (key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)))


def secret(db: sqlite3.Connection) -> bytes:
    """The archive's pseudonymisation key, made on first use; it never leaves the catalog."""
    ensure(db)
    s = get_meta(db, "pseudonym_secret")
    if s is None:
        db.execute("INSERT OR IGNORE INTO records_meta(key, value) VALUES ('pseudonym_secret', ?)",
                   (secrets.token_hex(32),))
        s = get_meta(db, "pseudonym_secret")
    assert s is not None
    return bytes.fromhex(s)


@contextmanager
def id_index_after(db: sqlite3.Connection) -> Iterator[None]:
    """Drop the ID index while every register is written, build it once at the end (and on failure: the
    records left behind are then still indexed)."""
    db.execute("DROP INDEX IF EXISTS records_id")
    try:
        yield
    finally:
        # A small cache makes SQLite sort in runs that fit the CPU's caches and merge them: half the time of
        # one sort in a large cache (measured on a million IDs).
        old = db.execute("PRAGMA cache_size").fetchone()[0]
        db.execute("PRAGMA cache_size=-2048")
        try:
            db.execute(ID_INDEX)
        finally:
            db.execute(f"PRAGMA cache_size={int(old)}")


# ---- writing what extraction read ---------------------------------------------------------------------

# The columns the bulk INSERT ... SELECT (records.bulk) fills, in this order.
BULK_COLUMNS = "table_id, table_row, exhibit_seq, row, name, id_number, gender, age, id_cell, fix, suspect"


def create_scratch(path: Path) -> None:
    """The scratch file the second process of a long register writes its records into (records.bulk)."""
    scratch = sqlite3.connect(path)
    try:
        scratch.execute(f"CREATE TABLE records({BULK_COLUMNS})")
    finally:
        scratch.close()


def copy_scratch(db: sqlite3.Connection) -> int | None:
    """Copy the attached scratch file's records (`part.records`) in; their number."""
    db.execute(f"INSERT INTO records({BULK_COLUMNS}) SELECT {BULK_COLUMNS} FROM part.records")
    return int(db.execute("SELECT changes()").fetchone()[0])


def scratch_count(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT COUNT(*) FROM part.records").fetchone()[0])


def to_fix(db: sqlite3.Connection, table_id: int) -> list[int]:
    """The rows of a table the bulk expressions could not settle (marked `fix`): read again in Python."""
    return [int(r[0]) for r in db.execute("SELECT table_row FROM records INDEXED BY records_fix "
                                          "WHERE table_id=? AND fix=1", (table_id,))]


def fixed(db: sqlite3.Connection, updates: list[tuple[Any, ...]]) -> None:
    """(name, id_number, gender, age, table_id, table_row) read in Python; such a row is checked in Python
    too: marked suspect, the checks decide."""
    db.executemany("UPDATE records SET name=?, id_number=?, gender=?, age=?, fix=NULL, suspect=1 "
                   "WHERE table_id=? AND table_row=?", updates)


def insert_grouped(db: sqlite3.Connection, batch: list[tuple[Any, ...]]) -> None:
    """Records of a family table: (table_id, table_row, exhibit_seq, row, name, id_number, gender, age,
    id_cell, rows, suspect)."""
    db.executemany("INSERT OR REPLACE INTO records(table_id, table_row, exhibit_seq, row, name, id_number, "
                   "gender, age, id_cell, rows, suspect) VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch)


def forget_table(db: sqlite3.Connection, table_id: int) -> None:
    db.execute("DELETE FROM records WHERE table_id=?", (table_id,))


def save_register(db: sqlite3.Connection, table_id: int, exhibit_seq: int, tm: TableMapping, records: int,
                  when: str) -> None:
    """What extraction decided for one table."""
    db.execute("INSERT OR REPLACE INTO records_registers(table_id, exhibit_seq, status, reason, header_row, "
               "headers, fields, title, date, records, from_file, extracted) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
               (table_id, exhibit_seq, tm.status, tm.reason, tm.header_row, json.dumps(tm.headers, ensure_ascii=False),
                json.dumps({str(k): v for k, v in tm.fields.items()}, ensure_ascii=False), tm.title, tm.date,
                records, int(tm.from_file), when))


def forget_anomalies(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM records_anomalies")


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


def _register(r: sqlite3.Row) -> StoredRegister:
    return StoredRegister(r["table_id"], r["exhibit_seq"], r["status"], r["reason"], r["header_row"],
                          json.loads(r["headers"]), {int(k): v for k, v in json.loads(r["fields"]).items()},
                          r["title"], r["date"], r["records"])


def register(db: sqlite3.Connection, table_id: int) -> StoredRegister | None:
    r = db.execute("SELECT * FROM records_registers WHERE table_id=?", (table_id,)).fetchone()
    return None if r is None else _register(r)


def registers(db: sqlite3.Connection) -> list[StoredRegister]:
    return [_register(r) for r in db.execute("SELECT * FROM records_registers ORDER BY exhibit_seq, table_id")]


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


def _stored(r: sqlite3.Row) -> StoredRecord:
    return StoredRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7]) if r[7] else None)


def stored_records(db: sqlite3.Connection, exhibit_seqs: list[int] | None = None,
                   limit: int | None = None) -> Iterator[StoredRecord]:
    """Every stored record (or those of the exhibits given) in source order: exhibit, table, row."""
    sql = f"SELECT {_RECORD_COLS} FROM records "
    args: list[Any] = []
    if exhibit_seqs is not None:
        sql += f"WHERE exhibit_seq IN ({','.join('?' * len(exhibit_seqs))}) "
        args.extend(exhibit_seqs)
    sql += "ORDER BY exhibit_seq, table_id, table_row"
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    cur = db.execute(sql, args)
    while True:
        batch = cur.fetchmany(2000)
        if not batch:
            return
        for r in batch:
            yield _stored(r)


def stored_record(db: sqlite3.Connection, key: tuple[int, int]) -> StoredRecord | None:
    r = db.execute(f"SELECT {_RECORD_COLS} FROM records WHERE table_id=? AND table_row=?", key).fetchone()
    return None if r is None else _stored(r)


# ---- what the checks read and write (exhibit.checks judges; the rows are the records capability's) --------

# The columns of a record the checks judge, in this order
_CHECK_COLS = "table_id, table_row, id_number, id_cell, gender, age, name, row"


def count(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT COUNT(*) FROM records").fetchone()[0])


def register_dates(db: sqlite3.Connection) -> dict[int, str | None]:
    """{table_id: the register's own date} of every table read as a register."""
    return {int(tid): date for tid, date in db.execute(
        "SELECT table_id, date FROM records_registers WHERE status='register'")}


def screened(db: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """The records extraction's ID screen (records.id_screen) marked, for the registers' own dates (a
    partial index holds just those rows)."""
    return db.execute(f"SELECT {_CHECK_COLS} FROM records INDEXED BY records_suspect WHERE suspect = 1").fetchall()


def screen_again(db: sqlite3.Connection, table_id: int, params: dict[str, object]) -> list[tuple[Any, ...]]:
    """The ID screen run again on one table for other date bounds (`records check --as-of`)."""
    return db.execute(f"SELECT {_CHECK_COLS} FROM records WHERE table_id = :tid AND "
                      + id_screen.screen_sql("id_number", "gender", "age", "id_cell"),
                      {"tid": table_id, **params}).fetchall()


def shared_ids(db: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """(id_number, name, table_id, table_row, row) of the records whose ID is given more than once (the ID
    index alone finds those numbers)."""
    return db.execute("SELECT r.id_number, r.name, r.table_id, r.table_row, r.row FROM records r WHERE r.id_number "
                      "IN (SELECT id_number FROM records INDEXED BY records_id WHERE id_number IS NOT NULL "
                      "GROUP BY id_number HAVING COUNT(*) > 1)").fetchall()


def save_anomalies(db: sqlite3.Connection, found: list[tuple[int, int, str]]) -> None:
    """Replace the stored anomalies: (table_id, table_row, JSON list of codes)."""
    db.execute("DELETE FROM records_anomalies")
    db.executemany("INSERT INTO records_anomalies(table_id, table_row, codes) VALUES (?,?,?)", found)


def anomalies(db: sqlite3.Connection) -> Iterator[tuple[int, int, list[str]]]:
    """(table_id, table_row, codes) of every stored anomaly."""
    for tid, trow, cs in db.execute("SELECT table_id, table_row, codes FROM records_anomalies"):
        yield int(tid), int(trow), json.loads(cs)


def anomaly_rows(db: sqlite3.Connection, table_id: int) -> Iterator[tuple[list[str], int]]:
    """(codes, row as the source counts it) of one table's stored anomalies, in row order."""
    for cs, row in db.execute("SELECT a.codes, r.row FROM records_anomalies a JOIN records r ON r.table_id = "
                              "a.table_id AND r.table_row = a.table_row WHERE a.table_id=? ORDER BY a.table_row",
                              (table_id,)):
        yield json.loads(cs), int(row)
