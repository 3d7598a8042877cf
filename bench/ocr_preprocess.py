"""Does preprocessing lower the OCR error rate? CER with and without each step, on the sample scans and
on pages this script renders and degrades itself (rotation, blur, noise, JPEG, low resolution, fax).

    .venv/bin/python bench/ocr_preprocess.py [--quick] [--options NAME,...]

Prints one row per (page, degradation) and a mean per option set; the baseline is "none".
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "ocr"))
sys.path.insert(0, str(REPO))

from ocr_degrade import CHINESE, DEGRADATIONS, ENGLISH, UYGHUR, render  # noqa: E402
from PIL import Image  # noqa: E402
from rapidfuzz.distance import Levenshtein  # noqa: E402

from exhibit.ocr import _read  # noqa: E402
from exhibit.ocr.recognise import Options  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "dev"

OPTION_SETS: dict[str, Options] = {
    "none": Options(page_denoise=False, deskew=False, missed_lines=False),
    "no_missed_lines": Options(missed_lines=False),
    "default": Options(),
    "lines": Options(reread="lines", page_denoise=False, deskew=False),
    "lines+denoise": Options(reread="lines", denoise=True, page_denoise=False, deskew=False),
    "region+upscale": Options(upscale=True, page_denoise=False, deskew=False),
    "region+denoise": Options(denoise=True, page_denoise=False, deskew=False),
    "page_denoise": Options(page_denoise=True, deskew=False),
    "page_upscale": Options(page_min_side=1200, page_denoise=False, deskew=False),
    "deskew": Options(page_denoise=False, deskew=True, missed_lines=False),
    "speckle_denoise": Options(deskew=False, missed_lines=False),
}


def cer(hyp: str, ref: str) -> float:
    h = "".join(hyp.split())
    r = "".join(ref.split())
    return Levenshtein.distance(h, r) / max(1, len(r))


def corpus_pages() -> list[tuple[str, Image.Image, str]]:
    truth = json.loads((CORPUS / "truth.json").read_text(encoding="utf-8"))
    out = []
    for name, text in truth["ocr"].items():
        path = CORPUS / "cache" / name
        if name.endswith(".pdf"):
            import pymupdf

            with pymupdf.open(path) as doc:
                xref = doc[0].get_images()[0][0]
                img = Image.open(io.BytesIO(doc.extract_image(xref)["image"]))
                img.load()
        else:
            img = Image.open(path)
            img.load()
        out.append((name, img, text))
    return out


def rendered_pages() -> list[tuple[str, Image.Image, str]]:
    pages = [("zh", CHINESE), ("ug", UYGHUR), ("mixed", CHINESE[:2] + UYGHUR[:2] + ENGLISH[:1])]
    out = []
    for name, lines in pages:
        base = render(lines)
        for deg, f in DEGRADATIONS.items():
            out.append((f"{name}/{deg}", f(base), "\n".join(lines)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="corpus scans and the mixed page only")
    ap.add_argument("--options", default=",".join(OPTION_SETS))
    ap.add_argument("--langs", default="chi_sim+uig+eng")
    args = ap.parse_args()
    names = args.options.split(",")
    pages = corpus_pages() + [p for p in rendered_pages() if not args.quick or p[0].startswith("mixed")]
    langs = args.langs.split("+")
    table: dict[str, dict[str, float]] = {}
    times: dict[str, float] = {n: 0.0 for n in names}
    for label, img, truth in pages:
        row: dict[str, float] = {}
        for n in names:
            t0 = time.perf_counter()
            text, _, _ = _read(img, langs, "auto", OPTION_SETS[n])
            times[n] += time.perf_counter() - t0
            row[n] = cer(text, truth)
        table[label] = row
        print(f"{label:40s} " + " ".join(f"{n}={row[n] * 100:6.2f}%" for n in names), flush=True)
    print("\nmean CER over", len(pages), "pages (seconds in total):")
    for n in names:
        mean = sum(r[n] for r in table.values()) / len(table)
        print(f"  {n:16s} {mean * 100:6.2f}%  ({times[n]:.1f} s)")
    result: dict[str, Any] = {"pages": len(pages), "mean_cer": {n: sum(r[n] for r in table.values()) / len(table)
                                                                for n in names}, "per_page": table}
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
