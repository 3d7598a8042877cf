"""Re-running OCR on chosen exhibits (`exhibit ocr`): images and the image-only pages of PDFs.

It belongs to ingest because it reads the stored files again with the format readers. Each exhibit's new
pages, its status and the custody event that records the run are written in one transaction.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exhibit.archive import Archive, Exhibit, custody, ex_id, scratch
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


@dataclass(frozen=True)
class Job:
    """One exhibit to OCR again: everything a process needs to read it, on this machine or a Spark executor."""

    seq: int
    exhibit: Exhibit
    blob: str
    archive_root: str
    stored: tuple[Page, ...]
    langs: str
    engine: str
    force: bool


Read = tuple[list[Page] | None, str | None]  # the exhibit's pages (None: nothing to OCR), or why it was skipped


def rerun(arch: Archive, refs: list[str], *, langs: str | None = None, engine: str = "auto",
          force: bool = False, actor: str | None = None, progress: Progress = SILENT,
          spark: str | None = None) -> dict[str, Any]:
    """OCR the given exhibits again (all OCR-able ones when `refs` is empty; `langs` default
    DEFAULT_OCR_LANGS) and record a custody event per exhibit. Returns a JSON-ready summary. With `spark`
    (a master URL) the pages are read by Spark tasks and written here, through the same transaction."""
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
    jobs = (Job(seq, ex, str(arch.blob_path(ex.sha256)), str(arch.root), tuple(arch.pages(seq)), spec, engine,
                force) for seq, ex in ((seq, arch.exhibit(seq)) for seq in seqs))  # streamed: pages are big
    if spark:
        from exhibit.ingest import spark as on_spark  # here: py4j and pyspark load only for --spark

        results: Iterator[tuple[Job, Read]] = on_spark.map_files(arch, spark, read, jobs)
    else:
        results = ((job, read(job)) for job in jobs)
    for job, (pages, problem) in results:
        seq, ex = job.seq, job.exhibit
        if problem is not None:
            skipped.append({"id": ex.id, "sha256": ex.sha256, "reason": problem})
            progress.note(f"skipped {ex.id}: {problem}")
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


def read(job: Job) -> Read:
    """OCR one exhibit's images again, in a scratch folder of the archive (runs in a Spark task too)."""
    tmp = scratch.folder(Path(job.archive_root) / "tmp")
    with tempfile.TemporaryDirectory(dir=tmp, prefix="ocr-") as work:
        ctx = IngestContext(workdir=Path(work), ocr_langs=job.langs,
                            ocr_cache=Path(job.archive_root) / "ocr-cache.sqlite")
        try:
            return _ocr_exhibit(job, ctx), None
        except FileProblem as e:
            return None, str(e)


def _ocr_exhibit(job: Job, ctx: IngestContext) -> list[Page] | None:
    blob = Path(job.blob)
    media = job.exhibit.media_type or ""
    if media.startswith("image/"):
        from exhibit.ingest.formats.image import ocr_pages

        return ocr_pages(blob, ctx, engine=job.engine, force=job.force)
    if media == "application/pdf":
        return _ocr_pdf(job, blob, ctx)
    return None


def _ocr_pdf(job: Job, blob: Path, ctx: IngestContext) -> list[Page]:
    """The PDF's pages as stored, with the OCR'd ones (no usable text layer) read again."""
    import pymupdf
    from PIL import Image

    from exhibit.errors import CorruptFile
    from exhibit.ingest.formats.pdf import ocr_dpi
    from exhibit.ocr import ocr_image

    seq, engine, force = job.seq, job.engine, job.force
    stored = job.stored
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
