"""The bulk path of extraction: a register's rows read inside SQLite, by two processes when it is long.

One INSERT ... SELECT per table reads the catalog's row JSON (json_extract), cleans the cells a record
needs, and stores the ID screen of every record (records.id_screen), all in C at memory that does not
grow with the table. Rows the expressions cannot settle (an ID stored as a number, full-width digits, a
name broken over lines) are marked and re-read one by one in Python with the same code that reads records
back (interpret.RowReader), so both paths give the same values.

A register of PARALLEL_ROWS rows or more is split at its middle row: a second process reads the upper half
into a scratch SQLite file while this one reads the lower half into the catalog, then the scratch rows are
copied in (a copy inside SQLite costs a tenth of reading them). The catalog has one writer, so the second
process only reads it. If the helper fails, this process reads that half itself: the result is the same.

All of that is SQLite's (json_extract, GLOB, temp tables, an attached file). On a PostgreSQL catalog a
register's rows are read in Python with that same reference reading (RowReader) and streamed in by COPY
(Catalog.bulk_insert); every record with an ID is marked for the checks (no ID screen in SQL there).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from exhibit.archive import Archive, rows
from exhibit.archive.engine import Catalog, Dialect
from exhibit.records import id_screen, store, values
from exhibit.records.interpret import HEADER_SPACE, RowReader
from exhibit.records.vocab import vocab

log = logging.getLogger(__name__)

# Below this, starting a second process and copying its rows back saves too little to be worth it.
PARALLEL_ROWS = 100_000

COLUMNS = store.BULK_COLUMNS

_DOTS = "·•‧∙⋅・"
_SHAPE18 = "[0-9]" * 17 + "[0-9X]"
_SHAPE15 = "[0-9]" * 15
_WS = "' ' || char(9) || char(10) || char(13) || char(12288) || char(160)"


def _q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _strip(expr: str) -> str:
    """SQL: the text without spaces of any width, as header_key compares (lower case)."""
    return f"lower(replace(replace(replace(replace({expr}, ' ', ''), char(12288), ''), char(160), ''), char(9), ''))"


def _bare(expr: str) -> str:
    """SQL: the text without the whitespace interpret.bare removes."""
    for ch in HEADER_SPACE:
        expr = f"replace({expr}, char({ord(ch)}), '')"
    return expr


def select_sql(reader: RowReader, target: str) -> str:
    """INSERT INTO target(COLUMNS) the records of the table's rows numbered in (:lo, :hi]."""
    cols = reader.cols

    def cell(f: str, part: int = 0) -> str:
        i = cols.get(f)
        return f"json_extract(cells, '$[{i}][{part}]')" if i is not None else "NULL"

    genders = " ".join(f"WHEN {_q(k)} THEN {_q(g)}" for k, g in vocab().genders.items())
    totals = vocab().totals
    # A total row's label ("合计", "小计") is in the first column, or in the name column when the first is
    # empty. The first-character test keeps the full comparison off ordinary rows (names, sequence numbers).
    firsts = ", ".join(_q(c) for c in sorted({w[0].lower() for w in totals} | {"共"}))
    f = "coalesce(nullif(trim(c0), ''), nullif(trim(name_v), ''))"
    is_total = (f"lower(substr(ltrim({f}, ' ' || char(12288) || char(160) || char(9)), 1, 1)) IN ({firsts}) AND ("
                + " OR ".join(f"{_strip(f)} LIKE {_q(w + '%')}" for w in totals) + f" OR {f} GLOB '共[0-9]*')")
    hname, hid = reader._header_pair
    id_chain = ("upper(replace(replace(replace(replace(replace(replace(trim(id_v, " + _WS + "), ' ', ''), "
                "char(12288), ''), char(160), ''), '''', ''), '-', ''), char(9), ''))")
    dots = f"[{_DOTS}]"
    dot_list = ", ".join(_q(d) for d in _DOTS)
    # a compatibility ideograph in a name: values.clean reads it as the unified one
    compat = "".join(values.COMPAT_RANGES)
    # The ID as read: a cell already in shape (the common case: s18, tested once per row) is taken as it is,
    # anything else cleaned as idnumber.normalise cleans it. Written out where used: for a row in shape it
    # costs a test and a copy.
    idn = f"(CASE WHEN s18 THEN id_v WHEN id_v IS NULL THEN '' ELSE {id_chain} END)"
    # Rows the expressions cannot settle go to Python (RowReader.core), the reference reading.
    needs_python = " OR ".join([
        "coalesce(id_t, 's') NOT IN ('s', '')",
        f"(NOT s18 AND {idn} != '' AND {idn} NOT GLOB '{_SHAPE18}' AND {idn} NOT GLOB '{_SHAPE15}')",
        "instr(nm, char(10)) > 0", "instr(nm, char(13)) > 0",
        f"(instr(nm, ' ') > 0 AND (instr(nm, '  ') > 0 OR nm GLOB '* {dots}*' OR nm GLOB '*{dots} *'))",
        f"nm GLOB '{dots}*'", f"substr(nm, -1) IN ({dot_list})",
        f"nm GLOB '*[{compat}]*'",
        "(gender IS NULL AND g_v IS NOT NULL AND trim(g_v) != '')",
        "(age IS NULL AND a_v IS NOT NULL AND trim(a_v) != '')",
    ])
    row = ":offset + ROW_NUMBER() OVER (ORDER BY number)" if reader.table.kind == "pdf" else "number"
    id_cell = (f"CASE WHEN coalesce(id_t, 's') NOT IN ('s', '') THEN json_array(id_v, id_t, {cell('id_number', 2)}) "
               "END") if "id_number" in cols else "NULL"
    # An age written plainly (1 to 3 digits, no leading zero) is read by two casts; anything else as
    # values.age reads it.
    age = """CASE WHEN CAST(CAST(a_v AS INTEGER) AS TEXT) = a_v AND CAST(a_v AS INTEGER) BETWEEN 0 AND 129
                       THEN CAST(a_v AS INTEGER)
                  WHEN a_v GLOB '[0-9]' OR a_v GLOB '[0-9][0-9]' OR a_v GLOB '[0-9][0-9][0-9]'
                       THEN (CASE WHEN CAST(a_v AS INTEGER) <= 129 THEN CAST(a_v AS INTEGER) END)
                  WHEN trim(a_v) GLOB '[0-9]*' AND trim(a_v) NOT GLOB '[0-9][0-9][0-9][0-9]*'
                       AND CAST(trim(a_v) AS INTEGER) BETWEEN 0 AND 129 THEN CAST(trim(a_v) AS INTEGER) END"""
    # The per-row projection over the catalog's rows of table :tid numbered in (:lo, :hi]: the archive
    # gives the SELECT over its own table (archive.rows.projection_sql says why SQL text), we give the columns.
    columns = (f"cells, {cell('name')} AS name_v, {cell('id_number')} AS id_v, {cell('id_number', 1)} AS id_t, "
               f"{cell('gender')} AS g_v, {cell('age')} AS a_v, json_extract(cells, '$[0][0]') AS c0")
    # `cleaned` is MATERIALIZED so that each cell is extracted and cleaned once per row; a flattened query
    # would repeat an expression everywhere its alias is used. Each of its columns is then used once.
    return f"""
    INSERT INTO {target}({COLUMNS})
    WITH cleaned AS MATERIALIZED (
      SELECT number, id_v, id_t, g_v, a_v, {id_cell} AS id_cell,
             c0, name_v,
             trim(coalesce(name_v, ''), {_WS}) AS nm,
             id_v GLOB '{_SHAPE18}' AS s18,
             CASE g_v WHEN '男' THEN 'M' WHEN '女' THEN 'F' ELSE (CASE {_strip('g_v')} {genders} END) END AS gender,
             {age} AS age
      FROM ({rows.projection_sql(columns)})
    )
    SELECT :tid, number, :seq, {row}, nullif(nm, ''), nullif({idn}, ''), gender, age, id_cell,
           CASE WHEN {needs_python} THEN 1 END,
           CASE WHEN {id_screen.screen_sql(idn, 'gender', 'age', 'id_cell', shaped='s18')} THEN 1 END
    FROM cleaned
    WHERE (nm != '' OR {idn} != '')
      -- not a total row; a first cell that starts with a digit (a sequence number) settles it at once
      AND ((c0 GLOB '[0-9]*') IS 1 OR NOT ({f} IS NOT NULL AND {f} NOT GLOB '[0-9]*' AND {is_total}))
      -- the header repeated (compared without whitespace, as interpret.bare compares it)
      AND NOT (substr(nm, 1, 1) = {_q((hname or '')[:1])} AND {_bare('nm')} = {_q(hname or '')}
               AND {_bare("coalesce(id_v, '')")} = {_q(hid or '')})
    """


def _params(reader: RowReader, offset: int, lo: int, hi: int) -> dict[str, Any]:
    lo_d, hi_d = values.date_bounds(reader.tm.date) if reader.tm.date else (None, dt.date.today())
    return {"seq": reader.ex.seq, "tid": reader.table.id, "offset": offset, "lo": lo, "hi": hi,
            **id_screen.bounds_params(lo_d, hi_d)}


# ---- the second process ------------------------------------------------------------------------------

@dataclass
class Helper:
    """The upper rows of one register, read by a second process into a scratch file."""

    lo: int
    hi: int
    path: Path
    proc: subprocess.Popen[bytes] | None = None
    attached: bool = False


def split_point(reader: RowReader) -> tuple[int, int, int] | None:
    """(lo, mid, hi) row numbers when the register is long enough for two processes, else None."""
    if reader.table.kind == "pdf" or reader.table.row_count < PARALLEL_ROWS:
        return None  # a PDF register's rows are counted across its tables, in one pass
    lo = reader.tm.header_row if reader.tm.header_row is not None else -1
    span = rows.row_span(reader.arch, reader.table.id, lo)
    if span is None or span[1] - span[0] < PARALLEL_ROWS:
        return None
    first, last = span
    return lo, (first + last) // 2, last


@contextmanager
def helper(arch: Archive, reader: RowReader | None, offset: int) -> Iterator[Helper | None]:
    """Start the second process on the upper half of a long register; clean up whatever happens.

    The scratch file is attached before the caller's transaction begins (SQLite attaches nothing inside
    one); the caller's transaction must be DEFERRED, so that it never locks the file the helper writes.
    """
    split = split_point(reader) if reader is not None and not reader.family_table \
        and arch.catalog.dialect is Dialect.SQLITE else None
    if split is None or reader is None:
        yield None
        return
    _, mid, hi = split
    arch.tmp_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="records-", dir=arch.tmp_dir))
    h = Helper(mid, hi, tmp / "part.sqlite")
    try:
        h.attached = True  # detached below even if creating the table failed after the ATTACH
        store.create_scratch(arch.catalog, h.path)
        path = next(r[2] for r in arch.catalog.execute("PRAGMA database_list") if r[1] == "main")
        job = {"catalog": path, "scratch": str(h.path), "setup": id_screen.setup(),
               "sql": select_sql(reader, "part.records"), "params": _params(reader, offset, mid, hi)}
        (tmp / "job.json").write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
        # A fresh interpreter running records/part.py as a script, standard library only (not
        # multiprocessing: its spawn re-runs the caller's main script, and fork copies a connection that
        # SQLite forbids using in the child).
        try:
            h.proc = subprocess.Popen([sys.executable, "-I", str(Path(__file__).with_name("part.py")),
                                       str(tmp / "job.json")],
                                      stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as e:  # no interpreter to start (embedded Python): this process reads every row
            log.warning("records: could not start a second process (%s), reading all rows here", e)
        yield h
    finally:
        if h.proc is not None and h.proc.poll() is None:
            h.proc.kill()  # only when the caller failed before reading its result
            h.proc.wait()
        if h.attached and any(r[1] == "part" for r in arch.catalog.execute("PRAGMA database_list")):
            arch.catalog.execute("DETACH DATABASE part")
        shutil.rmtree(tmp, ignore_errors=True)


def _take_part(db: Catalog, h: Helper) -> int | None:
    """Copy the helper's records into the catalog; None if it failed (the caller reads those rows itself)."""
    if h.proc is None:
        return None
    out, err = h.proc.communicate()
    if h.proc.returncode != 0 or not out.strip().isdigit():
        log.warning("records: the second process failed (exit %s), reading its rows here: %s",
                    h.proc.returncode, err.decode(errors="replace")[-2000:])
        return None
    n = int(out)
    if store.scratch_count(db) != n:
        log.warning("records: the second process's scratch file was replaced, reading its rows here")
        return None
    store.copy_scratch(db)
    return n


def write(cat: Catalog, reader: RowReader, offset: int, h: Helper | None) -> int:
    """Store the records of a register that is not a family table; return how many."""
    if cat.dialect is not Dialect.SQLITE:
        return _write_rows(cat, reader, offset)
    id_screen.prepare(cat)
    lo = reader.tm.header_row if reader.tm.header_row is not None else -1
    sql = select_sql(reader, "records")
    hi = h.lo if h is not None else 1 << 62
    n = cat.execute(sql, _params(reader, offset, lo, hi)).rowcount
    if h is not None:
        got = _take_part(cat, h)
        if got is None:
            got = cat.execute(sql, _params(reader, offset, h.lo, h.hi)).rowcount
        n += got
    t = reader.table
    updates = []
    for trow, cells in sorted(rows.stored_cells(reader.arch, t.id, store.to_fix(cat, t.id)).items()):
        name, idn, gender, age = reader.core(cells)
        updates.append((name, idn, gender, age, t.id, trow))
    store.fixed(cat, updates)
    return n


_BATCH = 20_000


def _write_rows(cat: Catalog, reader: RowReader, offset: int) -> int:
    """The register read in Python (RowReader, the reference reading the SQL path defers to) and written in
    batches by Catalog.bulk_insert (COPY on PostgreSQL): memory stays one batch."""
    t, ex = reader.table, reader.ex
    batch: list[tuple[object, ...]] = []
    k = 0
    for number, cells in rows.stored_rows(reader.arch, t.id, after=reader.tm.header_row if
                                          reader.tm.header_row is not None else -1):
        if not reader.is_data(number, cells):
            continue
        k += 1
        name, idn, gender, age = reader.core(cells)
        idc = reader.cell(cells, "id_number")
        id_cell = orjson.dumps(list(idc)).decode() if idc is not None and (idc[1] or "s") not in ("s", "") \
            else None
        batch.append((t.id, number, ex.seq, offset + k if t.kind == "pdf" else number, name, idn, gender, age,
                      id_cell, None, 1 if idn or id_cell else None))
        if len(batch) >= _BATCH:
            store.insert_grouped(cat, batch)
            batch = []
    store.insert_grouped(cat, batch)
    return k


@contextmanager
def transaction(cat: Catalog) -> Iterator[Catalog]:
    """Archive.transaction, but on SQLite DEFERRED: it locks the catalog at its first write and never the
    helper's scratch file, which an IMMEDIATE transaction would lock with every attached database."""
    if cat.dialect is not Dialect.SQLITE:
        with cat.transaction():
            yield cat
        return
    cat.execute("BEGIN DEFERRED")
    done = False
    try:
        yield cat
        done = True
    finally:  # anything raised inside, even KeyboardInterrupt, leaves no half-written change
        cat.execute("COMMIT" if done else "ROLLBACK")
