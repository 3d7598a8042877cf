"""OCR inside the archive: the ingested scans carry OCR pages, and `exhibit ocr` re-runs OCR as a custody event."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ocr_helpers import cer
from typer.testing import CliRunner

from exhibit.archive import Archive
from exhibit.archive.custody import broken_links
from exhibit.cli.main import app


def _seq_of(arch: Archive, path: str) -> int:
    row = arch.db.execute("SELECT exhibit_seq FROM paths WHERE path=? OR path LIKE ? ORDER BY id",
                          (path, f"%/{path}")).fetchone()
    assert row is not None, path
    return int(row[0])


def test_ocr_phrases_are_in_the_right_page_of_the_right_exhibit(dev_archive: Path, truth: dict[str, Any]) -> None:
    phrases = [p for p in truth["phrases"] if p.get("ocr")]
    assert phrases
    with Archive.open(dev_archive) as arch:
        for ph in phrases:
            page = arch.page(_seq_of(arch, ph["file"]), ph["page"])
            assert page is not None and page.source == "ocr", ph
            assert ph["query"] in page.text, (ph, page.text)


def test_ingested_scans_meet_the_error_rates(dev_archive: Path, truth: dict[str, Any]) -> None:
    with Archive.open(dev_archive) as arch:
        for name, text in truth["ocr"].items():
            page = arch.page(_seq_of(arch, name), 1)
            assert page is not None and page.source == "ocr"
            limit = 0.015 if truth["files"][name].get("lang") == "zh" and not truth["files"][name].get("degraded") \
                else 0.03
            assert cer(page.text, text) <= limit, (name, page.text)
            assert {"engine", "langs", "confidence", "boxes", "width", "height", "scripts"} <= set(page.meta)


def test_exhibit_ocr_rereads_and_records_a_custody_event(copy_archive: Path, truth: dict[str, Any]) -> None:
    name = "scans/uyghur_notice.png"
    with Archive.open(copy_archive) as arch:
        seq = _seq_of(arch, name)
        sha = arch.exhibit(seq).sha256
        before = len(arch.custody_events(sha))
    res = CliRunner().invoke(app, ["ocr", sha[:12], "--langs", "uig", "--engine", "tesseract", "--force",
                                   "--archive", str(copy_archive), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    [done] = summary["exhibits"]
    assert done["engines_used"] == ["tesseract"] and done["failed_pages"] == []
    with Archive.open(copy_archive) as arch:
        page = arch.page(seq, 1)
        assert page is not None and page.meta["engine"] == "tesseract" and page.meta["langs"] == ["uig"]
        assert cer(page.text, truth["ocr"][name]) <= 0.03
        events = arch.custody_events(sha)
        assert len(events) == before + 1
        last = events[-1]
        assert last.event == "ocr" and last.details["langs"] == "uig" and last.details["force"] is True
        assert broken_links(arch.db) == []


def test_exhibit_ocr_with_a_missing_language_refuses_and_keeps_the_pages(copy_archive: Path) -> None:
    from exhibit.errors import UserError

    with Archive.open(copy_archive) as arch:
        seq = _seq_of(arch, "scans/情况通报_第3期.pdf")
        before = arch.page(seq, 1)
        events = len(arch.custody_events())
    res = CliRunner().invoke(app, ["ocr", f"EX-{seq:06d}", "--langs", "chi_sim+xyz",
                                   "--archive", str(copy_archive), "--json"])
    assert isinstance(res.exception, UserError) and "xyz" in str(res.exception)
    with Archive.open(copy_archive) as arch:
        assert arch.page(seq, 1) == before
        assert len(arch.custody_events()) == events


def test_exhibit_ocr_on_an_unknown_id_is_a_user_error(copy_archive: Path) -> None:
    from exhibit.errors import UserError

    res = CliRunner().invoke(app, ["ocr", "EX-999999", "--archive", str(copy_archive)])
    assert res.exit_code != 0 and isinstance(res.exception, UserError)


def test_exhibit_ocr_after_an_ingest_without_ocr_sets_the_language(tmp_path: Path, corpus_dir: Path,
                                                                    truth: dict[str, Any]) -> None:
    """An image ingested with --no-ocr has no text and no language; `exhibit ocr` reads it and the exhibit
    then carries the language of what was read (ls, facets and search filters use it)."""
    name = "scans/uyghur_notice.png"
    src = tmp_path / "in"
    src.mkdir()
    (src / "notice.png").write_bytes((corpus_dir / name).read_bytes())
    root = tmp_path / "arch"
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--archive", str(root)]).exit_code == 0
    res = runner.invoke(app, ["ingest", str(src), "--archive", str(root), "--no-ocr", "--jobs", "1", "--json"])
    assert res.exit_code == 0, res.output
    with Archive.open(root) as arch:
        [ex] = [x.as_json() for x in arch.exhibits()]
        assert ex["lang"] is None and ex["status"] == "ok" and ex["pages"] == 0
    res = runner.invoke(app, ["ocr", ex["id"], "--archive", str(root), "--json"])
    assert res.exit_code == 0, res.output
    with Archive.open(root) as arch:
        after = arch.exhibit(arch.resolve(ex["id"]))
        assert after.lang == truth["files"][name]["lang"] and after.status == "ok"
        event = arch.custody_events(ex["sha256"])[-1]
        assert event.event == "ocr" and event.details["previous_status"] == "ok"
