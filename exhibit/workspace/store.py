"""The workspace_* tables in the archive catalog: tags, notes and their revisions, highlights, saved searches.

SQL kept portable between SQLite and PostgreSQL (the catalog may live on either): explicit integer keys,
ON CONFLICT, no rowid, no INSERT OR IGNORE/REPLACE.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS workspace_tags (
    target_kind TEXT NOT NULL,
    target      TEXT NOT NULL,              -- Target.key: exhibit:12, page:12:3, row:7:14, record:..., cluster:...
    exhibit_seq INTEGER,                    -- the exhibit the target belongs to, if any
    tag         TEXT NOT NULL,
    actor       TEXT NOT NULL,
    time        TEXT NOT NULL,
    PRIMARY KEY (target, tag)
);
CREATE INDEX IF NOT EXISTS workspace_tags_tag ON workspace_tags(tag, exhibit_seq);
CREATE TABLE IF NOT EXISTS workspace_notes (
    note_id     INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL,
    target      TEXT NOT NULL,
    exhibit_seq INTEGER,
    author      TEXT NOT NULL,
    created     TEXT NOT NULL,
    private     INTEGER NOT NULL,           -- 1: only its author sees it
    deleted     INTEGER NOT NULL DEFAULT 0  -- notes are never dropped: deleting hides, the revisions stay
);
CREATE INDEX IF NOT EXISTS workspace_notes_target ON workspace_notes(target);
CREATE INDEX IF NOT EXISTS workspace_notes_exhibit ON workspace_notes(exhibit_seq);
CREATE TABLE IF NOT EXISTS workspace_note_revisions (   -- append-only: every edit is a new revision
    note_id     INTEGER NOT NULL,
    rev         INTEGER NOT NULL,
    text        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    time        TEXT NOT NULL,
    PRIMARY KEY (note_id, rev)
);
CREATE TABLE IF NOT EXISTS workspace_highlights (
    highlight_id INTEGER PRIMARY KEY,
    exhibit_seq  INTEGER NOT NULL,
    page         INTEGER NOT NULL,
    kind         TEXT NOT NULL,             -- text | rect
    quote        TEXT NOT NULL,
    before       TEXT NOT NULL,
    after        TEXT NOT NULL,
    start        INTEGER,
    end_         INTEGER,
    rect         TEXT,                      -- JSON [x0, y0, x1, y1], fractions of the page image
    comment      TEXT NOT NULL,
    author       TEXT NOT NULL,
    time         TEXT NOT NULL,
    anchor       TEXT NOT NULL,             -- anchored | reanchored | orphaned
    text_sha256  TEXT NOT NULL              -- of the page text the offsets refer to
);
CREATE INDEX IF NOT EXISTS workspace_highlights_page ON workspace_highlights(exhibit_seq, page);
CREATE TABLE IF NOT EXISTS workspace_saved (
    saved_id    INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    query       TEXT NOT NULL,
    owner       TEXT NOT NULL,
    shared      INTEGER NOT NULL,
    created     TEXT NOT NULL,
    UNIQUE (owner, name)
);
CREATE TABLE IF NOT EXISTS workspace_saved_seen (      -- per user: the last exhibit they had seen hits up to
    saved_id    INTEGER NOT NULL,
    viewer      TEXT NOT NULL,
    seen_seq    INTEGER NOT NULL,
    time        TEXT NOT NULL,
    PRIMARY KEY (saved_id, viewer)
);
"""


def ensure(db: sqlite3.Connection) -> None:
    db.executescript(SCHEMA)


def _next_id(db: sqlite3.Connection, table: str, column: str) -> int:
    # explicit keys (no rowid, no SERIAL): the same statement on SQLite and PostgreSQL; callers hold the
    # write transaction, so two writers cannot take the same number
    r = db.execute(f"SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}").fetchone()
    return int(r[0])


# -- tags ---------------------------------------------------------------------------------------
def add_tag(db: sqlite3.Connection, kind: str, target: str, exhibit_seq: int | None, tag: str, actor: str,
            time: str) -> bool:
    """True when the tag is new on the target."""
    cur = db.execute(
        "INSERT INTO workspace_tags(target_kind, target, exhibit_seq, tag, actor, time) VALUES (?,?,?,?,?,?) "
        "ON CONFLICT (target, tag) DO NOTHING", (kind, target, exhibit_seq, tag, actor, time))
    return cur.rowcount > 0


def remove_tag(db: sqlite3.Connection, target: str, tag: str) -> bool:
    cur = db.execute("DELETE FROM workspace_tags WHERE target=? AND tag=?", (target, tag))
    return cur.rowcount > 0


def tags(db: sqlite3.Connection, targets: Iterable[str] | None = None, tag: str | None = None,
         exhibit_seq: int | None = None) -> list[sqlite3.Row]:
    sql = "SELECT * FROM workspace_tags WHERE 1=1"
    args: list[Any] = []
    if targets is not None:
        keys = list(targets)
        if not keys:
            return []
        sql += f" AND target IN ({','.join('?' * len(keys))})"
        args += keys
    if tag is not None:
        sql += " AND tag=?"
        args.append(tag)
    if exhibit_seq is not None:
        sql += " AND exhibit_seq=?"
        args.append(exhibit_seq)
    return list(db.execute(sql + " ORDER BY time, target, tag", args))


def tag_counts(db: sqlite3.Connection) -> list[tuple[str, int]]:
    return [(r[0], int(r[1])) for r in
            db.execute("SELECT tag, COUNT(*) FROM workspace_tags GROUP BY tag ORDER BY COUNT(*) DESC, tag")]


def exhibits_tagged(db: sqlite3.Connection, tag: str) -> list[int]:
    return [int(r[0]) for r in db.execute(
        "SELECT DISTINCT exhibit_seq FROM workspace_tags WHERE tag=? AND exhibit_seq IS NOT NULL "
        "ORDER BY exhibit_seq", (tag,))]


def tag_names(db: sqlite3.Connection) -> list[str]:
    return [r[0] for r in db.execute("SELECT DISTINCT tag FROM workspace_tags ORDER BY tag")]


def exhibits_tagged_any(db: sqlite3.Connection, tags: list[str]) -> list[int]:
    if not tags:
        return []
    return [int(r[0]) for r in db.execute(
        f"SELECT DISTINCT exhibit_seq FROM workspace_tags WHERE tag IN ({','.join('?' * len(tags))}) "
        "AND exhibit_seq IS NOT NULL ORDER BY exhibit_seq", tags)]


def exhibits_by_tag(db: sqlite3.Connection) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for r in db.execute("SELECT DISTINCT tag, exhibit_seq FROM workspace_tags WHERE exhibit_seq IS NOT NULL "
                        "ORDER BY tag, exhibit_seq"):
        out.setdefault(r[0], []).append(int(r[1]))
    return out


# -- notes --------------------------------------------------------------------------------------
def add_note(db: sqlite3.Connection, kind: str, target: str, exhibit_seq: int | None, text: str, author: str,
             time: str, private: bool) -> int:
    note_id = _next_id(db, "workspace_notes", "note_id")
    db.execute("INSERT INTO workspace_notes(note_id, target_kind, target, exhibit_seq, author, created, private) "
               "VALUES (?,?,?,?,?,?,?)", (note_id, kind, target, exhibit_seq, author, time, int(private)))
    add_revision(db, note_id, text, author, time)
    return note_id


def add_revision(db: sqlite3.Connection, note_id: int, text: str, actor: str, time: str) -> int:
    r = db.execute("SELECT COALESCE(MAX(rev), 0) + 1 FROM workspace_note_revisions WHERE note_id=?",
                   (note_id,)).fetchone()
    rev = int(r[0])
    db.execute("INSERT INTO workspace_note_revisions(note_id, rev, text, actor, time) VALUES (?,?,?,?,?)",
               (note_id, rev, text, actor, time))
    return rev


def set_note_deleted(db: sqlite3.Connection, note_id: int, deleted: bool) -> None:
    db.execute("UPDATE workspace_notes SET deleted=? WHERE note_id=?", (int(deleted), note_id))


def note(db: sqlite3.Connection, note_id: int) -> sqlite3.Row | None:
    r: sqlite3.Row | None = db.execute("SELECT * FROM workspace_notes WHERE note_id=?", (note_id,)).fetchone()
    return r


def notes(db: sqlite3.Connection, viewer: str | None, target: str | None = None, exhibit_seq: int | None = None,
          author: str | None = None, include_deleted: bool = False) -> list[sqlite3.Row]:
    """Notes `viewer` may read (shared ones and their own private ones; viewer None: only shared)."""
    sql = "SELECT * FROM workspace_notes WHERE (private=0 OR author=?)"
    args: list[Any] = [viewer or ""]
    if not include_deleted:
        sql += " AND deleted=0"
    for col, v in (("target", target), ("exhibit_seq", exhibit_seq), ("author", author)):
        if v is not None:
            sql += f" AND {col}=?"
            args.append(v)
    return list(db.execute(sql + " ORDER BY note_id", args))


def revisions(db: sqlite3.Connection, note_ids: list[int]) -> dict[int, list[sqlite3.Row]]:
    out: dict[int, list[sqlite3.Row]] = {}
    if not note_ids:
        return out
    for r in db.execute(f"SELECT * FROM workspace_note_revisions WHERE note_id IN ({','.join('?' * len(note_ids))}) "
                        "ORDER BY note_id, rev", note_ids):
        out.setdefault(int(r["note_id"]), []).append(r)
    return out


def current_texts(db: sqlite3.Connection, viewer: str | None) -> list[tuple[int | None, str, str]]:
    """(exhibit seq, author, current text) of every note `viewer` may read: what `note:` searches."""
    return [(r[0], r[1], r[2]) for r in db.execute(
        "SELECT n.exhibit_seq, n.author, v.text FROM workspace_notes n JOIN workspace_note_revisions v "
        "ON v.note_id = n.note_id AND v.rev = (SELECT MAX(rev) FROM workspace_note_revisions w "
        "WHERE w.note_id = n.note_id) WHERE n.deleted=0 AND (n.private=0 OR n.author=?)", (viewer or "",))]


# -- highlights ---------------------------------------------------------------------------------
HIGHLIGHT_COLUMNS = ("exhibit_seq", "page", "kind", "quote", "before", "after", "start", "end_", "rect",
                     "comment", "author", "time", "anchor", "text_sha256")


def add_highlight(db: sqlite3.Connection, values: dict[str, Any]) -> int:
    hid = _next_id(db, "workspace_highlights", "highlight_id")
    cols = ("highlight_id", *HIGHLIGHT_COLUMNS)
    db.execute(f"INSERT INTO workspace_highlights({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})",
               (hid, *(values[c] for c in HIGHLIGHT_COLUMNS)))
    return hid


def highlights(db: sqlite3.Connection, exhibit_seq: int | None = None, page: int | None = None,
               author: str | None = None, ids: list[int] | None = None) -> list[sqlite3.Row]:
    sql = "SELECT * FROM workspace_highlights WHERE 1=1"
    args: list[Any] = []
    for col, v in (("exhibit_seq", exhibit_seq), ("page", page), ("author", author)):
        if v is not None:
            sql += f" AND {col}=?"
            args.append(v)
    if ids is not None:
        if not ids:
            return []
        sql += f" AND highlight_id IN ({','.join('?' * len(ids))})"
        args += ids
    return list(db.execute(sql + " ORDER BY exhibit_seq, page, COALESCE(start, 0), highlight_id", args))


def reanchor(db: sqlite3.Connection, highlight_id: int, start: int | None, end: int | None, anchor: str,
             text_sha256: str) -> None:
    db.execute("UPDATE workspace_highlights SET start=?, end_=?, anchor=?, text_sha256=? WHERE highlight_id=?",
               (start, end, anchor, text_sha256, highlight_id))


# -- saved searches -----------------------------------------------------------------------------
def add_saved(db: sqlite3.Connection, name: str, query: str, owner: str, shared: bool, time: str) -> int:
    saved_id = _next_id(db, "workspace_saved", "saved_id")
    db.execute("INSERT INTO workspace_saved(saved_id, name, query, owner, shared, created) VALUES (?,?,?,?,?,?) "
               "ON CONFLICT (owner, name) DO UPDATE SET query=excluded.query, shared=excluded.shared",
               (saved_id, name, query, owner, int(shared), time))
    r = db.execute("SELECT saved_id FROM workspace_saved WHERE owner=? AND name=?", (owner, name)).fetchone()
    return int(r[0])


def saved(db: sqlite3.Connection, viewer: str) -> list[sqlite3.Row]:
    return list(db.execute("SELECT * FROM workspace_saved WHERE owner=? OR shared=1 ORDER BY name, saved_id",
                           (viewer,)))


def remove_saved(db: sqlite3.Connection, saved_id: int) -> None:
    db.execute("DELETE FROM workspace_saved WHERE saved_id=?", (saved_id,))
    db.execute("DELETE FROM workspace_saved_seen WHERE saved_id=?", (saved_id,))


def seen(db: sqlite3.Connection, saved_id: int, viewer: str) -> int | None:
    r = db.execute("SELECT seen_seq FROM workspace_saved_seen WHERE saved_id=? AND viewer=?",
                   (saved_id, viewer)).fetchone()
    return None if r is None else int(r[0])


def set_seen(db: sqlite3.Connection, saved_id: int, viewer: str, seq: int, time: str) -> None:
    db.execute("INSERT INTO workspace_saved_seen(saved_id, viewer, seen_seq, time) VALUES (?,?,?,?) "
               "ON CONFLICT (saved_id, viewer) DO UPDATE SET seen_seq=excluded.seen_seq, time=excluded.time",
               (saved_id, viewer, seq, time))
