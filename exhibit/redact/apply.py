"""Redaction that removes: PDF content under each region (PyMuPDF's redactions), everything outside the
pages dropped, the file written fresh; image pixels replaced and every metadata block left behind."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from exhibit.redact.propose import open_pdf
from exhibit.redact.types import Plan

FILL = (0.0, 0.0, 0.0)
# PyMuPDF's PDF_REDACT_* options (untyped module constants): blank the covered pixels of images, remove
# vector art the region covers, remove every character the region touches.
IMAGE_PIXELS = 2
LINE_ART_IF_COVERED = 1
TEXT_REMOVE = 0


def apply_pdf(src: Path, plan: Plan, dest: Path, label: str) -> None:
    """Write the redacted copy of the PDF at `src` to `dest`: the plan's pages only; text, image pixels and
    covered vector art under each region removed (not covered); annotations, form fields, links,
    attachments, metadata, XMP, thumbnails, JavaScript and outline dropped; saved whole and garbage-collected
    so that no earlier revision or unreferenced object survives."""
    with open_pdf(src, label) as doc:
        if doc.page_count and list(plan.pages) != list(range(1, doc.page_count + 1)):
            doc.select([n - 1 for n in plan.pages])
        by_page: dict[int, list[pymupdf.Rect]] = {}
        for r in plan.regions:
            by_page.setdefault(r.page, []).append(pymupdf.Rect(*r.box.as_list()))
        for index, original in enumerate(plan.pages):
            page = doc[index]
            for annot in list(page.annots() or []):
                page.delete_annot(annot)
            for widget in list(page.widgets() or []):
                page.delete_widget(widget)
            rects = by_page.get(original)
            if rects:
                for rect in rects:
                    page.add_redact_annot(rect, fill=FILL, cross_out=False)
                page.apply_redactions(images=IMAGE_PIXELS, graphics=LINE_ART_IF_COVERED, text=TEXT_REMOVE)
        # Invisible text is kept where no region is (an OCR layer's unredacted words stay searchable); what
        # a region covered of it went with apply_redactions, and verification reads whatever is left.
        doc.scrub(attached_files=True, clean_pages=True, embedded_files=True, hidden_text=False, javascript=True,
                  metadata=True, redactions=False, remove_links=True, reset_fields=True, reset_responses=True,
                  thumbnails=True, xml_metadata=True)
        for i in reversed(range(doc.embfile_count())):
            doc.embfile_del(i)
        doc.set_toc([])
        doc.set_metadata({})
        doc.del_xml_metadata()
        doc.save(dest, garbage=4, deflate=True, clean=True, incremental=False, no_new_id=False)


def apply_image(src: Path, plan: Plan, dest: Path, label: str) -> str:
    """Write the redacted image: the pixels of each region painted black, then the pixels alone copied
    into a new image (no EXIF, GPS, thumbnail, XMP, ICC or comment survives). Returns the media type
    written: JPEG stays JPEG, anything else becomes PNG."""
    from PIL import Image, ImageDraw, UnidentifiedImageError

    from exhibit.errors import UserError

    try:
        with Image.open(src) as im:
            fmt = im.format
            im.load()
            img = im.convert("RGB") if im.mode not in ("RGB", "L") else im.copy()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as e:
        raise UserError(f"{label}: not a readable image ({e}); redaction needs an image Pillow opens.") from e
    draw = ImageDraw.Draw(img)
    for r in plan.regions:
        b = r.box
        draw.rectangle((b.x0, b.y0, b.x1, b.y1), fill=0 if img.mode == "L" else (0, 0, 0))
    clean = Image.frombytes(img.mode, img.size, img.tobytes())
    if fmt == "JPEG":
        clean.save(dest, "JPEG", quality=92, optimize=True)
        return "image/jpeg"
    clean.save(dest, "PNG")
    return "image/png"
