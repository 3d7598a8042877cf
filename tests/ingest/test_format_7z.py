"""7z (and CAB) archives: members as children, traversal defused, bombs stopped, encryption and damage
reported. The archives are made with 7-Zip itself (Debian's 7zip), except a hostile member name, which
7-Zip refuses to write and libarchive's writer does not."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from exhibit.archive import Archive
from exhibit.config import Config, Limits
from exhibit.errors import CorruptFile, Encrypted, LimitExceeded
from exhibit.ingest import ingest
from exhibit.ingest.detect import detect
from exhibit.ingest.formats import IngestContext, choose
from exhibit.ingest.types import Extraction

SEVENZIP = shutil.which("7zz") or shutil.which("7z")  # Debian's 7zip, installed by scripts/setup-system.sh


def _ingest(path: Path, work: Path, **ctx: object) -> Extraction:
    work.mkdir(parents=True, exist_ok=True)
    d = detect(path, path.name)
    return choose(d.media_type, path.name).ingest(path, IngestContext(workdir=work, **ctx))  # type: ignore[arg-type]


def _7z(archive: Path, folder: Path, *options: str) -> Path:
    assert SEVENZIP is not None, "7-Zip is missing: run scripts/setup-system.sh (Debian package 7zip)"
    subprocess.run([SEVENZIP, "a", "-bd", "-y", *options, str(archive), "."], cwd=folder, check=True,
                   capture_output=True)
    return archive


def _folder(tmp_path: Path, files: dict[str, bytes]) -> Path:
    src = tmp_path / "src"
    for name, data in files.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes(data)
    return src


def test_7z_members_are_children_with_their_names_and_bytes(tmp_path: Path) -> None:
    files = {"通报/情况说明.txt": "上报收押人数".encode(), "名单.csv": "姓名,身份证号\n".encode("gb18030")}
    path = _7z(tmp_path / "cache.bin", _folder(tmp_path, files))  # no extension: detected from content
    assert detect(path, path.name).media_type == "application/x-7z-compressed"
    work = tmp_path / "w"
    ext = _ingest(path, work)
    assert ext.status == "ok" and ext.metadata["format"] == "7z"
    got = {c.name: Path(c.path).read_bytes() for c in ext.children}
    assert got == files
    assert all(Path(c.path).parent == work for c in ext.children)


def test_7z_member_named_to_escape_is_kept_under_a_safe_name(tmp_path: Path) -> None:
    import libarchive

    path = tmp_path / "evil.7z"
    with libarchive.file_writer(str(path), "7zip") as w:
        w.add_file_from_memory("../../escaped.txt", 5, b"hello")
        w.add_file_from_memory("ok.txt", 2, b"ok")
    work = tmp_path / "w"
    ext = _ingest(path, work)
    assert [c.status for c in ext.children] == ["path_traversal", None]
    assert ext.status == "path_traversal" and not (tmp_path / "escaped.txt").exists()
    assert ext.children[0].name.endswith("escaped.txt") and ".." not in ext.children[0].name
    assert all(Path(c.path).parent == work for c in ext.children)


def test_7z_bomb_stops_at_the_limit_without_writing_it(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    with open(src / "zeros.bin", "wb") as f:
        for _ in range(64):
            f.write(bytes(1 << 20))
    path = _7z(tmp_path / "bomb.7z", src)
    shutil.rmtree(src)
    assert path.stat().st_size < 1 << 20
    for n, (limits, why) in enumerate([(Limits(), "ratio limit"),
                                       (Limits(member_bytes=8 << 20, ratio=1e9), "per-member limit"),
                                       (Limits(total_bytes=4 << 20, ratio=1e9), "total limit")]):
        work = tmp_path / f"w{n}"
        ext = _ingest(path, work, limits=limits)
        assert ext.status == "expansion_limit" and why in (ext.reason or ""), ext.reason
        assert ext.children == []
        assert sum(p.stat().st_size for p in work.rglob("*") if p.is_file()) == 0


def test_7z_member_count_limit_keeps_the_members_before_it(tmp_path: Path) -> None:
    path = _7z(tmp_path / "many.7z", _folder(tmp_path, {f"{i}.txt": str(i).encode() for i in range(5)}))
    ext = _ingest(path, tmp_path / "w", limits=Limits(members=2))
    assert len(ext.children) == 2 and ext.status == "expansion_limit"


@pytest.mark.parametrize("options", [["-psecret"], ["-psecret", "-mhe=on"]], ids=["content", "header"])
def test_encrypted_7z_is_kept_as_encrypted_with_what_to_do(tmp_path: Path, options: list[str]) -> None:
    path = _7z(tmp_path / "enc.7z", _folder(tmp_path, {"a.txt": b"secret text"}), *options)
    with pytest.raises(Encrypted) as e:
        _ingest(path, tmp_path / "w")
    assert "7-Zip" in str(e.value)


def test_truncated_7z_is_corrupt(tmp_path: Path) -> None:
    path = _7z(tmp_path / "t.7z", _folder(tmp_path, {f"{i}.txt": bytes(range(256)) * 40 for i in range(3)}))
    cut = tmp_path / "cut.7z"
    cut.write_bytes(path.read_bytes()[:200])
    with pytest.raises(CorruptFile):
        _ingest(cut, tmp_path / "w")


def test_7z_nested_past_the_depth_limit_is_not_opened(tmp_path: Path) -> None:
    path = _7z(tmp_path / "a.7z", _folder(tmp_path, {"a.txt": b"a"}))
    with pytest.raises(LimitExceeded):
        _ingest(path, tmp_path / "w", depth=Limits().depth)


def test_7z_in_the_pipeline_members_become_exhibits_and_a_zip_inside_is_opened(tmp_path: Path) -> None:
    import zipfile

    src = tmp_path / "inner"
    src.mkdir()
    with zipfile.ZipFile(src / "mail.zip", "w") as z:
        z.writestr("通报.txt", "积分管理".encode())
    (src / "readme.txt").write_text("leak", encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    _7z(cache / "release.7z", src)
    (cache / "locked.7z").write_bytes(_7z(tmp_path / "locked.7z", _folder(tmp_path, {"x.txt": b"x"}),
                                          "-pk").read_bytes())
    root = tmp_path / "arch"
    arch = Archive.init(root)
    summary = ingest(arch, [cache], Config(jobs=1, ocr=False, custodian="test"))
    paths = {p: e for e in (x.as_json() for x in arch.exhibits()) for p in e["paths"]}
    assert {"release.7z/mail.zip/通报.txt", "release.7z/readme.txt", "locked.7z"} <= set(paths)
    assert paths["locked.7z"]["status"] == "encrypted"
    assert summary.by_status["encrypted"] == 1
    assert arch.pages(arch.resolve(paths["release.7z/mail.zip/通报.txt"]["id"]))[0].text.strip() == "积分管理"
    arch.close()
