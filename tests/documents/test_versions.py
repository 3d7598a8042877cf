"""Versions through the real pipeline with OCR: a DOCX draft and its printed-and-scanned PDF are versions
of each other over the threshold; unrelated notices (same phrase book, other sentences) are not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from forensic_fixtures import docx_file, scanned_pdf, sentences, text_pdf
from typer.testing import CliRunner

from exhibit.archive import Archive
from exhibit.cli.main import app
from exhibit.config import Config
from exhibit.documents import textdiff, versions
from exhibit.ingest import ingest

DRAFT = sentences(11, 10)
LATER = [*DRAFT[:7], *sentences(12, 1), *DRAFT[8:]]   # one sentence of ten rewritten


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("versions")
    src = tmp / "src"
    src.mkdir()
    docx_file(src / "draft.docx", DRAFT)
    scanned_pdf(src / "printed_and_scanned.pdf", DRAFT)
    text_pdf(src / "later.pdf", LATER)
    for seed in (21, 22, 23):
        docx_file(src / f"unrelated_{seed}.docx", sentences(seed, 10))
    root = tmp / "archive"
    with Archive.init(root) as arch:
        ingest(arch, [src], Config(jobs=1, ocr=True, ocr_langs="chi_sim", custodian="pytest"))
        versions.sync(arch)
    return root


def _seqs(arch: Archive) -> dict[str, int]:
    return {Path(e.path).stem: e.seq for e in arch.exhibits() if not e.parent_seq}


def test_the_draft_and_its_scan_are_versions_and_unrelated_notices_are_not(archive: Path) -> None:
    with Archive.open(archive) as arch:
        s = _seqs(arch)
        assert arch.pages(s["printed_and_scanned"])[0].source == "ocr"
        found = {x.seq: x.similarity for x in versions.similar(arch, s["draft"])}
        assert set(found) == {s["printed_and_scanned"], s["later"]}
        assert min(found.values()) >= versions.DEFAULT_THRESHOLD
        for seed in (21, 22, 23):
            assert versions.similar(arch, s[f"unrelated_{seed}"]) == []
        # a threshold below the stored floor compares every signature: notices written from the same
        # phrase book share many shingles, yet stay well under the threshold
        low = {x.seq: x.similarity for x in versions.similar(arch, s["draft"], threshold=0.0)}
        assert len(low) == 5 and all(low[s[f"unrelated_{seed}"]] < 0.5 for seed in (21, 22, 23))


def test_the_versions_form_one_cluster(archive: Path) -> None:
    with Archive.open(archive) as arch:
        s = _seqs(arch)
        [cluster] = versions.clusters(arch)
        assert set(cluster.members) == {s["draft"], s["printed_and_scanned"], s["later"]}


def test_the_diff_shows_the_one_rewritten_sentence(archive: Path) -> None:
    with Archive.open(archive) as arch:
        s = _seqs(arch)
        d = textdiff.diff(arch, s["draft"], s["later"])
    assert [(r.left.text if r.left else None, r.right.text if r.right else None) for r in d.changed] == \
        [(DRAFT[7], LATER[7])]
    assert d.by_page and sum(r.op == textdiff.Op.EQUAL for r in d.rows) == 9


def test_sync_again_changes_nothing_and_a_new_copy_is_found(archive: Path, tmp_path: Path) -> None:
    with Archive.open(archive) as arch:
        before = versions.clusters(arch)
        versions.sync(arch)
        assert versions.clusters(arch) == before
        src = tmp_path / "more"
        src.mkdir()
        docx_file(src / "retyped.docx", [*DRAFT[:9], DRAFT[9] + "特此通知。"])
        ingest(arch, [src], Config(jobs=1, ocr=False, custodian="pytest"))
        versions.sync(arch)
        s = _seqs(arch)
        assert s["retyped"] in {x.seq for x in versions.similar(arch, s["draft"])}


def test_the_cli_similar_and_diff(archive: Path) -> None:
    runner = CliRunner()
    with Archive.open(archive) as arch:
        s = _seqs(arch)
    r = runner.invoke(app, ["similar", str(s["draft"]), "--json", "--archive", str(archive), "--threshold", "0.5"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert all(set(x) == {"id", "similarity"} for x in got) and len(got) >= 2
    r = runner.invoke(app, ["diff", str(s["draft"]), str(s["later"]), "--json", "--archive", str(archive)])
    assert r.exit_code == 0 and json.loads(r.stdout)["changes"] == 1
    r = runner.invoke(app, ["versions", "--json", "--archive", str(archive)])
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 1
