"""Word 97-2003 documents (.doc, and WPS files saved in that format): text by page breaks, tables as
tables, document properties; an encrypted one is opened with --password like other Office files.

Written by hand after the [MS-DOC] specification because no maintained Python library reads .doc text
(textract and friends shell out to antiword, which mangles Chinese). What is read: the FIB, the piece
table (CLX) that maps character positions to the WordDocument stream (8-bit cp1252 or UTF-16 pieces),
and the paragraph properties (PAPX in FKPs) only for the one flag that tells a table row's end mark from
a cell's. Field instructions are dropped and their results kept; footnotes and headers are not read.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import ClassVar

import olefile

from exhibit.errors import CorruptFile
from exhibit.ingest.formats import IngestContext
from exhibit.ingest.formats.office import decrypted_child, ole_metadata
from exhibit.ingest.types import Cell, Extraction, Page, Row, Table, TableKind

_WIDENT = 0xA5EC
_F_ENCRYPTED = 0x0100
_F_WHICH_TABLE = 0x0200
_FC_CLX = 33             # index of fcClx/lcbClx in FibRgFcLcb97
_FC_PLCF_BTE_PAPX = 13   # index of fcPlcfBtePapx/lcbPlcfBtePapx
_SPRM_TTP = (0x2417, 0x244C)  # sprmPFTtp, sprmPFInnerTtp: this paragraph mark ends a table row
_SPRM_IN_TABLE = 0x2416       # sprmPFInTable: this paragraph is inside a table cell
_SPRM_BREAK_BEFORE = 0x2407   # sprmPFPageBreakBefore: this paragraph starts a new page
_OPERAND = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}  # operand size by spra (6: variable)
_DROP = {"\x01", "\x02", "\x05", "\x08", "\x1f"}  # pictures, footnote/annotation marks, drawn objects,
_SWAP = {"\x0b": "\n", "\x1e": "-"}   # optional hyphens; line break, non-breaking hyphen


class DocIngestor:
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = ("application/msword",)
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".doc", ".wps", ".dot")
    SCORE: ClassVar[int] = 10  # above office.py, which keeps the properties of any OLE2 file

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction:
        meta = ole_metadata(path)
        try:
            with olefile.OleFileIO(str(path)) as ole:
                word = ole.openstream("WordDocument").read()
                flags = struct.unpack_from("<H", word, 0x0A)[0] if len(word) > 0x0C else 0
                if len(word) < 0x0C or struct.unpack_from("<H", word, 0)[0] != _WIDENT:
                    raise CorruptFile("not a Word 97-2003 document (its WordDocument stream has no FIB)")
                if flags & _F_ENCRYPTED:
                    return Extraction(media_type="application/msword", metadata={**meta, "encrypted": True},
                                      children=[decrypted_child(path, ctx, "document")])
                name = "1Table" if flags & _F_WHICH_TABLE else "0Table"
                if not ole.exists(name):
                    raise CorruptFile(f"the document's table stream {name} is missing")
                table = ole.openstream(name).read()
        except OSError as e:  # olefile raises OSError for a broken compound file
            raise CorruptFile(f"not a readable Word document: {e}") from e
        try:
            text, marks, breaks = _read(word, table)
        except (struct.error, IndexError, ValueError, KeyError) as e:
            raise CorruptFile(f"the Word document's structure is damaged: {e}") from e
        pages, tables = _layout(text, marks, breaks)
        return Extraction(media_type="application/msword", pages=pages, tables=tables,
                          metadata={**meta, "characters": len(text)})


def _fc_lcb(word: bytes, index: int) -> tuple[int, int]:
    """fc and lcb of FibRgFcLcb entry `index` (its offset depends on the FIB's variable parts)."""
    pos = 32
    csw = struct.unpack_from("<H", word, pos)[0]
    pos += 2 + csw * 2
    cslw = struct.unpack_from("<H", word, pos)[0]
    pos += 2 + cslw * 4 + 2
    return struct.unpack_from("<II", word, pos + index * 8)


def _ccp_text(word: bytes) -> int:
    pos = 32
    csw = struct.unpack_from("<H", word, pos)[0]
    pos += 2 + csw * 2 + 2
    return int(struct.unpack_from("<i", word, pos + 3 * 4)[0])


def _pieces(word: bytes, table: bytes) -> list[tuple[int, int, int, bool]]:
    """The piece table: (cp_start, cp_end, fc of the first byte, compressed 8-bit)."""
    fc, lcb = _fc_lcb(word, _FC_CLX)
    clx = table[fc:fc + lcb]
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # Prc: property modifiers, skipped
        pos += 3 + struct.unpack_from("<h", clx, pos + 1)[0]
    if pos >= len(clx) or clx[pos] != 0x02:
        raise ValueError("no piece table")
    size = struct.unpack_from("<I", clx, pos + 1)[0]
    plc = clx[pos + 5:pos + 5 + size]
    n = (size - 4) // 12
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    out = []
    for i in range(n):
        raw = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * i + 2)[0]
        compressed = bool(raw & 0x40000000)
        fc_start = (raw & ~0x40000000) // 2 if compressed else raw
        out.append((cps[i], cps[i + 1], fc_start, compressed))
    return out


def _read(word: bytes, table: bytes) -> tuple[str, dict[int, str], set[int]]:
    """The main text (ccpText characters), its table paragraph marks by position ("row" or "cell"), and
    the positions where a paragraph starts a new page."""
    limit = _ccp_text(word)
    pieces = _pieces(word, table)
    parts = []
    for cp0, cp1, fc, compressed in pieces:
        if cp0 >= limit:
            break
        cp1 = min(cp1, limit)
        n = cp1 - cp0
        if compressed:
            parts.append(word[fc:fc + n].decode("cp1252", errors="replace"))
        else:
            parts.append(word[fc:fc + 2 * n].decode("utf-16-le", errors="replace"))
    return ("".join(parts), *_paragraphs(word, table, pieces))


def _paragraphs(word: bytes, table: bytes,
                pieces: list[tuple[int, int, int, bool]]) -> tuple[dict[int, str], set[int]]:
    """From the paragraph properties: the CP of each paragraph mark in a table ("row" where it ends a
    table row, sprmPFTtp; "cell" inside a cell, sprmPFInTable), and the first CP of each paragraph that
    starts a new page (sprmPFPageBreakBefore; Word's manual breaks are \\x0c characters instead)."""
    fc, lcb = _fc_lcb(word, _FC_PLCF_BTE_PAPX)
    if lcb < 8:
        return {}, set()
    n = (lcb - 4) // 8
    pns = struct.unpack_from(f"<{n}I", table, fc + 4 * (n + 1))
    ends: dict[int, str] = {}
    breaks: set[int] = set()
    for pn in pns:
        fkp = word[(pn & 0x3FFFFF) * 512:(pn & 0x3FFFFF) * 512 + 512]
        if len(fkp) < 512:
            continue
        crun = fkp[511]
        fcs = struct.unpack_from(f"<{crun + 1}I", fkp, 0)
        for i in range(crun):
            offset = fkp[4 * (crun + 1) + 13 * i] * 2
            flags = _flags(fkp, offset) if offset else set()
            kind = "row" if "row" in flags else "cell" if "cell" in flags else None
            if kind:
                cp = _cp_of(fcs[i + 1], pieces)
                if cp is not None:
                    ends[cp] = kind
            if "break" in flags:
                start = _cp_at(fcs[i], pieces)
                if start:
                    breaks.add(start)
    return ends, breaks


def _flags(fkp: bytes, offset: int) -> set[str]:
    cb = fkp[offset]
    if cb:
        start, length = offset + 1, 2 * cb - 1
    else:
        start, length = offset + 2, 2 * fkp[offset + 1]
    grpprl = fkp[start + 2:start + length]  # after the style index
    pos = 0
    found: set[str] = set()
    while pos + 2 <= len(grpprl):
        sprm = struct.unpack_from("<H", grpprl, pos)[0]
        pos += 2
        spra = sprm >> 13
        if pos < len(grpprl) and grpprl[pos] == 1:
            if sprm in _SPRM_TTP:
                found.add("row")
            elif sprm == _SPRM_IN_TABLE:
                found.add("cell")
            elif sprm == _SPRM_BREAK_BEFORE:
                found.add("break")
        if spra == 6:  # variable: a size byte, except sprmTDefTable's two-byte size
            size = struct.unpack_from("<H", grpprl, pos)[0] + 1 if sprm == 0xD608 else grpprl[pos] + 1
        else:
            size = _OPERAND[spra]
        pos += size
    return found


def _cp_at(fc_at: int, pieces: list[tuple[int, int, int, bool]]) -> int | None:
    """The CP of the character that starts at byte `fc_at`."""
    for cp0, cp1, fc, compressed in pieces:
        width = 1 if compressed else 2
        if fc <= fc_at < fc + (cp1 - cp0) * width:
            return cp0 + (fc_at - fc) // width
    return None


def _cp_of(fc_after: int, pieces: list[tuple[int, int, int, bool]]) -> int | None:
    """The CP of the character that ends just before byte `fc_after` (a paragraph mark)."""
    for cp0, cp1, fc, compressed in pieces:
        width = 1 if compressed else 2
        if fc < fc_after <= fc + (cp1 - cp0) * width:
            return cp0 + (fc_after - fc) // width - 1
    return None


def _layout(text: str, marks: dict[int, str], breaks: set[int]) -> tuple[list[Page], list[Table]]:
    """Pages split at page breaks (\\x0c); table cells and rows gathered from the cell marks (\\x07) and the
    row-end marks. A table's text also stays in its page, one row a line with cells separated by tabs."""
    pages: list[Page] = []
    tables: list[Table] = []
    line: list[str] = []
    page_lines: list[str] = []
    cells: list[str] = []
    rows: list[list[str]] = []
    instruction = 0  # fields whose instruction is being read (dropped)
    result = 0       # fields whose result is being read (kept)

    def flush_table() -> None:
        if rows:
            n = len(tables) + 1
            width = max(len(r) for r in rows)
            rs = [Row(i, tuple(Cell(v) for v in r + [""] * (width - len(r)))) for i, r in enumerate(rows, 1)]
            tables.append(Table(name=f"table {n}", rows=rs, page=len(pages) + 1, kind=TableKind.DOC))
            rows.clear()

    def end_page() -> None:
        page_lines.append("".join(line))
        line.clear()
        body = "\n".join(page_lines).strip("\n")
        pages.append(Page(len(pages) + 1, body + "\n" if body else ""))
        page_lines.clear()

    for cp, ch in enumerate(text):
        if cp in breaks and (line or page_lines or rows):
            flush_table()
            end_page()
        if ch == "\x13":
            instruction += 1
        elif ch == "\x14":
            if instruction:
                instruction -= 1
                result += 1
        elif ch == "\x15":
            if result:
                result -= 1
            elif instruction:
                instruction -= 1
        elif instruction or ch in _DROP:
            continue
        elif ch == "\x07":
            if marks.get(cp) == "row":
                rows.append(cells[:])
                page_lines.append("\t".join(c.replace("\n", " ") for c in cells))
                cells.clear()
            else:
                cells.append("".join(line).strip())
            line.clear()
        elif ch == "\r" and marks.get(cp) == "cell":  # a paragraph inside a cell
            line.append("\n")
        elif ch == "\r":
            flush_table()
            page_lines.append("".join(line))
            line.clear()
        elif ch == "\x0c":
            flush_table()
            end_page()
        else:
            line.append(_SWAP.get(ch, ch))
    flush_table()
    if line or page_lines or not pages:
        end_page()
    return pages, tables
