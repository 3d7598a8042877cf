"""Photo and Office forensics through the real pipeline: EXIF against itself, GPS, the file name, the batch
and the thumbnail; Office core and app properties."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from forensic_fixtures import docx_file, photo, sentences

from exhibit.archive import Archive
from exhibit.config import Config
from exhibit.documents import forensics
from exhibit.documents.forensics import FindingCode, name_time
from exhibit.ingest import ingest

T = "2018:03:14 10:22:31"
# name -> (how to make it, the codes expected among the photo codes)
PHOTOS: dict[str, tuple[Callable[[Path], None], set[FindingCode]]] = {
    "IMG_20180314_102231.jpg": (lambda p: photo(p, 1, original=T, modified=T), set()),
    "IMG_20180501_080000.jpg": (lambda p: photo(p, 2, original=T, modified=T), {FindingCode.FILENAME_TIME_DIFFERS}),
    "edited.jpg": (lambda p: photo(p, 3, original=T, modified="2019:01:02 11:00:00",
                                   software="Adobe Photoshop CC 2019 (Windows)"),
                   {FindingCode.EXIF_ORIGINAL_VS_MODIFIED, FindingCode.EDITING_SOFTWARE}),
    "gps_zone.jpg": (lambda p: photo(p, 4, original=T, gps_utc=("2018:03:14", (2.0, 22.0, 31.0))), set()),
    "gps_off.jpg": (lambda p: photo(p, 5, original=T, gps_utc=("2018:03:14", (2.0, 59.0, 0.0))),
                    {FindingCode.EXIF_GPS_TIME_DIFFERS}),
    "thumb_same.jpg": (lambda p: photo(p, 6, original=T, thumbnail_seed=6), set()),
    "thumb_other.jpg": (lambda p: photo(p, 7, original=T, thumbnail_seed=99), {FindingCode.THUMBNAIL_DIFFERS}),
    "other_camera.jpg": (lambda p: photo(p, 8, original=T, make="Apple", model="iPhone X"),
                         {FindingCode.CAMERA_DIFFERS_IN_BATCH}),
}
PHOTO_CODES = {FindingCode.FILENAME_TIME_DIFFERS, FindingCode.EXIF_ORIGINAL_VS_MODIFIED, FindingCode.EDITING_SOFTWARE,
               FindingCode.EXIF_GPS_TIME_DIFFERS, FindingCode.THUMBNAIL_DIFFERS, FindingCode.CAMERA_DIFFERS_IN_BATCH}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("photos")
    (tmp / "src" / "batch").mkdir(parents=True)
    for name, (make, _) in PHOTOS.items():
        make(tmp / "src" / "batch" / name)
    docx_file(tmp / "src" / "draft.docx", sentences(1, 4), revision=5, total_minutes=0, company="某县委办公室")
    docx_file(tmp / "src" / "typed.docx", sentences(2, 4), revision=3, total_minutes=47)
    root = tmp / "archive"
    with Archive.init(root) as arch:
        ingest(arch, [tmp / "src"], Config(jobs=1, ocr=False, custodian="pytest"))
    return root


def _codes(root: Path, name: str) -> tuple[set[FindingCode], list[forensics.Finding]]:
    with Archive.open(root) as arch:
        seq = next(e.seq for e in arch.exhibits() if e.path.endswith(name))
        found = forensics.findings(arch, seq)
    return {f.code for f in found}, found


@pytest.mark.parametrize("name", sorted(PHOTOS))
def test_each_photo_has_exactly_its_findings(archive: Path, name: str) -> None:
    codes, found = _codes(archive, name)
    assert codes & PHOTO_CODES == PHOTOS[name][1]
    assert all(f.page == 1 and f.evidence for f in found if f.code in PHOTO_CODES)


def test_the_batch_finding_names_the_usual_camera(archive: Path) -> None:
    _, found = _codes(archive, "other_camera.jpg")
    f = next(f for f in found if f.code == FindingCode.CAMERA_DIFFERS_IN_BATCH)
    assert f.evidence["batch_camera"] == {"make": "Canon", "model": "Canon EOS 80D"}
    assert f.evidence["camera"] == {"make": "Apple", "model": "iPhone X"}


@pytest.mark.parametrize(("name", "expected"), [
    ("IMG_20180314_102231.jpg", ("2018-03-14T10:22:31", True)),
    ("Screenshot_2018-03-14-10-22-31.png", ("2018-03-14T10:22:31", True)),
    ("scan 2018.03.14.jpg", ("2018-03-14T00:00:00", False)),
    ("mmexport1521000000000.jpg", ("2018-03-14T04:00:00+00:00", True)),
    ("photo.jpg", None),
    ("IMG_20181340_000000.jpg", None),
])
def test_timestamps_are_read_from_file_names(name: str, expected: tuple[str, bool] | None) -> None:
    got = name_time(name)
    assert (None if got is None else (got[0].isoformat(), got[1])) == expected


def test_office_properties_and_an_editing_time_of_zero(archive: Path) -> None:
    codes, found = _codes(archive, "draft.docx")
    props = next(f for f in found if f.code == FindingCode.OFFICE_PROPERTIES).evidence
    assert props["author"] == "起草人" and props["last_modified_by"] == "审核人" and props["revision"] == "5"
    assert props["template"] == "红头模板.dotm" and props["company"] == "某县委办公室"
    assert props["total_editing_minutes"] == "0"
    assert FindingCode.OFFICE_NO_EDITING_TIME in codes
    codes, _ = _codes(archive, "typed.docx")
    assert FindingCode.OFFICE_PROPERTIES in codes and FindingCode.OFFICE_NO_EDITING_TIME not in codes
    assert FindingCode.CREATED_AFTER_MODIFIED not in codes


def test_a_word_97_file_shows_its_summary_properties(tmp_path: Path) -> None:
    import shutil

    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(Path(__file__).parents[1] / "ingest" / "fixtures" / "english.doc", src / "old.doc")
    root = tmp_path / "archive"
    with Archive.init(root) as arch:
        ingest(arch, [src], Config(jobs=1, ocr=False, custodian="pytest"))
        seq = next(e.seq for e in arch.exhibits())
        meta = arch.metadata(seq)
        found = [f for f in forensics.findings(arch, seq) if f.code == FindingCode.OFFICE_PROPERTIES]
    shown = {k for k in ("author", "last_modified_by", "company", "creator") if meta.get(k)}
    assert shown, "the fixture has no summary properties to show"
    assert len(found) == 1 and all(found[0].evidence[k] == str(meta[k]) for k in shown)
