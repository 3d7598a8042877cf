"""Text forms of OCR output: script detection, Uyghur normalisation and ULY, simplified Chinese.

The shared implementations live in `exhibit.text` (owned by search); until they exist this module
carries small private ones with the same behaviour, and it prefers the shared ones when importable.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cache, lru_cache
from typing import Any

_ARABIC_RUN = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]+")
# Joiners and marks OCR engines leave between Arabic letters; they carry no letter of their own.
_JOINERS = dict.fromkeys(map(ord, "\u200c\u200d\u200e\u200f\u0640\u061c"), None)
# Letters that Persian/Arabic models give for the Uyghur ones (Farsi yeh, Arabic kaf, heh).
_UYGHUR_LETTERS = str.maketrans({"\u06cc": "\u064a", "\u06a9": "\u0643", "\u06c1": "\u06be"})


def script_of(ch: str) -> str | None:
    """"Han", "Arabic", "Latin" or None (digits, punctuation, space, other scripts)."""
    o = ord(ch)
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FA1F:
        return "Han"
    if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFF:
        return "Arabic" if unicodedata.category(ch).startswith("L") else None
    if ch.isalpha() and (o < 0x250 or 0x1E00 <= o <= 0x1EFF):
        return "Latin"
    return None


def script_counts(s: str) -> Counter[str]:
    return Counter(sc for sc in map(script_of, s) if sc)


def scripts(s: str) -> set[str]:
    shared = _shared("script", "scripts")
    if shared is not None:
        return set(shared(s))
    return set(script_counts(s))


def normalize_uyghur(s: str) -> str:
    """Presentation forms to base letters (NFKC), joiners removed, Persian look-alikes to Uyghur letters."""
    shared = _shared("uyghur", "normalize")
    if shared is not None:
        return str(shared(s)).translate(_UYGHUR_LETTERS)
    return unicodedata.normalize("NFKC", s).translate(_JOINERS).translate(_UYGHUR_LETTERS)


def to_uly(s: str) -> str:
    """Uyghur Latin (ULY) for the Arabic-script runs of `s`; other text is left as it is (umsc would
    otherwise map Latin letters too, e.g. c -> j)."""
    shared = _shared("uyghur", "to_uly")
    if shared is not None:
        return str(shared(s))
    conv = _umsc()
    return _ARABIC_RUN.sub(lambda m: str(conv(m.group(0))), s)


def to_simplified(s: str) -> str:
    shared = _shared("chinese", "to_simplified")
    if shared is not None:
        return str(shared(s))
    return str(_opencc().convert(s))


@cache
def _shared(module: str, name: str) -> Any:
    try:
        mod = __import__(f"exhibit.text.{module}", fromlist=[name])
    except ImportError:
        return None
    return getattr(mod, name, None)


@lru_cache(maxsize=1)
def _umsc() -> Any:
    from umsc import UgMultiScriptConverter

    return UgMultiScriptConverter("UAS", "ULS")


@lru_cache(maxsize=1)
def _opencc() -> Any:
    import opencc

    return opencc.OpenCC("t2s")
