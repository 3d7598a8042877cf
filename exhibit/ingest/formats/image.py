"""Images (PNG, JPEG, TIFF incl. multi-page, GIF, BMP, WebP): metadata, EXIF, and one OCR'd page per frame.

Pillow's pixel limit is honoured, never disabled: a JPEG above it is decoded at a reduced scale by
the JPEG decoder itself (Image.draft, 1/2 to 1/8) so that it never exists in memory at full size;
any other format above it is recorded as a failed page with the reason, and the rest of the file
is still processed.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from PIL import Image, UnidentifiedImageError

from exhibit.errors import CorruptFile, LimitExceeded
from exhibit.ingest.formats import IngestContext
from exhibit.ingest.types import Extraction, Page, PageSource

MAX_FRAMES = 5000  # frames of one TIFF OCR'd; beyond this the file is recorded as expansion_limit
_GPS_IFD = 0x8825
_EXIF_IFD = 0x8769
_TEXT_TAGS = {271: "Make", 272: "Model", 305: "Software", 306: "DateTime", 315: "Artist", 270: "ImageDescription",
              33432: "Copyright"}
_EXIF_TAGS = {36867: "DateTimeOriginal", 36868: "DateTimeDigitized", 42036: "LensModel", 42033: "BodySerialNumber"}
_DOCUMENT_FORMATS = ("TIFF", "MPO")  # formats whose frames are pages; GIF/WebP frames are animation


class ImageIngestor:
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = ("image/png", "image/jpeg", "image/tiff", "image/gif", "image/bmp",
                                              "image/webp", "image/x-ms-bmp")
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".png", ".jpg", ".jpeg", ".jpe", ".tif", ".tiff", ".gif", ".bmp",
                                             ".webp")
    SCORE: ClassVar[int] = 10

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction:
        limit = ctx.limits.image_pixels
        try:
            im = _open(path, limit)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
            raise CorruptFile(f"{path.name}: not a readable image ({e})") from e
        with im:
            media_type = Image.MIME.get(im.format or "", "application/octet-stream")
            meta = _metadata(im)
            pages: list[Page] = []
            frames = getattr(im, "n_frames", 1)
            if ctx.ocr:
                pages = list(_ocr_frames(im, ctx, limit))
        ext = Extraction(media_type=media_type, pages=pages, metadata={**meta, "frames": frames})
        failed = [p for p in pages if p.meta.get("status")]
        if failed:
            ext.status = failed[0].meta["status"]
            ext.reason = "; ".join(f"page {p.number}: {p.meta.get('reason')}" for p in failed[:5])
            if len(failed) > 5:
                ext.reason += f"; and {len(failed) - 5} more pages"
        return ext


def _open(path: Path, limit: int) -> Image.Image:
    """Open without decoding. A file whose dimensions exceed Pillow's bomb threshold (2x the limit)
    makes Image.open raise; a JPEG is then opened by its plugin directly so that it can still be read
    at a reduced scale (the limit is then checked by us before anything is decoded)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            return Image.open(path)
        except Image.DecompressionBombError:
            from PIL import JpegImagePlugin

            with open(path, "rb") as f:
                head = f.read(3)
            if head == b"\xff\xd8\xff":
                return JpegImagePlugin.JpegImageFile(str(path))
            raise LimitExceeded(f"{path.name}: image is larger than the pixel limit of {limit:,} "
                                "and cannot be downscaled without decoding it whole") from None


def ocr_pages(path: Path, ctx: IngestContext, *, engine: str = "auto", langs: str | None = None,
              force: bool = False) -> list[Page]:
    """One OCR'd page per frame of an image file (what `exhibit ocr` re-runs)."""
    try:
        im = _open(path, ctx.limits.image_pixels)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise CorruptFile(f"{path.name}: not a readable image ({e})") from e
    with im:
        return list(_ocr_frames(im, ctx, ctx.limits.image_pixels, engine=engine, langs=langs, force=force))


def _ocr_frames(im: Image.Image, ctx: IngestContext, limit: int, *, engine: str = "auto",
                langs: str | None = None, force: bool = False) -> Iterator[Page]:
    from exhibit.ocr import ocr_image

    frames = getattr(im, "n_frames", 1) if im.format in _DOCUMENT_FORMATS else 1
    for number in range(1, min(frames, MAX_FRAMES) + 1):
        try:
            im.seek(number - 1)
            pixels = _within_limit(im, limit)
        except LimitExceeded as e:
            yield _failed_page(number, str(e), status=e.status)
            continue
        except (OSError, EOFError, SyntaxError, ValueError) as e:
            yield _failed_page(number, f"frame could not be decoded: {e}", status="corrupt")
            continue
        # Photographs without text are not read (metadata only, the pass's decision on the page);
        # `exhibit ocr --force` reads them all the same.
        r = ocr_image(pixels, langs or ctx.ocr_langs, ctx.ocr_cache, ctx.workdir, engine=engine, force=force,
                      presence=ctx.ocr_presence)
        yield Page(number, r.text, PageSource.OCR, r.lang, r.meta)
    if frames > MAX_FRAMES:
        yield _failed_page(MAX_FRAMES + 1, f"{frames} frames; only the first {MAX_FRAMES} are read",
                           status="expansion_limit")


def _failed_page(number: int, reason: str, status: str) -> Page:
    """A frame that was not OCR'd: empty text, and why (meta status and reason, as OCR's own failures)."""
    return Page(number, "", PageSource.OCR, None, {"status": status, "reason": reason})


def _within_limit(frame: Image.Image, limit: int) -> Image.Image:
    """The frame decoded, downscaled by the JPEG decoder if it is above the pixel limit."""
    w, h = frame.size
    if w * h <= limit:
        frame.load()
        return frame.copy()
    if frame.format == "JPEG":
        # The JPEG decoder can scale by 1/2, 1/4 or 1/8 as it decodes; draft() picks the smallest
        # scale whose result is at least the size asked for, so ask for exactly the reduced size.
        for k in (2, 4, 8):
            if math.ceil(w / k) * math.ceil(h / k) <= limit:
                frame.draft(frame.mode if frame.mode in ("L", "RGB") else "RGB", (math.ceil(w / k), math.ceil(h / k)))
                break
        if frame.size[0] * frame.size[1] <= limit:
            frame.load()
            return frame.copy()
    raise LimitExceeded(f"{w}x{h} = {w * h:,} pixels is above the pixel limit of {limit:,}; "
                        "not decoded (only JPEG can be downscaled while decoding)")


def _metadata(im: Image.Image) -> dict[str, Any]:
    meta: dict[str, Any] = {"width": im.width, "height": im.height, "format": im.format, "mode": im.mode}
    dpi = im.info.get("dpi")
    if isinstance(dpi, tuple) and len(dpi) == 2:
        meta["dpi"] = [round(float(dpi[0]), 2), round(float(dpi[1]), 2)]
    try:
        exif = im.getexif()
    except (OSError, SyntaxError, ValueError, KeyError, TypeError):
        return meta  # a damaged EXIF block does not make the picture unreadable
    raw: dict[str, str] = {}
    for tag, name in _TEXT_TAGS.items():
        if tag in exif and _text(exif[tag]):
            raw[name] = _text(exif[tag])
    try:
        sub = exif.get_ifd(_EXIF_IFD)
    except (OSError, SyntaxError, ValueError, KeyError, TypeError):
        sub = {}
    for tag, name in _EXIF_TAGS.items():
        if tag in sub and _text(sub[tag]):
            raw[name] = _text(sub[tag])
    if raw:
        meta["exif"] = raw
    if "Make" in raw:
        meta["camera_make"] = raw["Make"]
    if "Model" in raw:
        meta["camera_model"] = raw["Model"]
    for key in ("DateTimeOriginal", "DateTime"):
        iso = _iso(raw.get(key))
        if iso:
            meta["datetime"] = iso
            break
    gps = _gps(exif)
    if gps:
        meta["gps"] = gps
    return meta


def _text(v: Any) -> str:
    if isinstance(v, bytes):
        v = v.decode("utf-8", "replace")
    return str(v).replace("\x00", "").strip()


def _iso(v: str | None) -> str | None:
    """EXIF "2018:03:14 10:22:31" as ISO 8601 "2018-03-14T10:22:31" (local time: EXIF has no zone)."""
    if not v:
        return None
    try:
        return datetime.strptime(v[:19], "%Y:%m:%d %H:%M:%S").isoformat()
    except ValueError:
        return None


def _gps(exif: Image.Exif) -> dict[str, float] | None:
    try:
        g = exif.get_ifd(_GPS_IFD)
    except (OSError, SyntaxError, ValueError, KeyError, TypeError):
        return None
    try:
        lat = _degrees(g[2], g.get(1, "N"))
        lon = _degrees(g[4], g.get(3, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    out = {"lat": round(lat, 7), "lon": round(lon, 7)}
    if 6 in g:
        try:
            out["alt"] = round(float(g[6]) * (-1 if g.get(5) in (1, b"\x01") else 1), 2)
        except (TypeError, ValueError, ZeroDivisionError):
            pass
    return out


def _degrees(dms: Any, ref: Any) -> float:
    d, m, s = (float(x) for x in dms)
    value = d + m / 60 + s / 3600
    ref = _text(ref).upper()
    return -value if ref in ("S", "W") else value
