"""Whether a document bears a seal (印章): a round red region on a page image (a scan, or a PDF page as
rendered, where a seal is a picture placed on the page) or a picture in a Word file.

GB/T 9704-2012 7.3.5.1: the seal is red and pressed over the 发文机关署名 and 成文日期. The red 发文机关标志
and the red rule under it are red too, but wide and short; a seal is about as high as it is wide. Pages are
looked at small (a seal is 4 cm across, 20 pixels at this size), so the cost is a fraction of the ingest's.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from exhibit.archive import Exhibit
from exhibit.documents.anatomy import Element, FieldName

_DPI = 36                  # PDF pages are rendered at this resolution
_LONG_SIDE = 420           # images are scaled to this many pixels on their long side
_MIN_SIDE_FRACTION = 0.05  # a seal region is at least this fraction of the page width
_ASPECT = (0.6, 1.6)       # and about as high as it is wide
_MIN_FILL = 0.08           # red pixels in its bounding box (a ring with a star fills ~20%)


def red_mask(rgb: NDArray[np.uint8]) -> NDArray[np.bool_]:
    """Pixels of seal red: red well above green and blue (the red of stamp ink, bright or faded)."""
    a = rgb.astype(np.int16)
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    return (r > 120) & (r - g > 60) & (r - b > 50)


def seal_box(rgb: NDArray[np.uint8]) -> tuple[int, int, int, int] | None:
    """The bounding box (x0, y0, x1, y1) of the largest seal-shaped red region of an image, or None."""
    mask = red_mask(rgb)
    if mask.sum() < 12:
        return None
    best: tuple[int, tuple[int, int, int, int]] | None = None
    width = rgb.shape[1]
    for x0, y0, x1, y1 in _regions(_dilate(mask, 2)):
        h, w = y1 - y0, x1 - x0
        if w < width * _MIN_SIDE_FRACTION or not _ASPECT[0] <= h / w <= _ASPECT[1]:
            continue
        filled = int(mask[y0:y1, x0:x1].sum())
        if filled < _MIN_FILL * h * w:
            continue
        if best is None or filled > best[0]:
            best = (filled, (x0, y0, x1, y1))
    return best[1] if best else None


def _dilate(mask: NDArray[np.bool_], steps: int) -> NDArray[np.bool_]:
    """A seal's ring, star and characters are separate strokes: grow them so they touch."""
    out = mask.copy()
    for _ in range(steps):
        grown = out.copy()
        grown[1:, :] |= out[:-1, :]
        grown[:-1, :] |= out[1:, :]
        grown[:, 1:] |= out[:, :-1]
        grown[:, :-1] |= out[:, 1:]
        out = grown
    return out


def _regions(mask: NDArray[np.bool_]) -> list[tuple[int, int, int, int]]:
    """Bounding boxes of the 4-connected regions of a small mask (a page at 36 dpi: a few thousand pixels)."""
    todo = set(zip(*(a.tolist() for a in np.nonzero(mask)), strict=True))
    boxes = []
    while todo:
        stack = [todo.pop()]
        y0 = y1 = stack[0][0]
        x0 = x1 = stack[0][1]
        while stack:
            y, x = stack.pop()
            y0, y1, x0, x1 = min(y0, y), max(y1, y), min(x0, x), max(x1, x)
            for n in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                if n in todo:
                    todo.remove(n)
                    stack.append(n)
        boxes.append((x0, y0, x1 + 1, y1 + 1))
    return boxes


def find(exhibit: Exhibit, blob: Path, scanned: frozenset[int] = frozenset()) -> Element:
    """The 印章 element of an exhibit: present (with its page and where on it) or absent. `scanned`: the
    numbers of PDF pages read by OCR (rendered and looked at whole; on the others only pictures are)."""
    media = exhibit.media_type or ""
    if media == "application/pdf":
        return _pdf(blob, scanned)
    if media.startswith("image/"):
        return _image(blob)
    if media.endswith("wordprocessingml.document"):
        return _docx(blob)
    return _absent("no page image to look at")


def _present(page: int, box: tuple[int, int, int, int], scale: float, what: str) -> Element:
    x0, y0, x1, y1 = (round(v * scale) for v in box)
    return Element(FieldName.SEAL, "present", page, text=f"{what} at ({x0}, {y0})-({x1}, {y1})")


def _absent(why: str) -> Element:
    return Element(FieldName.SEAL, "absent", None, text=why)


def _pdf(blob: Path, scanned: frozenset[int]) -> Element:
    import pymupdf

    try:
        doc = pymupdf.open(blob, filetype="pdf")
    except (RuntimeError, ValueError):
        return _absent("the PDF cannot be rendered")
    with doc:
        if doc.needs_pass:
            return _absent("the PDF is encrypted")
        for index in range(doc.page_count):
            page = doc.load_page(index)
            if index + 1 in scanned:
                pix = page.get_pixmap(dpi=_DPI, colorspace=pymupdf.csRGB, alpha=False)
                box = seal_box(_rgb(pix))
                if box:
                    return _present(index + 1, box, 72 / _DPI, "a round red region in PDF points")
                continue
            # a text page: a seal is a picture placed on it (rendering the whole page would cost a third of
            # the ingest of a text PDF); each picture is looked at by itself, small
            for item in page.get_images(full=True):
                xref, width, height = item[0], item[2], item[3]
                if not width or not _ASPECT[0] <= height / width <= _ASPECT[1]:
                    continue
                try:
                    pix = pymupdf.Pixmap(doc, xref)
                    if pix.n - pix.alpha < 3:
                        continue   # grey or black-and-white: not red
                    if pix.alpha or pix.n != 3:
                        pix = pymupdf.Pixmap(pymupdf.csRGB, pix)
                    while pix.width > 160:
                        pix.shrink(1)
                    red = red_mask(_rgb(pix)).mean() > 0.03
                except (RuntimeError, ValueError):
                    continue
                if red and min(width, height) >= 40:
                    # where it stands is not asked of MuPDF: placing it costs a pass over the page's content
                    return Element(FieldName.SEAL, "present", index + 1,
                                   text=f"a red round picture of {width}x{height} pixels (image xref {xref})")
    return _absent("no round red region on any page")


def _rgb(pix: Any) -> NDArray[np.uint8]:
    return np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)[..., :3]


def _image(blob: Path) -> Element:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(blob) as im:
            for frame in range(getattr(im, "n_frames", 1)):
                im.seek(frame)
                small = im.convert("RGB")
                scale = max(small.size) / _LONG_SIDE
                if scale > 1:
                    small = small.resize((round(small.width / scale), round(small.height / scale)))
                box = seal_box(np.asarray(small, dtype=np.uint8))
                if box:
                    return _present(frame + 1, box, max(scale, 1.0), "a round red region in image pixels")
    except (OSError, UnidentifiedImageError, ValueError):
        return _absent("the image cannot be read")
    return _absent("no round red region in the image")


def _docx(blob: Path) -> Element:
    try:
        with zipfile.ZipFile(blob) as z:
            pictures = [n for n in z.namelist() if n.startswith("word/media/")]
    except (zipfile.BadZipFile, OSError):
        return _absent("the Word file cannot be opened")
    if pictures:
        return Element(FieldName.SEAL, "present", 1, text=f"a picture in the Word file ({pictures[0]})")
    return _absent("no picture in the Word file")
