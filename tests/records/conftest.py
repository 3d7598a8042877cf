"""Fixtures for the records tests: a scratch archive holding the dev registers as catalog tables."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from scratch import add_sample, make_archive  # noqa: E402

from exhibit.archive import Archive  # noqa: E402


@pytest.fixture(scope="module")
def sample_archive(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Iterator[Archive]:
    """The dev registers written into a fresh catalog as ingest writes tables, then extracted."""
    from exhibit.records import extract

    arch = make_archive(tmp_path_factory.mktemp("records") / "archive")
    add_sample(arch, corpus_dir)
    extract(arch)
    yield arch
    arch.close()
