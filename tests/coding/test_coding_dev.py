"""Acceptance on the dev corpus: its registers extracted to records, coded by the default codebook, via the CLI."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from exhibit.cli.main import app


def _cli(*args: str) -> Any:
    res = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout) if "--json" in args else res.stdout


@pytest.fixture(scope="module")
def dev_coded(dev_archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the dev archive with records extracted and coded through the command line."""
    import shutil

    root = tmp_path_factory.mktemp("coding") / "archive"
    shutil.copytree(dev_archive, root)
    from exhibit.archive import Archive
    from exhibit.records import extract

    with Archive.open(root) as arch:
        extract(arch)
    return root


def test_every_reason_of_the_dev_corpus_is_coded_to_its_category_in_the_archive(
        dev_coded: Path, truth: dict[str, Any]) -> None:
    run = _cli("code", "run", "--archive", str(dev_coded), "--json")
    assert run["records"] > 0
    listed = _cli("code", "ls", "--archive", str(dev_coded), "--json")
    assert {"record_id", "reason", "categories", "coded_by", "source"} <= set(listed[0])
    seen: set[str] = set()
    for r in listed:
        if r["reason"] in truth["reason_codes"]:
            seen.add(r["reason"])
            assert truth["reason_codes"][r["reason"]] in r["categories"], r
            assert r["coded_by"] == "rule"
    assert seen == set(truth["reason_codes"])  # every reason text of truth is in the registers and coded
    uncoded = {u["reason"] for u in run["uncoded_reasons"]}
    assert not uncoded & set(truth["reason_codes"])


def test_counts_by_township_come_with_the_records_behind_them(dev_coded: Path, truth: dict[str, Any]) -> None:
    _cli("code", "run", "--archive", str(dev_coded), "--json")
    counts = _cli("code", "counts", "--by", "township", "--archive", str(dev_coded), "--json")
    towns = {p["township_zh"] for p in truth["persons"]}
    assert towns <= set(counts["groups"])
    cell = next(c for c in counts["cells"] if c["group"] in towns and c["category"] in truth["reason_codes"].values())
    args = shlex.split(cell["ls"])[1:]  # the command as a shell would split it
    behind = _cli(*args, "--archive", str(dev_coded))
    assert len(behind) == cell["count"] and all(cell["category"] in r["categories"] for r in behind)


def test_hand_coding_agreement_and_charts_from_the_command_line(dev_coded: Path, tmp_path: Path) -> None:
    _cli("code", "run", "--archive", str(dev_coded), "--json")
    recs = [r for r in _cli("code", "ls", "--archive", str(dev_coded), "--json") if r["reason"]][:6]
    for k, r in enumerate(recs):
        _cli("code", "set", r["record_id"], *r["categories"], "--coder", "ann", "--archive", str(dev_coded), "--json")
        other = r["categories"] if k % 3 else ["none"]
        _cli("code", "set", r["record_id"], *other, "--coder", "ben", "--archive", str(dev_coded), "--json")
    agree = _cli("code", "agreement", "ann", "ben", "--archive", str(dev_coded), "--json")
    assert agree["items"] == 6 and len(agree["disagreements"]) == 2
    assert agree["overall"]["kappa"] is not None and agree["overall"]["kappa"] < 1
    files = _cli("code", "chart", "--out", str(tmp_path / "charts"), "--archive", str(dev_coded), "--json")["files"]
    assert len(files) == 4 and all(Path(f).stat().st_size > 1000 for f in files)
    # a later run leaves the hand judgements in force
    _cli("code", "run", "--archive", str(dev_coded), "--json")
    by_ben = _cli("code", "ls", "--coded-by", "ben", "--archive", str(dev_coded), "--json")
    assert {r["record_id"] for r in by_ben} == {r["record_id"] for r in recs}


def test_the_record_page_shows_every_coding_and_the_disagreement(dev_coded: Path) -> None:
    from fastapi.testclient import TestClient
    from web.web_helpers import login

    from exhibit.archive import Archive
    from exhibit.web import accounts
    from exhibit.web.app import create_app
    from exhibit.web.settings import WebSettings

    _cli("code", "run", "--archive", str(dev_coded), "--json")
    rec = next(r for r in _cli("code", "ls", "--archive", str(dev_coded), "--json")
               if r["reason"] and r["judgements"] is None)  # a record no one has coded by hand yet
    _cli("code", "set", rec["record_id"], "none", "--coder", "gulnar", "--note", "a family table",
         "--archive", str(dev_coded), "--json")
    res = _cli("code", "set", rec["record_id"], *(rec["categories"] or ["none"]), "--coder", "halmurat",
               "--archive", str(dev_coded), "--json")
    view = res["current"]
    assert view["judgements"] == 2 and view["wins"]["coder"] == "halmurat"
    assert view["disagreement"] is bool(rec["categories"])
    password = accounts.generate_password()
    with Archive.open(dev_coded) as arch:
        accounts.add_user(arch, "viewer-1", "viewer", password, actor="pytest")
    with TestClient(create_app(dev_coded, WebSettings(login_attempts=1000)), base_url="http://testserver") as c:
        login(c, "viewer-1", password)
        page = c.get(f"/records/{rec['record_id']}").text
    assert "Coding of the stated reason" in page and view["summary"].split(";")[0] in page
    assert "gulnar" in page and "halmurat" in page and "a family table" in page
    assert ("disagreement" in page) is view["disagreement"]
