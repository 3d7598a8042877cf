"""DOCX: paragraphs as the page text, tables as tables (merged cells repeated), core properties."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any, ClassVar

import docx
from docx.opc.exceptions import PackageNotFoundError

from exhibit.errors import CorruptFile
from exhibit.ingest import names as naming
from exhibit.ingest.formats import IngestContext, mark_traversal
from exhibit.ingest.formats.ooxml import PACKAGE_ERRORS, check_package
from exhibit.ingest.formats.zip import _unique, decode_names, safe_name
from exhibit.ingest.types import Cell, Child, Extraction, Page, Row, Table, TableKind

_OPEN_ERRORS: tuple[type[Exception], ...] = (PackageNotFoundError, *PACKAGE_ERRORS)
_CORE = ("title", "subject", "author", "last_modified_by", "category", "keywords", "comments", "revision")


class DocxIngestor:
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",)
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".docx", ".docm")
    SCORE: ClassVar[int] = 10

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction:
        check_package(path, ctx.limits)
        try:
            # python-docx parses with resolve_entities=False: no entity expansion.
            document = docx.Document(str(path))
        except _OPEN_ERRORS as e:
            raise CorruptFile(f"not a readable Word document: {e}") from e
        try:
            text = _page_text(document)
            tables: list[Table] = []
            for i, table in enumerate(document.tables, 1):
                # Table.rows[..].cells repeats a merged cell in every grid column and row it covers,
                # which is how the user sees it.
                rows = [Row(n, tuple(Cell(c.text) for c in row.cells)) for n, row in enumerate(table.rows, 1)]
                tables.append(Table(name=f"table {i}", rows=rows, kind=TableKind.DOCX))
            pictures = media(path, "word/media/", ctx)
        except PACKAGE_ERRORS as e:
            raise CorruptFile(f"the Word document is damaged: {e}") from e
        ext = Extraction(media_type=DocxIngestor.MEDIA_TYPES[0], pages=[Page(1, text)], tables=tables,
                         metadata=_core(document), children=pictures)
        # A part named to leave the package (word/media/../../x) is flagged as a zip member would be.
        mark_traversal(ext, [c.reason or c.name for c in pictures if c.status == "path_traversal"])
        return ext


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _page_text(document: Any) -> str:
    """What a reader sees: page headers (a classification mark, a document number), text boxes (the red
    title of a government document often sits in one; python-docx's paragraphs skip them), the body,
    page footers. Each distinct line once: Word stores a text box twice (DrawingML and VML fallback)."""
    def lines_of(paragraphs: Any) -> list[str]:
        return [p.text for p in paragraphs if p.text.strip()]

    headers: list[str] = []
    footers: list[str] = []
    for section in document.sections:
        for part, bucket in ((section.header, headers), (section.footer, footers)):
            if not part.is_linked_to_previous:
                bucket.extend(lines_of(part.paragraphs))
    boxes = ["".join(t.text or "" for t in p.iter(f"{_W}t"))
             for box in document.element.body.iter(f"{_W}txbxContent") for p in box.iter(f"{_W}p")]
    body = [p.text for p in document.paragraphs]
    in_body = set(body)
    seen: set[str] = set()
    out: list[str] = []
    for line in [*headers, *[b for b in boxes if b.strip()], *body, *footers]:
        if line.strip() and line in seen and line not in in_body:
            continue
        seen.add(line)
        out.append(line)
    return "\n".join(out)


def media(path: Path, folder: str, ctx: IngestContext) -> list[Child]:
    """Pictures pasted into the document, as children: a scanned page inside a Word file then gets OCR
    like any scan. Part sizes were already held to the limits by check_package."""
    children: list[Child] = []
    taken: set[str] = set()
    with zipfile.ZipFile(path) as zf:
        infos = [i for i in zf.infolist() if i.filename.startswith(folder) and not i.is_dir()]
        names = decode_names(infos)
        for info in infos:
            if len(children) >= ctx.limits.members:
                break
            dest = ctx.workdir / f"media-{len(children):05d}"
            with zf.open(info) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out, 1 << 16)
            # The part's name under media/, made safe and readable like a zip member's.
            part = names.by_info[id(info)]
            safe, why = safe_name("media/" + part[len(folder):])
            safe = _unique(naming.shown(safe), taken)
            raw = names.raw[id(info)]
            original = None if safe.encode("utf-8") == b"media/" + raw[len(folder):] else raw
            status = reason = None
            if why:
                status = "path_traversal"
                reason = (f"the part name {naming.shown(part)!r} points outside the package ({why}); "
                          f"kept as {safe!r}")
            children.append(Child(safe, str(dest), status, reason, original, names.encodings.get(id(info))))
    return children


def _core(document: Any) -> dict[str, Any]:
    cp = document.core_properties
    out: dict[str, Any] = {}
    for key in _CORE:
        value = getattr(cp, key, None)
        if value not in (None, ""):
            out[key] = value if isinstance(value, (str, int)) else str(value)
    for attr, key in (("created", "creation_date"), ("modified", "modification_date"),
                      ("last_printed", "last_printed")):
        value = getattr(cp, attr, None)
        if value is not None:
            out[key] = value.isoformat()
    return out
