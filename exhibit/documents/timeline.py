"""Every date exhibit knows on one timeline: document dates, file metadata, photos, register rows, custody.

Each point names its evidence (exhibit, page, table and row, or custody event) so that a reader can go
from the chart to the passage. Points are dates as the sources state them; a date is not an event in a
person's life unless the source says so, and the timeline ranks nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from exhibit.archive import Archive, ex_id
from exhibit.documents.forensics import instant

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_DATE = re.compile(r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
_AR_DATE = re.compile(r"((?:19|20)\d{2})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|[-/.](\d{1,2})[-/.](\d{1,2})(?!\d))")


class TimeKind(StrEnum):
    """Where a date on the timeline comes from."""

    WRITTEN = "written"                  # 成文日期 of an official document (anatomy)
    ISSUED = "issued"                    # 印发日期 (anatomy)
    DOCUMENT_DATE = "document_date"      # the date ingest read from the document (title page, header)
    FILE_CREATED = "file_created"        # PDF Info / Office core properties / OLE summary
    FILE_MODIFIED = "file_modified"
    FILE_PRINTED = "file_printed"
    PHOTO_TAKEN = "photo_taken"          # EXIF DateTimeOriginal (or DateTime)
    REGISTER_ROW = "register_row"        # a date in a cell of a register row
    RECEIVED = "received"                # custody: a path of the exhibit was received
    CUSTODY = "custody"                  # custody: any other event on the exhibit


@dataclass(frozen=True)
class TimePoint:
    """One date with its evidence: `exhibit_seq`, and `page` or (`table_id`, `row`) or `custody_seq`."""

    when: str                 # ISO 8601, as precise as the source
    kind: TimeKind
    exhibit_seq: int | None
    label: str                # what the date is, in the source's words (a field, a column header, an event)
    page: int | None = None
    table_id: int | None = None
    row: int | None = None
    custody_seq: int | None = None

    @property
    def day(self) -> str:
        return self.when[:10]

    @property
    def link(self) -> str:
        """Where the web app shows the evidence."""
        if self.custody_seq is not None and self.exhibit_seq is None:
            return f"/custody#e{self.custody_seq}"
        if self.exhibit_seq is None:
            return "/custody"
        base = f"/exhibits/{ex_id(self.exhibit_seq)}"
        if self.page is not None:
            return f"{base}?page={self.page}#page-{self.page}"
        if self.table_id is not None:
            return f"{base}?table={self.table_id}&row={self.row}"
        return base

    def as_json(self) -> dict[str, Any]:
        return {"date": self.when, "kind": str(self.kind), "id": ex_id(self.exhibit_seq) if self.exhibit_seq else None,
                "label": self.label, "page": self.page, "table": self.table_id, "row": self.row,
                "custody_seq": self.custody_seq, "link": self.link}


def parse_date(text: str) -> str | None:
    """The first date written in `text` (2017年6月1日, 二〇一七年六月一日, 2017-06-01) as YYYY-MM-DD."""
    m = _CN_DATE.search(text)
    if m:
        y = int("".join(str(_CN_DIGITS[c]) for c in m.group(1)))
        mo, d = _cn_number(m.group(2)), _cn_number(m.group(3))
        return _ymd(y, mo, d)
    m = _AR_DATE.search(text)
    if m:
        return _ymd(int(m.group(1)), int(m.group(2) or m.group(4)), int(m.group(3) or m.group(5)))
    return None


def _cn_number(s: str) -> int:
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_DIGITS[s[1]]
    if len(s) == 3 or s.endswith("十"):
        return _CN_DIGITS[s[0]] * 10 + (_CN_DIGITS[s[2]] if len(s) == 3 else 0)
    return _CN_DIGITS[s]


def _ymd(y: int, mo: int, d: int) -> str | None:
    try:
        return date(y, mo, d).isoformat()
    except ValueError:
        return None


def _iso(value: object) -> str | None:
    dt = instant(value)
    return None if dt is None else dt.isoformat()


def _anatomy_points(arch: Archive, seq: int) -> Iterator[TimePoint]:
    """成文日期 and 印发日期 as the document's anatomy read them (documents.anatomy)."""
    from exhibit.documents import (
        anatomy as anatomy_of,  # the package's reader, defined after this module loads
    )
    from exhibit.documents.anatomy import FieldName

    found = anatomy_of(arch, seq)
    for name, kind in ((FieldName.ISSUE_DATE, TimeKind.WRITTEN), (FieldName.PRINT_DATE, TimeKind.ISSUED)):
        el = found.get(name)
        day = el.date.isoformat() if el is not None and el.date is not None else \
            (parse_date(el.value) if el is not None else None)
        if el is not None and day:
            yield TimePoint(day, kind, seq, f"{name.zh}: {el.value}",
                            page=el.page)


_META = (("creation_date", TimeKind.FILE_CREATED, "created (file metadata)"),
         ("modification_date", TimeKind.FILE_MODIFIED, "modified (file metadata)"),
         ("last_printed", TimeKind.FILE_PRINTED, "last printed (file metadata)"))


def points(arch: Archive) -> list[TimePoint]:
    """Every dated thing the archive holds, in date order."""
    out: list[TimePoint] = []
    by_sha: dict[str, int] = {}
    for ex in arch.exhibits():
        by_sha[ex.sha256] = ex.seq
        meta = arch.metadata(ex.seq)
        for key, kind, label in _META:
            if (iso := _iso(meta.get(key))) is not None:
                out.append(TimePoint(iso, kind, ex.seq, label))
        exif = meta.get("exif") if isinstance(meta.get("exif"), dict) else {}
        taken = _iso((exif or {}).get("DateTimeOriginal")) or _iso(meta.get("datetime"))
        if taken:
            out.append(TimePoint(taken, TimeKind.PHOTO_TAKEN, ex.seq, "photo taken (EXIF)", page=1))
        if ex.doc_date and (day := _iso(ex.doc_date) or parse_date(ex.doc_date)):
            out.append(TimePoint(day, TimeKind.DOCUMENT_DATE, ex.seq, f"document date: {ex.doc_date}"))
        out.extend(_anatomy_points(arch, ex.seq))
    for t in arch.tables():
        header: list[str] = []
        for r in arch.table_rows(t.id):
            values = [c.value for c in r.cells]
            if not header:
                header = values
                continue
            for i, c in enumerate(r.cells):
                day = (c.value[:10] if c.type == "d" and _iso(c.value) else None) or \
                    (parse_date(c.value) if c.value and len(c.value) <= 24 else None)
                if day:
                    col = header[i] if i < len(header) and header[i] else f"column {i + 1}"
                    out.append(TimePoint(day, TimeKind.REGISTER_ROW, t.exhibit_seq, f"{t.name}: {col}",
                                         page=t.page, table_id=t.id, row=r.number))
    for ev in arch.custody_events():
        seq = by_sha.get(ev.exhibit_sha256 or "")
        kind = TimeKind.RECEIVED if ev.event == "received" else TimeKind.CUSTODY
        where = ev.details.get("path") if isinstance(ev.details, dict) else None
        out.append(TimePoint(ev.time, kind, seq, f"{ev.event}" + (f": {where}" if where else ""),
                             custody_seq=ev.seq))
    out.sort(key=lambda p: (p.when, str(p.kind), p.exhibit_seq or 0))
    return out


def select(pts: list[TimePoint], kinds: set[TimeKind] | None = None, exhibit: int | None = None,
           start: str | None = None, end: str | None = None) -> list[TimePoint]:
    """The points of the given kinds, exhibit and date range (inclusive, by day)."""
    return [p for p in pts if (not kinds or p.kind in kinds) and (exhibit is None or p.exhibit_seq == exhibit)
            and (not start or p.day >= start) and (not end or p.day <= end)]


def chart(pts: list[TimePoint], out: Path) -> Path:
    """A PNG: one row per kind of date, one mark per point."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure

    kinds = [k for k in TimeKind if any(p.kind == k for p in pts)]
    fig = Figure(figsize=(10, 1.2 + 0.45 * max(len(kinds), 1)), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for row, k in enumerate(kinds):
        xs = [d for p in pts if p.kind == k and (d := _day(p.when)) is not None]
        ax.plot(date2num(xs), [row] * len(xs), "|", markersize=14, label=str(k))  # type: ignore[no-untyped-call]
    ax.set_yticks(range(len(kinds)), [str(k).replace("_", " ") for k in kinds])
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.set_title(f"{len(pts)} dates")
    ax.grid(axis="x", alpha=0.3)
    fig.savefig(out, format="png")
    return out


def _day(iso: str) -> datetime | None:
    try:
        return datetime.fromisoformat(iso[:10])
    except ValueError:
        return None
