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

from PIL import Image, ImageDraw, ImageFilter

from exhibit.errors import OcrFailed
from exhibit.ocr import engines as _engines
from exhibit.ocr.engines import Line, rapidocr_lines, tesseract_langs, tesseract_lines
from exhibit.text.script import Script, script_counts

HAN_LANGS = frozenset({"chi_sim", "chi_tra", "chi_sim_vert", "chi_tra_vert"})
RAPID_LANGS = frozenset({"chi_sim", "chi_tra", "eng"})  # what the bundled PP-OCRv4 model reads
ARABIC_LANGS = {"uig": "ug", "ara": "ar", "fas": "fa", "urd": "ur", "pus": "ps", "snd": "sd"}
ENGINES = ("auto", "rapidocr", "tesseract")
MIN_CONF = 0.5  # RapidOCR's own default text_score
# PP-OCR reads Arabic script as Latin letters at 0.4-0.6 confidence; when Uyghur is asked for and
# Tesseract found no Arabic there, a non-Han PP-OCR line is kept only when PP-OCR is sure of it.
LATIN_FLOOR = 0.8


@dataclass(frozen=True)
class Options:
    """Preprocessing of the regions Tesseract re-reads; the defaults are what measured best."""

    reread: str = "region"   # "region": the doubtful area as it is; "lines": detector lines rectified
    line_height: int = 64    # "lines": height each rectified line is scaled to
    denoise: bool = False    # 3x3 median filter
    upscale: bool = False    # "region": scale so the median line is `line_height` high
    page_denoise: bool | None = None  # median filter on the page; None: only when it is speckled
    deskew: bool = False     # "region": rotate by the detector's line angle before Tesseract
    missed_lines: bool = True  # "region": lines Tesseract's layout analysis lost are read one by one
    page_min_side: int = 0       # upscale the whole page until its short side is at least this
    full_detection: bool = False  # the text detector at the image's full size (engines.DET_SIDE)


DEFAULT_OPTIONS = Options()


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
        served = set(have) | {"chi_sim"}
    missing = [lang for lang in langs if lang not in served]
    if missing and engine == "rapidocr":
        raise OcrFailed(f"PP-OCR (--engine rapidocr) reads only {', '.join(sorted(RAPID_LANGS))}; "
                        f"use --engine auto or tesseract for {', '.join(missing)}.")
    if missing:
        names = ", ".join(missing)
        raise OcrFailed(f"OCR language pack not installed: {names} (installed Tesseract packs: "
                        f"{', '.join(sorted(have)) or 'none'}). Install tesseract-ocr-{missing[0].replace('_', '-')} "
                        f"or choose --ocr-langs from the installed ones.")


def recognise(image: Image.Image, langs: list[str], engine: str = "auto",
              opts: Options = DEFAULT_OPTIONS) -> Recognition:
    """Read one page image with the engines chosen for its languages and scripts."""
    check_langs(langs, engine)
    han = [lang for lang in langs if lang in HAN_LANGS]
    others = [lang for lang in langs if lang not in HAN_LANGS]
    # Traditional Chinese alone goes to Tesseract chi_tra: PP-OCR reads it, but folds variants
    # (強 -> 强, 內 -> 内), and Tesseract chi_tra measured better on clean, skewed and low-resolution
    # traditional pages (docs/ocr.md). With chi_sim asked for too, PP-OCR reads both.
    if engine == "tesseract" or (engine == "auto" and "chi_sim" not in han):
        return Recognition(read_arabic_aware(image, langs), ["tesseract"], langs)
    found = rapidocr_lines(image, opts.full_detection)
    if engine == "rapidocr":
        return Recognition([ln for ln in found if ln.conf >= MIN_CONF and ln.text.strip()], ["rapidocr"], langs)
    if others and not opts.full_detection and _engines.DET_SIDE is not None and not any(map(_is_han_line, found)):
        # No Chinese on the page: the detector's boxes are what guides Tesseract's re-reads of lines it
        # missed, and on Uyghur pages they measured better from the full-size image (BENCHMARKS.md).
        found = rapidocr_lines(image, True)
    accepted = [ln for ln in found if _is_han_line(ln)]
    # An empty reading is doubtful too: PP-OCR often returns nothing at all for an Arabic-script line.
    doubtful = [ln for ln in found if not _is_han_line(ln)]
    if not doubtful or not others:
        kept = accepted + [ln for ln in doubtful if ln.conf >= MIN_CONF and ln.text.strip()]
        return Recognition(_in_order(kept), ["rapidocr"], han)
    if opts.reread == "lines":
        second = _reread_lines(image, doubtful, others, opts)
    else:
        # No Han on the page: it is read whole by Tesseract in the other languages, as a page asked for
        # without Chinese would be. Re-reading PP-OCR's doubtful regions instead measured worse on
        # Uyghur pages (bench/ocr_uyghur.py: 8.6% against 0.7% CER, worse than bare uig on 5 of 12).
        second = read_arabic_aware(image, others) if not accepted \
            else _reread(image, accepted, doubtful, others, opts)
        # Tesseract's page layout analysis can lose a line (skewed pages) or part of one (small
        # print); read those lines again one by one, cut out along the detector's box, and keep the
        # more confident reading.
        # After a whole-page reading only lines it missed entirely (a ruled table Tesseract took for a
        # picture): re-reading partly covered ones there doubled words.
        least = 0.75 if accepted else 0.1
        weak = [ln for ln in doubtful if _coverage(ln, second) < least]
        if weak and opts.missed_lines:
            for strip in _reread_lines(image, weak, others, opts):
                olds = [t for t in second if t.overlap(strip) > 0.3]
                if not olds or strip.conf > sum(t.conf for t in olds) / len(olds):
                    second = [t for t in second if t not in olds] + [strip]
    kept = accepted + second
    floor = LATIN_FLOOR if any(lang in ARABIC_LANGS for lang in others) else MIN_CONF
    for ln in doubtful:
        if ln.conf >= floor and ln.text.strip() and not any(t.overlap(ln) > 0.3 for t in second):
            kept.append(ln)
    engines = ["rapidocr"] + (["tesseract"] if second else [])
    return Recognition(_in_order(kept), engines, han + others)


def read_arabic_aware(image: Image.Image, langs: list[str]) -> list[Line]:
    """Tesseract on the whole page; when the page is mostly Arabic script and other languages were asked
    for too, read again in the Arabic-script languages alone and keep, line by line, the candidate with
    the higher confidence times Uyghur spelling plausibility: uig+eng reads a Uyghur word as Latin now
    and then ("ئۇنىڭ" as "days" on the sample's notice), uig alone cannot."""
    first = tesseract_lines(image, langs)
    arabic = [lang for lang in langs if lang in ARABIC_LANGS]
    if not arabic or len(arabic) == len(langs) or not first:
        return first
    c = script_counts("".join(ln.text for ln in first))
    if c[Script.ARAB] <= c[Script.LATN] + c[Script.HANI]:
        return first
    second = tesseract_lines(image, arabic)
    return combine(first, second)


# A word of three letters or more found in the language pack's own dictionary is worth at least this much,
# whatever Tesseract's confidence: on blurred print Tesseract reads correct words at 0.15 (bench/ocr_uyghur.py,
# Noto Sans blurred), where uig+eng reads the same ink as Latin letters at 0.65.
LEXICON_TRUST = 0.9


def _worth(ln: Line) -> float:
    """The expected share of a line's letters read right: per word, Tesseract's confidence, halved for a
    word Uyghur spelling does not allow, raised to LEXICON_TRUST for a word in the uig dictionary."""
    from exhibit.ocr.textforms import normalize_uyghur, plausible, plausible_share, uyghur_lexicon

    if not ln.words:
        return ln.conf * (0.5 + 0.5 * plausible_share(ln.text))
    lexicon = uyghur_lexicon()
    total = weight = 0.0
    for word, conf in ln.words:
        n = max(1, sum(ch.isalpha() for ch in word))
        worth = conf * (1.0 if plausible(word) else 0.5)
        if n >= 3 and normalize_uyghur(word) in lexicon:
            worth = max(worth, LEXICON_TRUST)
        total += worth * n
        weight += n
    return total / weight


def combine(first: list[Line], second: list[Line]) -> list[Line]:
    """Two readings of a page merged line by line: lines of the two that overlap form a cluster (one
    reading may split a line the other reads whole), and each cluster keeps the reading worth more per
    character; lines only one reading found are kept."""
    clusters: list[tuple[list[Line], list[Line]]] = [([ln], []) for ln in first]
    for t in second:
        hits = [c for c in clusters if any(ln.overlap(t) > 0.5 for ln in c[0] + c[1])]
        merged: tuple[list[Line], list[Line]] = ([], [t])
        for c in hits:
            merged[0].extend(c[0])
            merged[1].extend(c[1])
            clusters.remove(c)
        clusters.append(merged)
    out: list[Line] = []
    for ours, theirs in clusters:
        out.extend(theirs if _per_char(theirs) > _per_char(ours) else ours)
    return out


def _per_char(lines: list[Line]) -> float:
    n = sum(len(ln.text) for ln in lines)
    return sum(_worth(ln) * len(ln.text) for ln in lines) / n if n else -1.0


def _coverage(ln: Line, found: list[Line]) -> float:
    """The share of a detected line's width that the lines found over it cover."""
    spans = sorted((max(ln.x0, t.x0), min(ln.x1, t.x1)) for t in found if t.overlap(ln) > 0.3)
    covered = 0
    end = ln.x0
    for a, b in spans:
        a = max(a, end)
        if b > a:
            covered += b - a
            end = b
    return covered / max(1, ln.x1 - ln.x0)


def _is_han_line(ln: Line) -> bool:
    c = script_counts(ln.text)
    # Han at least half of the letters: PP-OCR reads some Arabic-script fonts (Kufi) as Latin with a
    # few Han glyphs mixed in ("lj山 Ju c业g"), which a third would have let through as Chinese.
    # And a box no wider than its characters could fill (Han glyphs are about square): PP-OCR reads
    # some Arabic-script words as two or three Han glyphs ("山山" over a 6-glyph-wide Uyghur line).
    wide = max(1, ln.x1 - ln.x0) > 1.6 * ln.height * len(ln.text.replace(" ", "")) + ln.height
    return (ln.conf >= MIN_CONF and c[Script.HANI] > 0 and c[Script.HANI] >= c[Script.ARAB] + c[Script.LATN]
            and not wide)


def _reread(image: Image.Image, accepted: list[Line], doubtful: list[Line], langs: list[str],
            opts: Options) -> list[Line]:
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
    scale = 1.0
    if opts.upscale:
        heights = sorted(ln.height for ln in doubtful)
        scale = min(4.0, max(1.0, opts.line_height / heights[len(heights) // 2]))
        if scale > 1.15:
            region = region.resize((round(region.width * scale), round(region.height * scale)),
                                   Image.Resampling.LANCZOS)
        else:
            scale = 1.0
    if opts.denoise:
        region = region.filter(ImageFilter.MedianFilter(3))
    angle = _skew(doubtful) if opts.deskew else 0.0
    before = region.size
    if abs(angle) >= 0.5:
        region = region.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=paper)
    kept: list[Line] = []
    for ln in tesseract_lines(region, langs, psm=3):
        if _consistent(ln, langs):
            bx0, by0, bx1, by1 = _unrotate((ln.x0, ln.y0, ln.x1, ln.y1), angle, region.size, before) \
                if abs(angle) >= 0.5 else (ln.x0, ln.y0, ln.x1, ln.y1)
            kept.append(Line(round(bx0 / scale) + x0, round(by0 / scale) + y0, round(bx1 / scale) + x0,
                             round(by1 / scale) + y0, ln.text, ln.conf, ln.engine))
    return kept


def _skew(lines: list[Line]) -> float:
    """The median slope of the detector's boxes in degrees (counter-clockwise positive, as PIL rotates)."""
    import math

    angles = sorted(math.degrees(math.atan2(q[1][1] - q[0][1], q[1][0] - q[0][0]))
                    for q in (ln.quad for ln in lines) if q and q[1][0] > q[0][0])
    if not angles:
        return 0.0
    a = angles[len(angles) // 2]
    return a if abs(a) <= 45 else 0.0


def _unrotate(box: tuple[int, int, int, int], angle: float, size: tuple[int, int],
              original: tuple[int, int]) -> tuple[float, float, float, float]:
    """A box found in the rotated (expanded) region, as a box in the region before rotation."""
    import math

    t = math.radians(angle)
    cx, cy = size[0] / 2, size[1] / 2
    ox, oy = original[0] / 2, original[1] / 2
    pts = []
    for x, y in ((box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3])):
        dx, dy = x - cx, y - cy
        # The inverse of PIL's rotation about the centre (counter-clockwise on screen, y pointing down).
        pts.append((ox + dx * math.cos(t) - dy * math.sin(t), oy + dx * math.sin(t) + dy * math.cos(t)))
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return (max(0.0, min(xs)), max(0.0, min(ys)), min(float(original[0]), max(xs)), min(float(original[1]), max(ys)))


def _consistent(ln: Line, langs: list[str]) -> bool:
    """Is this Tesseract line in a script of the languages asked for (and not mere noise)?"""
    want_arabic = any(lang in ARABIC_LANGS for lang in langs)
    want_latin = any(lang not in ARABIC_LANGS for lang in langs)
    c = script_counts(ln.text)
    ok = (want_arabic and c[Script.ARAB] > 0) or (want_latin and c[Script.LATN] > 0 and c[Script.ARAB] == 0)
    return ok and ln.conf >= 0.3


def _reread_lines(image: Image.Image, doubtful: list[Line], langs: list[str], opts: Options) -> list[Line]:
    """Each doubtful line cut out along the detector's (possibly rotated) box, scaled to one height,
    stacked into one image and read by Tesseract in one call: deskew and scale per line for free."""
    import cv2
    import numpy as np

    grey = np.asarray(image.convert("L"))
    strips: list[np.ndarray] = []
    for ln in doubtful:
        q = np.array(ln.quad or ((ln.x0, ln.y0), (ln.x1, ln.y0), (ln.x1, ln.y1), (ln.x0, ln.y1)), dtype="float32")
        w = int(max(np.linalg.norm(q[0] - q[1]), np.linalg.norm(q[2] - q[3])))
        h = int(max(np.linalg.norm(q[0] - q[3]), np.linalg.norm(q[1] - q[2])))
        dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype="float32")
        strip = cv2.warpPerspective(grey, cv2.getPerspectiveTransform(q, dst), (max(1, w), max(1, h)),
                                    borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC)
        s = opts.line_height / max(1, h)
        strip = cv2.resize(strip, (max(1, round(w * s)), opts.line_height),
                           interpolation=cv2.INTER_CUBIC if s > 1 else cv2.INTER_AREA)
        if opts.denoise:
            strip = cv2.medianBlur(strip, 3)
        strips.append(strip)
    gap = opts.line_height // 2
    width = max(st.shape[1] for st in strips) + 2 * gap
    paper = int(np.median(grey))
    canvas = np.full(((opts.line_height + gap) * len(strips) + gap, width), paper, dtype="uint8")
    arabic = any(lang in ARABIC_LANGS for lang in langs)
    for i, st in enumerate(strips):
        y = gap + i * (opts.line_height + gap)
        x = width - gap - st.shape[1] if arabic else gap  # right-aligned like the script it holds
        canvas[y:y + opts.line_height, x:x + st.shape[1]] = st
    found = tesseract_lines(Image.fromarray(canvas, "L"), langs, psm=6)
    kept: list[Line] = []
    for i, ln in enumerate(doubtful):
        top = gap + i * (opts.line_height + gap)
        mine = [t for t in found if top - gap / 2 <= (t.y0 + t.y1) / 2 < top + opts.line_height + gap / 2]
        mine = [t for t in mine if _consistent(t, langs)]
        if mine:
            mine.sort(key=lambda t: -t.x1 if arabic else t.x0)
            text = " ".join(t.text for t in mine)
            conf = sum(t.conf for t in mine) / len(mine)
            kept.append(Line(ln.x0, ln.y0, ln.x1, ln.y1, text, conf, "tesseract"))
    return kept


def _paper(region: Image.Image) -> int:
    """The background grey: the most common value of the region."""
    hist = region.histogram()
    return max(range(256), key=lambda v: hist[v])


def _in_order(lines: list[Line]) -> list[Line]:
    return sorted(lines, key=lambda ln: (ln.y0 + ln.y1, ln.x0))
