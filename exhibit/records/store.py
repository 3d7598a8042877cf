"""The records_* tables in the catalog: registers as read, records with their provenance, the secret."""

from __future__ import annotations

import json
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
    record_id    TEXT PRIMARY KEY,              -- 'R-' + exhibit sha256[:12] + table ordinal + row: stable
    exhibit_seq  INTEGER NOT NULL,
    table_id     INTEGER NOT NULL,
    table_row    INTEGER NOT NULL,              -- table_rows.number of the (first) row read
    row          INTEGER NOT NULL,              -- the row as the source counts it (PDF: across pages)
    name         TEXT,                          -- what the checks and the index need; the rest of the
    id_number    TEXT,                          -- record is read from the cells (interpret.RowReader)
    gender       TEXT,
    age          INTEGER,
    id_cell      TEXT,                          -- JSON [value, type, raw] of an ID cell not stored as text
    rows         TEXT,                          -- JSON: every table row of a grouped record (family tables)
    suspect      INTEGER,                       -- 1: the ID might carry an anomaly code (records.suspect)
    fix          INTEGER                        -- transient: set while a row waits for its Python reading
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_id_number ON records(id_number);
CREATE INDEX IF NOT EXISTS records_table ON records(table_id, table_row);
CREATE TABLE IF NOT EXISTS records_anomalies (
    record_id    TEXT PRIMARY KEY,
    codes        TEXT NOT NULL                  -- JSON list of codes
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


SCHEMA_VERSION = "3"


def ensure(db: sqlite3.Connection) -> None:
    """Create the records_* tables; tables of an older layout are dropped (they are derived data: the next
    `records extract` rebuilds them from the catalog)."""
    have = db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='records_meta'").fetchone()
    if have and get_meta(db, "schema") != SCHEMA_VERSION:
        db.executescript("DROP TABLE IF EXISTS records; DROP TABLE IF EXISTS records_registers; "
                         "DROP TABLE IF EXISTS records_anomalies;")
    db.executescript(SCHEMA)
    if get_meta(db, "schema") != SCHEMA_VERSION:
        set_meta(db, "schema", SCHEMA_VERSION)


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
def big_cache(db: sqlite3.Connection, mib: int = 256) -> Iterator[None]:
    """A larger page cache while a million-row register is written and indexed (the default 2 MiB makes
    every index insert a read); bounded, so memory stays well under a gigabyte."""
    old = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute(f"PRAGMA cache_size=-{mib * 1024}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size={int(old)}")
