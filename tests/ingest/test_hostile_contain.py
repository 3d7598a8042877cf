"""Containment by mechanism: a file that makes its parser exceed a limit (memory, CPU, wall time, scratch,
pages, characters, rows, cells, pixels) is kept with its bytes, its status and a reason naming the limit
and the option that raises it; what was read before the limit is kept; the rest of the folder is
catalogued, `verify` passes, and the process tree's memory stays near an ordinary ingest's."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hostile import gen_contain
from hostile.gen_contain import Case, write_files
from hostile.peak import TreePeak

from exhibit.archive import Archive
from exhibit.archive.verify import verify
from exhibit.config import Config, Limits
from exhibit.ingest import Summary, ingest

MB = 1024 * 1024
SEED = 1307


def _register_plugin(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Install the test-only ingestor as another package would: a distribution on sys.path naming it in
    the "exhibit.ingestors" entry-point group (the workers get this sys.path when they are spawned)."""
    site = tmp / "site"
    (site / "exhibit_hostile_plugin-0.dist-info").mkdir(parents=True)
    shutil.copy(Path(gen_contain.__file__).with_name("contain_plugin.py"), site / "exhibit_hostile_plugin.py")
    (site / "exhibit_hostile_plugin-0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: exhibit-hostile-plugin\nVersion: 0\n")
    (site / "exhibit_hostile_plugin-0.dist-info" / "entry_points.txt").write_text(
        "[exhibit.ingestors]\nhostile = exhibit_hostile_plugin:HostileIngestor\n")
    monkeypatch.syspath_prepend(str(site))


def _ingest(root: Path, src: Path, config: Config) -> tuple[Summary, TreePeak]:
    with TreePeak() as peak, Archive.open(root, create=True) as arch:
        summary = ingest(arch, [src], config)
    return summary, peak


def _texts(arch: Archive, seq: int) -> Iterator[str]:
    for p in arch.pages(seq):
        yield p.text
    for t in arch.tables(seq):
        for row in arch.table_rows(t.id):
            yield " ".join(str(c.value) for c in row.cells)


def _check(case: Case, tmp: Path, base_limits: Limits = Limits()) -> None:
    ordinary = {k: v for k, v in case.files.items() if k != case.name}
    write_files(tmp / "ordinary-only", ordinary)
    write_files(tmp / "cache", case.files)
    config = Config(jobs=1, ocr=case.ocr, ocr_langs="eng", custodian="pytest",
                    limits=base_limits)
    _, base = _ingest(tmp / "a0", tmp / "ordinary-only", config)
    limits = dataclasses.replace(base_limits, **case.limits)
    if case.name.endswith(".hostile") and "memory" in case.reason_words[0]:
        # The address space the workers of this very test need, and 320 MB on top for the parser.
        limits = dataclasses.replace(limits, memory_bytes=base.worker_vms + 320 * MB)
    root = tmp / "a1"
    summary, peak = _ingest(root, tmp / "cache", dataclasses.replace(config, limits=limits))

    with Archive.open(root) as arch:
        by_path = {p.path: e for e in arch.exhibits() for p in e.paths}
        assert set(case.files) <= set(by_path), f"not catalogued: {set(case.files) - set(by_path)}"
        hostile = by_path[case.name]
        assert str(hostile.status) == case.status, hostile.reason
        for word in case.reason_words:
            assert word in (hostile.reason or ""), f"{word!r} not in the reason {hostile.reason!r}"
        kept = " ".join(_texts(arch, hostile.seq))
        for marker in case.markers:
            assert marker in kept, f"{marker!r} was read before the limit and must be kept"
        if "image_pixels" in case.limits:  # rendered for OCR within the pixel limit, and the page says so
            shrunk = arch.pages(hostile.seq)[0].meta["downscaled"]
            assert shrunk["pixels"] <= case.limits["image_pixels"] == shrunk["limit"]
        for other in case.others:
            path, marker = other.split(":")
            assert str(by_path[path].status) == "ok"
            assert marker in " ".join(_texts(arch, by_path[path].seq))
        assert verify(arch, record=False)["ok"]
    assert summary.by_status[case.status] >= 1
    assert peak.rss <= base.rss + 512 * MB, f"peak {peak.rss / MB:.0f} MB, ordinary {base.rss / MB:.0f} MB"


@pytest.mark.parametrize("make", gen_contain.PLUGIN_CASES, ids=lambda f: f.__name__)
def test_a_parser_no_one_foresaw_is_stopped_at_its_limit(make: Callable[[int], Case], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    case = make(SEED)
    _register_plugin(tmp_path, monkeypatch)
    _check(case, tmp_path)


@pytest.mark.parametrize("make", gen_contain.REAL_PARSER_CASES, ids=lambda f: f.__name__)
def test_a_real_parser_fed_too_much_keeps_what_it_read(make: Callable[[int], Case], tmp_path: Path) -> None:
    _check(make(SEED), tmp_path)
