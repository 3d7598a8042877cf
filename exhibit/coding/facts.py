"""What counting needs from a person record: register, township, month of detention, gender, age band."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

_TOWNSHIP_RE = re.compile(r"(?:^|[县市区])([^县市区乡镇\d\s,，;；]{1,10}?(?:乡|镇|街道))")
_DATE_RE = re.compile(r"(19[5-9]\d|20[0-4]\d)\s*[.\-/年]\s*(\d{1,2})(?:\s*[.\-/月]\s*(\d{1,2}))?")
_DETAINED_HEADER = re.compile(r"收押|入学|拘留|关押|入所|送教|送培|处置时间|羁押|detain|detention|interned|admitted",
                              re.IGNORECASE)
_TOWNSHIP_HEADER = re.compile(r"乡镇|乡/镇|township", re.IGNORECASE)
AGE_BANDS = ("under 18", "18-29", "30-39", "40-49", "50-59", "60+")
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Facts:
    record_id: str
    reason: str
    register: str          # the register's path in the cache (the exhibit's path)
    township: str
    month: str             # YYYY-MM of detention (or entry), or "unknown"
    gender: str            # M | F | unknown: as the register states it
    age: int | None
    age_band: str
    source: dict[str, Any]


def _dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _month(v: Any) -> str | None:
    if isinstance(v, datetime | date):
        return f"{v.year:04d}-{v.month:02d}"
    if isinstance(v, int | float) and 20000 < v < 60000:  # an Excel serial day number
        d = date(1899, 12, 30) + timedelta(days=int(v))
        return f"{d.year:04d}-{d.month:02d}"
    if isinstance(v, str):
        m = _DATE_RE.search(v)
        if m and 1 <= int(m.group(2)) <= 12:
            return f"{m.group(1)}-{int(m.group(2)):02d}"
    return None


def detention_month(rec: dict[str, Any]) -> str:
    """The month of detention: a dated field of the record, else a cell whose header says so."""
    dates = _dict(rec.get("dates"))
    for key in ("detained", "detention_date", "entered", "flagged", "decided"):
        for v in (rec.get(key), dates.get(key)):
            if (m := _month(v)) is not None:
                return m
    cells = _dict(rec.get("cells"))
    for header, v in cells.items():
        if _DETAINED_HEADER.search(str(header)) and (m := _month(v)) is not None:
            return m
    return UNKNOWN


def township(rec: dict[str, Any]) -> str:
    """The township: a field of the record, else parsed from the address, else the sheet name."""
    addr = rec.get("address")
    for v in (rec.get("township"), addr.get("township") if isinstance(addr, dict) else None):
        if isinstance(v, str) and v.strip():
            return v.strip()
    texts = [(addr.get("text") or addr.get("raw") or "") if isinstance(addr, dict) else (addr or "")]
    cells = _dict(rec.get("cells"))
    texts += [v for h, v in cells.items() if _TOWNSHIP_HEADER.search(str(h))]
    for t in texts:
        if isinstance(t, str) and (m := _TOWNSHIP_RE.search(t)):
            return m.group(1)
    sheet = _dict(rec.get("source")).get("sheet")
    if isinstance(sheet, str) and re.search(r"(乡|镇|街道)$", sheet.strip()):
        return sheet.strip()
    return UNKNOWN


def gender(v: Any) -> str:
    s = str(v or "").strip().casefold()
    if s in {"m", "male", "男", "男性", "er"}:
        return "M"
    if s in {"f", "female", "女", "女性", "ayal"}:
        return "F"
    return UNKNOWN


def age_band(age: int | None) -> str:
    if age is None:
        return UNKNOWN
    if age < 18:
        return AGE_BANDS[0]
    if age >= 60:
        return AGE_BANDS[-1]
    return AGE_BANDS[1] if age < 30 else AGE_BANDS[age // 10 - 1]


def _date(v: Any) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str) and (m := re.match(r"(\d{4})-(\d{2})-(\d{2})", v)):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return None


def _age(rec: dict[str, Any]) -> int | None:
    """The age the register states; else from the birth date, at detention or at the register's date."""
    v = rec.get("age")
    if isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v < 130:
        return int(v)
    if isinstance(v, str) and (m := re.match(r"\s*(\d{1,3})", v)) and int(m.group(1)) < 130:
        return int(m.group(1))
    born = _date(rec.get("birth_date"))
    reg = _dict(rec.get("register"))
    when = next((d for d in (_date(rec.get(k)) for k in ("detained", "entered", "flagged", "decided"))
                 if d is not None), None) or _date(reg.get("date"))
    if born is None or when is None or when < born:
        return None
    return when.year - born.year - ((when.month, when.day) < (born.month, born.day))


def facts(rec: dict[str, Any]) -> Facts:
    source = _dict(rec.get("source"))
    age = _age(rec)
    return Facts(record_id=str(rec["record_id"]), reason=str(rec.get("reason") or "").strip(),
                 register=str(source.get("path") or source.get("id") or UNKNOWN), township=township(rec),
                 month=detention_month(rec), gender=gender(rec.get("gender")), age=age, age_band=age_band(age),
                 source=dict(source))
