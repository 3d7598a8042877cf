"""Content-type detection: the content decides, the extension only makes a claim it may contradict."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from exhibit.errors import EmptyFile
from exhibit.ingest.detect import CSV, DOCX, HTML, PDF, TXT, XLSX, ZIP, detect
from exhibit.ingest.formats import choose


def test_every_corpus_file_is_detected_from_its_content(corpus_dir: Path, truth: dict[str, Any]) -> None:
    expected_by_ext = {".pdf": PDF, ".docx": DOCX, ".xlsx": XLSX, ".zip": ZIP, ".csv": CSV, ".html": HTML,
                       ".eml": "message/rfc822", ".png": "image/png", ".jpg": "image/jpeg"}
    for rel in truth["files"]:
        if rel in truth["hostile"]:
            continue
        path = corpus_dir / rel
        d = detect(path, path.name)
        assert d.media_type == expected_by_ext[path.suffix], rel
        assert not d.mislabelled, rel


def test_csv_named_xlsx_is_flagged_mislabelled_and_read_as_csv(corpus_dir: Path, truth: dict[str, Any]) -> None:
    rel = next(r for r, s in truth["hostile"].items() if s == "mislabelled")
    d = detect(corpus_dir / rel, Path(rel).name)
    assert d.mislabelled and d.media_type == CSV
    assert ".xlsx" in (d.reason or "")
    assert type(choose(d.media_type, Path(rel).name)).__name__ == "TextIngestor"


def test_zero_byte_file_raises_empty(corpus_dir: Path, truth: dict[str, Any]) -> None:
    rel = next(r for r, s in truth["hostile"].items() if s == "empty")
    with pytest.raises(EmptyFile):
        detect(corpus_dir / rel, Path(rel).name)


def test_garbage_named_pdf_goes_to_the_pdf_ingestor_unflagged(corpus_dir: Path) -> None:
    d = detect(corpus_dir / "broken/binary_garbage.pdf", "binary_garbage.pdf")
    assert d.media_type == PDF and not d.mislabelled


def test_pdf_renamed_docx_and_docx_renamed_pdf_are_mislabelled(corpus_dir: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "report.docx"
    shutil.copy(corpus_dir / "documents/telegram_translation.pdf", pdf)
    d = detect(pdf, pdf.name)
    assert (d.media_type, d.mislabelled) == (PDF, True)
    docx = tmp_path / "scan.pdf"
    shutil.copy(corpus_dir / "documents/讲话稿.docx", docx)
    d = detect(docx, docx.name)
    assert (d.media_type, d.mislabelled) == (DOCX, True)


def test_plain_zip_named_docx_is_mislabelled_but_docx_named_zip_is_not(tmp_path: Path,
                                                                          corpus_dir: Path) -> None:
    z = tmp_path / "a.docx"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert detect(z, z.name).media_type == ZIP and detect(z, z.name).mislabelled
    assert not detect(corpus_dir / "documents/讲话稿.docx", "讲话稿.zip").mislabelled


def test_text_kinds_are_sniffed(tmp_path: Path) -> None:
    tsv = tmp_path / "x.dat"
    tsv.write_text("a\tb\tc\n1\t2\t3\n4\t5\t6\n", encoding="utf-8")
    assert detect(tsv, tsv.name).media_type == "text/tab-separated-values"
    prose = tmp_path / "notes.txt"
    prose.write_text("我的哥哥在2017年被带走，至今没有消息。\n我们不知道他在哪里。\n", encoding="gb18030")
    assert detect(prose, prose.name).media_type == TXT
    html = tmp_path / "page"
    html.write_bytes(b"<!DOCTYPE html><html><body>x</body></html>")
    assert detect(html, html.name).media_type == HTML
    mbox = tmp_path / "box"
    mbox.write_bytes(b"From a@b.c Mon Jun  4 09:13:00 2018\nFrom: a@b.c\nSubject: x\n\nbody\n")
    assert detect(mbox, mbox.name).media_type == "application/mbox"
    eml = tmp_path / "mail.txt"
    eml.write_bytes(b"From: a@b.c\nTo: d@e.f\nSubject: x\nDate: Mon, 04 Jun 2018 09:13:00 +0800\n\nbody\n")
    d = detect(eml, eml.name)
    assert d.media_type == "message/rfc822" and not d.mislabelled


def test_unknown_binary_goes_to_the_fallback_of_printable_runs(tmp_path: Path) -> None:
    blob = tmp_path / "thing.bin"
    blob.write_bytes(bytes(range(256)) * 10)
    d = detect(blob, blob.name)
    assert d.media_type == "application/octet-stream"
    ingestor = choose(d.media_type, blob.name)
    assert type(ingestor).__name__ == "FallbackIngestor"


def test_choose_prefers_the_format_ingestor_over_the_fallback() -> None:
    assert type(choose(PDF, "x.pdf")).__name__ == "PdfIngestor"
    assert type(choose(XLSX, "x")).__name__ == "XlsxIngestor"
    assert type(choose("application/mbox", "x")).__name__ == "EmailIngestor"
    assert type(choose("image/png", "x.png")).__name__ == "ImageIngestor"


def test_every_corpus_file_is_read_from_an_extensionless_blob(corpus_dir: Path, truth: dict[str, Any],
                                                              tmp_path: Path) -> None:
    """The pipeline hands ingestors the blob store's path (a SHA-256, no extension) and the name apart."""
    from exhibit.errors import FileProblem
    from exhibit.ingest.formats import IngestContext

    for rel, spec in truth["files"].items():
        blob = tmp_path / spec["sha256"]
        shutil.copy(corpus_dir / rel, blob)
        work = tmp_path / f"w-{spec['sha256'][:8]}"
        work.mkdir(exist_ok=True)
        try:
            d = detect(blob, Path(rel).name)
            ext = choose(d.media_type, Path(rel).name).ingest(blob, IngestContext(
                workdir=work, ocr=False, passwords=tuple(truth["encrypted_password"].values())))
        except FileProblem as e:
            assert truth["hostile"].get(rel) == e.status, (rel, e)
            continue
        expected = "ok" if rel in truth["encrypted_password"] else truth["hostile"].get(rel, "ok")
        status = "mislabelled" if d.mislabelled and ext.status == "ok" else ext.status
        assert status == expected, (rel, ext.status, ext.reason)
        if expected in ("ok", "mislabelled"):
            assert ext.pages or ext.tables or ext.children or ext.media_type.startswith("image/"), rel
