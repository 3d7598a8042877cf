"""Fixtures for the records tests: the dev registers extracted, from the real ingested dev archive and from a
scratch catalog filled by the format ingestors alone (so a pipeline problem and a records problem differ)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from scratch import add_sample, make_archive  # noqa: E402

from exhibit.archive import Archive  # noqa: E402


@pytest.fixture(scope="module", params=["scratch", "dev_archive"])
def sample_archive(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                   corpus_dir: Path, module_catalog_url: str | None) -> Iterator[Archive]:
    """The dev registers in a catalog, extracted: `scratch` (format ingestors only) or `dev_archive`
    (the whole dev cache through `exhibit ingest`, copied so extraction can write); on each engine (the dev
    archive moved to PostgreSQL by `catalog copy`)."""
    from pg_support import to_engine

    from exhibit.records import extract

    root = tmp_path_factory.mktemp("records") / "archive"
    if request.param == "scratch":
        arch = make_archive(root, module_catalog_url)
        add_sample(arch, corpus_dir)
    else:
        shutil.copytree(request.getfixturevalue("dev_archive"), root)
        server = request.getfixturevalue("postgres_server") if module_catalog_url else None
        arch = Archive.open(to_engine(root, "sqlite" if module_catalog_url is None else "postgresql", server))
    extract(arch)
    yield arch
    arch.close()
