"""Which writing systems a text uses, by ISO 15924 code: Han, Arabic, Latin, Cyrillic letters.

The one script detector of the package: OCR, ingest, linking, reports and the web app all count
letters with it. Counting is a regular expression per script (C speed), never a loop over characters.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from enum import StrEnum


class Script(StrEnum):
    """A writing system, by its ISO 15924 code (the values are what is stored and shown)."""

    HANI = "Hani"
    ARAB = "Arab"
    LATN = "Latn"
    CYRL = "Cyrl"


# The letters of each script, as ranges usable inside a regular expression's [...]. Only letters
# (Unicode category L) count: digits, punctuation, marks and spaces belong to no script here, so
# "2017-yili" and "2017-يىلى" are told apart by their words, not their numbers.
# Han: CJK Unified Ideographs (BMP and Extension A), compatibility ideographs, Extensions B-G and the
# compatibility supplement (chinese.HAN_CLASS adds 〇, a number, for search).
HANI_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# The letters of the Arabic blocks (Arabic, Supplement, Presentation Forms A and B) that
# uyghur.ARABIC_CLASS spans; harakat, Arabic-Indic digits and Arabic punctuation are left out.
ARAB_CLASS = ("\u0620-\u064a\u066e-\u066f\u0671-\u06d3\u06d5\u06e5-\u06e6\u06ee-\u06ef\u06fa-\u06fc\u06ff"
              "\u0750-\u077f\ufb50-\ufbb1\ufbd3-\ufd3d\ufd50-\ufd8f\ufd92-\ufdc7\ufdf0-\ufdfb\ufe70-\ufe74"
              "\ufe76-\ufefc")
# Basic Latin, Latin-1 (without × and ÷), Extended A and B, Extended Additional (Vietnamese), full-width.
LATN_CLASS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff\uff21-\uff3a\uff41-\uff5a"
# Cyrillic and Cyrillic Supplement (Kazakh, Kyrgyz) without the thousands sign and combining marks.
CYRL_CLASS = "\u0400-\u0481\u048a-\u052f"

CLASSES: dict[Script, str] = {Script.HANI: HANI_CLASS, Script.ARAB: ARAB_CLASS, Script.LATN: LATN_CLASS,
                              Script.CYRL: CYRL_CLASS}
HANI_RE = re.compile(f"[{HANI_CLASS}]")
ARAB_RE = re.compile(f"[{ARAB_CLASS}]")
LATN_RE = re.compile(f"[{LATN_CLASS}]")
CYRL_RE = re.compile(f"[{CYRL_CLASS}]")
_RES: dict[Script, re.Pattern[str]] = {Script.HANI: HANI_RE, Script.ARAB: ARAB_RE, Script.LATN: LATN_RE,
                                       Script.CYRL: CYRL_RE}
# A tie goes to the script that is not Latin: Latin letters are what other scripts' texts carry
# (acronyms, codes, transliterations), so "Ivan Иван" is a Cyrillic name.
_TIE_ORDER = (Script.HANI, Script.ARAB, Script.CYRL, Script.LATN)


def script_of(ch: str) -> Script | None:
    """The script of one character; None for digits, punctuation, marks, space and other scripts."""
    for script, rx in _RES.items():
        if rx.match(ch):
            return script
    return None


def script_counts(s: str) -> Counter[Script]:
    """How many letters of each script `s` has (scripts without letters are absent)."""
    counts: Counter[Script] = Counter()
    for script, rx in _RES.items():
        n = len(rx.findall(s))
        if n:
            counts[script] = n
    return counts


def scripts(s: str) -> set[Script]:
    """The scripts with at least one letter in `s`."""
    return {script for script, rx in _RES.items() if rx.search(s)}


def has_script(s: str, script: Script) -> bool:
    """Whether `s` has at least one letter of `script`."""
    return _RES[script].search(s) is not None


def dominant_script(s: str) -> Script | None:
    """The script with the most letters in `s` (ties go to the non-Latin one); None without letters."""
    counts = script_counts(s)
    if not counts:
        return None
    return max(_TIE_ORDER, key=lambda sc: counts[sc])


def main_language(texts: Iterable[str]) -> str | None:
    """The main language of a document from its pages' texts: "zh" (Han), "ug" (Arabic script) or "en"
    (Latin); None without letters. The first 20 pages' first 5000 characters are counted, and a Han
    character weighs three letters (a Chinese word is one or two characters). A page whose language is
    already known should decide instead; the caller checks that."""
    han = arabic = latin = 0
    for i, text in enumerate(texts):
        if i >= 20:
            break
        counts = script_counts(text[:5000])
        han += counts[Script.HANI]
        arabic += counts[Script.ARAB]
        latin += counts[Script.LATN]
    best = max((han * 3, "zh"), (arabic, "ug"), (latin, "en"))
    return best[1] if best[0] > 0 else None
