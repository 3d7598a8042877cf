"""Search with the analyst's marks: `tag:`, `note:` and `noted_by:` filters and the tag facet."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar, cast
from weakref import WeakKeyDictionary

from exhibit import search as search_
from exhibit.archive import Archive, custody
from exhibit.search import SearchResult
from exhibit.text.latin import fold as fold_latin
from exhibit.workspace import store

T = TypeVar("T")


class Marks:
    """exhibit.search.Marks over the workspace tables, as `viewer` may see them (their private notes count
    for them only)."""

    def __init__(self, arch: Archive, viewer: str | None) -> None:
        self.arch = arch
        self.viewer = viewer
        store.ensure(arch.catalog)

    def exhibits_with(self, field: str, value: str) -> list[int]:
        return _cached(self.arch, (field, value, self.viewer), lambda: self._read(field, value))

    def _read(self, field: str, value: str) -> list[int]:
        db = self.arch.catalog
        if field == "tag":
            names = self.tag_names(value)
            # the tag as written: one seek in the (tag, exhibit_seq) index, the usual case
            return store.exhibits_tagged(db, names[0]) if len(names) == 1 else store.exhibits_tagged_any(db, names)
        texts = store.current_texts(db, self.viewer)
        comments = [(int(r["exhibit_seq"]), r["author"], r["comment"]) for r in store.highlights(db)]
        if field == "note":
            needle = _folded(value)
            return sorted({s for s, _, text in [*texts, *comments] if s is not None and needle in _folded(text)})
        if field == "noted_by":
            who = value.casefold()
            return sorted({s for s, author, _ in [*texts, *comments] if s is not None and author.casefold() == who})
        raise ValueError(field)

    def tag_names(self, value: str) -> list[str]:
        """The tags a `tag:` value names: itself if some target carries it, else the tags equal to it
        without regard to case, or starting with it when it ends in `*` (the distinct names are few)."""
        return _cached(self.arch, ("tag_names", value, None), lambda: self._names(value))

    def _names(self, value: str) -> list[str]:
        db = self.arch.catalog
        if value.endswith("*"):
            prefix = value[:-1].casefold()
            return [t for t in store.tag_names(db) if t.casefold().startswith(prefix)]
        if store.tag_used(db, value):
            return [value]
        wanted = value.casefold()
        return [t for t in store.tag_names(db) if t.casefold() == wanted]

    def labels_of(self, seqs: Collection[int] | None) -> dict[int, list[str]]:
        """exhibit.search.Labels: each exhibit's tags (on it or on any of its pages and rows), sorted."""
        return store.labels(self.arch.catalog, seqs)

    def labels_head(self) -> int:
        """exhibit.search.Labels: the custody head (every change of tags is a custody event)."""
        return custody.head_seq(self.arch.catalog)

    def changed_since(self, head: int) -> list[int] | None:
        """exhibit.search.Labels: the exhibits tagged or untagged after custody event `head`."""
        return _cached(self.arch, ("changed_since", str(head), None),
                       lambda: custody.exhibits_with_events_since(self.arch.catalog, head, store.TAG_EVENTS,
                                                                  CHANGED_LIMIT))

    def tag_exhibits(self) -> dict[str, list[int]]:
        return _cached(self.arch, ("", "", None), lambda: store.exhibits_by_tag(self.arch.catalog))


# Reading a mark's exhibits takes thousands of rows on a big workspace (1.2 ms for a tag on 2,000 pages of
# the bench archive, more than the search itself). Every change to tags, notes and highlights is a custody
# event in the same transaction, so the custody head names the state they were read in: the head is read
# first, the marks after, and an entry is only ever used under the head it was read after.
_CACHE_SIZE = 256
# More exhibits changed since the index recorded its labels than this, and a tag filter reads its exhibits
# from the catalog instead (each search would otherwise read all their tags).
CHANGED_LIMIT = 2000
_cache: WeakKeyDictionary[Archive, tuple[int, dict[tuple[str, str, str | None], Any]]] = WeakKeyDictionary()


def _cached(arch: Archive, key: tuple[str, str, str | None], read: Callable[[], T]) -> T:
    head = custody.head_seq(arch.catalog)
    entry = _cache.get(arch)
    if entry is None or entry[0] != head:
        entry = (head, {})
        _cache[arch] = entry
    found = entry[1].get(key)
    if found is None:
        if len(entry[1]) >= _CACHE_SIZE:
            entry[1].clear()
        found = entry[1][key] = read()
    return cast(T, found)


def _folded(s: str) -> str:
    return fold_latin(" ".join(s.split())).casefold()


def search(arch: Archive, query: str, viewer: str | None = None, limit: int = 10, offset: int = 0,
           facets: bool = False, group: bool = False, within: Collection[int] | None = None) -> SearchResult:
    """exhibit.search.search with the workspace filters resolved for `viewer`."""
    return search_.search(arch, query, limit=limit, offset=offset, facets=facets, group=group,
                          marks=Marks(arch, viewer), within=within)
