"""Test helper: registers as other hands write them, from a grid of header spellings x decorations x layouts x
value forms x file formats, each written with its truth (the people, their fields, the planted anomalies).

People are invented: names from syllable lists, ID numbers made valid with python-stdnum (region codes in
use from GB/T 2260 in ../shared/data/gb2260), then one anomaly planted per chosen row (age, sex digit,
check digit, region). Nothing here is copied from the sample corpus.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Iterator, Sequence
from dataclasses import astuple, dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from allpairspy import AllPairs
from stdnum.cn import ric

GB2260 = Path("/work/shared/data/gb2260/areacodes.csv")
CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

# ---- the axes ----------------------------------------------------------------------------------------

FIELDS = ("seq", "name", "gender", "id_number", "birth_date", "age", "address", "reason")

# How a header row is spelled, per field, by the language and habits of whoever made the register.
SPELLINGS: dict[str, dict[str, str]] = {
    "zh": {"seq": "序号", "name": "姓名", "gender": "性别", "id_number": "公民身份号码", "birth_date": "出生日期",
           "age": "年龄", "address": "户籍地址", "reason": "收押原因"},
    "zh_alt": {"seq": "编号", "name": "人员姓名", "gender": "性别", "id_number": "身份证号码",
               "birth_date": "出生年月", "age": "岁数", "address": "现住址", "reason": "推送原因"},
    "zh_abbr": {"seq": "序", "name": "姓名", "gender": "性", "id_number": "身份证", "birth_date": "生日",
                "age": "年龄", "address": "住址", "reason": "事由"},
    "ug": {"seq": "تەرتىپ", "name": "ئىسمى", "gender": "جىنسى", "id_number": "كىملىك نومۇرى",
           "birth_date": "تۇغۇلغان ۋاقتى", "age": "يېشى", "address": "ئادرېسى", "reason": "سەۋەبى"},
    "en": {"seq": "No.", "name": "Full name", "gender": "Sex", "id_number": "ID number",
           "birth_date": "Date of birth", "age": "Age", "address": "Address", "reason": "Reason"},
    "en_abbr": {"seq": "S/N", "name": "Name", "gender": "M/F", "id_number": "ID No.", "birth_date": "D.O.B.",
                "age": "Yrs", "address": "Addr.", "reason": "Reason"},
}
# The unit or note some registers put after a header, in the register's language.
NOTES: dict[str, dict[str, str]] = {
    "zh": {"age": "岁", "birth_date": "年月日", "id_number": "18位", "name": "汉字"},
    "en": {"age": "years", "birth_date": "y/m/d", "id_number": "18 digits", "name": "as on ID"},
    "ug": {"age": "ياش", "id_number": "18 خانە"},
}
DECORATIONS = ("none", "note_fullwidth", "note_halfwidth", "note_square", "line_break", "spaced", "marked")
LAYOUTS = ("plain", "two_row_family", "blank_id_header", "blank_birth_header", "repeated_header")
# Where the register says its own date (a filename year is the fallback when it says none).
DATINGS = ("title_zh", "filler_zh", "filler_zh_split", "filler_en", "title_en", "footer_zh", "footer_en",
           "filename")
AGE_FORMS = ("plain", "sui", "zhousui", "decimal", "number")
DATE_FORMS = ("dots", "zh", "compact", "slashes", "short_year", "serial", "month_dots", "month_zh", "iso")
FORMATS = ("xlsx", "xls", "csv_utf8", "csv_utf8sig", "csv_gb18030", "csv_utf16", "docx", "pdf")

ANOMALIES = ("age_mismatch", "gender_mismatch", "bad_checksum", "unknown_region")


@dataclass(frozen=True)
class Variant:
    spelling: str
    decoration: str
    layout: str
    dating: str
    age_form: str
    date_form: str
    fmt: str

    @property
    def key(self) -> str:
        return "-".join((self.fmt, self.spelling, self.decoration, self.layout, self.dating, self.age_form,
                         self.date_form))

    @property
    def lang(self) -> str:
        return self.spelling.split("_")[0]


def _allowed(values: Sequence[str]) -> bool:
    """Combinations a register cannot have: number cells exist only in spreadsheets. Uyghur in a text-layer
    PDF is left out: the CJK font has no Arabic glyphs, and with one that has (DejaVu, shaped by MuPDF's
    HTML layout) the PDF reader's words split Arabic words at non-joining letters, give U+1776 for ە and
    join a cell's digits to its neighbour's text; that is the PDF reader's to fix, not the register's."""
    names = ("spelling", "decoration", "layout", "dating", "age_form", "date_form", "fmt")
    v = dict(zip(names, values, strict=False))
    fmt = v.get("fmt")
    if fmt is not None and fmt not in ("xlsx", "xls"):
        if v.get("age_form") == "number" or v.get("date_form") == "serial":
            return False
    if fmt == "pdf" and v.get("spelling") == "ug":
        return False
    return True


def _repair(values: list[str]) -> list[str]:
    """A variant the formats cannot have made possible: text where a number cell cannot be, Chinese
    spelling where Uyghur script cannot be shown."""
    if not _allowed(values):
        values[4] = "plain" if values[4] == "number" else values[4]
        values[5] = "compact" if values[5] == "serial" else values[5]
    if not _allowed(values):
        values[0] = "zh"
    return values


def grid() -> list[Variant]:
    """Every pair of values of any two axes in at least one variant (allpairspy), not the full product."""
    axes = [list(SPELLINGS), list(DECORATIONS), list(LAYOUTS), list(DATINGS), list(AGE_FORMS), list(DATE_FORMS),
            list(FORMATS)]
    out = [Variant(*_repair(list(p))) for p in AllPairs(axes)]
    # the repairs can leave a pair uncovered; add one variant for each such pair
    covered = {(a, x, b, y) for v in out for a, x in enumerate(astuple(v)) for b, y in enumerate(astuple(v))}
    for a, b in combinations(range(len(axes)), 2):
        for x in axes[a]:
            for y in axes[b]:
                if (a, x, b, y) in covered:
                    continue
                base = list(astuple(out[0]))
                base[a], base[b] = x, y
                for k, options in enumerate(axes):  # settle the other axes on values the pair allows
                    if k not in (a, b) and not _allowed(base):
                        base[k] = next((o for o in options if _allowed([*base[:k], o, *base[k + 1:]])), base[k])
                if _allowed(base):
                    v = Variant(*base)
                    out.append(v)
                    covered |= {(i, p, j, q) for i, p in enumerate(base) for j, q in enumerate(base)}
    return out


# ---- invented people ----------------------------------------------------------------------------------

_ZH_GIVEN = ("阿不都", "艾克拜尔", "努尔", "热合曼", "吐拉", "依明", "卡德尔", "玉山", "沙拉木", "阿力木")
_ZH_FAMILY = ("托合提", "买合苏提", "吾斯曼", "热依木", "艾则孜", "库尔班", "尼亚孜", "哈斯木", "肉孜", "塔伊尔")
_EN_GIVEN = ("Abdukerim", "Nurmemet", "Rahman", "Tursunjan", "Imin", "Qadir", "Yasin", "Salam", "Alim", "Ekber")
_EN_FAMILY = ("Tokhti", "Mexsut", "Osman", "Rehim", "Ezizi", "Qurban", "Niyaz", "Hashim", "Rozi", "Tahir")
_UG_GIVEN = ("ئابدۇكېرىم", "نۇرمەمەت", "راھمان", "تۇرسۇنجان", "ئىمىن", "قادىر", "ياسىن", "سالام", "ئالىم", "ئەكبەر")
_UG_FAMILY = ("توختى", "مەخسۇت", "ئوسمان", "رەھىم", "ئەزىزى", "قۇربان", "نىياز", "ھاشىم", "روزى", "تاھىر")
_NAMES = {"zh": (_ZH_GIVEN, _ZH_FAMILY, "·"), "en": (_EN_GIVEN, _EN_FAMILY, " "), "ug": (_UG_GIVEN, _UG_FAMILY, " ")}
_GENDERS = {"zh": ("男", "女"), "en": ("M", "F"), "ug": ("ئەر", "ئايال")}
_REASONS = {"zh": ("境外有亲属", "持有护照", "宗教活动", "超生"), "en": ("relatives abroad", "passport", "prayer", "births"),
            "ug": ("چەتئەلدە تۇغقىنى بار", "پاسپورت", "ناماز", "تۇغۇت")}
_RELATIONS = {"zh": (("父亲", "father"), ("哥哥", "brother"), ("妻子", "wife")),
              "en": (("father", "father"), ("brother", "brother"), ("wife", "wife")),
              "ug": (("دادىسى", "father"), ("ئاكىسى", "brother"), ("ئايالى", "wife"))}
_STATUS = {"zh": ("在押", "在家"), "en": ("detained", "at home"), "ug": ("تۇتۇلغان", "ئۆيدە")}
FAMILY_HEADINGS = {"zh": ("家庭成员", "姓名", "关系", "现状"), "en": ("Family members", "Name", "Relation", "Status"),
                   "ug": ("ئائىلە ئەزالىرى", "ئىسمى", "مۇناسىۋىتى", "ھالىتى")}


def _codes() -> tuple[list[tuple[str, str]], set[str]]:
    """(county-level codes in use with their names, every code ever listed)."""
    in_use, every = [], set()
    with GB2260.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            every.add(row["代码"])
            if row["状态"] == "在用" and row["级别"] == "县级" and not row["代码"].endswith("00"):
                in_use.append((row["代码"], row["名称"]))
    return in_use, every


_CODES: tuple[list[tuple[str, str]], set[str]] | None = None


def codes() -> tuple[list[tuple[str, str]], set[str]]:
    global _CODES  # read once per test session: 6,000 lines
    if _CODES is None:
        _CODES = _codes()
    return _CODES


@dataclass(frozen=True)
class Person:
    """One register row's truth: what was written (stated values) and what the checks must say of it."""

    row: int                 # the row as the register counts it (PDF: data rows across pages)
    name: str
    id_number: str
    gender: str              # M | F, as stated
    gender_text: str
    birth: dt.date           # as stated and as in the ID (except where an anomaly says otherwise)
    age: int                 # as stated
    address: str
    reason: str
    relation: tuple[str, str]  # (as written, code)
    relative: str
    relative_status: str
    anomaly: str | None      # the planted code, or None for a clean row


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def make_id(region: str, birth: dt.date, sex: str, rng: random.Random) -> str:
    seq = rng.randrange(0, 100)
    digit = rng.choice([d for d in range(10) if (d % 2 == 1) == (sex == "M")])
    body = f"{region}{birth:%Y%m%d}{seq:02d}{digit}"
    idn = body + ric.calc_check_digit(body + "0")  # stdnum takes the number with a check digit in place
    assert ric.calc_check_digit(idn) == idn[-1], idn
    return idn


class People:
    """Invented people with IDs unique across every register of a run (so no duplicate_id is planted)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def register(self, lang: str, date: dt.date, n: int = 10) -> list[Person]:
        rng = self.rng
        in_use, every = codes()
        planted: list[str | None] = [*ANOMALIES, *([None] * (n - len(ANOMALIES)))]
        rng.shuffle(planted)
        given, family, sep = _NAMES[lang]
        out = []
        for i, anomaly in enumerate(planted, 1):
            while True:
                sex = rng.choice("MF")
                birth = dt.date(rng.randrange(1945, 2000), rng.randrange(1, 13), rng.randrange(1, 29))
                region, place = rng.choice([c for c in in_use if c[0].startswith("65")] or in_use)
                if anomaly == "unknown_region":
                    region = next(c for c in (f"{rng.randrange(110000, 660000):06d}" for _ in range(1000))
                                  if c not in every and c[:2] in {x[:2] for x in every})
                idn = make_id(region, birth, sex, rng)
                if anomaly == "bad_checksum":
                    idn = idn[:17] + next(c for c in "0123456789X" if c != idn[17])
                if idn not in self.used:
                    self.used.add(idn)
                    break
            stated_sex = ("F" if sex == "M" else "M") if anomaly == "gender_mismatch" else sex
            age = age_on(birth, date) + (6 if anomaly == "age_mismatch" else 0)
            rel = rng.choice(_RELATIONS[lang])
            out.append(Person(
                row=i, name=f"{rng.choice(given)}{sep}{rng.choice(family)}", id_number=idn, gender=stated_sex,
                gender_text=_GENDERS[lang][0 if stated_sex == "M" else 1], birth=birth, age=age,
                address=place if lang == "zh" else f"{place} {rng.randrange(1, 30)}",
                reason=rng.choice(_REASONS[lang]), relation=rel,
                relative=f"{rng.choice(given)}{sep}{rng.choice(family)}",
                relative_status=rng.choice(_STATUS[lang]), anomaly=anomaly))
        return out


# ---- values as written -------------------------------------------------------------------------------

def age_text(age: int, form: str) -> Any:
    return {"plain": str(age), "sui": f"{age}岁", "zhousui": f"{age}周岁", "decimal": f"{age}.0",
            "number": age}[form]


EXCEL_EPOCH = dt.date(1899, 12, 30)


def birth_text(d: dt.date, form: str) -> Any:
    """The birth date as written, and (second) the ISO value it must read as."""
    return {"dots": f"{d:%Y.%m.%d}", "zh": f"{d.year}年{d.month}月{d.day}日", "compact": f"{d:%Y%m%d}",
            "slashes": f"{d.year}/{d.month}/{d.day}", "short_year": f"{d:%y}-{d.month}-{d.day}",
            "serial": (d - EXCEL_EPOCH).days, "month_dots": f"{d.year}.{d.month:02d}",
            "month_zh": f"{d.year}年{d.month}月", "iso": d.isoformat()}[form]


def birth_truth(d: dt.date, form: str) -> str:
    return f"{d:%Y-%m}" if form.startswith("month") else d.isoformat()


_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


def dating_rows(dating: str, d: dt.date, lang: str, width: int) -> tuple[list[list[Any]], str | None]:
    """The rows above the header that say what the register is and when: (rows, date as truth).
    `filename` dating says no date inside: the file name carries the year."""
    title = {"zh": "重点人员花名册", "en": "Register of persons", "ug": "خادىملار تىزىملىكى"}[lang]
    blank = [None] * (width - 1)
    zh_date = f"{d.year}年{d.month}月{d.day}日"
    en_date = f"{d.day} {_EN_MONTHS[d.month - 1]} {d.year}"
    if dating == "title_zh":
        return [[f"{title}（{zh_date}）", *blank]], d.isoformat()
    if dating == "title_en":
        return [[f"{title} as of {en_date}", *blank]], d.isoformat()
    if dating == "filler_zh":
        return [[title, *blank], [f"填报单位：某某乡派出所    填报时间：{zh_date}", *blank]], d.isoformat()
    if dating == "filler_zh_split":
        return [[title, *blank], ["填报单位：", "某某乡", "填报时间：", zh_date, *([None] * (width - 4))]], \
            d.isoformat()
    if dating == "filler_en":
        return [[title, *blank], [f"Compiled by the county office, as of {en_date}", *blank]], d.isoformat()
    if dating.startswith("footer"):  # the date is in a footer row under the last person (footer_rows)
        return [[title, *blank]], d.isoformat()
    return [[title, *blank]], str(d.year)


def footer_rows(dating: str, d: dt.date, width: int) -> list[list[Any]]:
    """The rows under a register's last person: who filled it in, and when."""
    blank = [None] * (width - 1)
    if dating == "footer_zh":
        return [[f"填表人：某某    审核人：某某    填表日期：{d.year}年{d.month}月{d.day}日", *blank]]
    if dating == "footer_en":
        return [[f"Prepared by the township office. Date: {d.day} {_EN_MONTHS[d.month - 1]} {d.year}", *blank]]
    return []


# ---- one register: its grid of cells, and its truth ---------------------------------------------------

@dataclass(frozen=True)
class Register:
    variant: Variant
    filename: str
    date: str                                  # the register's date as it must be read (ISO, or a year)
    rows: list[list[Any]]                      # every row as written, top to bottom
    header_rows: tuple[int, ...]               # 0-based indexes into rows
    fields: list[str | None]                   # per column, the field it must map to
    people: list[Person]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (r1, c1, r2, c2), 0-based
    at: dict[int, int] = field(default_factory=dict)  # person's row -> 0-based index into rows
    footer: int = 0                                    # rows under the last person (not table rows in DOCX, PDF)

    def is_header_copy(self, row: Sequence[Any]) -> bool:
        return any(list(row) == self.rows[h] for h in self.header_rows)


def decorate(text: str, fname: str, decoration: str, lang: str) -> str:
    note = NOTES.get(lang, {}).get(fname)
    if decoration.startswith("note") and note:
        return {"note_fullwidth": f"{text}（{note}）", "note_halfwidth": f"{text}({note})",
                "note_square": f"{text}【{note}】" if lang == "zh" else f"{text} [{note}]"}[decoration]
    if decoration == "line_break" and len(text) > 1:
        cut = text.find(" ") if " " in text else len(text) // 2
        return text[:cut].rstrip() + "\n" + text[cut:].lstrip()
    if decoration == "spaced":
        return " ".join(text) if lang == "zh" else text.replace(" ", "  ") + " "
    if decoration == "marked":
        return f"*{text}："
    return text


def build(v: Variant, people: People, index: int) -> Register:
    rng = random.Random(index)
    d = dt.date(rng.randrange(2016, 2020), rng.randrange(1, 13), rng.randrange(1, 29))
    lang = v.lang
    persons = people.register(lang, d)
    spell = SPELLINGS[v.spelling]
    cols = list(FIELDS)
    headers = [decorate(spell[f], f, v.decoration, lang) for f in cols]
    fields: list[str | None] = list(cols)
    if v.layout == "blank_id_header":
        headers[cols.index("id_number")] = ""
    if v.layout == "blank_birth_header":
        headers[cols.index("birth_date")] = ""
    body: list[list[Any]] = []
    for p in persons:
        body.append([str(p.row), p.name, p.gender_text, p.id_number, birth_text(p.birth, v.date_form),
                     age_text(p.age, v.age_form), p.address, p.reason])
    header_rows: list[list[Any]] = [headers]
    merged: list[tuple[int, int, int, int]] = []
    if v.layout == "two_row_family":
        group, *subs = FAMILY_HEADINGS[lang]
        width = len(cols)
        header_rows = [headers + [group, None, None], [None] * width + subs]
        fields += ["relative_name", "relation", "relative_status"]
        for row, p in zip(body, persons, strict=True):
            row += [p.relative, p.relation[0], p.relative_status]
        merged = [(0, c, 1, c) for c in range(width)] + [(0, width, 0, width + 2)]
    width = len(fields)
    above, date = dating_rows(v.dating, d, lang, width)
    if v.layout == "repeated_header":
        # a register printed and typed back, or exported page by page: the header again every few rows
        repeated: list[list[Any]] = []
        for k, row in enumerate(body):
            if k and k % ROWS_PER_PAGE == 0:
                repeated += [list(h) for h in header_rows]
            repeated.append(row)
        body = repeated
    footer = footer_rows(v.dating, d, width)
    rows = above + header_rows + body + footer
    first = len(above)
    at = {int(r[0]): k for k, r in enumerate(rows) if k >= first + len(header_rows) and str(r[0]).isdigit()}
    merged = [(r1 + first, c1, r2 + first, c2) for r1, c1, r2, c2 in merged] + \
        [(r, 0, r, width - 1) for r in [*range(len(above)), *range(len(rows) - len(footer), len(rows))]
         if all(c is None for c in rows[r][1:])]
    stem = f"register_{index:03d}" + (f"_{d.year}" if v.dating == "filename" else "")
    ext = {"xlsx": "xlsx", "xls": "xls", "docx": "docx", "pdf": "pdf"}.get(v.fmt, "csv")
    return Register(v, f"{stem}.{ext}", date, rows, tuple(range(first, first + len(header_rows))), fields,
                    persons, merged, at, len(footer))


# ---- writers, one per format -------------------------------------------------------------------------

def write(reg: Register, folder: Path) -> Path:
    path = folder / reg.filename
    fmt = reg.variant.fmt
    if fmt == "xlsx":
        _xlsx(reg, path)
    elif fmt == "xls":
        _xls(reg, path)
    elif fmt == "docx":
        _docx(reg, path)
    elif fmt == "pdf":
        _pdf(reg, path)
    else:
        encoding = {"csv_utf8": "utf-8", "csv_utf8sig": "utf-8-sig", "csv_gb18030": "gb18030",
                    "csv_utf16": "utf-16"}[fmt]
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows(
            [["" if c is None else str(c) for c in row] for row in reg.rows])
        path.write_bytes(buf.getvalue().encode(encoding))
    return path


def _xlsx(reg: Register, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    for r, row in enumerate(reg.rows, 1):
        for c, value in enumerate(row, 1):
            if value is not None:
                cell = ws.cell(r, c, value)
                if isinstance(value, str) and value.isdigit() and len(value) > 11:
                    cell.number_format = "@"  # an ID typed as text, as careful clerks do
    for r1, c1, r2, c2 in reg.merged:
        if (r1, c1) != (r2, c2):
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
    wb.save(path)


def _xls(reg: Register, path: Path) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("名单")
    covered = set()
    for r1, c1, r2, c2 in reg.merged:
        if (r1, c1) != (r2, c2):
            value = reg.rows[r1][c1]
            ws.write_merge(r1, r2, c1, c2, "" if value is None else value)
            covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    for r, row in enumerate(reg.rows):
        for c, value in enumerate(row):
            if value is not None and (r, c) not in covered:
                ws.write(r, c, value)
    wb.save(str(path))


def _docx(reg: Register, path: Path) -> None:
    from docx import Document

    doc = Document()
    first = reg.header_rows[0]
    for row in reg.rows[:first]:  # title and filler lines above the table, as paragraphs
        doc.add_paragraph("  ".join(str(c) for c in row if c is not None))
    end = len(reg.rows) - reg.footer
    grid_rows = reg.rows[first:end]
    width = len(reg.fields)
    table = doc.add_table(rows=len(grid_rows), cols=width)
    for r, row in enumerate(grid_rows):
        for c, value in enumerate(row):
            if value is not None:
                table.cell(r, c).text = str(value)
    for r1, c1, r2, c2 in reg.merged:
        if first <= r1 < end and (r1, c1) != (r2, c2):
            text = table.cell(r1 - first, c1).text
            m = table.cell(r1 - first, c1).merge(table.cell(r2 - first, c2))
            m.text = text
    for row in reg.rows[end:]:
        doc.add_paragraph("  ".join(str(c) for c in row if c is not None))
    doc.save(str(path))


ROWS_PER_PAGE = 4  # so that every register runs over several pages and repeats its header on each


def _pdf(reg: Register, path: Path) -> None:
    import pymupdf

    doc = pymupdf.open()
    first, last = reg.header_rows[0], reg.header_rows[-1]
    above, header = reg.rows[:first], reg.rows[first:last + 1]
    end = len(reg.rows) - reg.footer
    body = [r for r in reg.rows[last + 1:end] if not reg.is_header_copy(r)]  # each page repeats the header
    width = len(reg.fields)
    colw = [30, 80, 36, 130, 70, 40, 90, 70] + [60] * (width - 8)
    scale = min(1.0, 560 / sum(colw))
    colw = [w * scale for w in colw]
    for start in range(0, len(body), ROWS_PER_PAGE):
        page = doc.new_page(width=595, height=842)
        page.insert_font(fontname="cjk", fontfile=CJK_FONT)
        y = 40.0
        if start == 0:
            for row in above:
                page.insert_text((20, y + 10), "  ".join(str(c) for c in row if c is not None), fontname="cjk",
                                 fontsize=9)
                y += 16
        for r, row in enumerate([*header, *body[start:start + ROWS_PER_PAGE]]):
            h = 30.0
            x = 20.0
            for c in range(width):
                value = row[c] if c < len(row) else None
                rect = pymupdf.Rect(x, y, x + colw[c], y + h)
                # a merged heading: no inner lines, text once
                page.draw_rect(rect, width=0.5)
                if value is not None:
                    page.insert_textbox(rect + (3, 2, -3, -2), str(value), fontname="cjk", fontsize=6, align=1)
                x += colw[c]
            y += h
            del r
    for row in reg.rows[len(reg.rows) - reg.footer:]:  # under the table on the last page
        page.insert_text((20, y + 16), "  ".join(str(c) for c in row if c is not None), fontname="cjk", fontsize=9)
        y += 16
    doc.save(str(path))


def registers(seed: int = 15) -> Iterator[Register]:
    people = People(seed)
    for i, v in enumerate(grid()):
        yield build(v, people, i)


# Qualifiers no vocabulary lists, put before a header: what a register made elsewhere may write.
QUALIFIERS = {"zh": ("登记", "实际"), "en": ("Registered ", "Stated "), "ug": ("ئەسلى ",)}


def unforeseen_headers() -> Iterator[tuple[str, str]]:
    """(header, the field it means) for headers made from every spelling with a qualifier in front."""
    for spelling, words in SPELLINGS.items():
        for quality in QUALIFIERS[spelling.split("_")[0]]:
            for fname, word in words.items():
                if fname != "seq":
                    yield quality + word, fname
