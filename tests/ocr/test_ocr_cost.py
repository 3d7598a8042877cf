"""The cheaper detector input (engines.DET_SIDE, issue 20): no page reads worse than with the detector at the
image's full size. Pages in small print the tests render (print size x degradation, Chinese and Uyghur),
pages of the degraded-scan grid, and the sample's scans; the reference is the same pipeline with DET_SIDE
off, read in the same test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ocr_grid import SMALL_DEGRADE, pairwise, scan, small_print
from ocr_helpers import cer
from PIL import Image

from exhibit.ocr import _read, engines

LANGS = ["chi_sim", "uig", "eng"]
@pytest.fixture()
def det_side() -> Iterator[None]:
    saved = engines.DET_SIDE
    yield
    engines.DET_SIDE = saved


def _both(image: Image.Image, truth: str) -> tuple[float, float]:
    """CER with the detector at full size, then at DET_SIDE as shipped."""
    shipped = engines.DET_SIDE
    assert shipped is not None, "the test is about a reduced detector input"
    engines.DET_SIDE = None
    full = cer(_read(image, LANGS, "auto")[0], truth)
    engines.DET_SIDE = shipped
    small = cer(_read(image, LANGS, "auto")[0], truth)
    return full, small


@pytest.mark.parametrize("size", [14, 18])
@pytest.mark.parametrize("degradation", list(SMALL_DEGRADE))
def test_small_chinese_print_reads_no_worse_with_the_smaller_detector_input(det_side: None, size: int,
                                                                          degradation: str) -> None:
    image, truth = small_print(size, degradation, "han")
    full, small = _both(image, truth)
    assert small <= full, (size, degradation, full, small)


@pytest.mark.parametrize("degradation", ["clean", "noise"])
def test_small_uyghur_print_reads_no_worse_with_the_smaller_detector_input(det_side: None,
                                                                         degradation: str) -> None:
    image, truth = small_print(24, degradation, "arab")
    full, small = _both(image, truth)
    assert small <= full, (degradation, full, small)


@pytest.mark.parametrize("case", [c for c in pairwise() if c.script == "arab"] + [c for c in pairwise() if c.script == "han"][:4],
                         ids=lambda c: c.name)
def test_grid_pages_read_no_worse_with_the_smaller_detector_input(det_side: None, case: Any) -> None:
    s = scan(case)
    full, small = _both(s.image, s.text)
    assert small <= full, (case.name, full, small)


def test_the_sample_scans_read_no_worse_with_the_smaller_detector_input(det_side: None, corpus_dir: Path,
                                                                      truth: dict[str, Any]) -> None:
    names = [n for n in truth["ocr"] if n.endswith((".png", ".jpg", ".jpeg", ".tif", ".tiff"))]
    assert names
    for name in names:
        with Image.open(corpus_dir / name) as im:
            full, small = _both(im.convert("RGB"), truth["ocr"][name])
        assert small <= full, (name, full, small)


def test_a_confident_page_keeps_the_smaller_input_and_a_doubtful_one_is_read_at_full_size(det_side: None) -> None:
    """The saving is real where the page reads well; where it reads with doubt, the page is read again
    with the detector at full size (the last detector call tells which size it used)."""
    detector = engines.rapidocr().text_det.get_preprocess
    clean, _ = small_print(20, "clean", "han")
    _read(clean, LANGS, "auto")
    assert detector.side == engines.DET_SIDE
    doubtful, _ = small_print(14, "noise", "han")
    _read(doubtful, LANGS, "auto")
    assert detector.side is None
