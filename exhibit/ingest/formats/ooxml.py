"""Shared guard for OOXML packages (DOCX, XLSX): refuse zip parts that would inflate past the limits."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

from lxml.etree import XMLSyntaxError

from exhibit.config import Limits
from exhibit.errors import CorruptFile, LimitExceeded

# How openpyxl and python-docx fail on a damaged package: a broken deflate stream, malformed XML
# (defusedxml raises ParseError, lxml XMLSyntaxError), a missing part, or their own attribute and
# type errors on parts that parse but are not what they expect.
PACKAGE_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile, zlib.error, ParseError, XMLSyntaxError, KeyError, ValueError, TypeError,
    AttributeError, IndexError, EOFError, OSError, NotImplementedError)


def check_package(path: Path, limits: Limits, *, ratio: bool = True) -> None:
    """Raise LimitExceeded when a part declares more bytes than the limits allow (zipfile never inflates
    past a member's declared size, so the declared sizes bound what the parsers can be made to read).
    `ratio=False` for packages whose big parts are streamed (XLSX sheets): a sparse sheet's XML can
    compress far beyond the bomb ratio and is still harmless when read row by row."""
    from exhibit.ingest.formats.zip import _declared_entries

    declared = _declared_entries(path)
    if declared is not None and declared > limits.members:
        raise LimitExceeded(f"the package declares {declared} parts, over the member-count limit of "
                            f"{limits.members}")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as e:
        raise CorruptFile(f"the package is not a readable zip: {e}") from e
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.member_bytes:
            raise LimitExceeded(f"part {info.filename} declares {info.file_size} bytes, over the "
                                f"member limit of {limits.member_bytes}")
        if ratio and info.compress_size and info.file_size > 1_000_000 and \
                info.file_size / info.compress_size > limits.ratio:
            raise LimitExceeded(f"part {info.filename} would expand {info.file_size / info.compress_size:.0f}x, "
                                f"over the ratio limit of {limits.ratio:g}")
    if total > limits.total_bytes:
        raise LimitExceeded(f"the parts declare {total} bytes together, over the limit of {limits.total_bytes}")
