"""Reading one cell as a record value: gender, dates, ages, addresses, names; verbatim text is kept elsewhere."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import unicodedata

from exhibit.records.vocab import header_key, vocab

_CJK = r"\u3400-\u9fff"
# CJK compatibility ideographs and Kangxi radicals: a PDF's text layer gives them where a font maps one
# glyph to two code points (北 as U+F963); Arabic presentation forms: a PDF's text layer gives the shaped
# glyphs of Uyghur (ﺋﯩﺴﻤﻰ for ئىسمى). Each is read as the character it shows (NFKC); the cells keep them.
COMPAT_RANGES = ("\u2f00-\u2fdf", "\uf900-\ufaff", "\ufb50-\ufdff", "\ufe70-\ufefc", "\U0002f800-\U0002fa1f")
_COMPAT = re.compile("[" + "".join(COMPAT_RANGES) + "]")
_DATE_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-./年_]\s*(\d{1,2})(?:\s*[-./月_]\s*(\d{1,2})\s*日?)?(?!\d)")
_COMPACT_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])([0-2]\d|3[01])(?!\d)")
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\s*年)?(?!\d)")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# "17-6-16", "64.10.3": a two-digit year, month, day (the Chinese order); only a whole cell is read so.
_SHORT_DATE = re.compile(r"(\d{2})\s*([-./])\s*(\d{1,2})\s*\2\s*(\d{1,2})")
_SERIAL = re.compile(r"\d{5}(?:\.0+)?")
# English month names and their abbreviations, from the calendar module's C-locale tables.
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | \
    {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m} | {"sept": 9}
_MONTH = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_EN_DATE = re.compile(rf"(?i)\b(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(?P<y1>(?:19|20)\d{{2}})"
                      rf"|{_MONTH.replace('mon', 'mon2')}\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>(?:19|20)\d{{2}}))\b")
# Where a register says the date it speaks from: "填报时间：", "截至", "as of", "Date:".
_DATE_LABEL = re.compile(r"(?i)(填报|统计|制表|截至|截止|报送|填表|更新|日期[:：])|as\s+(?:of|at)|\bdated?\b|\bcompiled\b|"
                         r"ۋاقتى|چېسلا")


def clean(text: str | None) -> str:
    """Cell text as one line: NFKC-free, but without the line breaks PDF tables put inside words."""
    if not text:
        return ""
    s = str(text).replace("\r", "\n")
    if _COMPAT.search(s):
        s = _COMPAT.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), s)
    # A break between two CJK characters (or before a CJK character) is layout, not a space.
    s = re.sub(rf"(?<=[{_CJK}\d·])\s*\n\s*(?=[{_CJK}·])", "", s)
    s = re.sub(r"\s*\n\s*", " ", s)
    return s.strip()


def gender(text: str) -> str | None:
    return vocab().genders.get(header_key(text)) if text else None


def age(text: str) -> int | None:
    m = re.search(r"(?<!\d)\d{1,3}(?:\.0+)?(?!\d)", unicodedata.normalize("NFKC", text or ""))
    if not m:
        return None
    n = int(float(m.group(0)))
    return n if 0 <= n < 130 else None


def date(text: str, cell_type: str = "s") -> str | None:
    """An ISO date (YYYY-MM-DD, or YYYY-MM / YYYY when that is all the text says), or None."""
    s = unicodedata.normalize("NFKC", text or "").strip()
    if not s:
        return None
    if cell_type == "n" and re.fullmatch(r"\d{4,5}(\.\d+)?", s) and 10000 < float(s) < 80000:
        return (_EXCEL_EPOCH + dt.timedelta(days=int(float(s)))).isoformat()  # an Excel date serial
    if _SERIAL.fullmatch(s) and 10000 < float(s) < 80000:
        # the serial of a date cell exported as text (a CSV saved from Excel): five digits are no other date
        return (_EXCEL_EPOCH + dt.timedelta(days=int(float(s)))).isoformat()
    m = _SHORT_DATE.fullmatch(s)
    if m:
        return _short_year(int(m.group(1)), int(m.group(3)), int(m.group(4)))
    m = _EN_DATE.search(s)
    if m:
        return _english(m)
    m = _DATE_RE.search(s)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
        if not 1 <= mo <= 12:
            return None
        if d is None:
            return f"{y:04d}-{mo:02d}"
        try:
            return dt.date(y, mo, int(d)).isoformat()
        except ValueError:
            return None
    m = _COMPACT_DATE.search(s)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            return None
    m = _YEAR_RE.fullmatch(s) or _YEAR_RE.search(s)
    return m.group(1) if m else None


def _short_year(yy: int, mo: int, d: int) -> str | None:
    """A two-digit year in this century unless that is still to come (a birth date of 64 is 1964)."""
    year = 2000 + yy if 2000 + yy <= dt.date.today().year else 1900 + yy
    try:
        return dt.date(year, mo, d).isoformat()
    except ValueError:
        return None


def _english(m: re.Match[str]) -> str | None:
    mon = _MONTHS[(m.group("mon") or m.group("mon2")).lower()]
    day, year = (m.group("d1"), m.group("y1")) if m.group("d1") else (m.group("d2"), m.group("y2"))
    try:
        return dt.date(int(year), mon, int(day)).isoformat()
    except ValueError:
        return None


@functools.lru_cache(maxsize=256)  # asked once per record checked, for the few dates registers have
def date_bounds(iso: str) -> tuple[dt.date, dt.date]:
    """The first and last day a partial ISO date (YYYY, YYYY-MM, YYYY-MM-DD) can mean."""
    parts = [int(p) for p in iso.split("-")]
    if len(parts) == 3:
        d = dt.date(*parts)
        return d, d
    if len(parts) == 2:
        first = dt.date(parts[0], parts[1], 1)
        nxt = dt.date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
        return first, nxt - dt.timedelta(days=1)
    return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)


def find_date(text: str) -> str | None:
    """The first date-like mention in a title, sheet or file name: '2018年3月', '_2018', '2018.03.15',
    'as of 1 September 2018'. After a label ("填报时间：", "截至", "as of"), the date the label gives."""
    s = unicodedata.normalize("NFKC", text or "")
    for label in _DATE_LABEL.finditer(s):
        after = _first_date(s[label.end():])
        if after:
            return after
    return _first_date(s)


def labelled_date(text: str) -> str | None:
    """A date only where a label gives it ("填表日期：2018年9月1日", "as of 1 September 2018"): what a footer
    row under a register's last person says, which unlabelled dates (a person's) must not be taken for."""
    s = unicodedata.normalize("NFKC", text or "")
    for label in _DATE_LABEL.finditer(s):
        after = _first_date(s[label.end():label.end() + 40])
        if after:
            return after
    return None


def _first_date(s: str) -> str | None:
    en = _EN_DATE.search(s)
    m = _DATE_RE.search(s) or _COMPACT_DATE.search(s)
    if en and (m is None or en.start() < m.start()):
        return _english(en)
    if m:
        return date(m.group(0))
    m = _YEAR_RE.search(s)
    return m.group(1) if m else None


_ADDRESS = re.compile(
    rf"^(?:(?P<province>[{_CJK}]{{2,8}}?(?:自治区|省))?(?P<prefecture>[{_CJK}]{{2,8}}?(?:地区|自治州|州|盟))?"
    rf"(?P<county>[{_CJK}]{{1,8}}?(?:自治县|县|市|区|旗)))?"
    rf"(?P<township>[{_CJK}]{{1,10}}?(?:乡|镇|街道|街道办事处|场|农场))?"
    rf"(?P<village>.+)?$")


def split_address(text: str) -> dict[str, str | None]:
    """'墨玉县英也尔乡14村' -> county 墨玉县, township 英也尔乡, village 14村 (parts not written stay None)."""
    s = clean(text).replace(" ", "")
    if not re.search(rf"[{_CJK}]", s):  # the suffixes below are Chinese; other scripts stay whole
        return {"county": None, "township": None, "village": None}
    m = _ADDRESS.match(s) if s else None
    if not m:
        return {"county": None, "township": None, "village": None}
    return {"county": m.group("county"), "township": m.group("township"), "village": m.group("village")}


_DOTS = re.compile(r"[·•‧∙⋅・.．]")


def name_key(name: str | None) -> str:
    """A name as compared for "same name": no spaces, dots or case ('买买提·吐尔逊' == '买买提 吐尔逊')."""
    return _DOTS.sub("", header_key(name or ""))


def clean_name(text: str, page_text: str | None = None) -> str:
    """A person's name from a cell. PDF table extraction can tear the middle dot from its place
    ('赛买提买合木提\\n·'); the page's own text has the name whole, so take it from there when it is found."""
    s = clean(text)
    s = re.sub(r"\s*([·•‧∙⋅・])\s*", "·", s)
    torn = s.startswith("·") or s.endswith("·")
    if torn:
        s = s.strip("·")
        if page_text:
            bare = _DOTS.sub("", s)
            for line in page_text.splitlines():
                cand = line.strip()
                if cand and _DOTS.sub("", cand) == bare:
                    return cand
    return s


def is_total_row(values: list[str]) -> bool:
    first = next((v for v in values if v and v.strip()), "")
    key = header_key(first)
    if any(key.startswith(t) for t in vocab().totals):
        return True
    return bool(re.fullmatch(r"共\d+人?", key))
