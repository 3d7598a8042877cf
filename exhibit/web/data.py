"""The data of each page and API endpoint, gathered from the library's typed APIs: the JSON the API serves,
on which the HTML pages add their template data (the Datasette `data()` side; no SQL, no rules of its own)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from fastapi import HTTPException

from exhibit.archive import Archive, Exhibit, Row, Status, ex_id, overview
from exhibit.errors import UserError
from exhibit.web.render import renderable

# What the viewer draws as page images: the bytes it read are what the media type says.
RENDERABLE_STATUS = frozenset({Status.OK, Status.MISLABELLED})


def resolve(arch: Archive, ref: str) -> int:
    """The exhibit number for an ID or SHA-256 prefix; 404 for anything else (no path ever reaches disk)."""
    try:
        return arch.resolve(ref)
    except UserError as e:
        raise HTTPException(404, str(e)) from None


def paging(total: int | None, page: int, size: int) -> dict[str, Any]:
    pages = max(1, -(-total // size)) if total is not None else None
    return {"page": page, "size": size, "total": total, "pages": pages,
            "prev": page - 1 if page > 1 else None,
            "next": page + 1 if pages is None or page < pages else None}


def has_images(ex: Exhibit) -> bool:
    """Whether the viewer can draw the exhibit's pages as images (a PDF or an image it read as such)."""
    return bool(ex.page_count) and ex.status in RENDERABLE_STATUS and renderable(ex.media_type)


# -- ingest status ---------------------------------------------------------------------------------
def status(arch: Archive) -> dict[str, Any]:
    counts = {str(s): n for s, n in overview.status_counts(arch).items()}
    problems = [e.as_json() for e in overview.problem_exhibits(arch, limit=1000)]
    return {"exhibits": sum(counts.values()), "pages": overview.page_total(arch), "by_status": counts,
            "problems": problems}


# -- exhibits --------------------------------------------------------------------------------------
def exhibit_list(arch: Archive, page: int, size: int, status_filter: str | None) -> dict[str, Any]:
    found = overview.exhibit_page(arch, page, size, status_filter)
    return {"exhibits": [e.as_json() for e in found.items], "paging": paging(found.total, page, size)}


def exhibit_detail(arch: Archive, seq: int, page_no: int | None) -> dict[str, Any]:
    """The exhibit page's data: the `show --json` object, with what the page adds on top (the children and
    parents as `ls` objects, the page shown, whether it can be drawn as an image)."""
    d = arch.detail(seq)
    ex = d.as_json()
    ex["children"] = [c.as_json() for c in arch.exhibits(list(d.children))]
    ex["parent_exhibits"] = [e.as_json() for e in arch.exhibits([arch.resolve(p) for p in ex["parents"]])]
    ex["tables"] = [{**asdict(t), "kind": str(t.kind)} for t in d.tables]
    n = page_no or 1
    page = next((p for p in d.pages if p.number == n), None)
    ex["page"] = {"number": page.number, "text": page.text, "source": str(page.source), "lang": page.lang,
                  "meta": page.meta} if page is not None else None
    ex["page_number"] = n
    ex["image"] = has_images(d.exhibit)
    return ex


def table_rows(arch: Archive, seq: int, table_id: int, around: int | None, count: int = 25) -> dict[str, Any]:
    """Rows of one of the exhibit's tables: the first `count`, or a few either side of row `around`."""
    tables = {t.id: t for t in arch.tables(seq)}
    if table_id not in tables:
        raise HTTPException(404, f"{ex_id(seq)} has no table {table_id}")
    found: Iterable[Row]
    if around is None:
        found = itertools.islice(arch.table_rows(table_id, batch=count), count)
    else:  # looked up directly: row 900 000 of a register is not streamed to
        found = overview.rows_between(arch, table_id, around - 5, around + 5)
    return {"table": tables[table_id], "rows": [(r.number, [c.value for c in r.cells]) for r in found],
            "row": around}


def find_table(arch: Archive, seq: int, sheet: str | None, page: int | None) -> int | None:
    for t in arch.tables(seq):
        if (sheet and t.name == sheet) or (not sheet and page is not None and t.page == page):
            return int(t.id)
    tables = arch.tables(seq)
    return int(tables[0].id) if len(tables) == 1 else None


# -- custody ---------------------------------------------------------------------------------------
def custody_log(arch: Archive, page: int, size: int) -> dict[str, Any]:
    found = overview.custody_page(arch, page, size)
    seqs = overview.seqs_by_sha256(arch, [e.exhibit_sha256 for e in found.items if e.exhibit_sha256])
    events = []
    for ev in found.items:
        e = ev.as_json()
        e["exhibit"] = ex_id(seqs[ev.exhibit_sha256]) if ev.exhibit_sha256 in seqs else None
        events.append(e)
    return {"events": events, "paging": paging(found.total, page, size)}
