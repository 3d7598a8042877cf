"""Re-running OCR on chosen exhibits (`exhibit ocr`): images and the image-only pages of PDFs.

It belongs to ingest because it reads the stored files again with the format readers. Each exhibit's new
pages, its status and the custody event that records the run are written in one transaction.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from exhibit.archive import Archive, Exhibit, custody, ex_id
from exhibit.config import DEFAULT_OCR_LANGS
from exhibit.errors import FileProblem, UserError
from exhibit.ingest.formats import IngestContext
from exhibit.ingest.types import Page, PageSource
from exhibit.progress import SILENT, Progress
from exhibit.text.script import main_language

PDF_DPI = 300  # as the PDF ingestor renders pages without a text layer


def cache_path(arch: Archive) -> Path:
    """The OCR cache of an archive (the ingest pipeline uses the same file)."""
    return arch.root / "ocr-cache.sqlite"


def rerun(arch: Archive, refs: list[str], *, langs: str | None = None, engine: str = "auto",
          force: bool = False, actor: str | None = None, progress: Progress = SILENT) -> dict[str, Any]:
    """OCR the given exhibits again (all OCR-able ones when `refs` is empty; `langs` default
    DEFAULT_OCR_LANGS) and record a custody event per exhibit. Returns a JSON-ready summary."""
    from exhibit.errors import OcrFailed
    from exhibit.ocr.recognise import ENGINES, check_langs, parse_langs

    if engine not in ENGINES:
        raise UserError(f"--engine {engine}: unknown engine; choose one of {', '.join(ENGINES)}.")
    spec = langs or DEFAULT_OCR_LANGS
    try:
        # Checked before anything is touched: a re-run must not replace good pages with failed ones.
        check_langs(parse_langs(spec), engine)
    except OcrFailed as e:
        raise UserError(f"--langs {spec}: {e}") from e
    seqs = list(dict.fromkeys([arch.resolve(r) for r in refs] if refs else arch.ocr_candidates()))
    who = actor or custody.os_user()
    done: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    arch.tmp_dir.mkdir(exist_ok=True)
    progress.start("ocr", len(seqs))
    for seq in seqs:
        ex = arch.exhibit(seq)
        with tempfile.TemporaryDirectory(dir=arch.tmp_dir, prefix="ocr-") as work:
            ctx = IngestContext(workdir=Path(work), ocr_langs=spec, ocr_cache=cache_path(arch))
            try:
                pages = _ocr_exhibit(arch, seq, ex, ctx, engine=engine, force=force)
            except FileProblem as e:
                skipped.append({"id": ex.id, "sha256": ex.sha256, "reason": str(e)})
                progress.note(f"skipped {ex.id}: {e}")
                progress.advance(1, ex.id)
                continue
        if pages is None:
            why = f"{ex.media_type} has no images to OCR (only images and scanned PDF pages)"
            skipped.append({"id": ex.id, "sha256": ex.sha256, "reason": why})
            progress.note(f"skipped {ex.id}: {why}")
            progress.advance(1, ex.id)
            continue
        ocr = [p for p in pages if p.source == "ocr"]
        failed = [{"page": p.number, "status": p.meta.get("status"), "reason": p.meta.get("reason")}
                  for p in ocr if p.meta.get("status")]
        good = [p for p in ocr if not p.meta.get("status")]
        engines = sorted({str(p.meta.get("engine")) for p in good if p.meta.get("engine")})
        conf = round(sum(float(p.meta.get("confidence", 0)) for p in good) / len(good), 4) if good else None
        details = {"id": ex.id, "langs": spec, "engine": engine, "engines_used": engines, "force": force,
                   "pages": len(pages), "ocr_pages": len(ocr), "failed_pages": failed, "confidence": conf}
        status, reason = _refreshed_status(ex, failed)
        known = next((p.lang for p in pages[:20] if p.lang), None)  # as the ingest pipeline decides
        lang = known or main_language(p.text for p in pages) or ex.lang
        details.update({"status": status, "previous_status": ex.status, "lang": lang})
        with arch.transaction() as db:
            arch.replace_pages(seq, pages)
            arch.set_extraction_state(seq, status, reason, lang)
            event = custody.append(db, "ocr", ex.sha256, who, details)
        done.append({**details, "sha256": ex.sha256, "custody_seq": event.seq,
                     "chars": sum(len(p.text) for p in ocr)})
        progress.advance(1, ex.id)
    progress.finish()
    return {"exhibits": done, "skipped": skipped, "langs": spec, "engine": engine, "force": force}


_OCR_REASON = re.compile(r"^page \d+: ")


def _refreshed_status(ex: Exhibit, failed: list[dict[str, Any]]) -> tuple[str, str | None]:
    """The exhibit's status after a re-read. Only a status that OCR itself gave (an image whose pages could
    not be read: reason "page N: ...") follows the new run, as the image ingestor sets it; any other
    (corrupt, mislabelled, a PDF's) stays."""
    status, reason = ex.status, ex.reason
    image = (ex.media_type or "").startswith("image/")
    ocr_made = image and (status == "ok" or (status == "failed" and bool(_OCR_REASON.match(reason or ""))))
    if not ocr_made:
        return status, reason
    if failed:
        why = "; ".join(f"page {f['page']}: {f['reason']}" for f in failed[:5])
        return "failed", why + (f"; and {len(failed) - 5} more pages" if len(failed) > 5 else "")
    return "ok", None


def _ocr_exhibit(arch: Archive, seq: int, ex: Exhibit, ctx: IngestContext, *, engine: str,
                 force: bool) -> list[Page] | None:
    blob = arch.blob_path(ex.sha256)
    media = ex.media_type or ""
    if media.startswith("image/"):
        from exhibit.ingest.formats.image import ocr_pages

        return ocr_pages(blob, ctx, engine=engine, force=force)
    if media == "application/pdf":
        return _ocr_pdf(arch, seq, blob, ctx, engine=engine, force=force)
    return None


def _ocr_pdf(arch: Archive, seq: int, blob: Path, ctx: IngestContext, *, engine: str, force: bool) -> list[Page]:
    """The PDF's pages as stored, with the OCR'd ones (no usable text layer) read again."""
    import pymupdf
    from PIL import Image

    from exhibit.errors import CorruptFile
    from exhibit.ingest.formats.pdf import ocr_dpi
    from exhibit.ocr import ocr_image

    stored = arch.pages(seq)
    pages: list[Page] = []
    try:
        doc = pymupdf.open(blob)
    except (pymupdf.FileDataError, RuntimeError, ValueError) as e:
        raise CorruptFile(f"{ex_id(seq)}: the PDF cannot be opened again: {e}") from e
    with doc:
        if doc.needs_pass:
            raise UserError(f"{ex_id(seq)}: the PDF is encrypted; OCR it again by re-ingesting with --password.")
        for p in stored:
            if p.source != "ocr" or not 1 <= p.number <= doc.page_count:
                pages.append(p)
                continue
            page = doc[p.number - 1]
            # within the pixel limit, as the PDF ingestor renders it (part "contain" of issue 13)
            zoom = ocr_dpi(page.rect, ctx.limits.image_pixels, PDF_DPI) / 72
            pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csGRAY, alpha=False)
            image = Image.frombytes("L", (pix.width, pix.height), pix.samples)
            r = ocr_image(image, ctx.ocr_langs, ctx.ocr_cache, ctx.workdir, engine=engine, force=force)
            pages.append(Page(p.number, r.text, PageSource.OCR, r.lang, r.meta))
    return pages
