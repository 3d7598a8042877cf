"""Uyghur OCR choices measured: bare `tesseract -l uig` against Tesseract variants (language pack, page
segmentation, scaling, binarisation) and against exhibit's pipeline, on degraded Uyghur pages rendered here.

    PYTHONPATH=. .venv/bin/python bench/ocr_uyghur.py [--pages 12] [--variants all|pipeline]

Pages: invented Uyghur lines in three Arabic-script fonts at two sizes, each clean, blurred, speckled,
JPEG'd, faxed and tilted; 18 pages hold every font under every degradation. Prints the mean CER of each
variant, its ratio to bare uig (same pages, same run) and on how many pages it reads worse than bare uig.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "ocr"))
sys.path.insert(0, str(REPO))

from ocr_grid import uyghur_pages as pages  # noqa: E402
from PIL import Image  # noqa: E402
from rapidfuzz.distance import Levenshtein  # noqa: E402


def cer(hyp: str, ref: str) -> float:
    from exhibit.ocr.textforms import normalize_uyghur

    h = "".join(normalize_uyghur(hyp).split())
    r = "".join(ref.split())
    return Levenshtein.distance(h, r) / len(r)


def tesseract(lang: str, psm: int = 3, scale: float = 1.0, binarise: bool = False) -> Callable[[Image.Image], str]:
    def run(img: Image.Image) -> str:
        import pytesseract

        im = img.convert("L")
        if scale != 1.0:
            im = im.resize((round(im.width * scale), round(im.height * scale)), Image.Resampling.LANCZOS)
        if binarise:
            import cv2
            import numpy as np

            _, b = cv2.threshold(np.asarray(im), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
            im = Image.fromarray(b)
        return str(pytesseract.image_to_string(im, lang=lang, config=f"--psm {psm}"))
    return run


def pipeline(langs: str) -> Callable[[Image.Image], str]:
    def run(img: Image.Image) -> str:
        from exhibit.ocr import ocr_image

        with tempfile.TemporaryDirectory() as tmp:
            return ocr_image(img, langs, None, Path(tmp)).text
    return run


VARIANTS: dict[str, Callable[[Image.Image], str]] = {
    "uig (bare)": tesseract("uig"),
    "Arabic": tesseract("Arabic"),
    "uig+Arabic": tesseract("uig+Arabic"),
    "uig psm 6": tesseract("uig", psm=6),
    "uig x1.5": tesseract("uig", scale=1.5),
    "uig x2": tesseract("uig", scale=2.0),
    "uig otsu": tesseract("uig", binarise=True),
    "exhibit uig": pipeline("uig"),
    "exhibit uig+eng": pipeline("uig+eng"),
    "exhibit chi_sim+uig+eng": pipeline("chi_sim+uig+eng"),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=12)
    ap.add_argument("--seed", type=int, default=15, help="another seed: other words on the same grid")
    ap.add_argument("--variants", default="all", help="all, or a comma-separated list of names")
    args = ap.parse_args()
    import os

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    names = list(VARIANTS) if args.variants == "all" else ["uig (bare)"] + args.variants.split(",")
    data = pages(args.pages, args.seed)
    table: dict[str, list[float]] = {n: [] for n in names}
    for label, img, truth in data:
        row = []
        for n in names:
            table[n].append(cer(VARIANTS[n](img), truth))
            row.append(f"{table[n][-1]:.3f}")
        print(label, *row, flush=True)
    base = sum(table["uig (bare)"]) / len(data)
    print("\n| variant | mean CER | vs bare uig | pages worse than bare |\n| --- | --- | --- | --- |")
    for n in names:
        mean = sum(table[n]) / len(data)
        worse = sum(a > b + 1e-9 for a, b in zip(table[n], table["uig (bare)"], strict=True))
        print(f"| {n} | {mean:.4f} | {mean / base:.2f} | {worse} of {len(data)} |")


if __name__ == "__main__":
    main()
