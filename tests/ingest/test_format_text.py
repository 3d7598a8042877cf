"""CSV/TSV/TXT ingestor: encodings of a Chinese cache decoded right, records numbered, text as one page."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import pytest

from exhibit.ingest.detect import detect
from exhibit.ingest.formats import IngestContext, charset, choose
from exhibit.ingest.types import Extraction

CSV_TEXT = "序号,姓名,身份证号,户籍地\n1,吐尔逊·买买提,653222198108166678,扎瓦镇7村\n2,阿米娜·努尔,65322219640125204X,芒来乡18村\n"


def _ingest(path: Path, tmp_path: Path, name: str | None = None) -> Extraction:
    d = detect(path, name or path.name)
    return choose(d.media_type, name or path.name).ingest(path, IngestContext(workdir=tmp_path))


def _cells(ext: Extraction) -> list[list[str]]:
    return [[c.value for c in r.cells] for r in ext.tables[0].rows]


def test_gb18030_register_decodes_to_chinese_with_ids_on_their_rows(corpus_dir: Path, truth: dict[str, Any],
                                                                    tmp_path: Path) -> None:
    rel = "registers/一体化平台推送人员清单.csv"
    ext = _ingest(corpus_dir / rel, tmp_path)
    assert ext.metadata["encoding"] == truth["files"][rel]["encoding"]
    assert ext.pages == [] and ext.tables[0].kind == "csv" and ext.tables[0].name == Path(rel).name
    rows = {r.number: [c.value for c in r.cells] for r in ext.tables[0].rows}
    assert rows[1][:3] == ["序号", "姓名", "性别"]
    for entry in truth["registers"][rel]:
        assert entry["id"] in rows[entry["row"]], entry
    assert "\ufffd" not in "".join("".join(v) for v in rows.values())


def test_mislabelled_csv_is_read_as_csv(corpus_dir: Path, truth: dict[str, Any], tmp_path: Path) -> None:
    rel = next(r for r, s in truth["hostile"].items() if s == "mislabelled")
    ext = _ingest(corpus_dir / rel, tmp_path, Path(rel).name)
    assert ext.media_type == "text/csv" and len(_cells(ext)) >= 2


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("gb18030", "gb18030"),
    ("gbk", "gb18030"), ("big5", "big5"),
])
def test_csv_in_each_encoding_decodes_to_the_same_cells(tmp_path: Path, encoding: str, expected: str) -> None:
    text = CSV_TEXT
    if encoding == "big5":
        text = text.replace("吐尔逊·买买提", "吐爾遜·買買提").replace("阿米娜·努尔", "阿米娜·努爾") \
            .replace("户籍地", "戶籍地").replace("扎瓦镇", "扎瓦鎮").replace("芒来乡", "芒來鄉") \
            .replace("序号", "序號").replace("身份证号", "身份證號")
    path = tmp_path / f"list-{encoding}.csv"
    path.write_bytes(text.encode(encoding))
    ext = _ingest(path, tmp_path)
    assert ext.metadata["encoding"] == expected
    rows = list(ext.tables[0].rows)  # a one-shot stream
    assert [[c.value for c in r.cells] for r in rows] == [line.split(",") for line in text.splitlines()]
    assert [r.number for r in rows] == [1, 2, 3]


@pytest.mark.parametrize("text,encoding", [
    ("吐尔逊", "gbk"), ("会议通知", "gbk"), ("吐爾遜", "big5"), ("會議通知", "big5"),
    ("我的哥哥在乌鲁木齐", "gb18030"), ("我的哥哥在烏魯木齊", "big5"), ("Méning akam", "utf-8"),
])
def test_short_chinese_strings_get_the_right_codec(text: str, encoding: str) -> None:
    data = text.encode(encoding)
    assert data.decode(charset.detect_encoding(data)) == text


def test_utf16_without_bom_is_recognised() -> None:
    data = CSV_TEXT.encode("utf-16-le")
    assert charset.detect_encoding(data) == "utf-16-le"


def test_tsv_and_quoted_multiline_records_keep_record_numbers(tmp_path: Path) -> None:
    path = tmp_path / "list.tsv"
    path.write_text('姓名\t说明\n依明\t"第一行\n第二行"\n艾山\t无\n', encoding="utf-8")
    ext = _ingest(path, tmp_path)
    assert ext.media_type == "text/tab-separated-values"
    rows = list(ext.tables[0].rows)
    assert [r.number for r in rows] == [1, 2, 3]
    assert rows[1].cells[1].value == "第一行\n第二行"


def test_txt_is_one_page_with_its_encoding(tmp_path: Path) -> None:
    path = tmp_path / "说明.txt"
    path.write_bytes(codecs.BOM_UTF8 + "请各乡镇于本周五前上报收押人数。\n第二行\n".encode())
    ext = _ingest(path, tmp_path)
    assert ext.tables == [] and [p.number for p in ext.pages] == [1]
    assert ext.pages[0].text == "请各乡镇于本周五前上报收押人数。\n第二行\n"
    assert ext.metadata["encoding"] == "utf-8-sig"


def test_binary_named_txt_is_corrupt(tmp_path: Path) -> None:
    from exhibit.errors import CorruptFile
    from exhibit.ingest.formats.text import TextIngestor

    path = tmp_path / "x.txt"
    path.write_bytes(b"\x00\x01\x02\x03" * 100)
    with pytest.raises(CorruptFile):
        TextIngestor(media_type="text/plain", name="x.txt").ingest(path, IngestContext(workdir=tmp_path))


def test_encoding_is_judged_where_the_chinese_starts(tmp_path: Path) -> None:
    from exhibit.ingest.formats import text

    path = tmp_path / "long.csv"
    preamble = "id,name,note\n" + "".join(f"{i},name {i},plain ascii line\n" for i in range(80000))
    assert len(preamble) > text._SAMPLE
    path.write_bytes(preamble.encode() + "80000,吐尔逊·买买提,境外有亲属\n".encode("gb18030"))
    ext = _ingest(path, tmp_path)
    assert ext.metadata["encoding"] == "gb18030"
    last = list(ext.tables[0].rows)[-1]
    assert [c.value for c in last.cells] == ["80000", "吐尔逊·买买提", "境外有亲属"]
