"""Preparing a page image for the engines: only the steps that measurably lower the error rate.

Measured in bench/ocr_preprocess.py (figures in docs/ocr.md); a step that did not help is not here.
"""

from __future__ import annotations

from PIL import Image


def prepare(image: Image.Image, denoise: bool = False, min_side: int = 0) -> tuple[Image.Image, float]:
    """The image the engines read, and its scale relative to the given one (boxes are divided by it)."""
    from PIL import ImageFilter

    img = _to_grey_or_rgb(image)
    scale = 1.0
    if min_side and min(img.size) < min_side:
        scale = min_side / min(img.size)
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)
    if denoise:
        img = img.filter(ImageFilter.MedianFilter(3))
    return img, scale


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
