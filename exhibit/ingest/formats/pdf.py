"""PDF: text per page, tables on text pages, document metadata, passwords, OCR of image-only pages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import pymupdf

from exhibit.errors import CorruptFile, Encrypted
from exhibit.ingest.formats import IngestContext
from exhibit.ingest.types import Cell, Child, Extraction, Page, PageSource, Row, Table, TableKind

# How PyMuPDF fails on damaged input: its own RuntimeError/ValueError subclasses, and MuPDF's exceptions
# (FzErrorFormat "malformed page tree" ...), which derive from Exception directly.
_MUPDF_ERRORS: tuple[type[Exception], ...] = (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase)

# A page with fewer characters than this but with images is treated as a scan.
_MIN_TEXT_CHARS = 20
# Up to this many characters, a page whose pictures cover most of it is a scan with a typed line on it.
_SHORT_TEXT_CHARS = 200
# A page is searched for tables when at least _MIN_CELLS of its text lines are this short.
_CELL_CHARS = 16
_MIN_CELLS = 8
_OCR_DPI = 300


class PdfIngestor:
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = ("application/pdf",)
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".pdf",)
    SCORE: ClassVar[int] = 10

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction:
        pymupdf.TOOLS.mupdf_display_errors(False)
        if hasattr(pymupdf, "no_recommend_layout"):
            pymupdf.no_recommend_layout()  # else find_tables() prints advice into the progress display
        pymupdf.TOOLS.mupdf_warnings(reset=True)
        try:
            doc = pymupdf.open(path, filetype="pdf")
        except (pymupdf.FileDataError, *_MUPDF_ERRORS) as e:  # type: ignore[misc]  # FileDataError is untyped
            # MuPDF's message names the blob's path, which means nothing to the user
            raise CorruptFile("not a readable PDF: no PDF structure that MuPDF can open or repair") from e
        with doc:
            try:
                if doc.needs_pass:
                    _unlock(doc, ctx)
                damage = _damage(path, doc)
                metadata = _metadata(doc)
            except _MUPDF_ERRORS as e:
                raise CorruptFile(f"not a readable PDF: {e}") from e
            if damage and doc.page_count == 0:
                raise CorruptFile(damage)
            ext = Extraction(media_type="application/pdf", metadata=metadata)
            if doc.is_repaired:
                ext.metadata["repaired"] = True
            text_chars = 0
            broken: list[str] = []
            for index in range(doc.page_count):
                number = index + 1
                try:
                    page = doc.load_page(index)
                    text = page.get_text("text", sort=False)
                    if _needs_ocr(page, text):
                        ocr_page = _ocr(page, number, ctx) if ctx.ocr else None
                        ext.pages.append(ocr_page or Page(number, text))
                        continue
                    tables = _tables(page, number) if _may_hold_a_table(text) else []
                except _MUPDF_ERRORS as e:
                    # One damaged page must not lose the others: it is kept empty and the file is
                    # marked corrupt with the page named.
                    broken.append(f"page {number} cannot be read ({e})")
                    ext.pages.append(Page(number, ""))
                    continue
                text_chars += len(text.strip())
                ext.pages.append(Page(number, text))
                ext.tables.extend(tables)
            try:
                ext.children = _attachments(doc, ctx)
            except _MUPDF_ERRORS as e:
                broken.append(f"the embedded files cannot be read ({e})")
            problems = ([damage] if damage else []) + broken[:5]
            if problems:
                # A damaged PDF (e.g. truncated and silently repaired by MuPDF): whatever text it
                # gave is kept, but the user must know; with nothing recovered it is simply corrupt.
                if text_chars == 0 and not any(p.source == "ocr" for p in ext.pages):
                    raise CorruptFile("; ".join(problems))
                ext.status, ext.reason = "corrupt", "; ".join(problems)
            return ext


def _attachments(doc: pymupdf.Document, ctx: IngestContext) -> list[Child]:
    """Files embedded in the PDF (its attachments), as children."""
    children: list[Child] = []
    taken: set[str] = set()
    for i in range(doc.embfile_count()):
        info = doc.embfile_info(i)
        if len(children) >= ctx.limits.members or int(info.get("size") or 0) > ctx.limits.member_bytes:
            continue
        data = doc.embfile_get(i)
        if len(data) > ctx.limits.member_bytes:
            continue
        name = _utf8_read_as_latin1(info.get("ufilename") or info.get("filename") or info.get("name") or
                                    f"attachment-{i + 1}").replace("\\", "/")
        name = name.rsplit("/", 1)[-1] or f"attachment-{i + 1}"
        while name in taken:
            name = f"{i + 1}-{name}"
        taken.add(name)
        dest = ctx.workdir / f"embedded-{i:05d}"
        dest.write_bytes(data)
        children.append(Child(name=name, path=str(dest)))
    return children


def _utf8_read_as_latin1(name: str) -> str:
    """Undo UTF-8 bytes read as PDFDocEncoding (what some writers, PyMuPDF included, produce)."""
    if name.isascii():
        return name
    try:
        return name.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name


def _unlock(doc: pymupdf.Document, ctx: IngestContext) -> None:
    for password in ctx.passwords:
        if doc.authenticate(password):
            ctx.notes.append("password used")
            return
    tried = f"none of the {len(ctx.passwords)} passwords given opens it" if ctx.passwords else \
        "no password was given (use --password)"
    raise Encrypted(f"the PDF is encrypted: {tried}")


def _damage(path: Path, doc: pymupdf.Document) -> str | None:
    """Why the file is damaged, or None. MuPDF repairs a broken cross-reference table silently; a file
    it had to repair that also lacks the %%EOF marker at its end was cut short. (A repaired file that is
    complete reads fine and is not flagged: minor xref errors are common in real caches.)"""
    with open(path, "rb") as f:
        f.seek(0, 2)
        size = f.tell()
        f.seek(max(0, size - 2048))
        tail = f.read()
    pymupdf.TOOLS.mupdf_warnings(reset=True)
    if doc.is_repaired and b"%%EOF" not in tail:
        return "truncated: the PDF has no %%EOF marker at its end and MuPDF had to repair its structure"
    return None


def _iso(pdf_date: str) -> str | None:
    """D:20170601090000+08'00' -> 2017-06-01T09:00:00+08:00 (only the parts that are present)."""
    m = re.match(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz]|[+-]\d{2}'?\d{2}'?)?", pdf_date or "")
    if not m:
        return None
    y, mo, d, h, mi, s, tz = m.groups()
    out = y + (f"-{mo}" if mo else "") + (f"-{d}" if mo and d else "")
    if d and h:
        out += f"T{h}:{mi or '00'}:{s or '00'}"
        if tz:
            out += "Z" if tz in "Zz" else tz[:3] + ":" + tz.replace("'", "")[3:5]
    return out


def _metadata(doc: pymupdf.Document) -> dict[str, Any]:
    meta = doc.metadata or {}
    out: dict[str, Any] = {"pages": doc.page_count}
    for key in ("title", "author", "subject", "keywords", "creator", "producer"):
        if meta.get(key):
            out[key] = meta[key]
    for key, name in (("creationDate", "creation_date"), ("modDate", "modification_date")):
        iso = _iso(meta.get(key) or "")
        if iso:
            out[name] = iso
    if meta.get("format"):
        out["format"] = meta["format"]
    if meta.get("encryption"):
        out["encryption"] = meta["encryption"]
    return out


def _may_hold_a_table(text: str) -> bool:
    """Table cells come out of the text layer as many short lines; prose does not. Checked first because
    looking for ruling lines costs a second pass over the page, a third of the time of a text PDF."""
    return sum(1 for line in text.splitlines() if 0 < len(line.strip()) <= _CELL_CHARS) >= _MIN_CELLS


def _tables(page: pymupdf.Page, number: int) -> list[Table]:
    # PyMuPDF's default strategy finds tables by their ruling lines: a page without vector drawings has
    # none, and skipping find_tables() there keeps plain text PDFs fast.
    if len(page.get_cdrawings()) < 2:
        return []
    try:
        found = page.find_tables()
    except _MUPDF_ERRORS as e:  # table finding is a bonus; the text is already kept
        return [Table(name=f"page {number} tables", rows=[], page=number, kind=TableKind.PDF, meta={"error": str(e)})]
    if not found.tables:
        return []
    words = page.get_text("words", sort=False)
    tables: list[Table] = []
    for i, t in enumerate(found.tables, 1):
        # The cell text is rebuilt from the page's words in reading order: TableFinder.extract() orders
        # characters by position and misplaces glyphs of a fallback font (赛买提·买合木提 came out as
        # 赛买提买合木提·). Rows left empty by the layout (a wrapped cell) are dropped.
        texts = [[_clean(_cell_text(words, box)) if box else "" for box in row.cells] for row in t.rows]
        texts = [cells for cells in texts if any(cells)]
        if not texts:
            continue
        rows = [Row(n, tuple(Cell(v) for v in cells)) for n, cells in enumerate(texts, 1)]
        tables.append(Table(name=f"page {number} table {i}", rows=rows, page=number, kind=TableKind.PDF,
                            meta={"bbox": list(t.bbox), "header_rows": 1, "columns": t.col_count}))
    return tables


def _cell_text(words: list[Any], box: tuple[float, float, float, float]) -> str:
    x0, y0, x1, y1 = box
    out: list[str] = []
    last: tuple[int, int] | None = None
    for w in words:
        cx, cy = (w[0] + w[2]) / 2, (w[1] + w[3]) / 2
        if not (x0 <= cx <= x1 and y0 <= cy <= y1):
            continue
        line = (w[5], w[6])
        if last is not None:
            out.append(" " if line == last else "\n")
        out.append(w[4])
        last = line
    return "".join(out)


_WRAP = re.compile(r"(?<=[\u2e80-\uffff])\n|\n(?=[\u2e80-\uffff])|(?<=\d)\n(?=[\dXx])")


def _clean(value: object) -> str:
    """A cell's text with the line wraps of the page layout undone (no space next to CJK characters or inside
    a wrapped number such as an ID)."""
    return "" if value is None else _WRAP.sub("", str(value).strip()).replace("\n", " ")


def _needs_ocr(page: pymupdf.Page, text: str) -> bool:
    """A page without a usable text layer: little text but images (a scan), no text but vector drawings
    (text converted to outlines), or a short text layer (a typed header, a stamp) over a picture that
    covers most of the page (the scanned body)."""
    chars = len(text.strip())
    if chars >= _SHORT_TEXT_CHARS:
        return False
    if chars < _MIN_TEXT_CHARS:
        return bool(page.get_images(full=False)) or (chars == 0 and bool(page.get_cdrawings()))
    if not page.get_images(full=False):
        return False
    area = abs(page.rect)
    covered = sum(abs(pymupdf.Rect(info["bbox"]) & page.rect) for info in page.get_image_info())
    return bool(area > 0 and covered / area > 0.5)


def _ocr(page: pymupdf.Page, number: int, ctx: IngestContext) -> Page | None:
    try:
        from exhibit.ocr import ocr_image  # the OCR capability; absent until it lands
    except ImportError:
        return None
    from PIL import Image

    dpi = ocr_dpi(page.rect, ctx.limits.image_pixels)
    zoom = dpi / 72  # a matrix, since get_pixmap's dpi= takes whole numbers only
    pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csGRAY, alpha=False)
    image = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    del pix
    r = ocr_image(image, ctx.ocr_langs, ctx.ocr_cache, ctx.workdir)
    meta = dict(r.meta)
    if dpi < _OCR_DPI:
        meta["downscaled"] = {"dpi": round(dpi, 2), "pixels": image.width * image.height,
                              "limit": ctx.limits.image_pixels}
    return Page(number, r.text, PageSource.OCR, r.lang, meta)


def ocr_dpi(rect: pymupdf.Rect, pixels: int, dpi: float = _OCR_DPI) -> float:
    """The resolution to render a page for OCR at: `dpi`, or less so that the image stays within
    `pixels` (Limits.image_pixels, the bound images honour; a 4000 x 4000 pt page at 300 dpi is 278
    million pixels)."""
    area = max(float(rect.width), 1.0) * max(float(rect.height), 1.0) / (72 * 72)  # square inches
    # (floor a little below the exact bound: MuPDF rounds the pixmap's sides up)
    fit: float = (pixels / area) ** 0.5 * 0.995
    return min(dpi, fit)
