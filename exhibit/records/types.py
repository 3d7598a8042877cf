"""A person record as the records capability gives it: one register row read, with where it came from.

The `records ls --json` object of the contract (../shared/docs/product.md) is built by Record.as_json and
nowhere else; the CLI, the web API and pages, exports, link and coding all start from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exhibit.records.idnumber import Decoded


@dataclass(frozen=True)
class Source:
    """Where a record is: the exhibit, the table in it and the row (as the source counts it, and as stored)."""

    id: str
    sha256: str
    path: str | None
    sheet: str | None        # the sheet's name when the table is a spreadsheet's sheet
    table: str
    page: int | None
    kind: str
    row: int                 # the row as the source counts it (a PDF register: across its pages)
    table_row: int           # the stored row's number in its table
    rows: tuple[int, ...] | None = None  # every row of a grouped record (a family table: one per relative)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "sha256": self.sha256, "path": self.path, "sheet": self.sheet,
                               "table": self.table, "page": self.page, "kind": self.kind, "row": self.row,
                               "table_row": self.table_row}
        if self.rows is not None:
            out["rows"] = list(self.rows)
        return out


@dataclass(frozen=True)
class RegisterRef:
    """The register a record was read from: its own title and date (what ages are judged against)."""

    title: str | None
    date: str | None
    table: str
    table_id: int

    def as_json(self) -> dict[str, Any]:
        return {"title": self.title, "date": self.date, "table": self.table, "table_id": self.table_id}


def decoded_json(dec: Decoded) -> dict[str, Any]:
    """What the ID number says, as a record shows it (`id_decoded`)."""
    return {"birth_date": dec.birth_date, "sex": dec.sex, "checksum_ok": dec.checksum_ok,
            "region": dec.region.as_dict() if dec.region else None, "region_state": dec.region_state}


@dataclass(frozen=True)
class Record:
    """One person as a register row names them. Values are as read (cleaned, never corrected); `cells`
    keeps the row verbatim, which is the evidence."""

    record_id: str
    name: str | None
    id_number: str | None
    id_number_raw: str | None     # the ID cell as shown, before normalising
    gender: str | None            # M | F
    birth_date: str | None        # ISO: stated, else from the ID number
    birth_date_from: str | None   # stated | id_number
    age: int | None
    address: str | None
    reason: str | None
    source: Source
    register: RegisterRef
    family: tuple[dict[str, Any], ...] = ()   # relatives: relation, relation_text, name, status, source_row...
    # The fields every record has (None when the register has no such column), so that exports and pages
    # can rely on them, in the contract's order: ethnicity, county, township, village, detained, entered,
    # flagged, decided, decision, batch, facility.
    fields: dict[str, str | None] = field(default_factory=dict)
    # Fields only registers with such a column give (statement, reporter_relation, seq, birth_year): absent
    # from the JSON otherwise.
    extra: dict[str, str | int | None] = field(default_factory=dict)
    decoded: Decoded | None = None
    cells: dict[str, str] = field(default_factory=dict)        # {header: value as shown}
    cells_stored: dict[str, str] = field(default_factory=dict)  # the stored value where it differs

    def as_json(self) -> dict[str, Any]:
        """The `records ls --json` object."""
        out: dict[str, Any] = {
            "record_id": self.record_id, "name": self.name, "id_number": self.id_number,
            "id_number_raw": self.id_number_raw, "gender": self.gender, "birth_date": self.birth_date,
            "birth_date_from": self.birth_date_from, "age": self.age, "address": self.address,
            "reason": self.reason, "source": self.source.as_json(), "family": [dict(m) for m in self.family],
            "register": self.register.as_json(),
        }
        out.update(self.fields)
        out.update(self.extra)
        if self.decoded is not None:
            out["id_decoded"] = decoded_json(self.decoded)
        out["cells"] = dict(self.cells)
        if self.cells_stored:
            out["cells_stored"] = dict(self.cells_stored)
        return out
