"""PDF forensics through the real pipeline: incremental revisions extracted with the right diff, and each
structural defect found with its code and none on the clean file."""

from __future__ import annotations

from pathlib import Path

import pytest
from forensic_fixtures import PDF_DEFECTS, pdf_with, revised_pdf

from exhibit.archive import Archive
from exhibit.config import Config
from exhibit.documents import forensics, versions
from exhibit.documents.forensics import FindingCode
from exhibit.ingest import ingest


def _ingest(tmp_path: Path, src: Path) -> Archive:
    root = tmp_path / "archive"
    arch = Archive.init(root)
    ingest(arch, [src], Config(jobs=1, ocr=False, custodian="pytest"))
    versions.sync(arch)
    return arch


def _seq(arch: Archive, name: str) -> int:
    return next(e.seq for e in arch.exhibits() if e.path.endswith(name))


@pytest.mark.parametrize("updates", [1, 3])
def test_every_revision_is_extracted_with_the_sentence_it_changed(tmp_path: Path, updates: int) -> None:
    src = tmp_path / "src"
    src.mkdir()
    rev = revised_pdf(src / "notice.pdf", updates, seed=updates)
    with _ingest(tmp_path, src) as arch:
        seq = _seq(arch, "notice.pdf")
        found = forensics.findings(arch, seq)
        [summary] = [f for f in found if f.code == FindingCode.PDF_REVISIONS]
        revs = summary.evidence["revisions"]
        assert len(revs) == updates + 1
        assert revs[0]["start"] == 0 and all(a["end"] == b["start"] for a, b in zip(revs, revs[1:], strict=False))
        assert revs[-1]["end"] == (src / "notice.pdf").stat().st_size
        # every earlier revision is an exhibit under the file, with the text it had then
        derived = [arch.resolve(r["id"]) for r in revs[:-1]]
        assert all(arch.exhibit(d).parent_seq == seq for d in derived)
        first_text = arch.pages(derived[0])[0].text
        assert rev.original[0] in first_text and rev.changes[0][1] not in first_text
        changed = [f for f in found if f.code == FindingCode.PDF_REVISION_CHANGED_TEXT]
        assert [(c.evidence["from_revision"], c.evidence["to_revision"]) for c in changed] == \
            [(k, k + 1) for k in range(1, updates + 1)]
        for c, (before, after) in zip(changed, rev.changes, strict=True):
            assert [(x["before"], x["after"]) for x in c.evidence["changes"]] == [(before, after)]
            assert c.page == 1


def test_a_pdf_saved_once_has_no_revisions(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    pdf_with(src / "clean.pdf", None)
    with _ingest(tmp_path, src) as arch:
        codes = {f.code for f in forensics.findings(arch, _seq(arch, "clean.pdf"))}
        assert FindingCode.PDF_REVISIONS not in codes
        assert len(list(arch.exhibits())) == 1


@pytest.fixture(scope="module")
def defects_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("defects")
    src = tmp / "src"
    src.mkdir()
    pdf_with(src / "clean.pdf", None)
    for name in PDF_DEFECTS:
        pdf_with(src / f"{name}.pdf", name)
    _ingest(tmp, src).close()
    return tmp / "archive"


STRUCTURAL = {FindingCode(c) for c in PDF_DEFECTS.values()}


@pytest.mark.parametrize("defect", sorted(PDF_DEFECTS))
def test_each_defect_is_found_with_its_code(defects_archive: Path, defect: str) -> None:
    with Archive.open(defects_archive) as arch:
        found = forensics.findings(arch, _seq(arch, f"{defect}.pdf"))
    assert {f.code for f in found} & STRUCTURAL == {FindingCode(PDF_DEFECTS[defect])}
    f = next(f for f in found if f.code == FindingCode(PDF_DEFECTS[defect]))
    assert f.detail and f.code.why and f.as_json()["code"] == PDF_DEFECTS[defect]


def test_the_clean_pdf_has_no_defect_but_names_its_software(defects_archive: Path) -> None:
    with Archive.open(defects_archive) as arch:
        found = forensics.findings(arch, _seq(arch, "clean.pdf"))
    assert {f.code for f in found} & STRUCTURAL == set()
    assert {f.code for f in found} == {FindingCode.PDF_SOFTWARE, FindingCode.PDF_CONVERTED}
    assert "Word" in next(f for f in found if f.code == FindingCode.PDF_CONVERTED).detail
