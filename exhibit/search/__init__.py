"""Search: page- and row-level hits over an archive in Chinese, Uyghur and English, with facets.

    from exhibit.search import search, sync, rebuild
    search(arch, '积分管理 OR "points system" lang:zh', limit=10, facets=True)

The index lives in the archive's index/ folder and is derived from the catalog: `sync` applies the
catalog's changes, `rebuild` starts over, and every search catches up first.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any
from weakref import WeakKeyDictionary

import tantivy

from exhibit.archive import Archive, ex_id
from exhibit.search.index import SearchIndex, SyncReport
from exhibit.search.query import Highlights, compile_query, parse
from exhibit.search.snippets import snippet

__all__ = ["search", "sync", "rebuild", "open_index", "parse", "SearchIndex", "SyncReport"]

FACETS = {"media_type": "media", "lang": "lang", "source": "source", "folder": "folder", "status": "status",
          "ocr": "ocr", "year": "year"}
FACET_SIZE = 30
GROUP_FETCH = 2000  # hits read to form groups: enough for the first pages of exhibits
# BM25 favours short units, and a register row is much shorter than a page: a row holding a word once
# outscored the page of prose discussing it. Rows are ranked at this fraction of their BM25 score.
ROW_WEIGHT = 0.5

# One open index per open archive (the web app searches many times with the same Archive object).
_open: WeakKeyDictionary[Archive, SearchIndex] = WeakKeyDictionary()


def open_index(arch: Archive, catch_up: bool = True) -> SearchIndex:
    """The archive's search index, caught up with the catalog unless another process is writing it."""
    idx = _open.get(arch)
    if idx is None:
        idx = SearchIndex(arch.index_dir)
        _open[arch] = idx
    if catch_up and idx.behind(arch.db):
        try:
            idx.sync(arch)
        except ValueError as e:  # tantivy: the index writer lock is held (an ingest is indexing right now)
            if "lock" not in str(e).lower():
                raise
    return idx


def sync(arch: Archive, progress: bool = False) -> SyncReport:
    """Index what the catalog changed since the last sync (everything, the first time)."""
    idx = _open.get(arch) or open_index(arch, catch_up=False)
    return _with_lock_retry(lambda: idx.sync(arch, progress=progress))


def rebuild(arch: Archive, progress: bool = False) -> SyncReport:
    """Drop the index's documents and index the whole catalog again."""
    idx = _open.get(arch) or open_index(arch, catch_up=False)
    return _with_lock_retry(lambda: idx.sync(arch, progress=progress, rebuild=True))


def _with_lock_retry(fn: Any, attempts: int = 60) -> SyncReport:
    for i in range(attempts):
        try:
            return fn()  # type: ignore[no-any-return]
        except ValueError as e:
            if "lock" not in str(e).lower() or i == attempts - 1:
                raise
            time.sleep(1)
    raise AssertionError("unreachable")


def search(arch: Archive, query: str, limit: int = 10, offset: int = 0, facets: bool = False,
           group: bool = False) -> dict[str, Any]:
    """Hits for `query` as the contract's JSON object: {"total", "hits": [...], "facets"?: {...}}.

    With group=True the hits are one per exhibit (its best page or row, with `matches` and `pages`),
    and `total_exhibits` counts the exhibits."""
    idx = open_index(arch)
    searcher = idx.searcher()
    q, hl = compile_query(query, idx.schema, idx.common)
    out: dict[str, Any] = {"query": query, "offset": offset, "limit": limit}
    if group:
        total, ranked = _ranked(idx, searcher, q, min(GROUP_FETCH, max(limit + offset, 1) * 20))
        out["total"] = total
        out["total_exhibits"] = int(round(searcher.cardinality(q, "ex"))) if total else 0
        groups: dict[int, list[dict[str, Any]]] = {}
        for u in _units(searcher, ranked):
            groups.setdefault(u["ex"], []).append(u)
        chosen = list(groups.values())[offset:offset + limit]
        rows = _Lookup(arch, [g[0] for g in chosen])
        out["hits"] = [_hit(rows, g[0], hl, matches=g) for g in chosen]
    else:
        total, ranked = _ranked(idx, searcher, q, offset + limit)
        out["total"] = total
        units = _units(searcher, ranked[offset:offset + limit])
        rows = _Lookup(arch, units)
        out["hits"] = [_hit(rows, u, hl) for u in units]
    if facets:
        out["facets"] = facet_counts(searcher, q)
    return out


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


def _ranked(idx: SearchIndex, searcher: tantivy.Searcher, q: tantivy.Query,
            n: int) -> tuple[int, list[tuple[float, tantivy.DocAddress]]]:
    """(total, the best `n` hits), rows weighted by ROW_WEIGHT.

    An index of one kind of unit (only pages, or only rows) is searched once, unfiltered: intersecting
    with the `unit` term's posting list (nearly every document) doubled the cost of common terms. With
    both kinds, pages and rows are searched apart, each query restricted by the rarer kind's posting
    list (a MustNot of it, or a Must that leads the intersection)."""
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
        res = searcher.search(query, max(n, 1), count=True)
        total += res.count  # type: ignore[attr-defined]  # (tantivy's stub lacks it)
        if n > 0:
            hits.extend((score * w, addr) for score, addr in res.hits)
    hits.sort(key=lambda h: -h[0])  # stable: at equal scores pages stay first, in tantivy's order
    return total, hits[:n]


def _units(searcher: tantivy.Searcher, hits: list[tuple[Any, tantivy.DocAddress]]) -> list[dict[str, Any]]:
    if not hits:
        return []
    addrs = [a for _, a in hits]
    cols = {f: searcher.fast_field_values(f, addrs) for f in ("ex", "page", "tid", "row")}
    return [{"score": float(score), "ex": cols["ex"][i], "page": cols["page"][i], "tid": cols["tid"][i],
             "row": cols["row"][i]} for i, (score, _) in enumerate(hits)]


class _Lookup:
    """The catalog rows the hits need, read with one query per table instead of three per hit."""

    def __init__(self, arch: Archive, units: list[dict[str, Any]]) -> None:
        db = arch.db
        seqs = sorted({int(u["ex"]) for u in units})
        marks = ",".join("?" * len(seqs))
        self.exhibits = {r[0]: r for r in db.execute(
            f"SELECT seq, sha256, media_type FROM exhibits WHERE seq IN ({marks})", seqs)}
        self.paths: dict[int, list[str]] = {}
        for r in db.execute(f"SELECT exhibit_seq, path FROM paths WHERE exhibit_seq IN ({marks}) ORDER BY id",
                            seqs):
            self.paths.setdefault(r[0], []).append(r[1])
        # Pages and rows one primary-key lookup each: 5x faster than one query of ten ORed pairs, which
        # SQLite plans as a scan of index ranges (and row values `IN (VALUES ...)` as a full scan).
        pages = [(int(u["ex"]), int(u["page"])) for u in units if not u["tid"]]
        self.pages = {p: r for p in pages if (r := db.execute(
            "SELECT exhibit_seq, number, text, source, lang FROM pages WHERE exhibit_seq=? AND number=?", p
        ).fetchone()) is not None}
        rows = [(int(u["tid"]), int(u["row"])) for u in units if u["tid"]]
        self.rows = {p: r[0] for p in rows if (r := db.execute(
            "SELECT cells FROM table_rows WHERE table_id=? AND number=?", p).fetchone()) is not None}
        tids = sorted({t for t, _ in rows})
        self.tables = {r[0]: r for r in db.execute(
            f"SELECT id, name, page FROM tables WHERE id IN ({','.join('?' * len(tids))})", tids)}


def _hit(rows: _Lookup, u: dict[str, Any], hl: Highlights,
         matches: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    seq = int(u["ex"])
    ex = rows.exhibits.get(seq)
    paths = rows.paths.get(seq, [])
    hit: dict[str, Any] = {
        "id": ex_id(seq), "sha256": ex["sha256"] if ex else None, "path": paths[0] if paths else None,
        "paths": paths, "page": None, "sheet": None, "row": None, "snippet": "", "snippet_html": "",
        "score": round(u["score"], 4), "media_type": ex["media_type"] if ex else None,
    }
    text = ""
    if u["tid"]:
        t = rows.tables.get(u["tid"])
        cells = rows.rows.get((u["tid"], u["row"]))
        hit.update(sheet=t["name"] if t else None, row=u["row"], page=t["page"] if t else None)
        text = _row_display(cells) if cells else ""
        hit["source"] = "text"
    else:
        r = rows.pages.get((seq, u["page"]))
        hit["page"] = u["page"]
        if r:
            text = r["text"]
            hit["source"] = r["source"]
            hit["lang"] = r["lang"]
    hit["snippet"], hit["snippet_html"] = snippet(text, hl)
    if matches is not None:
        hit["matches"] = len(matches)
        hit["pages"] = sorted({m["page"] for m in matches if m["page"] and not m["tid"]})
        hit["rows"] = [{"table_id": m["tid"], "row": m["row"]} for m in matches if m["tid"]][:50]
    return hit


def _row_display(cells_json: str) -> str:
    try:
        return " | ".join(str(c[0]) for c in json.loads(cells_json) if c and c[0] not in (None, ""))
    except (ValueError, TypeError, IndexError, sqlite3.Error):
        return ""
