"""Loads the name model's data tables (data/*.tsv) once, on first use."""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources


def _rows(name: str) -> list[list[str]]:
    text = resources.files("exhibit.link.names").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        rows.append(line.split("\t"))
    return rows


@cache
def hanzi_sounds() -> dict[str, str]:
    """Hanzi -> Uyghur sound in ULY, with an optional epenthetic vowel in parentheses: 不 -> b(u)."""
    return {r[0]: r[1] for r in _rows("hanzi_uyghur.tsv")}


@cache
def uly_classes() -> dict[str, str]:
    """ULY letter (or digraph) -> phonetic key class ('A', 'B', ... or '-' for dropped)."""
    out = {r[0]: r[1] for r in _rows("uly_alphabet.tsv")}
    # Spellings outside ULY that the press and the diaspora use for the same sounds.
    out.update({"kh": "-", "v": "W", "ch": "J", "ä": "A", "ı": "I", "ğ": "K", "ş": "S", "ç": "J"})
    return out


@cache
def arabic_letters() -> dict[str, str]:
    """Uyghur Arabic letter -> ULY."""
    return {r[0]: (r[1] if len(r) > 1 else "") for r in _rows("uyghur_arabic.tsv")}


@cache
def cyrillic_letters() -> dict[str, str]:
    """Kazakh Cyrillic letter -> Latin."""
    return {r[0]: (r[1] if len(r) > 1 else "") for r in _rows("kazakh_cyrillic.tsv")}


def fold(word: str) -> str:
    """Lower case without diacritics: the spelling-insensitive form lexicon lookups use."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


@cache
def lexicon() -> tuple[dict[str, str], dict[str, str]]:
    """(Hanzi word -> ULY name, folded Latin spelling -> ULY name) from data/names.tsv."""
    by_hanzi: dict[str, str] = {}
    by_latin: dict[str, str] = {}
    for r in _rows("names.tsv"):
        uly = r[0]
        for h in r[1].split(","):
            if h.strip():
                by_hanzi.setdefault(h.strip(), uly)
        for v in [uly, *r[2].split(",")] if len(r) > 2 else [uly]:
            if v.strip():
                by_latin.setdefault(fold(v), uly)
    return by_hanzi, by_latin
