"""Anatomy and format checks of generated official documents and telegrams, as text PDFs, DOCX and scans
ingested by the real pipeline: every element found on its page, every defect found with its code, and no
finding on a document that follows the standard."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gongwen_cases import (
    CITING,
    CLEAN,
    EXPECTED,
    MISSING_NUMBER,
    OFFICIAL,
    OTHERS,
    TELEGRAM,
    UPWARD,
    Case,
    defect_cases,
    write_all,
)

from exhibit import documents
from exhibit.archive import Archive
from exhibit.config import Config
from exhibit.demo import gongwen as g
from exhibit.documents.anatomy import FieldName, Kind
from exhibit.ingest import ingest


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Archive, dict[str, int]]]:
    root = tmp_path_factory.mktemp("documents")
    write_all(root / "cache")
    arch = Archive.init(root / "archive")
    ingest(arch, [root / "cache"], Config(jobs=2, ocr_langs="chi_sim+eng",
                                          custodian="pytest"))
    documents.sync(arch)
    seqs = {Path(ex.path).stem: ex.seq for ex in arch.exhibits()}
    yield arch, seqs
    arch.close()


def _anatomy(archive: tuple[Archive, dict[str, int]], name: str) -> dict[str, Any]:
    arch, seqs = archive
    return documents.anatomy(arch, seqs[name]).as_json("x")


# what each layout must show, by kind; the seal is seen on PDF pages and scans, not in the DOCX (no picture)
def _expected(case: Case) -> dict[FieldName, str]:
    d = case.doc
    want = {FieldName.DOC_NUMBER: d.doc_number, FieldName.TITLE: d.title,
            FieldName.ADDRESSEE: d.addressee.rstrip("：:"), FieldName.SIGNATURE: d.agency,
            FieldName.ISSUE_DATE: g.date_text(d.issued, False), FieldName.PRINT_DATE: g.date_text(d.printed, False),
            FieldName.PRINTER: d.printer, FieldName.CC: d.cc.rstrip("。")}
    if d.copy_number:
        want[FieldName.COPY_NUMBER] = d.copy_number
    if d.classification:
        want[FieldName.CLASSIFICATION] = d.classification
    if d.secrecy_period:
        want[FieldName.SECRECY_PERIOD] = d.secrecy_period
    if d.urgency:
        want[FieldName.URGENCY] = d.urgency
    if d.signer:
        want[FieldName.SIGNER] = d.signer
    if d.attachment:
        want[FieldName.ATTACHMENTS] = d.attachment
    if d.note:
        want[FieldName.NOTE] = d.note
    if d.kind is g.Kind.TELEGRAM:
        want[FieldName.SENDER] = d.agency
        want[FieldName.ISSUER_MARK] = f"{d.agency}电报"
    else:
        want[FieldName.ISSUER_MARK] = f"{d.agency}文件"
    want[FieldName.SEAL] = "absent" if case.fmt == "docx" else "present"
    if case.fmt != "scan":   # OCR does not keep the dashes of a lone — 1 —
        want[FieldName.PAGE_NUMBER] = "1"
    return want


@pytest.mark.parametrize("case", CLEAN + [c for c in OTHERS if c.name == "official-font-pdf"], ids=lambda c: c.name)
def test_every_element_is_found_on_its_page(archive: tuple[Archive, dict[str, int]], case: Case) -> None:
    got = _anatomy(archive, case.name)
    assert got["kind"] == (Kind.TELEGRAM if case.doc.kind is g.Kind.TELEGRAM else Kind.OFFICIAL_DOCUMENT)
    fields = got["fields"]
    for name, value in _expected(case).items():
        assert name in fields, f"{name} not found in {case.name}"
        assert fields[name]["value"] == value, name
        assert fields[name]["page"] == (None if value == "absent" else 1), name
        if name is not FieldName.SEAL:
            assert value in fields[name]["text"].replace(" ", ""), name
    assert case.doc.body[0] in fields[FieldName.BODY]["value"]


@pytest.mark.parametrize("case", CLEAN + [c for c in OTHERS if c.name != "shared-b-docx"], ids=lambda c: c.name)
def test_a_document_that_follows_the_standard_has_no_findings(archive: tuple[Archive, dict[str, int]],
                                                              case: Case) -> None:
    arch, seqs = archive
    assert [f.as_json() for f in documents.findings(arch, seqs[case.name])
            if f.code != documents.Code.DOC_NUMBER_CONFLICT] == []


@pytest.mark.parametrize("case", defect_cases(), ids=lambda c: c.name)
def test_each_defect_is_found_with_its_code(archive: tuple[Archive, dict[str, int]], case: Case) -> None:
    arch, seqs = archive
    (defect,) = case.doc.defects
    found = documents.findings(arch, seqs[case.name])
    codes = {str(f.code) for f in found}
    assert codes == {EXPECTED[defect]}, [f.as_json() for f in found]
    for f in found:
        assert f.code.clause.startswith(("GB/T 9704", "党政机关公文处理工作条例"))
        if defect is g.Defect.NO_DOC_NUMBER:
            assert f.field is FieldName.DOC_NUMBER
        elif defect is g.Defect.NO_ISSUE_DATE:
            assert f.field is FieldName.ISSUE_DATE
        else:
            assert f.page == 1 and f.evidence


def test_references_are_resolved_and_the_missing_one_listed(archive: tuple[Archive, dict[str, int]]) -> None:
    from exhibit.documents.refs import references

    arch, seqs = archive
    refs = references(arch, seqs["citing-pdf"]).as_json()
    carriers = {r["id"] for r in refs["cites"] if r["id"]}
    assert arch.exhibit(seqs["official-pdf"]).id in carriers
    assert arch.exhibit(seqs["official-scan"]).id in carriers
    assert refs["missing"] == [MISSING_NUMBER]
    assert {r["doc_number"] for r in refs["cites"] if r["id"] is None} == {MISSING_NUMBER}
    cited_by = references(arch, seqs["official-pdf"]).as_json()["cited_by"]
    assert [r["id"] for r in cited_by] == [arch.exhibit(seqs["citing-pdf"]).id]
    assert CITING.standard_number not in {r["doc_number"] for r in refs["cites"]}  # its own number is no citation


def test_one_number_on_two_different_texts_is_a_finding(archive: tuple[Archive, dict[str, int]]) -> None:
    arch, seqs = archive
    codes = [str(f.code) for f in documents.findings(arch, seqs["shared-a-pdf"])]
    assert codes == ["doc_number_conflict"]
    # the same document as a PDF, a DOCX, a scan and retyped copies is one text under one number
    assert not [f for f in documents.findings(arch, seqs["official-pdf"])
                if f.code == documents.Code.DOC_NUMBER_CONFLICT]


@pytest.mark.parametrize(("query", "names"), [
    (f"doc_number:{OFFICIAL.standard_number}", {"official-pdf", "official-docx", "official-scan"}),
    (f"doc_number:{TELEGRAM.doc_number}", {"telegram-pdf", "telegram-docx", "telegram-scan"}),
    (f"signer:{UPWARD.signer}", {"upward-pdf"}),
    ("classification:绝密", set()),
])
def test_search_filters_on_document_fields(archive: tuple[Archive, dict[str, int]], query: str,
                                           names: set[str]) -> None:
    from exhibit import search

    arch, seqs = archive
    search.sync(arch)
    hit_ids = {h.id for h in search.search(arch, query, limit=100).hits}
    want = {arch.exhibit(seqs[n]).id for n in names}
    assert want <= hit_ids
    if not names:
        assert hit_ids == set()
    assert arch.exhibit(seqs["citing-pdf"]).id not in hit_ids


def test_the_filters_combine_with_words(archive: tuple[Archive, dict[str, int]]) -> None:
    from exhibit import search

    arch, seqs = archive
    search.sync(arch)
    hits = search.search(arch, f"classification:机密 issuer:{TELEGRAM.agency}* 节日", limit=100).hits
    assert {h.id for h in hits} and {h.id for h in hits} <= {arch.exhibit(seqs[n]).id for n in
                                                              ("telegram-pdf", "telegram-docx", "telegram-scan")}


def test_cli_anatomy_refs_and_dossier_print_the_contract(archive: tuple[Archive, dict[str, int]]) -> None:
    arch, seqs = archive
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}

    def run(*args: str) -> Any:
        r = subprocess.run([sys.executable, "-m", "exhibit.cli", *args, "--archive", str(arch.root), "--json"],
                           capture_output=True, text=True, env=env, check=True)
        return json.loads(r.stdout)

    ex = arch.exhibit(seqs["official-pdf"]).id
    a = run("anatomy", ex)
    assert a["id"] == ex and a["kind"] == "official_document"
    assert {"value", "page", "text"} <= set(a["fields"]["doc_number"])
    refs = run("refs", arch.exhibit(seqs["citing-pdf"]).id)
    assert set(refs) >= {"cites", "cited_by"} and all(set(r) >= {"doc_number", "id"} for r in refs["cites"])
    d = run("dossier", ex)
    assert set(d) >= {"anatomy", "findings", "forensics", "versions", "references"}


def test_the_dossier_is_in_the_annex_of_a_rendered_report(archive: tuple[Archive, dict[str, int]],
                                                          tmp_path: Path) -> None:
    from exhibit.reports import render_report

    arch, seqs = archive
    defective, clean = (arch.exhibit(seqs[n]).id for n in ("defect-square_brackets-pdf", "official-pdf"))
    report = tmp_path / "report.md"
    report.write_text(f"# R\n\nThe notice [@{defective}, p. 1] and its copy [@{clean}, p. 1].\n", encoding="utf-8")
    out = tmp_path / "report.html"
    render_report(arch, report, "html", out)
    annex = out.read_text(encoding="utf-8").split('class="annex"', 1)[1]
    entries = {part.split('"', 1)[0]: part for part in annex.split('<h3 id="')[1:]}
    assert "doc_number_brackets (p. 1)" in entries[defective]
    # the clean copy: an official document whose only findings are the file's own (forensics), never a
    # format finding
    from exhibit.documents.dossier import dossier

    d = dossier(arch, seqs["official-pdf"])
    assert not d.findings and "official document" in entries[clean]
    expected = ", ".join(f.code for f in d.forensics) or "none"
    assert f"findings: {expected}." in entries[clean]


def test_the_dossier_page_shows_the_api_data(archive: tuple[Archive, dict[str, int]]) -> None:
    import re

    from fastapi.testclient import TestClient

    from exhibit.web import accounts
    from exhibit.web.app import create_app

    arch, seqs = archive
    accounts.add_user(arch, "viewer", "viewer", "pw-for-the-dossier-test", actor="pytest")
    ex = arch.exhibit(seqs["citing-pdf"]).id
    with TestClient(create_app(arch.root)) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert token
        client.post("/login", data={"name": "viewer", "password": "pw-for-the-dossier-test",
                                    "csrf_token": token.group(1), "next": "/"}, follow_redirects=False)
        api = client.get(f"/api/exhibits/{ex}/dossier").json()
        html = client.get(f"/exhibits/{ex}/dossier").text
        assert f'href="/exhibits/{ex}/dossier"' in client.get(f"/exhibits/{ex}").text
    assert api["id"] == ex and api["references"]["missing"] == [MISSING_NUMBER]
    assert MISSING_NUMBER in html and "not in the cache" in html
    for name in api["anatomy"]["fields"]:
        assert name in html


@pytest.mark.parametrize("case", [c for c in CLEAN if c.fmt == "pdf"], ids=lambda c: c.name)
def test_the_timeline_carries_the_dates_the_anatomy_reads(archive: tuple[Archive, dict[str, int]],
                                                          case: Case) -> None:
    from exhibit.documents import timeline

    arch, seqs = archive
    seq = seqs[case.name]
    ours = {(p.kind, p.when) for p in timeline.points(arch) if p.exhibit_seq == seq}
    want = _expected(case)
    if FieldName.ISSUE_DATE in want:
        assert (timeline.TimeKind.WRITTEN, case.doc.issued.isoformat()) in ours
    if FieldName.PRINT_DATE in want:
        assert (timeline.TimeKind.ISSUED, case.doc.printed.isoformat()) in ours
    assert FieldName.ISSUE_DATE in want or FieldName.PRINT_DATE in want
