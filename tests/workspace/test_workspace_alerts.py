"""Saved-search alerts on both engines: an alert fires when an existing exhibit newly matches, after each
trigger (a tag, a note, a note's edit, a highlight's comment, OCR run again), once, and only for whom the
change is visible; an exhibit that already matched does not alert again."""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner
from workspace_support import Cache, seq_of, word

from exhibit import workspace
from exhibit.archive import Archive, ex_id
from exhibit.cli.main import app
from exhibit.config import Config
from exhibit.workspace import saved


def _changed(arch: Archive, viewer: str) -> dict[str, list[str]]:
    return {a.saved.name: list(a.changed) for a in saved.alerts(arch, viewer)}


class TestAnExistingExhibitThatNewlyMatchesAlerts:
    def test_a_tag(self, ws_archive: Path, ws_cache: Cache) -> None:
        name = word(random.Random(71), 4)
        with Archive.open(ws_archive) as arch:
            pdf, scan = seq_of(arch, ws_cache.pdf), seq_of(arch, ws_cache.scan)
            saved.save(arch, "tagged", f"tag:{name}", owner="ana")
            assert _changed(arch, "ana") == {}
            workspace.tag(arch, [workspace.target(arch, ex_id(pdf))], add=[name], actor="ben")
            assert _changed(arch, "ana") == {"tagged": [ex_id(pdf)]}
            assert _changed(arch, "ana") == {"tagged": [ex_id(pdf)]}  # until seen
            saved.alerts(arch, "ana", mark_seen=True)
            assert _changed(arch, "ana") == {}
            # the exhibit matched already: a tag on its page is no news; a second exhibit is
            workspace.tag(arch, [workspace.target(arch, f"{ex_id(pdf)}:p2"),
                                 workspace.target(arch, ex_id(scan))], add=[name], actor="ben")
            assert _changed(arch, "ana") == {"tagged": [ex_id(scan)]}

    def test_a_note_and_its_edit_and_not_a_private_note_of_someone_else(self, ws_archive: Path,
                                                                          ws_cache: Cache) -> None:
        rng = random.Random(72)
        needle, other = word(rng, 4), word(rng, 4)
        with Archive.open(ws_archive) as arch:
            pdf, scan = seq_of(arch, ws_cache.pdf), seq_of(arch, ws_cache.scan)
            saved.save(arch, "noted", f"note:{needle}", owner="ana")
            workspace.add_note(arch, workspace.target(arch, ex_id(scan)), f"only {needle}", actor="ben", private=True)
            assert _changed(arch, "ana") == {}
            n = workspace.add_note(arch, workspace.target(arch, ex_id(pdf)), f"about {other}", actor="ben")
            assert _changed(arch, "ana") == {}
            workspace.add_note(arch, workspace.target(arch, ex_id(scan)), f"see {needle}", actor="ben")
            assert _changed(arch, "ana") == {"noted": [ex_id(scan)]}
            saved.alerts(arch, "ana", mark_seen=True)
            workspace.edit_note(arch, n.note_id, f"about {needle} after all", actor="ben")
            assert _changed(arch, "ana") == {"noted": [ex_id(pdf)]}

    def test_a_highlight_comment(self, ws_archive: Path, ws_cache: Cache) -> None:
        needle = word(random.Random(73), 4)
        with Archive.open(ws_archive) as arch:
            pdf = seq_of(arch, ws_cache.pdf)
            saved.save(arch, "commented", f"note:{needle}", owner="ana")
            quote = " ".join(ws_cache.pdf_lines[0][1].split()[:2])
            workspace.highlight(arch, ex_id(pdf), page=1, quote=quote, comment=f"why {needle}", actor="ben")
            assert _changed(arch, "ana") == {"commented": [ex_id(pdf)]}

    def test_ocr_run_again(self, catalog_url: str | None, ws_cache: Cache, tmp_path: Path) -> None:
        from exhibit.ingest import ingest

        src = tmp_path / "cache"
        (src / "scans").mkdir(parents=True)
        shutil.copy(ws_cache.root / ws_cache.scan, src / "scans")
        root = tmp_path / "archive"
        with Archive.init(root, catalog_url) as arch:
            ingest(arch, [src], Config(jobs=1, custodian="pytest", ocr=False))
            seq = seq_of(arch, "scans/notice.png")
            heading = ws_cache.scan_lines[0].split()[1].lower()
            saved.save(arch, "scan", heading, owner="ana")
            assert _changed(arch, "ana") == {}
        for args in (["ocr", ex_id(seq), "--force", "--json"], ["reindex"]):
            res: Any = CliRunner().invoke(app, [*args, "--archive", str(root)])
            assert res.exit_code == 0, res.output
        with Archive.open(root) as arch:
            [alert] = saved.alerts(arch, "ana")
            assert list(alert.changed) == [ex_id(seq)] and alert.new_hits >= 1


def test_a_search_saved_before_changes_were_watched_keeps_its_new_exhibit_alerts(ws_archive: Path,
                                                                                 tmp_path: Path) -> None:
    term = word(random.Random(74), 5)
    with Archive.open(ws_archive) as arch:
        saved.save(arch, "old", term, owner="ana")
        with arch.transaction() as db:  # as an archive whose searches were saved before this version
            db.execute("DELETE FROM workspace_saved_watch")
            db.execute("DELETE FROM workspace_saved_matched")
    (tmp_path / "batch").mkdir()
    (tmp_path / "batch" / "late.txt").write_text(f"arrived {term}\n", encoding="utf-8")
    res: Any = CliRunner().invoke(app, ["ingest", str(tmp_path / "batch"), "--json", "--archive", str(ws_archive)])
    assert res.exit_code == 0, res.output
    with Archive.open(ws_archive) as arch:
        [alert] = saved.alerts(arch, "ana")
        assert alert.new_hits == 1 and alert.changed == ()
        assert saved.alerts(arch, "ana") != []  # watching started; the new exhibit waits to be seen
