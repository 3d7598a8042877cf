"""Authenticity checks on records: is each record's ID number internally consistent with itself and its row?

Checks judge records, never people: a code says what is inconsistent in what was written down.

    check(arch, as_of=None) -> {"records": n, "anomalies": [{record_id, id_number, name, codes, source}]}
    codes_for(arch) -> {record_id: [code, ...]}
    summary(arch) -> per register: records and anomalies per code with row references
    EXPLANATIONS[code] -> a plain sentence for a badge or a footnote
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter, defaultdict
from typing import Any

from exhibit.archive import Archive, custody
from exhibit.checks.rules import DISAGREEMENT, Facts, codes
from exhibit.records import store, suspect, values
from exhibit.records.extract import _dumps, _loads

CODES = ("bad_length", "bad_checksum", "unknown_region", "region_retired", "impossible_date", "gender_mismatch",
         "age_mismatch", "float_mangled", "duplicate_id")

EXPLANATIONS: dict[str, str] = {
    "bad_length": "The ID number does not have 18 characters (or 15 for a first-generation ID), so it cannot "
                  "be a complete resident ID number as written.",
    "bad_checksum": "The last character of the ID number is not the check digit that the first 17 digits "
                    "give (ISO 7064 MOD 11-2): at least one digit was written or copied wrongly.",
    "unknown_region": "The first six digits of the ID number are not a region code that has ever existed "
                      "(GB/T 2260, 1981-2024).",
    "region_retired": "The ID number's region code existed but had been retired before the birth year it "
                      "states. Old numbers stay valid, so this is informational only.",
    "impossible_date": "The birth date in the ID number is not a real date, or lies after the register's "
                       "date.",
    "gender_mismatch": "The register's stated gender disagrees with the ID number's sex digit (17th digit: "
                       "odd for male, even for female).",
    "age_mismatch": "The stated age differs by more than one year from the age the ID number's birth date "
                    "gives on the register's date.",
    "float_mangled": "The ID number was stored as a number in the spreadsheet, which keeps only about 15 "
                     "significant digits: the last digits were lost, so the number shown is not the one "
                     "that was typed.",
    "duplicate_id": "The same ID number appears on records that give a different name. Where the other "
                    "records' stated sex and age fit the number and this one's do not, only this one is "
                    "marked.",
}


def _reference(as_of: str | None, register_date: str | None) -> str | None:
    if as_of:
        d = values.date(as_of)
        if d is None:
            from exhibit.errors import UserError
            raise UserError(f"--as-of {as_of}: not a date; write it as YYYY-MM-DD (or YYYY).")
        return d
    return register_date


Key = tuple[int, int]  # (table_id, table_row): where a record is; its record ID is made from it
Shown = tuple[str | None, str | None, int]  # what an anomaly entry shows of its record: id_number, name, row

# Every record that may carry a code, computed inside SQLite (records.suspect); each is then judged by
# rules.codes, the one definition of each code. Extraction stored the test's result for the registers' own
# dates (a partial index holds just those rows); another --as-of date runs it again.
_COLS = "table_id, table_row, id_number, id_cell, gender, age, name, row"
_STORED = f"SELECT {_COLS} FROM records INDEXED BY records_suspect WHERE suspect = 1"
_AGAIN = (f"SELECT {_COLS} FROM records WHERE table_id = :tid AND "
          + suspect.suspect_sql("id_number", "gender", "age", "id_cell"))
# duplicate_id: the records whose ID is given more than once (the ID index alone finds those numbers)
_SHARED = ("SELECT r.id_number, r.name, r.table_id, r.table_row, r.row FROM records r WHERE r.id_number IN "
           "(SELECT id_number FROM records INDEXED BY records_id WHERE id_number IS NOT NULL "
           "GROUP BY id_number HAVING COUNT(*) > 1)")


def check(arch: Archive, as_of: str | None = None) -> dict[str, Any]:
    """Test every stored record; store and return the anomalies (records with at least one code)."""
    store.ensure(arch.db)
    return _check(arch, as_of)


def _check(arch: Archive, as_of: str | None) -> dict[str, Any]:
    db = arch.db
    today = dt.date.today()
    refs: dict[int, str | None] = {}
    for tid, date in db.execute("SELECT table_id, date FROM records_registers WHERE status='register'"):
        refs[tid] = _reference(as_of, date)
    n = int(db.execute("SELECT COUNT(*) FROM records").fetchone()[0])

    if as_of is None:
        candidates = db.execute(_STORED).fetchall()
    else:
        suspect.prepare(db)
        candidates = []
        for tid, ref in refs.items():
            lo, hi = values.date_bounds(ref) if ref else (None, today)
            candidates.extend(db.execute(_AGAIN, {"tid": tid, **suspect.bounds_params(lo, hi)}))
    # A record the SQL test leaves out has no code but duplicate_id: judging the candidates judges all.
    found: dict[Key, list[str]] = {}
    shown: dict[Key, Shown] = {}
    for tid, trow, idn, idcell, gender, age, name, row in candidates:
        cell = _loads(idcell) if idcell else None
        f = Facts(idn, str(cell[0]) if cell and cell[0] is not None else idn, cell[1] if cell else "s",
                  str(cell[2]) if cell and len(cell) > 2 and cell[2] is not None else None, gender, age)
        cs = codes(f, refs.get(tid), today)
        if cs:
            found[(tid, trow)] = cs
            shown[(tid, trow)] = (idn, name, row)
    _duplicates(db, found, shown)
    combos = Counter(tuple(cs) for cs in found.values())  # a few combinations of codes, many records
    as_json = {combo: _dumps(list(combo)) for combo in combos}
    with arch.transaction() as wdb:
        wdb.execute("DELETE FROM records_anomalies")
        wdb.executemany("INSERT INTO records_anomalies(table_id, table_row, codes) VALUES (?,?,?)",
                        [(*k, as_json[tuple(cs)]) for k, cs in found.items()])
        store.set_meta(wdb, "checked", {"time": custody.utc_now(), "as_of": as_of})
    return {"records": n, "as_of": as_of, "anomalies": _anomalies(arch, found, shown),
            "counts": {c: sum(k for combo, k in combos.items() if c in combo) for c in CODES}}


def _duplicates(db: sqlite3.Connection, found: dict[Key, list[str]], shown: dict[Key, Shown]) -> None:
    """duplicate_id: one number, different names (written forms of one name count as one)."""
    keys: dict[str, str] = {}  # name -> name key, each name read once
    by_id: dict[str, list[tuple[Key, str, Shown]]] = defaultdict(list)
    for idn, name, tid, trow, row in db.execute(_SHARED):
        nk = keys.get(name)
        if nk is None:
            nk = keys[name] = values.name_key(name)
        if nk:
            by_id[idn].append(((tid, trow), nk, (idn, name, row)))
    for members in by_id.values():
        if len({nk for _, nk, _ in members}) < 2:
            continue
        worst: dict[str, int] = {}
        for key, nk, _ in members:
            bad = len(DISAGREEMENT.intersection(found.get(key, ())))
            worst[nk] = max(worst.get(nk, 0), bad)  # any row of that name contradicting the number
        best = min(worst.values())
        holders = {nk for nk, b in worst.items() if b == best}
        flag_all = len(holders) > 1  # no way to tell which name the number belongs with
        for key, nk, show in members:
            if flag_all or nk not in holders:
                found.setdefault(key, []).append("duplicate_id")
                shown[key] = show


def _anomalies(arch: Archive, found: dict[Key, list[str]], shown: dict[Key, Shown]) -> list[dict[str, Any]]:
    """The contract's anomaly entries, in source order (exhibit, table, row), with the record's source."""
    from exhibit.records.interpret import exhibit_info, record_id

    tables = {t.id: t for t in arch.tables()}
    cache: dict[int, Any] = {}
    out = []
    explained: dict[tuple[str, ...], dict[str, str]] = {}  # one explanation dict per combination of codes
    base: dict[str, Any] = {}
    prefix = ""
    current = None
    for key in sorted(found, key=lambda k: (tables[k[0]].exhibit_seq, k)):
        tid, trow = key
        if tid != current:
            t, current = tables[tid], tid
            ex = exhibit_info(arch, t.exhibit_seq, cache)
            base = {"id": ex.id, "sha256": ex.sha256, "path": ex.paths[0] if ex.paths else None,
                    "sheet": t.name if t.kind == "sheet" else None, "table": t.name, "page": t.page,
                    "kind": t.kind}
            prefix = record_id(ex.sha256, t.ordinal, 0)[:-1]
        idn, name, row = shown[key]
        cs = found[key]
        ex_key = tuple(cs)
        if ex_key not in explained:
            explained[ex_key] = {c: EXPLANATIONS[c] for c in cs}
        out.append({"record_id": prefix + str(trow), "id_number": idn, "name": name, "codes": cs,
                    "source": {**base, "row": row, "table_row": trow}, "explanations": explained[ex_key]})
    return out


def _checked(arch: Archive) -> None:
    """Check first if the records changed since the last check."""
    store.ensure(arch.db)
    extracted = store.get_meta(arch.db, "extracted")
    checked = store.get_meta(arch.db, "checked")
    if extracted and (checked is None or json.loads(checked)["time"] < extracted):
        check(arch)


def codes_for(arch: Archive) -> dict[str, list[str]]:
    """{record_id: codes} for every record with an anomaly, checking first if the records changed since."""
    _checked(arch)
    return {r[0]: json.loads(r[1]) for r in arch.db.execute(
        f"SELECT {store.RECORD_ID_SQL.format(row='a.table_row')}, a.codes FROM records_anomalies a "
        "JOIN tables t ON t.id = a.table_id JOIN exhibits e ON e.seq = t.exhibit_seq")}


def summary(arch: Archive) -> list[dict[str, Any]]:
    """Per register table: records, and for each code the rows carrying it."""
    from exhibit.records.read import registers

    _checked(arch)
    out = []
    for reg in registers(arch):
        per: dict[str, list[int]] = defaultdict(list)
        if reg["status"] == "register":
            for cs, row in arch.db.execute("SELECT a.codes, r.row FROM records_anomalies a JOIN records r "
                                           "ON r.table_id = a.table_id AND r.table_row = a.table_row "
                                           "WHERE a.table_id=? ORDER BY a.table_row", (reg["table_id"],)):
                for c in json.loads(cs):
                    per[c].append(row)
        out.append(dict(reg, anomalies={c: per[c] for c in CODES if per.get(c)}))
    return out
