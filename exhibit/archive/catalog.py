"""The SQLite catalog (WAL): exhibits, their paths, pages, tables and rows, metadata, custody events, and
what each ingest root held when last catalogued. This is the whole core schema, in one place.

Other capabilities keep their own tables in the same file (records_*, link_*, code_*, web_*, ocr_*,
search_*), created by their own modules with CREATE TABLE IF NOT EXISTS.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS exhibits (
    seq            INTEGER PRIMARY KEY,         -- the number in EX-000001, in ingest order
    sha256         TEXT NOT NULL UNIQUE,
    size           INTEGER NOT NULL,
    media_type     TEXT,
    status         TEXT NOT NULL DEFAULT 'ok',  -- ok|corrupt|empty|encrypted|mislabelled|path_traversal|expansion_limit|failed
    reason         TEXT,
    page_count     INTEGER NOT NULL DEFAULT 0,
    metadata       TEXT NOT NULL DEFAULT '{}',  -- JSON
    lang           TEXT,                        -- main language of the text: zh, ug, en, ...
    title          TEXT,
    doc_date       TEXT,                        -- ISO date of the document itself (metadata), for date filters
    first_received TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS paths (
    id          INTEGER PRIMARY KEY,
    exhibit_seq INTEGER NOT NULL REFERENCES exhibits(seq),
    path        TEXT NOT NULL,                  -- relative to the ingest PATH, '/' separated; members: container/inner
                                                -- (readable: decoded, undecodable bytes shown as \\xNN)
    source      TEXT NOT NULL DEFAULT '',       -- --source label
    parent_seq  INTEGER REFERENCES exhibits(seq),
    root        TEXT,                           -- the PATH given to ingest, as given
    received    TEXT NOT NULL,
    path_bytes  BLOB,                           -- the exact original bytes when `path` is not them, else null
    path_encoding TEXT,                         -- what `path` was decoded with: null (UTF-8), gb18030, big5,
                                                -- unknown (bytes escaped); levels joined by '+'
    UNIQUE (exhibit_seq, path, source)
);
CREATE INDEX IF NOT EXISTS paths_path ON paths(path);
CREATE INDEX IF NOT EXISTS paths_parent ON paths(parent_seq);
CREATE TABLE IF NOT EXISTS pages (
    exhibit_seq INTEGER NOT NULL REFERENCES exhibits(seq),
    number      INTEGER NOT NULL,
    text        TEXT NOT NULL,
    source      TEXT NOT NULL,                  -- text|ocr
    lang        TEXT,
    meta        TEXT NOT NULL DEFAULT '{}',     -- JSON: OCR engine, confidence, boxes, uly, simplified...
    PRIMARY KEY (exhibit_seq, number)
);
CREATE TABLE IF NOT EXISTS tables (
    id          INTEGER PRIMARY KEY,
    exhibit_seq INTEGER NOT NULL REFERENCES exhibits(seq),
    ordinal     INTEGER NOT NULL,               -- 1-based position in the exhibit
    name        TEXT NOT NULL,                  -- sheet name, file name, "table 1"
    page        INTEGER,
    kind        TEXT NOT NULL,                  -- sheet|csv|docx|pdf
    meta        TEXT NOT NULL DEFAULT '{}',
    row_count   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS tables_exhibit ON tables(exhibit_seq);
CREATE TABLE IF NOT EXISTS table_rows (
    table_id    INTEGER NOT NULL REFERENCES tables(id),
    number      INTEGER NOT NULL,               -- row number in the source
    cells       TEXT NOT NULL,                  -- JSON [[value, type, raw|null], ...]
    PRIMARY KEY (table_id, number)
) WITHOUT ROWID;
-- Every write of an exhibit's pages or tables appends here; derived data (the search index) replays it.
CREATE TABLE IF NOT EXISTS changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    exhibit_seq INTEGER NOT NULL,
    what        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS custody (
    seq         INTEGER PRIMARY KEY,
    time        TEXT NOT NULL,                  -- UTC, ISO 8601
    actor       TEXT NOT NULL,
    tool        TEXT NOT NULL,
    event       TEXT NOT NULL,                  -- received|stored|extracted|failed|password_used|exported|verified|...
    exhibit_sha256 TEXT,
    details     TEXT NOT NULL DEFAULT '{}',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS custody_sha ON custody(exhibit_sha256);
CREATE TRIGGER IF NOT EXISTS custody_no_update BEFORE UPDATE ON custody
    BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS custody_no_delete BEFORE DELETE ON custody
    BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- The files of each ingest root as last catalogued: a rerun skips those whose size and mtime agree.
CREATE TABLE IF NOT EXISTS ingest_seen (
    root        TEXT NOT NULL,                  -- the ingest PATH, resolved
    path        TEXT NOT NULL,
    source      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    PRIMARY KEY (root, path, source)
);
"""


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=60000")
    return db


# Columns added since the first archives were made: (table, column, declaration), added by `create`
# to an archive that lacks them (CREATE TABLE IF NOT EXISTS leaves an existing table as it was).
_ADDED_COLUMNS = (
    ("paths", "path_bytes", "BLOB"),
    ("paths", "path_encoding", "TEXT"),
)


def create(db: sqlite3.Connection) -> None:
    db.executescript(SCHEMA)
    for table, column, decl in _ADDED_COLUMNS:
        if column not in {r[1] for r in db.execute(f"PRAGMA table_info({table})")}:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
