"""Latin folding for matching: case and diacritics (Aygül, AYGUL -> aygul)."""

from __future__ import annotations

import re
import unicodedata

_MARKS_RE = re.compile("[\u0300-\u036f]")  # Latin combining diacritics only: Arabic hamza must survive
# Letters that carry their mark inside the letter, so decomposition does not separate it.
_LETTERS = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th",
                          "ð": "d", "ħ": "h", "ŋ": "ng"})


def fold(s: str) -> str:
    """Case-fold and strip Latin diacritics; other scripts are kept (recomposed with NFC)."""
    s = unicodedata.normalize("NFKD", s.casefold())
    return unicodedata.normalize("NFC", _MARKS_RE.sub("", s)).translate(_LETTERS)
