"""Generators of the files the forensics, versions and timeline tests need (made here, never copied).

Texts are sentences drawn from small phrase lists with a seeded generator: a variant is a seed.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import numpy as np
import pymupdf
from PIL import ExifTags, Image, ImageDraw, ImageFont

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
_SUBJECTS = ("各县市", "各乡镇", "有关单位", "各部门", "工作组", "培训中心", "派出所", "社区")
_VERBS = ("要加强", "要落实", "应当完善", "必须做好", "要及时上报", "要严格执行", "要认真开展", "应当核查")
_OBJECTS = ("管理制度", "人员登记", "安全检查", "日常考核", "信息报送", "值班安排", "档案整理", "经费使用")
_TAILS = ("确保工作按时完成", "每周汇总一次", "发现问题立即整改", "由专人负责", "按月报送情况", "不得拖延",
          "做到账目清楚", "形成书面记录")


def sentences(seed: int, n: int) -> list[str]:
    """`n` distinct sentences of an invented administrative notice, each ending in 。"""
    rnd = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        s = f"{rnd.choice(_SUBJECTS)}{rnd.choice(_VERBS)}{rnd.choice(_OBJECTS)}，{rnd.choice(_TAILS)}。"
        if s not in out:
            out.append(s)
    return out


# -- PDFs ----------------------------------------------------------------------------------------
def text_pdf(path: Path, lines: list[str], metadata: dict[str, str] | None = None) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    for k, line in enumerate(lines):
        page.insert_text((50, 80 + 24 * k), line, fontname="china-s", fontsize=12)
    if metadata:
        doc.set_metadata(metadata)
    doc.save(path)
    doc.close()


@dataclass(frozen=True)
class Revised:
    """A PDF saved `len(changes)` times incrementally, each save replacing one sentence."""

    path: Path
    original: list[str]
    changes: list[tuple[str, str]]   # (before, after) of each incremental save, in order


def revised_pdf(path: Path, updates: int, seed: int = 1) -> Revised:
    lines = sentences(seed, 6)
    text_pdf(path, lines)
    replacement = sentences(seed + 100, updates)
    changes = []
    for k in range(updates):
        doc = pymupdf.open(path)
        page = doc[0]
        before, after = lines[k], replacement[k]
        rect = page.search_for(before[:6])[0]
        page.add_redact_annot(pymupdf.Rect(40, rect.y0 - 1, 560, rect.y1 + 1))
        page.apply_redactions()
        page.insert_text((50, 80 + 24 * k), after, fontname="china-s", fontsize=12)
        doc.save(path, incremental=True, encryption=pymupdf.PDF_ENCRYPT_KEEP)
        doc.close()
        changes.append((before, after))
    return Revised(path, lines, changes)


def pdf_with(path: Path, defect: str | None) -> None:
    """A text PDF dated 2017 with at most one forensic defect (None: a clean one)."""
    meta = {"title": "通知", "author": "办公室", "creator": "Microsoft Word", "producer": "Microsoft Word",
            "creationDate": "D:20170601090000+08'00'", "modDate": "D:20170602090000+08'00'"}
    if defect == "created_after_modified":
        meta["creationDate"], meta["modDate"] = meta["modDate"], meta["creationDate"]
    if defect == "date_after_received":
        meta["modDate"] = "D:20990101090000+08'00'"
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    for k, line in enumerate(sentences(7, 5)):
        page.insert_text((50, 80 + 24 * k), line, fontname="china-s", fontsize=12)
    doc.set_metadata(meta)
    if defect == "info_xmp_differ":
        doc.set_xml_metadata(
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" '
            'xmlns:xmp="http://ns.adobe.com/xap/1.0/" pdf:Producer="Adobe Acrobat Pro 2020" '
            'xmp:CreateDate="2020-03-01T10:00:00+08:00"/></rdf:RDF></x:xmpmeta>')
    if defect == "javascript":
        doc.xref_set_key(doc.pdf_catalog(), "OpenAction", "<</S/JavaScript/JS(app.alert\\(1\\))>>")
    if defect == "form":
        w = pymupdf.Widget()
        w.field_type = pymupdf.PDF_WIDGET_TYPE_TEXT
        w.field_name = "signer"
        w.field_value = "x"
        w.rect = pymupdf.Rect(50, 300, 250, 320)
        page.add_widget(w)
    if defect == "embedded_file":
        doc.embfile_add("draft.txt", b"an earlier draft", filename="draft.txt")
    if defect == "late_font":
        for f in page.get_fonts():
            doc.xref_set_key(f[0], "BaseFont", "/ABCDEF+HarmonyOS_Sans_SC_Regular")
    doc.save(path)
    doc.close()


PDF_DEFECTS = {"created_after_modified": "created_after_modified", "date_after_received": "date_after_received",
               "info_xmp_differ": "pdf_info_xmp_differ", "javascript": "pdf_javascript", "form": "pdf_form",
               "embedded_file": "pdf_embedded_files", "late_font": "font_released_after_date"}


# -- Office --------------------------------------------------------------------------------------
def docx_file(path: Path, lines: list[str], revision: int = 1, total_minutes: int | None = None,
              company: str | None = None) -> None:
    d = docx.Document()
    for line in lines:
        d.add_paragraph(line)
    cp = d.core_properties
    cp.author, cp.last_modified_by, cp.revision = "起草人", "审核人", revision
    import datetime as dt
    cp.created = dt.datetime(2017, 6, 1, 9, 0, 0)
    cp.modified = dt.datetime(2017, 6, 2, 9, 0, 0)
    buf = io.BytesIO()
    d.save(buf)
    if total_minutes is None and company is None:
        path.write_bytes(buf.getvalue())
        return
    app = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats'
           '.org/officeDocument/2006/extended-properties"><Template>红头模板.dotm</Template>'
           f'<TotalTime>{total_minutes or 0}</TotalTime><Application>Microsoft Office Word</Application>'
           f'<Company>{company or ""}</Company></Properties>')
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            if info.filename != "docProps/app.xml":
                zf.writestr(info, src.read(info))
        zf.writestr("docProps/app.xml", app)


# -- scans ---------------------------------------------------------------------------------------
def scanned_pdf(path: Path, lines: list[str], seed: int = 3) -> None:
    """The lines printed, scanned (rendered, skewed, greyed, speckled) and wrapped in an image-only PDF."""
    font = ImageFont.truetype(str(CJK_FONT), 34)
    img = Image.new("L", (1240, 200 + 70 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for n, line in enumerate(lines):
        draw.text((80, 100 + 70 * n), line, font=font, fill=0)
    img = img.rotate(0.5, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    a = np.asarray(img, dtype=np.int16)
    rng = np.random.default_rng(seed)
    a = np.where(rng.random(a.shape) < 0.01, rng.integers(80, 200, a.shape), a * 0.9 + 18)
    buf = io.BytesIO()
    Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), mode="L").save(buf, "PNG")
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=595 * a.shape[0] / a.shape[1])
    page.insert_image(page.rect, stream=buf.getvalue())
    doc.save(path)
    doc.close()


# -- photos --------------------------------------------------------------------------------------
def picture(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A picture with structure (bands and a disc placed by the seed), so that two seeds look different."""
    rnd = random.Random(seed)
    img = Image.new("RGB", size, (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    draw = ImageDraw.Draw(img)
    for _ in range(6):
        x0, y0 = rnd.randrange(size[0]), rnd.randrange(size[1])
        draw.rectangle((x0, y0, x0 + rnd.randrange(40, 160), y0 + rnd.randrange(20, 120)),
                       fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    draw.ellipse((rnd.randrange(200), rnd.randrange(120), 300, 230), fill=(rnd.randrange(256), 0, 0))
    return img


def _with_thumbnail(tiff: bytes, thumb: bytes) -> bytes:
    """EXIF (TIFF) bytes with an IFD1 holding a JPEG thumbnail appended (Pillow writes no IFD1)."""
    bo = "<" if tiff[:2] == b"II" else ">"
    ifd0 = struct.unpack(bo + "I", tiff[4:8])[0]
    count = struct.unpack(bo + "H", tiff[ifd0:ifd0 + 2])[0]
    next_at = ifd0 + 2 + 12 * count
    ifd1 = len(tiff) + (len(tiff) % 2)
    body = bytearray(tiff + b"\x00" * (ifd1 - len(tiff)))
    body[next_at:next_at + 4] = struct.pack(bo + "I", ifd1)
    data_at = ifd1 + 2 + 12 * 3 + 4
    body += struct.pack(bo + "H", 3)
    body += struct.pack(bo + "HHIHH", 0x0103, 3, 1, 6, 0)
    body += struct.pack(bo + "HHII", 0x0201, 4, 1, data_at)
    body += struct.pack(bo + "HHII", 0x0202, 4, 1, len(thumb))
    body += struct.pack(bo + "I", 0) + thumb
    return bytes(body)


def photo(path: Path, seed: int, *, original: str | None = None, modified: str | None = None,
          make: str | None = "Canon", model: str | None = "Canon EOS 80D", software: str | None = None,
          gps_utc: tuple[str, tuple[float, float, float]] | None = None, thumbnail_seed: int | None = None) -> None:
    """A JPEG with EXIF as a camera writes it; `thumbnail_seed` embeds a thumbnail of that picture."""
    img = picture(seed)
    e = Image.Exif()
    if make:
        e[271] = make
    if model:
        e[272] = model
    if software:
        e[305] = software
    if modified:
        e[306] = modified
    if original:
        e.get_ifd(ExifTags.IFD.Exif)[36867] = original
    if gps_utc:
        g = e.get_ifd(ExifTags.IFD.GPSInfo)
        g[29], g[7] = gps_utc
    raw = e.tobytes()
    if thumbnail_seed is not None:
        tb = io.BytesIO()
        picture(thumbnail_seed).resize((160, 120)).save(tb, "JPEG", quality=80)
        raw = b"Exif\x00\x00" + _with_thumbnail(raw[6:], tb.getvalue())
    img.save(path, "JPEG", quality=90, exif=raw)
