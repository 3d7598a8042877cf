"""ZIP ingestor: members as children with the right names, traversal kept inside, bombs stopped early."""

from __future__ import annotations

import random
import resource
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from exhibit.config import Limits
from exhibit.errors import CorruptFile, LimitExceeded
from exhibit.ingest.detect import detect
from exhibit.ingest.formats import IngestContext, choose
from exhibit.ingest.formats.zip import ZipIngestor
from exhibit.ingest.types import Extraction


def _ingest(path: Path, work: Path, **ctx: Any) -> Extraction:
    work.mkdir(parents=True, exist_ok=True)
    return ZipIngestor().ingest(path, IngestContext(workdir=work, **ctx))


def _walk(path: Path, name: str, work: Path, depth: int = 0) -> dict[str, Path]:
    """Every member below a container, named container-relative as the product names them."""
    found: dict[str, Path] = {}
    d = detect(path, name)
    if d.media_type not in ("application/zip", "message/rfc822"):
        return found
    ext = choose(d.media_type, name).ingest(path, IngestContext(workdir=_fresh(work), depth=depth))
    for child in ext.children:
        found[child.name] = Path(child.path)
        for inner, p in _walk(Path(child.path), child.name, work, depth + 1).items():
            found[f"{child.name}/{inner}"] = p
    return found


def _fresh(work: Path) -> Path:
    n = sum(1 for _ in work.iterdir())
    d = work / f"x{n}"
    d.mkdir()
    return d


def test_container_members_appear_with_their_names(corpus_dir: Path, truth: dict[str, Any],
                                                   tmp_path: Path) -> None:
    for rel, spec in truth["containers"].items():
        work = tmp_path / Path(rel).name
        work.mkdir()
        members = _walk(corpus_dir / rel, Path(rel).name, work)
        assert sorted(members) == sorted(spec["members"]), rel
        for inner, original in spec["duplicate_of"].items():
            assert members[inner].read_bytes() == (corpus_dir / original).read_bytes()


def test_gbk_names_without_the_utf8_flag_are_decoded(tmp_path: Path) -> None:
    class RawName(zipfile.ZipInfo):
        def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # noqa: N802 - zipfile's hook
            return self.filename.encode("gbk"), self.flag_bits

    path = tmp_path / "gbk.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("通报/情况说明.txt", "名单.csv", "readme.txt"):
            zf.writestr(RawName(name), "内容".encode("gbk"))
    with zipfile.ZipFile(path) as zf:
        assert not any(i.flag_bits & 0x800 for i in zf.infolist())
        assert "通报/情况说明.txt" not in zf.namelist()  # zipfile alone reads cp437 mojibake
    ext = _ingest(path, tmp_path / "w")
    assert [c.name for c in ext.children] == ["通报/情况说明.txt", "名单.csv", "readme.txt"]
    assert ext.metadata["name_encoding"] == "gb18030"


def test_utf8_flagged_names_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "utf8.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("电报/说明.txt", "x")
    ext = _ingest(path, tmp_path / "w")
    assert [c.name for c in ext.children] == ["电报/说明.txt"]


def test_traversal_members_are_kept_inside_under_safe_names(corpus_dir: Path, truth: dict[str, Any],
                                                            tmp_path: Path) -> None:
    rel = next(r for r, s in truth["hostile"].items() if s == "path_traversal")
    work = tmp_path / "deep" / "work"
    ext = _ingest(corpus_dir / rel, work)
    assert ext.status == "path_traversal" and "escaped.txt" in (ext.reason or "")
    by_status = {c.name: c.status for c in ext.children}
    assert by_status == {"_unsafe/escaped.txt": "path_traversal", "_unsafe/etc/cron.d/evil": "path_traversal",
                         "ok.txt": None}
    for child in ext.children:
        assert Path(child.path).resolve().parent == work.resolve()
    # nothing escaped: the only files anywhere under tmp_path are the spooled members
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(
        Path(c.path).name for c in ext.children)


@pytest.mark.parametrize("name", ["C:/Windows/evil.dll", "a/../../b.txt", "\\\\server\\share\\x.txt"])
def test_other_escaping_names_are_flagged(tmp_path: Path, name: str) -> None:
    path = tmp_path / "t.zip"
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("placeholder")
        zf.writestr(info, "x")
    # zipfile normalises names on write; put the hostile name in by rewriting the bytes
    data = path.read_bytes().replace(b"placeholder", name.encode().ljust(len(b"placeholder"), b"_")[:11]
                                     if len(name) <= 11 else b"placeholder")
    if len(name) > 11:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr(zipfile.ZipInfo("x" * len(name)), "x")
        data = path.read_bytes().replace(b"x" * len(name), name.encode())
    path.write_bytes(data)
    ext = _ingest(path, tmp_path / "w")
    assert ext.status == "path_traversal", ext.children
    assert ext.children[0].name.startswith("_unsafe/") and ".." not in ext.children[0].name.split("/")


def test_corpus_bomb_is_stopped_without_inflating(corpus_dir: Path, truth: dict[str, Any], tmp_path: Path) -> None:
    rel = next(r for r, s in truth["hostile"].items() if s == "expansion_limit")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    work = tmp_path / "w"
    ext = _ingest(corpus_dir / rel, work)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert ext.status == "expansion_limit" and "zeros.bin" in (ext.reason or "")
    assert sum(p.stat().st_size for p in work.rglob("*") if p.is_file()) < 4 << 20
    assert (after - before) * 1024 < 100 << 20


def test_bomb_stops_at_each_limit_reached_by_honest_headers(tmp_path: Path) -> None:
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("small.txt", b"a" * 1000)
        zf.writestr("zeros.bin", bytes(8 << 20))
        zf.writestr("after.txt", b"b" * 1000)
    for limits, word in ((Limits(ratio=50), "ratio"), (Limits(member_bytes=1 << 20, ratio=1e6), "per-member"),
                         (Limits(total_bytes=2 << 20, ratio=1e6), "total")):
        ext = _ingest(path, tmp_path / word, limits=limits)
        assert ext.status == "expansion_limit" and word in (ext.reason or "") and "zeros.bin" in (ext.reason or "")
        assert ext.children[0].name == "small.txt"  # members already extracted are kept
        assert all(Path(c.path).stat().st_size <= 1000 for c in ext.children)
        assert "zeros.bin" not in [c.name for c in ext.children]


def test_a_header_that_understates_the_size_cannot_inflate_more(tmp_path: Path) -> None:
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.bin", bytes(16 << 20))
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    for offset in (22, central + 24):  # uncompressed size in the local header and the central directory
        assert int.from_bytes(data[offset:offset + 4], "little") == 16 << 20
        data[offset:offset + 4] = (1000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    ext = _ingest(path, tmp_path / "w")
    (child,) = ext.children
    assert Path(child.path).stat().st_size <= 1000
    assert child.status == "corrupt"


def test_member_count_and_depth_limits(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(5):
            zf.writestr(f"{i}.txt", str(i))
    ext = _ingest(path, tmp_path / "w", limits=Limits(members=3))
    assert ext.status == "expansion_limit" and "member-count" in (ext.reason or "")
    assert [c.name for c in ext.children] == ["0.txt", "1.txt", "2.txt"]
    with pytest.raises(LimitExceeded):
        _ingest(path, tmp_path / "w2", limits=Limits(depth=2), depth=2)


@pytest.mark.skipif(shutil.which("zip") is None, reason="the zip tool makes the encrypted sample")
def test_encrypted_member_opens_with_a_given_password(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("收押名单", encoding="utf-8")
    path = tmp_path / "enc.zip"
    subprocess.run(["zip", "-q", "-P", "xj2018", str(path), "secret.txt"], cwd=tmp_path, check=True)
    locked = _ingest(path, tmp_path / "w1", passwords=("nope",))
    assert locked.children[0].status == "encrypted"
    assert Path(locked.children[0].path).stat().st_size > 0  # the stored bytes are preserved
    ctx = IngestContext(workdir=tmp_path / "w2", passwords=("nope", "xj2018"))
    ctx.workdir.mkdir()
    opened = ZipIngestor().ingest(path, ctx)
    assert opened.children[0].status is None
    assert Path(opened.children[0].path).read_text(encoding="utf-8") == "收押名单"
    assert ctx.notes == ["password used"]


def test_truncated_zip_is_corrupt(corpus_dir: Path, tmp_path: Path) -> None:
    data = (corpus_dir / "archives/leak_part2.zip").read_bytes()
    path = tmp_path / "cut.zip"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFile):
        _ingest(path, tmp_path / "w")


def test_a_shared_budget_holds_across_nested_containers(tmp_path: Path) -> None:
    """With the parent's budget passed on, the total limit covers the whole tree, not each zip."""
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.bin", random.Random(1).randbytes(300_000))  # incompressible
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_STORED) as zf:
        zf.write(inner, "inner.zip")
    limits = Limits(total_bytes=500_000)
    first = IngestContext(workdir=tmp_path / "w1", limits=limits)
    first.workdir.mkdir()
    ext = ZipIngestor().ingest(outer, first)
    assert ext.status == "ok" and first.budget is not None and first.budget.used > 300_000
    nested = IngestContext(workdir=tmp_path / "w2", limits=limits, depth=1, budget=first.budget)
    nested.workdir.mkdir()
    inner_ext = ZipIngestor().ingest(Path(ext.children[0].path), nested)
    assert inner_ext.status == "expansion_limit" and "total" in (inner_ext.reason or "")
    alone = _ingest(Path(ext.children[0].path), tmp_path / "w3", limits=limits, depth=1)
    assert alone.status == "ok"


def test_a_directory_with_too_many_entries_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(50):
            zf.writestr(f"{i}.txt", "")
    with pytest.raises(LimitExceeded, match="declares 50 entries"):
        _ingest(path, tmp_path / "w", limits=Limits(members=10))
