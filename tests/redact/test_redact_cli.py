"""`exhibit redact`: proposals are listed and nothing written without --out; only the confirming flags apply
them; `redact verify` catches a box drawn over a name but never applied."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pymupdf
from fixtures import ID_1, NAME_LATIN, PHONE
from readout import holds, pymupdf_text, seq_of

from exhibit.archive import Archive


def run(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # a wide terminal, so that messages are not wrapped
    return subprocess.run([sys.executable, "-c", "from exhibit.cli.main import main; main()", *args,
                           "--archive", str(archive)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "300"})


def test_without_out_the_proposals_are_listed_and_nothing_is_written(arch: Archive) -> None:
    ex = arch.exhibit(seq_of(arch, "text.pdf"))
    before = len(list(arch.exhibits()))
    r = run(arch.root, "redact", ex.id, "--json")
    assert r.returncode == 0, r.stderr
    listed = json.loads(r.stdout)["proposals"]
    assert {(p["kind"], p["value"]) for p in listed} >= {("name", NAME_LATIN), ("id_number", ID_1),
                                                         ("phone", PHONE)}
    assert len(list(arch.exhibits())) == before


def test_only_the_confirmed_proposals_are_applied(arch: Archive, tmp_path: Path) -> None:
    ex = arch.exhibit(seq_of(arch, "text.pdf"))
    out = tmp_path / "phone-only.pdf"
    r = run(arch.root, "redact", ex.id, "--patterns", "phone", "--out", str(out), "--purpose", "press", "--json")
    assert r.returncode == 0, r.stderr
    copy = json.loads(r.stdout)
    assert copy["verification"]["ok"] and copy["log"]["counts"] == {"phone": 1}
    text = pymupdf_text(out)
    assert not holds(text, PHONE) and holds(text, NAME_LATIN)  # the name was not confirmed: it stays
    assert NAME_LATIN not in r.stdout and PHONE not in r.stdout  # the log has no values
    # and the copy, checked again by `redact verify`, passes against the regions it recorded
    v = run(arch.root, "redact", "verify", str(out), "--against", ex.id, "--json")
    assert v.returncode == 0, v.stdout + v.stderr
    assert json.loads(v.stdout)["ok"] is True


def test_a_box_drawn_but_not_applied_is_caught_by_redact_verify(arch: Archive, tmp_path: Path) -> None:
    ex = arch.exhibit(seq_of(arch, "text.pdf"))
    broken = tmp_path / "broken.pdf"
    with pymupdf.open(arch.blob_path(ex.sha256)) as doc:
        page = doc[0]
        for rect in page.search_for(NAME_LATIN):
            page.draw_rect(rect, color=(0, 0, 0), fill=(0, 0, 0))   # looks redacted
            page.add_redact_annot(rect, fill=(0, 0, 0))            # marked, never applied
        doc.save(broken)
    r = run(arch.root, "redact", "verify", str(broken), "--against", ex.id, "--records", "--json")
    assert r.returncode == 1, r.stdout + r.stderr
    result = json.loads(r.stdout)
    failed = {c["check"] for c in result["checks"] if not c["ok"]}
    assert {"pymupdf_text", "poppler_text", "attachments"} <= failed
    assert NAME_LATIN not in r.stdout  # findings say what kind remained and where, not the value
    assert any(e.event == "redaction_verified" and e.details["ok"] is False
               for e in arch.custody_events(ex.sha256))


def test_errors_name_what_went_wrong_and_what_to_do(arch: Archive, tmp_path: Path) -> None:
    ex = arch.exhibit(seq_of(arch, "text.pdf"))
    r = run(arch.root, "redact", ex.id, "--box", "1:72,90", "--out", str(tmp_path / "x.pdf"), "--purpose", "p")
    assert r.returncode == 2 and "PAGE:x0,y0,x1,y1" in r.stderr
    r = run(arch.root, "redact", ex.id, "--patterns", "email", "--out", str(tmp_path / "x.pdf"), "--purpose", "p")
    assert r.returncode == 2 and "id, phone, address" in r.stderr
    r = run(arch.root, "redact", ex.id, "--box", "1:72,90,200,110", "--out", str(tmp_path / "x.pdf"))
    assert r.returncode == 2 and "--purpose" in r.stderr
    assert not (tmp_path / "x.pdf").exists()
