"""Folding quotations and page text alike (white space, width, script, case) while keeping offsets.

The folds are the search capability's (exhibit.text); applied per character here so that every folded
character remembers where it came from, which is what an excerpt or a closest passage needs.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate

from exhibit.text.chinese import fold_width, to_simplified
from exhibit.text.latin import fold as latin_fold

# Quotation marks and dashes a writer types differently from the document: fold them to one form.
_PUNCT = str.maketrans({
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "「": '"', "」": '"', "『": '"', "』": '"',
    "‘": "'", "’": "'", "‚": "'",
    "–": "-", "—": "-", "‒": "-", "―": "-", "−": "-", "‐": "-", "‑": "-",
    "…": "...",
})


# ord -> folded text of every character seen so far, for str.translate (C speed on long pages).
_TABLE: dict[int, str] = {}
_SEEN: set[str] = set()


@dataclass(frozen=True)
class Folded:
    """A folded text and its original; `span` maps folded offsets back (computed when first needed)."""

    text: str
    original: str

    @cached_property
    def _ends(self) -> list[int]:
        """For each original character, the folded length up to and including it (built at C speed)."""
        return list(accumulate(map(len, map(_TABLE.__getitem__, map(ord, self.original)))))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original [start, end) that folded [start, end) came from."""
        if not self.text:
            return 0, 0
        start = min(max(start, 0), len(self.text) - 1)
        end = min(max(end, start + 1), len(self.text))
        ends = self._ends
        return bisect_right(ends, start), bisect_right(ends, end - 1) + 1


def fold_char(c: str) -> str:
    """One character folded; per character so that every folded character keeps its origin."""
    if c.isspace():
        return ""
    s = fold_width(to_simplified(c)).translate(_PUNCT)
    s = latin_fold(s).translate(_PUNCT)
    return "".join(ch for ch in s if not ch.isspace())


def fold(text: str) -> Folded:
    """Drop white space, fold width, traditional to simplified, diacritics and case; keep offsets."""
    for c in set(text).difference(_SEEN):
        _TABLE[ord(c)] = fold_char(c)
        _SEEN.add(c)
    return Folded(text.translate(_TABLE), text)


def fold_text(text: str) -> str:
    return fold(text).text
