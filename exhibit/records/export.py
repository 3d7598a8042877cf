"""Exporting records (CSV, XLSX, FollowTheMoney): pseudonymised unless a purpose is given, always logged."""

from __future__ import annotations

import copy
import csv
import hashlib
import hmac
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from exhibit.archive import Archive
from exhibit.errors import UserError
from exhibit.records import idnumber, store
from exhibit.records.read import iter_records
from exhibit.records.values import name_key

FORMATS = ("csv", "xlsx", "ftm")
COLUMNS = ("record_id", "name", "id_number", "gender", "birth_date", "age", "ethnicity", "address", "county",
           "township", "village", "reason", "decision", "detained", "entered", "flagged", "decided", "batch",
           "facility", "family", "anomalies", "source_id", "source_path", "source_sheet", "source_page",
           "source_row", "id_number_raw")


def pseudonym(name: str | None, secret: bytes) -> str | None:
    """A stable stand-in for a name: the same name (spaces and dots aside) gives the same pseudonym
    within one archive, and nobody without the archive's secret can go back."""
    if not name:
        return name
    digest = hmac.new(secret, name_key(name).encode("utf-8"), hashlib.sha256).hexdigest()
    return "P-" + digest[:10].upper()


def _mask_date(d: str | None) -> str | None:
    return d[:4] if d else d


def pseudonymise(record: dict[str, Any], secret: bytes) -> dict[str, Any]:
    """A copy of a record fit to share: names become pseudonyms, ID numbers keep only region and birth
    year, birth dates keep the year, addresses keep county and township. The same replacements are made
    inside the verbatim cells, family entries and free text, so no copy of a name or number slips through."""
    r = copy.deepcopy(record)
    swaps: list[tuple[str, str]] = []

    def swap(old: Any, new: Any) -> None:
        if old and isinstance(old, str) and old != new:
            swaps.append((old, new or ""))

    if r.get("name"):
        p = pseudonym(r["name"], secret)
        swap(r["name"], p)
        r["name"] = p
    for key in ("id_number", "id_number_raw"):
        v = r.get(key)
        if v:
            masked = idnumber.mask(idnumber.normalise(v))
            swap(v, masked)
            swap(idnumber.normalise(v), masked)
            r[key] = masked
    if r.get("birth_date"):
        swap(r["birth_date"], _mask_date(r["birth_date"]))
        r["birth_date"] = _mask_date(r["birth_date"])
    if isinstance(r.get("id_decoded"), dict):
        r["id_decoded"]["birth_date"] = _mask_date(r["id_decoded"].get("birth_date"))
    coarse = "".join(x for x in (r.get("county"), r.get("township")) if x) or None
    if r.get("address"):
        swap(r["address"], coarse or "[address]")
        r["address"] = coarse
    if r.get("village"):
        r["village"] = None
    for m in r.get("family") or []:
        if m.get("name"):
            p = pseudonym(m["name"], secret)
            swap(m["name"], p)
            m["name"] = p
        if m.get("id_number"):
            masked = idnumber.mask(m["id_number"])
            swap(m["id_number"], masked)
            m["id_number"] = masked
        if m.get("text"):
            m["text"] = None
    swaps.sort(key=lambda t: -len(t[0]))  # longest first: a full address before the name inside it

    def scrub(v: Any) -> Any:
        if isinstance(v, str):
            for old, new in swaps:
                if old in v:
                    v = v.replace(old, new)
            return v
        return v

    for key in ("cells", "cells_stored"):
        if isinstance(r.get(key), dict):
            r[key] = {k: scrub(v) for k, v in r[key].items()}
    for key in ("statement", "reason"):
        if r.get(key):
            r[key] = scrub(r[key])
    r["pseudonymised"] = True
    return r


def family_text(family: Iterable[dict[str, Any]]) -> str:
    parts = []
    for m in family:
        rel = m.get("relation_text") or m.get("relation") or ""
        status = f" ({m['status']})" if m.get("status") else ""
        parts.append(f"{rel} {m.get('name') or ''}{status}".strip())
    return "; ".join(parts)


def _flat(r: dict[str, Any], codes: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    src = r.get("source") or {}
    row = {c: r.get(c) for c in COLUMNS}
    row["family"] = family_text(r.get("family") or [])
    row["anomalies"] = " ".join(codes.get(r["record_id"], []))
    row.update({"source_id": src.get("id"), "source_path": src.get("path"), "source_sheet": src.get("sheet")
                or src.get("table"), "source_page": src.get("page"), "source_row": src.get("row")})
    return row


def _write_csv(records: Iterator[dict[str, Any]], f: IO[str], codes: Mapping[str, Sequence[str]]) -> int:
    w = csv.DictWriter(f, fieldnames=list(COLUMNS))
    w.writeheader()
    n = 0
    for r in records:
        w.writerow(_flat(r, codes))
        n += 1
    return n


def _write_xlsx(records: Iterator[dict[str, Any]], path: Path, codes: Mapping[str, Sequence[str]]) -> int:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("records")
    ws.append(list(COLUMNS))
    n = 0
    for r in records:
        flat = _flat(r, codes)
        # every value as text: an ID number written as a number is exactly the damage `float_mangled` finds
        ws.append(["" if flat[c] is None else str(flat[c]) for c in COLUMNS])
        n += 1
    wb.save(path)
    return n


def ftm_entities(r: dict[str, Any], codes: Mapping[str, Sequence[str]]) -> Iterator[dict[str, Any]]:
    """FollowTheMoney entities for one record: the Person, the Document (the exhibit) and the
    Documentation linking them with the row, plus each family member as Person + Family."""
    from followthemoney import model

    src = r.get("source") or {}
    doc = model.make_entity("Document")
    doc.id = f"exhibit-{src.get('sha256') or src.get('id')}"
    doc.add("fileName", src.get("path"))
    doc.add("contentHash", src.get("sha256"))
    doc.add("title", (r.get("register") or {}).get("title"))
    yield doc.to_dict()
    p = model.make_entity("Person")
    p.id = r["record_id"]
    p.add("name", r.get("name"))
    p.add("idNumber", r.get("id_number"))
    p.add("gender", {"M": "male", "F": "female"}.get(r.get("gender") or ""))
    p.add("birthDate", r.get("birth_date"))
    p.add("ethnicity", r.get("ethnicity"))
    p.add("address", r.get("address"))
    p.add("status", r.get("decision"))
    p.add("notes", r.get("reason"))
    p.add("proof", doc.id)
    p.add("keywords", codes.get(r["record_id"], []))
    yield p.to_dict()
    d = model.make_entity("Documentation")
    d.id = f"{r['record_id']}-doc"
    d.add("document", doc.id)
    d.add("entity", p.id)
    d.add("recordId", r["record_id"])
    where = src.get("sheet") or src.get("table") or ""
    page = f" page {src['page']}" if src.get("page") else ""
    d.add("role", "register row")
    d.add("summary", f"{src.get('id')} {src.get('path')} {where}{page} row {src.get('row')}".strip())
    yield d.to_dict()
    for i, m in enumerate(r.get("family") or [], 1):
        if not m.get("name"):
            continue
        rel = model.make_entity("Person")
        rel.id = f"{r['record_id']}-rel{i}"
        rel.add("name", m["name"])
        rel.add("idNumber", m.get("id_number"))
        rel.add("status", m.get("status"))
        rel.add("proof", doc.id)
        yield rel.to_dict()
        fam = model.make_entity("Family")
        fam.id = f"{r['record_id']}-fam{i}"
        fam.add("person", p.id)
        fam.add("relative", rel.id)
        fam.add("relationship", m.get("relation_text") or m.get("relation"))
        yield fam.to_dict()


def export(arch: Archive, fmt: str, out: Path | None = None, identified: bool = False,
           purpose: str | None = None, actor: str | None = None, register: str | None = None,
           codes: Mapping[str, Sequence[str]] | None = None, stream: IO[str] | None = None) -> dict[str, Any]:
    """Write the records as csv, xlsx or ftm (JSON lines) to `out` (or `stream`); log a custody event.

    Pseudonymised unless `identified`, which needs a `purpose` (recorded with the actor).
    """
    if fmt not in FORMATS:
        raise UserError(f"--format {fmt}: use one of {', '.join(FORMATS)}.")
    if identified and not (purpose and purpose.strip()):
        raise UserError("--identified exports real names and ID numbers: say why with --purpose TEXT "
                        "(it is recorded in the custody log).")
    if fmt == "xlsx" and out is None:
        raise UserError("--format xlsx needs --out FILE.xlsx.")
    secret = store.secret(arch.catalog)
    codes = codes or {}

    def records() -> Iterator[dict[str, Any]]:
        for r in iter_records(arch, register=register):
            yield r if identified else pseudonymise(r, secret)

    if fmt == "xlsx":
        assert out is not None
        n = _write_xlsx(records(), out, codes)
    else:
        f: IO[str]
        if out is not None:
            f = open(out, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
        else:
            f = stream if stream is not None else io.StringIO()
        try:
            if fmt == "csv":
                n = _write_csv(records(), f, codes)
            else:
                n = 0
                documents: set[str] = set()  # one Document entity per exhibit, however many rows cite it
                for r in records():
                    for e in ftm_entities(r, codes):
                        if e["schema"] == "Document":
                            if e["id"] in documents:
                                continue
                            documents.add(e["id"])
                        f.write(json.dumps(e, ensure_ascii=False) + "\n")
                    n += 1
        finally:
            if out is not None:
                f.close()
    details = {"format": fmt, "count": n, "identified": identified, "pseudonymised": not identified,
               "purpose": purpose, "register": register, "file": out.name if out else None}
    event = arch.log_event("exported", None, actor, details)
    return {"records": n, "format": fmt, "out": str(out) if out else None, "identified": identified,
            "custody_event": event.seq if hasattr(event, "seq") else None}
