"""Verification of a redacted copy: no redacted string can be read out of it by any means we have.

Every page's text by PyMuPDF and by poppler, OCR of the rendered page, the file's bytes as `strings` sees
them (UTF-8, UTF-16 both ways, GB18030), every PDF object and decompressed stream, metadata, XMP, EXIF,
attachments, annotations and earlier revisions; and every region must be filled on the rendered page.
Strings are compared folded (white space, width, traditional/simplified, case), so a name spaced out or
set in full-width letters is still found.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pymupdf

from exhibit.errors import UserError
from exhibit.redact.glyphs import fold
from exhibit.redact.propose import earlier_revisions, open_pdf
from exhibit.redact.types import Check, CheckResult, Finding, Region, Secret, Verification

OCR_DPI = 200
DARK = 80          # a grey level at or below this is fill
COVERED_PDF = 0.9  # share of a region's pixels that must be fill (anti-aliased edges, crossing lines)
COVERED_IMAGE = 0.97
DEFAULT_LANGS = "chi_sim+uig+eng"


class OcrScope(StrEnum):
    """Which pages of a PDF verification OCRs: those that carry an image or no text (where a string can
    be visible without being text), or every page."""

    IMAGES = "images"
    ALL = "all"


@dataclass(frozen=True)
class OcrSetup:
    langs: str = DEFAULT_LANGS
    cache: Path | None = None
    scope: OcrScope = OcrScope.IMAGES


class _Matcher:
    """Looks for the secrets in a text, folded; a finding names the kind and the record, not the value."""

    def __init__(self, secrets: Iterable[Secret]) -> None:
        self.secrets = [(fold(s.value), s) for s in secrets if len(fold(s.value)) >= 2]
        # the byte forms `strings` would show: as given and without spaces, in UTF-8, UTF-16 and GB18030
        self.encoded: list[tuple[tuple[bytes, ...], Secret]] = []
        for _, s in self.secrets:
            forms: list[bytes] = []
            for form in dict.fromkeys((s.value, s.value.replace(" ", ""))):
                if len(form) < 2:
                    continue
                forms += [form.encode(e) for e in ("utf-8", "utf-16-be", "utf-16-le")]
                try:
                    forms.append(form.encode("gb18030"))
                except UnicodeEncodeError:
                    pass
            self.encoded.append((tuple(forms), s))

    def findings(self, check: Check, page: int | None, text: str, where: str) -> list[Finding]:
        folded = fold(text)
        return [Finding(check, page, s.kind, s.ref, f"{where} still holds a redacted {s.kind}"
                        + (f" (proposed by {s.ref})" if s.ref else ""))
                for f, s in self.secrets if f in folded]

    def raw(self, check: Check, data: bytes, where: str) -> list[Finding]:
        return [Finding(check, None, s.kind, s.ref, f"{where} holds a redacted {s.kind}"
                        + (f" (proposed by {s.ref})" if s.ref else ""))
                for forms, s in self.encoded if any(f in data for f in forms)]


def verify_file(path: Path, secrets: Iterable[Secret], regions: Iterable[Region] = (),
                ocr: OcrSetup | None = None, scratch: Path | None = None) -> Verification:
    """Run every check on the file at `path` (a PDF or an image). `regions` are in the copy's page
    numbers; `ocr` None skips OCR (only for tests of the other checks: a copy leaves exhibit OCR-checked)."""
    if not path.is_file():
        raise UserError(f"{path}: no such file to verify; give the redacted copy's path.")
    data = path.read_bytes()
    m = _Matcher(secrets)
    regs = list(regions)
    if data[:5] == b"%PDF-":
        checks = _pdf_checks(path, data, m, regs, ocr, scratch)
    else:
        checks = _image_checks(path, data, m, regs, ocr, scratch)
    return Verification(str(path), hashlib.sha256(data).hexdigest(), len(m.secrets), tuple(checks))


# -- PDF ------------------------------------------------------------------------------------------------
def _pdf_checks(path: Path, data: bytes, m: _Matcher, regions: list[Region], ocr: OcrSetup | None,
                scratch: Path | None) -> list[CheckResult]:
    out: list[CheckResult] = [CheckResult(Check.RAW_BYTES, True, 1, tuple(m.raw(Check.RAW_BYTES, data, "the file's bytes")))]
    with open_pdf(path, path.name) as doc:
        texts: list[str] = []
        found: list[Finding] = []
        for i, page in _pages(doc):
            t = page.get_text("text")
            texts.append(t)
            found += m.findings(Check.PYMUPDF_TEXT, i, t, f"page {i}'s text (PyMuPDF)")
        out.append(CheckResult(Check.PYMUPDF_TEXT, True, doc.page_count, tuple(found)))
        out.append(_poppler(path, m, doc.page_count))
        out.append(_streams(doc, m))
        out.append(_metadata(doc, m))
        out.append(_attachments(doc))
        out.append(_revisions(data, m))
        out.append(_covered_pdf(doc, regions))
        if ocr is not None:
            out.append(_ocr_pdf(doc, texts, m, ocr, scratch or path.parent))
    return out


def _pages(doc: pymupdf.Document) -> list[tuple[int, pymupdf.Page]]:
    return [(i + 1, doc.load_page(i)) for i in range(doc.page_count)]


def _poppler(path: Path, m: _Matcher, pages: int) -> CheckResult:
    try:
        run = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"], capture_output=True,
                             timeout=600, check=False)
    except FileNotFoundError as e:
        raise UserError("pdftotext (poppler) is not installed: verification needs it; install poppler-utils "
                        "(apt-get install poppler-utils).") from e
    if run.returncode != 0:
        return CheckResult(Check.POPPLER_TEXT, True, 0, (Finding(
            Check.POPPLER_TEXT, None, None, None,
            f"pdftotext cannot read the copy ({run.stderr.decode(errors='replace').strip()[:200]})"),))
    found: list[Finding] = []
    for i, t in enumerate(run.stdout.decode("utf-8", errors="replace").split("\f")[:pages], 1):
        found += m.findings(Check.POPPLER_TEXT, i, t, f"page {i}'s text (pdftotext)")
    return CheckResult(Check.POPPLER_TEXT, True, pages, tuple(found))


def _streams(doc: pymupdf.Document, m: _Matcher) -> CheckResult:
    found: list[Finding] = []
    n = doc.xref_length()
    for xref in range(1, n):
        try:
            obj = doc.xref_object(xref, compressed=False)
            stream = doc.xref_stream(xref) if doc.xref_is_stream(xref) else None
        except (RuntimeError, ValueError):
            continue
        hit = m.raw(Check.STREAMS, obj.encode("utf-8", errors="ignore") + b"\n" + (stream or b""),
                    f"PDF object {xref}")
        if not hit and "(" in obj:  # literal strings in a dictionary: PDFDocEncoding or UTF-16 text
            hit = m.findings(Check.STREAMS, None, _literal_strings(obj), f"PDF object {xref}'s strings")
        found += hit
    return CheckResult(Check.STREAMS, True, n - 1, tuple(found))


def _literal_strings(obj: str) -> str:
    return "\n".join(re.findall(r"\(((?:[^()\\]|\\.)*)\)", obj))


def _metadata(doc: pymupdf.Document, m: _Matcher) -> CheckResult:
    meta = {k: v for k, v in (doc.metadata or {}).items() if v and k not in ("format", "encryption")}
    found = m.findings(Check.METADATA, None, "\n".join(map(str, meta.values())), "the document information")
    xmp = doc.get_xml_metadata()
    found += m.findings(Check.METADATA, None, xmp, "the XMP metadata")
    if xmp.strip():
        found.append(Finding(Check.METADATA, None, None, None, "the copy carries XMP metadata; a published copy carries none"))
    return CheckResult(Check.METADATA, True, len(meta) + 1, tuple(found))


def _attachments(doc: pymupdf.Document) -> CheckResult:
    found: list[Finding] = []
    if doc.embfile_count():
        found.append(Finding(Check.ATTACHMENTS, None, None, None,
                             f"the copy carries {doc.embfile_count()} attached file(s); a published copy carries none"))
    for i, page in _pages(doc):
        annots = [a.type[1] for a in page.annots() or []]
        if annots:
            found.append(Finding(Check.ATTACHMENTS, i, None, None,
                                 f"page {i} carries annotations ({', '.join(annots)}): a box drawn but not applied "
                                 "leaves the text under it; redact again so the region is removed"))
        if list(page.widgets() or []):
            found.append(Finding(Check.ATTACHMENTS, i, None, None, f"page {i} carries form fields"))
        if "/Thumb" in doc.xref_object(page.xref):
            found.append(Finding(Check.ATTACHMENTS, i, None, None, f"page {i} carries a thumbnail image"))
    return CheckResult(Check.ATTACHMENTS, True, doc.page_count + 1, tuple(found))


def _revisions(data: bytes, m: _Matcher) -> CheckResult:
    earlier = earlier_revisions(data)
    found: list[Finding] = []
    if earlier or data.count(b"startxref") > 1:
        found.append(Finding(Check.REVISIONS, None, None, None,
                             f"the copy holds {len(earlier)} earlier revision(s) (an incremental save); "
                             "a published copy is written whole"))
    for prefix in earlier:
        found += m.raw(Check.REVISIONS, prefix, "an earlier revision")
    return CheckResult(Check.REVISIONS, True, len(earlier) + 1, tuple(found))


def _covered_pdf(doc: pymupdf.Document, regions: list[Region]) -> CheckResult:
    import numpy as np

    found: list[Finding] = []
    by_page: dict[int, list[Region]] = {}
    for r in regions:
        by_page.setdefault(r.page, []).append(r)
    zoom = 1.0  # a point a pixel: regions are at least a line of text high
    for n, regs in by_page.items():
        if not 1 <= n <= doc.page_count:
            found.append(Finding(Check.COVERED, n, None, None, f"the copy has no page {n} for {len(regs)} region(s)"))
            continue
        pix = doc[n - 1].get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csGRAY, alpha=False)
        a = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width)
        for r in regs:
            share = _dark_share(a, r.box.x0 * zoom, r.box.y0 * zoom, r.box.x1 * zoom, r.box.y1 * zoom, inset=1)
            if share is not None and share < COVERED_PDF:
                found.append(Finding(Check.COVERED, n, r.kind, r.ref,
                                     f"a {r.kind} region on page {n} is only {share:.0%} filled: it was not applied"))
    return CheckResult(Check.COVERED, True, len(regions), tuple(found))


def _dark_share(a: object, x0: float, y0: float, x1: float, y1: float, inset: int) -> float | None:
    import numpy as np

    arr = np.asarray(a)
    h, w = arr.shape[:2]
    i0, i1 = max(0, int(y0) + inset), min(h, int(y1) - inset)
    j0, j1 = max(0, int(x0) + inset), min(w, int(x1) - inset)
    if i1 - i0 < 1 or j1 - j0 < 1:
        return None  # too thin to judge by pixels: the text checks judge it
    cut = arr[i0:i1, j0:j1]
    return float((cut <= DARK).mean())


def _ocr_pdf(doc: pymupdf.Document, texts: list[str], m: _Matcher, setup: OcrSetup, scratch: Path) -> CheckResult:
    from PIL import Image

    found: list[Finding] = []
    done = 0
    for i, page in _pages(doc):
        if setup.scope == OcrScope.IMAGES and texts[i - 1].strip() and not page.get_images(full=False):
            continue
        pix = page.get_pixmap(dpi=OCR_DPI, colorspace=pymupdf.csGRAY, alpha=False)
        image = Image.frombytes("L", (pix.width, pix.height), pix.samples)
        found += _ocr_findings(image, m, setup, scratch, i)
        done += 1
    return CheckResult(Check.OCR, True, done, tuple(found))


def _ocr_findings(image: object, m: _Matcher, setup: OcrSetup, scratch: Path, page: int) -> list[Finding]:
    from exhibit.ocr import ocr_image

    r = ocr_image(image, setup.langs, setup.cache, scratch)  # type: ignore[arg-type]
    if r.status:
        return [Finding(Check.OCR, page, None, None, f"page {page} could not be OCR'd ({r.meta.get('reason')}); "
                        "the copy is not verified until it can be")]
    return m.findings(Check.OCR, page, r.text + "\n" + str(r.meta.get("simplified") or ""), f"OCR of page {page}")


# -- images ---------------------------------------------------------------------------------------------
def _image_checks(path: Path, data: bytes, m: _Matcher, regions: list[Region], ocr: OcrSetup | None,
                  scratch: Path | None) -> list[CheckResult]:
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    out = [CheckResult(Check.RAW_BYTES, True, 1, tuple(m.raw(Check.RAW_BYTES, data, "the file's bytes")))]
    try:
        with Image.open(path) as im:
            im.load()
            info = dict(im.info)
            exif = im.getexif()
            img = im.convert("L")
    except (UnidentifiedImageError, OSError, ValueError) as e:
        raise UserError(f"{path}: neither a PDF nor a readable image ({e}); verify the redacted copy itself.") from e
    found: list[Finding] = []
    if len(exif):
        found.append(Finding(Check.METADATA, None, None, None, f"the image carries EXIF ({len(exif)} tags)"))
    for key in ("exif", "xmp", "comment", "icc_profile", "photoshop", "XML:com.adobe.xmp"):
        if info.get(key):
            found.append(Finding(Check.METADATA, None, None, None, f"the image carries {key} data"))
    for marker, what in ((b"Exif\x00\x00", "an EXIF block"), (b"http://ns.adobe.com/xap", "XMP"),
                         (b"\xff\xd8\xff", "an embedded thumbnail")):
        if marker == b"\xff\xd8\xff" and data[:2] != b"\xff\xd8":
            continue  # only a JPEG's bytes are marker-structured; compressed PNG data may hold anything
        if data.find(marker, 3) >= 0:
            found.append(Finding(Check.METADATA, None, None, None, f"the file's bytes hold {what}"))
    found += m.findings(Check.METADATA, None, "\n".join(str(v) for v in info.values() if isinstance(v, str)),
                        "the image's text fields")
    out.append(CheckResult(Check.METADATA, True, len(info) + len(exif), tuple(found)))
    a = np.asarray(img)
    cov: list[Finding] = []
    for r in regions:
        share = _dark_share(a, r.box.x0, r.box.y0, r.box.x1, r.box.y1, inset=2)
        if share is not None and share < COVERED_IMAGE:
            cov.append(Finding(Check.COVERED, 1, r.kind, r.ref, f"a {r.kind} region is only {share:.0%} filled"))
    out.append(CheckResult(Check.COVERED, True, len(regions), tuple(cov)))
    if ocr is not None:
        out.append(CheckResult(Check.OCR, True, 1, tuple(_ocr_findings(img, m, ocr, scratch or path.parent, 1))))
    for check in (Check.PYMUPDF_TEXT, Check.POPPLER_TEXT, Check.STREAMS, Check.ATTACHMENTS, Check.REVISIONS):
        out.append(CheckResult(check, False, 0))
    return out

