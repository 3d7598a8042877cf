"""Test pages the OCR tests make themselves: rendered Chinese/Uyghur/English text and degraded copies
(rotation, blur, noise, JPEG artefacts, low resolution), so accuracy is not tuned to the sample scans."""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
ARABIC_FONT = Path("/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf")
LATIN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

CHINESE = ["关于进一步加强重点人员管控工作的通知",
           "各乡镇派出所要在三日内完成人员信息核对，",
           "发现异常情况及时上报县局指挥中心。",
           "本期共核查人员二百一十六名，其中外出务工四十二名。"]
UYGHUR = ["بىز ئۇنىڭ قەيەردە ئىكەنلىكىنى بىلمەيمىز",
          "ئۇ يېزىدىكى مەكتەپتە ئوقۇتقۇچى ئىدى",
          "ئائىلىسىدىكىلەر ئۇنى ئىزدەۋاتىدۇ"]
ENGLISH = ["The detention notice was issued in March 2018.",
           "Relatives abroad have not heard from him since."]


def font_for(text: str, size: int) -> ImageFont.FreeTypeFont:
    if any("\u0600" <= ch <= "\u06ff" for ch in text):
        return ImageFont.truetype(str(ARABIC_FONT), size)
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return ImageFont.truetype(str(CJK_FONT), size)
    return ImageFont.truetype(str(LATIN_FONT), size)


def render(lines: list[str], size: int = 36, width: int = 1240, height: int = 1754, margin: int = 100,
           gap: float = 1.9) -> Image.Image:
    """An A4-at-150-dpi page with one line of text per entry; Arabic-script lines right-aligned, shaped."""
    img = Image.new("L", (width, height), 250)
    draw = ImageDraw.Draw(img)
    y = margin
    for line in lines:
        font = font_for(line, size)
        rtl = any("\u0600" <= ch <= "\u06ff" for ch in line)
        kw = {"direction": "rtl", "language": "ug"} if rtl else {}
        x0, _, x1, _ = draw.textbbox((0, 0), line, font=font, **kw)
        x = width - margin - (x1 - x0) if rtl else margin
        draw.text((x, y), line, font=font, fill=20, **kw)
        y += int(size * gap)
    return img


def rotate(img: Image.Image, degrees: float) -> Image.Image:
    return img.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=250)


def blur(img: Image.Image, radius: float = 1.2) -> Image.Image:
    return img.filter(ImageFilter.GaussianBlur(radius))


def noise(img: Image.Image, amount: float = 0.04, seed: int = 7) -> Image.Image:
    """Salt-and-pepper noise on `amount` of the pixels (fax and photocopy speckle)."""
    rng = random.Random(seed)
    out = img.convert("L").copy()
    px = out.load()
    assert px is not None
    w, h = out.size
    for _ in range(int(w * h * amount)):
        px[rng.randrange(w), rng.randrange(h)] = 0 if rng.random() < 0.5 else 255
    return out


def jpeg(img: Image.Image, quality: int = 15) -> Image.Image:
    buf = io.BytesIO()
    img.convert("L").save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).copy()


def lowres(img: Image.Image, factor: float = 0.5) -> Image.Image:
    w, h = img.size
    return img.resize((max(1, int(w * factor)), max(1, int(h * factor))), Image.Resampling.BILINEAR)


DEGRADATIONS = {
    "rotate3": lambda im: rotate(im, 3.0),
    "blur": blur,
    "noise": noise,
    "jpeg15": jpeg,
    "lowres50": lowres,
    "fax": lambda im: jpeg(noise(lowres(rotate(im, 1.5), 0.55), 0.02), 25),
}
