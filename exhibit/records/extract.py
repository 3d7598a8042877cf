"""Registers to person records: detect each table's columns, read every row, store records with provenance."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from exhibit.archive import Archive, custody
from exhibit.records import family as family_mod
from exhibit.records import idnumber, store, values
from exhibit.records.headers import SCAN_ROWS, classify, detect, is_family_table, register_date
from exhibit.records.mapping import MappingFile, TableMapping, from_dict, load

try:  # orjson reads the catalog's row JSON several times faster; the stdlib is the fallback
    import orjson

    _loads = orjson.loads

    def _dumps(obj: Any) -> str:
        return orjson.dumps(obj).decode()
except ImportError:  # pragma: no cover
    _loads = json.loads

    def _dumps(obj: Any) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

Cell = Sequence[Any]  # [value, type, raw]
RawRow = tuple[int, list[Cell]]

# Fields read as dates; the rest are text, kept as written (trimmed, line breaks of PDF layout removed).
DATE_FIELDS = ("detained", "entered", "flagged", "decided")
TEXT_FIELDS = ("ethnicity", "reason", "decision", "batch", "facility", "county", "township", "village",
               "statement", "reporter_relation", "seq")


def read_rows(db: sqlite3.Connection, table_id: int, batch: int = 20000) -> Iterator[RawRow]:
    """A table's rows as (number, [[value, type, raw], ...]), streamed in batches of the primary key."""
    last = -1
    while True:
        rs = db.execute("SELECT number, cells FROM table_rows WHERE table_id=? AND number>? ORDER BY number "
                        "LIMIT ?", (table_id, last, batch)).fetchall()
        if not rs:
            return
        for number, cells in rs:
            yield number, _loads(cells)
        last = rs[-1][0]


def record_id(sha256: str, ordinal: int, row: int) -> str:
    return "R-" + hashlib.sha256(f"{sha256}:{ordinal}:{row}".encode()).hexdigest()[:16]


@dataclass
class _Exhibit:
    seq: int
    id: str
    sha256: str
    paths: list[str]
    title: str | None
    meta_title: str | None
    page_texts: dict[int, str] | None = None


@dataclass
class RegisterSummary:
    id: str
    path: str
    table: str
    kind: str
    page: int | None
    status: str
    reason: str | None
    records: int = 0
    header_row: int | None = None
    title: str | None = None
    date: str | None = None
    columns: dict[str, str | None] = field(default_factory=dict)
    skipped_rows: int = 0
    table_id: int = 0


class _Reader:
    """Turns one table's rows into records for a given mapping."""

    def __init__(self, ex: _Exhibit, table: dict[str, Any], tm: TableMapping, row_offset: int,
                 arch: Archive) -> None:
        self.ex, self.table, self.tm, self.arch = ex, table, tm, arch
        self.cols = tm.field_columns()
        self.row_offset = row_offset
        self.data_rows = 0
        self.skipped = 0
        self.header_keys = [_header_label(h, i) for i, h in enumerate(tm.headers)]
        self.source_base = {
            "id": ex.id, "sha256": ex.sha256, "path": ex.paths[0] if ex.paths else None,
            "sheet": table["name"] if table["kind"] == "sheet" else None,
            "table": table["name"], "page": table["page"], "kind": table["kind"],
        }
        self.register = {"title": tm.title, "date": tm.date, "table": table["name"], "table_id": table["id"]}

    def _page_text(self) -> str | None:
        if self.table["kind"] != "pdf" or self.table["page"] is None:
            return None
        if self.ex.page_texts is None:
            self.ex.page_texts = {p["number"]: p["text"] for p in self.arch.pages(self.ex.seq)}
        return self.ex.page_texts.get(self.table["page"])

    def is_data(self, number: int, cells: list[Cell]) -> bool:
        if self.tm.header_row is not None and number <= self.tm.header_row:
            return False
        texts = [str(c[0]) if c[0] is not None else "" for c in cells]
        if not any(t.strip() for t in texts):
            return False
        if values.is_total_row(texts):
            return False
        # a repeated header (PDF pages, printed lists) is not a person
        if self.tm.headers and sum(1 for i, t in enumerate(texts) if i < len(self.tm.headers) and t
                                   and values.clean(t) == values.clean(self.tm.headers[i])) >= 2:
            return False
        id_col, name_col = self.cols.get("id_number"), self.cols.get("name")
        has_id = id_col is not None and id_col < len(cells) and str(cells[id_col][0] or "").strip()
        has_name = name_col is not None and name_col < len(cells) and str(cells[name_col][0] or "").strip()
        return bool(has_id or has_name)

    def cell(self, cells: list[Cell], f: str) -> Cell | None:
        i = self.cols.get(f)
        if i is None or i >= len(cells):
            return None
        return cells[i]

    def text(self, cells: list[Cell], f: str) -> str | None:
        c = self.cell(cells, f)
        if c is None or c[0] is None:
            return None
        s = values.clean(str(c[0]))
        return s or None

    def record(self, number: int, cells: list[Cell]) -> dict[str, Any]:
        """The interpretation of one row (cells are attached on read, from the catalog)."""
        self.data_rows += 1
        row = self.row_offset + self.data_rows if self.table["kind"] == "pdf" else number
        idc = self.cell(cells, "id_number")
        id_raw = str(idc[0]) if idc is not None and idc[0] is not None else None
        id_number, _ = idnumber.from_cell(id_raw or "", idc[1] if idc else "s", idc[2] if idc else None)
        name = self.text(cells, "name")
        if name:
            name = values.clean_name(name, self._page_text())
        dec = idnumber.decode(id_number) if id_number else None
        stated_birth = values.date(self.text(cells, "birth_date") or "",
                                   (self.cell(cells, "birth_date") or ("", "s"))[1])
        address = self.text(cells, "address")
        rec: dict[str, Any] = {
            "record_id": record_id(self.ex.sha256, self.table["ordinal"], number),
            "name": name or None,
            "id_number": id_number or None,
            "id_number_raw": id_raw,
            "gender": values.gender(self.text(cells, "gender") or ""),
            "birth_date": stated_birth or (dec.birth_date if dec else None),
            "birth_date_from": "stated" if stated_birth else ("id_number" if dec and dec.birth_date else None),
            "age": values.age(self.text(cells, "age") or ""),
            "address": address,
            "reason": self.text(cells, "reason"),
            "source": dict(self.source_base, row=row, table_row=number),
            "family": [],
            "register": self.register,
        }
        for f in TEXT_FIELDS:
            if f in self.cols:
                rec[f] = self.text(cells, f)
        if address:
            parts = values.split_address(address)
            for k, v in parts.items():
                if not rec.get(k):
                    rec[k] = v
        for f in DATE_FIELDS:
            if f in self.cols:
                c = self.cell(cells, f)
                rec[f] = values.date(self.text(cells, f) or "", c[1] if c else "s")
        if "birth_year" in self.cols:
            by = values.date(self.text(cells, "birth_year") or "")
            rec["birth_year"] = int(by[:4]) if by else None
        if dec is not None:
            rec["id_decoded"] = {
                "birth_date": dec.birth_date, "sex": dec.sex, "checksum_ok": dec.checksum_ok,
                "region": dec.region.as_dict() if dec.region else None, "region_state": dec.region_state,
            }
        fam = self.text(cells, "family")
        if fam:
            rec["family"] = [dict(m, source_row=row) for m in family_mod.parse(fam)]
        if is_family_table(self.tm):
            rec["family"] = [self.relative(cells, row, number)]
            rec["source"]["rows"] = [row]
        return rec

    def relative(self, cells: list[Cell], row: int, number: int) -> dict[str, Any]:
        rel_text = self.text(cells, "relation")
        rid = self.text(cells, "relative_id")
        return {"relation": family_mod.relation_of(rel_text or "") if rel_text else None,
                "relation_text": rel_text,
                "name": values.clean_name(self.text(cells, "relative_name") or "") or None,
                "status": self.text(cells, "relative_status"),
                "id_number": idnumber.normalise(rid) or None if rid else None,
                "source_row": row, "table_row": number}


def _header_label(h: str, i: int) -> str:
    return values.clean(h) if h else f"#{i + 1}"


def cells_dict(headers: Sequence[str], cells: Sequence[Cell]) -> dict[str, str]:
    """{header: value as shown} for a row; columns without a header are '#N'; duplicate headers get '#N'."""
    out: dict[str, str] = {}
    for i, c in enumerate(cells):
        label = _header_label(headers[i], i) if i < len(headers) else f"#{i + 1}"
        if label in out:
            label = f"{label} #{i + 1}"
        v = c[0]
        if v is None or v == "":
            if i >= len(headers):
                continue
            v = ""
        out[label] = str(v)
    return out


def _as_mapping(mapping: MappingFile | Path | str | dict[str, Any] | None) -> MappingFile | None:
    if mapping is None or isinstance(mapping, MappingFile):
        return mapping
    if isinstance(mapping, dict):
        return from_dict(mapping)
    return load(Path(mapping))


def _exhibit(arch: Archive, seq: int, cache: dict[int, _Exhibit]) -> _Exhibit:
    if seq not in cache:
        e = arch.exhibit(seq)
        meta = arch.metadata(seq)
        cache[seq] = _Exhibit(seq, e["id"], e["sha256"], e["paths"], e.get("title"),
                              str(meta.get("title") or "") or None)
    return cache[seq]


def _sample(rows: Iterator[RawRow]) -> list[RawRow]:
    out: list[RawRow] = []
    for r in rows:
        out.append(r)
        if len(out) >= SCAN_ROWS:
            break
    return out


def _continues(prev: tuple[dict[str, Any], TableMapping] | None, table: dict[str, Any],
               sample: list[RawRow]) -> TableMapping | None:
    """A PDF or DOCX table without a header of its own that goes on from the previous register table."""
    if prev is None:
        return None
    ptable, ptm = prev
    if ptable["exhibit_seq"] != table["exhibit_seq"] or ptable["kind"] != table["kind"] or ptm.status != "register":
        return None
    width = max((len(c) for _, c in sample), default=0)
    if width != len(ptm.headers):
        return None
    return TableMapping("register", None, None, list(ptm.headers), dict(ptm.fields), ptm.title, ptm.date,
                        continues=ptable["id"], from_file=ptm.from_file)


def _same_header(a: TableMapping, b: TableMapping) -> bool:
    return [values.clean(h) for h in a.headers] == [values.clean(h) for h in b.headers]


def extract(arch: Archive, mapping: MappingFile | Path | str | dict[str, Any] | None = None,
            progress: bool = False, show_mapping: bool = False) -> dict[str, Any]:
    """Read every table of the archive as a register where it is one; replace the stored records.

    Returns {"records": n, "registers": [..per table: status, reason, records, columns..]}.
    With show_mapping, nothing is stored and "mapping" holds the YAML entries detected.
    """
    mf = _as_mapping(mapping)
    store.ensure(arch.db)
    tables = arch.tables()
    cache: dict[int, _Exhibit] = {}
    summaries: list[RegisterSummary] = []
    entries: list[dict[str, Any]] = []
    prev: tuple[dict[str, Any], TableMapping] | None = None
    pdf_offset: dict[int, int] = {}  # exhibit -> data rows read so far in its PDF register
    total = 0
    bar = _progress(progress, sum(t["row_count"] for t in tables))
    for table in tables:
        ex = _exhibit(arch, table["exhibit_seq"], cache)
        rows = read_rows(arch.db, table["id"])
        sample = _sample(rows)
        entry = mf.entry_for(ex.id, ex.sha256, ex.paths, table["name"]) if mf else None
        tm = detect(sample, table["meta"], mf, entry)
        if tm.status != "register":
            cont = _continues(prev, table, sample)
            if cont is not None and (tm.header_row is None or not tm.headers):
                tm = classify(cont)
        if tm.status == "register":
            names = [table["name"], *ex.paths, ex.title, ex.meta_title]
            tm.date = register_date(tm, names)
            if prev is not None and prev[0]["exhibit_seq"] == table["exhibit_seq"] and prev[1].status == "register" \
                    and tm.title is None and _same_header(prev[1], tm):
                tm.title = prev[1].title
        s = RegisterSummary(ex.id, ex.paths[0] if ex.paths else "", table["name"], table["kind"], table["page"],
                            tm.status, tm.reason, header_row=tm.header_row, title=tm.title, date=tm.date,
                            columns=tm.as_yaml_columns(), table_id=table["id"])
        entries.append(_entry_yaml(ex, table, tm))
        if show_mapping:
            summaries.append(s)
            prev = (table, tm)
            continue
        offset = 0
        if table["kind"] == "pdf":
            same_register = prev is not None and prev[0]["exhibit_seq"] == table["exhibit_seq"] and \
                prev[1].status == "register" and (tm.continues == prev[0]["id"] or _same_header(prev[1], tm))
            offset = pdf_offset.get(table["exhibit_seq"], 0) if same_register else 0
        with arch.transaction() as db:
            db.execute("DELETE FROM records WHERE table_id=?", (table["id"],))
            n = 0
            if tm.status == "register":
                reader = _Reader(ex, table, tm, offset, arch)
                n = _write_records(db, reader, _chain(sample, rows), bar)
                s.skipped_rows = reader.skipped
                if table["kind"] == "pdf":
                    pdf_offset[table["exhibit_seq"]] = offset + reader.data_rows
            s.records = n
            db.execute("INSERT OR REPLACE INTO records_registers(table_id, exhibit_seq, status, reason, header_row,"
                       " headers, fields, title, date, records, from_file, extracted) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                       (table["id"], table["exhibit_seq"], tm.status, tm.reason, tm.header_row,
                        _dumps(tm.headers), _dumps({str(k): v for k, v in tm.fields.items()}), tm.title, tm.date,
                        n, int(tm.from_file), custody.utc_now()))
        total += n
        summaries.append(s)
        prev = (table, tm)
    if bar is not None:
        bar.stop()
    if not show_mapping:
        with arch.transaction() as db:
            # Tables that are gone (re-ingest) leave no records behind.
            db.execute("DELETE FROM records WHERE table_id NOT IN (SELECT id FROM tables)")
            db.execute("DELETE FROM records_registers WHERE table_id NOT IN (SELECT id FROM tables)")
            db.execute("DELETE FROM records_anomalies")
            store.set_meta(db, "extracted", custody.utc_now())
    out: dict[str, Any] = {"records": total, "registers": [_summary_json(s) for s in summaries]}
    if show_mapping:
        out["mapping"] = entries
    return out


def _chain(sample: list[RawRow], rows: Iterator[RawRow]) -> Iterator[RawRow]:
    yield from sample
    yield from rows


def _write_records(db: sqlite3.Connection, reader: _Reader, rows: Iterator[RawRow], bar: Any) -> int:
    batch: list[tuple[Any, ...]] = []
    n = 0
    family_table = is_family_table(reader.tm)
    pending: dict[str, Any] | None = None  # a family table's person, while rows continue that person

    def flush(rec: dict[str, Any]) -> None:
        nonlocal n
        batch.append((rec["record_id"], reader.ex.seq, reader.table["id"], rec["source"]["table_row"],
                      rec["source"]["row"], rec["name"], values.name_key(rec["name"]), rec["id_number"],
                      rec["gender"], rec["age"], rec["birth_date"], rec.pop("_id_cell"), _dumps(rec)))
        n += 1

    seen = 0
    for number, cells in rows:
        seen += 1
        if not reader.is_data(number, cells):
            if reader.tm.header_row is None or number > reader.tm.header_row:
                reader.skipped += 1
            continue
        rec = reader.record(number, cells)
        idc = reader.cell(cells, "id_number")
        rec["_id_cell"] = _dumps(list(idc)) if idc is not None else None
        if family_table:
            if pending is not None and _same_person(pending, rec):
                pending["family"].extend(rec["family"])
                pending["source"]["rows"].append(rec["source"]["row"])
                continue
            if pending is not None:
                flush(pending)
            pending = rec
        else:
            flush(rec)
        if len(batch) >= 5000:
            _insert(db, batch)
            if bar is not None:
                bar.advance(seen)
                seen = 0
    if pending is not None:
        flush(pending)
    _insert(db, batch)
    if bar is not None:
        bar.advance(seen)
    return n


def _same_person(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a["id_number"] or b["id_number"]:
        return bool(a["id_number"] == b["id_number"] and values.name_key(a["name"]) == values.name_key(b["name"]))
    return bool(a["name"]) and values.name_key(a["name"]) == values.name_key(b["name"])


def _insert(db: sqlite3.Connection, batch: list[tuple[Any, ...]]) -> None:
    if batch:
        db.executemany("INSERT OR REPLACE INTO records(record_id, exhibit_seq, table_id, table_row, row, name, "
                       "name_key, id_number, gender, age, birth_date, id_cell, data) "
                       "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", batch)
        batch.clear()


def _entry_yaml(ex: _Exhibit, table: dict[str, Any], tm: TableMapping) -> dict[str, Any]:
    e: dict[str, Any] = {"exhibit": ex.id, "path": ex.paths[0] if ex.paths else None, "table": table["name"]}
    if table["page"] is not None:
        e["page"] = table["page"]
    e["register"] = tm.status == "register"
    if tm.status != "register":
        e["why"] = tm.reason
    if tm.header_row is not None:
        e["header_row"] = tm.header_row
    if tm.date:
        e["date"] = tm.date
    if tm.headers:
        e["columns"] = tm.as_yaml_columns()
    return e


def _summary_json(s: RegisterSummary) -> dict[str, Any]:
    d = asdict(s)
    return d


def _progress(on: bool, total: int) -> Any:
    if not on:
        return None
    from rich.console import Console
    from rich.progress import Progress

    p = Progress(console=Console(stderr=True), transient=True)
    p.start()
    task = p.add_task("reading registers", total=total or None)

    class _Bar:
        def advance(self, n: int) -> None:
            p.advance(task, n)

        def stop(self) -> None:
            p.stop()
    return _Bar()
