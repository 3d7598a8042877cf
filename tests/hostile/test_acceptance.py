"""The acceptance test of issue 13 (hostile caches), over every hostile-file generator: for each class, a
folder of the hostile file(s) and ordinary files with marker words is ingested; the ingest finishes, every
other file is catalogued, the hostile file is listed with its status and a reason naming the limit,
every marker word the files hold is found by search, `verify` passes, and the peak memory of the whole
process tree stays within 512 MB of an ordinary ingest's peak measured in this same session.

The web's hostile requests (gen_web) are not files to ingest: tests/web/test_hostile_web.py holds them.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from exhibit.archive import Archive
from exhibit.archive.verify import verify
from exhibit.config import Config, Limits
from exhibit.ingest import Summary, ingest
from exhibit.search import search, sync
from hostile import gen_contain, gen_formats, gen_names, gen_outside
from hostile.gen_contain import Case, write_files
from hostile.gen_formats import FormatCase
from hostile.peak import TreePeak

MB = 1024 * 1024
SEED = 1313


@dataclass(frozen=True)
class Hostile:
    """One class's folder and what the ingest must make of it."""

    files: dict[str, bytes]                       # path in the folder -> bytes
    expect: dict[str, tuple[str, tuple[str, ...]]]  # hostile path -> (status, words of its reason)
    markers: tuple[str, ...]                      # words that must be found by search
    others: tuple[str, ...] = ()                  # ordinary files, "path:marker"
    limits: dict[str, int] = field(default_factory=dict)
    members: dict[str, str] = field(default_factory=dict)  # member path -> status
    status_below: bool = False
    plugin: bool = False
    ocr: bool = False
    memory_case: bool = False
    links: tuple[str, ...] = ()                    # links in the folder, listed and not followed
    kept_by_hostile: tuple[str, ...] = ()          # markers that must be found in the hostile file itself


def _from_case(case: Case) -> Hostile:
    others = tuple(case.others)
    markers = tuple(case.markers) + tuple(o.split(":", 1)[1] for o in others)
    fmt = case if isinstance(case, FormatCase) else None
    return Hostile(dict(case.files), {case.name: (case.status, case.reason_words)}, markers, others,
                   dict(case.limits), dict(fmt.members) if fmt else {}, fmt.status_below if fmt else False,
                   case.plugin, case.ocr, case.plugin and "memory" in case.reason_words[0],
                   kept_by_hostile=tuple(case.markers))


def _names_case(seed: int) -> Hostile:
    """Hostile member names in a zip and a tar (file names on disk need bytes that are not text, and have
    their own test in tests/ingest/test_hostile_names.py); each member's content is its marker."""
    import random
    import tempfile

    rng = random.Random(seed)
    files, others = gen_contain._ordinary(rng)
    names = gen_names.name_classes(seed)
    markers: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind, make in (("zip", gen_names.make_zip), ("tar", gen_names.make_tar)):
            made = make(Path(tmp) / f"m.{kind}", names)
            files[f"members.{kind}"] = (Path(tmp) / f"m.{kind}").read_bytes()
            markers += [c.split()[0].decode() for c in made.values()]
    markers += [o.split(":", 1)[1] for o in others]
    return Hostile(files, {"members.zip": ("ok", ()), "members.tar": ("ok", ())}, tuple(markers), others)


def _links_case(seed: int) -> Hostile:
    """Links of every kind in the folder (made by the test, since they are not bytes): listed, not followed."""
    import random

    rng = random.Random(seed)
    files, others = gen_contain._ordinary(rng)
    return Hostile(files, {}, tuple(o.split(":", 1)[1] for o in others), others,
                   links=("to-file", "to-folder", "dangling", "loop"))


def _scan_case(seed: int) -> Hostile:
    """A scanned page (image only) read by OCR, beside ordinary files."""
    import random
    import tempfile

    rng = random.Random(seed)
    files, others = gen_contain._ordinary(rng)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = gen_outside.write_scanned_pdf(Path(tmp) / "s.pdf", (gen_outside.MARKERS[0], "scanned page"))
        files["scans/scanned.pdf"] = pdf.read_bytes()
    return Hostile(files, {"scans/scanned.pdf": ("ok", ())}, (gen_outside.MARKERS[0].split()[0],
                                                               *(o.split(":", 1)[1] for o in others)), others, ocr=True)


def _generators() -> list[tuple[str, Callable[[int], Hostile]]]:
    out: list[tuple[str, Callable[[int], Hostile]]] = []
    for make in (*gen_contain.PLUGIN_CASES, *gen_contain.REAL_PARSER_CASES, *gen_formats.ALL):
        out.append((f"{make.__module__.rsplit('.', 1)[-1]}.{make.__name__}",
                    lambda seed, make=make: _from_case(make(seed))))
    out += [("gen_names.members", _names_case), ("gen_names.links", _links_case),
            ("gen_outside.scanned_pdf", _scan_case)]
    return out


def _ingest(root: Path, src: Path, config: Config) -> tuple[Summary, TreePeak]:
    with TreePeak() as peak, Archive.open(root, create=True) as arch:
        summary = ingest(arch, [src], config)
        sync(arch)
    return summary, peak


def _config(root: Path, ocr: bool, limits: Limits = Limits()) -> Config:
    return Config(jobs=1, ocr=ocr, ocr_langs="eng", custodian="pytest", limits=limits)


@pytest.fixture(scope="session")
def ordinary_peak(tmp_path_factory: pytest.TempPathFactory) -> Callable[[bool], TreePeak]:
    """An ordinary ingest's peak (ordinary files of every kind the cases hold), once per session per OCR setting."""
    import random

    peaks: dict[bool, TreePeak] = {}

    def measure(ocr: bool) -> TreePeak:
        if ocr not in peaks:
            base = tmp_path_factory.mktemp(f"ordinary-{ocr}")
            rng = random.Random(SEED)
            files, _ = gen_contain._ordinary(rng)
            files["web/page.html"] = b"<html><body><table><tr><td>a</td><td>b</td></tr></table></body></html>"
            files["registers/r.csv"] = b"a,b\n1,2\n"
            if ocr:
                pdf = gen_outside.write_scanned_pdf(base / "s.pdf", ("ORDINARY SCAN", "one page"))
                files["scans/s.pdf"] = pdf.read_bytes()
            write_files(base / "cache", files)
            _, peaks[ocr] = _ingest(base / "archive", base / "cache", _config(base / "archive", ocr))
        return peaks[ocr]

    return measure


def _register_plugin(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp / "site"
    (site / "exhibit_hostile_plugin-0.dist-info").mkdir(parents=True)
    shutil.copy(Path(gen_contain.__file__).with_name("contain_plugin.py"), site / "exhibit_hostile_plugin.py")
    (site / "exhibit_hostile_plugin-0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: exhibit-hostile-plugin\nVersion: 0\n")
    (site / "exhibit_hostile_plugin-0.dist-info" / "entry_points.txt").write_text(
        "[exhibit.ingestors]\nhostile = exhibit_hostile_plugin:HostileIngestor\n")
    monkeypatch.syspath_prepend(str(site))


@pytest.mark.parametrize(("label", "make"), _generators(), ids=[g[0] for g in _generators()])
def test_a_hostile_class_is_contained_and_the_rest_of_the_folder_is_catalogued(
        label: str, make: Callable[[int], Hostile], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        ordinary_peak: Callable[[bool], TreePeak]) -> None:
    h = make(SEED)
    if h.plugin:
        _register_plugin(tmp_path, monkeypatch)
    base = ordinary_peak(h.ocr)
    cache = tmp_path / "cache"
    write_files(cache, h.files)
    if h.links:
        (cache / "links").mkdir(parents=True)
        gen_names.make_links(cache / "links", tmp_path / "outside")
    limits = dataclasses.replace(Limits(), **h.limits)
    if h.memory_case:  # the address space this session's workers need, and 320 MB on top for the parser
        limits = dataclasses.replace(limits, memory_bytes=base.worker_vms + 320 * MB)
    root = tmp_path / "archive"
    summary, peak = _ingest(root, cache, _config(root, h.ocr, limits))

    with Archive.open(root) as arch:
        by_path = {p.path: e for e in arch.exhibits() for p in e.paths}
        assert set(h.files) <= set(by_path), f"not catalogued: {set(h.files) - set(by_path)}"
        for path, (status, words) in h.expect.items():
            found = [by_path[path]]
            if h.status_below:
                found += [e for p, e in by_path.items() if p.startswith(path + "/")]
            hit = [e for e in found if str(e.status) == status]
            assert hit, f"{path}: {[(str(e.status), e.reason) for e in found]}"
            for word in words:
                assert any(word in (e.reason or "") for e in hit), f"{word!r} not in {[e.reason for e in hit]}"
        for member, status in h.members.items():
            assert member in by_path, f"member {member!r} not catalogued; paths: {sorted(by_path)[:20]}"
            assert str(by_path[member].status) == status, by_path[member].reason
        for other in h.others:
            path = other.split(":", 1)[0]
            assert str(by_path[path].status) == "ok", by_path[path].reason
        hostile = tuple(h.expect)
        for marker in h.markers:
            found = search(arch, marker, limit=50).hits
            assert found, f"marker {marker!r} not found by search"
            if marker in h.kept_by_hostile:  # found in what was kept of the hostile file, not elsewhere
                assert any(p == name or p.startswith(name + "/") for hit in found for p in hit.paths
                           for name in hostile), f"{marker!r} found only in {[hit.paths for hit in found]}"
        if "image_pixels" in h.limits:  # rendered for OCR within the pixel limit, and the page says so
            (name,) = hostile
            shrunk = arch.pages(by_path[name].seq)[0].meta["downscaled"]
            assert shrunk["pixels"] <= h.limits["image_pixels"] == shrunk["limit"]
        assert verify(arch, record=False)["ok"]
    for link in h.links:
        listed = [p for p in summary.problems if p["path"].endswith(link)]
        assert listed and listed[0]["status"] == "link" and "not followed" in (listed[0]["reason"] or "")
    assert peak.rss <= base.rss + 512 * MB, f"peak {peak.rss / MB:.0f} MB, ordinary {base.rss / MB:.0f} MB"
