"""Nothing of a cache is written outside the archive folder: an ingest with OCR (PP-OCR and Tesseract on
scans, a scanned PDF rendered by PyMuPDF) and `exhibit ocr --force`, each run as the `exhibit` command
with HOME, TMPDIR and the working folder pointing at empty folders, leave them empty and never create
a name in them, not even for a moment (watched with inotify during the run)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile.gen_outside import MARKERS, EmptyFolderWatch, listing, write_scan_png, write_scanned_pdf

from exhibit.archive import Archive

# Variables through which a library could be told to write somewhere, or told not to: the run must not
# depend on the user's environment for either, so none of them is passed on.
_DROPPED = ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR",
            "MPLCONFIGDIR", "ORT_DISABLE_TELEMETRY")


@dataclass
class Outside:
    """The folders that must stay empty: the user's home, the system temp folder, the working folder."""

    home: Path
    tmp: Path
    cwd: Path

    @property
    def folders(self) -> list[Path]:
        return [self.home, self.tmp, self.cwd]

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
        env.update(HOME=str(self.home), TMPDIR=str(self.tmp), TEMP=str(self.tmp), TMP=str(self.tmp))
        return env


def _outside(base: Path) -> Outside:
    out = Outside(base / "home", base / "tmp", base / "cwd")
    for f in out.folders:
        f.mkdir(parents=True)
    return out


@dataclass
class Watched:
    """A command's run: its output, the names created in the watched folders, what is left in them."""

    done: subprocess.CompletedProcess[str]
    created: list[Path]
    left: dict[str, list[str]]

    def assert_nothing_outside(self) -> None:
        assert self.done.returncode == 0, self.done.stdout[-3000:] + self.done.stderr[-3000:]
        assert self.created == [], f"created outside the archive: {self.created}; still there: {self.left}"
        assert all(not names for names in self.left.values()), self.left


def _run_watched(out: Outside, *args: str) -> Watched:
    """Run `exhibit ARGS` as a user would, with inotify watching the folders that must stay empty."""
    watch = EmptyFolderWatch(out.folders)
    try:
        done = subprocess.run([sys.executable, "-m", "exhibit.cli", *args], cwd=out.cwd, env=out.env(),
                              capture_output=True, text=True, timeout=1800)
        created = watch.collect()
    finally:
        watch.close()
    return Watched(done, created, {str(f): listing(f) for f in out.folders})


@dataclass
class Ingested:
    archive: Path
    run: Watched


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Ingested:
    """The sample scans (images and a scanned PDF) and made-up ones, ingested with OCR under the watch."""
    base = tmp_path_factory.mktemp("outside")
    src = base / "cache"
    src.mkdir()
    for i, scan in enumerate(sorted(p for p in (corpus_dir / "scans").iterdir() if p.is_file())):
        shutil.copy(scan, src / f"sample{i}{scan.suffix.lower()}")
    write_scan_png(src / "typed.png", (MARKERS[0], "page one of one"))
    write_scanned_pdf(src / "scanned.pdf", (MARKERS[1], "scanned for the file"))
    root = base / "archive"
    run = _run_watched(_outside(base / "ingest"), "ingest", str(src), "--archive", str(root), "--jobs", "1",
                       "--custodian", "pytest")
    assert run.done.returncode == 0, run.done.stdout[-3000:] + run.done.stderr[-3000:]
    return Ingested(root, run)


def _ocr_pages(root: Path) -> dict[str, list[dict[str, object]]]:
    """The OCR'd pages of every exhibit, by its first path: text and engine."""
    arch = Archive.open(root)
    try:
        return {ex.path_names[0]: [{"text": p.text, "engine": p.meta.get("engine", "")}
                                   for p in arch.pages(ex.seq) if str(p.source) == "ocr"]
                for ex in arch.exhibits()}
    finally:
        arch.close()


def test_an_ingest_with_ocr_writes_nothing_to_home_temp_or_the_working_folder(ingested: Ingested) -> None:
    ingested.run.assert_nothing_outside()
    pages = _ocr_pages(ingested.archive)
    # The watch proves something only if the engines ran: both of them, on images and on a PDF's page.
    engines = {e for ps in pages.values() for p in ps for e in str(p["engine"]).split("+")}
    assert {"rapidocr", "tesseract"} <= engines, pages
    assert MARKERS[0] in " ".join(str(p["text"]) for p in pages["typed.png"])
    assert MARKERS[1] in " ".join(str(p["text"]) for p in pages["scanned.pdf"])
    assert any(pages[name] for name in pages if name.startswith("sample") and name.endswith(".pdf"))


def test_ocr_again_with_force_writes_nothing_to_home_temp_or_the_working_folder(
        ingested: Ingested, tmp_path: Path) -> None:
    run = _run_watched(_outside(tmp_path), "ocr", "--force", "--archive", str(ingested.archive), "--json")
    run.assert_nothing_outside()
    summary = json.loads(run.done.stdout)
    used = {e for ex in summary["exhibits"] for e in ex["engines_used"] for e in e.split("+")}
    assert {"rapidocr", "tesseract"} <= used, summary
    assert {"typed.png", "scanned.pdf"} <= {n for n, ps in _ocr_pages(ingested.archive).items() if ps}


def test_charts_write_nothing_to_home_temp_or_the_working_folder(tmp_path: Path) -> None:
    """matplotlib writes its configuration and font cache under HOME unless told otherwise: `exhibit code
    chart` keeps them in the archive's scratch folder."""
    from exhibit import coding
    from exhibit.demo import generate

    truth = generate(tmp_path / "demo", seed=11)
    records = [{"record_id": f"R-{n:04d}", "name": p["name_zh"], "id_number": p["id"], "gender": p["gender"],
                "age": p["age"], "address": p["township_zh"], "reason": p["reason"],
                "source": {"id": "EX-000001", "path": truth["register"], "sheet": p["township_zh"], "row": n + 3},
                "cells": {"收押原因": p["reason"]}} for n, p in enumerate(truth["persons"])]
    root = tmp_path / "archive"
    with Archive.init(root) as arch:
        coding.run(arch, records=records, actor="pytest")
    run = _run_watched(_outside(tmp_path / "chart"), "code", "chart", "--out", str(tmp_path / "charts"),
                       "--archive", str(root), "--json")
    run.assert_nothing_outside()
    assert {Path(f).suffix for f in json.loads(run.done.stdout)["files"]} == {".png", ".svg"}
