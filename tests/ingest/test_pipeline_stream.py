"""The walk feeds the workers as it goes, the progress bar gets the number of files, and a file that
cannot be read when its turn comes is listed without stopping the ingest (and is tried again next time)."""

from __future__ import annotations

import errno
import pickle
from pathlib import Path

import pytest

from exhibit.archive import Archive
from exhibit.archive.blobs import BlobStore
from exhibit.archive.verify import verify
from exhibit.archive.writer import StoredFile
from exhibit.config import Config
from exhibit.errors import UserError
from exhibit.ingest import ingest
from exhibit.ingest.walk import Task, count_files
from exhibit.ingest.worker import store
from exhibit.progress import Silent


def _tree(root: Path, n: int) -> list[Path]:
    files = []
    for i in range(n):
        p = root / f"d{i % 7}" / f"sub{i % 3}" / f"note{i:04d}.txt"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(f"第{i}号 通知", encoding="utf-8")
        files.append(p)
    return files


def test_the_total_is_the_number_of_regular_files(tmp_path: Path) -> None:
    src = tmp_path / "cache"
    files = _tree(src, 40)
    (src / "link.txt").symlink_to(files[0])  # links are not ingested, so not counted
    assert count_files([src]) == 40
    assert count_files([src, files[3]]) == 41


def test_progress_total_and_events_cover_every_file(tmp_path: Path) -> None:
    src = tmp_path / "cache"
    _tree(src, 60)
    root = tmp_path / "archive"
    arch = Archive.init(root)
    seen = _Recorder()
    summary = ingest(arch, [src], Config(jobs=2, ocr=False, custodian="pytest"), seen)
    assert seen.totals == [60] and seen.working == 60 and seen.done == 60 and seen.nbytes == summary.bytes
    assert summary.files == 60 and summary.new_exhibits == 60 and seen.finished == 1
    again = _Recorder()
    ingest(arch, [src], Config(jobs=2, ocr=False, custodian="pytest"), again)
    assert again.totals == [60] and again.working == 0 and again.done == 60 and again.nbytes == 0
    arch.close()


def test_a_file_gone_before_its_turn_is_listed_and_the_ingest_goes_on(tmp_path: Path) -> None:
    src = tmp_path / "cache"
    files = _tree(src, 30)
    victim = files[17]
    keep = victim.read_bytes()
    root = tmp_path / "archive"
    arch = Archive.init(root)

    rel_victim = victim.relative_to(src).as_posix()

    class Vanish(Silent):
        def working_on(self, item: str) -> None:
            if item == rel_victim:
                victim.unlink()  # listed by the walk, gone when the worker opens it

    summary = ingest(arch, [src], Config(jobs=1, ocr=False, custodian="pytest"), Vanish())
    rel = victim.relative_to(src).as_posix()
    [problem] = summary.problems
    assert problem["path"] == rel and problem["status"] == "unreadable" and problem["id"] is None
    assert "run the same ingest again" in (problem["reason"] or "")
    assert summary.new_exhibits == 29 and len(list(arch.exhibits())) == 29
    assert verify(arch)["ok"]
    # not remembered as seen: once the file is back, the next run takes it
    victim.write_bytes(keep)
    again = ingest(arch, [src], Config(jobs=1, ocr=False, custodian="pytest"))
    assert again.new_exhibits == 1 and again.unchanged == 29 and not again.problems
    assert rel in {p for e in arch.exhibits() for p in e.path_names}
    arch.close()


class _Recorder(Silent):
    """Counts what the ingest reports through the progress protocol."""

    def __init__(self) -> None:
        self.totals: list[int] = []
        self.working = self.done = self.nbytes = self.finished = 0

    def total(self, total: int) -> None:
        self.totals.append(total)

    def working_on(self, item: str) -> None:
        self.working += 1

    def advance(self, n: int = 1, item: str | None = None, *, failed: int = 0, nbytes: int = 0) -> None:
        self.done += n
        self.nbytes += nbytes

    def finish(self) -> None:
        self.finished += 1


class _FullDisk(BlobStore):
    def put_file(self, src: Path, pending_dirs: list[Path] | None = None) -> tuple[str, int]:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_archive_disk_stops_the_ingest_with_what_to_do(tmp_path: Path) -> None:
    """Unlike an unreadable source file, a full archive disk would fail every file: it is a user error
    (and crosses the worker boundary as one), not a file listed as unreadable."""
    src = tmp_path / "a.txt"
    src.write_text("x", encoding="utf-8")
    task = Task(str(src), "a.txt", 1, 0)
    with pytest.raises(UserError) as e:
        store(_FullDisk(tmp_path / "blobs"), task, tmp_path)
    assert "a.txt" in str(e.value) and "Free space" in str(e.value)
    assert pickle.loads(pickle.dumps(e.value)).args == e.value.args
    gone = store(BlobStore(tmp_path / "blobs"), Task(str(tmp_path / "gone.txt"), "gone.txt", 1, 0), tmp_path)
    assert isinstance(gone, StoredFile) and gone.status == "unreadable" and gone.sha256 == ""
