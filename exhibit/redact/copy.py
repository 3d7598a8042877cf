"""Making a redacted copy: apply the plan, verify the result, and only then store it as a derived exhibit
of its original (custody events `redacted` and, for a file handed out, `exported`)."""

from __future__ import annotations

import dataclasses
import json
import secrets as token
import shutil
from pathlib import Path, PurePosixPath

from exhibit.archive import Archive
from exhibit.archive.writer import IngestWriter, StoredFile
from exhibit.errors import UserError
from exhibit.redact.apply import apply_image, apply_pdf
from exhibit.redact.propose import Selection, open_pdf, page_glyphs, plan
from exhibit.redact.types import (
    Box,
    Kind,
    Origin,
    Plan,
    RedactedCopy,
    RedactionUnverified,
    Region,
    Secret,
    Verification,
)
from exhibit.redact.verify import OcrScope, OcrSetup, verify_file

DERIVED_SOURCE = "redact"


def ocr_setup(arch: Archive, langs: str | None = None, scope: OcrScope = OcrScope.IMAGES) -> OcrSetup:
    """OCR for verification with the archive's OCR cache (a page OCR'd once is not read again)."""
    return OcrSetup(langs or OcrSetup.langs, arch.root / "ocr-cache.sqlite", scope)


def langs_of(arch: Archive, seq: int) -> str | None:
    """The languages the exhibit's pages were OCR'd in, which verification reads the copy in too."""
    for page in arch.pages(seq):
        langs = page.meta.get("langs")
        if isinstance(langs, list) and langs:
            return "+".join(str(x) for x in langs)
        if isinstance(langs, str) and langs:
            return langs
    return None


def _copy_regions(p: Plan) -> list[Region]:
    """The plan's regions numbered by the copy's pages (a copy of pages 3 and 7 has pages 1 and 2)."""
    index = {n: i for i, n in enumerate(p.pages, 1)}
    return [dataclasses.replace(r, page=index[r.page]) for r in p.regions if r.page in index]


def redact(arch: Archive, seq: int, p: Plan, *, actor: str, purpose: str, out: Path | None = None,
           ocr: OcrSetup | None = None) -> RedactedCopy:
    """Apply `p` to exhibit `seq`, verify the copy, and store it as a derived exhibit below the original;
    with `out`, also write it there (logged as an export with actor and purpose). A copy that fails
    verification is neither stored nor written: RedactionUnverified carries the findings."""
    if not purpose.strip():
        raise UserError("a redacted copy is made for a purpose, which the custody log keeps: give --purpose "
                        "(e.g. --purpose 'annex of the report on the Karakax list').")
    if not p.regions and not p.hidden:
        raise UserError("nothing to redact: confirm proposals (--records, --patterns id,phone,address) or draw "
                        "boxes (--box PAGE:x0,y0,x1,y1); `exhibit redact ID` without --out lists the proposals.")
    if out is not None and not out.parent.is_dir():
        raise UserError(f"{out}: the folder {out.parent} does not exist; create it or choose another --out.")
    ex = arch.exhibit(seq)
    src = arch.blob_path(ex.sha256)
    work = arch.tmp_dir / f"redact-{token.token_hex(6)}"
    work.mkdir()
    try:
        if (ex.media_type or "") == "application/pdf":
            dest, media_type = work / "copy.pdf", "application/pdf"
            apply_pdf(src, p, dest, ex.id)
        else:
            dest = work / "copy"
            media_type = apply_image(src, p, dest, ex.id)
        ocr = ocr or ocr_setup(arch, langs_of(arch, seq))
        v = verify_file(dest, p.secrets(), _copy_regions(p), ocr, work)
        if not v.ok:
            arch.log_event("redaction_refused", ex.sha256, actor,
                           {"purpose": purpose, "log": p.log(), "verification": v.as_json() | {"file": None}})
            raise RedactionUnverified(_refusal(ex.id, v), v)
        return _store(arch, seq, p, dest, media_type, v, actor, purpose, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _refusal(ident: str, v: Verification) -> str:
    shown = "; ".join(f.detail for f in v.findings[:5])
    more = f" (+{len(v.findings) - 5} more)" if len(v.findings) > 5 else ""
    return (f"{ident}: the redacted copy failed verification and was not written: {shown}{more}. Draw a box over "
            "what remains (--box PAGE:x0,y0,x1,y1) or confirm the proposals that cover it, and redact again.")


def _store(arch: Archive, seq: int, p: Plan, dest: Path, media_type: str, v: Verification, actor: str,
           purpose: str, out: Path | None) -> RedactedCopy:
    ex = arch.exhibit(seq)
    sha, size = arch.blobs.put_file(dest)
    base = ex.path_names[0] if ex.path_names else ex.id
    taken = {path for c in arch.exhibits(arch.children(seq)) for path in c.path_names}
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg"}.get(media_type, "png")
    n = 1
    while f"{base}/redacted-{n}.{ext}" in taken:
        n += 1
    path = f"{base}/redacted-{n}.{ext}"
    pages: list[tuple[int, str, str, str | None, str]] = []
    if media_type == "application/pdf":
        with open_pdf(dest, path) as doc:
            pages = [(i, pg.get_text("text"), "text", None, "{}") for i, pg in ((i + 1, doc.load_page(i)) for i in range(doc.page_count))]
    else:
        pages = [(1, "", "text", None, "{}")]
    stored = StoredFile(name=PurePosixPath(path).name, sha256=sha, size=size, media_type=media_type,
                        pages=pages, metadata_json=json.dumps({"redacted_from": ex.id, "pages": len(p.pages)}))
    root = (ex.paths[0].root if ex.paths else None) or DERIVED_SOURCE
    v = dataclasses.replace(v, file=path, sha256=sha)
    with arch.custody_batch() as log:
        written = IngestWriter(arch, actor, root, DERIVED_SOURCE).write_derived(log, stored, path, seq)
        copy_seq = written[0].seq if written else arch.resolve(sha)
        log.add("redacted", ex.sha256, actor, {"copy": f"EX-{copy_seq:06d}", "copy_sha256": sha, "path": path,
                                               "purpose": purpose, "log": p.log(), "verification": v.as_json()})
    copy = arch.exhibit(copy_seq)
    if out is not None:
        shutil.copyfile(arch.blob_path(sha), out)
        arch.log_event("exported", sha, actor, {"what": "redacted copy", "original": ex.id, "purpose": purpose,
                                                "filename": str(out)})
    return RedactedCopy(ex.id, ex.sha256, copy.id, sha, path, None if out is None else str(out), p, v)


def recorded_copy(arch: Archive, seq: int, sha256: str) -> dict[str, object] | None:
    """The `redacted` custody event of exhibit `seq` that made the copy with this SHA-256, if any."""
    ex = arch.exhibit(seq)
    for ev in arch.custody_events(ex.sha256):
        if ev.event == "redacted" and ev.details.get("copy_sha256") == sha256:
            return ev.details
    return None


def verify_against(arch: Archive, file: Path, seq: int, selection: Selection, *, actor: str,
                   ocr: OcrSetup | None = None) -> Verification:
    """Verify a file said to be a redacted copy of exhibit `seq`: none of the strings the selection proposes
    on the original (and, for a copy exhibit made, none under the regions it recorded) can be read out of
    it. The result is logged as a custody event `redaction_verified` of the original."""
    import hashlib

    if not file.is_file():
        raise UserError(f"{file}: no such file to verify; give the path of the redacted copy.")
    sha = hashlib.sha256(file.read_bytes()).hexdigest()
    p = plan(arch, seq, selection)
    found: list[Secret] = list(p.secrets())
    regions = _copy_regions(p)
    recorded = recorded_copy(arch, seq, sha)
    if recorded is not None:
        log = recorded["log"]
        assert isinstance(log, dict)
        kept = [int(n) for n in log["pages"]]
        glyphs = page_glyphs(arch, seq, kept)
        for r in log["regions"]:
            box = Box.of(*r["box"])
            value = glyphs[int(r["page"])].text_in(box)
            reg = Region(int(r["page"]), box, Kind(r["kind"]), Origin(r["origin"]), r.get("ref"), value or None)
            if value:
                found.append(Secret(value, reg.kind, reg.ref))
            regions.append(dataclasses.replace(reg, page=kept.index(reg.page) + 1))
    work = arch.tmp_dir / f"verify-{token.token_hex(6)}"
    work.mkdir()
    try:
        v = verify_file(file, found, regions, ocr or ocr_setup(arch, langs_of(arch, seq)), work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ex = arch.exhibit(seq)
    arch.log_event("redaction_verified", ex.sha256, actor,
                   {"file": str(file), "sha256": sha, "known_copy": recorded is not None, "ok": v.ok,
                    "verification": v.as_json()})
    return v


def page_size(arch: Archive, seq: int, number: int) -> tuple[float, float]:
    """The page's size in the units of its regions: PDF points, or image pixels."""
    ex = arch.exhibit(seq)
    if (ex.media_type or "") == "application/pdf":
        with open_pdf(arch.blob_path(ex.sha256), ex.id) as doc:
            if not 1 <= number <= doc.page_count:
                raise UserError(f"{ex.id} has {doc.page_count} pages; there is no page {number}.")
            r = doc.load_page(number - 1).rect
            return float(r.width), float(r.height)
    from PIL import Image

    with Image.open(arch.blob_path(ex.sha256)) as im:
        return float(im.width), float(im.height)


def preview_png(arch: Archive, seq: int, p: Plan, width: int) -> bytes:
    """The first page of the plan, redacted, as PNG about `width` pixels wide: what the copy will show
    (not yet verified; nothing is stored)."""
    import io

    import pymupdf
    from PIL import Image

    ex = arch.exhibit(seq)
    work = arch.tmp_dir / f"preview-{token.token_hex(6)}"
    work.mkdir()
    try:
        first = dataclasses.replace(p, pages=p.pages[:1], regions=tuple(r for r in p.regions if r.page == p.pages[0]))
        if (ex.media_type or "") == "application/pdf":
            apply_pdf(arch.blob_path(ex.sha256), first, work / "p.pdf", ex.id)
            with pymupdf.open(work / "p.pdf") as doc:
                page = doc.load_page(0)
                zoom = min(width / max(page.rect.width, 1.0), 4.0)
                return bytes(page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False).tobytes("png"))
        apply_image(arch.blob_path(ex.sha256), first, work / "p", ex.id)
        with Image.open(work / "p") as im:
            img = im.convert("RGB")
        if img.width > width:
            img = img.resize((width, max(1, round(img.height * width / img.width))))
        buf = io.BytesIO()
        img.save(buf, "PNG")
        return buf.getvalue()
    finally:
        shutil.rmtree(work, ignore_errors=True)
