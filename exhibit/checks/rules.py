"""The internal-consistency tests of one record's ID number against itself and against the row's stated facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from exhibit.checks.codes import Code
from exhibit.records import idnumber
from exhibit.records.values import date_bounds

AGE_TOLERANCE = 1  # years: a register may be dated loosely, or an age counted the traditional way


@dataclass(frozen=True)
class Facts:
    """What the checks read from a stored record (no JSON parsing on the hot path)."""

    id_number: str | None
    id_value: str | None     # the ID cell as shown
    id_type: str             # its stored type ("n" = a number)
    id_stored: str | None    # its stored value when that differs from the shown one
    gender: str | None       # M | F as stated in the row
    age: int | None          # as stated in the row


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def codes(f: Facts, reference: str | None, today: dt.date) -> list[Code]:
    """The anomaly codes of one record (duplicate_id aside: that one needs every record).

    `reference` is the date the register speaks from (ISO, possibly only YYYY or YYYY-MM): the --as-of
    date, else the register's own. Without one, ages are not checked.
    """
    out: list[Code] = []
    if not f.id_number:
        return out
    mangled = idnumber.is_float_mangled(f.id_value or "", f.id_type, f.id_stored)
    if mangled:
        out.append(Code.FLOAT_MANGLED)
    d = idnumber.decode(f.id_number)
    if not d.length_ok:
        if not mangled:
            out.append(Code.BAD_LENGTH)
        return out
    # A float keeps the first 15 digits: region and birth date survive, the sequence and check digit don't.
    if d.checksum_ok is False and not mangled:
        out.append(Code.BAD_CHECKSUM)
    if d.region_state == "unknown":
        out.append(Code.UNKNOWN_REGION)
    elif d.region_state == "retired":
        out.append(Code.REGION_RETIRED)
    lo = hi = None
    if reference:
        lo, hi = date_bounds(reference)
    latest = hi or today
    birth = dt.date.fromisoformat(d.birth_date) if d.birth_date else None
    if birth is None or birth.year < 1880 or birth > latest:
        out.append(Code.IMPOSSIBLE_DATE)
    if f.gender and d.sex and f.gender != d.sex and not mangled:
        out.append(Code.GENDER_MISMATCH)
    if f.age is not None and birth is not None and lo is not None and hi is not None and birth <= hi:
        youngest, oldest = age_on(birth, lo), age_on(birth, hi)
        if f.age < youngest - AGE_TOLERANCE or f.age > oldest + AGE_TOLERANCE:
            out.append(Code.AGE_MISMATCH)
    return out
