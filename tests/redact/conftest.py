"""Fixtures of the redaction tests: an archive of the files fixtures.py makes, ingested with OCR, with its
register read into person records."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from exhibit.archive import Archive


@pytest.fixture(scope="session")
def redact_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from fixtures import make_cache

    from exhibit import records
    from exhibit.config import Config
    from exhibit.ingest import ingest

    work = tmp_path_factory.mktemp("redact")
    cache = make_cache(work / "cache")
    root = work / "archive"
    arch = Archive.init(root)
    ingest(arch, [cache], Config(jobs=1, ocr_langs="eng", custodian="pytest"))
    records.extract(arch)
    arch.close()
    return root


@pytest.fixture()
def arch(redact_archive: Path, tmp_path: Path) -> Iterator[Archive]:
    """A private copy of the archive (every test adds derived exhibits and custody events)."""
    root = tmp_path / "archive"
    shutil.copytree(redact_archive, root)
    with Archive.open(root) as a:
        yield a
