"""A container that is already an exhibit, found again elsewhere: its members are listed at the new path too,
whether the two copies were parsed one after the other or at the same moment."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from exhibit.archive import Archive
from exhibit.archive.verify import manifest, verify
from exhibit.config import Config
from exhibit.ingest import ingest


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _nested(rng: random.Random) -> bytes:
    words = ["档案", "名单", "notice", "ئۇقتۇرۇش", "报告"]
    inner = _zip({f"{rng.choice(words)}-{i}.txt": f"{rng.random()}".encode() for i in range(rng.randint(1, 3))})
    return _zip({"readme.txt": b"same in every copy", "inner.zip": inner, "folder/a.txt": rng.randbytes(20).hex().encode()})


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("together", [False, True], ids=["one-after-the-other", "in-one-ingest"])
def test_every_member_of_a_duplicate_container_is_listed_at_each_path(tmp_path: Path, seed: int,
                                                                      together: bool) -> None:
    data = _nested(random.Random(seed))
    copies = [tmp_path / "cache" / d / f"{d}-copy" / "leak.zip" for d in ("first", "second", "third")]
    for c in copies:
        c.parent.mkdir(parents=True)  # three places, so three different paths
        c.write_bytes(data)
    arch = Archive.open(tmp_path / "archive", create=True)
    config = Config(jobs=2, ocr=False, custodian="pytest")
    if together:
        ingest(arch, [tmp_path / "cache"], config)
    else:
        for c in copies:  # the first ingest parses the zip, the later ones find it catalogued
            ingest(arch, [c.parent.parent], config)
    paths = {p for ex in arch.exhibits() for p in ex.path_names}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = z.namelist()
        with zipfile.ZipFile(io.BytesIO(z.read("inner.zip"))) as inner:
            nested = [f"inner.zip/{n}" for n in inner.namelist()]
    for c in copies:
        prefix = c.relative_to(tmp_path / "cache" if together else c.parent.parent).as_posix()
        assert {f"{prefix}/{m}" for m in members + nested} <= paths
    assert len(paths) == 3 * (1 + len(members) + len(nested))
    assert verify(arch)["ok"]
    assert len(manifest(arch)[1]) == len(paths)
