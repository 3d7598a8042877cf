"""Saved searches (per user or shared) and their alerts: the hits in exhibits an ingest added since a user
last looked, and in existing exhibits that newly match (OCR run again, a tag, a note or its edit, a highlight),
found through the custody log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exhibit.archive import Archive, custody, ex_id, overview
from exhibit.errors import UserError
from exhibit.search import Hit, parse
from exhibit.workspace import find, store
from exhibit.workspace.types import SavedSearch

MAX_NAME = 100
ALERT_HITS = 20
MAX_MATCHED = 100_000  # hits read to know which exhibits a search matches when its user looks
# Custody events after which an existing exhibit may match a saved search it did not match before
# (a translation is an exhibit of its own: ingesting it alerts as any new exhibit; linking it to its original
# changes nothing a search matches)
TRIGGERS = ("ocr", "tagged", "noted", "note_edited", "highlighted")


@dataclass(frozen=True)
class Alert:
    """A saved search with hits in exhibits added after `since` (the newest exhibit its viewer had seen), or
    in older exhibits that changed since and match now but did not when the viewer last looked."""

    saved: SavedSearch
    since: int
    new_hits: int
    hits: tuple[Hit, ...]   # the best of them
    changed: tuple[str, ...] = ()  # IDs of the older exhibits that newly match

    def as_json(self) -> dict[str, Any]:
        return {**self.saved.as_json(), "since": self.since, "new_hits": self.new_hits, "changed": list(self.changed),
                "hits": [h.as_json(html=False) for h in self.hits]}


def _saved(r: Any) -> SavedSearch:
    return SavedSearch(int(r["saved_id"]), r["name"], r["query"], r["owner"], bool(r["shared"]), r["created"])


def save(arch: Archive, name: str, query: str, owner: str | None = None, shared: bool = False) -> SavedSearch:
    """Save `query` under `name` for `owner` (replacing their search of that name); its alerts start now."""
    who = owner or custody.os_user()
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise UserError(f"saved search name {name!r}: give 1 to {MAX_NAME} characters.")
    parse(query)  # a malformed query fails now, with its position, not at the next alert
    store.ensure(arch.catalog)
    with arch.transaction() as db:
        sid = store.add_saved(db, name, query, who, shared, custody.utc_now())
        custody.append(db, "search_saved", None, who, {"saved": sid, "name": name, "query": query, "shared": shared})
    _look(arch, sid, query, who)
    return next(s for s in searches(arch, who) if s.saved_id == sid)


def searches(arch: Archive, viewer: str | None = None) -> list[SavedSearch]:
    """The viewer's own saved searches and everyone's shared ones."""
    store.ensure(arch.catalog)
    return [_saved(r) for r in store.saved(arch.catalog, viewer or custody.os_user())]


def get(arch: Archive, name_or_id: str, viewer: str | None = None) -> SavedSearch:
    mine = searches(arch, viewer)
    found = [s for s in mine if str(s.saved_id) == name_or_id or s.name == name_or_id]
    own = [s for s in found if s.owner == (viewer or custody.os_user())]
    if not found:
        raise UserError(f"{name_or_id}: no saved search of that name (`exhibit saved ls` lists them).")
    return (own or found)[0]


def remove(arch: Archive, saved: SavedSearch, actor: str | None = None) -> None:
    who = actor or custody.os_user()
    if saved.owner != who:
        raise UserError(f"{saved.name}: only its owner {saved.owner} can remove this saved search.")
    with arch.transaction() as db:
        store.remove_saved(db, saved.saved_id)
        custody.append(db, "search_unsaved", None, who, {"saved": saved.saved_id, "name": saved.name})


def _matches(arch: Archive, query: str, viewer: str, within: set[int] | None = None) -> set[int]:
    """The exhibits `query` matches for `viewer` (of `within`, if given)."""
    if within is not None and not within:
        return set()
    res = find.search(arch, query, viewer=viewer, limit=MAX_MATCHED, within=within)
    return {h.seq for h in res.hits}


def _watch(arch: Archive, saved_id: int, query: str, viewer: str, last: int | None = None) -> int:
    """`viewer` has seen this search's changes as the archive stands now: the custody log's end and the
    exhibits it matches (what a later change must add to, to be news); with `last`, the newest exhibit too.
    The custody log's end is read first: a change made meanwhile is news next time, not lost."""
    head = overview.last_event(arch)
    matched = _matches(arch, query, viewer)
    with arch.transaction() as db:
        if last is not None:
            store.set_seen(db, saved_id, viewer, last, custody.utc_now())
        store.set_watched(db, saved_id, viewer, head, matched)
    return head


def _look(arch: Archive, saved_id: int, query: str, viewer: str) -> None:
    """`viewer` has seen this search as the archive stands now."""
    _watch(arch, saved_id, query, viewer, last=overview.last_seq(arch))


def alerts(arch: Archive, viewer: str | None = None, mark_seen: bool = False) -> list[Alert]:
    """Per saved search, the hits in exhibits ingested since `viewer` last looked and in older exhibits that
    newly match since then (after a custody event of TRIGGERS on them); `mark_seen` records that they have
    looked now. A shared search a viewer never looked at starts from now (no backlog)."""
    who = viewer or custody.os_user()
    mine = searches(arch, who)
    last = overview.last_seq(arch)
    out: list[Alert] = []
    watches: dict[int, int | None] = {s.saved_id: store.watched(arch.catalog, s.saved_id, who) for s in mine}
    known = [w for w in watches.values() if w is not None]
    events = overview.events_on_exhibits(arch, min(known), TRIGGERS) if known else []
    for s in mine:
        since, watch = store.seen(arch.catalog, s.saved_id, who), watches[s.saved_id]
        if since is None:  # never looked: from now
            _look(arch, s.saved_id, s.query, who)
            continue
        if watch is None:  # looked before changes were watched: changes count from now, new exhibits as before
            watch = _watch(arch, s.saved_id, s.query, who)
        touched = {e for c, e in events if c > watch and e <= since}
        newly = _matches(arch, s.query, who, touched) if touched else set()
        newly -= store.matched(arch.catalog, s.saved_id, who, sorted(newly))
        if since < last or newly:
            within = set(range(since + 1, last + 1)) | newly
            res = find.search(arch, s.query, viewer=who, limit=ALERT_HITS, within=within)
            if res.total:
                out.append(Alert(s, since, res.total, res.hits, tuple(ex_id(e) for e in sorted(newly))))
    if mark_seen:
        see(arch, [s.saved_id for s in mine], who)
    return out


def see(arch: Archive, saved_ids: list[int], viewer: str) -> None:
    """`viewer` has looked at these saved searches' hits as the archive stands now."""
    by_id = {s.saved_id: s for s in searches(arch, viewer)}
    for sid in saved_ids:
        if sid in by_id:
            _look(arch, sid, by_id[sid].query, viewer)
