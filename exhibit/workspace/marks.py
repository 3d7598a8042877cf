"""Tags and notes on exhibits, pages, table rows, records and people; every change a custody event."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from markdown_it import MarkdownIt

from exhibit.archive import Archive, custody, ex_id
from exhibit.errors import UserError
from exhibit.link import store as link_store
from exhibit.records import store as records_store
from exhibit.workspace import store
from exhibit.workspace.types import Note, Revision, Tagging, Target, TargetKind

MAX_TAG = 64
MAX_NOTE = 100_000
# `EX-000012`, `EX-000012:p3` (a page), `EX-000012:t7:r14` (row 14 of table 7), `record:ID`, `cluster:ID`
_PAGE_RE = re.compile(r"^(?P<ex>[^:]+):p(?P<page>[0-9]{1,9})$", re.IGNORECASE)
_ROW_RE = re.compile(r"^(?P<ex>[^:]+):t(?P<tid>[0-9]{1,15}):r(?P<row>[0-9]{1,9})$", re.IGNORECASE)


def target(arch: Archive, ref: str) -> Target:
    """The target a reference names: an exhibit ID (or SHA-256 prefix), `ID:pN`, `ID:tT:rN`, `record:ID` or
    `cluster:ID`."""
    ref = ref.strip()
    low = ref.lower()
    if low.startswith("record:"):
        rid = ref.split(":", 1)[1].strip()
        records_store.ensure(arch.catalog)
        at = records_store.locate(arch, rid)
        if at is None:
            raise UserError(f"{ref}: no such record. `exhibit records ls` lists record IDs.")
        t = arch.table(at[0])
        seq = t.exhibit_seq if t else None
        return Target(TargetKind.RECORD, f"record:{rid}", seq, ex_id(seq) if seq else None,
                      table_id=at[0], sheet=t.name if t else None, row=at[1])
    if low.startswith("cluster:"):
        cid = ref.split(":", 1)[1].strip()
        link_store.ensure(arch.catalog)
        if not cid or arch.catalog.execute("SELECT 1 FROM link_clusters WHERE cluster_id = :c LIMIT 1",
                                           {"c": cid}).fetchone() is None:
            raise UserError(f"{ref}: no such person (link cluster); `exhibit link ls` lists the cluster IDs "
                            "(run `exhibit link run` first if it is empty).")
        return Target(TargetKind.CLUSTER, f"cluster:{cid}", None)
    if m := _PAGE_RE.match(ref):
        seq = arch.resolve(m["ex"])
        page = int(m["page"])
        if arch.page(seq, page) is None:
            raise UserError(f"{ref}: {ex_id(seq)} has no page {page} (`exhibit show {ex_id(seq)}` lists its pages).")
        return Target(TargetKind.PAGE, f"page:{seq}:{page}", seq, ex_id(seq), page=page)
    if m := _ROW_RE.match(ref):
        seq = arch.resolve(m["ex"])
        tid, row = int(m["tid"]), int(m["row"])
        info = arch.table(tid)
        if info is None or info.exhibit_seq != seq or not 1 <= row <= info.row_count:
            raise UserError(f"{ref}: {ex_id(seq)} has no table {tid} with a row {row}.")
        return Target(TargetKind.ROW, f"row:{tid}:{row}", seq, ex_id(seq), page=info.page, table_id=tid,
                      sheet=info.name, row=row)
    seq = arch.resolve(ref)
    return Target(TargetKind.EXHIBIT, f"exhibit:{seq}", seq, ex_id(seq))


def target_of_key(arch: Archive, kind: str, key: str, exhibit_seq: int | None) -> Target:
    """A stored target again, from its key (no lookups that could fail: the thing may have gone)."""
    parts = key.split(":")
    k = TargetKind(kind)
    eid = ex_id(exhibit_seq) if exhibit_seq else None
    if k is TargetKind.PAGE:
        return Target(k, key, exhibit_seq, eid, page=int(parts[2]))
    if k in (TargetKind.ROW, TargetKind.RECORD):
        if k is TargetKind.ROW:
            tid, row = int(parts[1]), int(parts[2])
        else:
            at = records_store.locate(arch, key.split(":", 1)[1])
            tid, row = at if at else (0, 0)
        info = arch.table(tid) if tid else None
        return Target(k, key, exhibit_seq, eid, page=info.page if info else None, table_id=tid or None,
                      sheet=info.name if info else None, row=row or None)
    return Target(k, key, exhibit_seq, eid)


def clean_tag(tag: str) -> str:
    """A tag as stored: NFC, trimmed, inner whitespace as one space; refused when empty or too long."""
    t = " ".join(unicodedata.normalize("NFC", tag).split())
    if not t or len(t) > MAX_TAG or any(unicodedata.category(c) in ("Cc", "Cf") for c in t):
        raise UserError(f"tag {tag!r}: give 1 to {MAX_TAG} visible characters (no control or format characters).")
    return t


def _sha(arch: Archive, t: Target) -> str | None:
    return arch.exhibit(t.exhibit_seq).sha256 if t.exhibit_seq else None


def tag(arch: Archive, targets: Iterable[Target], add: Iterable[str] = (), remove: Iterable[str] = (),
        actor: str | None = None) -> list[tuple[Target, str, str]]:
    """Add and remove tags on targets (search results in bulk included); (target, tag, "added"|"removed") of
    every actual change, each one a custody event in the same transaction."""
    who = actor or custody.os_user()
    adds = [clean_tag(t) for t in add]
    removes = [clean_tag(t) for t in remove]
    changes: list[tuple[Target, str, str]] = []
    store.ensure(arch.catalog)
    with arch.transaction() as db:
        for t in targets:
            sha = _sha(arch, t)
            for name in adds:
                now = custody.utc_now()
                if store.add_tag(db, str(t.kind), t.key, t.exhibit_seq, name, who, now):
                    custody.append(db, "tagged", sha, who, {"target": t.key, "tag": name})
                    changes.append((t, name, "added"))
            for name in removes:
                if store.remove_tag(db, t.key, name):
                    custody.append(db, "untagged", sha, who, {"target": t.key, "tag": name})
                    changes.append((t, name, "removed"))
    return changes


def tags(arch: Archive, target: Target | None = None, tag: str | None = None,
         exhibit_seq: int | None = None) -> list[Tagging]:
    store.ensure(arch.catalog)
    rows = store.tags(arch.catalog, [target.key] if target else None, tag, exhibit_seq)
    return [Tagging(target_of_key(arch, r["target_kind"], r["target"], r["exhibit_seq"]), r["tag"], r["actor"],
                    r["time"]) for r in rows]


def tag_counts(arch: Archive) -> list[tuple[str, int]]:
    store.ensure(arch.catalog)
    return store.tag_counts(arch.catalog)


# -- notes --------------------------------------------------------------------------------------
def _text(text: str) -> str:
    if not text.strip():
        raise UserError("a note needs some text.")
    if len(text) > MAX_NOTE:
        raise UserError(f"a note holds at most {MAX_NOTE} characters; this one has {len(text)}.")
    return text


def _note(arch: Archive, r: Any, revs: list[Any]) -> Note:
    return Note(note_id=int(r["note_id"]), target=target_of_key(arch, r["target_kind"], r["target"], r["exhibit_seq"]),
                author=r["author"], created=r["created"], private=bool(r["private"]), deleted=bool(r["deleted"]),
                revisions=tuple(Revision(int(v["rev"]), v["text"], v["actor"], v["time"]) for v in revs))


def add_note(arch: Archive, t: Target, text: str, actor: str | None = None, private: bool = False) -> Note:
    who = actor or custody.os_user()
    store.ensure(arch.catalog)
    with arch.transaction() as db:
        note_id = store.add_note(db, str(t.kind), t.key, t.exhibit_seq, _text(text), who, custody.utc_now(),
                                 private)
        # a private note's text stays out of the shared custody log; its revision is kept in the workspace
        custody.append(db, "noted", _sha(arch, t), who, {"target": t.key, "note": note_id, "private": private,
                                                         "rev": 1})
    return note(arch, note_id, who)


def note(arch: Archive, note_id: int, viewer: str | None) -> Note:
    """One note, if `viewer` may read it (its author, or anyone when it is shared)."""
    store.ensure(arch.catalog)
    r = store.note(arch.catalog, note_id)
    if r is None or (r["private"] and r["author"] != viewer):
        raise UserError(f"note {note_id}: no such note (or it is someone else's private note).")
    return _note(arch, r, store.revisions(arch.catalog, [note_id]).get(note_id, []))


def edit_note(arch: Archive, note_id: int, text: str, actor: str | None = None) -> Note:
    """A new revision of a note; the earlier ones stay. Only its author edits a private note."""
    who = actor or custody.os_user()
    current = note(arch, note_id, who)
    with arch.transaction() as db:
        rev = store.add_revision(db, note_id, _text(text), who, custody.utc_now())
        custody.append(db, "note_edited", _sha(arch, current.target), who,
                       {"target": current.target.key, "note": note_id, "rev": rev})
    return note(arch, note_id, who)


def delete_note(arch: Archive, note_id: int, actor: str | None = None) -> Note:
    """Hide a note; its revisions stay in the catalog and the deletion is a custody event."""
    who = actor or custody.os_user()
    current = note(arch, note_id, who)
    with arch.transaction() as db:
        store.set_note_deleted(db, note_id, True)
        custody.append(db, "note_deleted", _sha(arch, current.target), who,
                       {"target": current.target.key, "note": note_id})
    return note(arch, note_id, who)


def notes(arch: Archive, viewer: str | None, target: Target | None = None, exhibit_seq: int | None = None,
          author: str | None = None) -> list[Note]:
    store.ensure(arch.catalog)
    rows = store.notes(arch.catalog, viewer, target.key if target else None, exhibit_seq, author)
    revs = store.revisions(arch.catalog, [int(r["note_id"]) for r in rows])
    return [_note(arch, r, revs.get(int(r["note_id"]), [])) for r in rows]


# Raw HTML in a note stays text (html=False), and markdown-it refuses javascript:, vbscript:, file: and
# data: links (validateLink): what a colleague writes cannot run in the reader's browser.
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False})


def render_note(text: str) -> str:
    """A note's Markdown as inert HTML."""
    return str(_MD.render(text))
