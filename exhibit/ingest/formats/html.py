"""HTML: the visible text as page 1 (no script/style), the title, decoded with the declared charset."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from exhibit.ingest.formats import IngestContext, charset
from exhibit.ingest.types import Extraction, Page

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_INVISIBLE = {"script", "style", "noscript", "template", "svg", "object"}
_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article",
          "header", "footer", "blockquote", "pre", "hr", "dt", "dd", "ul", "ol", "title", "body", "td", "th"}
# WHATWG: these labels mean a superset in browsers; decoding with the superset loses nothing.
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs",
             "iso-8859-1": "cp1252", "latin1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252"}


class HtmlIngestor:
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = ("text/html", "application/xhtml+xml")
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".html", ".htm", ".xhtml")
    SCORE: ClassVar[int] = 10

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction:
        data = path.read_bytes()
        encoding, declared = _encoding(data)
        parser = _TextParser()
        parser.feed(data.decode(encoding, errors="replace").lstrip("\ufeff"))
        parser.close()
        metadata: dict[str, object] = {"encoding": encoding}
        if declared:
            metadata["declared_charset"] = declared
        title = " ".join("".join(parser.title).split())
        if title:
            metadata["title"] = title
        return Extraction(media_type="text/html", pages=[Page(1, parser.text())], metadata=metadata)


def _encoding(data: bytes) -> tuple[str, str | None]:
    """(codec to decode with, charset the page declares). A BOM wins, then the declaration, then
    detection, as browsers do."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return charset.detect_encoding(data[:4]), None
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if m:
        declared = m.group(1).decode("ascii").lower()
        try:
            name = codecs.lookup(_SUPERSET.get(declared, declared)).name
        except LookupError:
            name = None
        if name:
            return name, declared
    return charset.detect_encoding(data[: 1 << 20]), None


class _TextParser(HTMLParser):
    """Collects the text a reader sees; stdlib's parser never fetches or expands anything external."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._hidden = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _INVISIBLE:
            self._hidden += 1
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _INVISIBLE and self._hidden:
            self._hidden -= 1
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._hidden:
            self.parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).splitlines())
        return "\n".join(line for line in lines if line)
