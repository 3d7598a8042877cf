"""The ID screen: a SQL test, run inside SQLite as extraction stores each record, that marks every record
whose ID number might carry an anomaly code.

It is not a check rule and decides nothing: it is a cheap superset of what the rules in exhibit.checks
can find (tests/checks pin that no record it leaves out gets a code), so that checking a million records
sends only the few marked ones to exhibit.checks, which judges each with its one definition of every code.
Why it lives here and not in checks: it must run inside extraction's one INSERT ... SELECT per register (a
clean row then costs no Python at all, and no second pass over the table), and records may not import
checks (checks reads records, never the other way round). The checks also run it again for another
--as-of date, through records.store.screen_again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from exhibit.archive.engine import Catalog
from exhibit.records import regions

SHAPE18 = "[0-9]" * 17 + "[0-9X]"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def screen_sql(idn: str, gender: str, age: str, id_cell: str, shaped: str = "0") -> str:
    """A boolean SQL expression over the given column expressions; parameters :lo_year, :hi_year, :hi8
    (the register's date bounds; :lo_year NULL when it has no date) and the temp tables of prepare().
    `shaped`: an expression already known to be true when idn has the shape of an 18-character ID."""
    # The first 17 digits are read once as an integer n, and every part is taken from it by arithmetic:
    # region n / 10^11, birth date n / 1000 % 10^8 (year, month-day), sex digit n % 10. Integer arithmetic
    # costs a fraction of the substr() calls it replaces (each one a function call and a string copy).
    # ISO 7064 MOD 11-2: the check character is '10X98765432'[sum of weighted digits mod 11].
    digits = " + ".join(f"n / {10 ** (16 - i)} % 10 * {w}" for i, w in enumerate(_WEIGHTS))
    # A real date: a month-day of a common year (29 February is not listed: those few are judged in Python).
    on_n = f"""substr({idn}, 18, 1) != substr('10X98765432', ({digits}) % 11 + 1, 1)
         OR n / 1000 % 10000 NOT IN (SELECT mmdd FROM temp.days_of_year)
         OR n / 1000 % 100000000 NOT BETWEEN 18800101 AND :hi8
         OR ({gender} IS NOT NULL AND {gender} != (CASE n % 2 WHEN 1 THEN 'M' ELSE 'F' END))
         OR ({age} IS NOT NULL AND :lo_year IS NOT NULL
             AND ({age} < :lo_year - n / 10000000 % 10000 - 1 OR {age} > :hi_year - n / 10000000 % 10000))
         OR n / 100000000000 NOT IN (SELECT code FROM temp.stable_codes)"""
    return f"""({idn} IS NOT NULL AND {idn} != '' AND (
     {id_cell} IS NOT NULL
  OR (NOT {shaped} AND {idn} NOT GLOB '{SHAPE18}')
  OR (SELECT {on_n} FROM (SELECT CAST(substr({idn}, 1, 17) AS INTEGER) AS n))
))"""


def bounds_params(lo: dt.date | None, hi: dt.date) -> dict[str, object]:
    return {"lo_year": lo.year if lo else None, "hi_year": hi.year, "hi8": int(hi.strftime("%Y%m%d"))}


def setup(stable: list[str] | None = None) -> list[tuple[str, list[dict[str, Any]]]]:
    """The statements (with their rows) that make prepare()'s temp tables, for this or another process."""
    day = dt.date(2001, 1, 1)
    return [
        ("CREATE TEMP TABLE IF NOT EXISTS stable_codes (code INTEGER PRIMARY KEY)", []),
        ("CREATE TEMP TABLE IF NOT EXISTS days_of_year (mmdd INTEGER PRIMARY KEY)", []),
        ("INSERT INTO temp.stable_codes VALUES (:c) ON CONFLICT DO NOTHING",
         [{"c": int(c)} for c in (regions.stable_codes() if stable is None else stable) if c.isdigit()]),
        ("INSERT INTO temp.days_of_year VALUES (:c) ON CONFLICT DO NOTHING",
         [{"c": int((day + dt.timedelta(days=i)).strftime("%m%d"))} for i in range(365)]),
    ]


def prepare(cat: Catalog) -> None:
    """temp.stable_codes: region codes never retired (in use or only renamed): an ID from any other code,
    or from none, is suspect, and the region rules decide by its birth year. temp.days_of_year: MMDD of
    every day of a common year. Both as integers (rowid lookups). SQLite only: the screen runs in SQLite's
    bulk extraction (records.bulk); on PostgreSQL extraction marks every record with an ID instead."""
    if cat.execute("SELECT 1 FROM sqlite_temp_master WHERE name='days_of_year'").fetchone() and \
            cat.execute("SELECT 1 FROM temp.days_of_year LIMIT 1").fetchone():
        return
    for sql, rows in setup():
        if rows:
            cat.executemany(sql, rows)
        else:
            cat.execute(sql)
