"""OCR results are cached by image hash: identical images are never OCR'd twice."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ocr_degrade import CHINESE, render

from exhibit.config import DEFAULT_OCR_LANGS
from exhibit.ocr import ocr_image


def _rows(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as c:
        return list(c.execute("SELECT key, result FROM ocr_cache"))


def test_identical_images_are_read_once_and_then_served_from_the_cache(tmp_path: Path) -> None:
    db = tmp_path / "ocr-cache.sqlite"
    image = render(CHINESE[:1], width=1000, height=300, margin=40)
    first = ocr_image(image, DEFAULT_OCR_LANGS, db, tmp_path)
    [(key, result)] = _rows(db)
    assert json.loads(result)["text"] == first.text
    # Prove the second read comes from the cache and not from the engines: mark the cached text.
    marked = json.loads(result)
    marked["text"] = "FROM-THE-CACHE"
    with sqlite3.connect(db) as c:
        c.execute("UPDATE ocr_cache SET result=? WHERE key=?", (json.dumps(marked), key))
    same_pixels = image.copy()  # a different object (and, on disk, could be another file format)
    again = ocr_image(same_pixels, DEFAULT_OCR_LANGS, db, tmp_path)
    assert again.text == "FROM-THE-CACHE" and again.meta == marked["meta"]
    assert len(_rows(db)) == 1
    # Another language choice is another key; --force re-reads and refreshes the entry.
    forced = ocr_image(image, DEFAULT_OCR_LANGS, db, tmp_path, force=True)
    assert forced.text == first.text
    assert len(_rows(db)) == 1 and json.loads(_rows(db)[0][1])["text"] == first.text
    ocr_image(image, "chi_sim", db, tmp_path)
    assert len(_rows(db)) == 2


def test_failed_pages_are_not_cached(tmp_path: Path) -> None:
    db = tmp_path / "ocr-cache.sqlite"
    page = ocr_image(render(CHINESE[:1], width=800, height=200, margin=20), "xyz", db, tmp_path)
    assert page.status == "failed" and page.text == ""
    assert not db.exists() or _rows(db) == []
