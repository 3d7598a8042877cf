"""Registers to person records: detect each table's columns, read every row, store records with provenance.

A register's rows are read in bulk inside SQLite (records.bulk: one INSERT ... SELECT per table, a second
process for the upper half of a long one), so a million-row sheet is read in C at memory that does not grow
with the table. Family tables (one row per relative) are read in Python and grouped per person.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from exhibit.archive import Archive, custody, rows
from exhibit.archive.engine import Catalog
from exhibit.archive.rows import StoredCells
from exhibit.archive.types import TableInfo
from exhibit.progress import SILENT, Progress
from exhibit.records import bulk, store, values
from exhibit.records.headers import SCAN_ROWS, Unmapped, classify, detect, register_date, unmapped
from exhibit.records.interpret import ExhibitInfo, RowReader, exhibit_info
from exhibit.records.mapping import MappingFile, TableMapping, from_dict, load
from exhibit.records.values import find_date, labelled_date

RawRow = tuple[int, StoredCells]


def _json(obj: Any) -> str:
    return orjson.dumps(obj).decode()


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
    table_id: int = 0
    # headers no field was found for: {column, header, suggestion, mapping (the `headers:` line), message}
    unmapped: list[dict[str, Any]] = field(default_factory=list)


def _as_mapping(mapping: MappingFile | Path | str | dict[str, Any] | None) -> MappingFile | None:
    if mapping is None or isinstance(mapping, MappingFile):
        return mapping
    if isinstance(mapping, dict):
        return from_dict(mapping)
    return load(Path(mapping))


def _sample(rows: Iterator[RawRow]) -> list[RawRow]:
    out: list[RawRow] = []
    for r in rows:
        out.append(r)
        if len(out) >= SCAN_ROWS:
            break
    return out


def _continues(prev: tuple[TableInfo, TableMapping] | None, table: TableInfo,
               sample: list[RawRow]) -> TableMapping | None:
    """A PDF or DOCX table without a header of its own that goes on from the previous register table."""
    if prev is None:
        return None
    ptable, ptm = prev
    if ptable.exhibit_seq != table.exhibit_seq or ptable.kind != table.kind or ptm.status != "register":
        return None
    width = max((len(c) for _, c in sample), default=0)
    if width != len(ptm.headers):
        return None
    return TableMapping("register", None, None, list(ptm.headers), dict(ptm.fields), ptm.title, ptm.date,
                        continues=ptable.id, from_file=ptm.from_file)


def _same_header(a: TableMapping, b: TableMapping) -> bool:
    return [values.clean(h) for h in a.headers] == [values.clean(h) for h in b.headers]


def detect_table(arch: Archive, table: TableInfo, ex: ExhibitInfo, mf: MappingFile | None,
                 prev: tuple[TableInfo, TableMapping] | None) -> TableMapping:
    """The mapping of one table: detected, corrected by the mapping file, or continuing the previous table."""
    sample = _sample(rows.stored_rows(arch, table.id, batch=SCAN_ROWS))
    entry = mf.entry_for(ex.id, ex.sha256, ex.paths, table.name) if mf else None
    tm = detect(sample, table.meta, mf, entry)
    if tm.status != "register" and not (entry and entry.get("register") is False):
        cont = _continues(prev, table, sample)
        if cont is not None and (tm.header_row is None or not tm.headers):
            tm = classify(cont)
    if tm.status == "register":
        same = prev is not None and prev[0].exhibit_seq == table.exhibit_seq and prev[1].status == "register" \
            and _same_header(prev[1], tm)
        if tm.date is None and tm.continues is None:
            # a header repeated on a later page: the register's date was said once, on its first page
            tm.date = prev[1].date if same and prev is not None else \
                (_page_date(arch, ex, table, tm) or _footer_date(arch, table, tm))
        tm.date = register_date(tm, [table.name, *ex.paths, ex.title, ex.meta_title])
        if tm.title is None:
            if same and prev is not None:
                tm.title = prev[1].title
            else:
                tm.title = _page_title(arch, ex, table, tm)
    return tm


FOOTER_ROWS = 6  # how far up from a table's end a "填表日期：" footer is looked for


def _footer_date(arch: Archive, table: TableInfo, tm: TableMapping) -> str | None:
    """The date a footer row under the last person gives ("填表人：… 填表日期：2018年9月1日"), labelled only."""
    span = rows.row_span(arch, table.id, tm.header_row if tm.header_row is not None else -1)
    if span is None:
        return None
    tail = rows.stored_rows(arch, table.id, batch=FOOTER_ROWS, after=max(span[0], span[1] - FOOTER_ROWS) - 1)
    for _, cells in tail:
        d = labelled_date(" ".join(str(c[0]) for c in cells if c and c[0]))
        if d:
            return d
    return None


def _page_date(arch: Archive, ex: ExhibitInfo, table: TableInfo, tm: TableMapping) -> str | None:
    """A DOCX or PDF register's own date, from the lines of its page above the table (its title, a
    "填报时间：" or "as of" line): the table's cells do not hold them."""
    if table.kind not in ("docx", "doc", "pdf"):
        return None
    page = arch.page(ex.seq, table.page or 1)
    if page is None:
        return None
    first = next((values.clean(h) for h in tm.headers if h), None)
    lines: list[str] = []
    for line in page.text.splitlines():
        if first and values.clean(line).startswith(first[:4]):
            break
        lines.append(line)
    # a DOCX page's text holds its paragraphs, not its tables: the first lines are above the table
    found = len(lines) < len(page.text.splitlines()) or table.kind != "pdf"
    above = find_date(" ".join(lines[:8])) if found else None
    if above or table.kind != "pdf":
        return above or labelled_date(page.text)  # else a labelled footer under the table
    # a PDF register's footer is under its last person, on its last page
    if ex.page_texts is None:
        ex.page_texts = {p.number: p.text for p in arch.pages(ex.seq)}
    return next((d for _, text in sorted(ex.page_texts.items()) if (d := labelled_date(text))), None)


def _page_title(arch: Archive, ex: ExhibitInfo, table: TableInfo, tm: TableMapping) -> str | None:
    """A DOCX or PDF register's title: the first short line of its page's text, unless that is the header."""
    if table.kind not in ("docx", "doc", "pdf"):
        return None
    page = arch.page(ex.seq, table.page or 1)
    if page is None:
        return None
    headers = {values.clean(h) for h in tm.headers}
    for line in page.text.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= 60 and line not in headers else None
    return None


def extract(arch: Archive, mapping: MappingFile | Path | str | dict[str, Any] | None = None,
            progress: Progress = SILENT, show_mapping: bool = False, actor: str | None = None) -> dict[str, Any]:
    """Read every table of the archive as a register where it is one; replace the stored records.

    Returns {"records": n, "registers": [..per table: status, reason, records, columns..]}.
    With show_mapping, nothing is stored and "mapping" holds the entries detected (the YAML file's form).
    """
    mf = _as_mapping(mapping)
    store.ensure(arch.catalog)
    who = actor or custody.os_user()
    if show_mapping:
        return _extract(arch, mf, progress, show_mapping, who)
    # Records are appended in key order and the ID index is built at the end, so the default page cache
    # is enough: memory stays small however long the register.
    with store.id_index_after(arch.catalog):
        return _extract(arch, mf, progress, show_mapping, who)


def _extract(arch: Archive, mf: MappingFile | None, progress: Progress, show_mapping: bool,
             who: str) -> dict[str, Any]:
    tables = arch.tables()
    cache: dict[int, ExhibitInfo] = {}
    summaries: list[RegisterSummary] = []
    entries: list[dict[str, Any]] = []
    prev: tuple[TableInfo, TableMapping] | None = None
    pdf_offset: dict[int, int] = {}  # exhibit -> data rows counted so far in its PDF register
    total = 0
    progress.start("records", sum(t.row_count for t in tables) or None)
    for table in tables:
        ex = exhibit_info(arch, table.exhibit_seq, cache)
        tm = detect_table(arch, table, ex, mf, prev)
        s = RegisterSummary(ex.id, ex.paths[0] if ex.paths else "", table.name, table.kind, table.page,
                            tm.status, tm.reason, header_row=tm.header_row, title=tm.title, date=tm.date,
                            columns=tm.as_yaml_columns(), table_id=table.id)
        if tm.continues is None:  # a continued table's headers were listed with the table it continues
            entry = mf.entry_for(ex.id, ex.sha256, ex.paths, table.name) if mf else None
            s.unmapped = [dict(u.as_json(), message=_unmapped_message(s, u)) for u in unmapped(tm, mf, entry)]
        entries.append(_entry_yaml(ex, table, tm))
        if not show_mapping:
            offset = 0
            if table.kind == "pdf" and prev is not None and prev[0].exhibit_seq == table.exhibit_seq \
                    and prev[1].status == "register" and (tm.continues == prev[0].id or _same_header(prev[1], tm)):
                offset = pdf_offset.get(table.exhibit_seq, 0)
            reader = RowReader(arch, ex, table, tm) if tm.status == "register" else None
            with bulk.helper(arch, reader, offset) as helper, bulk.transaction(arch.catalog) as db:
                store.forget_table(db, table.id)
                n = 0
                if reader is not None:
                    if reader.family_table:
                        n = _write_family_table(db, reader, offset)
                    else:
                        n = bulk.write(db, reader, offset, helper)
                    if table.kind == "pdf":
                        pdf_offset[table.exhibit_seq] = offset + n
                s.records = n
                when = custody.utc_now()
                store.save_register(db, table.id, table.exhibit_seq, tm, n, when)
                store.record_mapping(db, table.id, tm, who, when)
            total += n
        progress.advance(table.row_count, table.name)
        summaries.append(s)
        prev = (table, tm)
    progress.finish()
    if not show_mapping:
        with arch.transaction() as db:
            # Tables that are gone (re-ingest) leave no records behind.
            store.forget_tables_except(db, [t.id for t in tables])
            store.forget_anomalies(db)
            store.set_meta(db, "extracted", custody.utc_now())
    out: dict[str, Any] = {"records": total, "registers": [asdict(s) for s in summaries]}
    if show_mapping:
        out["mapping"] = entries
    return out


def _unmapped_message(s: RegisterSummary, u: Unmapped) -> str:
    where = f"{s.id} {s.path}" + (f" ({s.table})" if s.table and s.table != s.path.rsplit("/", 1)[-1] else "")
    guess = f"it looks like `{u.suggestion}`; check, then" if u.suggestion else \
        "replace FIELD with one of the fields `exhibit records extract --show-mapping` lists, then"
    return (f"{where}: header {u.header!r} (column {u.column + 1}) is not mapped to any field, so its values "
            f"are kept verbatim only; {guess} add to a mapping file\n  headers:\n    {u.mapping_line()}\n"
            "and run `exhibit records extract --mapping FILE`.")


# ---- family tables: one row per relative, read in Python and grouped per person ----------------------

def _write_family_table(db: Catalog, reader: RowReader, offset: int) -> int:
    """One record per person: consecutive rows with the same person make one record whose `rows` are all
    the relative rows, each relative citing its own row."""
    t, ex = reader.table, reader.ex
    batch: list[tuple[Any, ...]] = []
    current: tuple[str | None, str, list[int], tuple[Any, ...]] | None = None  # (id, name key, rows, values)
    k = 0

    def flush() -> None:
        if current is not None:
            _idn, _nk, numbers, vals = current
            batch.append((*vals, _json(numbers) if len(numbers) > 1 else None, 1))

    for number, cells in rows.stored_rows(reader.arch, t.id, after=reader.tm.header_row or -1):
        if not reader.is_data(number, cells):
            continue
        k += 1
        name, idn, gender, age = reader.core(cells)
        nk = values.name_key(name)
        if current is not None and (current[0], current[1]) == (idn, nk) and (idn or nk):
            current[2].append(number)
            continue
        flush()
        row = offset + k if t.kind == "pdf" else number
        idc = reader.cell(cells, "id_number")
        id_cell = _json(list(idc)) if idc is not None and (idc[1] or "s") not in ("s", "") else None
        vals = (t.id, number, ex.seq, row, name, idn, gender, age, id_cell)
        current = (idn, nk, [number], vals)
    flush()
    store.insert_grouped(db, batch)
    return len(batch)


def _entry_yaml(ex: ExhibitInfo, table: TableInfo, tm: TableMapping) -> dict[str, Any]:
    e: dict[str, Any] = {"exhibit": ex.id, "path": ex.paths[0] if ex.paths else None, "table": table.name}
    if table.page is not None:
        e["page"] = table.page
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
