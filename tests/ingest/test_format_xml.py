"""XML ingestor: text content as a page; entity declarations (billion laughs, XXE) refused, never expanded."""

from __future__ import annotations

from pathlib import Path

import pytest

from exhibit.errors import CorruptFile
from exhibit.ingest.detect import detect
from exhibit.ingest.formats import IngestContext, choose


def _ingest(path: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    d = detect(path, path.name)
    return choose(d.media_type, path.name).ingest(path, IngestContext(workdir=tmp_path))


def test_xml_text_content_is_page_1(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_text('<?xml version="1.0" encoding="GB18030"?><人员><姓名>依明·买合木提</姓名>'
                    '<身份证号>653222198108166678</身份证号></人员>', encoding="gb18030")
    ext = _ingest(path, tmp_path)
    assert ext.pages[0].text == "依明·买合木提\n653222198108166678"
    assert ext.metadata["root"] == "人员"


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE r [<!ENTITY a "LOL"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>',
    '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
])
def test_entity_declarations_are_refused(tmp_path: Path, doctype: str) -> None:
    path = tmp_path / "hostile.xml"
    path.write_text('<?xml version="1.0"?>' + doctype, encoding="utf-8")
    with pytest.raises(CorruptFile):
        _ingest(path, tmp_path)
