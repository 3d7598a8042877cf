"""Format checks of a document's anatomy against GB/T 9704-2012 (党政机关公文格式) and the 2012 regulations
(党政机关公文处理工作条例): each departure is a finding with a code whose explanation cites the clause.

A finding describes the document, never a person, and is no verdict of forgery: offices make mistakes,
copies are retyped, OCR misreads. It says what was observed, where, and why it matters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from exhibit.documents.anatomy import NUMBER, WEEKDAYS_ZH, Anatomy, Element, FieldName, Kind

# GB/T 9704-2012 took effect on this day; GB/T 9704-1999 before it wrote dates in Chinese numerals
STANDARD_2012 = date(2012, 7, 1)


class Code(StrEnum):
    """What a format check observed. Each code's `explanation` says why it matters and cites the clause."""

    DOC_NUMBER_BRACKETS = "doc_number_brackets"
    DOC_NUMBER_DI = "doc_number_di"
    DOC_NUMBER_PADDED = "doc_number_padded"
    DOC_NUMBER_YEAR = "doc_number_year"
    DOC_NUMBER_LATIN = "doc_number_latin"
    DATE_ERA = "date_era"
    DATE_PADDED = "date_padded"
    PRINT_BEFORE_ISSUE = "print_before_issue"
    DATE_WEEKEND = "date_weekend"
    CLASSIFICATION_FORM = "classification_form"
    CLASSIFIED_WITHOUT_COPY_NUMBER = "classified_without_copy_number"
    COPY_NUMBER_FORM = "copy_number_form"
    URGENCY_VALUE = "urgency_value"
    HEADER_ORDER = "header_order"
    MISSING_ELEMENT = "missing_element"
    DOC_NUMBER_CONFLICT = "doc_number_conflict"   # found by exhibit.documents.refs across documents

    @property
    def explanation(self) -> str:
        return _EXPLANATIONS[self]

    @property
    def clause(self) -> str:
        return _CLAUSES[self]


_CLAUSES = {
    Code.DOC_NUMBER_BRACKETS: "GB/T 9704-2012 7.2.4", Code.DOC_NUMBER_DI: "GB/T 9704-2012 7.2.4",
    Code.DOC_NUMBER_PADDED: "GB/T 9704-2012 7.2.4", Code.DOC_NUMBER_YEAR: "GB/T 9704-2012 7.2.4",
    Code.DOC_NUMBER_LATIN: "GB/T 9704-2012 7.2.4; 党政机关公文处理工作条例 (2012) 第九条(五)",
    Code.DATE_ERA: "GB/T 9704-2012 7.3.5.1 (in force from 1 July 2012); GB/T 9704-1999 7.3.5",
    Code.DATE_PADDED: "GB/T 9704-2012 7.3.5.1, 7.4.3",
    Code.PRINT_BEFORE_ISSUE: "党政机关公文处理工作条例 (2012) 第九条(十)(十四); GB/T 9704-2012 7.4.3",
    Code.DATE_WEEKEND: "党政机关公文处理工作条例 (2012) 第九条(十)",
    Code.CLASSIFICATION_FORM: "GB/T 9704-2012 7.2.2; 党政机关公文处理工作条例 (2012) 第九条(二)",
    Code.CLASSIFIED_WITHOUT_COPY_NUMBER: "党政机关公文处理工作条例 (2012) 第九条(一); GB/T 9704-2012 7.2.1",
    Code.COPY_NUMBER_FORM: "GB/T 9704-2012 7.2.1",
    Code.URGENCY_VALUE: "党政机关公文处理工作条例 (2012) 第九条(三); GB/T 9704-2012 7.2.3",
    Code.HEADER_ORDER: "GB/T 9704-2012 7.2.3",
    Code.MISSING_ELEMENT: "党政机关公文处理工作条例 (2012) 第九条; GB/T 9704-2012 7.2-7.4",
    Code.DOC_NUMBER_CONFLICT: "党政机关公文处理工作条例 (2012) 第九条(五)",
}

_EXPLANATIONS = {
    Code.DOC_NUMBER_BRACKETS: "The document number's year is not in hexagonal brackets 〔〕. GB/T 9704-2012 7.2.4: "
                              "the year is given in full and enclosed in 六角括号 〔〕; [] or () are a common slip "
                              "of retyped copies and of documents made outside an office's template.",
    Code.DOC_NUMBER_DI: "The document number's serial carries 第. GB/T 9704-2012 7.2.4: 发文顺序号不加“第”字.",
    Code.DOC_NUMBER_PADDED: "The document number's serial is zero-padded. GB/T 9704-2012 7.2.4: 不编虚位 "
                            "(1 is not written 01).",
    Code.DOC_NUMBER_YEAR: "The document number's year is not written in full. GB/T 9704-2012 7.2.4: 年份应标全称.",
    Code.DOC_NUMBER_LATIN: "The document number uses a Latin 'No.' instead of 机关代字〔年份〕序号号, the form of "
                           "GB/T 9704-2012 7.2.4 (the 2018 forged memo was exposed by exactly this).",
    Code.DATE_ERA: "The date's numerals do not fit its era. GB/T 9704-2012 7.3.5.1, in force from 1 July 2012, "
                   "writes 成文日期 in Arabic numerals (2017年6月1日); GB/T 9704-1999 wrote them in Chinese "
                   "numerals (二〇一〇年). An office keeping an old template is possible; worth a note.",
    Code.DATE_PADDED: "A date's month or day is zero-padded. GB/T 9704-2012 7.3.5.1 and 7.4.3: 月、日不编虚位.",
    Code.PRINT_BEFORE_ISSUE: "The 印发日期 (sent to print) is before the 成文日期 (the day the document was signed "
                             "off, regulations art. 9(10)): a document is printed after it is made.",
    Code.DATE_WEEKEND: "A date falls on a Saturday or Sunday. Offices do sign on weekends and on 调休 working "
                       "days; informational, to check against the calendar of the year.",
    Code.CLASSIFICATION_FORM: "The classification mark is not in the standard's form. GB/T 9704-2012 7.2.2 and "
                              "regulations art. 9(2): 绝密, 机密 or 秘密, with the 保密期限 after a ★ in Arabic "
                              "numerals (机密★1年).",
    Code.CLASSIFIED_WITHOUT_COPY_NUMBER: "The document is classified but carries no 份号. Regulations art. 9(1): "
                                         "涉密公文应当标注份号 (GB/T 9704-2012 7.2.1: six Arabic digits, top left).",
    Code.COPY_NUMBER_FORM: "The 份号 is not six Arabic digits. GB/T 9704-2012 7.2.1: 一般用6位3号阿拉伯数字.",
    Code.URGENCY_VALUE: "The urgency is not one the regulations know. Art. 9(3): 特急 or 加急 for documents; "
                        "telegrams use 特提, 特急, 加急, 平急.",
    Code.HEADER_ORDER: "份号, 密级和保密期限 and 紧急程度 are not in the standard's order. GB/T 9704-2012 7.2.3: "
                       "from top to bottom 份号, then 密级和保密期限, then 紧急程度.",
    Code.MISSING_ELEMENT: "An element the standard requires for this kind of document was not found (regulations "
                          "art. 9; GB/T 9704-2012 7.2-7.4). It may be missing, or unreadable in this copy.",
    Code.DOC_NUMBER_CONFLICT: "The same document number stands on two documents whose texts differ. Regulations "
                              "art. 9(5): a 发文字号 identifies one document of its office; two texts under one "
                              "number are two versions, a copying error or one of them not what it claims to be.",
}


@dataclass(frozen=True)
class Finding:
    """One observation about a document: its code, what was seen (`detail`), where (`page`, `field`), and the
    text it was seen in (`evidence`)."""

    code: Code
    detail: str
    page: int | None
    evidence: str | None
    field: FieldName | None = None

    def as_json(self) -> dict[str, Any]:
        return {"code": str(self.code), "detail": self.detail, "page": self.page, "evidence": self.evidence,
                "field": str(self.field) if self.field else None, "clause": self.code.clause,
                "why": self.code.explanation}


def _f(code: Code, detail: str, el: Element | None) -> Finding:
    return Finding(code, detail, el.page if el else None, el.text if el else None, el.name if el else None)


# What each kind must carry (regulations art. 9; GB/T 9704-2012 7.2-7.4; telegrams their own header)
REQUIRED: dict[Kind, tuple[FieldName, ...]] = {
    Kind.OFFICIAL_DOCUMENT: (FieldName.ISSUER_MARK, FieldName.DOC_NUMBER, FieldName.TITLE, FieldName.BODY,
                             FieldName.ISSUE_DATE),
    Kind.TELEGRAM: (FieldName.SENDER, FieldName.SIGNER, FieldName.URGENCY, FieldName.TITLE, FieldName.BODY),
}
_UPWARD = ("请示", "报告")   # 上行文 name their 签发人 (GB/T 9704-2012 7.2.5)
_URGENCIES = {Kind.OFFICIAL_DOCUMENT: ("特急", "加急"), Kind.TELEGRAM: ("特提", "特急", "加急", "平急")}
_CLASS_FORM = re.compile(r"^(绝密|机密|秘密)(★\d+(年|个月)|★长期)?$")


def check(anatomy: Anatomy) -> list[Finding]:
    """The format findings of one document (none when it is not a 公文 or 电报)."""
    if anatomy.kind is None:
        return []
    out: list[Finding] = []
    out += _number(anatomy.get(FieldName.DOC_NUMBER))
    out += _dates(anatomy)
    out += _header(anatomy)
    out += _missing(anatomy)
    return out


def _number(el: Element | None) -> list[Finding]:
    if el is None:
        return []
    m = NUMBER.search(el.value)
    if m is None:
        return []
    if m["no"]:
        return [_f(Code.DOC_NUMBER_LATIN, f"{el.value}: 'No.' in the document number", el)]
    out = []
    if m["open"] != "〔" or m["close"] != "〕":
        out.append(_f(Code.DOC_NUMBER_BRACKETS, f"{el.value}: the year in {m['open']}{m['close']}, not 〔〕", el))
    if m["di"]:
        out.append(_f(Code.DOC_NUMBER_DI, f"{el.value}: 第 before the serial", el))
    if len(m["serial"]) > 1 and m["serial"].startswith("0"):
        out.append(_f(Code.DOC_NUMBER_PADDED, f"{el.value}: serial {m['serial']} is zero-padded", el))
    if len(m["year"]) != 4:
        out.append(_f(Code.DOC_NUMBER_YEAR, f"{el.value}: year {m['year']} is not written in full", el))
    return out


def _dates(a: Anatomy) -> list[Finding]:
    out = []
    issued, printed = a.get(FieldName.ISSUE_DATE), a.get(FieldName.PRINT_DATE)
    for el in (issued, printed):
        if el is None or el.date is None:
            continue
        label = el.name.zh
        if el.chinese_numerals and el.date >= STANDARD_2012:
            out.append(_f(Code.DATE_ERA, f"{label} {el.value}: Chinese numerals on a date after 1 July 2012", el))
        elif not el.chinese_numerals and el.date < STANDARD_2012:
            out.append(_f(Code.DATE_ERA, f"{label} {el.value}: Arabic numerals on a date before 1 July 2012", el))
        if not el.chinese_numerals and re.search(r"年0\d月|月0\d日", el.value):
            out.append(_f(Code.DATE_PADDED, f"{label} {el.value}: month or day zero-padded", el))
        if el.date.weekday() >= 5:
            out.append(_f(Code.DATE_WEEKEND, f"{label} {el.value} is a {WEEKDAYS_ZH[el.date.weekday()]}", el))
    if issued and printed and issued.date and printed.date and printed.date < issued.date:
        out.append(_f(Code.PRINT_BEFORE_ISSUE,
                      f"印发日期 {printed.value} ({WEEKDAYS_ZH[printed.date.weekday()]}) is "
                      f"{(issued.date - printed.date).days} days before 成文日期 {issued.value} "
                      f"({WEEKDAYS_ZH[issued.date.weekday()]})", printed))
    return out


def _header(a: Anatomy) -> list[Finding]:
    out = []
    kind = a.kind or Kind.OFFICIAL_DOCUMENT
    mark, copy, urgency = a.get(FieldName.CLASSIFICATION), a.get(FieldName.COPY_NUMBER), a.get(FieldName.URGENCY)
    written = re.sub(r"^密级[：:]?", "", "".join((mark.text or "").split())) if mark is not None else ""
    if mark is not None and not _CLASS_FORM.match(written):
        out.append(_f(Code.CLASSIFICATION_FORM, f"classification mark {written!r}", mark))
    if mark is not None and copy is None and kind is Kind.OFFICIAL_DOCUMENT:
        out.append(_f(Code.CLASSIFIED_WITHOUT_COPY_NUMBER, f"classified {mark.value} without a 份号", mark))
    if copy is not None and not re.fullmatch(r"\d{6}", copy.value):
        out.append(_f(Code.COPY_NUMBER_FORM, f"份号 {copy.value!r} is not six digits", copy))
    if urgency is not None and urgency.value not in _URGENCIES[kind]:
        out.append(_f(Code.URGENCY_VALUE, f"urgency {urgency.value} on a {kind.value.replace('_', ' ')}", urgency))
    placed = [e for e in (copy, mark, urgency) if e is not None and e.page == (copy or mark or urgency or e).page]
    lines = [e.line or 0 for e in placed]
    if lines != sorted(lines) and len(set(lines)) == len(lines):
        order = "、".join(e.name.zh for e in sorted(placed, key=lambda e: e.line or 0))
        out.append(_f(Code.HEADER_ORDER, f"from the top: {order}", placed[0]))
    return out


def _missing(a: Anatomy) -> list[Finding]:
    kind = a.kind or Kind.OFFICIAL_DOCUMENT
    need = list(REQUIRED[kind])
    title = a.get(FieldName.TITLE)
    if kind is Kind.OFFICIAL_DOCUMENT and title and title.value.endswith(_UPWARD):
        need.append(FieldName.SIGNER)
    if kind is Kind.TELEGRAM and a.get(FieldName.DOC_NUMBER) is None and a.get(FieldName.TELEGRAM_NUMBER) is None:
        need.append(FieldName.DOC_NUMBER)
    return [Finding(Code.MISSING_ELEMENT, f"no {n.zh} ({n.value}) found", None, None, n)
            for n in need if a.get(n) is None]
