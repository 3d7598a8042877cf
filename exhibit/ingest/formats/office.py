"""Legacy Office (DOC, PPT and other OLE2 files): document properties only; encrypted OOXML is reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, ClassVar

import olefile

from exhibit.errors import CorruptFile, Encrypted
from exhibit.ingest.formats import IngestContext
from exhibit.ingest.types import Extraction

_FIELDS = {"title": "title", "subject": "subject", "author": "author", "keywords": "keywords",
           "comments": "comments", "last_saved_by": "last_modified_by", "create_time": "creation_date",
           "last_saved_time": "modification_date", "creating_application": "creator",
           "company": "company", "num_pages": "pages"}


class OfficeIngestor:
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = ("application/msword", "application/vnd.ms-powerpoint",
                                              "application/x-ole-storage", "application/x-ooxml-encrypted")
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".doc", ".ppt", ".msg")
    SCORE: ClassVar[int] = 5

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction:
        from exhibit.ingest.detect import sniff

        with open(path, "rb") as f:
            media_type = sniff(path, f.read(8))
        if media_type == "application/x-ooxml-encrypted":
            raise Encrypted("the Office document is password-protected (an encrypted OOXML package); "
                            "exhibit cannot decrypt Office files yet: open it in Office with the password "
                            "and ingest the saved copy")
        return Extraction(media_type=media_type, metadata=ole_metadata(path))


def ole_metadata(path: Path) -> dict[str, Any]:
    """Title, author, dates ... from an OLE2 file's SummaryInformation stream."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            meta = ole.get_metadata()
    except (OSError, ValueError, IndexError, KeyError) as e:
        raise CorruptFile(f"not a readable OLE2 (Office 97-2003) file: {e}") from e
    out: dict[str, Any] = {}
    for attr, key in _FIELDS.items():
        value = getattr(meta, attr, None)
        if value in (None, b"", ""):
            continue
        if isinstance(value, bytes):
            value = _text(value, getattr(meta, "codepage", None))
        if isinstance(value, dt.datetime):
            if value.year < 1601 or value.year == 1601:
                continue
            value = value.isoformat()
        out[key] = value
    return out


def _text(value: bytes, codepage: int | None) -> str:
    encoding = {936: "gbk", 950: "big5", 65001: "utf-8", 1200: "utf-16-le"}.get(codepage or 0, f"cp{codepage}")
    try:
        return value.decode(encoding).rstrip("\x00")
    except (LookupError, UnicodeDecodeError):
        return value.decode("latin-1").rstrip("\x00")
