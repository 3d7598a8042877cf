"""A page's text as positioned characters (PDF text layer or OCR boxes), folded for matching.

Matching runs on the folded text (white space dropped, width, traditional/simplified, case and
diacritics folded: the same folds as search) and maps every match back to the boxes of the characters it
came from, one box per line, so that a name split over two lines of a register cell is still found whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pymupdf

from exhibit.redact.types import Box
from exhibit.text.chinese import fold_width, to_simplified
from exhibit.text.latin import fold as latin_fold
from exhibit.text.script import Script, has_script


@lru_cache(maxsize=65536)
def fold_char(c: str) -> str:
    if c.isspace():
        return ""
    s = latin_fold(fold_width(to_simplified(c)))
    return "".join(ch for ch in s if not ch.isspace() and ch not in "·•・‧.-_")


def fold(text: str) -> str:
    """The folded form verification and matching compare (no white space, one width, simplified, lower)."""
    return "".join(map(fold_char, text))


@dataclass
class PageGlyphs:
    """The characters of one page in reading order, each with its box (None for line breaks)."""

    chars: list[str]
    boxes: list[Box | None]
    _folded: str | None = None
    _back: list[int] | None = None

    @property
    def raw(self) -> str:
        return "".join(self.chars)

    def _fold(self) -> tuple[str, list[int]]:
        if self._folded is None or self._back is None:
            parts: list[str] = []
            back: list[int] = []
            for i, c in enumerate(self.chars):
                f = fold_char(c)
                parts.append(f)
                back.extend([i] * len(f))
            self._folded, self._back = "".join(parts), back
        return self._folded, self._back

    @property
    def folded(self) -> str:
        return self._fold()[0]

    def find(self, value: str) -> list[list[Box]]:
        """Every occurrence of `value` (folded) as the boxes of its lines."""
        needle = fold(value)
        if not needle:
            return []
        text, back = self._fold()
        out: list[list[Box]] = []
        start = text.find(needle)
        while start >= 0:
            end = start + len(needle)
            out.append(self.span_boxes(back[start], back[end - 1] + 1))
            start = text.find(needle, end)
        return out

    def find_raw(self, pattern: re.Pattern[str]) -> list[tuple[str, list[Box]]]:
        """Every match of a pattern on the unfolded text, with its boxes."""
        return [(m.group(0), self.span_boxes(m.start(), m.end())) for m in pattern.finditer(self.raw)]

    def span_boxes(self, start: int, end: int) -> list[Box]:
        """The characters [start, end) as one box per line (a line break or a jump back starts a new one)."""
        out: list[Box] = []
        cur: Box | None = None
        for b in self.boxes[start:end]:
            if b is None:
                if cur is not None:
                    out.append(cur)
                cur = None
                continue
            if cur is not None and (b.y0 >= cur.y1 or b.y1 <= cur.y0):
                out.append(cur)
                cur = None
            cur = b if cur is None else cur.union(b)
        if cur is not None:
            out.append(cur)
        return out

    def text_in(self, box: Box) -> str:
        """The characters whose box meets `box` (what a drawn box removes), lines joined by a space."""
        lines: list[str] = []
        cur: list[str] = []
        for c, b in zip(self.chars, self.boxes, strict=True):
            if b is None:
                if cur:
                    lines.append("".join(cur))
                cur = []
            elif b.intersects(box):
                cur.append(c)
        if cur:
            lines.append("".join(cur))
        return " ".join(line.strip() for line in lines if line.strip())

    def extend(self, other: PageGlyphs) -> None:
        self.chars += ["\n", *other.chars]
        self.boxes += [None, *other.boxes]
        self._folded = self._back = None


def from_pdf_page(page: pymupdf.Page) -> PageGlyphs:
    """The text layer's characters with their boxes (invisible text too: an OCR layer is text all the same)."""
    chars: list[str] = []
    boxes: list[Box | None] = []
    raw = page.get_text("rawdict", flags=pymupdf.TEXTFLAGS_RAWDICT & ~pymupdf.TEXT_PRESERVE_IMAGES)
    for block in raw.get("blocks", []):
        for line in block.get("lines", []):
            for span in line.get("spans", []):
                for ch in span.get("chars", []):
                    chars.append(ch["c"])
                    boxes.append(Box.of(*ch["bbox"]))
            chars.append("\n")
            boxes.append(None)
    return PageGlyphs(chars, boxes)


def from_ocr(meta: dict[str, Any], scale_x: float, scale_y: float) -> PageGlyphs:
    """OCR line boxes (image pixels) split into characters, each given a share of its line's width by its
    rough advance (Arabic-script lines keep the whole line box: their glyph widths vary too much), scaled
    to page units and widened by a third of a character, since an estimate must err towards removing."""
    chars: list[str] = []
    boxes: list[Box | None] = []
    for b in meta.get("boxes") or []:
        if not isinstance(b, list | tuple) or len(b) < 5:
            continue
        x0, y0, x1, y1 = (float(v) for v in b[:4])
        text = str(b[4])
        widths = [_advance(c) for c in text]
        total = sum(widths) or 1.0
        unit = (x1 - x0) / total
        arabic = has_script(text, Script.ARAB)
        pos = x0
        for c, w in zip(text, widths, strict=True):
            if arabic:
                cb = Box.of(x0, y0, x1, y1)
            else:
                pad = unit * 0.35
                cb = Box.of(max(x0, pos - pad), y0, min(x1, pos + unit * w + pad), y1)
            pos += unit * w
            chars.append(c)
            boxes.append(Box.of(cb.x0 * scale_x, cb.y0 * scale_y, cb.x1 * scale_x, cb.y1 * scale_y))
        chars.append("\n")
        boxes.append(None)
    return PageGlyphs(chars, boxes)


def _advance(ch: str) -> float:
    return 0.55 if ord(ch) < 0x2E80 and not 0xFF00 <= ord(ch) <= 0xFFEF else 1.0
