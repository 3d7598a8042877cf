"""Preparing a page image for the engines: only the steps that measurably lower the error rate.

Measured in bench/ocr_preprocess.py (figures in docs/ocr.md); a step that did not help is not here.
"""

from __future__ import annotations

from PIL import Image

SPECKLE = 1.0  # isolated dark pixels per 1000 above which a page is speckled (clean scans: < 0.1)


def prepare(image: Image.Image, denoise: bool | None = None, min_side: int = 0) -> tuple[Image.Image, float]:
    """The image the engines read, and its scale relative to the given one (boxes are divided by it).
    `denoise` None: a 3x3 median filter only when the page is speckled (measured: it removes fax and
    photocopy speckle, but on clean pages it erodes thin strokes and Arabic dots)."""
    from PIL import ImageFilter

    img = _to_grey_or_rgb(image)
    if denoise is None:
        denoise = speckle(img) >= SPECKLE
    scale = 1.0
    if min_side and min(img.size) < min_side:
        scale = min_side / min(img.size)
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)
    if denoise:
        img = img.filter(ImageFilter.MedianFilter(3))
    return img, scale


def speckle(image: Image.Image) -> float:
    """Isolated dark pixels (no dark neighbour among the 8 around) per 1000 pixels: salt-and-pepper
    noise of faxes and photocopies. Text strokes, even thin ones, always have dark neighbours."""
    import numpy as np

    a = np.asarray(image.convert("L"), dtype=np.int16)
    if a.size == 0:
        return 0.0
    dark = a < int(np.median(a)) - 80
    p = np.pad(dark, 1).astype(np.uint8)
    neighbours = sum(p[1 + dy:p.shape[0] - 1 + dy, 1 + dx:p.shape[1] - 1 + dx]
                     for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx)
    return float((dark & (neighbours == 0)).sum()) * 1000.0 / a.size


def _to_grey_or_rgb(image: Image.Image) -> Image.Image:
    """Engines read 8-bit L or RGB; transparency is flattened onto white (scans saved as RGBA/LA/P)."""
    if image.mode in ("L", "RGB"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if image.mode in ("1", "I;16", "I;16B", "I;16L", "I", "F"):
        if image.mode in ("I", "F", "I;16", "I;16B", "I;16L"):
            import numpy as np

            a = np.asarray(image, dtype="float64")
            lo, hi = float(a.min()), float(a.max())
            a = (a - lo) * (255.0 / (hi - lo)) if hi > lo else a * 0
            return Image.fromarray(a.astype("uint8"), "L")
        return image.convert("L")
    return image.convert("RGB")
