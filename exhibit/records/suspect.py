"""The SQL test that finds, inside SQLite, every record whose ID number might carry an anomaly code.

It is a cheap superset: extraction stores its result on each record (`suspect`), so that checking a
million records sends only the few suspect ones to exhibit.checks, which judges each with its one
definition of every code. A clean row costs no Python at all.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from exhibit.records import regions

SHAPE18 = "[0-9]" * 17 + "[0-9X]"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def suspect_sql(idn: str, gender: str, age: str, id_cell: str) -> str:
    """A boolean SQL expression over the given column expressions; parameters :lo_year, :hi_year, :hi8
    (the register's date bounds; :lo_year NULL when it has no date) and the temp table `stable_codes`."""
    # ISO 7064 MOD 11-2: the check character is '10X98765432'[sum of weighted digits mod 11]
    check_char = "substr('10X98765432', (" + " + ".join(
        f"substr({idn}, {i + 1}, 1) * {w}" for i, w in enumerate(_WEIGHTS)) + ") % 11 + 1, 1)"
    birth = f"substr({idn}, 7, 4) || '-' || substr({idn}, 11, 2) || '-' || substr({idn}, 13, 2)"
    # strftime(..., '+0 days') normalises 30 February to 2 March: a date that changes was not real
    return f"""({idn} IS NOT NULL AND {idn} != '' AND (
     {id_cell} IS NOT NULL
  OR {idn} NOT GLOB '{SHAPE18}'
  OR substr({idn}, 18, 1) != {check_char}
  OR strftime('%Y%m%d', {birth}, '+0 days') IS NOT substr({idn}, 7, 8)
  OR substr({idn}, 7, 8) < '18800101' OR substr({idn}, 7, 8) > :hi8
  OR ({gender} IS NOT NULL AND {gender} != (CASE WHEN substr({idn}, 17, 1) IN ('1', '3', '5', '7', '9')
                                           THEN 'M' ELSE 'F' END))
  OR ({age} IS NOT NULL AND :lo_year IS NOT NULL
      AND ({age} < :lo_year - CAST(substr({idn}, 7, 4) AS INTEGER) - 1
           OR {age} > :hi_year - CAST(substr({idn}, 7, 4) AS INTEGER)))
  OR substr({idn}, 1, 6) NOT IN (SELECT code FROM temp.stable_codes)
))"""


def bounds_params(lo: dt.date | None, hi: dt.date) -> dict[str, object]:
    return {"lo_year": lo.year if lo else None, "hi_year": hi.year, "hi8": hi.strftime("%Y%m%d")}


def prepare(db: sqlite3.Connection) -> None:
    """temp.stable_codes: region codes never retired (in use or only renamed): an ID from any other code,
    or from none, is suspect, and the region rules decide by its birth year."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS stable_codes (code TEXT PRIMARY KEY)")
    if db.execute("SELECT 1 FROM temp.stable_codes LIMIT 1").fetchone():
        return
    db.executemany("INSERT OR IGNORE INTO temp.stable_codes VALUES (?)",
                   [(c,) for c in regions.stable_codes()])
