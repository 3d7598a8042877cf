"""The timeline: file metadata, photos, register rows and custody on one line, each with its evidence,
filtered by kind, exhibit and dates; the CLI's JSON and chart; `forensics --json` keeps its shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from forensic_fixtures import pdf_with, photo
from typer.testing import CliRunner

from exhibit.archive import Archive
from exhibit.cli.main import app
from exhibit.config import Config
from exhibit.documents import timeline
from exhibit.documents.timeline import TimeKind, parse_date
from exhibit.ingest import ingest


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("timeline")
    src = tmp / "src"
    src.mkdir()
    pdf_with(src / "notice.pdf", None)
    photo(src / "IMG_20180314_102231.jpg", 1, original="2018:03:14 10:22:31", modified="2018:03:14 10:22:31")
    (src / "register.csv").write_text("编号,姓名,登记日期\n1,甲,2017-05-03\n2,乙,2017年6月9日\n", encoding="utf-8")
    root = tmp / "archive"
    with Archive.init(root) as arch:
        ingest(arch, [src], Config(jobs=1, ocr=False, custodian="pytest"))
    return root


def test_every_kind_of_date_is_on_the_timeline_with_its_evidence(archive: Path) -> None:
    with Archive.open(archive) as arch:
        pts = timeline.points(arch)
        by = {e.seq: Path(e.path).name for e in arch.exhibits()}
    got = {(p.kind, by.get(p.exhibit_seq or 0), p.day) for p in pts}
    assert (TimeKind.FILE_CREATED, "notice.pdf", "2017-06-01") in got
    assert (TimeKind.FILE_MODIFIED, "notice.pdf", "2017-06-02") in got
    assert (TimeKind.PHOTO_TAKEN, "IMG_20180314_102231.jpg", "2018-03-14") in got
    rows = [p for p in pts if p.kind == TimeKind.REGISTER_ROW]
    assert [(p.day, p.row, p.label.endswith("登记日期")) for p in rows] == [("2017-05-03", 2, True),
                                                                          ("2017-06-09", 3, True)]
    assert all(p.table_id is not None and "row=" in p.link for p in rows)
    received = [p for p in pts if p.kind == TimeKind.RECEIVED]
    assert len(received) == 3 and all(p.custody_seq for p in received)
    assert [p.when for p in pts] == sorted(p.when for p in pts)


def test_filters_select_by_kind_exhibit_and_dates(archive: Path) -> None:
    with Archive.open(archive) as arch:
        pts = timeline.points(arch)
    only = timeline.select(pts, {TimeKind.REGISTER_ROW}, start="2017-06-01", end="2017-12-31")
    assert [p.day for p in only] == ["2017-06-09"]
    one = pts[0].exhibit_seq
    assert all(p.exhibit_seq == one for p in timeline.select(pts, exhibit=one))


@pytest.mark.parametrize(("text", "day"), [
    ("二〇一七年六月一日", "2017-06-01"), ("二〇一七年十二月三十一日", "2017-12-31"), ("2017年6月1日印发", "2017-06-01"),
    ("2017-06-01", "2017-06-01"), ("2017/6/1", "2017-06-01"), ("2017年13月1日", None), ("一份通知", None),
])
def test_dates_are_read_as_documents_write_them(text: str, day: str | None) -> None:
    assert parse_date(text) == day


def test_the_cli_timeline_and_forensics(archive: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    chart = tmp_path / "t.png"
    r = runner.invoke(app, ["timeline", "--json", "--chart", str(chart), "--kind", "photo_taken",
                            "--archive", str(archive)])
    assert r.exit_code == 0, r.output
    pts = json.loads(r.stdout)["points"]
    assert [p["kind"] for p in pts] == ["photo_taken"] and pts[0]["link"].startswith("/exhibits/EX-")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = runner.invoke(app, ["forensics", "--json", "--archive", str(archive)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert len(out["exhibits"]) == 3
    for ex in out["exhibits"]:
        assert set(ex) == {"id", "findings"}
        assert all({"code", "detail", "page", "evidence"} <= set(f) for f in ex["findings"])
