"""DOCX ingestor: paragraphs as page 1, tables with merged cells as seen, core properties, hostile XML."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest

from exhibit.errors import CorruptFile
from exhibit.ingest.formats import IngestContext
from exhibit.ingest.formats.docx import DocxIngestor
from exhibit.ingest.types import Extraction


def _ingest(path: Path, tmp_path: Path) -> Extraction:
    return DocxIngestor().ingest(path, IngestContext(workdir=tmp_path))


def test_speech_phrase_is_on_page_1(corpus_dir: Path, truth: dict[str, Any], tmp_path: Path) -> None:
    phrases = [p for p in truth["phrases"] if p["file"].endswith(".docx")]
    assert phrases
    for phrase in phrases:
        ext = _ingest(corpus_dir / phrase["file"], tmp_path)
        assert [p.number for p in ext.pages] == [1]
        assert phrase["query"] in ext.pages[phrase["page"] - 1].text


def test_family_register_table_rows_are_numbered_with_the_header_first(corpus_dir: Path, truth: dict[str, Any],
                                                                       tmp_path: Path) -> None:
    rel = "registers/家庭成员情况表.docx"
    ext = _ingest(corpus_dir / rel, tmp_path)
    assert [t.name for t in ext.tables] == ["table 1"] and ext.tables[0].kind == "docx"
    rows = list(ext.tables[0].rows)
    assert rows[0].number == 1 and rows[0].cells[1].value == "身份证号"
    assert [r.number for r in rows] == list(range(1, len(rows) + 1))
    pairs = {(r.cells[1].value, r.cells[3].value) for r in rows[1:]}
    for entry in truth["registers"][rel]:
        assert (entry["id"], entry["relative"]) in pairs
    assert ext.metadata["author"] and ext.metadata["creation_date"].startswith("20")


def test_merged_cells_are_repeated_as_the_user_sees_them(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("标题")
    table = d.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "墨玉县"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "扎瓦镇"
    table.cell(1, 1).text, table.cell(1, 2).text = "依明", "653222198108166678"
    table.cell(2, 1).text, table.cell(2, 2).text = "艾山", "653222198504122378"
    d.core_properties.title = "名单"
    d.core_properties.created = dt.datetime(2018, 3, 14, 10, 22, 31)
    path = tmp_path / "merged.docx"
    d.save(path)
    ext = _ingest(path, tmp_path)
    rows = [[c.value for c in r.cells] for r in ext.tables[0].rows]
    assert rows == [["墨玉县"] * 3, ["扎瓦镇", "依明", "653222198108166678"],
                    ["扎瓦镇", "艾山", "653222198504122378"]]
    assert ext.metadata["title"] == "名单"
    assert ext.metadata["creation_date"].startswith("2018-03-14T10:22:31")
    assert ext.pages[0].text == "标题"


def test_entity_expansion_is_not_performed(corpus_dir: Path, tmp_path: Path) -> None:
    """A billion-laughs DOCX: the entities are not expanded (the text never contains the payload)."""
    bomb = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "LOLLOLLOLLOLLOL">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            '<w:body><w:p><w:r><w:t>x&c;y</w:t></w:r></w:p></w:body></w:document>')
    src = corpus_dir / "documents/讲话稿.docx"
    path = tmp_path / "laughs.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = bomb.encode() if item.filename == "word/document.xml" else zin.read(item)
            zout.writestr(item, data)
    ext = _ingest(path, tmp_path)
    assert ext.pages[0].text.startswith("x") and "LOL" not in ext.pages[0].text


def test_zip_without_a_document_part_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<not-closed")
    with pytest.raises(CorruptFile):
        _ingest(path, tmp_path)


def test_pictures_in_a_document_become_children(tmp_path: Path) -> None:
    from PIL import Image

    picture = tmp_path / "scan.png"
    Image.new("L", (60, 40), 255).save(picture)
    d = docx.Document()
    d.add_paragraph("见扫描件")
    d.add_picture(str(picture))
    path = tmp_path / "with-picture.docx"
    d.save(path)
    work = tmp_path / "w"
    work.mkdir()
    ext = _ingest(path, work)
    (child,) = ext.children
    assert child.name.startswith("media/") and child.name.endswith(".png")
    assert Path(child.path).read_bytes() == picture.read_bytes()


def test_headers_footers_and_text_boxes_are_in_the_page_text(tmp_path: Path) -> None:
    from lxml import etree

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "机密★启用前"
    d.sections[0].footer.paragraphs[0].text = "新党政发〔2017〕12号"
    d.add_paragraph("正文第一段")
    box = etree.fromstring(
        '<w:pict xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:v="urn:schemas-microsoft-com:vml"><v:shape><v:textbox><w:txbxContent>'
        '<w:p><w:r><w:t>中共新疆维吾尔自治区委员会文件</w:t></w:r></w:p>'
        '</w:txbxContent></v:textbox></v:shape></w:pict>')
    d.add_paragraph().add_run()._r.append(box)
    path = tmp_path / "redhead.docx"
    d.save(path)
    text = _ingest(path, tmp_path).pages[0].text
    lines = text.splitlines()
    assert lines[0] == "机密★启用前" and lines[-1] == "新党政发〔2017〕12号"
    assert "中共新疆维吾尔自治区委员会文件" in lines and "正文第一段" in lines
    assert lines.count("中共新疆维吾尔自治区委员会文件") == 1
