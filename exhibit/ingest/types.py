"""Plain data that format ingestors hand to the pipeline: pages, tables, metadata, children."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from exhibit.archive.types import Cell, Page, PageSource, Row, TableKind

__all__ = ["Cell", "Child", "Extraction", "Page", "PageSource", "Row", "Table", "TableKind"]

@dataclass
class Table:
    """A sheet, a CSV file, a DOCX table or a table on a PDF page. `rows` may be a one-shot iterator
    so that a million-row sheet streams into the catalog."""

    name: str
    rows: Iterable[Row]
    page: int | None = None
    kind: TableKind = TableKind.SHEET
    meta: dict[str, Any] = field(default_factory=dict)  # merged cells, header hints, dimensions


@dataclass(frozen=True)
class Child:
    """A member of a container (zip member, mail attachment), spooled to a temporary file.

    `name` is its path inside the container with "/" separators, already made safe and readable (see
    ingest.names); `raw_name` the member name's exact original bytes when `name` is not them;
    `name_encoding` what `name` was decoded with. `status` is set when the member itself is hostile
    (path_traversal) and `reason` says why.
    """

    name: str
    path: str
    status: str | None = None
    reason: str | None = None
    raw_name: bytes | None = None
    name_encoding: str | None = None


@dataclass
class Extraction:
    """What an ingestor found in one file. A problem that does not stop extraction goes in `status`
    and `reason` (e.g. mislabelled, path_traversal on a zip with a bad member)."""

    media_type: str
    pages: list[Page] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    children: list[Child] = field(default_factory=list)
    status: str = "ok"
    reason: str | None = None
