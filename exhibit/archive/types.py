"""The archive's domain types: exhibits, pages, tables, rows and cells, with their closed vocabularies.

Every capability reads these from the archive and never the catalog's rows; JSON is made from them only at
the edges (the CLI, the web API), by the one `as_json` of each type, so that the contract's shapes are
built in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """What became of a file. Every status but `ok` comes with a reason saying why and what to do."""

    OK = "ok"
    CORRUPT = "corrupt"
    EMPTY = "empty"
    ENCRYPTED = "encrypted"
    MISLABELLED = "mislabelled"          # processed all the same, as what the content is
    PATH_TRAVERSAL = "path_traversal"    # a container member's name tried to leave the container
    EXPANSION_LIMIT = "expansion_limit"  # a limit (bytes, ratio, depth, members, pixels, time) was reached
    FAILED = "failed"
    UNREADABLE = "unreadable"            # nothing could be read or stored: a problem, never an exhibit
    LINK = "link"                        # a link, never followed: a problem listed with its target, never an exhibit

    @property
    def extracted(self) -> bool:
        """Whether what was read of the file is kept as its content (custody event `extracted`), as
        opposed to a file that yielded nothing (`failed`)."""
        return self in (Status.OK, Status.MISLABELLED, Status.PATH_TRAVERSAL, Status.EXPANSION_LIMIT)


class PageSource(StrEnum):
    TEXT = "text"  # the file's own text layer
    OCR = "ocr"    # read from an image of the page


class TableKind(StrEnum):
    SHEET = "sheet"  # a spreadsheet's sheet (XLSX, XLS)
    CSV = "csv"      # a delimited text file
    DOCX = "docx"    # a table in a Word document
    DOC = "doc"      # a table in a Word 97-2003 document
    PDF = "pdf"      # a table found on a PDF page
    HTML = "html"    # an HTML <table>


def ex_id(seq: int) -> str:
    """The exhibit's ID as users write it: `EX-` and six or more digits."""
    return f"EX-{seq:06d}"


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell as the user sees it (`value`), its type as stored (`type`), and the stored value (`raw`).

    type: "s" text, "n" number, "d" date, "b" boolean, "f" formula, "e" error, "" empty.
    raw: the stored value as text when it differs from what is shown (e.g. a float 6.53222198504122e+17).
    """

    value: str
    type: str = "s"
    raw: str | None = None


@dataclass(frozen=True, slots=True)
class Row:
    """A row with its number in the source: the Excel row, the CSV line's record number (header = 1),
    the DOCX/PDF table's row index (1-based)."""

    number: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Page:
    """One page of text. `number` is 1-based. For OCR pages `meta` holds engine, lang, confidence, boxes."""

    number: int
    text: str
    source: PageSource = PageSource.TEXT
    lang: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def as_json(self, text: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"number": self.number, "source": str(self.source), "lang": self.lang,
                               "chars": len(self.text)}
        if text:
            out["text"] = self.text
        return out


@dataclass(frozen=True)
class TableInfo:
    """A table as catalogued: where it is and how many rows it has (its rows stream from the archive)."""

    id: int
    exhibit_seq: int
    ordinal: int          # 1-based position in the exhibit
    name: str             # sheet name, file name, "table 1"
    page: int | None
    kind: TableKind
    meta: dict[str, Any]
    row_count: int


@dataclass(frozen=True)
class PathEntry:
    """One place an exhibit was found: its path, the ingest's --source label and the containing exhibit."""

    path: str
    source: str
    parent_seq: int | None
    root: str | None
    received: str
    path_bytes: bytes | None = None   # the exact original bytes when `path` (readable) is not them
    path_encoding: str | None = None  # what `path` was decoded with (None: UTF-8; `unknown`: escaped)

    def as_json(self) -> dict[str, Any]:
        """The original name of a path whose readable form is not its bytes (`ls --json` `path_bytes`)."""
        return {"path": self.path, "hex": self.path_bytes.hex() if self.path_bytes is not None else None,
                "encoding": self.path_encoding}


@dataclass(frozen=True)
class Exhibit:
    """One exhibit: the bytes (sha256, size), every path they were found under, what became of them."""

    seq: int
    sha256: str
    size: int
    media_type: str | None
    status: Status
    reason: str | None
    page_count: int
    paths: tuple[PathEntry, ...]
    lang: str | None
    title: str | None
    doc_date: str | None
    first_received: str

    @property
    def id(self) -> str:
        return ex_id(self.seq)

    @property
    def parent_seq(self) -> int | None:
        return self.paths[0].parent_seq if self.paths else None

    @property
    def path_names(self) -> list[str]:
        return [p.path for p in self.paths]

    @property
    def parent_id(self) -> str | None:
        parent = self.parent_seq
        return ex_id(parent) if parent else None

    @property
    def sources(self) -> list[str]:
        return sorted({p.source for p in self.paths if p.source})

    @property
    def path(self) -> str:
        """The first path the bytes were received under (what a listing shows)."""
        return self.paths[0].path if self.paths else ""

    def as_json(self) -> dict[str, Any]:
        """The `ls --json` object of the command-line contract (plus title, lang, dates, sources)."""
        return {
            "id": self.id, "sha256": self.sha256, "size": self.size,
            "paths": self.path_names, "media_type": self.media_type, "status": str(self.status),
            # for each path in `paths`, its exact original bytes (hex) and encoding, or null when the
            # path is exactly the name as received
            "path_bytes": [p.as_json() if p.path_bytes is not None else None for p in self.paths],
            "reason": self.reason, "pages": self.page_count, "parent": self.parent_id,
            "parents": sorted({ex_id(p.parent_seq) for p in self.paths if p.parent_seq}),
            "sources": self.sources,
            "title": self.title, "lang": self.lang, "doc_date": self.doc_date,
            "first_received": self.first_received,
        }


@dataclass(frozen=True)
class ExhibitDetail:
    """One exhibit with everything the archive knows of it: what `show` prints and the web API serves."""

    exhibit: Exhibit
    metadata: dict[str, Any]
    custody: tuple[Any, ...]          # CustodyEvent (archive.custody), oldest first
    children: tuple[int, ...]
    tables: tuple[TableInfo, ...]
    pages: tuple[Page, ...]

    def as_json(self, text: bool = False, page_meta: bool = False) -> dict[str, Any]:
        """The `show --json` object: the `ls` object plus metadata, custody, children, tables and pages
        (`text` adds page texts, `page_meta` each page's whole OCR meta: boxes, confidences)."""
        out = self.exhibit.as_json()
        out["page_count"] = self.exhibit.page_count
        out["metadata"] = self.metadata
        out["custody"] = [ev.as_json() for ev in self.custody]
        out["children"] = [ex_id(c) for c in self.children]
        out["tables"] = [{"name": t.name, "page": t.page, "kind": str(t.kind), "row_count": t.row_count}
                         for t in self.tables]
        pages = []
        for p in self.pages:
            item = p.as_json(text=text)
            for k in ("engine", "confidence", "langs"):
                if k in p.meta:
                    item[k] = p.meta[k]
            if page_meta:
                item["meta"] = p.meta
            pages.append(item)
        out["pages"] = pages
        return out
