"""What each page and API endpoint shows, gathered from the library's APIs (no logic of its own)."""

from __future__ import annotations

import html
import itertools
import re
from typing import Any

from fastapi import HTTPException
from markupsafe import Markup, escape

from exhibit.archive import Archive, custody, ex_id
from exhibit.errors import UserError
from exhibit.text.script import Script, has_script

MARK_RE = re.compile(r"<mark>(.*?)</mark>", re.S)
RENDERABLE_STATUS = {"ok", "mislabelled"}


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


# -- ingest status ---------------------------------------------------------------------------------
def status(arch: Archive) -> dict[str, Any]:
    counts = {r["status"]: r["n"] for r in arch.db.execute(
        "SELECT status, COUNT(*) AS n FROM exhibits GROUP BY status ORDER BY status")}
    pages = arch.db.execute("SELECT COALESCE(SUM(page_count), 0) FROM exhibits").fetchone()[0]
    problems = [arch.exhibit(r["seq"]) for r in arch.db.execute(
        "SELECT seq FROM exhibits WHERE status != 'ok' ORDER BY seq LIMIT 1000")]
    return {"exhibits": sum(counts.values()), "pages": pages, "by_status": counts, "problems": problems}


# -- exhibits --------------------------------------------------------------------------------------
def exhibit_list(arch: Archive, page: int, size: int, status_filter: str | None) -> dict[str, Any]:
    where, args = ("WHERE status=?", [status_filter]) if status_filter else ("", [])
    total = arch.db.execute(f"SELECT COUNT(*) FROM exhibits {where}", args).fetchone()[0]
    seqs = [r[0] for r in arch.db.execute(f"SELECT seq FROM exhibits {where} ORDER BY seq LIMIT ? OFFSET ?",
                                          [*args, size, (page - 1) * size])]
    return {"exhibits": [arch.exhibit(s) for s in seqs], "paging": paging(total, page, size)}


def exhibit_detail(arch: Archive, seq: int, page_no: int | None) -> dict[str, Any]:
    ex = arch.exhibit(seq)
    ex["metadata"] = arch.metadata(seq)
    ex["custody"] = [e.as_json() for e in arch.custody_events(ex["sha256"])]
    ex["children"] = [arch.exhibit(c) for c in arch.children(seq)]
    ex["parent_exhibits"] = [arch.exhibit(arch.resolve(p)) for p in ex.get("parents") or []]
    ex["tables"] = arch.tables(seq)
    n = page_no or 1
    ex["page"] = arch.page(seq, n) if ex["pages"] else None
    ex["page_number"] = n
    ex["image"] = bool(ex["pages"]) and ex["status"] in RENDERABLE_STATUS and (
        ex["media_type"] == "application/pdf" or (ex["media_type"] or "").startswith("image/"))
    return ex


def table_rows(arch: Archive, seq: int, table_id: int, around: int | None, count: int = 25) -> dict[str, Any]:
    """Rows of one of the exhibit's tables: the first `count`, or a few either side of row `around`."""
    tables = {t["id"]: t for t in arch.tables(seq)}
    if table_id not in tables:
        raise HTTPException(404, f"{ex_id(seq)} has no table {table_id}")
    lo, hi = (around - 5, around + 5) if around is not None else (-1, 10**12)
    rows = itertools.islice(((r.number, [c.value for c in r.cells]) for r in arch.table_rows(table_id, batch=500)
                             if lo <= r.number <= hi), count if around is None else 11)
    return {"table": tables[table_id], "rows": list(rows), "row": around}


def find_table(arch: Archive, seq: int, sheet: str | None, page: int | None) -> int | None:
    for t in arch.tables(seq):
        if (sheet and t["name"] == sheet) or (not sheet and page is not None and t["page"] == page):
            return int(t["id"])
    tables = arch.tables(seq)
    return int(tables[0]["id"]) if len(tables) == 1 else None


# -- custody ---------------------------------------------------------------------------------------
def custody_log(arch: Archive, page: int, size: int) -> dict[str, Any]:
    total = arch.db.execute("SELECT COUNT(*) FROM custody").fetchone()[0]
    rows = arch.db.execute("SELECT * FROM custody ORDER BY seq DESC LIMIT ? OFFSET ?", (size, (page - 1) * size))
    events = [custody.row_to_event(r).as_json() for r in rows]
    seqs = {r["sha256"]: r["seq"] for r in arch.db.execute(
        f"SELECT sha256, seq FROM exhibits WHERE sha256 IN ({','.join('?' * len(events))})",
        [e["sha256"] for e in events])} if events else {}
    for e in events:
        e["exhibit"] = ex_id(seqs[e["sha256"]]) if e["sha256"] in seqs else None
    return {"events": events, "paging": paging(total, page, size)}


# -- search ----------------------------------------------------------------------------------------
def terms_of(hit: dict[str, Any], query: str) -> list[str]:
    """The words to highlight on the page: the marked parts of the hit's snippet, else the query's words."""
    marked = hit.get("snippet_html") or hit.get("snippet_marked") or ""
    terms = [MARK_RE.sub(r"\1", m).strip() for m in MARK_RE.findall(marked)]
    if not terms:
        terms = [w.strip('"()+-') for w in query.split()
                 if w not in ("AND", "OR", "NOT") and ":" not in w and w.strip('"()+-')]
    return list(dict.fromkeys(t for t in terms if t))[:10]


def safe_snippet(hit: dict[str, Any]) -> Markup:
    """The snippet with its matches in <mark>, and nothing else of HTML: every other part is re-escaped here,
    whatever the search index stored."""
    marked = hit.get("snippet_html") or hit.get("snippet_marked")
    if not marked:
        return escape(hit.get("snippet") or "")
    parts = re.split(r"(</?mark>)", str(marked))
    return Markup("").join(Markup(p) if p in ("<mark>", "</mark>") else escape(html.unescape(p)) for p in parts)


# -- small helpers the templates use ---------------------------------------------------------------
def text_dir(lang: str | None, text: str | None) -> str:
    """rtl for Uyghur in Arabic script, ltr for Latin-script Uyghur (ULY), auto otherwise."""
    if (lang or "").lower().startswith("ug"):
        return "rtl" if not text or has_script(text, Script.ARAB) else "ltr"
    head = (text or "")[:200]
    return "rtl" if has_script(head, Script.ARAB) and not has_script(head, Script.HANI) else "auto"


def hit_query(hit: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    q: list[tuple[str, Any]] = []
    if hit.get("page"):
        q.append(("page", hit["page"]))
    if hit.get("sheet") is not None or hit.get("row") is not None:
        q += [(k, hit[k]) for k in ("sheet", "row") if hit.get(k) is not None]
    q += [("hl", t) for t in hit.get("terms") or []]
    return urlencode(q)


def source_query(src: dict[str, Any], hl: str | None = None) -> str:
    """The viewer's query for a record's or mention's source (page, sheet, row), highlighting `hl`."""
    from urllib.parse import urlencode

    q = [(k, src[k]) for k in ("page", "sheet", "row") if src.get(k) is not None]
    return urlencode(q + ([("hl", hl)] if hl else []))


def facet_items(values: Any) -> list[dict[str, Any]]:
    """Facets as [{value, count}], whichever of the usual shapes the search capability returns."""
    if isinstance(values, dict):
        return [{"value": k, "count": v} for k, v in values.items()]
    out = []
    for v in values or []:
        if isinstance(v, dict):
            out.append({"value": v.get("value", v.get("key")), "count": v.get("count", "")})
        elif isinstance(v, list | tuple) and len(v) == 2:
            out.append({"value": v[0], "count": v[1]})
    return out


# facet name -> the query's filter field (exhibit.search's FACETS and FILTER_FIELDS)
_FACET_FIELD = {"media_type": "media", "ocr": "ocr"}


def facet_filter(name: str, value: Any) -> str:
    """The query filter that narrows the hits to one facet value, e.g. `lang:zh`."""
    s = str(value)
    if name == "ocr":
        s = "true" if s == "ocr" else "false"
    if re.search(r'[\s:()"]', s):
        s = '"' + s.replace('"', "") + '"'
    return f"{_FACET_FIELD.get(name, name)}:{s}"


def mark_terms(text: str | None, terms: list[str]) -> Markup:
    """The text escaped, with each occurrence of the terms in <mark> (also across the line breaks of a PDF's
    text layer, and ignoring case)."""
    text = text or ""
    alts = [r"\s*".join(re.escape(ch) for ch in t if not ch.isspace())
            for t in sorted({t for t in terms if t.strip()}, key=len, reverse=True)]
    if not alts:
        return escape(text)
    out, last = [], 0
    for m in re.finditer("|".join(alts), text, re.IGNORECASE):
        out += [escape(text[last:m.start()]), Markup("<mark>"), escape(m.group()), Markup("</mark>")]
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)
