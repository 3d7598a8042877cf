"""Writers for the demo cache's files, one per format, each deterministic for the same input."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import docx
import numpy as np
import openpyxl
import pymupdf
from docx.shared import Pt
from openpyxl.styles import Alignment, Font
from PIL import Image, ImageDraw, ImageFont

from exhibit.demo.people import Person
from exhibit.errors import UserError

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
# Noto Sans Arabic first: Noto Naskh Arabic has no glyph for the hyphen in "2018-يىلى"
ARABIC_FONTS = (Path("/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf"),
                Path("/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf"))
FIXED_TIME = datetime(2018, 6, 20, 9, 30, 0)     # every timestamp inside the files, for byte-identical output
ZIP_TIME = (2018, 6, 20, 9, 30, 0)


# -- containers ----------------------------------------------------------------------------------
class _GbkZipInfo(zipfile.ZipInfo):
    """A member whose name is stored in GBK without the UTF-8 flag, as Chinese Windows zip tools do.

    zipfile always writes non-ASCII names as UTF-8 with flag 0x800; overriding its (private) name
    encoder is the only way to reproduce the legacy encoding that ingest must decode."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # noqa: N802 (zipfile's name)
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def zip_bytes(members: Sequence[tuple[str, bytes]], gbk_names: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = (_GbkZipInfo if gbk_names else zipfile.ZipInfo)(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()


def _normalise_ooxml(data: bytes) -> bytes:
    """Rewrite an OOXML package with fixed member times and a fixed modified date.

    openpyxl stamps `dcterms:modified` with the current time on every save and zip members carry the
    wall clock; the demo must be byte-identical for a seed, so both are replaced here."""
    src = zipfile.ZipFile(io.BytesIO(data))
    members = []
    for info in src.infolist():
        body = src.read(info)
        if info.filename == "docProps/core.xml":
            stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
            body = re.sub(rb"(<dcterms:(?:modified|created)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\g<2>", body)
        members.append((info.filename, body))
    return zip_bytes(members)


# -- registers -----------------------------------------------------------------------------------
REGISTER_HEADERS = ("序号", "姓名", "性别", "民族", "身份证号", "年龄", "户籍地址", "入学时间", "收押原因",
                    "家庭情况", "处理意见")


def family_text(p: Person) -> str:
    return "；".join(f"{r.relation}{r.name_zh}（{r.status}）" for r in p.relatives)


def register_xlsx(people: Sequence[Person], county_zh: str) -> bytes:
    """One sheet per township, a merged title row above the header, as the leaked registers have."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    towns = list(dict.fromkeys(p.township_zh for p in people))
    for town in towns:
        ws = wb.create_sheet(town)
        ws.append([f"{county_zh}职业技能教育培训中心学员花名册（{town}）"] + [None] * (len(REGISTER_HEADERS) - 1))
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(REGISTER_HEADERS))
        ws["A1"].font = Font(bold=True, size=14)
        ws["A1"].alignment = Alignment(horizontal="center")
        ws.append(list(REGISTER_HEADERS))
        for n, p in enumerate((p for p in people if p.township_zh == town), start=1):
            # float_mangled: what happens when an ID column is typed as a number (digits lost after 15)
            idv: str | float = float(p.id_number) if p.anomaly == "float_mangled" else p.id_number
            ws.append([n, p.name_zh, p.gender_zh, "维吾尔族", idv, p.age, p.village,
                       p.detained.strftime("%Y.%m.%d"), p.reason, family_text(p), p.decision])
        ws.column_dimensions["B"].width = 18
        ws.column_dimensions["E"].width = 22
        ws.column_dimensions["I"].width = 24
    wb.properties.creator = "admin"
    wb.properties.title = f"{county_zh}学员花名册"
    wb.properties.created = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return _normalise_ooxml(buf.getvalue())


def platform_csv(people: Sequence[Person]) -> bytes:
    """The policing platform's push list, in GB18030 as Chinese government PCs write CSV."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["序号", "姓名", "性别", "公民身份号码", "户籍地", "推送批次", "推送原因", "核查结果", "处置时间"])
    for n, p in enumerate(people, start=1):
        w.writerow([n, p.name_zh, p.gender_zh, p.id_number, p.village, f"2017-{(n - 1) // 10 + 1:03d}",
                    p.reason, p.decision, p.detained.isoformat()])
    return buf.getvalue().encode("gb18030")


def _docx_bytes(d: docx.document.Document, title: str) -> bytes:
    cp = d.core_properties
    cp.author, cp.title, cp.last_modified_by = "办公室", title, "办公室"
    cp.created = cp.modified = FIXED_TIME
    cp.revision = 1
    buf = io.BytesIO()
    d.save(buf)
    return _normalise_ooxml(buf.getvalue())


def family_docx(people: Sequence[Person]) -> bytes:
    d = docx.Document()
    d.add_heading("重点人员家庭成员情况表", level=1)
    rows = [(p, r) for p in people for r in p.relatives]
    t = d.add_table(rows=1 + len(rows), cols=6)
    t.style = "Table Grid"
    for c, h in zip(t.rows[0].cells, ("姓名", "身份证号", "关系", "亲属姓名", "亲属身份证号", "亲属现状"),
                    strict=True):
        c.text = h
    for tr, (p, r) in zip(t.rows[1:], rows, strict=True):
        for c, v in zip(tr.cells, (p.name_zh, p.id_number, r.relation, r.name_zh, r.id_number, r.status),
                        strict=True):
            c.text = v
    return _docx_bytes(d, "家庭成员情况表")


NOTICE_DOCX = (
    "关于进一步做好教育转化工作的通知",
    "各乡镇党委、政府，县直各有关单位：",
    "为深入推进教育转化工作，现就有关事项通知如下。",
    "一、各乡镇要对辖区内重点人员逐户逐人开展摸排，建立台账，做到底数清、情况明。",
    "二、对大数据平台推送的人员，要在二十四小时内完成核查，核查结果及时反馈。",
    "三、对境外有亲属、持有护照、使用境外通讯软件的人员，要逐一见面，登记在册。",
    "四、各单位要严格执行保密纪律，本通知不得翻印、转发。",
    "莎车县教育转化工作领导小组办公室",
    "2018年5月8日",
)


def notice_docx() -> bytes:
    d = docx.Document()
    for n, line in enumerate(NOTICE_DOCX):
        para = d.add_paragraph(line)
        if n == 0:
            para.runs[0].bold = True
            para.runs[0].font.size = Pt(16)
    return _docx_bytes(d, NOTICE_DOCX[0])


# -- PDFs ----------------------------------------------------------------------------------------
RULES_ZH = [
    ["培训中心管理办法（试行）", "",
     "第一条 为加强培训中心管理，确保安全稳定，制定本办法。",
     "第二条 培训中心实行封闭式管理，学员宿舍实行双人双岗值守。",
     "第三条 对学员实行积分制管理，积分结果作为结业评定的主要依据。",
     "第四条 学员与家属视频会见每周一次，由管理人员全程陪同。"],
    ["第五条 学员结业须经乡镇、派出所、培训中心三方评估同意。",
     "第六条 对不服从管理的学员，延长培训期限。",
     "第七条 本办法由县教育转化工作领导小组办公室负责解释。",
     "二〇一八年四月"],
]
RULES_EN = [
    ["Measures for the Management of the Training Centre (Trial)", "",
     "Article 1. These measures are made to strengthen the management of the training centre",
     "and to ensure security and stability.",
     "Article 2. The training centre is managed as a closed facility; dormitories are guarded",
     "by two officers at two posts.",
     "Article 3. Trainees are managed under a points system; the points are the main basis",
     "for assessing completion.",
     "Article 4. Trainees may see family members by video once a week, accompanied by staff."],
    ["Article 5. Completion requires the agreement of the township, the police station and the",
     "training centre after a joint assessment.",
     "Article 6. The training period of trainees who do not obey management is extended.",
     "Article 7. The office of the county leading group interprets these measures.",
     "April 2018"],
]


def text_pdf(pages: Sequence[Sequence[str]], title: str, cjk: bool) -> bytes:
    """A PDF with a real text layer (one line per string), fixed metadata and a fixed file ID."""
    doc = pymupdf.open()
    font = pymupdf.Font("china-s") if cjk else pymupdf.Font("helv")
    for lines in pages:
        page = doc.new_page(width=595, height=842)
        tw = pymupdf.TextWriter(page.rect)
        y = 80.0
        for k, line in enumerate(lines):
            size = 16 if k == 0 and page.number == 0 else 12
            if line:
                tw.append((60, y), line, font=font, fontsize=size)
            y += size * 2
        tw.write_text(page)
    stamp = "D:" + FIXED_TIME.strftime("%Y%m%d%H%M%S") + "+08'00'"
    doc.subset_fonts()  # embed only the glyphs used: the full CJK font would make a 1.7 MB file
    doc.set_metadata({"title": title, "author": "县教育转化办", "creator": "WPS Office",
                      "producer": "WPS Office", "creationDate": stamp, "modDate": stamp})
    return bytes(doc.tobytes(garbage=3, deflate=True, no_new_id=True))


# -- images --------------------------------------------------------------------------------------
def require_fonts() -> None:
    """The scans are drawn with system fonts; say which Debian package is missing instead of a traceback."""
    if not CJK_FONT.exists():
        raise UserError(f"{CJK_FONT} is missing: install the Debian package fonts-wqy-microhei "
                        "(scripts/setup-system.sh does) to draw the demo's Chinese scans.")
    if not any(p.exists() for p in ARABIC_FONTS):
        raise UserError(f"{ARABIC_FONTS[0]} is missing: install the Debian package fonts-noto-core "
                        "(scripts/setup-system.sh does) to draw the demo's Uyghur notice.")


def _degrade(img: Image.Image, seed: int, angle: float) -> Image.Image:
    """Make a clean rendering look scanned: slight skew, grey paper, speckle; seeded, so deterministic."""
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    a = np.asarray(img, dtype=np.int16)
    rng = np.random.default_rng(seed)
    # sparse speckle rather than noise on every pixel: looks scanned, still compresses, OCR still reads it
    speck = rng.random(a.shape) < 0.012
    a = np.where(speck, rng.integers(60, 200, a.shape), a * 0.92 + 14)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), mode="L")


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def scanned_notice_png(lines: Sequence[str], seed: int) -> bytes:
    font = ImageFont.truetype(str(CJK_FONT), 30)
    title = ImageFont.truetype(str(CJK_FONT), 40)
    img = Image.new("L", (1240, 140 + 64 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    draw.text((620, 60), lines[0], font=title, fill=0, anchor="mm")
    for n, line in enumerate(lines[1:], start=1):
        draw.text((70, 80 + 64 * n), line, font=font, fill=10)
    return _png(_degrade(img, seed, angle=0.6))


def uyghur_png(lines: Sequence[str], seed: int) -> bytes:
    """Uyghur in Arabic script, right to left; Pillow's raqm layout does the shaping and joining."""
    path = next((p for p in ARABIC_FONTS if p.exists()), ARABIC_FONTS[0])
    font = ImageFont.truetype(str(path), 40)
    img = Image.new("L", (1200, 120 + 90 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for n, line in enumerate(lines):
        draw.text((1140, 80 + 90 * n), line, font=font, fill=0, anchor="ra", direction="rtl",
                  language="ug")
    return _png(_degrade(img, seed + 1, angle=-0.4))


# -- mail ----------------------------------------------------------------------------------------
def eml(subject: str, body: str, attachment_name: str, attachment: bytes) -> bytes:
    msg = EmailMessage()
    msg["From"] = "zhengfa-office@example.invalid"
    msg["To"] = "jiaoyu-zhuanhua@example.invalid"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(FIXED_TIME.replace(tzinfo=timezone(timedelta(hours=8))))
    msg["Message-ID"] = "<demo-20180620-0930@example.invalid>"
    msg.set_content(body)
    msg.add_attachment(attachment, maintype="application", subtype="zip", filename=attachment_name)
    msg.set_boundary("===============demo-boundary-0001==")
    return msg.as_bytes()


def write(out: Path, rel: str, data: bytes) -> Path:
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
