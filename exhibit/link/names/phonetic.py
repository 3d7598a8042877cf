"""The phonetic key of one name word written in ULY or any Latin spelling: vowel classes + consonant skeleton.

Why hand-written: no published phonetic algorithm covers Uyghur across Chinese, Arabic and Latin
spellings (Soundex, Metaphone and Beider-Morse target European names; Daitch-Mokotoff has no
Turkic vowels). The key collapses exactly the variant classes seen between the three scripts:
a/e (Mamat = Memet), i/é/y (Aigul = Aygül), o/u/ö/ü (Ruzi = Rozi, Usman = Osman), q/k/g/gh
(Qadir = Kadir, Turgun = Turghun), p/f (Yusup = Yusuf), t/d (Muhammad ~ Memet, Abdurashid =
Abdureshit), s/sh (艾山 = Hesen), j/ch/zh, w/v; h, x and kh are dropped (Mehmet = Memet,
Zulkhumar = Zulhumar, 艾山 has no h), r/l in the skeleton only, doubled letters count once (Nurnissa), the affectionate
suffix -jan is ignored (Alimjan = Alim) and so is a final vowel (Amina = Amine, 肉孜 rozi).
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

from exhibit.link.names.tables import uly_classes

_DIGRAPHS = ("ng", "gh", "sh", "ch", "zh", "kh")
_VOWELS = frozenset("AIU")
_VOWEL_LETTERS = frozenset("aeiouéöüy")  # "ng" before a vowel is n+g: Tursun-gül


class WordKey(NamedTuple):
    vowels: str  # class sequence with vowels, e.g. MAMAT
    skeleton: str  # consonants only, e.g. MMT


def _letters(word: str) -> list[str]:
    """Split a Latin word into ULY letters (digraphs first); letters outside the alphabet lose diacritics."""
    classes = uly_classes()
    w = word.casefold()
    out: list[str] = []
    i = 0
    while i < len(w):
        two = w[i:i + 2]
        if two in _DIGRAPHS and not (two == "ng" and w[i + 2:i + 3] in _VOWEL_LETTERS):
            out.append(two)
            i += 2
            continue
        c = w[i]
        if c == "'":  # syllable boundary from the Hanzi reading: 艾则孜 e'z'z is Eziz, not Ez
            out.append("'")
            i += 1
            continue
        if c not in classes:
            c = "".join(ch for ch in unicodedata.normalize("NFKD", c) if not unicodedata.combining(ch))
        if c and c in classes:
            if out and out[-1] == c:  # a doubled letter is one sound (Nurnissa, Yassin, Memmet)
                i += 1
                continue
            out.append(c)
        i += 1
    return out


def strip_suffix(word: str) -> str:
    low = word.casefold()
    for suffix in ("jan", "jon", "zhan"):
        if low.endswith(suffix) and len(low) - len(suffix) >= 3:
            return word[: len(word) - len(suffix)]
    return word


def word_key(word: str) -> WordKey:
    """The key of one name word (given name or father's name) in ULY or a Latin spelling."""
    classes = uly_classes()
    seq: list[str] = []
    for letter in _letters(strip_suffix(word)):
        if letter == "'":
            continue
        k = classes[letter]
        if k == "-":
            continue
        if seq and seq[-1] == k and k in _VOWELS:  # Ayigul = Aygul, Ibrayim = Ibrahim
            continue
        seq.append(k)
    while len(seq) > 2 and seq[-1] in _VOWELS:
        seq.pop()
    vowels = "".join(seq)
    # Chinese writes Uyghur r with l-syllables (巴拉提 Barat, 帕丽达 Parida), so the skeleton, which
    # blocking and the coarse comparison use, does not tell r from l; the vowel key still does.
    return WordKey(vowels, "".join(("L" if k == "R" else k) for k in seq if k not in _VOWELS))
