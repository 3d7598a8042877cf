"""The charts are real PNG and SVG files that name the categories (in English and Chinese) and the months."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from PIL import Image

from exhibit import coding
from exhibit.archive import Archive

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _svg_text(path: Path) -> str:
    root = ET.parse(path).getroot()  # a parse error fails the test: the SVG must be well-formed XML
    assert root.tag.endswith("svg")
    return " ".join(t for el in root.iter() for t in (el.text, el.get("aria-label")) if t)


def test_charts_are_valid_png_and_svg_naming_the_categories(coded_archive: Archive, tmp_path: Path,
                                                            demo_records: list[dict[str, Any]]) -> None:
    paths = coding.charts(coded_archive, tmp_path / "charts")
    names = sorted(p.name for p in paths)
    assert names == ["categories_by_register.png", "categories_by_register.svg", "records_by_month.png",
                     "records_by_month.svg"]
    for p in paths:
        if p.suffix == ".png":
            assert p.read_bytes()[:8] == PNG_MAGIC
            with Image.open(p) as im:
                im.verify()
            with Image.open(p) as im:
                assert im.size[0] > 400 and im.size[1] > 300
    bars = _svg_text(tmp_path / "charts/categories_by_register.svg")
    cb = coding.load_codebook()
    for c in cb.categories:
        assert c.en in bars and c.zh in bars, c.id
    assert "莎车县学员花名册_2018.xlsx" in bars  # the register's name in the legend
    timeline = _svg_text(tmp_path / "charts/records_by_month.svg")
    for month in {r["cells"]["入学时间"][:7].replace(".", "-") for r in demo_records}:
        assert month in timeline


def test_the_same_data_draws_the_same_svg(coded_archive: Archive, tmp_path: Path) -> None:
    a = coding.charts(coded_archive, tmp_path / "a")
    b = coding.charts(coded_archive, tmp_path / "b")
    for pa, pb in zip(a, b, strict=True):
        if pa.suffix == ".svg":
            assert pa.read_bytes() == pb.read_bytes()
