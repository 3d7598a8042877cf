"""Uyghur text: Arabic-script normalisation and conversion to and from ULY (Uyghur Latin Yéziqi)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

ARABIC_CLASS = "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff"
ARABIC_RE = re.compile(f"[{ARABIC_CLASS}]")
# A stretch of Arabic-script words (with the spaces between them), converted in one call.
ARABIC_RUN_RE = re.compile(f"[{ARABIC_CLASS}]+(?:[ \u00a0]+[{ARABIC_CLASS}]+)*")

# Joiners and tatweel only shape letters; Arabic-Indic and Persian digits are digits; keheh is typed for kaf.
_TABLE = {0x200C: None, 0x200D: None, 0x0640: None, 0x200B: None, 0x06A9: "\u0643"}
_TABLE.update({0x0660 + i: str(i) for i in range(10)})
_TABLE.update({0x06F0 + i: str(i) for i in range(10)})


def normalize(s: str) -> str:
    """Presentation forms to base letters (NFKC), joiners and tatweel removed, digits to ASCII."""
    return unicodedata.normalize("NFKC", s).translate(_TABLE)


def has_arabic(s: str) -> bool:
    return ARABIC_RE.search(s) is not None


@cache
def _converter(source: str, target: str) -> Any:
    from umsc import UgMultiScriptConverter

    return UgMultiScriptConverter(source, target)


def to_uly(s: str) -> str:
    """The Arabic-script parts of `s` in ULY Latin (lower case); other scripts are left alone.

    umsc converts whole strings and would misread Latin letters as its internal transcription
    (ABC -> abj), so only the Arabic runs are handed to it."""
    s = normalize(s)
    conv = _converter("UAS", "ULS")
    return ARABIC_RUN_RE.sub(lambda m: str(conv(m.group(0))), s)


def from_uly(s: str) -> str:
    """ULY Latin to Arabic script (umsc); Han and digits pass through."""
    return str(_converter("ULS", "UAS")(unicodedata.normalize("NFC", s)))
