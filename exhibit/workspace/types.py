"""The workspace's plain data: targets of tags and notes, notes with revisions, highlights, saved searches."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class TargetKind(StrEnum):
    """What an analyst can tag or annotate."""

    EXHIBIT = "exhibit"
    PAGE = "page"
    ROW = "row"          # a table row: the table's catalog id and its row number
    RECORD = "record"    # a person record (exhibit.records)
    CLUSTER = "cluster"  # a person: a link cluster (exhibit.link)


class SharedTag(StrEnum):
    """The small vocabulary every team shares; any other tag is free text."""

    KEY_EVIDENCE = "key-evidence"
    TO_TRANSLATE = "to-translate"
    CHECKED = "checked"


class HighlightKind(StrEnum):
    TEXT = "text"   # a quoted span of a page's text (text layer or OCR)
    RECT = "rect"   # a rectangle on the page image, in fractions of its width and height


class Anchor(StrEnum):
    """Where a highlight stands against the page's current text."""

    ANCHORED = "anchored"      # the quote is where it was
    REANCHORED = "reanchored"  # the page text changed (OCR again) and the quote was found again
    ORPHANED = "orphaned"      # the quote is no longer on the page: kept, shown apart, never cited

    @property
    def citable(self) -> bool:
        return self is not Anchor.ORPHANED


@dataclass(frozen=True)
class Target:
    """One thing tagged or annotated. `key` is its stable text form (`page:12:3`); `exhibit_seq` the exhibit
    it belongs to, when there is one (search filters and downloads go through it)."""

    kind: TargetKind
    key: str
    exhibit_seq: int | None
    exhibit_id: str | None = None
    page: int | None = None
    table_id: int | None = None
    sheet: str | None = None
    row: int | None = None

    @property
    def locator(self) -> str:
        """The citation locator of the report syntax: `p. 3`, `sheet 扎瓦镇, row 14`, or nothing."""
        if self.page is not None and self.kind is TargetKind.PAGE:
            return f"p. {self.page}"
        if self.sheet is not None and self.row is not None:
            return f"sheet {self.sheet}, row {self.row}"
        return ""

    @property
    def citation(self) -> str | None:
        """The report-syntax reference to the target (`[@EX-000012, sheet 扎瓦镇, row 14]`), if it has an exhibit."""
        if self.exhibit_id is None:
            return None
        return f"[@{self.exhibit_id}" + (f", {self.locator}" if self.locator else "") + "]"

    def as_json(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "key": self.key, "id": self.exhibit_id, "page": self.page,
                "table_id": self.table_id, "sheet": self.sheet, "row": self.row, "citation": self.citation}


@dataclass(frozen=True)
class Tagging:
    target: Target
    tag: str
    actor: str
    time: str

    @property
    def shared(self) -> bool:
        return self.tag in {str(t) for t in SharedTag}

    def as_json(self) -> dict[str, Any]:
        return {"tag": self.tag, "shared": self.shared, "actor": self.actor, "time": self.time,
                "target": self.target.as_json()}


@dataclass(frozen=True)
class Revision:
    rev: int
    text: str
    actor: str
    time: str

    def as_json(self) -> dict[str, Any]:
        return {"rev": self.rev, "text": self.text, "actor": self.actor, "time": self.time}


@dataclass(frozen=True)
class Note:
    """A Markdown note on a target; `revisions` oldest first, the last is the current text."""

    note_id: int
    target: Target
    author: str
    created: str
    private: bool
    deleted: bool
    revisions: tuple[Revision, ...]

    @property
    def text(self) -> str:
        return self.revisions[-1].text if self.revisions else ""

    def as_json(self, history: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"note_id": self.note_id, "author": self.author, "created": self.created,
                               "private": self.private, "deleted": self.deleted, "text": self.text,
                               "edited": self.revisions[-1].time if self.revisions else self.created,
                               "revisions": len(self.revisions), "target": self.target.as_json()}
        if history:
            out["history"] = [r.as_json() for r in self.revisions]
        return out


@dataclass(frozen=True)
class Highlight:
    """A marked passage or area of a page, anchored by exhibit, page, the quote and its context."""

    highlight_id: int
    exhibit_seq: int
    exhibit_id: str
    page: int
    kind: HighlightKind
    quote: str                 # the text span; for a rectangle, the page text it covers if any
    before: str                # context kept to find the quote again after OCR changes the text
    after: str
    start: int | None          # character offsets in the page text as of the last anchoring
    end: int | None
    rect: tuple[float, float, float, float] | None
    comment: str
    author: str
    time: str
    anchor: Anchor
    current: str | None = None  # the page text now at the anchor (after re-anchoring, what is cited)

    @property
    def citation(self) -> str | None:
        """The report-syntax citation `exhibit report check` passes; None for an orphaned highlight."""
        if not self.anchor.citable:
            return None
        ref = f"[@{self.exhibit_id}, p. {self.page}]"
        if self.current:
            return f"{quoted(self.current)} {ref}"
        return ref

    def as_json(self) -> dict[str, Any]:
        return {"highlight_id": self.highlight_id, "id": self.exhibit_id, "page": self.page,
                "kind": str(self.kind), "quote": self.quote, "before": self.before, "after": self.after,
                "start": self.start, "end": self.end, "rect": list(self.rect) if self.rect else None,
                "comment": self.comment, "author": self.author, "time": self.time, "anchor": str(self.anchor),
                "current": self.current, "citation": self.citation}


# Quotation marks a citation may open with (exhibit.reports.citations.QUOTES): the first pair not inside
# the quote, so that the quote's own marks never end it early.
_QUOTE_PAIRS = (("“", "”"), ("「", "」"), ("『", "』"), ("«", "»"), ('"', '"'))


def quoted(text: str) -> str:
    one_line = " ".join(text.split())
    for a, b in _QUOTE_PAIRS:
        if a not in one_line and b not in one_line:
            return f"{a}{one_line}{b}"
    return f"“{one_line.replace('”', '’').replace('“', '‘')}”"


@dataclass(frozen=True)
class SavedSearch:
    saved_id: int
    name: str
    query: str
    owner: str
    shared: bool
    created: str

    def as_json(self) -> dict[str, Any]:
        return {"saved_id": self.saved_id, "name": self.name, "query": self.query, "owner": self.owner,
                "shared": self.shared, "created": self.created}
