"""Files and a watch for the "nothing written outside the archive" tests: made-up scans, a scanned PDF,
and an inotify watch on folders that must stay empty while a command runs."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# Words no sample file holds: when OCR finds them, the engines really read the generated pages.
MARKERS = ("QUARTZ LANTERN 4721", "VELVET HARBOUR 9386")


def scan_image(lines: tuple[str, ...], width: int = 1400) -> Image.Image:
    """A clean grey page with large printed lines, as a flatbed scan of a typed page looks."""
    font = ImageFont.load_default(size=56)
    height = 160 + 110 * len(lines)
    im = Image.new("L", (width, height), 245)
    draw = ImageDraw.Draw(im)
    for i, line in enumerate(lines):
        draw.text((80, 80 + 110 * i), line, fill=20, font=font)
    return im


def write_scan_png(path: Path, lines: tuple[str, ...]) -> Path:
    scan_image(lines).save(path, "PNG")
    return path


def write_scanned_pdf(path: Path, lines: tuple[str, ...]) -> Path:
    """A PDF whose one page is only an image (no text layer), so that the ingest renders and OCRs it."""
    import io

    import pymupdf

    buf = io.BytesIO()
    im = scan_image(lines)
    im.save(buf, "PNG")
    with pymupdf.open() as doc:
        page = doc.new_page(width=im.width * 72 / 200, height=im.height * 72 / 200)  # 200 dpi
        page.insert_image(page.rect, stream=buf.getvalue())
        doc.save(path)
    return path


# inotify(7): every way a name can appear in a folder (files, folders, sockets, links, renames into it).
_IN_CREATE = 0x100
_IN_MOVED_TO = 0x80
_IN_Q_OVERFLOW = 0x4000
_IN_NONBLOCK = 0o4000
_IN_CLOEXEC = 0o2000000
_EVENT = struct.Struct("iIII")


class EmptyFolderWatch:
    """Records every name created in (or moved into) the watched folders, however briefly it lived.

    The kernel queues the events while the watched command runs; nothing can appear below a watched
    folder without first creating a name in it, so watching the top of each folder sees everything."""

    def __init__(self, folders: list[Path]) -> None:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self._fd = libc.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC)
        if self._fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        self._folders: dict[int, Path] = {}
        for folder in folders:
            wd = libc.inotify_add_watch(self._fd, os.fsencode(folder), _IN_CREATE | _IN_MOVED_TO)
            if wd < 0:
                raise OSError(ctypes.get_errno(), f"inotify_add_watch {folder}")
            self._folders[wd] = folder
        self.seen: list[Path] = []

    def collect(self) -> list[Path]:
        """The names created since the watch began (read from the kernel's queue)."""
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                return self.seen
            pos = 0
            while pos < len(data):
                wd, mask, _cookie, size = _EVENT.unpack_from(data, pos)
                name = data[pos + _EVENT.size:pos + _EVENT.size + size].rstrip(b"\0")
                pos += _EVENT.size + size
                if mask & _IN_Q_OVERFLOW:
                    self.seen.append(Path("<inotify queue overflowed: too many names created>"))
                else:
                    self.seen.append(self._folders[wd] / os.fsdecode(name))

    def close(self) -> None:
        os.close(self._fd)


def listing(folder: Path) -> list[str]:
    """Everything below `folder`, relative paths, sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
