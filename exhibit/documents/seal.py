"""Whether a document bears a seal (印章): a round red region on a page image (a scan, or a PDF page as
rendered, where a seal is a picture placed on the page) or a picture in a Word file.

GB/T 9704-2012 7.3.5.1: the seal is red and pressed over the 发文机关署名 and 成文日期. The red 发文机关标志
and the red rule under it are red too, but wide and short; a seal is about as high as it is wide. Pages are
looked at small (a seal is 4 cm across, 20 pixels at this size), so the cost is a fraction of the ingest's.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

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
    from scipy import ndimage

    mask = red_mask(rgb)
    if mask.sum() < 12:
        return None
    # a seal's ring, star and characters are separate strokes: close the gaps so they form one region
    labels, n = ndimage.label(ndimage.binary_dilation(mask, iterations=2))
    best: tuple[int, tuple[int, int, int, int]] | None = None
    width = rgb.shape[1]
    for k, sl in enumerate(ndimage.find_objects(labels), 1):
        if sl is None:
            continue
        h, w = sl[0].stop - sl[0].start, sl[1].stop - sl[1].start
        if w < width * _MIN_SIDE_FRACTION or not _ASPECT[0] <= h / w <= _ASPECT[1]:
            continue
        filled = int(mask[sl][labels[sl] == k].sum())
        if filled < _MIN_FILL * h * w:
            continue
        if best is None or filled > best[0]:
            best = (filled, (sl[1].start, sl[0].start, sl[1].stop, sl[0].stop))
    return best[1] if best else None


def find(exhibit: Exhibit, blob: Path) -> Element:
    """The 印章 element of an exhibit: present (with its page and where on it) or absent."""
    media = exhibit.media_type or ""
    if media == "application/pdf":
        return _pdf(blob)
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


def _pdf(blob: Path) -> Element:
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
            if not page.get_images(full=False) and not page.get_cdrawings():
                continue   # text alone: a seal is a picture or a drawing
            pix = page.get_pixmap(dpi=_DPI, colorspace=pymupdf.csRGB, alpha=False)
            rgb = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, 3)
            box = seal_box(rgb)
            if box:
                return _present(index + 1, box, 72 / _DPI, "a round red region in PDF points")
    return _absent("no round red region on any page")


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
