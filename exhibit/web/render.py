"""Page images for the viewer: PDF pages via PyMuPDF, scans via Pillow, the searched words highlighted."""

from __future__ import annotations

import io
import json
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import pymupdf
from PIL import Image, ImageDraw, UnidentifiedImageError

from exhibit.text.script import Script, has_script

Box = tuple[float, float, float, float]
_SPACE = re.compile(r"\s+")
# MuPDF is not thread-safe; the app renders from a thread pool, so one page at a time.
_mupdf = threading.Lock()
HIGHLIGHT_FILL = (255, 214, 0, 110)
HIGHLIGHT_LINE = (214, 120, 0, 255)


def renderable(media_type: str | None) -> bool:
    return media_type is not None and (media_type == "application/pdf" or media_type.startswith("image/"))


def ocr_boxes(meta: dict[str, Any], terms: list[str]) -> list[Box]:
    """Boxes, in OCR pixel coordinates, covering each occurrence of each term.

    OCR boxes are words or lines in reading order; a term may span several boxes (Chinese lines are often
    split), so the box texts are joined without separators and terms matched with their spaces removed.
    """
    boxes = [b for b in meta.get("boxes") or [] if isinstance(b, list | tuple) and len(b) >= 5]
    if not boxes or not terms:
        return []
    joined, spans, widths = "", [], []
    for b in boxes:
        text = _SPACE.sub("", str(b[4])).lower()
        spans.append((len(joined), len(joined) + len(text)))
        joined += text
        widths += [_char_width(ch) for ch in text]
    out: list[Box] = []
    for term in terms:
        t = _SPACE.sub("", term).lower()
        if not t:
            continue
        start = joined.find(t)
        while start >= 0:
            end = start + len(t)
            for b, (s, e) in zip(boxes, spans, strict=True):
                if e <= start or s >= end or e == s:
                    continue
                x0, y0, x1, y1 = (float(v) for v in b[:4])
                if not has_script(str(b[4]), Script.ARAB):  # left to right: narrow to the matched characters
                    unit = (x1 - x0) / sum(widths[s:e])
                    a, z = max(start, s), min(end, e)
                    x0, x1 = x0 + unit * sum(widths[s:a]), x0 + unit * sum(widths[s:z])
                out.append((x0, y0, x1, y1))
            start = joined.find(t, end)
    return out


def _char_width(ch: str) -> float:
    """Rough advance of a character relative to a Han one, to place a match inside an OCR line box."""
    return 0.55 if ord(ch) < 0x2E80 and not 0xFF00 <= ord(ch) <= 0xFFEF else 1.0


def _draw(img: Image.Image, boxes: list[Box], pad: float = 2.0) -> Image.Image:
    if not boxes:
        return img
    overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(overlay)
    for x0, y0, x1, y1 in boxes:
        d.rectangle((x0 - pad, y0 - pad, x1 + pad, y1 + pad), fill=HIGHLIGHT_FILL, outline=HIGHLIGHT_LINE, width=2)
    return Image.alpha_composite(img.convert("RGBA"), overlay).convert("RGB")


def _png(img: Image.Image, palette: bool = False) -> bytes:
    buf = io.BytesIO()
    if palette:  # scans: 64 colours keep text and highlight legible at a fraction of the bytes
        img = img.quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    img.save(buf, "PNG", optimize=False, compress_level=6)
    return buf.getvalue()


def _pdf_page(blob: Path, number: int, terms: list[str], meta: dict[str, Any], width: int) -> bytes | None:
    with _mupdf:
        try:
            doc = pymupdf.open(blob, filetype="pdf")
        except (pymupdf.FileDataError, RuntimeError, ValueError):
            return None
        with doc:
            if doc.needs_pass or not 1 <= number <= doc.page_count:
                return None
            page = doc[number - 1]
            zoom = min(width / max(page.rect.width, 1.0), 4.0)
            rects = [r for t in terms if t.strip() for r in page.search_for(t.strip())]
            pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
            img = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
    boxes = [(r.x0 * zoom, r.y0 * zoom, r.x1 * zoom, r.y1 * zoom) for r in rects]
    if not boxes:  # a scanned PDF: no text layer, but OCR boxes in the page's pixel space
        boxes = _scaled(ocr_boxes(meta, terms), meta, img.size)
    return _png(_draw(img, boxes))


def _scaled(boxes: list[Box], meta: dict[str, Any], size: tuple[int, int]) -> list[Box]:
    mw, mh = float(meta.get("width") or size[0]), float(meta.get("height") or size[1])
    sx, sy = size[0] / mw, size[1] / mh
    return [(x0 * sx, y0 * sy, x1 * sx, y1 * sy) for x0, y0, x1, y1 in boxes]


def _image_page(blob: Path, number: int, terms: list[str], meta: dict[str, Any], width: int) -> bytes | None:
    try:
        with Image.open(blob) as im:
            if number > getattr(im, "n_frames", 1):
                return None
            im.seek(number - 1)
            img = im.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, EOFError, Image.DecompressionBombError):
        return None
    ow, oh = img.size
    if ow > width:
        img = img.resize((width, max(1, round(oh * width / ow))), Image.Resampling.LANCZOS)
    meta = dict(meta)
    meta.setdefault("width", ow)
    meta.setdefault("height", oh)
    return _png(_draw(img, _scaled(ocr_boxes(meta, terms), meta, img.size)), palette=True)


@lru_cache(maxsize=128)
def _cached(blob: str, media_type: str, number: int, terms: tuple[str, ...], meta_json: str,
            width: int) -> bytes | None:
    meta = json.loads(meta_json)
    if media_type == "application/pdf":
        return _pdf_page(Path(blob), number, list(terms), meta, width)
    return _image_page(Path(blob), number, list(terms), meta, width)


def page_png(blob: Path, media_type: str, number: int, terms: list[str], meta: dict[str, Any],
             width: int) -> bytes | None:
    """The page as PNG with every occurrence of the terms highlighted, or None if it cannot be drawn."""
    if not renderable(media_type) or number < 1:
        return None
    return _cached(str(blob), media_type, number, tuple(terms[:10]), json.dumps(meta, sort_keys=True), width)
