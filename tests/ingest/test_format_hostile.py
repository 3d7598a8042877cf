"""Damaged copies of every corpus file: each ingestor either reads them or raises a named FileProblem."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from exhibit.errors import FileProblem
from exhibit.ingest.detect import detect
from exhibit.ingest.formats import IngestContext, choose


def _damaged(data: bytes, rng: random.Random, kind: int) -> bytes:
    b = bytearray(data)
    if kind == 0:  # cut short
        return bytes(b[: rng.randrange(1, len(b))])
    if kind == 1:  # scattered flipped bytes
        for _ in range(rng.randrange(1, 20)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    i = rng.randrange(len(b))  # a run of garbage
    j = min(len(b), i + rng.randrange(1, 200))
    b[i:j] = bytes(rng.randrange(256) for _ in range(j - i))
    return bytes(b)


@pytest.mark.parametrize("seed", [1, 2])
def test_damaged_files_end_as_a_status_never_a_crash(corpus_dir: Path, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    files = sorted(p for p in corpus_dir.rglob("*") if p.is_file() and p.stat().st_size > 0
                   and p.suffix not in (".png", ".jpg") and "bomb" not in p.name)
    outcomes = {"read": 0, "problem": 0}
    for n, original in enumerate(files):
        data = original.read_bytes()
        for kind in range(3):
            path = tmp_path / f"{n}-{kind}"
            path.write_bytes(_damaged(data, rng, kind))
            work = tmp_path / f"w{n}-{kind}"
            work.mkdir()
            try:
                d = detect(path, original.name)
                ext = choose(d.media_type, original.name).ingest(path, IngestContext(workdir=work, ocr=False))
                for table in ext.tables:
                    for _ in table.rows:
                        pass
                outcomes["read"] += 1
            except FileProblem as e:
                assert e.status in ("corrupt", "empty", "encrypted", "expansion_limit"), e
                outcomes["problem"] += 1
    assert outcomes["read"] and outcomes["problem"]
