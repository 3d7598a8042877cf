"""Highlights: a quoted span or a rectangle on a page, anchored by exhibit, page, quote and context, found
again when the page text changes (OCR run again) or marked orphaned when the quote is gone."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from exhibit.archive import Archive, custody, ex_id
from exhibit.errors import UserError
from exhibit.workspace import store
from exhibit.workspace.types import Anchor, Highlight, HighlightKind

CONTEXT = 40        # characters kept either side of the quote
MAX_QUOTE = 2000
MAX_COMMENT = 10_000


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _Squeezed:
    """A text without whitespace, NFKC-folded, with each character's offset in the original: OCR run again
    breaks lines and spaces Han characters differently, which must not lose a highlight."""

    text: str
    at: tuple[int, ...]


def _squeeze(text: str) -> _Squeezed:
    chars: list[str] = []
    at: list[int] = []
    for i, c in enumerate(text):
        if c.isspace():
            continue
        for f in unicodedata.normalize("NFKC", c):
            chars.append(f.casefold())
            at.append(i)
    return _Squeezed("".join(chars), tuple(at))


def find(text: str, quote: str, before: str = "", after: str = "") -> tuple[int, int] | None:
    """(start, end) of `quote` in `text`, spaces and width aside; of several, the one whose surroundings
    best match `before` and `after`."""
    q = _squeeze(quote).text
    if not q:
        return None
    s = _squeeze(text)
    spans: list[tuple[int, int]] = []
    i = s.text.find(q)
    while i >= 0 and len(spans) < 1000:
        spans.append((s.at[i], s.at[i + len(q) - 1] + 1))
        i = s.text.find(q, i + 1)
    if not spans:
        return None
    if len(spans) == 1 or not (before or after):
        return spans[0]

    def fit(span: tuple[int, int]) -> float:
        a, b = span
        return (fuzz.ratio(text[max(0, a - CONTEXT):a], before) + fuzz.ratio(text[b:b + CONTEXT], after))

    return max(spans, key=fit)


def _row(r: Any, start: int | None, end: int | None, current: str | None, anchor: Anchor) -> Highlight:
    rect = tuple(json.loads(r["rect"])) if r["rect"] else None
    return Highlight(highlight_id=int(r["highlight_id"]), exhibit_seq=int(r["exhibit_seq"]),
                     exhibit_id=ex_id(int(r["exhibit_seq"])), page=int(r["page"]), kind=HighlightKind(r["kind"]),
                     quote=r["quote"], before=r["before"], after=r["after"], start=start, end=end,
                     rect=rect if rect and len(rect) == 4 else None,
                     comment=r["comment"], author=r["author"], time=r["time"], anchor=anchor, current=current)


def add(arch: Archive, ref: str, page: int, quote: str | None = None, comment: str = "",
        rect: tuple[float, float, float, float] | None = None, actor: str | None = None) -> Highlight:
    """Highlight `quote` on a page (it must be there) or a rectangle on its image (fractions 0..1 of width
    and height: x0, y0, x1, y1)."""
    who = actor or custody.os_user()
    seq = arch.resolve(ref)
    p = arch.page(seq, page)
    if p is None:
        raise UserError(f"{ex_id(seq)} has no page {page}: `exhibit show {ex_id(seq)}` lists its pages.")
    if len(comment) > MAX_COMMENT:
        raise UserError(f"a highlight's comment holds at most {MAX_COMMENT} characters.")
    quote = (quote or "").strip()
    if not quote and rect is None:
        raise UserError("give the passage to highlight (--quote TEXT) or a rectangle (--rect x0,y0,x1,y1).")
    if len(quote) > MAX_QUOTE:
        raise UserError(f"a highlighted passage holds at most {MAX_QUOTE} characters; cite a shorter one.")
    if rect is not None:
        x0, y0, x1, y1 = rect
        if not (0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1):
            raise UserError(f"rectangle {rect}: give x0,y0,x1,y1 as fractions of the page with x0<x1, y0<y1.")
    start = end = None
    before = after = ""
    if quote:
        span = find(p.text, quote)
        if span is None:
            raise UserError(f"{ex_id(seq)} p. {page}: the passage {quote[:60]!r} is not on this page "
                            f"(`exhibit show {ex_id(seq)} --text` prints its text).")
        start, end = span
        before, after = p.text[max(0, start - CONTEXT):start], p.text[end:end + CONTEXT]
    store.ensure(arch.catalog)
    with arch.transaction() as db:
        hid = store.add_highlight(db, {
            "exhibit_seq": seq, "page": page, "kind": str(HighlightKind.RECT if rect else HighlightKind.TEXT),
            "quote": quote, "before": before, "after": after, "start": start, "end_": end,
            "rect": json.dumps(list(rect)) if rect else None, "comment": comment, "author": who,
            "time": custody.utc_now(), "anchor": str(Anchor.ANCHORED), "text_sha256": _sha(p.text)})
        custody.append(db, "highlighted", arch.exhibit(seq).sha256, who,
                       {"highlight": hid, "page": page, "kind": "rect" if rect else "text"})
    return list_(arch, ids=[hid])[0]


def list_(arch: Archive, exhibit_seq: int | None = None, page: int | None = None, author: str | None = None,
          ids: list[int] | None = None) -> list[Highlight]:
    """Highlights as they stand against the pages' current text: one whose page changed since it was
    anchored is found again (re-anchored) or marked orphaned, and that is recorded in the custody log."""
    store.ensure(arch.catalog)
    rows = store.highlights(arch.catalog, exhibit_seq, page, author, ids)
    texts: dict[tuple[int, int], str | None] = {}
    out: list[Highlight] = []
    changed: list[tuple[Any, int | None, int | None, Anchor, str]] = []
    for r in rows:
        key = (int(r["exhibit_seq"]), int(r["page"]))
        if key not in texts:
            p = arch.page(*key)
            texts[key] = p.text if p is not None else None
        text = texts[key]
        anchor = Anchor(r["anchor"])
        start, end = r["start"], r["end_"]
        sha = _sha(text) if text is not None else ""
        if text is None:
            anchor, start, end = Anchor.ORPHANED, None, None
        elif sha != r["text_sha256"] and r["quote"]:
            span = find(text, r["quote"], r["before"], r["after"])
            anchor = Anchor.REANCHORED if span else Anchor.ORPHANED
            start, end = span if span else (None, None)
        elif sha != r["text_sha256"]:  # a rectangle without text: the page is still there
            anchor = Anchor.REANCHORED
        if anchor is not Anchor(r["anchor"]) or sha != r["text_sha256"]:
            changed.append((r, start, end, anchor, sha))
        current = text[start:end] if text is not None and start is not None and end is not None else None
        out.append(_row(r, start, end, current, anchor))
    if changed:
        with arch.transaction() as db:
            for r, start, end, anchor, sha in changed:
                store.reanchor(db, int(r["highlight_id"]), start, end, str(anchor), sha)
                if anchor is not Anchor(r["anchor"]) or anchor is not Anchor.ANCHORED:
                    custody.append(db, f"highlight_{anchor}", arch.exhibit(int(r["exhibit_seq"])).sha256,
                                   custody.os_user(), {"highlight": int(r["highlight_id"]), "page": int(r["page"]),
                                                       "start": start, "end": end})
    return out


def get(arch: Archive, highlight_id: int) -> Highlight:
    found = list_(arch, ids=[highlight_id])
    if not found:
        raise UserError(f"highlight {highlight_id}: no such highlight (`exhibit highlight ls` lists them).")
    return found[0]
