"""Search: page- and row-level hits over an archive in Chinese, Uyghur and English, with facets.

    from exhibit.search import search, sync, rebuild
    search(arch, '积分管理 OR "points system" lang:zh', limit=10, facets=True).as_json()

The index lives in the archive's index/ folder and is derived from the catalog: `sync` applies the
catalog's changes, `rebuild` starts over, and every search catches up first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Protocol
from weakref import WeakKeyDictionary

import tantivy

from exhibit import documents
from exhibit.archive import Archive, Row, TableInfo
from exhibit.archive.feed import PageText
from exhibit.progress import SILENT, Progress
from exhibit.search.index import Labels, SearchIndex, SyncReport
from exhibit.search.query import Compiled, ExhibitFilter, Highlights, TagFilter, compile_parts, parse
from exhibit.search.results import Hit, Matches, RowRef, SearchResult
from exhibit.search.snippets import snippet

__all__ = ["search", "sync", "rebuild", "open_index", "parse", "Labels", "Marks", "Hit", "Matches", "RowRef", "SearchIndex",
           "SearchResult", "SyncReport"]

FACETS = {"media_type": "media", "lang": "lang", "source": "source", "folder": "folder", "status": "status",
          "ocr": "ocr", "year": "year"}
FACET_SIZE = 30
GROUP_FETCH = 2000  # hits read to form groups: enough for the first pages of exhibits
# BM25 favours short units, and a register row is much shorter than a page: a row holding a word once
# outscored the page of prose discussing it. Rows are ranked at this fraction of their BM25 score.
ROW_WEIGHT = 0.5

# One open index per open archive (the web app searches many times with the same Archive object).
_open: WeakKeyDictionary[Archive, SearchIndex] = WeakKeyDictionary()


def open_index(arch: Archive, catch_up: bool = True, labels: Labels | None = None) -> SearchIndex:
    """The archive's search index, caught up with the catalog unless another process is writing it (its
    documents carrying the `labels` when given)."""
    idx = _open.get(arch)
    if idx is None:
        idx = SearchIndex(arch.index_dir)
        _open[arch] = idx
    if catch_up and idx.behind(arch.feed.mark()):
        try:
            idx.sync(arch, labels=labels)
        except ValueError as e:  # tantivy: the index writer lock is held (an ingest is indexing right now)
            if "lock" not in str(e).lower():
                raise
    return idx


def sync(arch: Archive, progress: Progress = SILENT, jobs: int | None = None,
         labels: Labels | None = None) -> SyncReport:
    """Index what the catalog changed since the last sync (everything, the first time), on `jobs` cores
    (all of them when None); with `labels`, also the exhibits whose tags changed."""
    idx = _open.get(arch) or open_index(arch, catch_up=False)
    return _with_lock_retry(lambda: idx.sync(arch, progress=progress, jobs=jobs, labels=labels))


def rebuild(arch: Archive, progress: Progress = SILENT, jobs: int | None = None,
            labels: Labels | None = None) -> SyncReport:
    """Drop the index's documents and index the whole catalog again, on `jobs` cores (all when None)."""
    idx = _open.get(arch) or open_index(arch, catch_up=False)
    return _with_lock_retry(lambda: idx.sync(arch, progress=progress, rebuild=True, jobs=jobs, labels=labels))


def _with_lock_retry(fn: Callable[[], SyncReport], attempts: int = 60) -> SyncReport:
    for i in range(attempts):
        try:
            return fn()
        except ValueError as e:
            if "lock" not in str(e).lower() or i == attempts - 1:
                raise
            time.sleep(1)
    raise AssertionError("unreachable")


class Marks(Labels, Protocol):
    """The analyst's marks as search sees them (exhibit.workspace implements it): the exhibits matching a
    `tag:`, `note:` or `noted_by:` filter, the tag names a `tag:` value matches, the exhibits carrying
    each tag (the tag facet), and each exhibit's tags for the index (Labels)."""

    def exhibits_with(self, field: str, value: str) -> list[int]: ...

    def tag_names(self, value: str) -> list[str]: ...

    def tag_exhibits(self) -> dict[str, list[int]]: ...


def search(arch: Archive, query: str, limit: int = 10, offset: int = 0, facets: bool = False,
           group: bool = False, marks: Marks | None = None, within: Collection[int] | None = None) -> SearchResult:
    """Hits for `query`, best first; `.as_json()` is the contract's {"total", "hits": [...], "facets"?: {...}}.

    With group=True the hits are one per exhibit (its best page or row, with its `matches`), and
    `total_exhibits` counts the exhibits. `marks` resolves the workspace filters and adds a `tag` facet;
    `within` keeps only hits in those exhibits (a selection, what an ingest added)."""
    idx = open_index(arch, labels=marks)
    searcher = idx.searcher()
    labelled, unsure = idx.labelled()
    compiled = compile_parts(query, idx.schema, idx.common,
                             documents=lambda name, value: documents.exhibits_with(arch, name, value),
                             marks=_marks_now(idx, marks, labelled, unsure), within=within,
                             tag_names=marks.tag_names if marks is not None else None)
    filt = compiled.filter(idx.schema, labelled, unsure)
    whole = compiled.query(filt)
    hl = compiled.hl
    total_exhibits: int | None = None
    if group:
        total, ranked = _ranked(idx, searcher, compiled, filt, min(GROUP_FETCH, max(limit + offset, 1) * 20))
        total_exhibits = int(round(searcher.cardinality(whole, "ex"))) if total else 0
        groups: dict[int, list[_Unit]] = {}
        for u in _units(searcher, ranked):
            groups.setdefault(u.ex, []).append(u)
        chosen = list(groups.values())[offset:offset + limit]
        rows = _Lookup(arch, [g[0] for g in chosen])
        hits = [_hit(rows, g[0], hl, matches=g) for g in chosen]
    else:
        total, ranked = _ranked(idx, searcher, compiled, filt, offset + limit)
        units = _units(searcher, ranked[offset:offset + limit])
        rows = _Lookup(arch, units)
        hits = [_hit(rows, u, hl) for u in units]
    counts = facet_counts(searcher, whole) if facets else None
    if counts is not None and marks is not None:
        counts["tag"] = tag_facet(idx, searcher, whole, marks.tag_exhibits())
    return SearchResult(query=query, offset=offset, limit=limit, total=total, hits=tuple(hits),
                        total_exhibits=total_exhibits, facets=counts)


def _marks_now(idx: SearchIndex, marks: Marks | None, labelled: dict[str, frozenset[int]],
               unsure: frozenset[int] | None) -> Callable[[str, str], list[int]] | None:
    """The exhibits a workspace filter matches (Marks.exhibits_with). A `tag:` filter is answered from the
    index's labels when they say as of when (SearchIndex.labels_head): the exhibits that carried the tag
    then, less those whose tags changed since or are unsure, plus those of them that carry it now. Reading
    a tag's exhibits from the catalog took 1.2-2 ms per tag on the 1M-page bench, more than the search."""
    if marks is None:
        return None
    head = idx.labels_head()
    changed = marks.changed_since(head) if head is not None and unsure is not None else None
    if changed is None or unsure is None:
        return marks.exhibits_with
    moved = frozenset(changed) | unsure
    read: list[dict[int, frozenset[str]]] = []  # the moved exhibits' tags, read at the first tag: filter only

    def exhibits_with(field: str, value: str) -> list[int]:
        if field != "tag":
            return marks.exhibits_with(field, value)
        if not read:
            read.append({s: frozenset(n) for s, n in marks.labels_of(moved).items()} if moved else {})
        names = marks.tag_names(value)
        then: set[int] = set().union(*(labelled.get(n, frozenset()) for n in names))
        wanted = frozenset(names)
        return sorted((then - moved) | {s for s, has in read[0].items() if has & wanted})

    return exhibits_with


def tag_facet(idx: SearchIndex, searcher: tantivy.Searcher, q: tantivy.Query,
              tagged: dict[str, list[int]]) -> dict[str, int]:
    """Hits (pages and rows) per tag: one counting query per tag, the query within the tag's exhibits
    (through the index's labels, TagFilter.query)."""
    out: dict[str, int] = {}
    labelled, unsure = idx.labelled()
    for tag, seqs in tagged.items():
        within = TagFilter((tag,), frozenset(seqs)).query(idx.schema, labelled, unsure)[0]
        res = searcher.search(tantivy.Query.boolean_query([(tantivy.Occur.Must, q), (tantivy.Occur.Must, within)]),
                              1, count=True)
        n = int(res.count)  # type: ignore[attr-defined]  # (tantivy's stub lacks it)
        if n:
            out[tag] = n
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE])


def facet_counts(searcher: tantivy.Searcher, q: tantivy.Query) -> dict[str, dict[str, int]]:
    """Counts of hits (pages and rows) per media type, language, source, folder, status, OCR, year."""
    aggs = {name: {"terms": {"field": f, "size": FACET_SIZE}} for name, f in FACETS.items()}
    res = searcher.aggregate(q, aggs)
    out: dict[str, dict[str, int]] = {}
    for name in FACETS:
        buckets = res.get(name, {}).get("buckets", [])
        out[name] = {str(b["key"]): int(b["doc_count"]) for b in buckets}
    out["ocr"] = {("ocr" if k == "true" else "text"): v for k, v in out["ocr"].items()}
    return out


def _ranked(idx: SearchIndex, searcher: tantivy.Searcher, compiled: Compiled, filt: ExhibitFilter | None,
            n: int) -> tuple[int, list[tuple[float, tantivy.DocAddress]]]:
    """(total, the best `n` hits), rows weighted by ROW_WEIGHT, within `compiled.exhibits` (as the
    query `filt`, Compiled.filter) if set.

    An index of one kind of unit (only pages, or only rows) is searched once, unfiltered: intersecting
    with the `unit` term's posting list (nearly every document) doubled the cost of common terms. With
    both kinds, pages and rows are searched apart, each query restricted by the rarer kind's posting
    list (a MustNot of it, or a Must that leads the intersection)."""
    q = compiled.text
    # doc_freq counts deleted documents too: a zero is exact, anything else only picks the cheaper plan.
    freq = {u: searcher.doc_freq("unit", u) for u in ("page", "row")}
    weight = {"page": 1.0, "row": ROW_WEIGHT}
    plans: list[tuple[tantivy.Query, float]]
    if not freq["row"] or not freq["page"]:
        plans = [(q, weight["row"] if freq["row"] else 1.0)]
    else:
        rare = "row" if freq["row"] <= freq["page"] else "page"
        common = "page" if rare == "row" else "row"
        term = tantivy.Query.term_query(idx.schema, "unit", rare)
        plans = [
            (tantivy.Query.boolean_query([(tantivy.Occur.Must, q), (tantivy.Occur.MustNot, term)]),
             weight[common]),
            (tantivy.Query.boolean_query([(tantivy.Occur.Must, q), (tantivy.Occur.Must,
                                                                   tantivy.Query.const_score_query(term, 0.0))]),
             weight[rare])]
        plans.sort(key=lambda p: -p[1])  # pages first: at equal scores they stay ahead (stable sort below)
    hits: list[tuple[float, tantivy.DocAddress]] = []
    total = 0
    for query, w in plans:
        count, found = _within(searcher, query, n, compiled.exhibits, filt)
        total += count
        if n > 0:
            hits.extend((score * w, addr) for score, addr in found)
    hits.sort(key=lambda h: -h[0])  # stable: at equal scores pages stay first, in tantivy's order
    return total, hits[:n]


# Measured on the 1,000,000-page bench archive (bench/workspace.py): an exhibit filter costs tantivy about
# 1.5 ms + 0.6 us per exhibit in it (a term-set lookup in every segment, whatever the query), while reading
# every hit of the unfiltered query and dropping those outside the set costs about 1 us per hit.
POST_FILTER_BASE, POST_FILTER_PER_EXHIBIT = 1500, 0.6


def _within(searcher: tantivy.Searcher, q: tantivy.Query, n: int, exhibits: frozenset[int] | None,
            filt: ExhibitFilter | None) -> tuple[int, list[tuple[float, tantivy.DocAddress]]]:
    """(count, best `n` hits) of `q` within `exhibits` (the query `filt`): a filter through the index's
    labels is intersected in tantivy at once; otherwise the hits of a rare query are filtered here by
    their `ex` fast field, and a common one is intersected in tantivy. All give the same hits."""
    if exhibits is None or filt is None:
        res = searcher.search(q, max(n, 1), count=True)
        return int(res.count), list(res.hits)  # type: ignore[attr-defined]  # (tantivy's stub lacks count)
    if not exhibits:
        return 0, []
    if not filt.by_label:
        # Counting the query alone to choose the plan costs as much as the unfiltered search: a label
        # filter is one posting list, cheaper than that count (1.95x the unfiltered search at 1M pages with
        # the count first).
        count = int(searcher.search(q, 1, count=True).count)  # type: ignore[attr-defined]
        if count == 0:
            return 0, []
        if count <= POST_FILTER_BASE + POST_FILTER_PER_EXHIBIT * len(exhibits):
            res = searcher.search(q, count)
            ex = searcher.fast_field_values("ex", [a for _, a in res.hits])
            kept = [h for h, e in zip(res.hits, ex, strict=True) if e in exhibits]
            return len(kept), kept[:max(n, 1)]
    res = searcher.search(tantivy.Query.boolean_query([(tantivy.Occur.Must, q), (tantivy.Occur.Must, filt.query)]),
                          max(n, 1), count=True)
    return int(res.count), list(res.hits)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class _Unit:
    """A matched index document: its score, exhibit, and page (0 for a row) or table id and row number."""

    score: float
    ex: int
    page: int
    tid: int
    row: int


def _units(searcher: tantivy.Searcher, hits: list[tuple[float, tantivy.DocAddress]]) -> list[_Unit]:
    if not hits:
        return []
    addrs = [a for _, a in hits]
    cols = {f: searcher.fast_field_values(f, addrs) for f in ("ex", "page", "tid", "row")}
    ex, page, tid, row = ([int(v or 0) for v in cols[f]] for f in ("ex", "page", "tid", "row"))
    return [_Unit(float(score), ex[i], page[i], tid[i], row[i]) for i, (score, _) in enumerate(hits)]


class _Lookup:
    """What the catalog holds of the hits: a few primary-key lookups per hit, the exhibits in one go."""

    def __init__(self, arch: Archive, units: list[_Unit]) -> None:
        feed = arch.feed
        self.exhibits = {ex.seq: ex for ex in arch.exhibits(sorted({u.ex for u in units}))}
        self.pages: dict[tuple[int, int], PageText] = {
            (u.ex, u.page): p for u in units if not u.tid and (p := feed.page_text(u.ex, u.page)) is not None}
        self.rows: dict[tuple[int, int], Row] = {
            (u.tid, u.row): r for u in units if u.tid and (r := feed.row(u.tid, u.row)) is not None}
        self.tables: dict[int, TableInfo] = {
            t: info for t in sorted({u.tid for u in units if u.tid}) if (info := arch.table(t)) is not None}


def _hit(rows: _Lookup, u: _Unit, hl: Highlights, matches: list[_Unit] | None = None) -> Hit:
    ex = rows.exhibits.get(u.ex)
    page: int | None = None
    sheet: str | None = None
    row: int | None = None
    source: str | None = None
    lang: str | None = None
    text = ""
    if u.tid:
        t = rows.tables.get(u.tid)
        cells = rows.rows.get((u.tid, u.row))
        sheet, row, page = (t.name, u.row, t.page) if t else (None, u.row, None)
        text = _row_display(cells) if cells else ""
        source = "text"
    else:
        p = rows.pages.get((u.ex, u.page))
        page = u.page
        if p:
            text, source, lang = p.text, p.source, p.lang
    plain, html = snippet(text, hl)
    group = None if matches is None else Matches(
        count=len(matches), pages=tuple(sorted({m.page for m in matches if m.page and not m.tid})),
        rows=tuple(RowRef(m.tid, m.row) for m in matches if m.tid)[:50])
    return Hit(seq=u.ex, sha256=ex.sha256 if ex else None, paths=tuple(ex.path_names) if ex else (),
               page=page, sheet=sheet, row=row, snippet=plain, snippet_html=html, score=round(u.score, 4),
               media_type=ex.media_type if ex else None, table_id=u.tid or None, source=source, lang=lang,
               matches=group)


def _row_display(row: Row) -> str:
    return " | ".join(str(c.value) for c in row.cells if c.value not in (None, ""))
