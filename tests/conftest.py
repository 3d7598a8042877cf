"""Shared fixtures: the dev corpus, its truth.json, and an archive with the corpus ingested once per run."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
CORPUS = Path(os.environ.get("EXHIBIT_DEV_CORPUS", REPO.parent / "shared" / "corpus" / "dev"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The sample leak cache (the folder holding documents/, registers/, scans/ ...)."""
    return CORPUS / "cache"


@pytest.fixture(scope="session")
def truth() -> dict[str, Any]:
    with open(CORPUS / "truth.json", encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="session")
def dev_archive(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    """An archive with the whole dev cache ingested (OCR included), shared by every test that only reads.
    Tests that write to an archive copy it first (`copy_archive`)."""
    from exhibit.archive import Archive
    from exhibit.config import Config
    from exhibit.ingest import ingest

    root = tmp_path_factory.mktemp("dev") / "archive"
    arch = Archive.init(root)
    pw = json.loads((CORPUS / "truth.json").read_text(encoding="utf-8"))["encrypted_password"]
    ingest(arch, [corpus_dir], Config(archive=root, jobs=2, passwords=tuple(pw.values()), custodian="pytest"))
    arch.close()
    return root


@pytest.fixture()
def copy_archive(dev_archive: Path, tmp_path: Path) -> Path:
    """A private writable copy of the dev archive."""
    import shutil

    dest = tmp_path / "archive"
    shutil.copytree(dev_archive, dest)
    return dest


@pytest.fixture()
def browser() -> Iterator[Any]:
    """Debian chromium through Playwright (tests/browser_support.py has its arguments)."""
    from browser_support import ARGS, CHROMIUM
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def shots(tmp_path: Path) -> Iterator[Any]:
    """shoot(page, name): a full-page screenshot under the test's tmp dir, copied to test-artifacts/screenshots/."""
    import shutil

    folder = tmp_path / "screenshots"
    folder.mkdir()

    def shoot(page: Any, name: str) -> Path:
        p = folder / f"{name}.png"
        page.screenshot(path=str(p), full_page=True)
        return p

    yield shoot
    dest = ARTIFACTS / "screenshots"
    dest.mkdir(parents=True, exist_ok=True)
    for p in folder.iterdir():
        shutil.copy(p, dest / p.name)
