"""The files the redaction tests redact, made here with PyMuPDF and Pillow (never copied from a corpus):
a register naming two people, and documents that carry their names in every place a name can hide."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pymupdf
from PIL import Image, ImageDraw, ImageFont

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(body17: str) -> str:
    """An ID number with its ISO 7064 MOD 11-2 check character."""
    s = sum(int(d) * w for d, w in zip(body17, WEIGHTS, strict=True))
    return body17 + "10X98765432"[s % 11]


NAME_LATIN = "Mamat Tursun"
NAME_HAN = "阿依古丽·肉孜"
ID_1 = id_number("65322219810816667")
ID_2 = id_number("65322219840410202")
PHONE = "13912345678"
KEEP_EN = "The weather was fine"
KEEP_HAN = "学习班"
REASON = "宗教极端"


def register_csv(path: Path) -> None:
    path.write_text("序号,姓名,性别,身份证号,原因\n"
                    f"1,{NAME_LATIN},男,{ID_1},{REASON}\n"
                    f"2,{NAME_HAN},女,{ID_2},{REASON}\n", encoding="utf-8")


def text_pdf(path: Path) -> None:
    doc = pymupdf.open()
    p = doc.new_page()
    p.insert_text((72, 100), f"Report on {NAME_LATIN}, ID {ID_1}, phone {PHONE}.", fontsize=11)
    p.insert_text((72, 130), f"{KEEP_EN} on the day of the visit.", fontsize=11)
    p = doc.new_page()
    p.insert_text((72, 100), f"{NAME_HAN} 被送{KEEP_HAN}", fontname="china-s", fontsize=12)
    p.insert_text((72, 130), f"{KEEP_EN} again.", fontsize=11)
    doc.save(path)


def scan_pdf(path: Path) -> None:
    """An image-only PDF: a page rendered to pixels and put back as a picture (no text layer)."""
    src = pymupdf.open()
    p = src.new_page()
    p.insert_text((72, 120), NAME_LATIN.upper(), fontsize=28)
    p.insert_text((72, 200), "PUBLIC NOTICE", fontsize=28)
    png = p.get_pixmap(dpi=150, colorspace=pymupdf.csGRAY).tobytes("png")
    doc = pymupdf.open()
    q = doc.new_page()
    q.insert_image(q.rect, stream=png)
    doc.save(path)


def revised_pdf(path: Path) -> None:
    """Saved with the name, then saved again incrementally with the name removed: the first revision
    (a content stream with literal strings, uncompressed, so `strings` reads it) still holds it."""
    doc = pymupdf.open()
    p = doc.new_page()
    p.insert_text((72, 100), "x", fontsize=11)  # brings a Helvetica resource onto the page
    font = p.get_fonts()[0][4]
    xref = p.get_contents()[0]
    doc.update_stream(xref, (f"BT /{font} 11 Tf 72 742 Td (Minutes: {NAME_LATIN} attended.) Tj ET\n"
                             f"BT /{font} 11 Tf 72 712 Td ({KEEP_EN} at the meeting.) Tj ET\n").encode(),
                      compress=False)
    doc.save(path, deflate=False)
    doc.close()
    doc = pymupdf.open(path)
    page = doc[0]
    for r in page.search_for(NAME_LATIN):
        page.add_redact_annot(r)
    page.apply_redactions()
    doc.saveIncr()
    doc.close()


def meta_pdf(path: Path) -> None:
    doc = pymupdf.open()
    p = doc.new_page()
    p.insert_text((72, 100), f"Annex of the file. {KEEP_EN}.", fontsize=11)
    doc.set_metadata({"author": NAME_LATIN, "title": f"About {NAME_LATIN}", "subject": ID_1})
    doc.set_xml_metadata(f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
                         f'22-rdf-syntax-ns#"><rdf:Description>{NAME_LATIN}</rdf:Description></rdf:RDF></x:xmpmeta>')
    doc.embfile_add("note.txt", f"{NAME_LATIN} {PHONE}\n".encode(), filename="note.txt", desc=f"on {NAME_LATIN}")
    p.add_text_annot((300, 300), f"check {NAME_LATIN}")
    doc.save(path)


def register_pdf(path: Path) -> None:
    """A register as a word processor renders it to PDF: a ruled table of Chinese cells."""
    rows = [("序号", "姓名", "身份证号", "原因"), ("1", NAME_LATIN, ID_1, REASON), ("2", NAME_HAN, ID_2, REASON)]
    widths = (40, 150, 210, 90)
    doc = pymupdf.open()
    p = doc.new_page()
    p.insert_text((72, 60), f"{KEEP_HAN}人员名单", fontname="china-s", fontsize=14)
    y = 80.0
    for row in rows:
        x = 72.0
        for w, cell in zip(widths, row, strict=True):
            p.draw_rect(pymupdf.Rect(x, y, x + w, y + 24), color=(0, 0, 0), width=0.8)
            p.insert_text((x + 4, y + 16), cell, fontname="china-s", fontsize=10)
            x += w
        y += 24
    doc.save(path)


def _exif_with_gps_and_thumbnail(thumb: bytes) -> bytes:
    """A little-endian TIFF EXIF block: IFD0 (Artist, GPS pointer), the GPS IFD (latitude, longitude) and
    IFD1 pointing at a JPEG thumbnail, written by hand because Pillow writes no thumbnails."""
    artist = NAME_LATIN.encode() + b"\x00"
    # layout: header(8) | IFD0 (2 + 2*12 + 4) | GPS IFD (2 + 4*12 + 4) | IFD1 (2 + 3*12 + 4) | data
    ifd0 = 8
    gps = ifd0 + 2 + 2 * 12 + 4
    ifd1 = gps + 2 + 4 * 12 + 4
    data = ifd1 + 2 + 3 * 12 + 4
    artist_at = data
    lat_at = artist_at + len(artist)
    lon_at = lat_at + 24
    thumb_at = lon_at + 24
    out = bytearray(b"II*\x00" + struct.pack("<I", ifd0))
    out += struct.pack("<H", 2)
    out += struct.pack("<HHII", 0x013B, 2, len(artist), artist_at)   # Artist
    out += struct.pack("<HHII", 0x8825, 4, 1, gps)                    # GPSInfo
    out += struct.pack("<I", ifd1)
    out += struct.pack("<H", 4)
    out += struct.pack("<HHI4s", 1, 2, 2, b"N\x00\x00\x00")
    out += struct.pack("<HHII", 2, 5, 3, lat_at)
    out += struct.pack("<HHI4s", 3, 2, 2, b"E\x00\x00\x00")
    out += struct.pack("<HHII", 4, 5, 3, lon_at)
    out += struct.pack("<I", 0)
    out += struct.pack("<H", 3)
    out += struct.pack("<HHI4s", 0x0103, 3, 1, struct.pack("<HH", 6, 0))  # Compression: JPEG
    out += struct.pack("<HHII", 0x0201, 4, 1, thumb_at)                    # JPEGInterchangeFormat
    out += struct.pack("<HHII", 0x0202, 4, 1, len(thumb))                  # ...Length
    out += struct.pack("<I", 0)
    out += artist
    out += struct.pack("<6I", 37, 1, 5, 1, 30, 1)
    out += struct.pack("<6I", 79, 1, 55, 1, 12, 1)
    out += thumb
    return b"Exif\x00\x00" + bytes(out)


def photo_jpg(path: Path) -> None:
    """A photo of a sign naming the person, with GPS EXIF, the name as Artist, and a thumbnail."""
    img = Image.new("RGB", (1000, 400), (235, 235, 225))
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=64)
    d.text((60, 80), NAME_LATIN.upper(), fill=(10, 10, 10), font=font)
    d.text((60, 240), "PUBLIC NOTICE", fill=(10, 10, 10), font=font)
    small = io.BytesIO()
    img.resize((160, 64)).save(small, "JPEG")
    img.save(path, "JPEG", quality=92, exif=_exif_with_gps_and_thumbnail(small.getvalue()))


def make_cache(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    register_csv(folder / "register.csv")
    text_pdf(folder / "text.pdf")
    scan_pdf(folder / "scan.pdf")
    revised_pdf(folder / "revised.pdf")
    meta_pdf(folder / "meta.pdf")
    register_pdf(folder / "register.pdf")
    photo_jpg(folder / "photo.jpg")
    return folder
