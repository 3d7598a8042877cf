"""OCR of page images: Chinese with PP-OCR (RapidOCR), Uyghur and other languages with Tesseract.

`ocr_image(image, langs, cache, scratch)` reads one image (a PIL image or a file) and returns an
`OcrResult`; format ingestors make their pages from it. Engines are loaded lazily, once per process,
one thread each; results are cached by image hash in the `cache` SQLite file. An image that cannot be
read comes back with meta status/reason set and empty text, so that the rest of a file is still read.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exhibit.errors import OcrFailed
from exhibit.text.script import Script

if TYPE_CHECKING:
    from PIL import Image

# Part of the cache key: bump when a change to engines, preprocessing or post-processing changes output.
# 2: meta "scripts" holds ISO 15924 codes (Hani, Arab, Latn) instead of Han, Arabic, Latin.
# 3: pages turned upright and deskewed, lines in reading order (columns, tables); meta rotation, skew.
# 4: photographed pages rectified; Uyghur lines chosen word by word with the uig dictionary.
# 5: the text detector reads a copy at most 1280 pixels long (engines.DET_SIDE), unless that reads doubtfully;
#    a line the direction classifier turned and then read as nothing is read again as it lies.
PIPELINE_VERSION = "5"


@dataclass(frozen=True)
class OcrResult:
    """What OCR read on one image: its text (lines top to bottom), main language and meta (engine,
    langs, confidence, boxes in image pixels, scripts, uly, simplified; status and reason when it failed)."""

    text: str
    lang: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str | None:
        """None when the image was read; otherwise why not ("failed", "expansion_limit", ...)."""
        status = self.meta.get("status")
        return str(status) if status else None


def ocr_image(image: Image.Image | Path, langs: str, cache: Path | None, scratch: Path, *,
              engine: str = "auto", force: bool = False, presence: bool = False) -> OcrResult:
    """OCR one image in `langs` (Tesseract style, "chi_sim+uig+eng"). `cache` is the OCR cache file
    (None: no cache); `force` skips reading it. Temporary files go to the `scratch` folder (made if missing).
    `presence`: first ask the text-presence pass (ocr.presence) and, when it finds no text, return empty
    text with its decision in meta "text_presence" (and "skipped") instead of reading; `force` overrides it."""
    from exhibit.ocr import cache as ocr_cache
    from exhibit.ocr.recognise import check_langs, parse_langs

    try:
        lang_list = parse_langs(langs)
        check_langs(lang_list, engine)
        if isinstance(image, Path):
            image = _open(image)
        pixels = ocr_cache.image_hash(image)
        key = ocr_cache.cache_key(pixels, lang_list, engine, PIPELINE_VERSION)
        hit = None if force else ocr_cache.get(cache, key)
        if hit is not None:
            return OcrResult(hit["text"], hit.get("lang"), hit["meta"])
        if presence and not force:
            from exhibit.ocr.presence import Decision, text_presence

            found = text_presence(image)
            if found.decision is Decision.NO_TEXT:
                return OcrResult("", None, {"text_presence": found.as_meta(), "image_sha256": pixels,
                                            "skipped": "no text found by the text-presence pass"})
        with _temp_files_in(scratch):
            text, lang, meta = _read(image, lang_list, engine)
        meta["image_sha256"] = pixels
        ocr_cache.put(cache, key, pixels, lang_list, engine, PIPELINE_VERSION,
                      {"text": text, "lang": lang, "meta": meta})
        return OcrResult(text, lang, meta)
    except OcrFailed as e:
        return failed_result(str(e), status=e.status, engine=engine, langs=langs)


def failed_result(reason: str, status: str = "failed", **meta: Any) -> OcrResult:
    """An image that could not be OCR'd: empty text, and why (meta status and reason)."""
    return OcrResult("", None, {"status": status, "reason": reason, **meta})


def _open(path: Path) -> Image.Image:
    from PIL import Image

    try:
        with Image.open(path) as im:
            im.load()
            return im.copy()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        raise OcrFailed(f"{path.name}: not a readable image ({e})") from e


@contextmanager
def _temp_files_in(scratch: Path) -> Iterator[None]:
    """Tesseract's input and output files (pytesseract's NamedTemporaryFile) in the scratch folder, not
    the system's, and TMPDIR too for the tesseract process and the engines' C code. Both are process-wide;
    OCR runs one image at a time per process."""
    scratch.mkdir(parents=True, exist_ok=True)
    before = tempfile.tempdir
    before_env = os.environ.get("TMPDIR")
    tempfile.tempdir = str(scratch)
    os.environ["TMPDIR"] = str(scratch)
    try:
        yield
    finally:
        tempfile.tempdir = before
        if before_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = before_env


def _read(image: Image.Image, langs: list[str], engine: str, opts: Any = None, *,
          layout: bool = True) -> tuple[str, str | None, dict[str, Any]]:
    """`layout` False reads the page as it lies, rows top to bottom (the pipeline before issue 15,
    kept as bench/ocr_speed.py's baseline)."""
    from exhibit.ocr import engines
    from exhibit.ocr import layout as page_layout
    from exhibit.ocr.preprocess import prepare
    from exhibit.ocr.recognise import ARABIC_LANGS, DEFAULT_OPTIONS
    from exhibit.ocr.textforms import normalize_uyghur
    from exhibit.text.chinese import to_simplified
    from exhibit.text.script import script_counts, script_of
    from exhibit.text.uyghur import to_uly

    opts = opts or DEFAULT_OPTIONS
    prepared, scale = prepare(image, opts.page_denoise, opts.page_min_side)
    # A photographed page is first cut out of the photograph and its keystone undone; boxes go back
    # through the same projection.
    photo = page_layout.rectify(prepared) if layout else None
    flat = photo.image if photo else prepared
    frame = page_layout.measure(flat) if layout else page_layout.Frame()
    page, rec = _recognise_upright(flat, frame, langs, engine, opts, layout)
    if not opts.full_detection and engines.DET_SIDE is not None \
            and _han_confidence(rec.lines) < engines.FULL_DETECTION_BELOW:
        page, rec = _recognise_upright(flat, frame, langs, engine, replace(opts, full_detection=True), layout)
    if photo is not None and photo.back is not None:
        page = replace(page, photo=photo.back, size=photo.size)
    ordered = page_layout.reading_order(rec.lines, page_layout.ruled_rows(page.image)) if layout \
        else page_layout.rows(rec.lines)
    boxes: list[list[Any]] = []
    row_texts: list[str] = []
    weight = 0.0
    total = 0.0
    for row in ordered:
        parts: list[str] = []
        for ln in row:
            text = ln.text.translate(_BIDI_MARKS).strip()
            if script_counts(text)[Script.ARAB]:
                text = normalize_uyghur(text)
            if not text:
                continue
            x0, y0, x1, y1 = page.to_stored((ln.x0, ln.y0, ln.x1, ln.y1))
            boxes.append([round(x0 / scale), round(y0 / scale), round(x1 / scale), round(y1 / scale),
                          text, round(ln.conf, 4)])
            parts.append(text)
            n = len("".join(text.split()))
            weight += n
            total += ln.conf * n
        joined = ""
        for part in parts:
            if joined and not (script_of(joined[-1]) == Script.HANI or script_of(part[0]) == Script.HANI
                               or _cjk_punct(joined[-1]) or _cjk_punct(part[0])):
                joined += " "
            joined += part
        if joined:
            row_texts.append(joined)
    text = "\n".join(row_texts)
    counts = script_counts(text)
    meta: dict[str, Any] = {
        "engine": "+".join(rec.engines), "langs": rec.langs,
        "confidence": round(total / weight, 4) if weight else 0.0,
        "boxes": boxes, "width": image.width, "height": image.height,
        "scripts": sorted(str(sc) for sc in counts),
        # How the page lay in the image: turned (degrees counter-clockwise) and tilted; boxes are in the
        # stored image's pixels all the same.
        "rotation": page.frame.rotation, "skew": page.frame.skew,
    }
    arabic_lang = next((ARABIC_LANGS[x] for x in langs if x in ARABIC_LANGS), "ug")
    if counts[Script.ARAB]:
        meta["uly"] = to_uly(text)
    if counts[Script.HANI]:
        simplified = to_simplified(text)
        if simplified != text:
            meta["simplified"] = simplified
    best = max((counts[Script.HANI] * 2, "zh"), (counts[Script.ARAB], arabic_lang), (counts[Script.LATN], "en"))
    lang = best[1] if best[0] > 0 else None
    return text, lang, meta


# Below this mean confidence a page Tesseract alone read may be upside down (clean upright pages read
# at about 0.9, upside-down ones at 0.3-0.5, but so do faxes): then Tesseract's orientation detection
# (OSD, osd.traineddata) decides, which in tests/ocr tells up from down on faxes where confidence cannot.
UPSIDE_DOWN_CONF = 0.8


def _recognise_upright(image: Image.Image, frame: Any, langs: list[str], engine: str, opts: Any,
                       layout: bool) -> tuple[Any, Any]:
    """The page turned upright by `frame` and read; read again a half turn further when the engines say
    it is upside down (the frame's measurement cannot tell up from down): PP-OCR's direction classifier
    for the lines it read, Tesseract's OSD for a page only Tesseract read."""
    from exhibit.ocr import layout as page_layout
    from exhibit.ocr.engines import tesseract_upside_down
    from exhibit.ocr.recognise import recognise
    from exhibit.text.script import script_counts

    page = page_layout.upright(image, frame)
    rec = recognise(page.image, langs, engine, opts)
    if not layout:
        return page, rec
    # PP-OCR's classifier is trusted on the Han lines it read; its Latin readings of Arabic script are junk.
    rapid = [ln for ln in rec.lines if ln.engine == "rapidocr" and script_counts(ln.text)[Script.HANI] >= 2]
    if rapid:
        weight = sum(len(ln.text) for ln in rapid) or 1
        doubt = sum(len(ln.text) for ln in rapid if ln.upside_down) / weight > 0.5
    else:
        doubt = bool(rec.lines) and _confidence(rec.lines) < UPSIDE_DOWN_CONF and tesseract_upside_down(page.image)
    if not doubt:
        return page, rec
    other = page_layout.upright(image, frame.flipped())
    again = recognise(other.image, langs, engine, opts)
    if rapid or _confidence(again.lines) >= _confidence(rec.lines) - 0.05:
        return other, again
    return page, rec  # OSD was wrong: the half turn reads worse


def _han_confidence(lines: list[Any]) -> float:
    """PP-OCR's confidence over the Chinese lines it read (1.0 for none: Arabic script is Tesseract's)."""
    from exhibit.text.script import script_counts

    han = [ln for ln in lines if ln.engine == "rapidocr" and script_counts(ln.text)[Script.HANI] >= 2]
    return _confidence(han) if han else 1.0


def _confidence(lines: list[Any]) -> float:
    n = sum(len(ln.text) for ln in lines)
    return sum(ln.conf * len(ln.text) for ln in lines) / n if n else 0.0


# Direction marks Tesseract puts around mixed-direction lines; they are invisible and break search.
_BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"),
                            None)


def _cjk_punct(ch: str) -> bool:
    o = ord(ch)
    return 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF
