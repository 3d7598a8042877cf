"""Redaction of each kind of file a cache holds: after it, no redacted string can be read out of the copy by
PyMuPDF, pdftotext, `strings` or OCR; what was not redacted still reads; the original is untouched."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest
from fixtures import ID_1, ID_2, KEEP_EN, KEEP_HAN, NAME_HAN, NAME_LATIN, PHONE, REASON
from PIL import Image
from readout import holds, ocr, poppler_text, pymupdf_text, seq_of, strings

from exhibit import redact as rd
from exhibit.archive import Archive
from exhibit.archive.verify import verify


def _redact(arch: Archive, path: str, out: Path, **sel: object) -> rd.RedactedCopy:
    seq = seq_of(arch, path)
    plan = rd.plan(arch, seq, rd.Selection(**sel))  # type: ignore[arg-type]
    return rd.redact(arch, seq, plan, actor="pytest", purpose="annex of a report", out=out)


def _original_intact(arch: Archive, path: str) -> None:
    ex = arch.exhibit(seq_of(arch, path))
    assert arch.blobs.rehash(ex.sha256) == ex.sha256
    assert verify(arch)["ok"]


def test_text_layer_pdf_loses_names_ids_and_phone_and_keeps_the_rest(arch: Archive, tmp_path: Path) -> None:
    out = tmp_path / "text-redacted.pdf"
    copy = _redact(arch, "text.pdf", out, records=True, patterns=(rd.Pattern.PHONE,))
    assert copy.verification.ok
    for read in (pymupdf_text(out), poppler_text(out), strings(out)):
        for secret in (NAME_LATIN, ID_1, PHONE, NAME_HAN):
            assert not holds(read, secret), secret
    assert KEEP_EN in pymupdf_text(out) and KEEP_EN in poppler_text(out)
    assert KEEP_HAN in pymupdf_text(out)
    # a derived exhibit below its original, and the custody of the original says so, without the values
    ex = arch.exhibit(arch.resolve(copy.id))
    assert ex.path_names == ["text.pdf/redacted-1.pdf"]
    assert ex.paths[0].parent_seq == seq_of(arch, "text.pdf")
    event = next(e for e in arch.custody_events(copy.original_sha256) if e.event == "redacted")
    assert event.details["verification"]["ok"] is True and event.details["purpose"] == "annex of a report"
    assert {r["kind"] for r in event.details["log"]["regions"]} == {"name", "id_number", "phone"}
    assert NAME_LATIN not in str(event.details) and ID_1 not in str(event.details)
    exported = [e for e in arch.custody_events(copy.sha256) if e.event == "exported"]
    assert exported and exported[0].actor == "pytest" and exported[0].details["purpose"] == "annex of a report"
    _original_intact(arch, "text.pdf")


def test_image_only_pdf_is_redacted_where_ocr_read_the_name(arch: Archive, tmp_path: Path) -> None:
    seq = seq_of(arch, "scan.pdf")
    proposed = rd.propose(arch, seq)
    assert [(r.kind, r.origin) for r in proposed] == [(rd.Kind.NAME, rd.Origin.RECORD)]
    out = tmp_path / "scan-redacted.pdf"
    copy = _redact(arch, "scan.pdf", out, records=True)
    ocr_check = next(c for c in copy.verification.checks if c.check == rd.Check.OCR)
    assert ocr_check.ran and ocr_check.units == 1
    read = ocr(out, tmp_path)
    assert not holds(read, NAME_LATIN) and not holds(read, "TURSUN") and not holds(read, "MAMAT")
    assert holds(read, "PUBLIC NOTICE")
    assert not holds(strings(out), NAME_LATIN)
    _original_intact(arch, "scan.pdf")


def test_an_earlier_incremental_revision_holding_the_name_does_not_survive(arch: Archive, tmp_path: Path) -> None:
    seq = seq_of(arch, "revised.pdf")
    original = arch.blob_path(arch.exhibit(seq).sha256)
    assert holds(strings(original), NAME_LATIN)  # the fixture is what it says: the name in an earlier revision
    assert not holds(pymupdf_text(original), NAME_LATIN)
    plan = rd.plan(arch, seq, rd.Selection(records=True))
    assert [(h.where, h.kind) for h in plan.hidden] == [(rd.Hidden.REVISION, rd.Kind.NAME)]
    out = tmp_path / "revised-redacted.pdf"
    rd.redact(arch, seq, plan, actor="pytest", purpose="annex", out=out)
    data = out.read_bytes()
    assert data.count(b"%%EOF") == 1 and data.count(b"startxref") == 1
    for read in (strings(out), pymupdf_text(out), poppler_text(out)):
        assert not holds(read, NAME_LATIN)
    assert KEEP_EN in pymupdf_text(out)
    _original_intact(arch, "revised.pdf")


def test_metadata_xmp_attachment_and_annotation_naming_the_person_are_stripped(arch: Archive, tmp_path: Path) -> None:
    seq = seq_of(arch, "meta.pdf")
    plan = rd.plan(arch, seq, rd.Selection(records=True, patterns=(rd.Pattern.PHONE,)))
    assert {h.where for h in plan.hidden} == {rd.Hidden.METADATA, rd.Hidden.ATTACHMENT, rd.Hidden.ANNOTATION}
    out = tmp_path / "meta-redacted.pdf"
    rd.redact(arch, seq, plan, actor="pytest", purpose="annex", out=out)
    with pymupdf.open(out) as doc:
        assert not any(v for k, v in doc.metadata.items() if k not in ("format", "encryption"))
        assert doc.get_xml_metadata() == ""
        assert doc.embfile_count() == 0
        assert not list(doc.load_page(0).annots())
    for read in (strings(out), pymupdf_text(out), poppler_text(out)):
        for secret in (NAME_LATIN, ID_1, PHONE):
            assert not holds(read, secret), secret
    assert KEEP_EN in pymupdf_text(out)
    _original_intact(arch, "meta.pdf")


def test_a_register_rendered_to_pdf_loses_its_names_and_ids_and_keeps_its_reasons(engine_redact_arch: Archive,
                                                                                    tmp_path: Path) -> None:
    arch = engine_redact_arch  # the names and IDs proposed come from the records, on each engine
    out = tmp_path / "register-redacted.pdf"
    copy = _redact(arch, "register.pdf", out, records=True, patterns=(rd.Pattern.ID,))
    kinds = [r.kind for r in copy.plan.regions]
    assert kinds.count(rd.Kind.NAME) == 2 and kinds.count(rd.Kind.ID_NUMBER) == 2
    text = pymupdf_text(out)
    for read in (text, poppler_text(out), strings(out)):
        for secret in (NAME_LATIN, NAME_HAN, ID_1, ID_2):
            assert not holds(read, secret), secret
    assert text.count(REASON) == 2 and "序号" in text and "身份证号" in text
    _original_intact(arch, "register.pdf")


def test_a_jpeg_loses_the_name_on_it_its_gps_exif_and_its_thumbnail(arch: Archive, tmp_path: Path) -> None:
    seq = seq_of(arch, "photo.jpg")
    original = arch.blob_path(arch.exhibit(seq).sha256)
    with Image.open(original) as im:
        assert im.getexif().get_ifd(0x8825)  # the fixture carries GPS
    assert original.read_bytes().count(b"\xff\xd8\xff") == 2  # and a thumbnail
    out = tmp_path / "photo-redacted.jpg"
    copy = _redact(arch, "photo.jpg", out, records=True)
    assert copy.path == "photo.jpg/redacted-1.jpg"
    assert [h.where for h in copy.plan.hidden] == [rd.Hidden.EXIF]
    data = out.read_bytes()
    assert b"Exif" not in data and data.count(b"\xff\xd8\xff") == 1
    with Image.open(out) as im:
        assert len(im.getexif()) == 0 and "exif" not in im.info
    read = ocr(out, tmp_path)
    assert not holds(read, "TURSUN") and not holds(read, "MAMAT") and holds(read, "PUBLIC NOTICE")
    assert not holds(strings(out), NAME_LATIN)
    _original_intact(arch, "photo.jpg")


def test_a_copy_that_fails_verification_is_neither_written_nor_stored(arch: Archive, tmp_path: Path) -> None:
    seq = seq_of(arch, "text.pdf")
    # a region whose value stands elsewhere on the page than the box: the copy still holds it
    region = rd.Region(1, rd.Box.of(72, 200, 200, 220), rd.Kind.BOX, rd.Origin.DRAWN, None, "weather was fine")
    plan = rd.Plan(seq, (1, 2), (region,))
    before = len(list(arch.exhibits()))
    out = tmp_path / "never.pdf"
    with pytest.raises(rd.RedactionUnverified) as e:
        rd.redact(arch, seq, plan, actor="pytest", purpose="annex", out=out)
    assert "text.pdf" in str(e.value) or "EX-" in str(e.value)
    assert {f.check for f in e.value.verification.findings} >= {rd.Check.PYMUPDF_TEXT}
    assert not out.exists() and len(list(arch.exhibits())) == before
    assert any(ev.event == "redaction_refused" for ev in arch.custody_events(arch.exhibit(seq).sha256))
    assert not list((arch.tmp_dir).glob("redact-*"))


def test_nothing_confirmed_is_nothing_redacted(arch: Archive, tmp_path: Path) -> None:
    from exhibit.errors import UserError

    seq = seq_of(arch, "text.pdf")
    with pytest.raises(UserError, match="nothing to redact"):
        rd.redact(arch, seq, rd.plan(arch, seq, rd.Selection()), actor="pytest", purpose="annex",
                  out=tmp_path / "x.pdf")
    with pytest.raises(UserError, match="--purpose"):
        rd.redact(arch, seq, rd.plan(arch, seq, rd.Selection(records=True)), actor="pytest", purpose=" ")
