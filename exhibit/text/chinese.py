"""Chinese text folding: traditional to simplified (OpenCC), full-width to half-width, Han character ranges."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

from exhibit.text.script import HANI_CLASS

# Han ideographs (script.HANI_CLASS: CJK Unified, Extension A, compatibility ideographs, Extensions B-G)
# and 〇, which is a number but is written and searched as a character.
HAN_CLASS = "\u3007" + HANI_CLASS
HAN_RE = re.compile(f"[{HAN_CLASS}]")
HAN_RUN_RE = re.compile(f"[{HAN_CLASS}]+")


@cache
def _converter() -> Any:
    # Both PyPI distributions named opencc (the C++ binding `opencc`, ~80 MB/s here, and the pure-Python
    # `opencc-python-reimplemented`, ~1.4 MB/s) install the module `opencc` with the same OpenCC('t2s') API.
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(s: str) -> str:
    """Traditional to simplified Chinese with OpenCC's t2s phrase and character dictionaries (for display)."""
    if not s or not HAN_RE.search(s):
        return s
    return str(_converter().convert(s))


@cache
def simplified_table() -> dict[int, str]:
    """A one-character-to-one-character t2s table for str.translate, derived from OpenCC itself.

    Search folds with this instead of to_simplified: phrase-level conversion depends on the neighbouring
    characters, so a short query and the long text it occurs in could be converted differently and stop
    matching; a per-character map is the same in both and runs at str.translate speed."""
    ranges = [(0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0)]
    chars = [chr(c) for a, b in ranges for c in range(a, b)]
    converted = _converter().convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # a conversion merged lines: fall back to checking one at a time
        converted = [_converter().convert(c) for c in chars]
    return {ord(c): s for c, s in zip(chars, converted, strict=True) if s != c and len(s) == 1}


def fold_simplified(s: str) -> str:
    """Traditional characters to simplified, one character at a time (same length as the input)."""
    return s.translate(simplified_table())


def fold_width(s: str) -> str:
    """Full-width letters, digits and punctuation to half-width (NFKC): ＡＢＣ１２３ -> ABC123."""
    return unicodedata.normalize("NFKC", s)


def has_han(s: str) -> bool:
    return HAN_RE.search(s) is not None
