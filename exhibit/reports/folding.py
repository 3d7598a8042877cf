"""Folding quotations and page text alike (white space, width, script, case) while keeping offsets.

The folds are the search capability's (exhibit.text); applied per character here so that every folded
character remembers where it came from, which is what an excerpt or a closest passage needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from exhibit.text.chinese import fold_width, to_simplified
from exhibit.text.latin import fold as latin_fold

# Quotation marks and dashes a writer types differently from the document: fold them to one form.
_PUNCT = str.maketrans({
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "「": '"', "」": '"', "『": '"', "』": '"',
    "‘": "'", "’": "'", "‚": "'",
    "–": "-", "—": "-", "‒": "-", "―": "-", "−": "-", "‐": "-", "‑": "-",
    "…": "...",
})


@dataclass(frozen=True)
class Folded:
    """A folded text and, for each of its characters, the index of the original character it came from."""

    text: str
    origin: tuple[int, ...]
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original [start, end) that folded [start, end) came from."""
        if not self.origin:
            return 0, 0
        start = min(max(start, 0), len(self.origin) - 1)
        end = min(max(end, start + 1), len(self.origin))
        return self.origin[start], self.origin[end - 1] + 1


@cache
def fold_char(c: str) -> str:
    """One character folded; per character (memoised) so that every folded character keeps its origin."""
    if c.isspace():
        return ""
    s = fold_width(to_simplified(c)).translate(_PUNCT)
    s = latin_fold(s).translate(_PUNCT)
    return "".join(ch for ch in s if not ch.isspace())


def fold(text: str) -> Folded:
    """Drop white space, fold width, traditional to simplified, diacritics and case; keep offsets."""
    out: list[str] = []
    origin: list[int] = []
    for i, c in enumerate(text):
        f = fold_char(c)
        if f:
            out.append(f)
            origin.extend([i] * len(f))
    return Folded("".join(out), tuple(origin), text)


def fold_text(text: str) -> str:
    return "".join(fold_char(c) for c in text)
