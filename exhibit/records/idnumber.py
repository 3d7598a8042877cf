"""Resident ID numbers (GB 11643): normalise what a register shows, keep the original, decode the parts."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from stdnum.cn import ric

from exhibit.records import regions

# Separators people and programs put into ID numbers: spaces of every width, the apostrophe Excel users
# type to force text, quotes, dashes.
_SEPARATORS = re.compile(r"[\s\u00a0\u3000'’‘`\"“”\-‐‑–—_]+")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DIGITS = re.compile(r"^\d+X?$")
_SHAPE = re.compile(r"^\d{17}[\dX]$|^\d{15}$")


def normalise(text: str | None) -> str:
    """'６５３２２２ １９８１０８１６６６７８', "'65322219810816667x" -> '65322219810816667X' (no validation)."""
    if not text:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    bare = _SEPARATORS.sub("", s).upper()
    if "E" in bare or bare.endswith(".0"):
        as_number = number_text(bare)
        if as_number is not None:
            return as_number
    if _DIGITS.match(bare):
        return bare
    # not a resident ID (a passport or file number): only the spaces go
    return re.sub(r"\s+", "", s).strip("'’‘`\"“”")


def number_text(s: str) -> str | None:
    """The digits of a number as stored ('6.532221985041224e+17' -> '653222198504122400'), else None."""
    if not _NUMBER.match(s):
        return None
    try:
        d = Decimal(s)
    except InvalidOperation:
        return None
    if d != d.to_integral_value() or d < 0:
        return None
    return str(int(d))


def from_cell(value: str, cell_type: str = "s", raw: str | None = None) -> tuple[str, bool]:
    """(normalised ID, stored_as_number) for a register cell; a number's stored value (raw) wins over
    its display, which spreadsheets round or print in scientific notation."""
    if cell_type == "n":
        digits = number_text(normalise(raw or value).replace(",", "")) or normalise(value)
        return digits, True
    return normalise(value), False


def is_float_mangled(value: str, cell_type: str, raw: str | None) -> bool:
    """A number cell cannot hold an 18-digit ID: a float keeps 15-17 significant digits, so one stored as
    a number lost its last digits (and can never have held a final X)."""
    if cell_type != "n":
        return False
    digits, _ = from_cell(value, cell_type, raw)
    shown = normalise(raw or value)
    return len(digits) > 15 or "E" in shown


@dataclass(frozen=True)
class Decoded:
    """What an ID number says about its holder, and what is wrong with it as a number."""

    number: str
    length_ok: bool
    checksum_ok: bool | None      # None: 15-digit IDs have no check digit, or the length is wrong
    birth_date: str | None        # ISO; None when the digits do not form a real date
    birth_digits: str | None      # the 8 date digits as written, real date or not
    sex: str | None               # M (odd sequence digit) | F (even)
    region_code: str | None
    region: regions.Region | None
    region_state: str             # valid | unknown | retired | later | ""


def decode(number: str) -> Decoded:
    if not _SHAPE.match(number):
        return Decoded(number, False, None, None, None, None, number[:6] if len(number) >= 6 and
                       number[:6].isdigit() else None, None, "")
    if len(number) == 18:
        digits, sex_digit = number[6:14], number[16]
        checksum_ok: bool | None = ric.calc_check_digit(number) == number[17]  # ISO 7064 MOD 11-2
    else:  # first-generation 15-digit ID (before 1999): YYMMDD, no check digit
        digits, sex_digit = "19" + number[6:12], number[14]
        checksum_ok = None
    try:
        birth: dt.date | None = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        birth = None
    year = birth.year if birth else int(digits[:4])
    region, state = regions.lookup(number[:6], year)
    return Decoded(number, True, checksum_ok, birth.isoformat() if birth else None, digits,
                   "M" if int(sex_digit) % 2 else "F", number[:6], region, state)


def mask(number: str | None) -> str | None:
    """Region and birth year only: '653222198108166678' -> '6532221981**********'."""
    if not number:
        return number
    if _SHAPE.match(number):
        year = number[6:10] if len(number) == 18 else "19" + number[6:8]
        return number[:6] + year + "*" * (len(number) - 10 if len(number) == 18 else 5)
    return "*" * len(number)
