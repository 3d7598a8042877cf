"""Which engine reads which part of a page: PP-OCR for Han text, Tesseract for Uyghur and the rest.

By measurement on the sample scans (docs/ocr.md): PP-OCRv4 reads Chinese far better than Tesseract
chi_sim (fax: 2.2% vs 12.5% CER) but cannot read Arabic script, which it returns as low-confidence
Latin garbage; Tesseract uig reads the Uyghur notice at 2.2%. So a page is read by PP-OCR first when
Chinese is asked for; the lines that are not convincingly Han are read again by Tesseract with the
other languages, with the accepted Han lines painted out so Tesseract cannot misread them, and per
region the script-consistent reading is kept. A Uyghur page is never read as Chinese, and a page
mixing both gets both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from exhibit.errors import OcrFailed
from exhibit.ocr.engines import Line, rapidocr_lines, tesseract_langs, tesseract_lines
from exhibit.ocr.textforms import script_counts

HAN_LANGS = frozenset({"chi_sim", "chi_tra", "chi_sim_vert", "chi_tra_vert"})
RAPID_LANGS = frozenset({"chi_sim", "chi_tra", "eng"})  # what the bundled PP-OCRv4 model reads
ARABIC_LANGS = {"uig": "ug", "ara": "ar", "fas": "fa", "urd": "ur", "pus": "ps", "snd": "sd"}
ENGINES = ("auto", "rapidocr", "tesseract")
MIN_CONF = 0.5  # RapidOCR's own default text_score


@dataclass
class Recognition:
    lines: list[Line]
    engines: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)


def parse_langs(spec: str) -> list[str]:
    langs = [p.strip() for p in spec.replace(",", "+").split("+") if p.strip()]
    if not langs:
        raise OcrFailed("no OCR language given; use e.g. --ocr-langs chi_sim+uig+eng")
    return langs


def check_langs(langs: list[str], engine: str) -> None:
    """Fail (the page, not the run) when a language is asked for that no engine here can read."""
    if engine not in ENGINES:
        raise OcrFailed(f"unknown OCR engine {engine!r}; choose one of {', '.join(ENGINES)}")
    have = tesseract_langs()
    if engine == "rapidocr":
        served = set(RAPID_LANGS)
    elif engine == "tesseract":
        served = set(have)
    else:
        served = set(have) | (RAPID_LANGS & HAN_LANGS)
    missing = [lang for lang in langs if lang not in served]
    if missing:
        names = ", ".join(missing)
        raise OcrFailed(f"OCR language pack not installed: {names} (installed Tesseract packs: "
                        f"{', '.join(sorted(have)) or 'none'}). Install tesseract-ocr-{missing[0].replace('_', '-')} "
                        f"or choose --ocr-langs from the installed ones.")


def recognise(image: Image.Image, langs: list[str], engine: str = "auto") -> Recognition:
    """Read one page image with the engines chosen for its languages and scripts."""
    check_langs(langs, engine)
    han = [lang for lang in langs if lang in HAN_LANGS]
    others = [lang for lang in langs if lang not in HAN_LANGS]
    if engine == "tesseract" or (engine == "auto" and not han):
        return Recognition(tesseract_lines(image, langs), ["tesseract"], langs)
    found = rapidocr_lines(image)
    if engine == "rapidocr":
        return Recognition([ln for ln in found if ln.conf >= MIN_CONF and ln.text.strip()], ["rapidocr"], langs)
    accepted = [ln for ln in found if _is_han_line(ln)]
    doubtful = [ln for ln in found if not _is_han_line(ln) and ln.text.strip()]
    if not doubtful or not others:
        kept = accepted + [ln for ln in doubtful if ln.conf >= MIN_CONF]
        return Recognition(_in_order(kept), ["rapidocr"], han)
    second = _reread(image, accepted, doubtful, others)
    kept = accepted + second
    for ln in doubtful:
        if ln.conf >= MIN_CONF and not any(t.overlap(ln) > 0.3 for t in second):
            kept.append(ln)
    engines = ["rapidocr"] + (["tesseract"] if second else [])
    return Recognition(_in_order(kept), engines, han + others)


def _is_han_line(ln: Line) -> bool:
    c = script_counts(ln.text)
    return ln.conf >= MIN_CONF and c["Han"] > 0 and c["Han"] >= c["Arabic"] + c["Latin"] / 3


def _reread(image: Image.Image, accepted: list[Line], doubtful: list[Line], langs: list[str]) -> list[Line]:
    """Tesseract on the region of the doubtful lines, with the accepted Han lines painted out; keep
    the lines whose script is one of the languages asked for."""
    pad = max(8, max(ln.height for ln in doubtful) // 2)
    x0 = max(0, min(ln.x0 for ln in doubtful) - pad)
    y0 = max(0, min(ln.y0 for ln in doubtful) - pad)
    x1 = min(image.width, max(ln.x1 for ln in doubtful) + pad)
    y1 = min(image.height, max(ln.y1 for ln in doubtful) + pad)
    region = image.convert("L").crop((x0, y0, x1, y1))
    paper = _paper(region)
    draw = ImageDraw.Draw(region)
    for ln in accepted:
        draw.rectangle((ln.x0 - x0, ln.y0 - y0, ln.x1 - x0, ln.y1 - y0), fill=paper)
    want_arabic = any(lang in ARABIC_LANGS for lang in langs)
    want_latin = any(lang not in ARABIC_LANGS for lang in langs)
    kept: list[Line] = []
    for ln in tesseract_lines(region, langs, psm=3):
        c = script_counts(ln.text)
        consistent = (want_arabic and c["Arabic"] > 0) or (want_latin and c["Latin"] > 0 and c["Arabic"] == 0)
        if consistent and ln.conf >= 0.3:
            kept.append(Line(ln.x0 + x0, ln.y0 + y0, ln.x1 + x0, ln.y1 + y0, ln.text, ln.conf, ln.engine))
    return kept


def _paper(region: Image.Image) -> int:
    """The background grey: the most common value of the region."""
    hist = region.histogram()
    return max(range(256), key=lambda v: hist[v])


def _in_order(lines: list[Line]) -> list[Line]:
    return sorted(lines, key=lambda ln: (ln.y0 + ln.y1, ln.x0))


def rows(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into visual rows (top to bottom), each row in reading order: right to left
    when it is mostly Arabic script."""
    out: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: (ln.y0 + ln.y1) / 2):
        mid = (ln.y0 + ln.y1) / 2
        if out:
            last = out[-1]
            top = min(r.y0 for r in last)
            bottom = max(r.y1 for r in last)
            if top <= mid <= bottom and min(ln.y1, bottom) - max(ln.y0, top) >= 0.5 * min(ln.height, bottom - top):
                last.append(ln)
                continue
        out.append([ln])
    for row in out:
        c = script_counts("".join(r.text for r in row))
        row.sort(key=lambda r: -r.x1 if c["Arabic"] > c["Han"] + c["Latin"] else r.x0)
    return out
