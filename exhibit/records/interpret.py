"""One register row read as a person record: the interpretation, computed from the row's cells and its mapping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from exhibit.archive import Archive
from exhibit.archive.types import TableInfo
from exhibit.records import family as family_mod
from exhibit.records import idnumber, values
from exhibit.records.headers import is_family_table
from exhibit.records.mapping import TableMapping
from exhibit.records.types import Record, RegisterRef, Source

Cell = Sequence[Any]  # [value, type, raw]

# Fields read as dates; the text fields are kept as written (trimmed, PDF layout line breaks removed).
DATE_FIELDS = ("detained", "entered", "flagged", "decided")
TEXT_FIELDS = ("ethnicity", "reason", "decision", "batch", "facility", "county", "township", "village",
               "statement", "reporter_relation", "seq")


# Keys every record has (None when the register has no such column), so that exports and pages can rely on them.
ALWAYS = ("ethnicity", "county", "township", "village", "detained", "entered", "flagged", "decided", "decision",
          "batch", "facility")


# What a repeated header is compared by: its text without any whitespace (a header cell "姓\n名" is shown
# "姓名"); records.bulk compares the same inside SQLite.
HEADER_SPACE = (" ", "\t", "\n", "\r", "\u3000", "\u00a0")


def bare(text: str | None) -> str:
    out = text or ""
    for ch in HEADER_SPACE:
        out = out.replace(ch, "")
    return out


def record_id(sha256: str, ordinal: int, table_row: int) -> str:
    """Stable across re-runs and re-ingests: the exhibit's bytes, the table's place in it, the row."""
    return f"R-{sha256[:12]}-{ordinal}-{table_row}"


@dataclass
class ExhibitInfo:
    seq: int
    id: str
    sha256: str
    paths: list[str]
    title: str | None
    meta_title: str | None
    page_texts: dict[int, str] | None = None


def exhibit_info(arch: Archive, seq: int, cache: dict[int, ExhibitInfo]) -> ExhibitInfo:
    if seq not in cache:
        e = arch.exhibit(seq)
        meta = arch.metadata(seq)
        cache[seq] = ExhibitInfo(seq, e.id, e.sha256, e.path_names, e.title,
                                 str(meta.get("title") or "") or None)
    return cache[seq]


def header_label(h: str, i: int) -> str:
    return values.clean(h) if h else f"#{i + 1}"


def cells_dict(headers: Sequence[str], cells: Sequence[Cell]) -> dict[str, str]:
    """{header: value as shown} for a row; columns without a header are '#N'; duplicate headers get '#N'."""
    out: dict[str, str] = {}
    for i, c in enumerate(cells):
        label = header_label(headers[i], i) if i < len(headers) else f"#{i + 1}"
        if label in out:
            label = f"{label} #{i + 1}"
        v = c[0]
        if v is None or v == "":
            if i >= len(headers):
                continue
            v = ""
        out[label] = str(v)
    return out


class RowReader:
    """Reads the rows of one table with one mapping."""

    def __init__(self, arch: Archive, ex: ExhibitInfo, table: TableInfo, tm: TableMapping) -> None:
        self.arch, self.ex, self.table, self.tm = arch, ex, table, tm
        self.cols = tm.field_columns()
        self.family_table = is_family_table(tm)
        self.source_base: dict[str, Any] = {
            "id": ex.id, "sha256": ex.sha256, "path": ex.paths[0] if ex.paths else None,
            "sheet": table.name if table.kind == "sheet" else None,
            "table": table.name, "page": table.page, "kind": str(table.kind),
        }
        self.register = RegisterRef(tm.title, tm.date, table.name, table.id)
        name_col, id_col = self.cols.get("name"), self.cols.get("id_number")
        self._header_pair = tuple(
            bare(tm.headers[i]) if i is not None and i < len(tm.headers) else None for i in (name_col, id_col))

    def page_text(self) -> str | None:
        if self.table.kind != "pdf" or self.table.page is None:
            return None
        if self.ex.page_texts is None:
            self.ex.page_texts = {p.number: p.text for p in self.arch.pages(self.ex.seq)}
        return self.ex.page_texts.get(self.table.page)

    def _raw(self, cells: Sequence[Cell], f: str) -> str:
        i = self.cols.get(f)
        if i is None or i >= len(cells) or cells[i][0] is None:
            return ""
        return str(cells[i][0])

    def is_data(self, number: int, cells: Sequence[Cell]) -> bool:
        """A person row: below the header, naming someone or giving an ID, not a total, not the header again."""
        if self.tm.header_row is not None and number <= self.tm.header_row:
            return False
        name, idn = self._raw(cells, "name").strip(), self._raw(cells, "id_number").strip()
        if not name and not idn:
            return False
        first = str(cells[0][0] or "") if cells else ""
        if values.is_total_row([first, name]):  # the label is in the first column, or the name column
            return False
        if (bare(name), bare(idn)) == tuple(h or "" for h in self._header_pair):
            return False
        return True

    def cell(self, cells: Sequence[Cell], f: str) -> Cell | None:
        i = self.cols.get(f)
        if i is None or i >= len(cells):
            return None
        return cells[i]

    def text(self, cells: Sequence[Cell], f: str) -> str | None:
        c = self.cell(cells, f)
        if c is None or c[0] is None:
            return None
        return values.clean(str(c[0])) or None

    def core(self, cells: Sequence[Cell], repair_names: bool = True) -> tuple[str | None, str | None, str | None,
                                                                             int | None]:
        """(name, id_number, gender, age): what the checks and the index need, for the bulk path's fix-ups."""
        idc = self.cell(cells, "id_number")
        id_number, _ = idnumber.from_cell(str(idc[0] or "") if idc else "", idc[1] if idc else "s",
                                          idc[2] if idc and len(idc) > 2 else None)
        name = self.text(cells, "name")
        if name:
            name = values.clean_name(name, self.page_text() if repair_names else None)
        return (name or None, id_number or None, values.gender(self.text(cells, "gender") or ""),
                values.age(self.text(cells, "age") or ""))

    def record(self, table_row: int, cells: Sequence[Cell], row: int | None = None,
               stored: tuple[str | None, str | None, str | None, int | None] | None = None,
               family_rows: Sequence[tuple[int, Sequence[Cell]]] | None = None,
               grouped: Sequence[int] | None = None) -> Record:
        """The record of one row. `stored` holds the values kept in the catalog (name, id_number, gender,
        age), which win: they were computed once at extraction, names repaired from the page text.
        `grouped`: the row numbers of a grouped record of a family table (one per relative), and
        `family_rows` their (number, cells)."""
        row = table_row if row is None else row
        name, id_number, gender, age = stored if stored is not None else self.core(cells)
        idc = self.cell(cells, "id_number")
        dec = idnumber.decode(id_number) if id_number else None
        bc = self.cell(cells, "birth_date")
        stated_birth = values.date(self.text(cells, "birth_date") or "", bc[1] if bc else "s")
        address = self.text(cells, "address")
        fields: dict[str, str | None] = dict.fromkeys(ALWAYS)
        extra: dict[str, str | int | None] = {}
        for f in TEXT_FIELDS:
            if f in self.cols:
                (fields if f in fields else extra)[f] = self.text(cells, f)
        if address:
            for k, v in values.split_address(address).items():
                if k in fields and not fields[k]:
                    fields[k] = v
        for f in DATE_FIELDS:
            if f in self.cols:
                c = self.cell(cells, f)
                fields[f] = values.date(self.text(cells, f) or "", c[1] if c else "s")
        if "birth_year" in self.cols:
            by = values.date(self.text(cells, "birth_year") or "")
            extra["birth_year"] = int(by[:4]) if by else None
        family: list[dict[str, Any]] = []
        fam = self.text(cells, "family")
        if fam:
            family = [dict(m, source_row=row) for m in family_mod.parse(fam)]
        rows: tuple[int, ...] | None = None
        if self.family_table:
            if grouped:
                family = [self.relative(c, n, n) for n, c in family_rows or ()]
                rows = tuple(grouped)
            else:
                family, rows = [self.relative(cells, row, table_row)], (row,)
        headers = self.tm.headers
        shown = cells_dict(headers, cells)
        kept = {k: str(c[2]) for k, c in zip(shown, cells, strict=False) if len(c) > 2 and c[2] is not None}
        return Record(
            record_id=record_id(self.ex.sha256, self.table.ordinal, table_row),
            name=name, id_number=id_number,
            id_number_raw=str(idc[0]) if idc is not None and idc[0] not in (None, "") else None,
            gender=gender,
            birth_date=stated_birth or (dec.birth_date if dec else None),
            birth_date_from="stated" if stated_birth else ("id_number" if dec and dec.birth_date else None),
            age=age, address=address, reason=self.text(cells, "reason"),
            source=Source(**self.source_base, row=row, table_row=table_row, rows=rows),
            register=self.register, family=tuple(family), fields=fields, extra=extra, decoded=dec,
            cells=shown, cells_stored=kept)

    def relative(self, cells: Sequence[Cell], row: int, table_row: int) -> dict[str, Any]:
        rel_text = self.text(cells, "relation")
        rid = self.text(cells, "relative_id")
        return {"relation": family_mod.relation_of(rel_text or "") if rel_text else None,
                "relation_text": rel_text,
                "name": values.clean_name(self.text(cells, "relative_name") or "") or None,
                "status": self.text(cells, "relative_status"),
                "id_number": (idnumber.normalise(rid) or None) if rid else None,
                "source_row": row, "table_row": table_row}
