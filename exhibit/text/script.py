"""Which writing systems a text uses: Han, Arabic, Latin, Cyrillic."""

from __future__ import annotations

import re
from collections.abc import Iterable

from exhibit.text.chinese import HAN_CLASS
from exhibit.text.uyghur import ARABIC_CLASS

_SCRIPTS = {
    "Han": re.compile(f"[{HAN_CLASS}]"),
    "Arabic": re.compile(f"[{ARABIC_CLASS}]"),
    "Latin": re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff\uff21-\uff3a\uff41-\uff5a]"),
    "Cyrillic": re.compile("[\u0400-\u052f]"),
}


def scripts(s: str) -> set[str]:
    """The scripts with at least one letter in `s` (a regex search each, no per-character loop)."""
    return {name for name, rx in _SCRIPTS.items() if rx.search(s)}


_HAN_RX = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_ARABIC_RX = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN_RX = re.compile(r"[A-Za-z]")


def main_language(texts: Iterable[str]) -> str | None:
    """The main language of a document by script: zh (Han), ug (Arabic script), en (Latin), from the texts
    of its first pages. Regular expressions (C speed): a per-character loop here was an ingest bottleneck."""
    han = arabic = latin = 0
    for sample in texts:
        han += len(_HAN_RX.findall(sample))
        arabic += len(_ARABIC_RX.findall(sample))
        latin += len(_LATIN_RX.findall(sample))
    best = max((han * 3, "zh"), (arabic, "ug"), (latin, "en"))
    return best[1] if best[0] > 0 else None
