"""The OCR engines, each loaded once per process and kept to one thread: PP-OCR (RapidOCR) and Tesseract.

One thread each because the ingest pipeline runs one worker process per job: --jobs N is the
parallelism, and an engine that spawns its own threads per worker would oversubscribe the cores.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from PIL import Image

from exhibit.errors import OcrFailed

TESSERACT_TIMEOUT = 300  # seconds per page; a page that takes longer is recorded as failed


@dataclass(frozen=True)
class Line:
    """A line (or word group) of recognised text with its box in image pixels and a 0..1 confidence."""

    x0: int
    y0: int
    x1: int
    y1: int
    text: str
    conf: float
    engine: str
    quad: tuple[tuple[float, float], ...] | None = None  # the detector's 4 corners (rotated boxes)
    upside_down: bool = False  # PP-OCR's direction classifier turned this line a half turn to read it
    words: tuple[tuple[str, float], ...] = ()  # Tesseract's words in its order, each with its 0..1 confidence

    @property
    def height(self) -> int:
        return max(1, self.y1 - self.y0)

    def overlap(self, other: Line) -> float:
        """Intersection area over the smaller box's area."""
        w = min(self.x1, other.x1) - max(self.x0, other.x0)
        h = min(self.y1, other.y1) - max(self.y0, other.y0)
        if w <= 0 or h <= 0:
            return 0.0
        small = min((self.x1 - self.x0) * (self.y1 - self.y0), (other.x1 - other.x0) * (other.y1 - other.y0))
        return (w * h) / max(1, small)


# -- RapidOCR (PP-OCRv4, models inside the wheel) -------------------------------------------------

# RapidOCR's settings beyond its defaults (its config.yaml names, with their Det/Cls/Rec prefixes); the
# measurements behind each are in BENCHMARKS.md ("OCR cost").
RAPID_SETTINGS: dict[str, Any] = {"intra_op_num_threads": 1, "inter_op_num_threads": 1}
# The detector's input: the image's longer side scaled down to at most this many pixels (None: RapidOCR's
# choice, which for an A4 page at 150 dpi is its full 1240 x 1754). Recognition still reads each line from
# the full image. Detection was two thirds of a page's CPU time. At 1280 a Chinese page costs 0.78x; at 960
# 0.58x, but a document number's closing bracket (〕) was then cut off the detector's box on the rendered
# official-document scans (tests/documents): 1280 kept (BENCHMARKS.md, "OCR cost"; tests/ocr/test_ocr_cost.py
# compares with the full size).
DET_SIDE: int | None = 1280
# A page whose Chinese lines read with less confidence than this at DET_SIDE is read again with the
# detector at full size (recognise.Options.full_detection): small print under noise or JPEG blocks,
# faxes. Measured (BENCHMARKS.md): clean and degraded pages of 16 px print and up read at >= 0.99.
FULL_DETECTION_BELOW = 0.98


@lru_cache(maxsize=1)
def rapidocr() -> Any:
    """The process's one RapidOCR engine (loading the ONNX models takes about a second)."""
    import cv2

    # onnxruntime otherwise writes a device id and a telemetry database under $HOME/.cache, a session file
    # in $TMPDIR, and uploads events: the variable must be set before it initialises (on import), and is
    # forced, whatever the user's environment says. Nothing of a cache may leave the archive (issue 13).
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    import onnxruntime
    from rapidocr_onnxruntime import RapidOCR

    onnxruntime.disable_telemetry_events()  # if onnxruntime was imported earlier, without the variable
    cv2.setNumThreads(1)  # RapidOCR's image operations; OpenCV otherwise starts a thread per core
    engine = RapidOCR(**RAPID_SETTINGS)
    engine.text_cls = _KeptDirections(engine.text_cls)
    engine.text_det.get_preprocess = _DetectorSize(engine.text_det)
    return engine


class _DetectorSize:
    """RapidOCR 1.4's detector picks its input size itself when limit_type is "max" (960, 1500 or 2000
    pixels by the image's size, whatever limit_side_len says), so its size choice is replaced here: `side`
    (set for each call by rapidocr_lines), None for RapidOCR's own."""

    def __init__(self, det: Any) -> None:
        self.det = det
        self.own = det.get_preprocess
        self.side: int | None = None

    def __call__(self, max_wh: int) -> Any:
        from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

        if self.side is None:
            return self.own(max_wh)
        return DetPreProcess(self.side, "max", self.det.mean, self.det.std)


class _KeptDirections:
    """RapidOCR's direction classifier, keeping its last verdicts: RapidOCR turns an upside-down line to
    read it but does not return that it did, and those verdicts are what tells an upside-down page (the
    wrapper is hand-written because RapidOCR 1.4 has no option to return them)."""

    def __init__(self, classify: Any) -> None:
        self.classify = classify
        self.last: list[bool] = []

    def __call__(self, crops: Any) -> Any:
        turned, verdicts, elapsed = self.classify(crops)
        self.last = ["180" in str(label) and float(score) > self.classify.cls_thresh for label, score in verdicts]
        return turned, verdicts, elapsed


def rapidocr_lines(image: Image.Image, full_detection: bool = False) -> list[Line]:
    """Every detected line with its recognition, low-confidence ones included (text_score=0): the
    caller decides which to keep, e.g. Arabic-script lines come back as low-confidence Latin. The
    detector reads the image at DET_SIDE, or at its full size with `full_detection`."""
    import numpy as np

    arr = np.asarray(image.convert("RGB"))
    engine = rapidocr()
    engine.text_det.get_preprocess.side = None if full_detection else DET_SIDE
    engine.text_cls.last = []
    result, _ = engine(arr, text_score=0.0)
    # With text_score 0 RapidOCR drops no line, so its verdicts are in the order of its results.
    turned = engine.text_cls.last if len(engine.text_cls.last) == len(result or []) else []
    lines: list[Line] = []
    for i, (box, text, conf) in enumerate(result or []):
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        quad = tuple((float(p[0]), float(p[1])) for p in box)
        lines.append(Line(int(min(xs)), int(min(ys)), int(max(xs)) + 1, int(max(ys)) + 1,
                          str(text), float(conf), "rapidocr", quad, bool(turned and turned[i])))
    return _unturned_rereads(engine, arr, lines)


# A line the direction classifier turned a half turn and that then read as nothing (or next to nothing)
# was most likely upright: the classifier's false "180" verdicts on small print, seen at 18 px, emptied a
# Chinese line, which Tesseract then re-read as Latin junk. Such a line is read again as it lies and the
# more confident reading kept. None: no such second reading (the pipeline before, for bench/ocr_speed.py).
TURNED_DOUBT: float | None = 0.5


def _unturned_rereads(engine: Any, arr: Any, lines: list[Line]) -> list[Line]:
    import numpy as np

    doubt = TURNED_DOUBT
    if doubt is None:
        return lines
    retry = [i for i, ln in enumerate(lines) if ln.upside_down and ln.quad and
             (not ln.text.strip() or ln.conf < doubt)]
    if not retry:
        return lines
    crops = engine.get_crop_img_list(arr, [np.array(lines[i].quad, dtype=np.float32) for i in retry])
    found, _ = engine.text_rec(crops)
    out = list(lines)
    for i, rec in zip(retry, found, strict=True):
        text, conf = str(rec[0]), float(rec[1])
        if text.strip() and conf > out[i].conf:
            out[i] = replace(out[i], text=text, conf=conf, upside_down=False)
    return out


# -- Tesseract (Debian's tesseract-ocr CLI through pytesseract) -----------------------------------

@lru_cache(maxsize=1)
def tesseract_langs() -> frozenset[str]:
    """The installed Tesseract language packs (empty when Tesseract itself is missing)."""
    import pytesseract

    try:
        return frozenset(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, OSError):
        return frozenset()


def tesseract_lines(image: Image.Image, langs: list[str], psm: int = 3) -> list[Line]:
    """Tesseract's text lines (words grouped by block/paragraph/line) with mean word confidence."""
    import pytesseract

    # Tesseract reads its thread count from the environment of the process it runs in.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        data = pytesseract.image_to_data(image, lang="+".join(langs), config=f"--psm {psm}",
                                         output_type=pytesseract.Output.DICT, timeout=TESSERACT_TIMEOUT)
    except RuntimeError as e:  # pytesseract raises RuntimeError on its timeout
        raise OcrFailed(f"Tesseract ({'+'.join(langs)}) did not finish within {TESSERACT_TIMEOUT} s: {e}") from e
    except (pytesseract.TesseractError, pytesseract.TesseractNotFoundError, OSError) as e:
        raise OcrFailed(f"Tesseract ({'+'.join(langs)}) failed: {e}") from e
    groups: dict[tuple[int, int, int], list[int]] = {}
    for i, word in enumerate(data["text"]):
        if word and word.strip() and float(data["conf"][i]) >= 0:
            groups.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]), []).append(i)
    lines: list[Line] = []
    for idx in groups.values():
        for run in _runs(idx, data):
            x0 = min(data["left"][i] for i in run)
            y0 = min(data["top"][i] for i in run)
            x1 = max(data["left"][i] + data["width"][i] for i in run)
            y1 = max(data["top"][i] + data["height"][i] for i in run)
            words = [data["text"][i].strip() for i in run]
            confs = [float(data["conf"][i]) / 100.0 for i in run]
            lines.append(Line(x0, y0, x1, y1, join_words(words), sum(confs) / len(run), "tesseract",
                              words=tuple(zip(words, confs, strict=True))))
    return lines


@lru_cache(maxsize=8)
def tesseract_wordlist(lang: str) -> frozenset[str]:
    """The word list inside an installed Tesseract pack (its LSTM word dawg, unpacked with the
    tesseract-ocr package's own combine_tessdata and dawg2wordlist): about 117,000 words for uig. Empty
    when the pack, the tools or the dawg are missing. Files go to the temporary folder, which OCR points
    into the archive's scratch folder; about 0.2 s once per process."""
    import re
    import subprocess
    import tempfile
    from pathlib import Path

    try:
        listing = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    found = re.search(r'"([^"]+)"', listing.stdout + listing.stderr)
    prefix = os.environ.get("TESSDATA_PREFIX")
    folder = Path(prefix) if prefix else Path(found.group(1)) if found else None
    pack = folder / f"{lang}.traineddata" if folder else None
    if pack is None or not pack.is_file():
        return frozenset()
    with tempfile.TemporaryDirectory(prefix="exhibit-dawg-") as tmp:
        dawg, chars, out = (Path(tmp) / f"{lang}.lstm-word-dawg", Path(tmp) / f"{lang}.lstm-unicharset",
                            Path(tmp) / "words.txt")
        try:
            subprocess.run(["combine_tessdata", "-e", str(pack), str(dawg), str(chars)],
                           capture_output=True, timeout=60, check=True)
            if not (dawg.is_file() and chars.is_file()):
                return frozenset()
            subprocess.run(["dawg2wordlist", str(chars), str(dawg), str(out)],
                           capture_output=True, timeout=60, check=True)
            return frozenset(out.read_text(encoding="utf-8", errors="replace").split())
        except (OSError, subprocess.SubprocessError):
            return frozenset()


GUTTER = 1.5  # a gap between words wider than this many word heights is a column gutter, not a space


def _runs(idx: list[int], data: dict[str, list[Any]]) -> list[list[int]]:
    """A Tesseract line cut where its words are a gutter apart: Tesseract's layout analysis sometimes joins
    the lines of two columns (or a table's cells) into one, and the reading order needs them apart."""
    heights = sorted(int(data["height"][i]) for i in idx)
    gutter = GUTTER * max(1, heights[len(heights) // 2])
    runs: list[list[int]] = [[idx[0]]]
    for prev, i in zip(idx, idx[1:], strict=False):
        a0, a1 = data["left"][prev], data["left"][prev] + data["width"][prev]
        b0, b1 = data["left"][i], data["left"][i] + data["width"][i]
        if max(b0 - a1, a0 - b1) > gutter:
            runs.append([i])
        else:
            runs[-1].append(i)
    return runs

OSD_SIDE = 1200  # OSD reads a copy this long at most: orientation needs the letters' shapes, not their detail


def tesseract_upside_down(image: Image.Image) -> bool:
    """Does Tesseract's orientation and script detection (--psm 0, Debian tesseract-ocr-osd) say this
    page must be turned a half turn to be read? False when it cannot tell (too little text, no osd pack)."""
    import pytesseract

    if "osd" not in tesseract_langs():
        return False
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    f = OSD_SIDE / max(image.size)
    small = image.resize((round(image.width * f), round(image.height * f)), Image.Resampling.LANCZOS) \
        if f < 1 else image
    try:
        osd = pytesseract.image_to_osd(small, config="--psm 0 -c min_characters_to_try=10",
                                       output_type=pytesseract.Output.DICT, timeout=TESSERACT_TIMEOUT)
    except (RuntimeError, pytesseract.TesseractError, OSError):
        return False  # "Too few characters": no verdict, and the page is read as it is
    return int(osd.get("rotate", 0)) == 180 and float(osd.get("orientation_conf", 0)) >= 0.5


def join_words(words: list[str]) -> str:
    """Words joined by spaces, except between two Han characters (Tesseract splits Chinese per glyph)."""
    from exhibit.text.script import Script, script_of

    out = ""
    for w in words:
        if out and not (script_of(out[-1]) == Script.HANI and script_of(w[0]) == Script.HANI) \
                and not (_is_cjk_punct(out[-1]) or _is_cjk_punct(w[0])):
            out += " "
        out += w
    return out


def _is_cjk_punct(ch: str) -> bool:
    o = ord(ch)
    return 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF
