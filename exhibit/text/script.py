"""Which writing systems a text uses: Han, Arabic, Latin, Cyrillic."""

from __future__ import annotations

import re

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
