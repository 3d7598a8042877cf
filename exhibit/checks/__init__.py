"""Authenticity checks on records: is each record's ID number internally consistent with itself and its row?

Checks judge records, never people: a code says what is inconsistent in what was written down.

    check(arch, as_of=None) -> CheckResult   (as_json: the `records check --json` object)
    codes_for(arch) -> {record_id: [Code, ...]}
    summary(arch) -> per register: records and anomalies per code with row references
    Code: the anomaly codes (StrEnum); Code.X.explanation is a plain sentence for a badge or a footnote
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from exhibit.archive import Archive, custody
from exhibit.archive.engine import Catalog, Dialect
from exhibit.checks.codes import Code
from exhibit.checks.rules import Facts, codes
from exhibit.errors import UserError
from exhibit.records import id_screen, store, values
from exhibit.records.interpret import ExhibitInfo, exhibit_info, record_id
from exhibit.records.read import registers
from exhibit.records.types import Source

__all__ = ["CODES", "EXPLANATIONS", "Anomaly", "CheckResult", "Code", "check", "codes_for", "summary"]

CODES: tuple[Code, ...] = tuple(Code)
# {code: explanation}, for templates that look explanations up by the code's text
EXPLANATIONS: Mapping[str, str] = {str(c): c.explanation for c in Code}


@dataclass(frozen=True)
class Anomaly:
    """A record with at least one code, and what it shows of the record."""

    record_id: str
    id_number: str | None
    name: str | None
    codes: tuple[Code, ...]
    source: Source

    def as_json(self) -> dict[str, Any]:
        """An entry of `records check --json`."""
        return {"record_id": self.record_id, "id_number": self.id_number, "name": self.name,
                "codes": [str(c) for c in self.codes], "source": self.source.as_json(),
                "explanations": {str(c): c.explanation for c in self.codes}}


@dataclass(frozen=True)
class CheckResult:
    """What one check of every stored record found."""

    records: int
    as_of: str | None
    anomalies: tuple[Anomaly, ...]
    counts: dict[Code, int]

    def as_json(self) -> dict[str, Any]:
        """The `records check --json` object."""
        return {"records": self.records, "as_of": self.as_of, "anomalies": [a.as_json() for a in self.anomalies],
                "counts": {str(c): n for c, n in self.counts.items()}}


def _reference(as_of: str | None, register_date: str | None) -> str | None:
    if as_of:
        d = values.date(as_of)
        if d is None:
            raise UserError(f"--as-of {as_of}: not a date; write it as YYYY-MM-DD (or YYYY).")
        return d
    return register_date


Key = tuple[int, int]  # (table_id, table_row): where a record is; its record ID is made from it
Shown = tuple[str | None, str | None, int]  # what an anomaly entry shows of its record: id_number, name, row

# Every record that may carry a code was marked inside SQLite by extraction's ID screen (records.id_screen)
# for the registers' own dates; another --as-of date runs the screen again. Each is then judged by
# rules.codes, the one definition of each code.


def check(arch: Archive, as_of: str | None = None) -> CheckResult:
    """Test every stored record; store and return the anomalies (records with at least one code)."""
    store.ensure(arch.catalog)
    return _check(arch, as_of)


def _check(arch: Archive, as_of: str | None) -> CheckResult:
    db = arch.catalog
    today = dt.date.today()
    refs = {tid: _reference(as_of, date) for tid, date in store.register_dates(db).items()}
    n = store.count(db)

    if as_of is None:
        candidates = store.screened(db)
    else:
        if db.dialect is Dialect.SQLITE:
            id_screen.prepare(db)
        candidates = []
        for tid, ref in refs.items():
            lo, hi = values.date_bounds(ref) if ref else (None, today)
            candidates.extend(store.screen_again(db, tid, id_screen.bounds_params(lo, hi)))
    # A record the SQL test leaves out has no code but duplicate_id: judging the candidates judges all.
    found: dict[Key, list[Code]] = {}
    shown: dict[Key, Shown] = {}
    for tid, trow, idn, idcell, gender, age, name, row in candidates:
        cell = orjson.loads(idcell) if idcell else None
        f = Facts(idn, str(cell[0]) if cell and cell[0] is not None else idn, cell[1] if cell else "s",
                  str(cell[2]) if cell and len(cell) > 2 and cell[2] is not None else None, gender, age)
        cs = codes(f, refs.get(tid), today)
        if cs:
            found[(tid, trow)] = cs
            shown[(tid, trow)] = (idn, name, row)
    _duplicates(db, found, shown)
    combos = Counter(tuple(cs) for cs in found.values())  # a few combinations of codes, many records
    as_json = {combo: orjson.dumps([str(c) for c in combo]).decode() for combo in combos}
    with arch.transaction() as wdb:
        store.save_anomalies(wdb, [(*k, as_json[tuple(cs)]) for k, cs in found.items()])
        store.set_meta(wdb, "checked", {"time": custody.utc_now(), "as_of": as_of})
    return CheckResult(n, as_of, tuple(_anomalies(arch, found, shown)),
                       {c: sum(k for combo, k in combos.items() if c in combo) for c in CODES})


def _duplicates(db: Catalog, found: dict[Key, list[Code]], shown: dict[Key, Shown]) -> None:
    """duplicate_id: one number, different names (written forms of one name count as one)."""
    keys: dict[str, str] = {}  # name -> name key, each name read once
    by_id: dict[str, list[tuple[Key, str, Shown]]] = defaultdict(list)
    for idn, name, tid, trow, row in store.shared_ids(db):
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
            bad = sum(1 for c in found.get(key, ()) if c.disagrees_with_row)
            worst[nk] = max(worst.get(nk, 0), bad)  # any row of that name contradicting the number
        best = min(worst.values())
        holders = {nk for nk, b in worst.items() if b == best}
        flag_all = len(holders) > 1  # no way to tell which name the number belongs with
        for key, nk, show in members:
            if flag_all or nk not in holders:
                found.setdefault(key, []).append(Code.DUPLICATE_ID)
                shown[key] = show


def _anomalies(arch: Archive, found: dict[Key, list[Code]], shown: dict[Key, Shown]) -> list[Anomaly]:
    """The anomalies in source order (exhibit, table, row), with the record's source."""
    tables = {t.id: t for t in arch.tables()}
    cache: dict[int, ExhibitInfo] = {}
    out = []
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
                    "kind": str(t.kind)}
            prefix = record_id(ex.sha256, t.ordinal, 0)[:-1]
        idn, name, row = shown[key]
        out.append(Anomaly(prefix + str(trow), idn, name, tuple(found[key]), Source(**base, row=row, table_row=trow)))
    return out


def _checked(arch: Archive) -> None:
    """Check first if the records changed since the last check."""
    store.ensure(arch.catalog)
    extracted = store.get_meta(arch.catalog, "extracted")
    checked = store.get_meta(arch.catalog, "checked")
    if extracted and (checked is None or json.loads(checked)["time"] < extracted):
        check(arch)


def codes_for(arch: Archive) -> dict[str, list[Code]]:
    """{record_id: codes} for every record with an anomaly, checking first if the records changed since."""
    _checked(arch)
    prefixes: dict[int, str] = {}  # table_id -> its record IDs without the row
    tables = {t.id: t for t in arch.tables()}
    sha = {e.seq: e.sha256 for e in arch.exhibits(sorted({t.exhibit_seq for t in tables.values()}))}
    out: dict[str, list[Code]] = {}
    for tid, trow, cs in store.anomalies(arch.catalog):
        prefix = prefixes.get(tid)
        if prefix is None:
            t = tables.get(tid)
            if t is None or t.exhibit_seq not in sha:
                continue  # a table gone since (re-ingest): its records go with the next extract
            prefix = prefixes[tid] = record_id(sha[t.exhibit_seq], t.ordinal, 0)[:-1]
        out[prefix + str(trow)] = [Code(c) for c in cs]
    return out


def summary(arch: Archive) -> list[dict[str, Any]]:
    """Per register table: records, and for each code the rows carrying it."""
    _checked(arch)
    out = []
    for reg in registers(arch):
        per: dict[str, list[int]] = defaultdict(list)
        if reg["status"] == "register":
            for cs, row in store.anomaly_rows(arch.catalog, reg["table_id"]):
                for c in cs:
                    per[c].append(row)
        out.append(dict(reg, anomalies={str(c): per[c] for c in CODES if per.get(c)}))
    return out
