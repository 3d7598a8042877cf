"""The text-presence pass: photographs without text are not OCR'd, anything with text is, --force reads all."""

from __future__ import annotations

from pathlib import Path

import pytest
from ocr_degrade import CHINESE, DEGRADATIONS, ENGLISH, UYGHUR, render
from PIL import Image

from exhibit.demo.photos import CAPTIONS, captioned, scene
from exhibit.ingest.formats import IngestContext
from exhibit.ingest.formats.image import ImageIngestor, ocr_pages
from exhibit.ocr.presence import Decision, text_presence

SIZES = [(1024, 768), (640, 480), (3000, 2000), (768, 1024)]


@pytest.mark.parametrize("seed", range(16))
def test_a_photograph_without_text_is_found_to_have_none(seed: int) -> None:
    found = text_presence(scene(seed, *SIZES[seed % len(SIZES)]))
    assert found.decision is Decision.NO_TEXT, found


# Text as high as 1.5% of the picture's shorter side and up: a caption of 11 px on a 1024x768 photograph,
# a 10-point line of an A4 page scanned at 300 dpi (42 px of 2480).
@pytest.mark.parametrize("share", [0.015, 0.03, 0.06, 0.12])
@pytest.mark.parametrize("seed", range(len(CAPTIONS)))
def test_a_photograph_with_a_line_of_text_is_found_to_have_text(seed: int, share: float) -> None:
    width, height = SIZES[seed % len(SIZES)]
    found = text_presence(captioned(seed, round(min(width, height) * share), width, height, text=CAPTIONS[seed]))
    assert found.decision is Decision.TEXT, found
    assert found.regions >= 1 and found.score >= 0.5


@pytest.mark.parametrize("degradation", sorted(DEGRADATIONS))
@pytest.mark.parametrize("lines", [CHINESE, UYGHUR, ENGLISH], ids=["zh", "ug", "en"])
def test_a_scanned_page_is_never_skipped(lines: list[str], degradation: str) -> None:
    assert text_presence(DEGRADATIONS[degradation](render(lines, size=28))).decision is Decision.TEXT


@pytest.mark.parametrize("mode", ["RGBA", "LA"])
def test_text_on_a_transparent_background_is_found(mode: str) -> None:
    grey = render(CHINESE[:2], width=1000, height=400, margin=40)
    alpha = grey.point(lambda v: 255 - v)  # the text opaque, the paper transparent (and black)
    im = Image.merge("RGBA", (Image.new("L", grey.size, 0),) * 3 + (alpha,))
    assert text_presence(im.convert(mode)).decision is Decision.TEXT


def _ctx(tmp_path: Path) -> IngestContext:
    return IngestContext(workdir=tmp_path / "work", ocr_langs="chi_sim+eng")


def test_a_skipped_photograph_keeps_its_metadata_and_the_decision_on_its_page(tmp_path: Path) -> None:
    path = tmp_path / "IMG_0001.jpg"
    scene(3).save(path, quality=90)
    ext = ImageIngestor().ingest(path, _ctx(tmp_path))
    assert ext.metadata["width"] == 1024 and ext.status == "ok"
    (page,) = ext.pages
    assert page.text == "" and "engine" not in page.meta
    assert page.meta["text_presence"]["decision"] == Decision.NO_TEXT.value
    assert page.meta["text_presence"]["score"] < 1 and page.meta["skipped"]


def test_with_the_pass_off_every_photograph_is_read(tmp_path: Path) -> None:
    path = tmp_path / "IMG_0002.jpg"
    scene(4).save(path, quality=90)
    ctx = IngestContext(workdir=tmp_path / "work", ocr_langs="chi_sim+eng", ocr_presence=False)
    (page,) = ImageIngestor().ingest(path, ctx).pages
    assert "engine" in page.meta and "text_presence" not in page.meta


def test_a_forced_run_reads_a_page_the_pass_skipped(tmp_path: Path) -> None:
    # A caption 16 px high on a 3000x2000 photograph (0.8% of its height): below what the pass sees on
    # its downscaled copy, within what the recogniser reads at full size.
    caption = CAPTIONS[2]
    path = tmp_path / "IMG_0003.png"
    captioned(1, 16, 3000, 2000, text=caption).save(path)
    (skipped,) = ImageIngestor().ingest(path, _ctx(tmp_path)).pages
    assert skipped.text == "" and skipped.meta["text_presence"]["decision"] == Decision.NO_TEXT.value
    (forced,) = ocr_pages(path, _ctx(tmp_path), force=True)
    assert caption in forced.text.replace(" ", "") and "text_presence" not in forced.meta
