"""The records_* tables in the catalog: registers as read, records with their provenance, the secret."""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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
    suspect      INTEGER,                       -- 1: the ID might carry an anomaly code (records.suspect)
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


# The SQL form of interpret.record_id, for queries over records joined with tables (t) and exhibits (e).
RECORD_ID_SQL = "'R-' || substr(e.sha256, 1, 12) || '-' || t.ordinal || '-' || {row}"
_RECORD_ID = re.compile(r"R-([0-9a-f]{12})-(\d+)-(\d+)")


def locate(db: sqlite3.Connection, record_id: str) -> tuple[int, int] | None:
    """(table_id, table_row) of a record ID, or None when no table of the archive can hold it."""
    m = _RECORD_ID.fullmatch(record_id.strip())
    if m is None:
        return None
    sha12, ordinal, row = m.group(1), int(m.group(2)), int(m.group(3))
    r = db.execute("SELECT t.id FROM tables t JOIN exhibits e ON e.seq = t.exhibit_seq "
                   "WHERE e.sha256 >= ? AND e.sha256 < ? AND t.ordinal = ?", (sha12, sha12 + "g", ordinal)).fetchone()
    return (int(r[0]), row) if r else None


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
