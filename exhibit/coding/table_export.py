"""Export of the coded table, pseudonymised unless an identified export is asked for with a purpose."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from exhibit.archive import Archive, custody
from exhibit.coding.store import coded_records, require_run
from exhibit.errors import UserError
from exhibit.records import iter_records, pseudonymise
from exhibit.records.store import secret

COLUMNS = ("record_id", "name", "id_number", "register", "sheet", "page", "row", "township", "month", "gender",
           "age_band", "reason", "categories", "coded_by")
FORMATS = ("csv", "json")


def _people(arch: Archive, records: Iterable[dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Name and ID number per record, from the records capability (the coded table keeps neither)."""
    if records is None:
        records = iter_records(arch)
    return {str(r["record_id"]): r for r in records}


def _pseudonymiser(arch: Archive) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
    # the archive's own key: the same person gets the same pseudonym in every export.
    key = secret(arch.catalog)

    def apply(rec: dict[str, Any]) -> dict[str, Any]:
        return dict(pseudonymise(rec, key))

    return apply


def export(arch: Archive, out: Path, fmt: str = "csv", identified: bool = False, purpose: str | None = None,
           actor: str | None = None, records: Iterable[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Write the coded table to `out`; names and ID numbers pseudonymised unless `identified` with a purpose.

    Every export is a custody event (actor, purpose, rows, SHA-256 of what was written)."""
    if fmt not in FORMATS:
        raise UserError(f"--format {fmt}: choose one of {', '.join(FORMATS)}.")
    if identified and not (purpose or "").strip():
        raise UserError("An identified export needs --purpose TEXT: why real names and ID numbers must leave "
                        "the archive. It is written to the custody log.")
    require_run(arch)
    people = _people(arch, records)
    pseudo = None if identified else _pseudonymiser(arch)
    rows: list[dict[str, Any]] = []
    for r in coded_records(arch):
        person = people.get(r["record_id"], {})
        if not identified:
            # Without the records capability's pseudonymiser, leave person fields out rather than guess.
            person = pseudo(person) if pseudo and person else {}
        src = r["source"]
        rows.append({"record_id": r["record_id"], "name": person.get("name"), "id_number": person.get("id_number"),
                     "register": r["register"], "sheet": src.get("sheet"), "page": src.get("page"),
                     "row": src.get("row"), "township": r["township"], "month": r["month"], "gender": r["gender"],
                     "age_band": r["age_band"],
                     # the pseudonymised record's reason: names inside it ("哥哥艾力在土耳其") are replaced too
                     "reason": person.get("reason") or r["reason"], "categories": r["categories"],
                     "coded_by": r["coded_by"]})
    if fmt == "json":
        data = (json.dumps(rows, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    else:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=COLUMNS)
        w.writeheader()
        for row in rows:
            w.writerow({**row, "categories": ";".join(row["categories"])})
        data = buf.getvalue().encode("utf-8-sig")  # with a BOM so Excel opens the Chinese text correctly
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    summary = {"what": "coded table", "path": str(out), "format": fmt, "rows": len(rows),
               "identified": identified, "purpose": purpose if identified else None,
               "output_sha256": hashlib.sha256(data).hexdigest()}
    arch.log_event("exported", None, actor or custody.os_user(), summary)
    return summary
