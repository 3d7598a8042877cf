"""TAR and compressed files: members as children, names decoded, links not followed, limits honoured."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from exhibit.config import Limits
from exhibit.errors import CorruptFile, LimitExceeded
from exhibit.ingest.detect import detect
from exhibit.ingest.formats import IngestContext, choose
from exhibit.ingest.types import Extraction


def _ingest(path: Path, work: Path, **ctx: object) -> Extraction:
    work.mkdir(parents=True, exist_ok=True)
    d = detect(path, path.name)
    return choose(d.media_type, path.name).ingest(path, IngestContext(workdir=work, **ctx))  # type: ignore[arg-type]


def _tar(path: Path, members: dict[str, bytes], mode: str = "w:gz", encoding: str = "utf-8",
         link: str | None = None) -> Path:
    with tarfile.open(path, mode, encoding=encoding, format=tarfile.GNU_FORMAT) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        if link:
            info = tarfile.TarInfo(link)
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tf.addfile(info)
    return path


@pytest.mark.parametrize("mode,media_type", [("w:gz", "application/gzip"), ("w:bz2", "application/x-bzip2"),
                                             ("w:xz", "application/x-xz"), ("w", "application/x-tar")])
def test_tar_members_with_gbk_names_traversal_and_links(tmp_path: Path, mode: str, media_type: str) -> None:
    path = _tar(tmp_path / "cache.tar.x", {"通报/情况说明.txt": "上报收押人数".encode(), "../../escaped.txt": b"x",
                                            "名单.csv": b"a,b\n"}, mode, "gbk", link="passwd-link")
    assert detect(path, path.name).media_type == media_type
    work = tmp_path / "w"
    ext = _ingest(path, work)
    assert [c.name for c in ext.children] == ["通报/情况说明.txt", "_unsafe/escaped.txt", "名单.csv"]
    assert [c.status for c in ext.children] == [None, "path_traversal", None]
    assert ext.status == "path_traversal" and ext.metadata["links_not_followed"] == ["passwd-link (link)"]
    assert Path(ext.children[0].path).read_bytes() == "上报收押人数".encode()
    assert all(Path(c.path).parent == work for c in ext.children)


def test_single_gzip_file_gives_the_file_with_its_stored_name(tmp_path: Path) -> None:
    path = tmp_path / "x.gz"
    with open(path, "wb") as raw, gzip.GzipFile("list.csv", "wb", fileobj=raw) as gz:
        gz.write("姓名\n依明\n".encode())
    ext = _ingest(path, tmp_path / "w")
    (child,) = ext.children
    assert child.name == "list.csv" and Path(child.path).read_bytes() == "姓名\n依明\n".encode()
    nameless = tmp_path / "名单.csv.gz"
    nameless.write_bytes(gzip.compress("姓名\n".encode(), mtime=0))
    (child,) = _ingest(nameless, tmp_path / "w2").children
    assert child.name == "名单.csv"


def test_gzip_bomb_stops_at_the_ratio_limit(tmp_path: Path) -> None:
    path = tmp_path / "zeros.gz"
    with gzip.open(path, "wb") as gz:
        for _ in range(64):
            gz.write(b"A" * (1 << 20))  # (zeros would read as an empty tar archive)
    work = tmp_path / "w"
    with pytest.raises(LimitExceeded):
        _ingest(path, work)
    assert sum(p.stat().st_size for p in work.rglob("*") if p.is_file()) == 0


def test_tar_limits_keep_members_already_extracted(tmp_path: Path) -> None:
    path = _tar(tmp_path / "t.tar", {f"{i}.txt": bytes(100) for i in range(5)}, "w")
    ext = _ingest(path, tmp_path / "w", limits=Limits(members=2))
    assert ext.status == "expansion_limit" and [c.name for c in ext.children] == ["0.txt", "1.txt"]
    ext = _ingest(path, tmp_path / "w2", limits=Limits(total_bytes=250))
    assert ext.status == "expansion_limit" and "total" in (ext.reason or "")
    assert [c.name for c in ext.children] == ["0.txt", "1.txt"]


def test_truncated_tar_gz_keeps_what_was_read_and_says_corrupt(tmp_path: Path) -> None:
    import os

    big = {f"{i}.bin": os.urandom(50000) for i in range(4)}
    path = _tar(tmp_path / "t.tgz", big)
    data = path.read_bytes()
    cut = tmp_path / "cut.tgz"
    cut.write_bytes(data[: len(data) // 2])
    try:
        ext = _ingest(cut, tmp_path / "w")
    except CorruptFile:
        return
    assert ext.status == "corrupt" and 0 < len(ext.children) < 4
