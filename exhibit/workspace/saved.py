"""Saved searches (per user or shared) and their alerts: the hits an ingest added since a user last looked."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from exhibit.archive import Archive, custody, overview
from exhibit.errors import UserError
from exhibit.search import Hit, parse
from exhibit.workspace import find, store
from exhibit.workspace.types import SavedSearch

MAX_NAME = 100
ALERT_HITS = 20


@dataclass(frozen=True)
class Alert:
    """A saved search with hits in exhibits added after `since` (the newest exhibit its viewer had seen)."""

    saved: SavedSearch
    since: int
    new_hits: int
    hits: tuple[Hit, ...]   # the best of them

    def as_json(self) -> dict[str, Any]:
        return {**self.saved.as_json(), "since": self.since, "new_hits": self.new_hits,
                "hits": [h.as_json(html=False) for h in self.hits]}


def _saved(r: sqlite3.Row) -> SavedSearch:
    return SavedSearch(int(r["saved_id"]), r["name"], r["query"], r["owner"], bool(r["shared"]), r["created"])


def save(arch: Archive, name: str, query: str, owner: str | None = None, shared: bool = False) -> SavedSearch:
    """Save `query` under `name` for `owner` (replacing their search of that name); its alerts start now."""
    who = owner or custody.os_user()
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise UserError(f"saved search name {name!r}: give 1 to {MAX_NAME} characters.")
    parse(query)  # a malformed query fails now, with its position, not at the next alert
    store.ensure(arch.db)
    last = overview.last_seq(arch)
    with arch.transaction() as db:
        sid = store.add_saved(arch.db, name, query, who, shared, custody.utc_now())
        store.set_seen(arch.db, sid, who, last, custody.utc_now())
        custody.append(db, "search_saved", None, who, {"saved": sid, "name": name, "query": query, "shared": shared})
    return next(s for s in searches(arch, who) if s.saved_id == sid)


def searches(arch: Archive, viewer: str | None = None) -> list[SavedSearch]:
    """The viewer's own saved searches and everyone's shared ones."""
    store.ensure(arch.db)
    return [_saved(r) for r in store.saved(arch.db, viewer or custody.os_user())]


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
        store.remove_saved(arch.db, saved.saved_id)
        custody.append(db, "search_unsaved", None, who, {"saved": saved.saved_id, "name": saved.name})


def alerts(arch: Archive, viewer: str | None = None, mark_seen: bool = False) -> list[Alert]:
    """Per saved search, the hits in exhibits ingested since `viewer` last looked; `mark_seen` records that
    they have looked now. A shared search a viewer never looked at starts from now (no backlog)."""
    who = viewer or custody.os_user()
    last = overview.last_seq(arch)
    out: list[Alert] = []
    for s in searches(arch, who):
        since = store.seen(arch.db, s.saved_id, who)
        if since is None:
            with arch.transaction():
                store.set_seen(arch.db, s.saved_id, who, last, custody.utc_now())
            since = last
        if since < last:
            res = find.search(arch, s.query, viewer=who, limit=ALERT_HITS, within=range(since + 1, last + 1))
            if res.total:
                out.append(Alert(s, since, res.total, res.hits))
    if mark_seen:
        see(arch, [s.saved_id for s in searches(arch, who)], who, last)
    return out


def see(arch: Archive, saved_ids: list[int], viewer: str, upto: int | None = None) -> None:
    """`viewer` has looked at these saved searches' hits up to exhibit `upto` (default: the newest)."""
    last = overview.last_seq(arch) if upto is None else upto
    with arch.transaction():
        for sid in saved_ids:
            store.set_seen(arch.db, sid, viewer, last, custody.utc_now())
