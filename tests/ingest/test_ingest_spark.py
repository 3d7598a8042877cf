"""Ingest on Apache Spark (pyspark in local mode): the archive of a local ingest, and nothing lost when a
Spark worker or the whole run is killed."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from exhibit.archive import Archive
from exhibit.archive.verify import manifest, verify
from exhibit.config import Config
from exhibit.demo.__main__ import main as make_demo_cache
from exhibit.ingest import ingest

pytestmark = pytest.mark.slow

SPARK = "local[2]"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Mixed files made by the demo generator (registers in XLSX, CSV and DOCX, PDFs, scans, mail, a zip)
    for several seeds, plus files that fail: a corrupt PDF, an empty file."""
    root = tmp_path_factory.mktemp("spark-cache")
    for seed in (3, 5, 11):
        assert make_demo_cache([str(root / f"seed-{seed}"), "--seed", str(seed)]) == 0
    (root / "broken").mkdir()
    (root / "broken" / "truncated.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<")
    (root / "broken" / "nothing.docx").write_bytes(b"")
    return root


def _snapshot(arch: Archive) -> dict[str, Any]:
    """What must be the same whoever parsed the files: per content hash, the exhibit's status, reason,
    type, pages and tables; every path; the custody events of each exhibit (kind, actor, details)."""
    exhibits = {}
    for ex in arch.exhibits():
        tables = [(t.ordinal, t.name, str(t.kind), t.row_count, [r.cells for r in arch.table_rows(t.id)])
                  for t in arch.tables(ex.seq)]
        exhibits[ex.sha256] = (str(ex.status), ex.reason, ex.media_type, sorted(ex.path_names),
                               [(p.number, p.text) for p in arch.pages(ex.seq)], sorted(tables))
    # Exhibit IDs follow the order in which files finish, on Spark as with two local workers: events name
    # exhibits by content hash here.
    # Which of two paths with the same content arrives first (the other then says `duplicate_of`) depends
    # on which worker finishes first, on Spark as locally: that key is left out, the paths are compared.
    sha_of = {ex.id: ex.sha256 for ex in arch.exhibits()}
    events = sorted((e.exhibit_sha256 or "", e.event, e.actor,
                     re.sub(r"EX-\d+", lambda m: sha_of.get(m.group(0), m.group(0)),
                            json.dumps({k: v for k, v in e.details.items() if k != "duplicate_of"}, sort_keys=True)))
                    for e in arch.custody_events())
    return {"manifest": manifest(arch)[0], "exhibits": exhibits, "events": events}


def _ingest(root: Path, cache: Path, spark: str | None) -> tuple[Archive, dict[str, Any]]:
    arch = Archive.open(root, create=True)
    summary = ingest(arch, [cache], Config(jobs=2, spark=spark, ocr_langs="chi_sim+eng", custodian="pytest"))
    return arch, summary.as_json()


def test_an_ingest_on_spark_makes_the_archive_of_a_local_ingest(cache: Path, tmp_path: Path) -> None:
    local, _ = _ingest(tmp_path / "local", cache, None)
    on_spark, summary = _ingest(tmp_path / "spark", cache, SPARK)
    # every file parsed by a Spark task, none by the fallback on this machine
    assert summary["spark"]["parsed"] == summary["files"] - summary["unchanged"] > 0
    assert summary["spark"]["failed_jobs"] == 0 == summary["spark"]["parsed_here"]
    a, b = _snapshot(local), _snapshot(on_spark)
    assert manifest(local)[1] == manifest(on_spark)[1]
    assert a["manifest"] == b["manifest"]
    assert a["exhibits"] == b["exhibits"]
    assert a["events"] == b["events"]
    assert verify(on_spark)["ok"]
    assert {s for s, *_ in a["exhibits"].values()} >= {"ok", "corrupt", "empty"}  # the mix holds failures


def _spark_python_workers(driver: psutil.Process) -> list[psutil.Process]:
    """The Python processes Spark forked to run tasks (pyspark.daemon's children), under the driver."""
    found = []
    for p in driver.children(recursive=True):
        try:
            cmd = " ".join(p.cmdline())
        except psutil.Error:
            continue
        if "pyspark.daemon" in cmd and p.parent() is not None and "pyspark.daemon" in " ".join(p.parent().cmdline()):
            found.append(p)
    return found


def _run_cli(archive: Path, cache: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "exhibit.cli", "ingest", str(cache), "--archive", str(archive),
                             "--spark", SPARK, "--custodian", "pytest", "--ocr-langs", "chi_sim+eng", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})


def _wait_for_workers(proc: subprocess.Popen[bytes], deadline: float = 240.0) -> list[psutil.Process]:
    driver = psutil.Process(proc.pid)
    end = time.monotonic() + deadline
    while time.monotonic() < end and proc.poll() is None:
        workers = _spark_python_workers(driver)
        if workers:
            return workers
        time.sleep(0.2)
    pytest.fail("no Spark Python worker started")


def _every_file_once(arch: Archive, cache: Path) -> None:
    exhibits = list(arch.exhibits())
    paths = [name for ex in exhibits for name in ex.path_names]
    assert len(paths) == len(set(paths))                                   # no path catalogued twice
    assert len({ex.sha256 for ex in exhibits}) == len(exhibits)            # no content twice
    on_disk = {p.relative_to(cache).as_posix() for p in cache.rglob("*") if p.is_file()}
    assert on_disk <= set(paths)                                           # every file of the cache


@pytest.mark.parametrize("kill", ["a Spark worker", "the whole run"])
def test_a_kill_mid_run_then_the_run_repeated_loses_nothing(cache: Path, tmp_path: Path, kill: str) -> None:
    archive = tmp_path / "archive"
    proc = _run_cli(archive, cache)
    workers = _wait_for_workers(proc)
    time.sleep(1.0)  # the workers are parsing their first files
    if kill == "a Spark worker":
        workers[0].kill()
        out, _ = proc.communicate(timeout=900)
        assert proc.returncode == 0
        summary = json.loads(out)
        # the failed job's files were parsed here, each alone, and are in the archive like the rest
        assert summary["spark"]["failed_jobs"] >= 1 and summary["spark"]["parsed_here"] >= 1
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    again = _run_cli(archive, cache)
    out, _ = again.communicate(timeout=900)
    assert again.returncode == 0, out
    arch = Archive.open(archive)
    result = verify(arch)
    assert result["ok"], result["problems"]
    _every_file_once(arch, cache)


def test_ocr_again_on_spark_reads_the_pages_a_local_run_reads(cache: Path, tmp_path: Path) -> None:
    import shutil

    from exhibit.ingest.reocr import rerun

    first = Archive.open(tmp_path / "a", create=True)
    ingest(first, [cache / "seed-3"], Config(jobs=2, ocr_langs="chi_sim+eng", custodian="pytest"))
    images = [ex.id for ex in first.exhibits() if (ex.media_type or "").startswith("image/")]
    assert images
    first.close()
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    runs = {}
    for name, spark in (("a", None), ("b", SPARK)):
        arch = Archive.open(tmp_path / name)
        summary = rerun(arch, images, langs="chi_sim+eng", force=True, actor="pytest", spark=spark)
        assert not summary["skipped"]
        runs[name] = ({ex["id"]: [(p.number, p.text) for p in arch.pages(arch.resolve(ex["id"]))]
                       for ex in summary["exhibits"]},
                      [{k: v for k, v in ex.items() if k != "custody_seq"} for ex in summary["exhibits"]])
        assert verify(arch)["ok"]
    assert runs["a"] == runs["b"]
    assert all(pages for pages in runs["b"][0].values())
