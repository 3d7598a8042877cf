"""Uyghur as OCR engines give it: the shared normalisation, and the Persian letters that look Uyghur."""

from __future__ import annotations

from exhibit.text import uyghur

# Letters that Persian/Arabic models give for the Uyghur ones (Farsi yeh, Arabic kaf, heh).
_UYGHUR_LETTERS = str.maketrans({"\u06cc": "\u064a", "\u06a9": "\u0643", "\u06c1": "\u06be"})


def normalize_uyghur(s: str) -> str:
    """Presentation forms to base letters, joiners removed (text.uyghur.normalize), Persian look-alikes to
    Uyghur letters."""
    return uyghur.normalize(s).translate(_UYGHUR_LETTERS)
