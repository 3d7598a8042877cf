"""Legacy and protected Office files: OLE2 metadata, password-protected DOCX/XLSX decrypted into a child."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from exhibit.errors import Encrypted
from exhibit.ingest.detect import detect
from exhibit.ingest.formats import IngestContext, choose


def _protected_docx(tmp_path: Path, password: str) -> Path:
    d = docx.Document()
    d.add_paragraph("内部资料 注意保密")
    plain = io.BytesIO()
    d.save(plain)
    plain.seek(0)
    path = tmp_path / "保密.docx"
    with open(path, "wb") as out:
        OOXMLFile(plain).encrypt(password, out)
    return path


def test_protected_docx_is_detected_and_reported_encrypted_without_the_password(tmp_path: Path) -> None:
    path = _protected_docx(tmp_path, "xj2018")
    d = detect(path, path.name)
    assert d.media_type == "application/x-ooxml-encrypted" and not d.mislabelled
    for passwords in ((), ("wrong",)):
        with pytest.raises(Encrypted):
            choose(d.media_type, path.name).ingest(path, IngestContext(workdir=tmp_path, passwords=passwords))


def test_protected_docx_opens_with_the_password_into_a_child(tmp_path: Path) -> None:
    path = _protected_docx(tmp_path, "xj2018")
    work = tmp_path / "w"
    work.mkdir()
    ctx = IngestContext(workdir=work, passwords=("wrong", "xj2018"))
    ext = choose(detect(path, path.name).media_type, path.name).ingest(path, ctx)
    assert ctx.notes == ["password used"]
    (child,) = ext.children
    assert child.name == "decrypted.docx"
    d = detect(Path(child.path), child.name)
    inner = choose(d.media_type, child.name).ingest(Path(child.path), IngestContext(workdir=work))
    assert "内部资料" in inner.pages[0].text
