"""The index is derived data: it catches up with the catalog, survives crashes, and rebuilds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from search_helpers import add_exhibit, new_archive

from exhibit.archive import Archive, Page, PageSource
from exhibit.search import open_index, rebuild, search, sync
from exhibit.search.index import STATE_FILE

HERE = Path(__file__).parent


def test_search_catches_up_with_new_exhibits_and_replaced_pages(tmp_path: Path) -> None:
    arch = new_archive(tmp_path / "a")
    seq = add_exhibit(arch, "scans/fax.png", ["情况通报 第一期"], source="ocr")
    assert search(arch, "通报").total == 1
    add_exhibit(arch, "scans/fax2.png", ["情况通报 第二期"], source="ocr")
    assert search(arch, "通报").total == 2
    with arch.transaction():  # a re-OCR replaces the pages
        arch.replace_pages(seq, [Page(1, "收押人数 上报", PageSource.OCR)])
    assert search(arch, "通报").total == 1
    assert search(arch, "收押人数").hits[0].id == "EX-000001"


def test_a_new_path_for_a_known_exhibit_reaches_the_filters(tmp_path: Path) -> None:
    arch = new_archive(tmp_path / "a")
    seq = add_exhibit(arch, "documents/电报.pdf", ["积分管理"])
    assert search(arch, "积分管理 path:copies/*").total == 0
    with arch.transaction() as db:  # the same bytes received again under another name: no `changes` row
        db.execute("INSERT INTO paths(exhibit_seq, path, source, received) VALUES (?,?,?,?)",
                   (seq, "copies/副本_电报.pdf", "", "2024-01-02T00:00:00Z"))
    assert search(arch, "积分管理 path:copies/*").total == 1


def test_an_index_whose_state_is_behind_replays_without_duplicates(tmp_path: Path) -> None:
    arch = new_archive(tmp_path / "a")
    add_exhibit(arch, "a.pdf", ["积分管理 一"])
    add_exhibit(arch, "b.pdf", ["积分管理 二"])
    sync(arch)
    # As if the process died after tantivy's commit but before the state was written:
    (arch.index_dir / STATE_FILE).write_text(json.dumps({"version": 1, "change_seq": 1, "path_id": 1}))
    arch.close()
    arch = Archive.open(tmp_path / "a")
    assert search(arch, "积分管理").total == 2


def test_lost_state_or_lost_index_folder_rebuilds(tmp_path: Path) -> None:
    arch = new_archive(tmp_path / "a")
    add_exhibit(arch, "a.pdf", ["积分管理"])
    sync(arch)
    arch.close()
    (tmp_path / "a" / "index" / STATE_FILE).unlink()
    arch = Archive.open(tmp_path / "a")
    assert search(arch, "积分管理").total == 1
    arch.close()
    import shutil

    shutil.rmtree(tmp_path / "a" / "index")
    arch = Archive.open(tmp_path / "a")
    assert search(arch, "积分管理").total == 1
    assert rebuild(arch).units == 1
    assert search(arch, "积分管理").total == 1


def test_killed_while_indexing_the_next_open_catches_up(tmp_path: Path) -> None:
    root = tmp_path / "a"
    arch = new_archive(root)
    pages = [f"第{i}页 积分管理 page {i}" for i in range(400)]
    for i in range(20):
        add_exhibit(arch, f"docs/{i}.pdf", pages)
    arch.close()
    code = ("import sys; from pathlib import Path; from exhibit.archive import Archive; import exhibit.search as s;"
            "a = Archive.open(Path(sys.argv[1])); print('go', flush=True); s.sync(a)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(root)], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.readline()
    time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    arch = Archive.open(root)
    assert search(arch, "积分管理", limit=0).total == 20 * 400
    assert search(arch, "page", group=True, limit=50).total_exhibits == 20
    idx = open_index(arch, catch_up=False)
    assert not idx.behind(arch.feed.mark())


def test_a_search_while_another_writer_holds_the_index_answers_from_the_last_commit(tmp_path: Path) -> None:
    arch = new_archive(tmp_path / "a")
    add_exhibit(arch, "a.pdf", ["积分管理 一"])
    sync(arch)
    add_exhibit(arch, "b.pdf", ["积分管理 二"])
    writer = open_index(arch, catch_up=False).index.writer(20_000_000, 1)  # as an ingest indexing now
    other = Archive.open(tmp_path / "a")
    assert search(other, "积分管理").total == 1
    del writer
    import gc

    gc.collect()
    assert search(other, "积分管理").total == 2


class Recorder:
    """A progress watcher that keeps what it was told (the protocol's real calls, in order)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []
        self.advanced = 0

    def start(self, task: str, total: int | None = None) -> None:
        self.calls.append(("start", (task, total)))

    def total(self, total: int) -> None:
        self.calls.append(("total", total))

    def advance(self, n: int = 1, item: str | None = None, *, failed: int = 0, nbytes: int = 0) -> None:
        self.calls.append(("advance", n))
        self.advanced += n

    def note(self, message: str) -> None:
        self.calls.append(("note", message))

    def finish(self) -> None:
        self.calls.append(("finish", None))


def test_indexing_reports_its_units_through_the_progress_protocol(tmp_path: Path) -> None:
    arch = new_archive(tmp_path / "a")
    add_exhibit(arch, "a.pdf", ["积分管理 一", "积分管理 二", "三"])
    add_exhibit(arch, "b.xlsx", [], rows=[["积分", "1"], ["管理", "2"]])
    rec = Recorder()
    assert sync(arch, progress=rec).units == 5
    assert rec.calls[0] == ("start", ("index for search", 5))
    assert rec.advanced == 5
    assert rec.calls[-1] == ("finish", None)
    rec.calls.clear()
    sync(arch, progress=rec)  # nothing new: nothing to report
    assert rec.calls == []
