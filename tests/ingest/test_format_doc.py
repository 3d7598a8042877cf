"""Word 97-2003 (.doc): text, tables as tables (empty cells kept in place), properties decoded; 8-bit
pieces; damaged files. The fixtures were saved by LibreOffice (fixtures/make_doc.py)."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import olefile
import pytest

from exhibit.archive import Archive
from exhibit.config import Config
from exhibit.errors import CorruptFile
from exhibit.ingest import ingest
from exhibit.ingest.detect import detect
from exhibit.ingest.formats import IngestContext, choose
from exhibit.ingest.formats.doc import DocIngestor
from exhibit.ingest.types import Extraction

FIXTURES = Path(__file__).parent / "fixtures"
# What make_doc.py wrote into register.doc
REGISTER = [["序号", "姓名", "身份证号", "备注"],
            ["1", "阿卜杜拉·买买提", "653222198502143417", ""],
            ["2", "", "65322219900101002X", "待核实"],
            ["3", "Aygül Tursun", "653222197712310028", "境外有亲属"]]


def _ingest(path: Path, work: Path) -> Extraction:
    work.mkdir(parents=True, exist_ok=True)
    d = detect(path, path.name)
    return choose(d.media_type, path.name).ingest(path, IngestContext(workdir=work))


def test_doc_text_table_and_properties(tmp_path: Path) -> None:
    path = tmp_path / "花名册"  # no extension: recognised from the content
    shutil.copy(FIXTURES / "register.doc", path)
    assert detect(path, path.name).media_type == "application/msword"
    assert isinstance(choose("application/msword", path.name), DocIngestor)
    ext = _ingest(path, tmp_path / "w")
    # two pages: the page break before the last paragraph (stored as a paragraph property)
    first, second = ext.pages
    assert first.text.startswith("墨玉县职业技能教育培训中心学员花名册（第三批）\n")
    assert "2\t\t65322219900101002X\t待核实" in first.text  # the table stays readable in the page text
    assert first.text.endswith("第一页完。\n")
    assert second.text == "第二页：积分管理 points system, naïve café.\n"
    [table] = ext.tables
    assert [[c.value for c in r.cells] for r in table.rows] == REGISTER
    assert table.page == 1
    assert ext.metadata["title"] == "学员花名册" and ext.metadata["author"] == "培训中心"


def _compress(src: Path, dest: Path) -> None:
    """Rewrite the document's one Unicode piece as an 8-bit (cp1252) piece, as Word writes Western text."""
    shutil.copy(src, dest)
    with olefile.OleFileIO(str(dest), write_mode=True) as ole:
        word = bytearray(ole.openstream("WordDocument").read())
        name = "1Table" if struct.unpack_from("<H", word, 0x0A)[0] & 0x0200 else "0Table"
        table = bytearray(ole.openstream(name).read())
        pos = 32
        pos += 2 + struct.unpack_from("<H", word, pos)[0] * 2
        pos += 2 + struct.unpack_from("<H", word, pos)[0] * 4 + 2
        fc_clx = struct.unpack_from("<I", word, pos + 33 * 8)[0]
        assert table[fc_clx] == 0x02  # no property modifiers before the piece table in this file
        size = struct.unpack_from("<I", table, fc_clx + 1)[0]
        assert (size - 4) // 12 == 1
        cp_end = struct.unpack_from("<I", table, fc_clx + 5 + 4)[0]
        fc = struct.unpack_from("<I", table, fc_clx + 5 + 8 + 2)[0]
        text = word[fc:fc + 2 * cp_end].decode("utf-16-le")
        word[fc:fc + cp_end] = text.encode("cp1252")
        struct.pack_into("<I", table, fc_clx + 5 + 8 + 2, (fc * 2) | 0x40000000)
        ole.write_stream("WordDocument", bytes(word))
        ole.write_stream(name, bytes(table))


def test_doc_with_8bit_pieces(tmp_path: Path) -> None:
    path = tmp_path / "english.doc"
    _compress(FIXTURES / "english.doc", path)
    ext = _ingest(path, tmp_path / "w")
    assert ext.pages[0].text == "Points system: the camp used a points system.\n"
    unicode = _ingest(FIXTURES / "english.doc", tmp_path / "w2")
    assert unicode.pages[0].text == ext.pages[0].text


def test_damaged_doc_is_corrupt(tmp_path: Path) -> None:
    data = (FIXTURES / "register.doc").read_bytes()
    cut = tmp_path / "cut.doc"
    cut.write_bytes(data[:3000])
    with pytest.raises(CorruptFile):
        DocIngestor().ingest(cut, IngestContext(workdir=tmp_path))
    # a sound compound file whose piece table points nowhere
    bad = tmp_path / "bad.doc"
    shutil.copy(FIXTURES / "register.doc", bad)
    with olefile.OleFileIO(str(bad), write_mode=True) as ole:
        word = bytearray(ole.openstream("WordDocument").read())
        pos = 32
        pos += 2 + struct.unpack_from("<H", word, pos)[0] * 2
        pos += 2 + struct.unpack_from("<H", word, pos)[0] * 4 + 2
        struct.pack_into("<I", word, pos + 33 * 8, 0x7FFFFF00)
        ole.write_stream("WordDocument", bytes(word))
    with pytest.raises(CorruptFile):
        DocIngestor().ingest(bad, IngestContext(workdir=tmp_path))


def test_doc_register_in_the_archive_gives_records(tmp_path: Path) -> None:
    from exhibit.records import extract

    src = tmp_path / "cache"
    src.mkdir()
    shutil.copy(FIXTURES / "register.doc", src / "花名册.doc")
    root = tmp_path / "arch"
    arch = Archive.init(root)
    summary = ingest(arch, [src], Config(jobs=1, ocr=False, custodian="test"))
    assert summary.by_status == {"ok": 1}
    result = extract(arch)
    assert result["records"] == len(REGISTER) - 1
    [register] = [r for r in result["registers"] if r["status"] == "register"]
    assert register["title"] == "墨玉县职业技能教育培训中心学员花名册（第三批）"  # the page's first line
    ids = {r[0] for r in arch.db.execute("SELECT id_number FROM records")}
    assert ids == {row[2] for row in REGISTER[1:]}
    arch.close()
