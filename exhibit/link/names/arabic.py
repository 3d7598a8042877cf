"""Uyghur Arabic script (and Kazakh Cyrillic) to ULY, letter by letter from the data tables."""

from __future__ import annotations

import unicodedata

from exhibit.link.names.tables import arabic_letters, cyrillic_letters


def arabic_to_uly(text: str) -> str:
    from exhibit.text.uyghur import normalize  # presentation forms, joiners, tatweel, keheh

    letters = arabic_letters()
    out: list[str] = []
    for ch in normalize(text):
        if ch in letters:
            out.append(letters[ch])
        elif ch.isspace() or ch in "·.-":
            out.append(" ")
        elif unicodedata.category(ch) == "Mn":  # harakat: short vowels are not written in Uyghur names
            continue
    return "".join(out)


def cyrillic_to_latin(text: str) -> str:
    letters = cyrillic_letters()
    out: list[str] = []
    for ch in text:
        low = ch.lower()
        if low in letters:
            out.append(letters[low])
        else:
            out.append(ch)
    return "".join(out)
