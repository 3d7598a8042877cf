"""The degraded-scan grid (issue 15): pages of generated text in a plain, two-column or table layout, turned,
tilted and degraded, each with its truth (lines in reading order, and each line's box in the scan).

Text is drawn from invented word lists, never from the sample cache. The full grid is skew × rotation ×
layout × degradation; `pairwise` picks a covering set of cases so that every pair of values is tried once.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ocr_degrade import blur, font_for, jpeg, lowres, noise, render, rotate
from PIL import Image, ImageDraw, ImageFont

# Invented wording: administrative Chinese words and Uyghur words, shuffled into lines.
HAN_WORDS = ["关于", "落实", "人员", "情况", "核查", "村委会", "派出所", "工作组", "本周", "登记", "上报", "名单",
             "家庭", "走访", "教育", "学习", "县局", "乡镇", "通知", "要求", "及时", "完成", "统计", "档案"]
UYGHUR_WORDS = ["كەنت", "ئائىلە", "مەكتەپ", "خىزمەت", "يىغىن", "ھۆججەت", "تىزىملىك", "دوكلات", "ئوقۇغۇچى",
                "دېھقان", "بازار", "يول", "ئۆي", "بالا", "ئانا", "ئاتا", "ئىش", "كۈن", "يىل", "ۋاقىت"]
SKEWS = (-8.0, 0.0, 4.0, 10.0)
ROTATIONS = (0, 90, 180, 270)
LAYOUTS = ("plain", "columns", "table")
DEGRADATIONS = ("clean", "blur", "noise", "jpeg", "fax")
PAPER = 250


@dataclass(frozen=True)
class Case:
    skew: float
    rotation: int
    layout: str
    degradation: str
    script: str = "han"   # "han" or "arab"
    seed: int = 0
    keystone: float = 0.0  # a photograph taken at an angle: the far edge this share shorter than the near one

    @property
    def name(self) -> str:
        photo = f"-keystone{self.keystone:g}" if self.keystone else ""
        return f"{self.script}-{self.layout}-rot{self.rotation}-skew{self.skew:g}{photo}-{self.degradation}"


@dataclass(frozen=True)
class Scan:
    image: Image.Image
    lines: list[str]                               # the truth, in reading order
    boxes: list[tuple[float, float, float, float]]  # each line's box in the scan's pixels
    chars: list[list[tuple[float, float, float, float]]]  # each line's characters' boxes in the scan's pixels

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def word_box(self, line: int, word: str) -> tuple[float, float, float, float]:
        """Where `word` (first found in truth line `line`) lies in the scan: its characters' boxes joined."""
        start = self.lines[line].index(word)
        parts = self.chars[line][start:start + len(word)]
        return (min(b[0] for b in parts), min(b[1] for b in parts), max(b[2] for b in parts), max(b[3] for b in parts))


KEYSTONES = (0.04, 0.08)


def photographs() -> list[Case]:
    """Pages photographed at an angle: each layout, both scripts, upright and turned, two keystones."""
    out = []
    for k, (layout, script, rotation, degradation) in enumerate(
            [("plain", "han", 0, "clean"), ("columns", "han", 0, "jpeg"), ("table", "han", 0, "clean"),
             ("plain", "arab", 0, "blur"), ("columns", "han", 90, "clean"), ("plain", "han", 180, "noise")]):
        out.append(Case(0.0, rotation, layout, degradation, script, 100 + k, KEYSTONES[k % 2]))
    return out


def pairwise(seed: int = 15) -> list[Case]:
    """A greedy covering set: every (skew, rotation), (skew, layout), ... pair appears in some case."""
    factors = [SKEWS, ROTATIONS, LAYOUTS, DEGRADATIONS]
    todo = {(i, a, j, b) for i, j in itertools.combinations(range(len(factors)), 2)
            for a in factors[i] for b in factors[j]}
    rng = random.Random(seed)
    cases: list[Case] = []
    while todo:
        best: tuple[int, tuple[object, ...]] = (-1, ())
        for _ in range(60):
            pick = tuple(rng.choice(f) for f in factors)
            covered = sum((i, pick[i], j, pick[j]) in todo for i, j in itertools.combinations(range(len(factors)), 2))
            if covered > best[0]:
                best = (covered, pick)
        pick = best[1]
        todo -= {(i, pick[i], j, pick[j]) for i, j in itertools.combinations(range(len(factors)), 2)}
        sk, rot, lay, deg = pick
        cases.append(Case(float(sk), int(rot), str(lay), str(deg), "arab" if len(cases) % 4 == 3 else "han",  # type: ignore[call-overload]
                          len(cases)))
    return cases


def scan(case: Case) -> Scan:
    """The upright page drawn, then turned, tilted and degraded as the case says."""
    rng = random.Random(case.seed * 7919 + 1)
    page, lines, boxes, chars = _draw(case, rng)
    boxes = boxes + [b for line in chars for b in line]  # characters go where their lines go
    angle = case.rotation + case.skew
    out = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=PAPER) if angle else page
    boxes = [_turned(b, angle, page.size, out.size) for b in boxes]
    if case.keystone:
        out, boxes = photograph(out, boxes, case.keystone, rng)
    out, factor = _degrade(out, case.degradation)
    boxes = [(b[0] * factor, b[1] * factor, b[2] * factor, b[3] * factor) for b in boxes]
    glyphs, at = [], len(lines)
    for line in chars:
        glyphs.append(boxes[at:at + len(line)])
        at += len(line)
    return Scan(out, lines, boxes[:len(lines)], glyphs)


DESK = 95  # the grey of what lies around a photographed page


def photograph(img: Image.Image, boxes: list[tuple[float, float, float, float]], keystone: float,
               rng: random.Random) -> tuple[Image.Image, list[tuple[float, float, float, float]]]:
    """The page photographed from below its top edge, on a darker desk: a margin of desk around it, the
    top edge `keystone` of the width shorter than the bottom one (centred, with a little sideways lean),
    the top a little lower, and the page's corners a pixel or two off. Boxes follow the same projection."""
    import cv2
    import numpy as np

    w, h = img.size
    m = round(0.06 * max(w, h))
    inset = keystone * w / 2
    lean = rng.uniform(-0.3, 0.3) * inset

    def jitter() -> float:
        return rng.uniform(-2.0, 2.0)

    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype="float32")
    dst = np.array([[m + inset + lean + jitter(), m + keystone * h / 4 + jitter()],
                    [m + w - inset + lean + jitter(), m + keystone * h / 4 + jitter()],
                    [m + w + jitter(), m + h + jitter()], [m + jitter(), m + h + jitter()]], dtype="float32")
    hom = cv2.getPerspectiveTransform(src, dst)
    size = (w + 2 * m, h + 2 * m)
    page = cv2.warpPerspective(np.asarray(img.convert("L")), hom, size, flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=DESK)
    out = []
    for x0, y0, x1, y1 in boxes:
        corners = cv2.perspectiveTransform(np.array([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]], dtype="float32"), hom)[0]
        out.append((float(corners[:, 0].min()), float(corners[:, 1].min()),
                    float(corners[:, 0].max()), float(corners[:, 1].max())))
    return Image.fromarray(page, "L"), out


def _phrase(rng: random.Random, script: str, n: int) -> str:
    if script == "arab":
        return " ".join(rng.choice(UYGHUR_WORDS) for _ in range(n))
    return "".join(rng.choice(HAN_WORDS) for _ in range(n))


Box = tuple[float, float, float, float]


def _draw(case: Case, rng: random.Random) -> tuple[Image.Image, list[str], list[Box], list[list[Box]]]:
    w, h, size, margin = 1000, 1300, 30, 70
    img = Image.new("L", (w, h), PAPER)
    draw = ImageDraw.Draw(img)
    rtl = case.script == "arab"
    lines: list[str] = []
    boxes: list[tuple[float, float, float, float]] = []
    chars: list[list[Box]] = []

    def put(text: str, x0: float, x1: float, y: float) -> None:
        font = font_for(text, size)
        kw = {"direction": "rtl", "language": "ug"} if rtl else {}
        bx0, by0, bx1, by1 = draw.textbbox((0, 0), text, font=font, **kw)  # type: ignore[arg-type]
        x = x1 - (bx1 - bx0) - bx0 if rtl else x0 - bx0
        draw.text((x, y), text, font=font, fill=20, **kw)  # type: ignore[arg-type]
        lines.append(text)
        boxes.append((x + bx0, y + by0, x + bx1, y + by1))
        # Character k spans the advance of the text before it to the advance through it (from the right
        # edge in Arabic script; shaping makes this approximate within a word, exact at word breaks).
        ends = [draw.textlength(text[:k], font=font, **kw) for k in range(len(text) + 1)]  # type: ignore[arg-type]
        right = x + ends[-1]
        chars.append([(right - b, y + by0, right - a, y + by1) if rtl else (x + a, y + by0, x + b, y + by1)
                      for a, b in zip(ends, ends[1:], strict=False)])

    words = 4 if rtl else 6
    put(_phrase(rng, case.script, words), margin, w - margin, margin)
    top = margin + 2.4 * size
    if case.layout == "plain":
        for i in range(6):
            put(_phrase(rng, case.script, words), margin, w - margin, top + i * 1.9 * size)
    elif case.layout == "columns":
        mid = w / 2
        cols = [(margin, mid - 40), (mid + 40, w - margin)]
        for x0, x1 in (reversed(cols) if rtl else cols):
            for i in range(6):
                put(_phrase(rng, case.script, 2 if rtl else 3), x0, x1, top + i * 1.9 * size)
    else:
        edges = [margin, margin + 180, margin + 480, w - margin]
        row_h = 2.0 * size
        for r in range(6):
            y = top + r * row_h
            cells = list(zip(edges, edges[1:], strict=False))
            for x0, x1 in (reversed(cells) if rtl else cells):
                n = 1 if x1 - x0 < 200 else 2
                put(_phrase(rng, case.script, n), x0 + 12, x1 - 12, y + 0.25 * size)
        for r in range(7):
            draw.line((edges[0], top + r * row_h, edges[-1], top + r * row_h), fill=30, width=2)
        for x in edges:
            draw.line((x, top, x, top + 6 * row_h), fill=30, width=2)
    return img, lines, boxes, chars


def _turned(box: tuple[float, float, float, float], angle: float, size: tuple[int, int],
            out: tuple[int, int]) -> tuple[float, float, float, float]:
    """Where a box of the upright page lies after PIL's rotate(angle, expand=True): counter-clockwise
    about the centre, the canvas grown to hold the whole page."""
    t = math.radians(angle)
    cx, cy, ox, oy = size[0] / 2, size[1] / 2, out[0] / 2, out[1] / 2
    pts = [(ox + (x - cx) * math.cos(t) + (y - cy) * math.sin(t), oy - (x - cx) * math.sin(t) + (y - cy) * math.cos(t))
           for x, y in ((box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3]))]
    return (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))


def _degrade(img: Image.Image, kind: str) -> tuple[Image.Image, float]:
    """The degraded scan and its scale against the drawn one."""
    if kind == "blur":
        return blur(img, 1.0), 1.0
    if kind == "noise":
        return noise(img, 0.03), 1.0
    if kind == "jpeg":
        return jpeg(img, 20), 1.0
    if kind == "fax":
        return jpeg(noise(lowres(img, 0.7), 0.015), 30), 0.7
    return img, 1.0


FONTS = [Path("/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf"),
         Path("/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf"),
         Path("/usr/share/fonts/truetype/noto/NotoKufiArabic-Regular.ttf")]
DEGRADE: dict[str, Callable[[Image.Image], Image.Image]] = {
    "clean": lambda im: im,
    "blur": lambda im: blur(im, 1.0),
    "noise": lambda im: noise(im, 0.03),
    "jpeg": lambda im: jpeg(im, 20),
    "fax": lambda im: jpeg(noise(lowres(rotate(im, 1.5), 0.6), 0.015), 30),
    "skew": lambda im: rotate(im, -4.0),
}


UYGHUR_GRID = len(FONTS) * len(DEGRADE)  # every font under every degradation


def uyghur_pages(n: int, seed: int = 15) -> list[tuple[str, Image.Image, str]]:
    """`n` pages of invented Uyghur lines (label, image, truth): three fonts, two sizes, each degraded.
    Any UYGHUR_GRID pages in a row hold every (font, degradation) pair: degradation i mod 6, font shifted
    by one every six pages (a font tied to one degradation hid that blurred Noto Sans read worse)."""
    rng = random.Random(seed)
    kinds = list(DEGRADE)
    out = []
    for i in range(n):
        font_path = FONTS[(i + i // len(kinds)) % len(FONTS)]
        size = (26, 34)[(i // len(FONTS)) % 2]
        kind = kinds[i % len(kinds)]
        lines = [" ".join(rng.choice(UYGHUR_WORDS) for _ in range(rng.randint(3, 5))) for _ in range(6)]
        img = Image.new("L", (1000, 80 + int(len(lines) * size * 2.0) + 60), 250)
        draw = ImageDraw.Draw(img)
        font = ImageFont.truetype(str(font_path), size)
        for k, line in enumerate(lines):
            x0, _, x1, _ = draw.textbbox((0, 0), line, font=font, direction="rtl", language="ug")
            draw.text((1000 - 70 - (x1 - x0), 70 + k * size * 2.0), line, font=font, fill=20,
                      direction="rtl", language="ug")
        out.append((f"{font_path.stem[4:-8]}-{size}-{kind}", DEGRADE[kind](img), "\n".join(lines)))
    return out


# -- small print (issue 20: the detector's input size) -------------------------------------------
SMALL_DEGRADE: dict[str, Callable[[Image.Image], Image.Image]] = {
    "clean": lambda im: im, "blur": lambda im: blur(im, 0.8), "noise": lambda im: noise(im, 0.02), "jpeg": jpeg}


def small_print(size: int, degradation: str, script: str, seed: int = 0) -> tuple[Image.Image, str]:
    """A full A4 page (1240 x 1754) of lines of `size`-pixel print from the invented words, and its text."""
    rng = random.Random(f"{size}-{degradation}-{script}-{seed}")
    words, sep = (HAN_WORDS, "") if script == "han" else (UYGHUR_WORDS, " ")
    width = 1040 // size if script == "han" else 1040 // (size // 2)  # characters that fit a line
    lines = []
    for _ in range(rng.randint(6, 12)):
        line = ""
        while len(line) < width * 0.6:
            line += (sep if line else "") + rng.choice(words)
        lines.append(line)
    return SMALL_DEGRADE[degradation](render(lines, size=size)), "\n".join(lines)
