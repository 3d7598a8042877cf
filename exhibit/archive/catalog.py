"""The catalog: exhibits, their paths, pages, tables and rows, metadata, custody events, and
what each ingest root held when last catalogued. This is the whole core schema, in one place, for SQLite (WAL) and for PostgreSQL (see engine.py
for how the two differ).

Other capabilities keep their own tables in the same file (records_*, link_*, code_*, web_*, ocr_*,
search_*), created by their own modules with CREATE TABLE IF NOT EXISTS.
"""

from __future__ import annotations

from exhibit.archive.engine import Catalog, Dialect

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
-- each capability's DDL template (Catalog.ensure), so that a catalog copy makes its tables on the other engine
CREATE TABLE IF NOT EXISTS schema_parts (sha256 TEXT PRIMARY KEY, template TEXT NOT NULL, added TEXT NOT NULL);
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


# Columns added since the first archives were made: (table, column, declaration), added by `create`
# to an archive that lacks them (CREATE TABLE IF NOT EXISTS leaves an existing table as it was).
_ADDED_COLUMNS = (
    ("paths", "path_bytes", "BLOB"),
    ("paths", "path_encoding", "TEXT"),
)


def create(cat: Catalog) -> None:
    if cat.dialect is Dialect.POSTGRESQL:
        # Several processes (web workers, an ingest) open the catalog at once: the DDL is serialised.
        cat.create_schema(SCHEMA_PG)
        return
    cat.script(SCHEMA)
    for table, column, decl in _ADDED_COLUMNS:
        if column not in {r[1] for r in cat.execute(f"PRAGMA table_info({table})")}:
            cat.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")


def grant_app_role(cat: Catalog, role: str) -> None:
    """Let `role` (the web app's database role) read and write the catalog, but never UPDATE or DELETE a
    custody row: even a bug in the app cannot rewrite the chain of custody (the trigger refuses it for
    every role as well; this refuses it at the privilege level, before any trigger runs)."""
    if cat.dialect is not Dialect.POSTGRESQL:
        raise ValueError("database roles exist on PostgreSQL catalogs only")
    from psycopg import sql

    ident = sql.Identifier(role).as_string(None)
    cat.script(f"GRANT USAGE ON SCHEMA public TO {ident};"
               f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ident};"
               f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {ident};"
               f"REVOKE UPDATE, DELETE, TRUNCATE ON custody FROM {ident};"
               # tables the owner makes later (a capability first used after the grant) are the app's too
               f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {ident};"
               f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {ident};")


def sync_keys(cat: Catalog) -> None:
    """After rows were inserted with explicit keys (a catalog copy), move each identity past the largest
    key, so the next insert does not collide: the core's and every capability's. SQLite's rowid keys need
    nothing."""
    if cat.dialect is not Dialect.POSTGRESQL:
        return
    keyed = cat.execute("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
                        "current_schema() AND is_identity = 'YES'").fetchall()
    for table, column in keyed:
        cat.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
                    f'COALESCE((SELECT max("{column}") FROM "{table}"), 0) + 1, false)')


# The same schema for PostgreSQL: identity keys that take explicit values (a copy keeps every number),
# BYTEA for bytes, JSON as TEXT (byte-exact across engines), and custody append-only by trigger.
SCHEMA_PG = """
CREATE TABLE IF NOT EXISTS exhibits (
    seq            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    sha256         TEXT NOT NULL UNIQUE,
    size           BIGINT NOT NULL,
    media_type     TEXT,
    status         TEXT NOT NULL DEFAULT 'ok',
    reason         TEXT,
    page_count     INTEGER NOT NULL DEFAULT 0,
    metadata       TEXT NOT NULL DEFAULT '{}',
    lang           TEXT,
    title          TEXT,
    doc_date       TEXT,
    first_received TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS paths (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    exhibit_seq BIGINT NOT NULL REFERENCES exhibits(seq),
    path        TEXT NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    parent_seq  BIGINT REFERENCES exhibits(seq),
    root        TEXT,
    received    TEXT NOT NULL,
    path_bytes  BYTEA,
    path_encoding TEXT,
    UNIQUE (exhibit_seq, path, source)
);
CREATE INDEX IF NOT EXISTS paths_path ON paths(path);
CREATE INDEX IF NOT EXISTS paths_parent ON paths(parent_seq);
CREATE TABLE IF NOT EXISTS pages (
    exhibit_seq BIGINT NOT NULL REFERENCES exhibits(seq),
    number      INTEGER NOT NULL,
    text        TEXT NOT NULL,
    source      TEXT NOT NULL,
    lang        TEXT,
    meta        TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (exhibit_seq, number)
);
CREATE TABLE IF NOT EXISTS tables (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    exhibit_seq BIGINT NOT NULL REFERENCES exhibits(seq),
    ordinal     INTEGER NOT NULL,
    name        TEXT NOT NULL,
    page        INTEGER,
    kind        TEXT NOT NULL,
    meta        TEXT NOT NULL DEFAULT '{}',
    row_count   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS tables_exhibit ON tables(exhibit_seq);
CREATE TABLE IF NOT EXISTS table_rows (
    table_id    BIGINT NOT NULL REFERENCES tables(id),
    number      BIGINT NOT NULL,
    cells       TEXT NOT NULL,
    PRIMARY KEY (table_id, number)
);
CREATE TABLE IF NOT EXISTS changes (
    seq         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    exhibit_seq BIGINT NOT NULL,
    what        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS custody (
    seq         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    time        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    tool        TEXT NOT NULL,
    event       TEXT NOT NULL,
    exhibit_sha256 TEXT,
    details     TEXT NOT NULL DEFAULT '{}',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS custody_sha ON custody(exhibit_sha256);
CREATE OR REPLACE FUNCTION exhibit_custody_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the custody log is append-only'; END $$;
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'custody_no_change') THEN
        CREATE TRIGGER custody_no_change BEFORE UPDATE OR DELETE ON custody
            FOR EACH ROW EXECUTE FUNCTION exhibit_custody_append_only();
        CREATE TRIGGER custody_no_truncate BEFORE TRUNCATE ON custody
            FOR EACH STATEMENT EXECUTE FUNCTION exhibit_custody_append_only();
    END IF;
END $$;
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- each capability's DDL template (Catalog.ensure), so that a catalog copy makes its tables on the other engine
CREATE TABLE IF NOT EXISTS schema_parts (sha256 TEXT PRIMARY KEY, template TEXT NOT NULL, added TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ingest_seen (
    root        TEXT NOT NULL,
    path        TEXT NOT NULL,
    source      TEXT NOT NULL,
    size        BIGINT NOT NULL,
    mtime_ns    BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    PRIMARY KEY (root, path, source)
);
"""
