"""`exhibit report render`: HTML, DOCX and PDF carry numbered footnotes and the evidentiary annex."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import docx
import pymupdf
import pytest
from reports_support import exhibit_by_path, phrase, translation_pair
from typer.testing import CliRunner

from exhibit.archive import Archive
from exhibit.cli.main import app
from exhibit.reports import check_text, citation_url


@pytest.fixture(scope="module")
def cited(reports_archive: Path, truth: dict[str, Any]) -> dict[str, Any]:
    """A report citing the telegram (Chinese and, through its translation, English) and a register row."""
    with Archive.open(reports_archive) as arch:
        a, b = phrase(truth, "双门双锁"), phrase(truth, "结业")
        tele = exhibit_by_path(arch, a["file"])
        translation = exhibit_by_path(arch, translation_pair(truth)[1])
        csv_path = next(p for p in truth["registers"] if p.endswith(".csv"))
        person = truth["registers"][csv_path][0]
        register = exhibit_by_path(arch, csv_path)
    text = (
        "# Findings on the <script>alert(1)</script> telegram\n\n"
        f"The centres must enforce “{a['query']}” [@{tele['id']}, p. {a['page']}].\n"
        f"Completion is approved by the county [@{tele['id']}, p. {b['page']}, quote \"{b['query']}\"].\n\n"
        f"In the English translation: “prevent escapes” [@{tele['id']}, p. 1].\n\n"
        f"- A pushed person [@{register['id']}, row {person['row']}, quote \"{person['id']}\"].\n"
        f"- Both pages [see @{tele['id']}, p. 1; @{tele['id']}, p. 2].\n\n"
        "```\n[@EX-000001, p. 1] is how a citation looks\n```\n"
    )
    return {"text": text, "tele": tele, "translation": translation, "register": register, "a": a, "b": b,
            "person": person, "notes": 5}


def _render(reports_archive: Path, tmp_path: Path, text: str, fmt: str, *extra: str) -> tuple[Any, Path, Path]:
    report = tmp_path / "report.md"
    report.write_text(text, encoding="utf-8")
    out = tmp_path / f"out.{fmt}"
    res = CliRunner().invoke(app, ["report", "render", str(report), "--to", fmt, "--out", str(out),
                                   "--archive", str(reports_archive), "--json", *extra])
    return res, report, out


def _flat(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _expected_notes(c: dict[str, Any]) -> list[list[str]]:
    """What each numbered note must say, in order."""
    tele, reg = c["tele"], c["register"]
    short = tele["sha256"][:12]
    return [
        [tele["id"], tele["paths"][0], f"p. {c['a']['page']}", short, c["a"]["query"]],
        [tele["id"], f"p. {c['b']['page']}", short, c["b"]["query"]],
        [tele["id"], "escapes", c["translation"]["id"]],
        [reg["id"], reg["paths"][0], f"row {c['person']['row']}", reg["sha256"][:12], c["person"]["id"]],
        [tele["id"], "p. 1", "p. 2"],
    ]


def _annex_facts(c: dict[str, Any]) -> list[str]:
    return [x for e in (c["tele"], c["register"], c["translation"]) for x in (e["id"], e["sha256"],
                                                                              e["first_received"])]


def test_html_has_numbered_footnotes_and_annex(engine_reports_archive: Path, tmp_path: Path,
                                               cited: dict[str, Any]) -> None:
    res, report, out = _render(engine_reports_archive, tmp_path, cited["text"], "html")
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html  # document text is escaped
    calls = re.findall(r'<sup class="fnref" id="fnref-(\d+)">', html)
    assert calls == [str(n) for n in range(1, cited["notes"] + 1)]
    notes = re.findall(r'<li id="fn-(\d+)">(.*?)</li>', html, re.S)
    assert [int(n) for n, _ in notes] == list(range(1, cited["notes"] + 1))
    for (_, body), facts in zip(notes, _expected_notes(cited), strict=True):
        for fact in facts:
            assert fact in body, (fact, body)
    annex = html[html.index('class="annex"'):]
    for fact in _annex_facts(cited):
        assert fact in annex
    assert "received" in annex and "translation_linked" in annex  # the custody summary
    assert "[@EX-000001, p. 1] is how a citation looks" in html  # citations in code are left alone


def test_render_records_a_custody_event_with_the_report_hash(engine_reports_archive: Path, tmp_path: Path,
                                                             cited: dict[str, Any]) -> None:
    res, report, out = _render(engine_reports_archive, tmp_path, cited["text"], "html")
    assert res.exit_code == 0, res.output
    done = json.loads(res.stdout)
    with Archive.open(engine_reports_archive) as arch:
        ev = [e for e in arch.custody_events() if e.event == "report_rendered"][-1]
    assert ev.details["report_sha256"] == hashlib.sha256(report.read_bytes()).hexdigest()
    assert ev.details["out_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest() == done["sha256"]
    assert set(ev.details["exhibits"]) == {cited["tele"]["id"], cited["register"]["id"], cited["translation"]["id"]}


def test_docx_has_endnotes_and_annex(reports_archive: Path, tmp_path: Path, cited: dict[str, Any]) -> None:
    res, _, out = _render(reports_archive, tmp_path, cited["text"], "docx")
    assert res.exit_code == 0, res.output
    d = docx.Document(str(out))
    paras = [p.text for p in d.paragraphs]
    supers = [r.text for p in d.paragraphs for r in p.runs if r.font.superscript]
    assert supers == [str(n) for n in range(1, cited["notes"] + 1)]
    start = paras.index("Notes")
    notes = [p for p in paras[start + 1:] if re.match(r"^\d+\. ", p)][:cited["notes"]]
    for n, (note, facts) in enumerate(zip(notes, _expected_notes(cited), strict=True), 1):
        assert note.startswith(f"{n}. ")
        for fact in facts:
            assert fact in note, (fact, note)
    annex = " ".join(paras[paras.index("Annex: cited exhibits"):]) + " ".join(
        c.text for t in d.tables for row in t.rows for c in row.cells)
    for fact in _annex_facts(cited):
        assert fact in annex
    assert "Annex: cited exhibits" in paras


def test_pdf_has_footnotes_and_annex(reports_archive: Path, tmp_path: Path, cited: dict[str, Any]) -> None:
    res, _, out = _render(reports_archive, tmp_path, cited["text"], "pdf")
    assert res.exit_code == 0, res.output
    text = "".join(page.get_text() for page in pymupdf.open(out))
    flat = _flat(text)
    for facts in _expected_notes(cited):
        for fact in facts:
            assert _flat(fact) in flat, fact
    for fact in _annex_facts(cited):
        assert _flat(fact) in flat, fact
    assert "Annex: cited exhibits" in text


def test_render_refuses_unresolved_citations_unless_forced(reports_archive: Path, tmp_path: Path) -> None:
    text = "# R\n\nNo such thing [@EX-999999, p. 1].\n"
    res, _, out = _render(reports_archive, tmp_path, text, "html")
    assert res.exit_code == 1 and not out.exists()
    assert json.loads(res.stdout)["results"][0]["verdict"] == "unknown_exhibit"
    res, _, out = _render(reports_archive, tmp_path, text, "html", "--force")
    assert res.exit_code == 0
    assert "NOT VERIFIED" in out.read_text(encoding="utf-8")


def test_citation_url_uses_the_resolved_id_and_the_page_where_the_quote_is(
        reports_archive: Path, cited: dict[str, Any]) -> None:
    tele, b = cited["tele"], cited["b"]
    with Archive.open(reports_archive) as arch:
        [c] = check_text(arch, f"“{b['query']}” [@sha256:{tele['sha256'][:10]}, p. {3 - b['page']}]").citations
    assert c.quote_verdict == "found_elsewhere"
    url = citation_url(c)
    assert url.startswith(f"/exhibits/{tele['id']}?page={b['page']}&q=")
    assert list(c.matched) == [b["query"]]


def test_viewer_option_links_each_note_to_the_exhibit_viewer(reports_archive: Path, tmp_path: Path,
                                                            cited: dict[str, Any]) -> None:
    res, _, out = _render(reports_archive, tmp_path, cited["text"], "html", "--viewer", "http://127.0.0.1:8000/")
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    tele = cited["tele"]
    assert f'<a href="http://127.0.0.1:8000/exhibits/{tele["id"]}?page={cited["a"]["page"]}&amp;q=' in html
