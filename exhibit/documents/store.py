"""The documents_* tables: each exhibit's anatomy, format findings and the document numbers its text quotes,
and the catalog mark the documents sync has caught up to. Derived data: a sync rebuilds what changed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from exhibit.archive import Archive
from exhibit.archive.engine import in_list
from exhibit.archive.feed import Mark
from exhibit.documents.anatomy import Anatomy, Element, FieldName, Kind
from exhibit.documents.standard import Code, Finding

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- One row per exhibit looked at; kind NULL when it is not a 公文 or 电报.
CREATE TABLE IF NOT EXISTS documents_anatomy (
    exhibit_seq INTEGER PRIMARY KEY,
    kind        TEXT
);
CREATE TABLE IF NOT EXISTS documents_fields (
    {row_id}
    exhibit_seq INTEGER NOT NULL,
    name        TEXT NOT NULL,
    value       TEXT NOT NULL,
    folded      TEXT NOT NULL,            -- what the search filters match: no spaces, one bracket form
    page        INTEGER,
    line        INTEGER,
    start       INTEGER,
    "end"       INTEGER,
    text        TEXT,
    day         TEXT,
    chinese     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS documents_fields_seq ON documents_fields(exhibit_seq);
CREATE INDEX IF NOT EXISTS documents_fields_value ON documents_fields(name, folded);
CREATE TABLE IF NOT EXISTS documents_findings (
    {row_id}
    exhibit_seq INTEGER NOT NULL,
    code        TEXT NOT NULL,
    detail      TEXT NOT NULL,
    page        INTEGER,
    evidence    TEXT,
    field       TEXT
);
CREATE INDEX IF NOT EXISTS documents_findings_seq ON documents_findings(exhibit_seq);
-- Document numbers quoted in an exhibit's text (not its own 发文字号), by their key (代字|年|序号).
CREATE TABLE IF NOT EXISTS documents_cites (
    {row_id}
    exhibit_seq INTEGER NOT NULL,
    doc_key     TEXT NOT NULL,
    doc_number  TEXT NOT NULL,
    page        INTEGER NOT NULL,
    year_serial TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_cites_seq ON documents_cites(exhibit_seq);
CREATE INDEX IF NOT EXISTS documents_cites_ys ON documents_cites(year_serial);
-- The 发文字号 (and 电报号) each document carries, by the same key.
CREATE TABLE IF NOT EXISTS documents_numbers (
    exhibit_seq INTEGER NOT NULL,
    doc_key     TEXT NOT NULL,
    doc_number  TEXT NOT NULL,
    year_serial TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_numbers_ys ON documents_numbers(year_serial);
"""


def create(arch: Archive) -> None:
    arch.catalog.ensure(SCHEMA)


def fold(value: str) -> str:
    """A value as the filters compare it: without spaces, brackets of any form as 〔〕, case folded."""
    out = "".join(value.split()).casefold()
    return out.translate(str.maketrans("[(（【［", "〔〔〔〔〔")).translate(str.maketrans("])）】］", "〕〕〕〕〕"))


@dataclass(frozen=True)
class Citation:
    """A document number as quoted or carried: its text, page, and its key (agency code | year | serial)."""

    doc_number: str
    agency: str
    year: str
    serial: int
    page: int

    @property
    def year_serial(self) -> str:
        return f"{self.year}|{self.serial}"

    @property
    def key(self) -> str:
        return f"{self.agency}|{self.year_serial}"


def mark(arch: Archive) -> Mark:
    r = arch.catalog.execute("SELECT value FROM documents_state WHERE key='mark'").fetchone()
    if r is None:
        return Mark(0, 0)
    v = json.loads(r[0])
    return Mark(int(v["change"]), int(v["path"]))


def set_mark(arch: Archive, m: Mark) -> None:
    arch.catalog.execute("INSERT INTO documents_state(key, value) VALUES ('mark', :v) "
                         "ON CONFLICT (key) DO UPDATE SET value=excluded.value",
                         {"v": json.dumps({"change": m.change, "path": m.path})})


def put(arch: Archive, seq: int, anatomy: Anatomy, findings: Iterable[Finding], numbers: Iterable[Citation],
        cites: Iterable[Citation]) -> None:
    """Replace what is stored of one exhibit; call inside a transaction."""
    db = arch.catalog
    for table in ("documents_fields", "documents_findings", "documents_cites", "documents_numbers"):
        db.execute(f"DELETE FROM {table} WHERE exhibit_seq=:s", {"s": seq})
    db.execute("INSERT INTO documents_anatomy(exhibit_seq, kind) VALUES (:s, :k) "
               "ON CONFLICT (exhibit_seq) DO UPDATE SET kind=excluded.kind",
               {"s": seq, "k": str(anatomy.kind) if anatomy.kind else None})
    db.executemany(
        'INSERT INTO documents_fields(exhibit_seq, name, value, folded, page, line, start, "end", text, day, chinese) '
        "VALUES (:s,:n,:v,:f,:p,:l,:a,:b,:t,:d,:c)",
        [{"s": seq, "n": str(e.name), "v": e.value, "f": fold(e.value), "p": e.page, "l": e.line, "a": e.start,
          "b": e.end, "t": e.text, "d": e.date.isoformat() if e.date else None, "c": int(e.chinese_numerals)}
         for e in anatomy.elements])
    db.executemany("INSERT INTO documents_findings(exhibit_seq, code, detail, page, evidence, field) "
                   "VALUES (:s,:c,:d,:p,:e,:f)",
                   [{"s": seq, "c": str(f.code), "d": f.detail, "p": f.page, "e": f.evidence,
                     "f": str(f.field) if f.field else None} for f in findings])
    db.executemany("INSERT INTO documents_numbers(exhibit_seq, doc_key, doc_number, year_serial) "
                   "VALUES (:s,:k,:n,:y)",
                   [{"s": seq, "k": c.key, "n": c.doc_number, "y": c.year_serial} for c in numbers])
    db.executemany("INSERT INTO documents_cites(exhibit_seq, doc_key, doc_number, page, year_serial) "
                   "VALUES (:s,:k,:n,:p,:y)",
                   [{"s": seq, "k": c.key, "n": c.doc_number, "p": c.page, "y": c.year_serial} for c in cites])


def anatomy(arch: Archive, seq: int) -> Anatomy | None:
    """What the last sync stored of an exhibit, or None when it has not looked at it."""
    r = arch.catalog.execute("SELECT kind FROM documents_anatomy WHERE exhibit_seq=:s", {"s": seq}).fetchone()
    if r is None:
        return None
    order = list(FieldName)
    els = [Element(FieldName(x["name"]), x["value"], x["page"], x["line"], x["start"], x["end"], x["text"],
                   date.fromisoformat(x["day"]) if x["day"] else None, bool(x["chinese"]))
           for x in arch.catalog.execute("SELECT * FROM documents_fields WHERE exhibit_seq=:s", {"s": seq})]
    return Anatomy(Kind(r[0]) if r[0] else None, tuple(sorted(els, key=lambda e: order.index(e.name))))


def findings(arch: Archive, seq: int) -> list[Finding]:
    return [Finding(Code(r["code"]), r["detail"], r["page"], r["evidence"], FieldName(r["field"]) if r["field"]
                    else None)
            for r in arch.catalog.execute(f"SELECT * FROM documents_findings WHERE exhibit_seq=:s "
                                          f"ORDER BY {arch.catalog.row_order}", {"s": seq})]


def cites(arch: Archive, seq: int) -> list[tuple[str, str, int, str]]:
    """(doc_key, doc_number, page, year_serial) of each number quoted in the exhibit, in page order."""
    return [(r[0], r[1], r[2], r[3]) for r in arch.catalog.execute(
        "SELECT doc_key, doc_number, page, year_serial FROM documents_cites WHERE exhibit_seq=:s "
        f"ORDER BY page, {arch.catalog.row_order}", {"s": seq})]


def numbers(arch: Archive, seq: int) -> list[tuple[str, str, str]]:
    """(doc_key, doc_number, year_serial) of the numbers the exhibit carries."""
    return [(r[0], r[1], r[2]) for r in arch.catalog.execute(
        "SELECT doc_key, doc_number, year_serial FROM documents_numbers WHERE exhibit_seq=:s", {"s": seq})]


def carriers(arch: Archive, year_serial: str) -> list[tuple[int, str]]:
    """(exhibit, doc_key) of documents carrying a number with this year and serial."""
    return [(int(r[0]), r[1]) for r in arch.catalog.execute(
        "SELECT exhibit_seq, doc_key FROM documents_numbers WHERE year_serial=:y ORDER BY exhibit_seq",
        {"y": year_serial})]


def citers(arch: Archive, year_serial: str) -> list[tuple[int, str, str, int]]:
    """(exhibit, doc_key, doc_number, page) of quotations of a number with this year and serial."""
    return [(int(r[0]), r[1], r[2], int(r[3])) for r in arch.catalog.execute(
        "SELECT exhibit_seq, doc_key, doc_number, page FROM documents_cites WHERE year_serial=:y "
        "ORDER BY exhibit_seq, page", {"y": year_serial})]


def exhibits_with(arch: Archive, names: Iterable[FieldName], value: str) -> list[int]:
    """The exhibits whose element of one of `names` holds `value` (folded; `*` is a wildcard)."""
    want = fold(value)
    marks, args = in_list("n", [str(n) for n in names])
    if "*" in want:
        pattern = want.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace("*", "%")
        sql, arg = "folded LIKE :want ESCAPE '\\'", pattern
    else:
        sql, arg = "folded = :want", want
    return [int(r[0]) for r in arch.catalog.execute(
        f"SELECT DISTINCT exhibit_seq FROM documents_fields WHERE name IN {marks} AND {sql} ORDER BY exhibit_seq",
        {**args, "want": arg})]
