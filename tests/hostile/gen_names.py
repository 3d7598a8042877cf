"""Hostile names, made up here: file names on disk and member names in zips and tars, each with what an
ingest must make of it. Plain functions, so that one acceptance test can assemble them all."""

from __future__ import annotations

import io
import os
import random
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

# Characters a terminal acts on or that disguise a name (ESC, CSI, OSC, bidi overrides and isolates).
TERMINAL_UNSAFE = [chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))] + \
    [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]


@dataclass(frozen=True)
class HostileName:
    """One name as bytes, the kind of hostility, and whether a readable decoding is expected to hold
    `expect_text` (None: any readable form will do)."""

    raw: bytes
    kind: str
    expect_text: str | None = None


def name_classes(seed: int = 13) -> list[HostileName]:
    """One or more names of each class: GBK, Big5, random invalid bytes, Rich markup, C0/C1 controls,
    ESC sequences, bidi overrides, very long, odd but NUL-free."""
    rnd = random.Random(seed)
    out = [
        HostileName("收押人员名单".encode("gbk") + b".txt", "gbk", "收押人员名单.txt"),
        HostileName("審訊記錄".encode("big5") + b".txt", "big5", "審訊記錄.txt"),
        HostileName(b"[/x]", "markup"),
        HostileName(b"[bold red]report[/bold red] [link=http://x]a[/link].txt", "markup"),
        HostileName(b"\x1b[2J\x1b]0;title\x07clear.txt", "esc"),
        HostileName("\u009b31mcsi\u009d8;;x\u009c.txt".encode(), "c1"),
        HostileName("invoice\u202etxt.exe".encode(), "bidi"),
        HostileName("\u2066a\u2067b\u2068c\u2069.txt".encode(), "bidi"),
        HostileName(("长" * 80).encode() + b".txt", "long"),          # 243 bytes: under NAME_MAX
        HostileName(b" -leading dash and spaces .txt ", "odd"),
        HostileName(b"tab\there\r\n.txt", "c0"),
    ]
    for i in range(3):
        body = bytes(rnd.choice([b for b in range(0x80, 0x100)]) for _ in range(rnd.randint(3, 12)))
        out.append(HostileName(b"r%d-" % i + body + b".bin", "random"))
    return out


def make_folder(root: Path, names: list[HostileName]) -> dict[bytes, bytes]:
    """Each name as a file in `root` (bytes of the file: a marker unique to it); {name bytes: content}."""
    root.mkdir(parents=True, exist_ok=True)
    made: dict[bytes, bytes] = {}
    for i, n in enumerate(names):
        if b"/" in n.raw or b"\x00" in n.raw:
            continue  # not a file name on disk
        content = b"marker%04d %s\n" % (i, n.kind.encode())
        with open(os.path.join(os.fsencode(root), n.raw), "wb") as f:
            f.write(content)
        made[n.raw] = content
    return made


def make_zip(path: Path, names: list[HostileName]) -> dict[bytes, bytes]:
    """A zip whose members carry the names as stored bytes, without the UTF-8 flag (what Chinese Windows
    archivers write); {member name bytes: content}."""
    made: dict[bytes, bytes] = {}

    class RawName(zipfile.ZipInfo):
        def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # noqa: N802 (zipfile's own name)
            return self._raw, self.flag_bits & ~0x800

    with zipfile.ZipFile(path, "w") as zf:
        for i, n in enumerate(names):
            if b"\x00" in n.raw:
                continue
            info = RawName(f"m{i}")
            info._raw = n.raw  # type: ignore[attr-defined]
            content = b"zipmember%04d %s\n" % (i, n.kind.encode())
            zf.writestr(info, content)
            made[n.raw] = content
    return made


def make_tar(path: Path, names: list[HostileName]) -> dict[bytes, bytes]:
    """A tar (PAX headers off: GNU format keeps the bytes as given); {member name bytes: content}."""
    made: dict[bytes, bytes] = {}
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT, encoding="utf-8", errors="surrogateescape") as tf:
        for i, n in enumerate(names):
            if b"\x00" in n.raw:
                continue
            content = b"tarmember%04d %s\n" % (i, n.kind.encode())
            info = tarfile.TarInfo(n.raw.decode("utf-8", errors="surrogateescape"))
            info.size = len(content)
            tf.addfile(info, io.BytesIO(content))
            made[n.raw] = content
    return made


def make_links(root: Path, outside: Path) -> dict[str, str]:
    """Links of every kind inside `root`: to a file and a folder outside it, dangling, to itself, with a
    hostile name; {link name: target}."""
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "secret.txt").write_text("outside the cache\n")
    targets = {"to-file": str(outside / "secret.txt"), "to-folder": str(outside), "dangling": str(outside / "gone"),
               "loop": "loop", "[x]\u202elink\x1b[2J": str(outside)}
    for name, target in targets.items():
        os.symlink(target, root / name)
    return targets
