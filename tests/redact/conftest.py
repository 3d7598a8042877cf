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


@pytest.fixture(scope="session")
def _redact_templates(redact_archive: Path) -> dict[str, Path]:
    """The redaction archive on each engine, never opened by a test: `engine_redact_arch` clones them."""
    return {"sqlite": redact_archive}


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_redact_arch(request: pytest.FixtureRequest, _redact_templates: dict[str, Path],
                       tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Archive]:
    """As `arch`, with the catalog (and the records read from the register) on SQLite or on PostgreSQL."""
    from pg_support import clone_archive, to_engine

    if request.param not in _redact_templates:  # moved by catalog copy, records and all
        root = tmp_path_factory.mktemp("redact-pg") / "archive"
        shutil.copytree(_redact_templates["sqlite"], root)
        _redact_templates[request.param] = to_engine(root, request.param, request.getfixturevalue("postgres_server"))
    with Archive.open(clone_archive(_redact_templates[request.param], tmp_path / "archive")) as a:
        yield a
