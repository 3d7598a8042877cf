"""CSV, TSV and plain text in any of the encodings a Chinese cache holds (UTF-8/16, GB18030, Big5)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import ClassVar

from exhibit.errors import CorruptFile, LimitExceeded
from exhibit.ingest.formats import IngestContext, charset
from exhibit.ingest.types import Cell, Extraction, Page, Row, Table, TableKind

_SAMPLE = 1 << 20  # encoding is judged on the first MiB
_BIG_FIELD = 16 * 1024 * 1024
_PAGE_CHARS = 1 << 20
_LINE_CHARS = 1 << 20  # a physical line longer than this is looked at for too many columns


class TextIngestor:
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = ("text/plain", "text/csv", "text/tab-separated-values")
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".txt", ".csv", ".tsv", ".tab", ".log", ".md")
    SCORE: ClassVar[int] = 10

    def __init__(self, media_type: str | None = None, name: str | None = None) -> None:
        self.media_type = media_type
        self.name = name

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction:
        from exhibit.ingest.detect import CSV, TSV, TXT, sniff

        with open(path, "rb") as f:
            head = f.read(_SAMPLE)
        encoding = charset.detect_encoding(_encoding_sample(path, head))
        # A stray NUL happens in exported text; many mean the bytes are not text at all.
        if head.count(b"\x00") > len(head) // 100 and not encoding.startswith("utf-16") and \
                not encoding.startswith("utf-32"):
            raise CorruptFile("binary content (NUL bytes) in a file that should be text")
        kind = self.media_type or sniff(path, head, _claim(Path(self.name or path.name)))
        if kind not in (CSV, TSV, TXT):
            kind = TXT
        metadata: dict[str, object] = {"encoding": encoding}
        if kind == TXT:
            return Extraction(media_type=TXT, pages=list(_pages(path, encoding)), metadata=metadata)
        delimiter = "\t" if kind == TSV else _delimiter(head, encoding)
        metadata["delimiter"] = delimiter
        table = Table(name=PurePosixPath(self.name or path.name).name,
                      rows=_records(path, encoding, delimiter, ctx.limits.columns), kind=TableKind.CSV,
                      meta={"encoding": encoding, "delimiter": delimiter})
        return Extraction(media_type=kind, tables=[table], metadata=metadata)


def _encoding_sample(path: Path, head: bytes) -> bytes:
    """The bytes to judge the encoding on: the head, unless it is all ASCII and the file goes on, in
    which case the first stretch holding non-ASCII bytes (a long English preamble must not make a
    GB18030 register read as UTF-8)."""
    if not head.isascii() or len(head) < _SAMPLE:
        return head
    with open(path, "rb") as f:
        offset = 0
        while chunk := f.read(_SAMPLE):
            pos = next((i for i, b in enumerate(chunk) if b >= 0x80), -1) if not chunk.isascii() else -1
            if pos >= 0:
                start = chunk.rfind(b"\n", 0, pos) + 1
                f.seek(offset + start)
                return f.read(_SAMPLE)
            offset += len(chunk)
    return head


def _claim(path: Path) -> str | None:
    from exhibit.ingest.detect import EXTENSION_TYPES

    return EXTENSION_TYPES.get(path.suffix.lower())


def _pages(path: Path, encoding: str) -> Iterator[Page]:
    """The text as one page; a very large file is cut into pages of about _PAGE_CHARS at a line end
    (or mid-line, for a line longer than a page), read a page at a time."""
    with open(path, "rb") as raw:
        stream = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
        number = 1
        while True:
            text = stream.read(_PAGE_CHARS)
            if text and not text.endswith("\n"):
                text += stream.readline(_PAGE_CHARS // 16)  # finish the line when it is not huge
            if not text and number > 1:
                return
            yield Page(number, text.lstrip("\ufeff") if number == 1 else text)
            if not text:
                return
            number += 1


def _delimiter(head: bytes, encoding: str) -> str:
    sample = head[:65536].decode(encoding, errors="replace")
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _records(path: Path, encoding: str, delimiter: str, columns: int) -> Iterator[Row]:
    """One Row per CSV record, numbered from 1 (the header), streamed from the file. A record of more than
    `columns` fields keeps its first `columns`; the rows after it are read all the same, and the limit is
    raised once they are (the pipeline then records it with every row kept)."""
    csv.field_size_limit(_BIG_FIELD)
    wide: list[tuple[int, int | None]] = []  # (record number, its field count when known)
    with open(path, "rb") as raw:
        stream = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
        lines = _bounded_lines(stream, delimiter, columns, wide)
        reader = csv.reader(lines, delimiter=delimiter)
        number = 0
        try:
            for record in reader:
                number += 1
                if wide and wide[-1][0] == -1:
                    wide[-1] = (number, None)
                if not record:
                    continue
                if len(record) > columns:
                    wide.append((number, len(record)))
                    del record[columns:]
                if number == 1 and record[0].startswith("\ufeff"):
                    record[0] = record[0][1:]
                yield Row(number, tuple(Cell(v) for v in record))
        except csv.Error as e:
            raise CorruptFile(f"CSV record {number + 1} cannot be read: {e}") from e
    if wide:
        first, count = wide[0]
        many = f"{count:,} fields" if count else "more fields than that (the rest of its line was skipped unread)"
        raise LimitExceeded(f"{len(wide)} records over the column limit of {columns:,} per row (--max-columns): "
                            f"record {first} has {many}; each kept its first {columns:,} fields, and every record "
                            "was read")


def _bounded_lines(stream: io.TextIOWrapper, delimiter: str, columns: int,
                   wide: list[tuple[int, int | None]]) -> Iterator[str]:
    """The file's lines for the CSV reader, a line of more than `columns` delimiters cut after its
    `columns`-th field so that the reader never holds millions of fields (a one-line CSV of ten million
    columns is 2.5 GiB as Python strings). Only lines over _LINE_CHARS are looked at, and delimiters
    are counted without regard to quotes: such a line can only be cut early, never kept whole."""
    while line := stream.readline(_LINE_CHARS):
        if len(line) < _LINE_CHARS or line.endswith(("\n", "\r")):
            yield line
            continue
        parts, count, size = [line], line.count(delimiter), len(line)
        while count <= columns and size <= _BIG_FIELD and not parts[-1].endswith(("\n", "\r")):
            more = stream.readline(_LINE_CHARS)
            if not more:
                break
            parts.append(more)
            count += more.count(delimiter)
            size += len(more)
        text = "".join(parts)
        del parts
        if count <= columns:
            yield text
            continue
        at = -1
        for _ in range(columns):
            at = text.find(delimiter, at + 1)
        ended = text.endswith(("\n", "\r"))
        wide.append((-1, None))  # the reader names the record number when it reads this line
        yield text[:at] + "\n"
        del text
        while not ended and (more := stream.readline(_LINE_CHARS)):
            ended = more.endswith(("\n", "\r"))
