"""Legacy Office (DOC, PPT and other OLE2 files): document properties; password-protected Office files
are decrypted with a given password into a child exhibit, else reported encrypted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, ClassVar

import olefile

from exhibit.errors import CorruptFile, Encrypted
from exhibit.ingest.formats import IngestContext
from exhibit.ingest.types import Child, Extraction

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
            return Extraction(media_type=media_type, metadata={"encrypted": True},
                              children=[decrypted_child(path, ctx, "document")])
        return Extraction(media_type=media_type, metadata=ole_metadata(path))


def decrypted_child(path: Path, ctx: IngestContext, what: str) -> Child:
    """The decrypted copy of a password-protected Office file, as a child exhibit (its bytes differ from
    the stored ones, so it is an exhibit of its own, derived from this one). Raises Encrypted when no
    given password opens it."""
    import msoffcrypto
    from msoffcrypto.exceptions import DecryptionError, FileFormatError, InvalidKeyError, ParseError

    from exhibit.ingest.detect import XLSX, sniff

    with open(path, "rb") as f:
        try:
            office = msoffcrypto.OfficeFile(f)
            encrypted = office.is_encrypted()
        except (FileFormatError, ParseError, OSError, ValueError, KeyError, IndexError) as e:
            raise CorruptFile(f"the encrypted Office {what} cannot be read: {e}") from e
        if not encrypted:
            raise CorruptFile(f"the Office {what} looks encrypted but has no encryption information")
        dest = ctx.workdir / "decrypted"
        for password in ctx.passwords:
            try:
                office.load_key(password=password, verify_password=True)
                with open(dest, "wb") as out:
                    office.decrypt(out)
            except (InvalidKeyError, DecryptionError, FileFormatError, ParseError, ValueError, KeyError,
                    IndexError, AssertionError):
                continue
            ctx.notes.append("password used")
            with open(dest, "rb") as out:
                kind = sniff(dest, out.read(8))
            suffix = {XLSX: ".xlsx", "application/vnd.ms-excel": ".xls", "application/msword": ".doc",
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}
            return Child(name="decrypted" + suffix.get(kind, ""), path=str(dest))
    tried = f"none of the {len(ctx.passwords)} passwords given opens it" if ctx.passwords else \
        "no password was given (use --password)"
    raise Encrypted(f"the Office {what} is password-protected: {tried}")


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
    # olefile reads the codepage property as a signed 16-bit number: UTF-8's 65001 comes back as -535
    codepage = (codepage or 0) & 0xFFFF
    encoding = {936: "gbk", 950: "big5", 65001: "utf-8", 1200: "utf-16-le"}.get(codepage, f"cp{codepage}")
    try:
        return value.decode(encoding).rstrip("\x00")
    except (LookupError, UnicodeDecodeError):
        return value.decode("latin-1").rstrip("\x00")
