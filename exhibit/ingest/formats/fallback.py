"""The ingestor of last resort: a file no parser reads keeps its bytes, and its printable runs as text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from exhibit.ingest.formats import IngestContext
from exhibit.ingest.types import Extraction, Page

_CHUNK = 1 << 20
_PAGE_CHARS = 1 << 20
# Hand-written, as binutils' `strings` is (no maintained Python library does this): runs of printable
# ASCII (6 or more, so that compressed bytes yield little noise), of UTF-8 multi-byte text (3 or more
# characters: Chinese, Uyghur), and of UTF-16LE ASCII (4 or more, as Windows programs store strings).
_RUNS = re.compile(
    rb"[\x20-\x7e\t]{6,}"
    rb"|(?:[\x20-\x7e]|[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3})*"
    rb"(?:(?:[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3})[\x20-\x7e]*){3,}"
    rb"|(?:[\x20-\x7e]\x00){4,}")


class FallbackIngestor:
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = ("*/*", "application/x-exhibit-printable-runs")
    EXTENSIONS: ClassVar[tuple[str, ...]] = ()
    SCORE: ClassVar[int] = 0

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction:
        from exhibit.ingest.detect import sniff

        with open(path, "rb") as f:
            head = f.read(64 * 1024)
        media_type = sniff(path, head)
        metadata: dict[str, object] = {"size": path.stat().st_size}
        pages = list(_pages(path))
        if pages:
            metadata["text_from"] = "printable runs of the bytes (no parser reads this format)"
        return Extraction(media_type=media_type, pages=pages, metadata=metadata)


def _decode(run: bytes) -> str:
    # The pattern is looser than UTF-8 itself (it lets E0 80 80 and surrogates through): replace, never fail.
    return run.decode("utf-16-le" if len(run) > 1 and run[1] == 0 else "utf-8", errors="replace").strip()


def _runs(path: Path) -> Iterator[str]:
    """The printable runs, read a chunk at a time; a run that reaches a chunk's end is read with the next."""
    carry = b""
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            data = carry + chunk
            last = 0
            cut = None
            for m in _RUNS.finditer(data):
                if m.end() >= len(data) - 8 and len(data) - m.start() <= _CHUNK:
                    cut = m.start()  # may go on in the next chunk
                    break
                yield _decode(m.group())
                last = m.end()
            carry = data[cut:] if cut is not None else data[max(last, len(data) - 16):]
    for m in _RUNS.finditer(carry):
        yield _decode(m.group())


def _pages(path: Path) -> Iterator[Page]:
    """The runs, one per line, in pages of about _PAGE_CHARS."""
    lines: list[str] = []
    size = 0
    number = 1
    for run in _runs(path):
        if not run:
            continue
        lines.append(run)
        size += len(run) + 1
        if size >= _PAGE_CHARS:
            yield Page(number, "\n".join(lines))
            lines, size, number = [], 0, number + 1
    if lines:
        yield Page(number, "\n".join(lines))
