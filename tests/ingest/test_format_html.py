"""HTML ingestor: declared charset honoured (GBK in the corpus), visible text only, title as metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from exhibit.ingest.formats import IngestContext
from exhibit.ingest.formats.html import HtmlIngestor
from exhibit.ingest.types import Extraction


def _ingest(path: Path, tmp_path: Path) -> Extraction:
    return HtmlIngestor().ingest(path, IngestContext(workdir=tmp_path))


def test_gbk_notice_decodes_to_chinese_with_its_phrase_on_page_1(corpus_dir: Path, truth: dict[str, Any],
                                                                  tmp_path: Path) -> None:
    phrase = next(p for p in truth["phrases"] if p["file"].endswith(".html"))
    ext = _ingest(corpus_dir / phrase["file"], tmp_path)
    assert ext.metadata["declared_charset"] == truth["files"][phrase["file"]]["encoding"]
    assert [p.number for p in ext.pages] == [phrase["page"]]
    assert phrase["query"] in ext.pages[0].text
    assert ext.metadata["title"] == "会议通知"
    assert "<" not in ext.pages[0].text and "\ufffd" not in ext.pages[0].text


def test_scripts_styles_and_markup_are_not_text(tmp_path: Path) -> None:
    path = tmp_path / "p.html"
    path.write_bytes("""<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5">
<title>通知</title><style>p{color:red}</style><script>var secret = "不可見";</script></head>
<body><p>各鄉鎮&nbsp;請於&#26412;週五前上報</p><!-- 註釋 --><div>第二段</div></body></html>""".encode("big5"))
    ext = _ingest(path, tmp_path)
    text = ext.pages[0].text
    assert text.splitlines() == ["各鄉鎮 請於本週五前上報", "第二段"]
    assert ext.metadata["title"] == "通知" and ext.metadata["declared_charset"] == "big5"


def test_undeclared_charset_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "p.htm"
    path.write_bytes("<html><body><p>定于六月五日召开全县教培工作推进会</p></body></html>".encode("gb18030"))
    ext = _ingest(path, tmp_path)
    assert ext.pages[0].text == "定于六月五日召开全县教培工作推进会"
    assert "declared_charset" not in ext.metadata


def test_html_tables_are_tables_with_spans_repeated(tmp_path: Path) -> None:
    """A register exported as an HTML table (often saved as .xls) reaches the records as rows."""
    path = tmp_path / "名单.xls"
    path.write_bytes("""<html><head><meta charset="gb2312"></head><body>
<table border=1><tr><th colspan=3>墨玉县学员花名册</th></tr>
<tr><th>序号</th><th>姓名</th><th>身份证号</th></tr>
<tr><td rowspan=2>扎瓦镇</td><td>依明·买合木提<td>653222198108166678
<tr><td>艾山·阿布来提</td><td>653222198504122378</td></tr>
</table><table><tr><td>layout</td></tr></table></body></html>""".encode("gb18030"))
    from exhibit.ingest.detect import detect

    d = detect(path, path.name)
    assert d.media_type == "text/html" and d.mislabelled
    ext = _ingest(path, tmp_path)
    (table,) = ext.tables
    assert table.kind == "html" and table.name == "table 1"
    assert [[c.value for c in r.cells] for r in table.rows] == [
        ["墨玉县学员花名册"] * 3, ["序号", "姓名", "身份证号"],
        ["扎瓦镇", "依明·买合木提", "653222198108166678"], ["扎瓦镇", "艾山·阿布来提", "653222198504122378"]]
    assert "653222198504122378" in ext.pages[0].text
