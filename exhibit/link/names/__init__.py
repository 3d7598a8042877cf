"""The name model: any written form of a Uyghur, Kazakh or Han person's name -> comparable phonetic keys.

    >>> a, b = parse_name("买买提·吐尔逊"), parse_name("Mamat Tursun")
    >>> (a.given.skeleton, a.father.skeleton) == (b.given.skeleton, b.father.skeleton)
    True

Tables it builds on (data/, each cites its source): hanzi_uyghur.tsv (DB65/T 2189-2005 syllables),
uly_alphabet.tsv (ULY 2000-2001), uyghur_arabic.tsv, kazakh_cyrillic.tsv, names.tsv (common names).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from exhibit.link.names.arabic import arabic_to_uly, cyrillic_to_latin
from exhibit.link.names.hanzi import han_name, is_han_name, uyghur_word
from exhibit.link.names.phonetic import WordKey, word_key
from exhibit.link.names.tables import fold, lexicon
from exhibit.text.script import Script, dominant_script

__all__ = ["NamePart", "PersonName", "parse_name", "word_key", "WordKey", "script_of"]

# Given name and father's name are joined by a middle dot in Chinese registers (· U+00B7, ・ U+30FB,
# • U+2022, ‧ U+2027, 丶, or a full stop / space when typed in a hurry).
_SEP = re.compile(r"[\s·・•‧.．丶_/]+")
_SUFFIXES = {"gul", "gül", "guli", "jan", "jon", "khan", "xan"}


@dataclass(frozen=True, slots=True)
class NamePart:
    uly: str  # the word in ULY (or pinyin for Han names), as well as it can be recovered
    key: str  # vowel classes + consonants, e.g. MAMAT
    skeleton: str  # consonants only, e.g. MMT


@dataclass(frozen=True, slots=True)
class PersonName:
    original: str
    script: str  # "Hani", "Arab", "Latn", "Cyrl", "Han-name" (a Han Chinese name read in pinyin)
    given: NamePart
    father: NamePart | None  # father's name for Uyghur/Kazakh names; family name for Han names

    @property
    def display(self) -> str:
        return " ".join(p.uly for p in (self.given, self.father) if p)

    @property
    def full_skeleton(self) -> str:
        return "".join(p.skeleton for p in (self.given, self.father) if p)


def script_of(text: str) -> Script:
    """The main script of a name: Hani, Arab, Cyrl or Latn (also when it has no letters)."""
    return dominant_script(text) or Script.LATN


@lru_cache(maxsize=131072)
def _part(word: str) -> NamePart:
    _, by_latin = lexicon()
    uly = by_latin.get(fold(word), word)
    k = word_key(uly)
    return NamePart(uly, k.vowels, k.skeleton)


def _latin_words(text: str) -> list[str]:
    words: list[str] = []
    for w in _SEP.split(text.strip()):
        w = w.strip("-'’,;()[]\"")
        if not w:
            continue
        if words and fold(w) in _SUFFIXES:  # "Rena gul" = Renagül, "Alim jan" = Alimjan
            words[-1] += w
        else:
            words.append(w)
    return words


def parse_name(text: str) -> PersonName | None:
    """Read a name in any script; None when there is nothing name-like in it."""
    text = unicodedata.normalize("NFC", text or "").strip()
    if not text:
        return None
    script = script_of(text)
    if script == Script.HANI:
        compact = re.sub(r"\s+", "", text)
        if is_han_name(compact):
            han_given, family = han_name(compact)
            return PersonName(text, "Han-name", _part(han_given), _part(family))
        words = [uyghur_word(w) for w in _SEP.split(compact) if w]
    elif script == Script.ARAB:
        words = _latin_words(arabic_to_uly(text))
    elif script == Script.CYRL:
        words = _latin_words(cyrillic_to_latin(text))
    else:
        words = _latin_words(text)
    if not words:
        return None
    parts = [_part(w) for w in words]
    given = parts[0]
    father = None
    if len(parts) > 1:
        rest = parts[1:]
        father = rest[0] if len(rest) == 1 else NamePart(
            " ".join(p.uly for p in rest), "".join(p.key for p in rest), "".join(p.skeleton for p in rest))
    return PersonName(text, script, given, father)
