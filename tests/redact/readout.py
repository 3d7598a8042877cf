"""Everything a reader of a published file could pull out of it, by the tools the issue names: PyMuPDF,
poppler's pdftotext, `strings`, and OCR of the rendered pages."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pymupdf
from PIL import Image

from exhibit.archive import Archive
from exhibit.redact.glyphs import fold


def pymupdf_text(path: Path) -> str:
    with pymupdf.open(path) as doc:
        return "\n".join(doc.load_page(i).get_text() for i in range(doc.page_count))


def poppler_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def strings(path: Path) -> str:
    return subprocess.run(["strings", "-n", "4", str(path)], capture_output=True, text=True, check=True).stdout + \
        subprocess.run(["strings", "-n", "4", "-e", "b", str(path)], capture_output=True, text=True, check=True).stdout


def ocr(path: Path, scratch: Path, langs: str = "eng") -> str:
    from exhibit.ocr import ocr_image

    if path.read_bytes()[:5] != b"%PDF-":
        with Image.open(path) as im:
            return ocr_image(im.convert("L"), langs, None, scratch).text
    out = []
    with pymupdf.open(path) as doc:
        for i in range(doc.page_count):
            pix = doc.load_page(i).get_pixmap(dpi=200, colorspace=pymupdf.csGRAY, alpha=False)
            out.append(ocr_image(Image.frombytes("L", (pix.width, pix.height), pix.samples), langs, None,
                                 scratch).text)
    return "\n".join(out)


def holds(text: str, value: str) -> bool:
    """Whether the value is in the text, folded as verification folds (white space, width, script, case)."""
    return fold(value) in fold(text)


def seq_of(arch: Archive, path: str) -> int:
    """The exhibit at `path` in the test cache (here, not in conftest: a module named `conftest` is
    another folder's once the whole suite is collected)."""
    return next(e.seq for e in arch.exhibits() if path in e.path_names)
