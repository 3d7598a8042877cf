"""Shared fixtures: the dev corpus, its truth.json, and an archive with the corpus ingested once per run."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
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
