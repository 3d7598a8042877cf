"""Snippets: a window of a page or row around the matched words, marked «…» (plain) and <mark> (HTML)."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache

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


def spans(text: str, hl: Highlights, width: int | None = None) -> list[tuple[int, int]]:
    """(start, end) character offsets of the highlighted words in `text`, sorted, not overlapping; with
    `width`, only those in the snippet window (see `window`) around the first match."""
    folded = match_fold(text)
    rx = _pattern(frozenset(hl.han), frozenset(hl.words), frozenset(hl.prefixes))
    has_arabic = bool(hl.words or hl.prefixes or hl.fuzzy) and uyghur.has_arabic(text)
    slow = bool(hl.fuzzy) or has_arabic  # edit distances and transliterations: word by word
    lo, hi = 0, len(text)
    if width is not None:
        firsts = [next(_matches(rx, folded, 0, len(folded)), None)] if rx is not None else []
        if slow:
            firsts.append(next(_slow_matches(folded, hl, has_arabic, 0, len(folded)), None))
        first = [m.start() for m in firsts if m is not None]
        lo, hi = window(text, min(first) if first else None, width)
    found: list[tuple[int, int]] = []
    if rx is not None:
        found.extend(m.span() for m in _matches(rx, folded, lo, hi))
    if slow:
        found.extend(m.span() for m in _slow_matches(folded, hl, has_arabic, lo, hi))
    found.sort()
    merged: list[tuple[int, int]] = []
    for a, b in found:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _slow_matches(folded: str, hl: Highlights, has_arabic: bool, lo: int, hi: int) -> Iterator[re.Match[str]]:
    for m in _WORD_RE.finditer(folded, lo, hi):
        w = m.group(0)
        forms = [w]
        if has_arabic and uyghur.has_arabic(w):
            forms = [uyghur.normalize(w), latin.fold(uyghur.to_uly(w))]
        if any(_word_matches(f, hl) for f in forms):
            yield m


def window(text: str, first: int | None, width: int) -> tuple[int, int]:
    """The snippet's [start, end): a third of it before the first match, not cutting a word if avoidable."""
    if first is None:
        return 0, min(len(text), width)
    start = max(0, first - width // 3)
    ws = text.rfind(" ", max(0, start - 15), start)
    if ws >= 0 and start > 0:
        start = ws + 1
    return start, min(len(text), start + width)


@lru_cache(maxsize=256)
def _pattern(han: frozenset[str], words: frozenset[str], prefixes: frozenset[str]) -> re.Pattern[str] | None:
    """One regex for the Han sequences (whitespace allowed between characters, as indexed), whole words
    and word prefixes, so that matching runs in C. A word must not continue a longer word: that is checked
    on the character before each match (`_word_start`), because a lookbehind at the start of the pattern
    stops `re` from scanning for the words' first letters and made snippets of English pages 5x slower."""
    alts = [r"[ \t\r\n]*".join(re.escape(c) for c in seq) for seq in sorted(han, key=len, reverse=True)]
    wordish = [re.escape(w) for w in sorted(words, key=len, reverse=True)]
    wordish += [re.escape(p) + f"[^\\W{_H}_]*" for p in sorted(prefixes, key=len, reverse=True)]
    if wordish:
        alts.append("(?:" + "|".join(wordish) + f")(?![^\\W{_H}_])")
    return re.compile("|".join(alts)) if alts else None


def _word_start(folded: str, m: re.Match[str]) -> bool:
    """False when a word match continues a longer word (Han sequences match anywhere)."""
    i = m.start()
    if i == 0 or chinese.HAN_RE.match(m.group(0)):
        return True
    c = folded[i - 1]
    return not (c.isalnum() and not chinese.HAN_RE.match(c))


def _matches(rx: re.Pattern[str], folded: str, lo: int, hi: int) -> Iterator[re.Match[str]]:
    return (m for m in rx.finditer(folded, lo, hi) if _word_start(folded, m))


def _word_matches(w: str, hl: Highlights) -> bool:
    if w in hl.words:
        return True
    if any(w.startswith(p) for p in hl.prefixes):
        return True
    return any(Levenshtein.distance(w, f, score_cutoff=n) <= n for f, n in hl.fuzzy.items())


def snippet(text: str, hl: Highlights, width: int = WIDTH) -> tuple[str, str]:
    """(plain text with «marks», HTML-escaped text with <mark>s) for the window around the first match."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    found = spans(text, hl, width)
    start, end = window(text, found[0][0] if found else None, width)
    plain, marked = [], []
    pos = start
    for a, b in found:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        plain.append(text[pos:a])
        marked.append(html.escape(text[pos:a]))
        plain.append("«" + text[a:b] + "»")
        marked.append("<mark>" + html.escape(text[a:b]) + "</mark>")
        pos = b
    plain.append(text[pos:end])
    marked.append(html.escape(text[pos:end]))
    pre = "…" if start > 0 else ""
    post = "…" if end < len(text) else ""
    return (pre + _ws("".join(plain)).strip() + post, pre + _ws("".join(marked)).strip() + post)


_WRAP_RE = re.compile(f"(?<=[{_H}»>])[ \t\r]*\n[ \t\r]*(?=[{_H}«<])")


def _ws(s: str) -> str:
    """Whitespace collapsed; a line break between Han characters (a wrapped line) removed."""
    return _WS_RE.sub(" ", _WRAP_RE.sub("", s))
