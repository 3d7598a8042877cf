"""E-mail ingestor: headers decoded, body as a page, attachments (RFC 2231 names) and mbox messages as children."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Any

from exhibit.ingest.detect import detect
from exhibit.ingest.formats import IngestContext, choose
from exhibit.ingest.formats.email import EmailIngestor
from exhibit.ingest.types import Extraction

MAIL = "mail/forward_20180604.eml"


def _ingest(path: Path, tmp_path: Path, media_type: str = "message/rfc822") -> Extraction:
    return EmailIngestor(media_type=media_type).ingest(path, IngestContext(workdir=tmp_path))


def test_forwarded_mail_headers_body_and_attachments(corpus_dir: Path, truth: dict[str, Any],
                                                     tmp_path: Path) -> None:
    ext = _ingest(corpus_dir / MAIL, tmp_path)
    meta = ext.metadata
    assert meta["subject"].startswith("转发") and "=?" not in meta["subject"]
    assert meta["date"] == "2018-06-04T09:13:00+08:00"
    assert meta["from"] == "zhengfawei@example.cn" and meta["message_id"].startswith("<")
    assert [p.number for p in ext.pages] == [1] and "附件为本周情况" in ext.pages[0].text
    direct = {m for m in truth["containers"][MAIL]["members"] if "/" not in m}
    assert {c.name for c in ext.children} == direct
    for child in ext.children:
        assert Path(child.path).parent == tmp_path and Path(child.path).stat().st_size > 0
    duplicates = truth["containers"][MAIL]["duplicate_of"]
    for inner, original in duplicates.items():
        child = next(c for c in ext.children if c.name == inner)
        assert Path(child.path).read_bytes() == (corpus_dir / original).read_bytes()


def _message(subject: str, body: str, attachment: tuple[str, bytes] | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "吐尔逊 <tursun@example.org>"
    msg["To"] = "a@example.org, b@example.org"
    msg["Subject"] = subject
    msg["Date"] = "Tue, 05 Jun 2018 10:00:00 +0600"
    msg.set_content(body)
    if attachment:
        msg.add_attachment(attachment[1], maintype="application", subtype="octet-stream", filename=attachment[0])
    return msg


def test_rfc2231_names_nested_messages_and_html_only_bodies(tmp_path: Path) -> None:
    outer = _message("名单", "见附件", ("收押人员名单 (终稿).csv", "姓名\n依明\n".encode("gb18030")))
    inner = _message("原始邮件", "inner body")
    outer.add_attachment(inner)
    html = EmailMessage()
    html["Subject"] = "html only"
    html["From"] = "x@example.org"
    html.set_content("<html><body><p>只有网页正文</p><script>x()</script></body></html>", subtype="html")
    outer.add_attachment(html)
    path = tmp_path / "outer.eml"
    path.write_bytes(outer.as_bytes())
    work = tmp_path / "work"
    work.mkdir()
    ext = _ingest(path, work)
    names = [c.name for c in ext.children]
    assert names[0] == "收押人员名单 (终稿).csv"
    assert names[1].endswith(".eml") and names[2].endswith(".eml")
    assert ext.metadata["from"] == "吐尔逊 <tursun@example.org>"
    assert ext.metadata["to"] == "a@example.org, b@example.org"
    html_child = Path(ext.children[2].path)
    sub = _ingest(html_child, tmp_path)
    assert "只有网页正文" in sub.pages[0].text and "x()" not in sub.pages[0].text


def test_mbox_messages_become_eml_children(tmp_path: Path) -> None:
    first = _message("第一封", "From the start of a line\nplain")
    second = _message("第二封", "second body")
    lines = [b"From tursun@example.org Tue Jun  5 10:00:00 2018\n"]
    for line in first.as_bytes().splitlines(keepends=True):
        lines.append(b">" + line if line.startswith(b"From ") else line)
    lines += [b"\n", b"From b@example.org Wed Jun  6 10:00:00 2018\n", second.as_bytes(), b"\n"]
    path = tmp_path / "box.mbox"
    path.write_bytes(b"".join(lines))
    assert detect(path, path.name).media_type == "application/mbox"
    work = tmp_path / "work"
    work.mkdir()
    ext = choose("application/mbox", path.name).ingest(path, IngestContext(workdir=work))
    assert ext.media_type == "application/mbox" and ext.metadata["messages"] == 2
    assert [c.name for c in ext.children] == ["message-000001.eml", "message-000002.eml"]
    subjects = []
    for child in ext.children:
        assert detect(Path(child.path), child.name).media_type == "message/rfc822"
        sub = _ingest(Path(child.path), tmp_path)
        subjects.append(sub.metadata["subject"])
        if sub.metadata["subject"] == "第一封":
            assert "\nFrom the start of a line" in "\n" + sub.pages[0].text.split("\n\n", 1)[1]
    assert subjects == ["第一封", "第二封"]


def test_raw_8bit_gbk_subject_and_attachment_name_are_decoded(tmp_path: Path) -> None:
    """Chinese mail clients write GBK bytes straight into headers instead of RFC 2047/2231."""
    raw = (b"From: a@example.cn\r\nTo: b@example.cn\r\nSubject: " + "转发：本周收押情况".encode("gbk") +
           b"\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
           b"--XX\r\nContent-Type: text/plain; charset=gbk\r\n\r\n" + "附件为本周情况".encode("gbk") +
           b"\r\n--XX\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"" +
           "收押人员名单.csv".encode("gbk") + b"\"\r\nContent-Transfer-Encoding: base64\r\n\r\nYWJj\r\n--XX--\r\n")
    path = tmp_path / "raw.eml"
    path.write_bytes(raw)
    work = tmp_path / "w"
    work.mkdir()
    ext = _ingest(path, work)
    assert ext.metadata["subject"] == "转发：本周收押情况"
    assert [c.name for c in ext.children] == ["收押人员名单.csv"]
    assert "附件为本周情况" in ext.pages[0].text


def test_body_without_a_charset_is_decoded_by_detection(tmp_path: Path) -> None:
    raw = (b"From: a@example.cn\r\nSubject: x\r\nContent-Type: text/plain\r\n\r\n" +
           "请各乡镇于本周五前上报收押人数。".encode("gbk") + b"\r\n")
    path = tmp_path / "nocharset.eml"
    path.write_bytes(raw)
    assert "请各乡镇于本周五前上报收押人数" in _ingest(path, tmp_path).pages[0].text
