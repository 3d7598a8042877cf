"""The anatomy of an official document (公文) or telegram (电报): each element of GB/T 9704-2012's 版头, 主体
and 版记 found on its page, line and character span, from the text layer or OCR alike.

Reading is line by line in the page text (OCR pages are lines top to bottom too). Patterns are lenient
about what OCR and retyping change (full-width or ASCII colons, spaces, 〇 read as ○ or O) and about the
forms the format checks then judge (brackets, 第, zero padding): anatomy finds, `standard` judges.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from exhibit.archive import Page


class Kind(StrEnum):
    OFFICIAL_DOCUMENT = "official_document"   # 公文 with a 文件 mark (GB/T 9704-2012 7.2.4) or 发文字号
    TELEGRAM = "telegram"                     # 电报: 发电单位, 签发, 等级 in its header


class FieldName(StrEnum):
    """The elements, by the names of `anatomy --json` (docs/documents.md gives each one's Chinese term)."""

    COPY_NUMBER = "copy_number"            # 份号
    CLASSIFICATION = "classification"      # 密级
    SECRECY_PERIOD = "secrecy_period"      # 保密期限
    URGENCY = "urgency"                    # 紧急程度; a telegram's 等级
    ISSUER_MARK = "issuer_mark"            # 发文机关标志
    DOC_NUMBER = "doc_number"              # 发文字号
    SIGNER = "signer"                      # 签发人; a telegram's 签发
    TITLE = "title"                        # 标题
    ADDRESSEE = "addressee"                # 主送机关
    BODY = "body"                          # 正文
    ATTACHMENTS = "attachments"            # 附件说明
    SIGNATURE = "signature"                # 发文机关署名
    ISSUE_DATE = "issue_date"              # 成文日期
    SEAL = "seal"                          # 印章 (present or absent)
    NOTE = "note"                          # 附注
    CC = "cc"                              # 抄送机关
    PRINTER = "printer"                    # 印发机关
    PRINT_DATE = "print_date"              # 印发日期
    PAGE_NUMBER = "page_number"            # 页码
    SENDER = "sender"                      # 发电单位 (telegram)
    TELEGRAM_NUMBER = "telegram_number"    # 电报号 (telegram)

    @property
    def zh(self) -> str:
        return _ZH[self]


_ZH = {FieldName.COPY_NUMBER: "份号", FieldName.CLASSIFICATION: "密级", FieldName.SECRECY_PERIOD: "保密期限",
       FieldName.URGENCY: "紧急程度", FieldName.ISSUER_MARK: "发文机关标志", FieldName.DOC_NUMBER: "发文字号",
       FieldName.SIGNER: "签发人", FieldName.TITLE: "标题", FieldName.ADDRESSEE: "主送机关", FieldName.BODY: "正文",
       FieldName.ATTACHMENTS: "附件说明", FieldName.SIGNATURE: "发文机关署名", FieldName.ISSUE_DATE: "成文日期",
       FieldName.SEAL: "印章", FieldName.NOTE: "附注", FieldName.CC: "抄送机关", FieldName.PRINTER: "印发机关",
       FieldName.PRINT_DATE: "印发日期", FieldName.PAGE_NUMBER: "页码", FieldName.SENDER: "发电单位",
       FieldName.TELEGRAM_NUMBER: "电报号"}

WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


@dataclass(frozen=True)
class Element:
    """One element: its value, and where it stands (page, 1-based line, character span in the page text)."""

    name: FieldName
    value: str
    page: int | None
    line: int | None = None
    start: int | None = None
    end: int | None = None
    text: str | None = None              # the line(s) as they stand on the page
    date: date | None = None             # for the two dates: the day they name
    chinese_numerals: bool = False       # for the two dates: written 二〇一七年 rather than 2017年

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "page": self.page, "text": self.text, "line": self.line,
                               "span": [self.start, self.end] if self.start is not None else None,
                               "label": self.name.zh}
        if self.date is not None:
            out["date"] = self.date.isoformat()
            out["weekday"] = WEEKDAYS_ZH[self.date.weekday()]
            out["numerals"] = "chinese" if self.chinese_numerals else "arabic"
        return out


@dataclass(frozen=True)
class Anatomy:
    """What was found of a document's elements, in reading order; `kind` None when it is not a 公文 or 电报."""

    kind: Kind | None
    elements: tuple[Element, ...]

    def get(self, name: FieldName) -> Element | None:
        return next((e for e in self.elements if e.name == name), None)

    def with_element(self, element: Element) -> Anatomy:
        """The same anatomy with `element` added (or put in place of the one of its name)."""
        order = list(FieldName)
        kept = [e for e in self.elements if e.name != element.name] + [element]
        return Anatomy(self.kind, tuple(sorted(kept, key=lambda e: order.index(e.name))))

    def as_json(self, exhibit_id: str) -> dict[str, Any]:
        """The `anatomy ID --json` object: {"id", "kind", "fields": {NAME: {"value", "page", "text", ...}}}."""
        return {"id": exhibit_id, "kind": str(self.kind) if self.kind else None,
                "fields": {str(e.name): e.as_json() for e in self.elements}}


# -- patterns ------------------------------------------------------------------------------------
_HAN = r"\u3400-\u9fff"
_COLON = r"\s*[：:]\s*"
# 机关代字〔年份〕序号号, with the forms the checks judge: other brackets, 第, zero padding, short years
NUMBER = re.compile(
    rf"(?P<agency>[{_HAN}]{{1,12}}?)\s*(?P<open>[〔\[\(（【［{{<〈])\s*(?P<year>\d{{2,4}})\s*"
    rf"(?P<close>[〕\]\)）】］}}>〉])\s*(?P<di>第)?\s*(?P<serial>\d{{1,6}})\s*号"
    rf"|(?P<lagency>[{_HAN}]{{1,12}}?)\s*(?P<no>No\.?|NO\.?|no\.)\s*(?P<lserial>\d{{1,6}})")
_ZERO = "〇○零OoΟ0"
_CN = "一二三四五六七八九十"
DATE = re.compile(rf"(?P<y>\d{{4}})\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*日"
                  rf"|(?P<cy>[{_ZERO}{_CN}]{{4}})\s*年\s*(?P<cm>[{_CN}]{{1,3}})\s*月\s*(?P<cd>[{_CN}]{{1,3}})\s*日")
_CLASS = re.compile(r"^(?:密级\s*[：:]?\s*)?(?P<level>绝密|机密|秘密)\s*(?:(?P<star>[★☆*＊✱✩⭐])?\s*"
                    r"(?P<period>[\d一二三四五六七八九十]+\s*(?:年|个月|月)|长期))?$")
_URGENCY = re.compile(r"^(?:(?:紧急程度|等级)\s*[：:]?\s*)?(?P<u>特急|加急|特提|平急)$")
_COPY = re.compile(r"^(?:份号\s*[：:]?\s*)?(?P<n>\d{1,10})$")
_PAGE_NO = re.compile(r"^[—\-－–─_]{1,3}\s*(?P<n>\d{1,4})\s*[—\-－–─_]{1,3}$")
_TITLE_END = re.compile(r"(?:通知|通报|决定|决议|意见|报告|请示|批复|函|纪要|命令|令|公报|公告|通告|议案|办法|规定|方案|"
                        r"规划|细则|要点|答复)$")
_LABELS = {
    FieldName.SIGNER: re.compile(rf"签\s*发\s*人?{_COLON}(?P<v>[{_HAN}·]{{2,12}})"),
    FieldName.SENDER: re.compile(rf"^发电单位{_COLON}(?P<v>.+)$"),
    FieldName.TELEGRAM_NUMBER: re.compile(rf"^电报号{_COLON}(?P<v>.+)$"),
    FieldName.ATTACHMENTS: re.compile(rf"^附\s*件{_COLON}(?P<v>.+)$"),
    FieldName.CC: re.compile(rf"^抄\s*送{_COLON}(?P<v>.+)$"),
}
_PRINTED = re.compile(rf"^(?P<printer>.*?)\s*(?P<date>{DATE.pattern})\s*印\s*发$")


def parse_date(m: re.Match[str]) -> tuple[date | None, bool]:
    """The day a DATE match names (None when it is no real day), and whether it is in Chinese numerals."""
    try:
        if m.group("y"):
            return date(int(m.group("y")), int(m.group("m")), int(m.group("d"))), False
        year = int("".join("0" if c in _ZERO else str(_CN.index(c) + 1) for c in m.group("cy")))
        return date(year, _cn_int(m.group("cm")), _cn_int(m.group("cd"))), True
    except ValueError:
        return None, bool(m.group("cy"))


def _cn_int(s: str) -> int:
    if "十" not in s:
        return _CN.index(s) + 1
    tens, _, ones = s.partition("十")
    return (_CN.index(tens) + 1 if tens else 1) * 10 + (_CN.index(ones) + 1 if ones else 0)


@dataclass(frozen=True)
class _Line:
    page: int
    number: int       # 1-based on its page
    start: int        # offset in the page text
    text: str         # stripped

    @property
    def end(self) -> int:
        return self.start + len(self.text)


_UNIFIED: dict[int, str] = {}


def unify(text: str) -> str:
    """Han characters in their unified form, one for one (offsets kept): some fonts' text layers give 年 as
    the compatibility ideograph U+F98E or 日 as the Kangxi radical U+2F47, which look alike and match nothing."""
    if not _UNIFIED:
        for lo, hi in ((0x2E80, 0x2FE0), (0xF900, 0xFB00), (0x2F800, 0x2FA20)):
            for cp in range(lo, hi):
                u = unicodedata.normalize("NFKC", chr(cp))
                if len(u) == 1 and u != chr(cp):
                    _UNIFIED[cp] = u
    return text.translate(_UNIFIED) if any(0x2E80 <= ord(c) < 0x2FE0 or 0xF900 <= ord(c) < 0xFB00 or
                                           0x2F800 <= ord(c) < 0x2FA20 for c in text) else text


def _lines(pages: Sequence[Page]) -> list[_Line]:
    out: list[_Line] = []
    for p in pages:
        offset = 0
        for n, raw in enumerate(unify(p.text).split("\n"), 1):
            stripped = raw.strip()
            if stripped:
                lead = len(raw) - len(raw.lstrip())
                # the page's own layout spaces (full-width indents, runs of spaces) are not part of a value
                out.append(_Line(p.number, n, offset + lead, stripped))
            offset += len(raw) + 1
    return out


def _compact(s: str) -> str:
    return re.sub(r"[\s\u3000]+", "", s)


def _el(name: FieldName, value: str, ln: _Line, start: int | None = None, end: int | None = None,
        **kw: Any) -> Element:
    return Element(name, value.strip(), ln.page, ln.number, ln.start + (start or 0),
                   ln.start + (end if end is not None else len(ln.text)), ln.text, **kw)


# -- reading -------------------------------------------------------------------------------------
_HEADER_LINES = 14   # the 版头 is on the first page, within its first lines


def read(pages: Sequence[Page]) -> Anatomy:
    """The elements of the document on `pages` (the 印章 is added by the seal finder, exhibit.documents.seal)."""
    lines = _lines(pages)
    if not lines:
        return Anatomy(None, ())
    found: dict[FieldName, Element] = {}
    first_page = lines[0].page
    head = [ln for ln in lines if ln.page == first_page][:_HEADER_LINES]
    header_end = -1   # index in `lines` of the last header line
    for i, ln in enumerate(head):
        text = _compact(ln.text)
        if FieldName.DOC_NUMBER in found:
            break
        if (m := _COPY.match(text)) and FieldName.COPY_NUMBER not in found and i < 4:
            found[FieldName.COPY_NUMBER] = _el(FieldName.COPY_NUMBER, m["n"], ln)
        elif (m := _CLASS.match(text)) and FieldName.CLASSIFICATION not in found:
            found[FieldName.CLASSIFICATION] = _el(FieldName.CLASSIFICATION, m["level"], ln)
            if m["period"]:
                found[FieldName.SECRECY_PERIOD] = _el(FieldName.SECRECY_PERIOD, m["period"], ln)
        elif (m := _URGENCY.match(text)) and FieldName.URGENCY not in found:
            found[FieldName.URGENCY] = _el(FieldName.URGENCY, m["u"], ln)
        elif text.endswith(("文件", "电报", "明电", "密电")) and len(text) <= 30 and FieldName.ISSUER_MARK not in found:
            found[FieldName.ISSUER_MARK] = _el(FieldName.ISSUER_MARK, text, ln)
        elif (m := _LABELS[FieldName.SENDER].match(ln.text)):
            found[FieldName.SENDER] = _el(FieldName.SENDER, m["v"], ln, m.start("v"), m.end("v"))
        elif (m := _LABELS[FieldName.TELEGRAM_NUMBER].match(ln.text)):
            found[FieldName.TELEGRAM_NUMBER] = _el(FieldName.TELEGRAM_NUMBER, m["v"], ln, m.start("v"), m.end("v"))
        elif FieldName.ISSUER_MARK in found and (text.startswith("关于") or _TITLE_END.search(text)):
            break   # the 标题: the 版头 ended without a 发文字号
        else:
            signer = _LABELS[FieldName.SIGNER].search(ln.text)
            number = NUMBER.match(ln.text) if len(text) <= 40 and not text.endswith("。") else None
            if signer:
                found[FieldName.SIGNER] = _el(FieldName.SIGNER, signer["v"], ln, signer.start("v"), signer.end("v"))
            if number:
                found[FieldName.DOC_NUMBER] = _el(FieldName.DOC_NUMBER, _compact(number.group(0)), ln,
                                                  number.start(), number.end())
            if not (signer or number):
                continue
        header_end = lines.index(ln)
    kind = _kind(found)
    if kind is None:
        return Anatomy(None, ())
    _read_main(lines, header_end + 1, found)
    order = list(FieldName)
    return Anatomy(kind, tuple(sorted(found.values(), key=lambda e: order.index(e.name))))


def _kind(found: dict[FieldName, Element]) -> Kind | None:
    mark = found.get(FieldName.ISSUER_MARK)
    if FieldName.SENDER in found or FieldName.TELEGRAM_NUMBER in found or (mark and not mark.value.endswith("文件")):
        return Kind.TELEGRAM
    if mark or FieldName.DOC_NUMBER in found:
        return Kind.OFFICIAL_DOCUMENT
    return None


def _read_main(lines: list[_Line], start: int, found: dict[FieldName, Element]) -> None:
    """标题, 主送机关, 正文 ... 版记, after the header (from line index `start`)."""
    rest = lines[start:]
    if not rest:
        return
    # 标题: up to three lines, up to the 主送机关 (a line ending in a colon) or a line that ends a title
    title: list[_Line] = []
    for ln in rest[:3]:
        if ln.text.endswith(("：", ":")) or _LABELS[FieldName.CC].match(ln.text):
            break
        title.append(ln)
        if _TITLE_END.search(ln.text):
            break
    if title:
        found[FieldName.TITLE] = Element(FieldName.TITLE, "".join(_compact(t.text) for t in title), title[0].page,
                                         title[0].number, title[0].start, title[-1].end,
                                         "\n".join(t.text for t in title))
    i = len(title)
    if i < len(rest) and rest[i].text.endswith(("：", ":")) and len(rest[i].text) <= 80:
        ln = rest[i]
        found[FieldName.ADDRESSEE] = _el(FieldName.ADDRESSEE, ln.text.rstrip("：:"), ln, 0, len(ln.text.rstrip("：:")))
        i += 1
    body: list[_Line] = []
    loose: list[_Line] = []   # lines no pattern claimed: the 正文, then the 署名 before the 成文日期
    for j in range(i, len(rest)):
        ln = rest[j]
        text = _compact(ln.text)
        if (m := _LABELS[FieldName.ATTACHMENTS].match(ln.text)) and FieldName.ATTACHMENTS not in found:
            found[FieldName.ATTACHMENTS] = _el(FieldName.ATTACHMENTS, m["v"], ln, m.start("v"), m.end("v"))
        elif (m := _LABELS[FieldName.CC].match(ln.text)):
            found[FieldName.CC] = _el(FieldName.CC, m["v"].rstrip("。"), ln, m.start("v"), m.end("v"))
        elif (m := _PRINTED.match(ln.text)):
            day, chinese = parse_date(m)
            if m["printer"].strip():
                found[FieldName.PRINTER] = _el(FieldName.PRINTER, m["printer"], ln, m.start("printer"), m.end("printer"))
            found[FieldName.PRINT_DATE] = _el(FieldName.PRINT_DATE, _compact(m["date"]), ln, m.start("date"),
                                              m.end("date"), date=day, chinese_numerals=chinese)
        elif (m := _PAGE_NO.match(text)):
            found.setdefault(FieldName.PAGE_NUMBER, _el(FieldName.PAGE_NUMBER, m["n"], ln))
        elif (m := DATE.fullmatch(text)) and FieldName.ISSUE_DATE not in found and FieldName.CC not in found:
            day, chinese = parse_date(m)
            found[FieldName.ISSUE_DATE] = _el(FieldName.ISSUE_DATE, text, ln, date=day, chinese_numerals=chinese)
            prev = loose[-1] if loose else None
            if prev is not None and len(prev.text) <= 30 and not prev.text.endswith(("。", "；", "，", "：", ":")):
                found[FieldName.SIGNATURE] = _el(FieldName.SIGNATURE, _compact(prev.text), prev)
                if body and body[-1] is prev:
                    body.pop()
        elif (FieldName.ISSUE_DATE in found and text.startswith(("（", "(")) and text.endswith(("）", ")"))
              and FieldName.CC not in found):
            found[FieldName.NOTE] = _el(FieldName.NOTE, text, ln)
        elif FieldName.ISSUE_DATE not in found:
            loose.append(ln)
            if FieldName.ATTACHMENTS not in found:
                body.append(ln)
    if FieldName.SIGNATURE not in found and FieldName.ISSUE_DATE not in found and body:
        # a 署名 without a date still stands alone on a short line at the end of the 主体
        last = body[-1]
        if len(last.text) <= 30 and not last.text.endswith(("。", "；", "，")):
            found[FieldName.SIGNATURE] = _el(FieldName.SIGNATURE, _compact(last.text), last)
            body.pop()
    if body:
        found[FieldName.BODY] = Element(FieldName.BODY, "\n".join(b.text for b in body)[:4000], body[0].page,
                                        body[0].number, body[0].start, None if body[-1].page != body[0].page
                                        else body[-1].end, body[0].text)
