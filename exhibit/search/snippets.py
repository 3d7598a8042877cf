"""Snippets: a window of a page or row around the matched words, marked «…» (plain) and <mark> (HTML)."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache

import numpy as np
from rapidfuzz.distance import Levenshtein

from exhibit.search import analysis
from exhibit.search.query import Highlights
from exhibit.text import chinese, latin, uyghur

WIDTH = 160
_H = chinese.HAN_CLASS
_WORD_RE = re.compile(f"[^\\W{_H}_]+")
_WS_RE = re.compile(r"\s+")


@cache
def _match_lut() -> np.ndarray:
    """The index's one-to-one folding plus lower case and Latin diacritics stripped, so that offsets in the
    folded text are offsets in the original."""
    lut = analysis._lut().copy()
    for c in list(range(0x41, 0x5B)) + list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)) + \
            list(range(0x400, 0x530)):
        f = latin.fold(chr(c))
        if len(f) == 1:
            lut[c] = ord(f)
    for c in range(0xFF21, 0xFF3B):  # full-width capitals
        lut[c] = c - 0xFEE0 + 0x20
    return lut


def match_fold(text: str) -> str:
    if not text:
        return text
    return np.asarray(_match_lut())[np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)].tobytes() \
        .decode("utf-32-le")


def spans(text: str, hl: Highlights) -> list[tuple[int, int]]:
    """(start, end) character offsets of the highlighted words in `text`, sorted, not overlapping."""
    folded = match_fold(text)
    found: list[tuple[int, int]] = []
    for seq in hl.han:
        rx = re.compile(r"[ \t\r\n]*".join(re.escape(c) for c in seq))
        found.extend(m.span() for m in rx.finditer(folded))
    if hl.words or hl.prefixes or hl.fuzzy:
        has_arabic = uyghur.has_arabic(text)
        for m in _WORD_RE.finditer(folded):
            w = m.group(0)
            forms = [w]
            if has_arabic and uyghur.has_arabic(w):
                forms = [uyghur.normalize(w), latin.fold(uyghur.to_uly(w))]
            if any(_word_matches(f, hl) for f in forms):
                found.append(m.span())
    found.sort()
    merged: list[tuple[int, int]] = []
    for a, b in found:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _word_matches(w: str, hl: Highlights) -> bool:
    if w in hl.words:
        return True
    if any(w.startswith(p) for p in hl.prefixes):
        return True
    return any(Levenshtein.distance(w, f, score_cutoff=n) <= n for f, n in hl.fuzzy.items())


def snippet(text: str, hl: Highlights, width: int = WIDTH) -> tuple[str, str]:
    """(plain text with «marks», HTML-escaped text with <mark>s) for the window around the first match."""
    text = unicodedata.normalize("NFC", text)
    found = spans(text, hl)
    if found:
        first = found[0][0]
        start = max(0, first - width // 3)
        # do not cut a word: move to the previous whitespace when there is one close by
        ws = text.rfind(" ", max(0, start - 15), start)
        if ws >= 0 and start > 0:
            start = ws + 1
    else:
        start = 0
    end = min(len(text), start + width)
    plain, marked = [], []
    pos = start
    for a, b in found:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        plain.append(_ws(text[pos:a]))
        marked.append(html.escape(_ws(text[pos:a])))
        plain.append("«" + _ws(text[a:b]) + "»")
        marked.append("<mark>" + html.escape(_ws(text[a:b])) + "</mark>")
        pos = b
    plain.append(_ws(text[pos:end]))
    marked.append(html.escape(_ws(text[pos:end])))
    pre = "…" if start > 0 else ""
    post = "…" if end < len(text) else ""
    return (pre + "".join(plain).strip() + post, pre + "".join(marked).strip() + post)


def _ws(s: str) -> str:
    return _WS_RE.sub(" ", s)
