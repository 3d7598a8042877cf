"""Page images for the viewer: PDF pages via PyMuPDF, scans via Pillow, the searched words highlighted."""

from __future__ import annotations

import bisect
import io
import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pymupdf
from PIL import Image, ImageDraw, UnidentifiedImageError

from exhibit.errors import LimitExceeded
from exhibit.text.script import Script, has_script
from exhibit.web.bounds import (
    MAX_HL_BOXES,
    MAX_HL_CHARS,
    MAX_HL_TERMS,
    MAX_RENDER_PIXELS,
    MAX_SOURCE_PIXELS,
    RENDER_CACHE_BYTES,
    RENDER_SLOTS,
    RENDER_WAITING,
)

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
    ends = [e for _, e in spans]
    rotation = int(meta.get("rotation") or 0) % 360
    for term in terms:
        t = _SPACE.sub("", term).lower()
        if not t:
            continue
        start = joined.find(t)
        while start >= 0 and len(out) < MAX_HL_BOXES:
            end = start + len(t)
            # the boxes the match overlaps, found by bisection: a page of 10,000 words and a term that occurs
            # 10,000 times must not cost 10^8 steps
            for k in range(bisect.bisect_right(ends, start), len(boxes)):
                b, (s, e) = boxes[k], spans[k]
                if s >= end:
                    break
                if e == s:
                    continue
                box: Box = (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
                if not has_script(str(b[4]), Script.ARAB):  # left to right: narrow to the matched characters
                    a, z = max(start, s), min(end, e)
                    total = sum(widths[s:e])
                    box = _narrow(box, rotation, sum(widths[s:a]) / total, sum(widths[s:z]) / total)
                out.append(box)
            start = joined.find(t, end)
    return out


def _narrow(box: Box, rotation: int, first: float, last: float) -> Box:
    """The part of a line box from fraction `first` to `last` of its text, along the direction the line reads
    in the stored image. The stored image is the upright page turned `rotation` degrees counter-clockwise
    (ocr/layout.py Frame), so a line that reads left to right upright reads bottom to top at 90, right to
    left at 180 and top to bottom at 270; the box is narrowed along that axis, from that end."""
    x0, y0, x1, y1 = box
    if rotation == 90:
        return (x0, y1 - (y1 - y0) * last, x1, y1 - (y1 - y0) * first)
    if rotation == 180:
        return (x1 - (x1 - x0) * last, y0, x1 - (x1 - x0) * first, y1)
    if rotation == 270:
        return (x0, y0 + (y1 - y0) * first, x1, y0 + (y1 - y0) * last)
    return (x0 + (x1 - x0) * first, y0, x0 + (x1 - x0) * last, y1)


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


def pdf_zoom(page_width: float, page_height: float, width: int) -> float:
    """The scale at which a PDF page of this size (points) is drawn: about `width` pixels wide (at most 4x),
    and smaller when that would be more than MAX_RENDER_PIXELS (a 300 x 40,000 pt page would otherwise be
    1200 x 160,000 pixels: 9 s and 2 GiB)."""
    w, h = max(page_width, 1.0), max(page_height, 1.0)
    zoom = min(width / w, 4.0, math.sqrt(MAX_RENDER_PIXELS / (w * h)))
    while zoom > 0 and (math.ceil(w * zoom) + 1) * (math.ceil(h * zoom) + 1) > MAX_RENDER_PIXELS:
        zoom *= 0.99  # MuPDF rounds the pixmap outwards
    return zoom


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
            rect = page.rect
            if not (math.isfinite(rect.width) and math.isfinite(rect.height)) or rect.is_empty:
                return None
            zoom = pdf_zoom(rect.width, rect.height, width)
            rects: list[pymupdf.Rect] = []
            if terms:  # one text page for every term (search_for would extract the text once per term)
                tp = page.get_textpage(flags=pymupdf.TEXT_DEHYPHENATE | pymupdf.TEXT_PRESERVE_WHITESPACE
                                       | pymupdf.TEXT_PRESERVE_LIGATURES | pymupdf.TEXT_MEDIABOX_CLIP)
                for t in terms:
                    rects += page.search_for(t, textpage=tp)[:MAX_HL_BOXES - len(rects)]
            pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
            if pix.width < 1 or pix.height < 1:
                return None
            img = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
            del pix
    boxes = [(r.x0 * zoom, r.y0 * zoom, r.x1 * zoom, r.y1 * zoom) for r in rects]
    if not boxes:  # a scanned PDF: no text layer, but OCR boxes in the page's pixel space
        boxes = _scaled(ocr_boxes(meta, terms), meta, img.size)
    return _png(_draw(img, boxes))


def _scaled(boxes: list[Box], meta: dict[str, Any], size: tuple[int, int]) -> list[Box]:
    mw, mh = float(meta.get("width") or size[0]), float(meta.get("height") or size[1])
    sx, sy = size[0] / mw, size[1] / mh
    return [(x0 * sx, y0 * sy, x1 * sx, y1 * sy) for x0, y0, x1, y1 in boxes]


def image_scale(ow: int, oh: int, width: int) -> float:
    """The scale at which a scan of ow x oh pixels is shown: at most `width` wide and MAX_RENDER_PIXELS."""
    return min(1.0, width / max(ow, 1), math.sqrt(MAX_RENDER_PIXELS / max(ow * oh, 1)))


def _image_page(blob: Path, number: int, terms: list[str], meta: dict[str, Any], width: int) -> bytes | None:
    try:
        with Image.open(blob) as im:
            if number > getattr(im, "n_frames", 1):
                return None
            im.seek(number - 1)
            ow, oh = im.size
            if ow * oh > MAX_SOURCE_PIXELS:  # decoding alone would take 3-4 bytes a pixel
                raise LimitExceeded(f"page {number} is a scan of {ow:,} x {oh:,} pixels, more than the viewer "
                                    f"decodes ({MAX_SOURCE_PIXELS:,}): its text is on this page; download the "
                                    f"original to see the image")
            scale = image_scale(ow, oh, width)
            size = (max(1, round(ow * scale)), max(1, round(oh * scale)))
            im.draft("RGB", size)  # JPEG decodes at 1/2, 1/4 or 1/8 scale directly
            img = im.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, EOFError, Image.DecompressionBombError):
        return None
    if img.size != size:
        img = img.resize(size, Image.Resampling.LANCZOS)
    meta = dict(meta)
    meta.setdefault("width", ow)
    meta.setdefault("height", oh)
    return _png(_draw(img, _scaled(ocr_boxes(meta, terms), meta, img.size)), palette=True)


class RenderCache:
    """The last rendered pages, bounded by their bytes (an entry count would let 128 pages of a few MB each,
    or one page asked with 128 different hl= words, hold gigabytes)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        with self._lock:
            png = self._items.get(key)
            if png is not None:
                self._items.move_to_end(key)
            return png

    def put(self, key: tuple[Any, ...], png: bytes) -> None:
        if len(png) > self.max_bytes // 4:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = png
            self._bytes += len(png)
            while self._bytes > self.max_bytes:
                _, old = self._items.popitem(last=False)
                self._bytes -= len(old)


class RenderSlots:
    """At most `running` renders at once, and `waiting` more queued for a slot; beyond that (or after waiting
    `patience` seconds) a render is refused, so that page images cannot take every thread and the memory
    of the server."""

    def __init__(self, running: int, waiting: int, patience: float = 20.0) -> None:
        self._running = threading.BoundedSemaphore(running)
        self._admitted = 0
        self._limit = running + waiting
        self._patience = patience
        self._lock = threading.Lock()

    @contextmanager
    def slot(self) -> Iterator[bool]:
        """Yields whether the render may go ahead."""
        with self._lock:
            admitted = self._admitted < self._limit
            if admitted:
                self._admitted += 1
        if not admitted:
            yield False
            return
        try:
            got = self._running.acquire(timeout=self._patience)
            try:
                yield got
            finally:
                if got:
                    self._running.release()
        finally:
            with self._lock:
                self._admitted -= 1


CACHE = RenderCache(RENDER_CACHE_BYTES)
SLOTS = RenderSlots(RENDER_SLOTS, RENDER_WAITING)


class RenderBusy(Exception):
    """Every render slot is taken and the queue is full: the server says 503, try again shortly."""


def highlight_terms(terms: list[str]) -> tuple[str, ...]:
    """The words worth searching a page for: stripped, non-empty, at most MAX_HL_TERMS of MAX_HL_CHARS."""
    return tuple(dict.fromkeys(t.strip() for t in terms if t.strip() and len(t) <= MAX_HL_CHARS))[:MAX_HL_TERMS]


def _render(blob: Path, media_type: str, number: int, terms: list[str], meta: dict[str, Any],
            width: int) -> bytes | None:
    if media_type == "application/pdf":
        return _pdf_page(blob, number, terms, meta, width)
    return _image_page(blob, number, terms, meta, width)


def page_png(blob: Path, media_type: str, number: int, terms: list[str], meta: dict[str, Any],
             width: int) -> bytes | None:
    """The page as PNG with every occurrence of the terms highlighted, or None if it cannot be drawn; at
    most MAX_RENDER_PIXELS (larger pages drawn smaller), at most RENDER_SLOTS at once. RenderBusy when
    the server is drawing as many pages as it may; LimitExceeded for a scan too large to decode."""
    if not renderable(media_type) or number < 1:
        return None
    hl = highlight_terms(terms)
    key = (str(blob), media_type, number, hl, json.dumps(meta, sort_keys=True), width)
    png = CACHE.get(key)
    if png is not None:
        return png
    with SLOTS.slot() as ok:
        if not ok:
            raise RenderBusy(f"the server is drawing {RENDER_SLOTS} pages and {RENDER_WAITING} more are "
                             f"waiting; try again in a few seconds")
        png = _render(blob, media_type, number, list(hl), meta, width)
    if png is not None:
        CACHE.put(key, png)
    return png
