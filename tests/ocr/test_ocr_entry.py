"""The OCR entry point on its own: an image or an image file in, a result out, no ingest context."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

from ocr_degrade import CHINESE, ENGLISH, render

from exhibit.config import DEFAULT_OCR_LANGS
from exhibit.ocr import ocr_image


def test_an_image_file_is_read_as_the_picture_it_holds(tmp_path: Path) -> None:
    db = tmp_path / "ocr-cache.sqlite"
    image = render(CHINESE[:1], width=1000, height=300, margin=40)
    png = tmp_path / "page.png"
    image.save(png)
    from_pixels = ocr_image(image, DEFAULT_OCR_LANGS, db, tmp_path)
    from_file = ocr_image(png, DEFAULT_OCR_LANGS, db, tmp_path)
    assert from_pixels.status is None and from_pixels.text
    assert (from_file.text, from_file.lang) == (from_pixels.text, from_pixels.lang)
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT count(*) FROM ocr_cache").fetchone()[0] == 1  # same pixels, same entry


def test_a_file_that_is_no_image_is_a_failed_result_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "scan.png"
    bad.write_bytes(b"not a picture at all")
    result = ocr_image(bad, "eng", None, tmp_path)
    assert result.status == "failed" and result.text == "" and "scan.png" in result.meta["reason"]


def test_tesseract_writes_its_temporary_files_in_the_scratch_folder(tmp_path: Path) -> None:
    image = render(ENGLISH, width=1600, height=900, margin=30)
    scratch = tmp_path / "scratch"
    seen: set[str] = set()
    done = threading.Event()

    def watch() -> None:  # Tesseract's input image exists for as long as Tesseract runs
        while not done.is_set():
            seen.update(os.listdir(scratch) if scratch.exists() else ())
            time.sleep(0.002)

    before = tempfile.tempdir
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        read = ocr_image(image, "eng", None, scratch, engine="tesseract")
    finally:
        done.set()
        watcher.join()
    assert read.status is None and read.text
    assert any(name.startswith("tess_") for name in seen), seen
    assert list(scratch.iterdir()) == []  # pytesseract removes what it wrote
    assert tempfile.tempdir == before  # the process's own temp folder is given back
