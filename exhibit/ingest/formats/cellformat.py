"""Spreadsheet cell values as Excel shows them: the General format and simple number formats.

Written by hand because neither openpyxl nor xlrd renders number formats; the rules follow Excel's
General format for a default-width column (11 characters, 15 significant digits, then 6-digit
scientific notation), which is exactly how an 18-digit ID typed as a number is seen: 6.53222E+17.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

_SIMPLE = re.compile(r"^[#,0]*(?:\.([0#]+))?(%?)$")
_NOISE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')


def stored(value: float) -> str:
    """The number as Excel stores it: at most 15 significant digits (6.53222198504122e+17)."""
    return f"{value:.15g}"


def general(value: float) -> str:
    if value == 0:
        return "0"
    v = Decimal(stored(value))
    a = abs(v)
    width = 11 - (1 if v < 0 else 0)
    if Decimal("1e-9") <= a < Decimal("1e11"):
        int_digits = len(str(int(a))) if a >= 1 else 1
        decimals = max(0, width - int_digits - 1)
        text = f"{v:.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        if len(text) <= 11 and text not in ("0", "-0"):
            return text
    mantissa, exponent = f"{value:.5E}".split("E")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    sign, digits = exponent[0], exponent[1:].lstrip("0").rjust(2, "0")
    return f"{mantissa}E{sign}{digits}"


def _section(fmt: str | None) -> tuple[str, re.Match[str] | None]:
    """The format's first section without literals and colours, and its match as a plain numeric format
    (None: the number is shown as General shows it)."""
    section = _NOISE.sub("", (fmt or "General").split(";")[0]).strip()
    m = _SIMPLE.match(section)
    if not section or section.lower() == "general" or section == "@" or not section.strip("%"):
        return section, None
    return section, m


def shows_general(fmt: str | None) -> bool:
    """Whether `number` shows a number with this format as the General format does."""
    return _section(fmt)[1] is None


def number(value: float | int, fmt: str | None) -> str:
    """A number rendered with its cell's number format where that format is a plain numeric one."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    section, m = _section(fmt)
    if m is None:
        return general(float(value))
    decimals = len(m.group(1) or "")
    v = Decimal(stored(float(value)))
    if m.group(2):
        v *= 100
    text = f"{v:,.{decimals}f}" if "," in section else f"{v:.{decimals}f}"
    return text + m.group(2)


def when(value: dt.datetime | dt.date | dt.time | dt.timedelta) -> str:
    """A date or time as ISO 8601 (a midnight datetime as a plain date)."""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)
