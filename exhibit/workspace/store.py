"""The workspace_* tables in the archive catalog: tags, notes and their revisions, highlights, saved searches.

Every statement follows the catalog convention (exhibit/archive/engine.py): `:name` parameters on
`arch.catalog`, portable SQL, so the workspace runs the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from exhibit.archive.engine import Catalog, in_list

SCHEMA = """
CREATE TABLE IF NOT EXISTS workspace_tags (
    target_kind TEXT NOT NULL,
    target      TEXT NOT NULL,              -- Target.key: exhibit:12, page:12:3, row:7:14, record:..., cluster:...
    exhibit_seq BIGINT,                     -- the exhibit the target belongs to, if any
    tag         TEXT NOT NULL,
    actor       TEXT NOT NULL,
    time        TEXT NOT NULL,
    PRIMARY KEY (target, tag)
);
CREATE INDEX IF NOT EXISTS workspace_tags_tag ON workspace_tags(tag, exhibit_seq);
CREATE INDEX IF NOT EXISTS workspace_tags_exhibit ON workspace_tags(exhibit_seq, tag);  -- labels(): some exhibits' tags
CREATE TABLE IF NOT EXISTS workspace_notes (
    note_id     {serial_key},
    target_kind TEXT NOT NULL,
    target      TEXT NOT NULL,
    exhibit_seq BIGINT,
    author      TEXT NOT NULL,
    created     TEXT NOT NULL,
    private     INTEGER NOT NULL,           -- 1: only its author sees it
    deleted     INTEGER NOT NULL DEFAULT 0  -- notes are never dropped: deleting hides, the revisions stay
);
CREATE INDEX IF NOT EXISTS workspace_notes_target ON workspace_notes(target);
CREATE INDEX IF NOT EXISTS workspace_notes_exhibit ON workspace_notes(exhibit_seq);
CREATE TABLE IF NOT EXISTS workspace_note_revisions (   -- append-only: every edit is a new revision
    note_id     BIGINT NOT NULL,
    rev         INTEGER NOT NULL,
    text        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    time        TEXT NOT NULL,
    PRIMARY KEY (note_id, rev)
);
CREATE TABLE IF NOT EXISTS workspace_highlights (
    highlight_id {serial_key},
    exhibit_seq  BIGINT NOT NULL,
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
    saved_id    {serial_key},
    name        TEXT NOT NULL,
    query       TEXT NOT NULL,
    owner       TEXT NOT NULL,
    shared      INTEGER NOT NULL,
    created     TEXT NOT NULL,
    UNIQUE (owner, name)
);
CREATE TABLE IF NOT EXISTS workspace_saved_seen (      -- per user: the last exhibit they had seen hits up to
    saved_id    BIGINT NOT NULL,
    viewer      TEXT NOT NULL,
    seen_seq    BIGINT NOT NULL,
    time        TEXT NOT NULL,
    PRIMARY KEY (saved_id, viewer)
);
CREATE TABLE IF NOT EXISTS workspace_saved_watch (     -- per user: the custody event they had seen changes up to
    saved_id    BIGINT NOT NULL,
    viewer      TEXT NOT NULL,
    custody_seq BIGINT NOT NULL,
    PRIMARY KEY (saved_id, viewer)
);
CREATE TABLE IF NOT EXISTS workspace_saved_matched (   -- per user: the exhibits the search matched when they looked
    saved_id    BIGINT NOT NULL,
    viewer      TEXT NOT NULL,
    exhibit_seq BIGINT NOT NULL,
    PRIMARY KEY (saved_id, viewer, exhibit_seq)
);
"""


def ensure(cat: Catalog) -> None:
    cat.ensure(SCHEMA)


# -- tags ---------------------------------------------------------------------------------------
def add_tag(cat: Catalog, kind: str, target: str, exhibit_seq: int | None, tag: str, actor: str,
            time: str) -> bool:
    """True when the tag is new on the target."""
    cur = cat.execute(
        "INSERT INTO workspace_tags(target_kind, target, exhibit_seq, tag, actor, time) "
        "VALUES (:kind, :target, :seq, :tag, :actor, :time) ON CONFLICT (target, tag) DO NOTHING",
        {"kind": kind, "target": target, "seq": exhibit_seq, "tag": tag, "actor": actor, "time": time})
    return cur.rowcount > 0


def remove_tag(cat: Catalog, target: str, tag: str) -> bool:
    cur = cat.execute("DELETE FROM workspace_tags WHERE target = :target AND tag = :tag", {"target": target, "tag": tag})
    return cur.rowcount > 0


def tags(cat: Catalog, targets: Iterable[str] | None = None, tag: str | None = None,
         exhibit_seq: int | None = None) -> list[Any]:
    sql = "SELECT * FROM workspace_tags WHERE 1=1"
    args: dict[str, Any] = {}
    if targets is not None:
        keys = list(targets)
        if not keys:
            return []
        marks, args = in_list("t", keys)
        sql += f" AND target IN {marks}"
    if tag is not None:
        sql += " AND tag = :tag"
        args["tag"] = tag
    if exhibit_seq is not None:
        sql += " AND exhibit_seq = :seq"
        args["seq"] = exhibit_seq
    return list(cat.execute(sql + " ORDER BY time, target, tag", args))


def tag_counts(cat: Catalog) -> list[tuple[str, int]]:
    return [(r[0], int(r[1])) for r in
            cat.execute("SELECT tag, COUNT(*) FROM workspace_tags GROUP BY tag ORDER BY COUNT(*) DESC, tag")]


def exhibits_tagged(cat: Catalog, tag: str) -> list[int]:
    return [int(r[0]) for r in cat.execute(
        "SELECT DISTINCT exhibit_seq FROM workspace_tags WHERE tag = :tag AND exhibit_seq IS NOT NULL "
        "ORDER BY exhibit_seq", {"tag": tag})]


# Tagging and untagging are custody events in the same transaction as the change (marks.tag), each naming
# the exhibit whose target changed: the events after a custody head list every exhibit whose tags changed
# (archive.custody.exhibits_with_events_since).
TAG_EVENTS = ("tagged", "untagged")


def tag_used(cat: Catalog, tag: str) -> bool:
    return cat.execute("SELECT 1 FROM workspace_tags WHERE tag = :tag LIMIT 1", {"tag": tag}).fetchone() is not None


def labels(cat: Catalog, seqs: Collection[int] | None) -> dict[int, list[str]]:
    """Per exhibit (all when None), the distinct tags on it or its parts, sorted."""
    sql = "SELECT DISTINCT exhibit_seq, tag FROM workspace_tags WHERE exhibit_seq IS NOT NULL"
    args: dict[str, Any] = {}
    if seqs is not None:
        if not seqs:
            return {}
        marks, args = in_list("s", sorted(seqs))
        sql += f" AND exhibit_seq IN {marks}"
    out: dict[int, list[str]] = {}
    for r in cat.execute(sql, args):
        out.setdefault(int(r[0]), []).append(r[1])
    return {seq: sorted(names) for seq, names in out.items()}  # in Python's order, whatever the collation


def tag_names(cat: Catalog) -> list[str]:
    return [r[0] for r in cat.execute("SELECT DISTINCT tag FROM workspace_tags ORDER BY tag")]


def exhibits_tagged_any(cat: Catalog, tags: list[str]) -> list[int]:
    if not tags:
        return []
    marks, args = in_list("t", tags)
    return [int(r[0]) for r in cat.execute(
        f"SELECT DISTINCT exhibit_seq FROM workspace_tags WHERE tag IN {marks} "
        "AND exhibit_seq IS NOT NULL ORDER BY exhibit_seq", args)]


def exhibits_by_tag(cat: Catalog) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for r in cat.execute("SELECT DISTINCT tag, exhibit_seq FROM workspace_tags WHERE exhibit_seq IS NOT NULL "
                         "ORDER BY tag, exhibit_seq"):
        out.setdefault(r[0], []).append(int(r[1]))
    return out


# -- notes --------------------------------------------------------------------------------------
def add_note(cat: Catalog, kind: str, target: str, exhibit_seq: int | None, text: str, author: str,
             time: str, private: bool) -> int:
    r = cat.execute("INSERT INTO workspace_notes(target_kind, target, exhibit_seq, author, created, private) "
                    "VALUES (:kind, :target, :seq, :author, :time, :private) RETURNING note_id",
                    {"kind": kind, "target": target, "seq": exhibit_seq, "author": author, "time": time,
                     "private": int(private)}).fetchone()
    note_id = int(r[0])
    add_revision(cat, note_id, text, author, time)
    return note_id


def add_revision(cat: Catalog, note_id: int, text: str, actor: str, time: str) -> int:
    """The next revision of a note. Call inside a transaction: the custody lock taken first makes two
    editors of one note (on PostgreSQL, side by side) take turns for the number."""
    cat.lock_custody()
    r = cat.execute("SELECT COALESCE(MAX(rev), 0) + 1 FROM workspace_note_revisions WHERE note_id = :n",
                    {"n": note_id}).fetchone()
    rev = int(r[0])
    cat.execute("INSERT INTO workspace_note_revisions(note_id, rev, text, actor, time) "
                "VALUES (:n, :rev, :text, :actor, :time)",
                {"n": note_id, "rev": rev, "text": text, "actor": actor, "time": time})
    return rev


def set_note_deleted(cat: Catalog, note_id: int, deleted: bool) -> None:
    cat.execute("UPDATE workspace_notes SET deleted = :d WHERE note_id = :n", {"d": int(deleted), "n": note_id})


def note(cat: Catalog, note_id: int) -> Any:
    return cat.execute("SELECT * FROM workspace_notes WHERE note_id = :n", {"n": note_id}).fetchone()


def notes(cat: Catalog, viewer: str | None, target: str | None = None, exhibit_seq: int | None = None,
          author: str | None = None, include_deleted: bool = False) -> list[Any]:
    """Notes `viewer` may read (shared ones and their own private ones; viewer None: only shared)."""
    sql = "SELECT * FROM workspace_notes WHERE (private = 0 OR author = :viewer)"
    args: dict[str, Any] = {"viewer": viewer or ""}
    if not include_deleted:
        sql += " AND deleted = 0"
    for col, v in (("target", target), ("exhibit_seq", exhibit_seq), ("author", author)):
        if v is not None:
            sql += f" AND {col} = :{col}"
            args[col] = v
    return list(cat.execute(sql + " ORDER BY note_id", args))


def revisions(cat: Catalog, note_ids: list[int]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    if not note_ids:
        return out
    marks, args = in_list("n", note_ids)
    for r in cat.execute(f"SELECT * FROM workspace_note_revisions WHERE note_id IN {marks} ORDER BY note_id, rev",
                         args):
        out.setdefault(int(r["note_id"]), []).append(r)
    return out


def current_texts(cat: Catalog, viewer: str | None) -> list[tuple[int | None, str, str]]:
    """(exhibit seq, author, current text) of every note `viewer` may read: what `note:` searches."""
    return [(None if r[0] is None else int(r[0]), r[1], r[2]) for r in cat.execute(
        "SELECT n.exhibit_seq, n.author, v.text FROM workspace_notes n JOIN workspace_note_revisions v "
        "ON v.note_id = n.note_id AND v.rev = (SELECT MAX(rev) FROM workspace_note_revisions w "
        "WHERE w.note_id = n.note_id) WHERE n.deleted = 0 AND (n.private = 0 OR n.author = :viewer)",
        {"viewer": viewer or ""})]


# -- highlights ---------------------------------------------------------------------------------
HIGHLIGHT_COLUMNS = ("exhibit_seq", "page", "kind", "quote", "before", "after", "start", "end_", "rect",
                     "comment", "author", "time", "anchor", "text_sha256")


def add_highlight(cat: Catalog, values: dict[str, Any]) -> int:
    r = cat.execute(f"INSERT INTO workspace_highlights({', '.join(HIGHLIGHT_COLUMNS)}) "
                    f"VALUES ({', '.join(':' + c for c in HIGHLIGHT_COLUMNS)}) RETURNING highlight_id",
                    {c: values[c] for c in HIGHLIGHT_COLUMNS}).fetchone()
    return int(r[0])


def highlights(cat: Catalog, exhibit_seq: int | None = None, page: int | None = None,
               author: str | None = None, ids: list[int] | None = None) -> list[Any]:
    sql = "SELECT * FROM workspace_highlights WHERE 1=1"
    args: dict[str, Any] = {}
    for col, v in (("exhibit_seq", exhibit_seq), ("page", page), ("author", author)):
        if v is not None:
            sql += f" AND {col} = :{col}"
            args[col] = v
    if ids is not None:
        if not ids:
            return []
        marks, more = in_list("h", ids)
        sql += f" AND highlight_id IN {marks}"
        args.update(more)
    return list(cat.execute(sql + " ORDER BY exhibit_seq, page, COALESCE(start, 0), highlight_id", args))


def reanchor(cat: Catalog, highlight_id: int, start: int | None, end: int | None, anchor: str,
             text_sha256: str) -> None:
    cat.execute("UPDATE workspace_highlights SET start = :start, end_ = :end, anchor = :anchor, text_sha256 = :sha "
                "WHERE highlight_id = :h",
                {"start": start, "end": end, "anchor": anchor, "sha": text_sha256, "h": highlight_id})


# -- saved searches -----------------------------------------------------------------------------
def add_saved(cat: Catalog, name: str, query: str, owner: str, shared: bool, time: str) -> int:
    r = cat.execute("INSERT INTO workspace_saved(name, query, owner, shared, created) "
                    "VALUES (:name, :query, :owner, :shared, :time) "
                    "ON CONFLICT (owner, name) DO UPDATE SET query = excluded.query, shared = excluded.shared "
                    "RETURNING saved_id",
                    {"name": name, "query": query, "owner": owner, "shared": int(shared), "time": time}).fetchone()
    return int(r[0])


def saved(cat: Catalog, viewer: str) -> list[Any]:
    return list(cat.execute("SELECT * FROM workspace_saved WHERE owner = :viewer OR shared = 1 ORDER BY name, saved_id",
                            {"viewer": viewer}))


def remove_saved(cat: Catalog, saved_id: int) -> None:
    for table in ("workspace_saved", "workspace_saved_seen", "workspace_saved_watch", "workspace_saved_matched"):
        cat.execute(f"DELETE FROM {table} WHERE saved_id = :s", {"s": saved_id})


def seen(cat: Catalog, saved_id: int, viewer: str) -> int | None:
    r = cat.execute("SELECT seen_seq FROM workspace_saved_seen WHERE saved_id = :s AND viewer = :v",
                    {"s": saved_id, "v": viewer}).fetchone()
    return None if r is None else int(r[0])


def set_seen(cat: Catalog, saved_id: int, viewer: str, seq: int, time: str) -> None:
    cat.execute("INSERT INTO workspace_saved_seen(saved_id, viewer, seen_seq, time) VALUES (:s, :v, :seq, :time) "
                "ON CONFLICT (saved_id, viewer) DO UPDATE SET seen_seq = excluded.seen_seq, time = excluded.time",
                {"s": saved_id, "v": viewer, "seq": seq, "time": time})


def watched(cat: Catalog, saved_id: int, viewer: str) -> int | None:
    """The custody event up to which `viewer` has seen this search's changed exhibits."""
    r = cat.execute("SELECT custody_seq FROM workspace_saved_watch WHERE saved_id = :s AND viewer = :v",
                    {"s": saved_id, "v": viewer}).fetchone()
    return None if r is None else int(r[0])


def set_watched(cat: Catalog, saved_id: int, viewer: str, custody_seq: int, matched: Iterable[int]) -> None:
    """`viewer` looked at the search when the custody log ended at `custody_seq`, and it matched these
    exhibits then (what a change must add to, to be news)."""
    args = {"s": saved_id, "v": viewer}
    cat.execute("INSERT INTO workspace_saved_watch(saved_id, viewer, custody_seq) VALUES (:s, :v, :c) "
                "ON CONFLICT (saved_id, viewer) DO UPDATE SET custody_seq = excluded.custody_seq",
                {**args, "c": custody_seq})
    cat.execute("DELETE FROM workspace_saved_matched WHERE saved_id = :s AND viewer = :v", args)
    cat.executemany("INSERT INTO workspace_saved_matched(saved_id, viewer, exhibit_seq) VALUES (:s, :v, :e)",
                    [{**args, "e": e} for e in sorted(set(matched))])


def matched(cat: Catalog, saved_id: int, viewer: str, among: list[int]) -> set[int]:
    """Which of the exhibits `among` the search matched when `viewer` last looked."""
    if not among:
        return set()
    marks, args = in_list("e", among)
    return {int(r[0]) for r in cat.execute(
        f"SELECT exhibit_seq FROM workspace_saved_matched WHERE saved_id = :s AND viewer = :v "
        f"AND exhibit_seq IN {marks}", {**args, "s": saved_id, "v": viewer})}


