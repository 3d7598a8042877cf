"""OCR of page images: Chinese with PP-OCR (RapidOCR), Uyghur and other languages with Tesseract.

`ocr_image(image, number, ctx)` is what format ingestors call for an image or a PDF page without a
text layer. Engines are loaded lazily, once per process, one thread each; results are cached by
image hash in `ctx.ocr_cache`. A page that cannot be read comes back with meta status/reason set
and empty text, so that the rest of the file is still processed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

    from exhibit.ingest.formats import IngestContext
    from exhibit.ingest.types import Page

# Part of the cache key: bump when a change to engines, preprocessing or post-processing changes output.
PIPELINE_VERSION = "1"


def ocr_image(image: Image.Image, number: int, ctx: IngestContext, *, engine: str = "auto",
              langs: str | None = None, force: bool = False) -> Page:
    """One OCR'd page (source "ocr"). `langs` overrides ctx.ocr_langs; `force` skips the cache read."""
    from exhibit.errors import OcrFailed
    from exhibit.ingest.types import Page
    from exhibit.ocr import cache
    from exhibit.ocr.recognise import check_langs, parse_langs

    spec = langs or ctx.ocr_langs
    try:
        lang_list = parse_langs(spec)
        check_langs(lang_list, engine)
        pixels = cache.image_hash(image)
        key = cache.cache_key(pixels, lang_list, engine, PIPELINE_VERSION)
        hit = None if force else cache.get(ctx.ocr_cache, key)
        if hit is not None:
            return Page(number, hit["text"], "ocr", hit.get("lang"), hit["meta"])
        text, lang, meta = _read(image, lang_list, engine)
        meta["image_sha256"] = pixels
        cache.put(ctx.ocr_cache, key, pixels, lang_list, engine, PIPELINE_VERSION,
                  {"text": text, "lang": lang, "meta": meta})
        return Page(number, text, "ocr", lang, meta)
    except OcrFailed as e:
        return failed_page(number, str(e), status=e.status, engine=engine, langs=spec)


def failed_page(number: int, reason: str, status: str = "failed", **meta: Any) -> Page:
    """A page that could not be OCR'd: empty text, and why (meta status and reason)."""
    from exhibit.ingest.types import Page

    return Page(number, "", "ocr", None, {"status": status, "reason": reason, **meta})


def _read(image: Image.Image, langs: list[str], engine: str,
          opts: Any = None) -> tuple[str, str | None, dict[str, Any]]:
    from exhibit.ocr.preprocess import prepare
    from exhibit.ocr.recognise import ARABIC_LANGS, DEFAULT_OPTIONS, recognise, rows
    from exhibit.ocr.textforms import normalize_uyghur, script_counts, script_of, to_simplified, to_uly

    opts = opts or DEFAULT_OPTIONS
    prepared, scale = prepare(image, opts.page_denoise, opts.page_min_side)
    rec = recognise(prepared, langs, engine, opts)
    boxes: list[list[Any]] = []
    row_texts: list[str] = []
    weight = 0.0
    total = 0.0
    for row in rows(rec.lines):
        parts: list[str] = []
        for ln in row:
            text = ln.text.translate(_BIDI_MARKS).strip()
            if script_counts(text)["Arabic"]:
                text = normalize_uyghur(text)
            if not text:
                continue
            boxes.append([round(ln.x0 / scale), round(ln.y0 / scale), round(ln.x1 / scale), round(ln.y1 / scale),
                          text, round(ln.conf, 4)])
            parts.append(text)
            n = len("".join(text.split()))
            weight += n
            total += ln.conf * n
        joined = ""
        for part in parts:
            if joined and not (script_of(joined[-1]) == "Han" or script_of(part[0]) == "Han"
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
        "scripts": sorted(counts),
    }
    arabic_lang = next((ARABIC_LANGS[x] for x in langs if x in ARABIC_LANGS), "ug")
    if counts["Arabic"]:
        meta["uly"] = to_uly(text)
    if counts["Han"]:
        simplified = to_simplified(text)
        if simplified != text:
            meta["simplified"] = simplified
    lang = None
    if counts:
        best = max((counts["Han"] * 2, "zh"), (counts["Arabic"], arabic_lang), (counts["Latin"], "en"))
        lang = best[1]
    return text, lang, meta


# Direction marks Tesseract puts around mixed-direction lines; they are invisible and break search.
_BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"),
                            None)


def _cjk_punct(ch: str) -> bool:
    o = ord(ch)
    return 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF
