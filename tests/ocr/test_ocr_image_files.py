"""The image ingestor: metadata and EXIF, multi-page TIFF, failing pages recorded while the rest is read,
and Pillow's pixel limit honoured (JPEG downscaled while decoding, others refused)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from ocr_degrade import CHINESE, render
from ocr_helpers import cer
from PIL import Image

from exhibit.config import Limits
from exhibit.errors import CorruptFile
from exhibit.ingest.formats import IngestContext
from exhibit.ingest.formats.image import ImageIngestor


def test_the_corpus_photo_gives_its_camera_and_time_from_exif(corpus_dir: Path, truth: dict[str, Any],
                                                              tmp_path: Path) -> None:
    [name] = [n for n, f in truth["files"].items() if "exif" in f]
    ext = ImageIngestor().ingest(corpus_dir / name, IngestContext(workdir=tmp_path, ocr=False))
    want = truth["files"][name]["exif"]
    assert ext.media_type == "image/jpeg" and ext.status == "ok"
    for key, value in want.items():
        assert ext.metadata["exif"][key] == value
    assert ext.metadata["camera_model"] == want["Model"]
    date, time = want["DateTime"].split(" ")
    assert ext.metadata["datetime"] == f"{date.replace(':', '-')}T{time}"
    with Image.open(corpus_dir / name) as im:
        assert (ext.metadata["width"], ext.metadata["height"]) == im.size


def test_gps_position_is_given_in_decimal_degrees(tmp_path: Path) -> None:
    from PIL import TiffImagePlugin

    img = Image.new("RGB", (64, 48), "white")
    exif = Image.Exif()
    exif[271] = "TestMake"
    gps = exif.get_ifd(0x8825)
    r = TiffImagePlugin.IFDRational
    gps.update({1: "N", 2: (r(39, 1), r(54, 1), r(3612, 100)), 3: "E", 4: (r(79, 1), r(55, 1), r(0, 1)),
                5: b"\x00", 6: r(1289, 1)})
    path = tmp_path / "gps.jpg"
    img.save(path, exif=exif)
    ext = ImageIngestor().ingest(path, IngestContext(workdir=tmp_path, ocr=False))
    assert ext.metadata["camera_make"] == "TestMake"
    assert ext.metadata["gps"]["lat"] == pytest.approx(39 + 54 / 60 + 36.12 / 3600, abs=1e-6)
    assert ext.metadata["gps"]["lon"] == pytest.approx(79 + 55 / 60, abs=1e-6)
    assert ext.metadata["gps"]["alt"] == pytest.approx(1289)


def test_a_multi_page_tiff_gives_one_ocr_page_per_frame(tmp_path: Path) -> None:
    first, second = render(CHINESE[:2]), render(CHINESE[2:])
    path = tmp_path / "two.tif"
    first.save(path, save_all=True, append_images=[second], compression="tiff_lzw")
    ext = ImageIngestor().ingest(path, IngestContext(workdir=tmp_path))
    assert ext.media_type == "image/tiff" and ext.metadata["frames"] == 2
    assert [p.number for p in ext.pages] == [1, 2]
    assert cer(ext.pages[0].text, "\n".join(CHINESE[:2])) <= 0.05
    assert cer(ext.pages[1].text, "\n".join(CHINESE[2:])) <= 0.05
    assert all(p.source == "ocr" for p in ext.pages)


def test_a_missing_language_pack_fails_the_page_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "page.png"
    render(CHINESE[:1]).save(path)
    ext = ImageIngestor().ingest(path, IngestContext(workdir=tmp_path, ocr_langs="chi_sim+xyz"))
    [page] = ext.pages
    assert page.source == "ocr" and page.text == ""
    assert page.meta["status"] == "failed" and "xyz" in page.meta["reason"]
    assert ext.status == "failed" and "xyz" in (ext.reason or "")
    assert ext.metadata["width"] == 1240  # the file itself is still described


def test_a_frame_above_the_pixel_limit_fails_alone_and_the_others_are_read(tmp_path: Path) -> None:
    small = render(CHINESE[:1], width=800, height=400, margin=40)
    big = Image.new("L", (1600, 1600), 250)
    path = tmp_path / "mixed.tif"
    small.save(path, save_all=True, append_images=[big, small])
    limits = Limits(image_pixels=1_000_000)
    ext = ImageIngestor().ingest(path, IngestContext(workdir=tmp_path, limits=limits))
    assert [p.number for p in ext.pages] == [1, 2, 3]
    assert ext.pages[1].meta["status"] == "expansion_limit" and "pixel limit" in ext.pages[1].meta["reason"]
    assert cer(ext.pages[0].text, CHINESE[0]) <= 0.05 and cer(ext.pages[2].text, CHINESE[0]) <= 0.05
    assert ext.status == "expansion_limit" and "page 2" in (ext.reason or "")


def test_a_jpeg_above_the_pixel_limit_is_downscaled_while_decoding(tmp_path: Path) -> None:
    page = render(CHINESE[:2], width=2480, height=1000, margin=160, size=72)
    path = tmp_path / "big.jpg"
    page.save(path, quality=90)
    limits = Limits(image_pixels=1_000_000)  # 2.5 MP image: decoded at 1/4 scale by the JPEG decoder
    ext = ImageIngestor().ingest(path, IngestContext(workdir=tmp_path, limits=limits))
    [p] = ext.pages
    assert "status" not in p.meta
    assert p.meta["width"] * p.meta["height"] <= 1_000_000
    assert ext.metadata["width"] == 2480  # the file's own size is still reported
    assert cer(p.text, "\n".join(CHINESE[:2])) <= 0.05


def test_an_image_bomb_is_recorded_not_decoded(tmp_path: Path) -> None:
    # 30000 x 30000 1-bit PNG: a few KB on disk, 900 million pixels (10x Pillow's limit).
    path = tmp_path / "bomb.png"
    Image.new("1", (30000, 30000), 1).save(path, optimize=True)
    assert path.stat().st_size < 2_000_000
    ext = _ingest_or_problem(path, tmp_path)
    assert ext is not None and ext["status"] == "expansion_limit", ext
    assert Image.MAX_IMAGE_PIXELS == Limits().image_pixels  # the limit is not lifted anywhere


def _ingest_or_problem(path: Path, tmp_path: Path) -> dict[str, Any] | None:
    from exhibit.errors import FileProblem

    try:
        ext = ImageIngestor().ingest(path, IngestContext(workdir=tmp_path))
    except FileProblem as e:
        return {"status": e.status, "reason": str(e)}
    return {"status": ext.status, "reason": ext.reason}


def test_garbage_with_an_image_name_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "fake.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(CorruptFile):
        ImageIngestor().ingest(path, IngestContext(workdir=tmp_path))


def test_a_transparent_png_is_read_on_white(tmp_path: Path) -> None:
    grey = render(CHINESE[:1], width=1000, height=300, margin=40)
    alpha = grey.point(lambda v: 255 - v)  # text opaque, paper transparent
    rgba = Image.merge("RGBA", (Image.new("L", grey.size, 0),) * 3 + (alpha,))
    buf = io.BytesIO()
    rgba.save(buf, "PNG")
    path = tmp_path / "alpha.png"
    path.write_bytes(buf.getvalue())
    ext = ImageIngestor().ingest(path, IngestContext(workdir=tmp_path))
    assert cer(ext.pages[0].text, CHINESE[0]) <= 0.05, ext.pages[0].text


def test_a_truncated_image_keeps_its_metadata_and_records_the_page_as_corrupt(tmp_path: Path) -> None:
    full = tmp_path / "full.png"
    render(CHINESE[:1], width=800, height=300, margin=30).save(full)
    cut = tmp_path / "cut.png"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    ext = ImageIngestor().ingest(cut, IngestContext(workdir=tmp_path))
    assert ext.metadata["width"] == 800
    [page] = ext.pages
    assert page.meta["status"] == "corrupt" and page.meta["reason"]
    assert ext.status == "corrupt"
