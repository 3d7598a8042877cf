"""Fixtures for the coding tests: person records made from the demo generator, and an archive to code them in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from exhibit.archive import Archive
from exhibit.demo import generate


@pytest.fixture(scope="session")
def demo_records(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The demo register's people in the `records ls --json` shape (what exhibit.records.iter_records gives)."""
    truth = generate(tmp_path_factory.mktemp("democache"), seed=11)
    out = []
    for n, p in enumerate(truth["persons"]):
        out.append({
            "record_id": f"R-demo-{n:04d}", "name": p["name_zh"], "id_number": p["id"], "gender": p["gender"],
            "age": p["age"], "address": f"莎车县{p['township_zh']}3村", "reason": p["reason"],
            "source": {"id": "EX-000001", "path": truth["register"], "sheet": p["township_zh"], "row": n + 3},
            "cells": {"入学时间": p["detained"].replace("-", "."), "收押原因": p["reason"]},
            "expected_categories": p["reason_categories"],
        })
    return out


@pytest.fixture()
def coded_archive(tmp_path: Path, demo_records: list[dict[str, Any]], catalog_url: str | None) -> Iterator[Archive]:
    """A fresh archive with the demo records coded by the default codebook, its catalog on SQLite or on
    PostgreSQL (the `catalog_url` parameter)."""
    from exhibit import coding

    arch = Archive.init(tmp_path / "archive", catalog_url)
    coding.run(arch, records=demo_records, actor="pytest")
    yield arch
    arch.close()
