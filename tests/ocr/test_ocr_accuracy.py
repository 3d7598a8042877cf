"""OCR accuracy against truth.ocr (acceptance) and on degraded pages the tests make themselves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ocr_degrade import CHINESE, DEGRADATIONS, ENGLISH, UYGHUR, render
from ocr_helpers import cer, fold, ingest_file

from exhibit.ingest.formats import IngestContext
from exhibit.ocr import OcrResult, ocr_image
from exhibit.text.script import Script, script_counts


@pytest.fixture()
def ctx(tmp_path: Path) -> IngestContext:
    return IngestContext(workdir=tmp_path)  # no cache: every test reads for real


def _ocr(image: Any, ctx: IngestContext) -> OcrResult:
    return ocr_image(image, ctx.ocr_langs, ctx.ocr_cache, ctx.workdir)


def _clean_chinese(truth: dict[str, Any]) -> list[str]:
    return [name for name, f in truth["files"].items()
            if name in truth["ocr"] and f.get("lang", "zh") == "zh" and not f.get("degraded")
            and f.get("script") != "Arabic"]


def test_every_clean_chinese_scan_is_read_within_1_5_percent(corpus_dir: Path, truth: dict[str, Any],
                                                             ctx: IngestContext) -> None:
    names = _clean_chinese(truth)
    assert len(names) >= 3
    for name in names:
        page = ingest_file(corpus_dir / name, ctx)[0]
        assert page.source == "ocr"
        assert cer(page.text, truth["ocr"][name]) <= 0.015, (name, page.text)
        assert page.meta["engine"].startswith("rapidocr")
        assert page.lang == "zh"


def test_the_degraded_fax_is_read_within_3_percent(corpus_dir: Path, truth: dict[str, Any],
                                                   ctx: IngestContext) -> None:
    [name] = [n for n, f in truth["files"].items() if f.get("degraded")]
    page = ingest_file(corpus_dir / name, ctx)[0]
    assert cer(page.text, truth["ocr"][name]) <= 0.03, page.text


def test_the_uyghur_notice_is_read_within_3_percent_with_its_latin_form(corpus_dir: Path, truth: dict[str, Any],
                                                                        ctx: IngestContext) -> None:
    name = "scans/uyghur_notice.png"
    page = ingest_file(corpus_dir / name, ctx)[0]
    assert cer(page.text, truth["ocr"][name]) <= 0.03, page.text
    assert page.lang == "ug"
    assert script_counts(page.text)[Script.HANI] == 0  # never read as Chinese
    assert Script.ARAB in page.meta["scripts"]
    uly = fold(page.meta["uly"])
    for latin in truth["files"][name]["latin"]:
        assert fold(latin) in uly, (latin, page.meta["uly"])


def test_ocr_page_meta_has_engine_confidence_and_boxes_in_image_pixels(corpus_dir: Path, truth: dict[str, Any],
                                                                      ctx: IngestContext) -> None:
    from PIL import Image

    name = _clean_chinese(truth)[0]
    with Image.open(corpus_dir / name) as im:
        page = _ocr(im, ctx)
        w, h = im.size
    assert page.status is None
    assert page.meta["width"] == w and page.meta["height"] == h
    assert 0.8 <= page.meta["confidence"] <= 1.0
    assert page.meta["langs"] and "chi_sim" in page.meta["langs"]
    boxes = page.meta["boxes"]
    assert len(boxes) >= 4
    for x0, y0, x1, y1, text, conf in boxes:
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h
        assert text and text in page.text and 0 <= conf <= 1
    first = truth["ocr"][name].splitlines()[0]
    assert cer(boxes[0][4], first) <= 0.1  # the title is the top box


def test_a_page_mixing_chinese_uyghur_and_english_gets_all_three(ctx: IngestContext) -> None:
    lines = CHINESE[:2] + UYGHUR[:2] + ENGLISH[:1]
    page = _ocr(render(lines), ctx)
    got = page.text.splitlines()
    assert len(got) == len(lines), page.text
    for want, have in zip(lines, got, strict=True):
        assert cer(have, want) <= 0.05, (want, have)
    assert set(page.meta["scripts"]) == {Script.HANI, Script.ARAB, Script.LATN}
    assert "tesseract" in page.meta["engine"] and "rapidocr" in page.meta["engine"]
    assert "uly" in page.meta and "biz" in page.meta["uly"]


@pytest.mark.parametrize("degradation", ["rotate3", "blur", "jpeg15", "lowres50", "noise"])
def test_degraded_chinese_pages_stay_readable(degradation: str, ctx: IngestContext) -> None:
    page = _ocr(DEGRADATIONS[degradation](render(CHINESE)), ctx)
    assert cer(page.text, "\n".join(CHINESE)) <= 0.05, page.text


@pytest.mark.parametrize("degradation", ["rotate3", "blur", "jpeg15"])
def test_degraded_uyghur_pages_stay_readable_and_are_never_read_as_chinese(degradation: str,
                                                                           ctx: IngestContext) -> None:
    page = _ocr(DEGRADATIONS[degradation](render(UYGHUR)), ctx)
    assert script_counts(page.text)[Script.HANI] == 0, page.text
    assert cer(page.text, "\n".join(UYGHUR)) <= 0.08, page.text


def test_traditional_chinese_keeps_the_original_and_gets_a_simplified_form(ctx: IngestContext) -> None:
    lines = ["關於進一步加強重點人員管控工作的通知", "各鄉鎮派出所要在三日內完成人員資訊核對"]
    page = ocr_image(render(lines), "chi_tra+eng", None, ctx.workdir)
    assert cer(page.text, "\n".join(lines)) <= 0.05, page.text
    assert page.meta["engine"] == "tesseract" and page.meta["langs"] == ["chi_tra", "eng"]
    assert "關於進一步加強" in page.text
    assert "关于进一步加强" in page.meta["simplified"]
