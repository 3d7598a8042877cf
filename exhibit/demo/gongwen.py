"""Invented official documents (公文) and telegrams (电报) laid out by GB/T 9704-2012, as text PDFs, DOCX and
scans, with one defect at a time on request: the fixtures of the documents capability and its bench.

Everything is invented (offices, names, numbers); only the standard's own vocabulary is real. Each writer is
deterministic for the same `Gongwen`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

import docx
import numpy as np
import pymupdf
from PIL import Image, ImageDraw, ImageFont

from exhibit.demo.files import CJK_FONT, FIXED_TIME, _docx_bytes

_CN_DIGITS = "〇一二三四五六七八九"


class Kind(StrEnum):
    OFFICIAL_DOCUMENT = "official_document"
    TELEGRAM = "telegram"


class Defect(StrEnum):
    """One departure from the standard that a copy can carry (what the format checks must find)."""

    SQUARE_BRACKETS = "square_brackets"      # 〔2017〕 written [2017]
    ROUND_BRACKETS = "round_brackets"        # 〔2017〕 written (2017)
    ZERO_PADDED = "zero_padded"              # 12号 written 012号
    DI = "di"                                # 12号 written 第12号
    SHORT_YEAR = "short_year"                # 〔2017〕 written 〔17〕
    CHINESE_DATE = "chinese_date"            # 2017年6月1日 written 二〇一七年六月一日
    PRINT_BEFORE_ISSUE = "print_before_issue"  # 印发日期 before 成文日期
    NO_DOC_NUMBER = "no_doc_number"          # the 发文字号 left out
    NO_ISSUE_DATE = "no_issue_date"          # the 成文日期 left out
    URGENCY_FIRST = "urgency_first"          # 紧急程度 above 密级
    BAD_STAR = "bad_star"                    # 机密★1年 written 机密*1年


@dataclass(frozen=True)
class Gongwen:
    """The content of one document; the writers lay it out."""

    agency: str = "南山县人民政府"             # 发文机关
    code: str = "南政发"                       # 机关代字
    year: int = 2017
    serial: int = 12
    title: str = "关于加强档案管理工作的通知"
    addressee: str = "各乡镇人民政府，县直各有关单位："
    body: tuple[str, ...] = (
        "为进一步规范全县档案管理工作，现就有关事项通知如下。",
        "一、各单位要明确专人负责档案的收集、整理和归档工作。",
        "二、各单位要于每季度末将归档情况报县档案局备案。",
    )
    attachment: str | None = "档案归档目录"
    issued: date = date(2017, 6, 1)           # 成文日期
    printed: date = date(2017, 6, 2)          # 印发日期
    printer: str = "南山县人民政府办公室"       # 印发机关
    cc: str = "县委办公室，县人大常委会办公室，县政协办公室。"
    note: str | None = "（此件公开发布）"
    copy_number: str | None = "000123"        # 份号
    classification: str | None = "机密"        # 密级
    secrecy_period: str | None = "1年"         # 保密期限
    urgency: str | None = "特急"               # 紧急程度
    signer: str | None = None                 # 签发人 (上行文)
    cites: tuple[str, ...] = ()               # document numbers quoted in the body
    kind: Kind = Kind.OFFICIAL_DOCUMENT
    defects: frozenset[Defect] = field(default_factory=frozenset)
    colon: str = "："                         # the label colon as typed: full-width or ASCII

    @property
    def doc_number(self) -> str:
        """The 发文字号 as printed, defects included."""
        d = self.defects
        year = str(self.year)[-2:] if Defect.SHORT_YEAR in d else str(self.year)
        open_, close = ("[", "]") if Defect.SQUARE_BRACKETS in d else ("(", ")") if Defect.ROUND_BRACKETS in d \
            else ("〔", "〕")
        serial = f"{self.serial:03d}" if Defect.ZERO_PADDED in d else str(self.serial)
        return f"{self.code}{open_}{year}{close}{'第' if Defect.DI in d else ''}{serial}号"

    @property
    def standard_number(self) -> str:
        """The 发文字号 as the standard writes it (what citations of this document quote)."""
        return f"{self.code}〔{self.year}〕{self.serial}号"

    def with_defect(self, defect: Defect) -> Gongwen:
        printed = self.printed
        if defect is Defect.PRINT_BEFORE_ISSUE:
            printed = date.fromordinal(self.issued.toordinal() - 3)
        return replace(self, defects=self.defects | {defect}, printed=printed)


def date_text(d: date, chinese: bool) -> str:
    """A date the standard's way (Arabic numerals, no zero padding) or the 1999 standard's (Chinese numerals)."""
    if not chinese:
        return f"{d.year}年{d.month}月{d.day}日"
    year = "".join(_CN_DIGITS[int(c)] for c in str(d.year))
    return f"{year}年{_cn_number(d.month)}月{_cn_number(d.day)}日"


def _cn_number(n: int) -> str:
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _CN_DIGITS[tens]) + "十" if tens else "") + (_CN_DIGITS[ones] if ones else "")


@dataclass(frozen=True)
class Line:
    """One laid-out line: its text, where it goes (left, centre, right), its size, whether it is red."""

    text: str
    align: str = "left"
    size: int = 16
    red: bool = False
    rule: bool = False   # a red separator line (the 版头's 分隔线) instead of text


def layout(g: Gongwen) -> list[list[Line]]:
    """The document's lines, page by page, in the order of GB/T 9704-2012 section 7 (版头, 主体, 版记)."""
    d, c = g.defects, g.colon
    chinese = Defect.CHINESE_DATE in d
    head: list[Line] = []
    if g.copy_number:
        head.append(Line(g.copy_number))
    mark = None
    if g.classification:
        star = "*" if Defect.BAD_STAR in d else "★"
        mark = Line(g.classification + (star + g.secrecy_period if g.secrecy_period else ""))
    urgency = Line(g.urgency) if g.urgency else None
    order = [urgency, mark] if Defect.URGENCY_FIRST in d else [mark, urgency]
    head.extend(x for x in order if x)
    if g.kind is Kind.TELEGRAM:
        head.append(Line(f"{g.agency}电报", "centre", 26, red=True))
        head.append(Line(f"发电单位{c}{g.agency}", size=14))
        head.append(Line(f"签发{c}{g.signer or '李明'}", size=14))
        head.append(Line(f"等级{c}{g.urgency or '平急'}", size=14))
        if Defect.NO_DOC_NUMBER not in d:
            head.append(Line(g.doc_number, "centre"))
    else:
        head.append(Line(f"{g.agency}文件", "centre", 26, red=True))
        if Defect.NO_DOC_NUMBER not in d:
            number = g.doc_number + (f"    签发人{c}{g.signer}" if g.signer else "")
            head.append(Line(number, "centre"))
    head.append(Line("", rule=True))
    main = [Line(g.title, "centre", 20), Line(g.addressee)]
    body = list(g.body)
    for n, number in enumerate(g.cites):
        body.insert(1 + n, f"根据{number}文件精神，各单位要认真贯彻落实。")
    main.extend(Line("　　" + b) for b in body)
    if g.attachment:
        main.append(Line(f"附件{c}{g.attachment}"))
    main.append(Line(g.agency, "right"))
    if Defect.NO_ISSUE_DATE not in d:
        main.append(Line(date_text(g.issued, chinese), "right"))
    if g.note:
        main.append(Line(g.note))
    tail = [Line("", rule=True), Line(f"抄送{c}{g.cc}", size=14),
            Line(f"{g.printer}　　{date_text(g.printed, chinese)}印发", size=14), Line("— 1 —", "centre", 14)]
    return [head + main + tail]


# -- writers -------------------------------------------------------------------------------------
_PAGE_W, _PAGE_H = 595, 842
_SEAL_RGB = (210, 30, 35)


def text_pdf(g: Gongwen, font_file: str | None = None, seal: bool = True) -> bytes:
    """A PDF with a text layer; the seal is a red image over the 发文机关署名 (as a scanned-in seal is)."""
    doc = pymupdf.open()
    font = pymupdf.Font(fontfile=font_file) if font_file else pymupdf.Font("china-s")
    for lines in layout(g):
        page = doc.new_page(width=_PAGE_W, height=_PAGE_H)
        y, signature_y = 60.0, None
        for ln in lines:
            if ln.rule:
                page.draw_line((50, y - 8), (_PAGE_W - 50, y - 8), color=(0.8, 0.1, 0.1), width=1.5)
                y += 14
                continue
            size = ln.size * 0.75
            width = font.text_length(ln.text, fontsize=size)
            x = 60.0 if ln.align == "left" else (_PAGE_W - width) / 2 if ln.align == "centre" else _PAGE_W - 70 - width
            # one writer per line, so that the text layer keeps the reading order
            tw = pymupdf.TextWriter(page.rect, color=(0.8, 0.1, 0.1) if ln.red else (0, 0, 0))
            tw.append((x, y), ln.text, font=font, fontsize=size)
            tw.write_text(page)
            if ln.align == "right" and signature_y is None:
                signature_y = y
            y += size * 2.0
        if seal and signature_y is not None:
            page.insert_image(pymupdf.Rect(_PAGE_W - 200, signature_y - 70, _PAGE_W - 90, signature_y + 40),
                              stream=_png(seal_image(220)))
    stamp = "D:" + FIXED_TIME.strftime("%Y%m%d%H%M%S") + "+08'00'"
    doc.subset_fonts()
    doc.set_metadata({"title": g.title, "creator": "WPS Office", "producer": "WPS Office",
                      "creationDate": stamp, "modDate": stamp})
    return bytes(doc.tobytes(garbage=3, deflate=True, no_new_id=True))


def docx_file(g: Gongwen) -> bytes:
    """The document as a Word file: one paragraph per line, the rules left out (DOCX has no seal image)."""
    d = docx.Document()
    for lines in layout(g):
        for ln in lines:
            if not ln.rule:
                d.add_paragraph(ln.text)
    return _docx_bytes(d, g.title)


def seal_image(side: int) -> Image.Image:
    """A round red seal: a ring, a star and the ring's inner circle (no text: OCR must read what it covers)."""
    img = Image.new("RGBA", (side, side), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    w = max(3, side // 30)
    draw.ellipse((w, w, side - w, side - w), outline=_SEAL_RGB + (255,), width=w)
    cx = cy = side / 2
    r_out, r_in = side * 0.16, side * 0.065
    points = []
    for k in range(10):
        r = r_out if k % 2 == 0 else r_in
        a = np.pi / 2 + k * np.pi / 5
        points.append((cx + r * np.cos(a), cy - r * np.sin(a)))
    draw.polygon(points, fill=_SEAL_RGB + (255,))
    return img


def scan_png(g: Gongwen, seed: int = 0, angle: float = 0.4, speckle: float = 0.008, seal: bool = True,
             width: int = 1240) -> bytes:
    """The printed document scanned in colour: drawn with a system CJK font, the seal in red, slightly
    rotated, grey paper and speckle (seeded). `width` in pixels (1240 = A4 at 150 dpi)."""
    scale = width / _PAGE_W
    lines = layout(g)[0]
    font_cache: dict[int, ImageFont.FreeTypeFont] = {}
    img = Image.new("RGB", (width, int(_PAGE_H * scale)), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    y, signature_y = 50 * scale, None
    for ln in lines:
        if ln.rule:
            draw.line((50 * scale, y, width - 50 * scale, y), fill=_SEAL_RGB, width=3)
            y += 16 * scale
            continue
        size = int(ln.size * 0.75 * scale)
        font = font_cache.setdefault(size, ImageFont.truetype(str(CJK_FONT), size))
        tw = draw.textlength(ln.text, font=font)
        x = 60 * scale if ln.align == "left" else (width - tw) / 2 if ln.align == "centre" else width - 70 * scale - tw
        draw.text((x, y), ln.text, font=font, fill=_SEAL_RGB if ln.red else (15, 15, 15))
        if ln.align == "right" and signature_y is None:
            signature_y = y
        y += size * 1.9
    if seal and signature_y is not None:
        side = int(110 * scale)
        stamp = seal_image(side)
        # above the 署名 and touching it: a seal pressed over the date would hide it from OCR
        img.paste(stamp, (int(width - 200 * scale), int(signature_y - side * 0.95)), stamp)
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(255, 255, 255))
    a = np.asarray(img, dtype=np.int16)
    rng = np.random.default_rng(seed)
    speck = (rng.random(a.shape[:2]) < speckle)[..., None]
    a = np.where(speck, rng.integers(60, 200, a.shape), a * 0.94 + 10)
    return _png(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), mode="RGB"))


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def telegram(**kw: object) -> Gongwen:
    """A telegram (电报) of the same invented county: its own header fields, no 文件 mark."""
    base = Gongwen(kind=Kind.TELEGRAM, agency="南山县委政法委", code="南政法电", year=2017, serial=41,
                   title="关于做好节日期间安全稳定工作的紧急通知", signer="李明", urgency="特急",
                   copy_number=None, attachment=None, note=None, printer="南山县委政法委办公室",
                   addressee="各乡镇党委，县直各有关单位：")
    return replace(base, **kw)  # type: ignore[arg-type]
