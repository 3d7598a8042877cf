"""Uyghur as OCR engines give it: the shared normalisation, and the Persian letters that look Uyghur."""

from __future__ import annotations

from functools import lru_cache

from exhibit.text import uyghur

# The Uyghur Arabic-script alphabet (UEY): 32 letters, hamza as the vowel carrier.
UYGHUR_ALPHABET = frozenset("ابپتجچخدرزژسشغفقكگڭلمنھوۇۆۈۋېىيەئ")
_VOWELS = frozenset("اەوۇۆۈېى")

# Letters that Persian/Arabic models give for the Uyghur ones (Farsi yeh, Arabic kaf, heh).
_UYGHUR_LETTERS = str.maketrans({"\u06cc": "\u064a", "\u06a9": "\u0643", "\u06c1": "\u06be"})


def normalize_uyghur(s: str) -> str:
    """Presentation forms to base letters, joiners removed (text.uyghur.normalize), Persian look-alikes to
    Uyghur letters."""
    return uyghur.normalize(s).translate(_UYGHUR_LETTERS)


def plausible(word: str) -> bool:
    """Does this word keep Uyghur spelling: Uyghur letters only and no bare vowel at its start?"""
    letters = [ch for ch in normalize_uyghur(word) if ch.isalpha()]
    return bool(letters) and all(ch in UYGHUR_ALPHABET for ch in letters) and letters[0] not in _VOWELS


@lru_cache(maxsize=1)
def uyghur_lexicon() -> frozenset[str]:
    """The words of the installed Tesseract uig pack's own dictionary, normalised (empty without it)."""
    from exhibit.ocr.engines import tesseract_wordlist

    return frozenset(normalize_uyghur(w) for w in tesseract_wordlist("uig"))


def plausible_share(s: str) -> float:
    """The share of the letters of `s` in words that Uyghur spelling allows: Uyghur letters only (no
    Arabic-only letters such as ث ذ ة, no Latin or digits inside a word), and a vowel at the start of a
    word written on its carrier ئ. Misreadings of Uyghur break these rules far more often than not."""
    total = ok = 0
    for word in normalize_uyghur(s).split():
        letters = [ch for ch in word if ch.isalpha()]
        if not letters:
            continue
        total += len(letters)
        if all(ch in UYGHUR_ALPHABET for ch in letters) and letters[0] not in _VOWELS:
            ok += len(letters)
    return ok / total if total else 0.0
