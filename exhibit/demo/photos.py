"""Invented photographs: photo-like scenes without text, and the same scenes with text drawn on them."""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from exhibit.demo.files import ARABIC_FONTS, CJK_FONT

# What is written on the photographs with text: signs, banners and captions of the kind the Xinjiang
# Police Files' photographs carry, in the cache's three scripts.
CAPTIONS = ("关于进一步加强管理的通知", "学员花名册 2018", "教育转化培训中心", "Tursun Mamat 2018",
            "Vocational Skills Education", "قاغىلىق ناھىيەسى", "ئۇقتۇرۇش 2018")


def scene(seed: int, width: int = 1024, height: int = 768) -> Image.Image:
    """A photo-like picture with no text: smooth colour gradients, a few shapes, sensor noise, blur."""
    rnd = random.Random(seed)
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.zeros((height, width, 3), np.float32)
    for c in range(3):
        a, b, k = (rnd.uniform(-1, 1) for _ in range(3))
        base[..., c] = 128 + 60 * np.sin(x / width * a * 6 + y / height * b * 6 + k * 3)
    noise = rng.normal(0, rnd.uniform(4, 16), base.shape)
    im = Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(im)
    for _ in range(rnd.randint(2, 12)):
        x0, y0 = rnd.randrange(width), rnd.randrange(height)
        box = (x0, y0, x0 + rnd.randint(30, width // 2), y0 + rnd.randint(30, height // 2))
        colour = tuple(rnd.randrange(256) for _ in range(3))
        shape = rnd.randrange(3)
        if shape == 0:
            draw.chord(box, rnd.randint(0, 180), rnd.randint(180, 360), fill=colour)
        elif shape == 1:
            draw.ellipse(box, fill=colour)
        else:
            draw.rectangle(box, fill=colour)
    return im.filter(ImageFilter.GaussianBlur(rnd.uniform(0.6, 3.0)))


def captioned(seed: int, size: int, width: int = 1024, height: int = 768, text: str | None = None) -> Image.Image:
    """The scene of `seed` with one line of text `size` pixels high drawn on it (on a plain band, as
    on a sign, or straight on the picture)."""
    rnd = random.Random(seed + 10_000)
    im = scene(seed, width, height)
    caption = text or rnd.choice(CAPTIONS)
    arabic = any("\u0600" <= ch <= "\u06ff" for ch in caption)
    path = next((p for p in ARABIC_FONTS if p.exists()), ARABIC_FONTS[0]) if arabic else CJK_FONT
    font = ImageFont.truetype(str(path), size)
    draw = ImageDraw.Draw(im)
    direction, language = ("rtl", "ug") if arabic else (None, None)  # shaped right to left (libraqm)
    left, top, right, bottom = (round(v) for v in draw.textbbox((0, 0), caption, font=font, direction=direction,
                                                                 language=language))
    x = rnd.randint(0, max(0, width - (right - left) - 1))
    y = rnd.randint(0, max(0, height - (bottom - top) - 1))
    dark = rnd.random() < 0.5
    if rnd.random() < 0.5:
        pad = size // 3
        draw.rectangle((x - pad, y - pad, x + right - left + pad, y + bottom - top + pad),
                       fill=(240, 240, 235) if dark else (150, 20, 20))
    draw.text((x - left, y - top), caption, font=font, fill=(10, 10, 10) if dark else (250, 250, 250),
              direction=direction, language=language)
    return im
