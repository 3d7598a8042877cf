"""XML (exports, configuration, SVG): the text content as page 1, parsed with entity expansion refused."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import ClassVar
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from exhibit.errors import CorruptFile
from exhibit.ingest.formats import IngestContext
from exhibit.ingest.types import Extraction, Page

_MAX_CHARS = 50 * 1024 * 1024
_DECLARED = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")


class XmlIngestor:
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = ("application/xml", "text/xml", "image/svg+xml")
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".xml", ".svg")
    SCORE: ClassVar[int] = 10

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction:
        try:
            return _read(str(path))
        except ValueError as e:
            if "multi-byte" not in str(e):
                raise CorruptFile(f"not readable XML: {e}") from e
        # expat reads no multi-byte legacy encoding (GB18030, Big5): decode here, parse as UTF-8.
        data = path.read_bytes()
        m = _DECLARED.search(data[:200])
        encoding = m.group(1).decode("ascii") if m else "utf-8"
        try:
            text = data.decode(encoding, errors="replace")
        except LookupError as e:
            raise CorruptFile(f"the XML declares an unknown encoding {encoding!r}") from e
        body = _DECLARATION.sub("", text, count=1).encode("utf-8")
        return _read(io.BytesIO(body))


def _read(source: str | io.BytesIO) -> Extraction:
    parts: list[str] = []
    size = 0
    root_tag = None
    try:
        # defusedxml refuses entity declarations and external references: no billion laughs, no XXE.
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                root_tag = root_tag or element.tag
                continue
            for text in (element.text, element.tail):
                if text and text.strip():
                    parts.append(text.strip())
                    size += len(text)
            element.clear()
            if size > _MAX_CHARS:
                break
    except DefusedXmlException as e:
        raise CorruptFile(f"the XML declares entities or external references, which are refused: {e}") from e
    except ParseError as e:
        raise CorruptFile(f"not well-formed XML: {e}") from e
    metadata: dict[str, object] = {"root": str(root_tag).split("}")[-1]} if root_tag else {}
    return Extraction(media_type="application/xml", pages=[Page(1, "\n".join(parts))], metadata=metadata)
