"""`exhibit report check`: reports written against the dev cache; each kind of wrong citation has its error."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from reports_support import exhibit_by_path, phrase, translation_pair
from typer.testing import CliRunner

from exhibit.archive import Archive
from exhibit.cli.main import app
from exhibit.reports import check_text

TELEGRAM_PHRASES = ("双门双锁", "结业")


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def _verdicts(arch: Archive, text: str) -> list[dict[str, Any]]:
    return [c.as_json() for c in check_text(arch, text).citations]


@pytest.fixture()
def arch(engine_reports_archive: Path) -> Any:
    with Archive.open(engine_reports_archive) as a:
        yield a


def test_correct_citations_pass(arch: Archive, truth: dict[str, Any], tmp_path: Path,
                                engine_reports_archive: Path) -> None:
    a, b = (phrase(truth, q) for q in TELEGRAM_PHRASES)
    tele = exhibit_by_path(arch, a["file"])
    csv_path = next(p for p in truth["registers"] if p.endswith(".csv"))
    person = truth["registers"][csv_path][0]
    register = exhibit_by_path(arch, csv_path)
    # A quotation across a line break of the page, taken from the page text itself.
    page1 = arch.page(arch.resolve(tele["id"]), 1).text  # type: ignore[union-attr]
    nl = page1.index("\n", page1.index(a["query"]))
    across = page1[nl - 3:nl + 4]
    traditional = "".join({"双": "雙", "门": "門", "锁": "鎖"}.get(c, c) for c in a["query"])
    assert traditional != a["query"]
    report = tmp_path / "ok.md"
    report.write_text(
        f"# Findings\n\nThe telegram orders “{a['query']}” [@{tele['id']}, p. {a['page']}].\n"
        f"Completion is decided centrally [@sha256:{tele['sha256'][:10]}, p. {b['page']}, quote \"{b['query']}\"].\n"
        f"Typed in traditional characters and with spaces: 「{' '.join(traditional)}」 [@{tele['id']}, p. {a['page']}].\n"
        f"Across a line: \"{across}\" [@{tele['id']}, p. 1]; across pages \"{a['query']}……{b['query']}\" "
        f"[@{tele['id']}, pp. 1-2].\n"
        f"A register row [@{register['id']}, row {person['row']}, quote \"{person['id']}\"] "
        f"and a page without quotation [see @{tele['id']}, p. 2; @{register['id']}, row {person['row']}].\n",
        encoding="utf-8")
    res = _cli("report", "check", str(report), "--archive", str(engine_reports_archive), "--json")
    assert res.exit_code == 0, res.stdout
    doc = json.loads(res.stdout)
    assert doc["ok"] and doc["errors"] == 0 and doc["warnings"] == 0
    assert doc["citations"] == 8
    assert all(r["verdict"] == "resolved" for r in doc["results"])
    assert [r["quote_verdict"] for r in doc["results"]] == ["found"] * 6 + [None, None]
    assert all(r["id"] in (tele["id"], register["id"]) for r in doc["results"])
    assert doc["results"][1]["id"] == tele["id"]  # the SHA-256 prefix resolved


def test_wrong_page_warns_and_names_the_right_page(arch: Archive, truth: dict[str, Any]) -> None:
    p = phrase(truth, "结业")
    tele = exhibit_by_path(arch, p["file"])
    wrong = 3 - p["page"]  # the telegram has two pages
    [r] = _verdicts(arch, f"“{p['query']}” [@{tele['id']}, p. {wrong}]")
    assert (r["verdict"], r["quote_verdict"], r["severity"]) == ("resolved", "found_elsewhere", "warning")
    assert f"p. {p['page']}" in r["message"]
    assert [f["page"] for f in r["found"]] == [p["page"]]


def test_wrong_quotation_is_an_error_showing_the_closest_passage(arch: Archive, truth: dict[str, Any]) -> None:
    p = phrase(truth, "双门双锁")
    tele = exhibit_by_path(arch, p["file"])
    wrong = p["query"][:2] + "单锁"  # 双门单锁: close to the text, but not what it says
    [r] = _verdicts(arch, f"“{wrong}” [@{tele['id']}, p. {p['page']}]")
    assert (r["quote_verdict"], r["severity"]) == ("not_found", "error")
    assert r["closest"]["page"] == p["page"]
    assert p["query"] in r["closest"]["text"]
    assert p["query"] in r["message"]


def test_each_kind_of_wrong_citation_has_its_own_error(arch: Archive, truth: dict[str, Any], tmp_path: Path,
                                                        engine_reports_archive: Path) -> None:
    p = phrase(truth, "双门双锁")
    tele = exhibit_by_path(arch, p["file"])
    csv_path = next(x for x in truth["registers"] if x.endswith(".csv"))
    register = exhibit_by_path(arch, csv_path)
    rows = len(truth["registers"][csv_path]) + 1  # records plus the header row
    unused = next(h for h in ("00000000", "11111111", "22222222", "33333333")
                  if not any(e.sha256.startswith(h) for e in arch.exhibits()))
    lines = [
        "# Errors",
        f"Unknown: [@EX-999999, p. 1] and [@sha256:{unused}, p. 1].",
        f"Missing page: [@{tele['id']}, p. {tele['pages'] + 1}].",
        f"Missing row: [@{register['id']}, row {rows + 5}].",
        f"Missing sheet: [@{register['id']}, sheet 不存在, row 2].",
        f"Wrong quotation: “不存在的话” [@{tele['id']}, p. {p['page']}].",
    ]
    report = tmp_path / "bad.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = _cli("report", "check", str(report), "--archive", str(engine_reports_archive), "--json")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    got = [(r["verdict"], r["quote_verdict"]) for r in doc["results"]]
    assert got == [("unknown_exhibit", None), ("unknown_exhibit", None), ("missing_page", None),
                   ("missing_row", None), ("missing_sheet", None), ("resolved", "not_found")]
    assert doc["errors"] == 6 and all(r["severity"] == "error" for r in doc["results"])
    assert f"rows 1-{rows}" in doc["results"][3]["message"]
    # line and column point at the @ of each citation in the report
    for r in doc["results"]:
        assert lines[r["line"] - 1][r["column"] - 1:].startswith("@" + r["ref"])


def test_check_prints_a_table_and_exits_1_on_errors(tmp_path: Path, engine_reports_archive: Path) -> None:
    report = tmp_path / "r.md"
    report.write_text("Nothing here [@EX-999999, p. 1].\n", encoding="utf-8")
    res = _cli("report", "check", str(report), "--archive", str(engine_reports_archive))
    assert res.exit_code == 1
    assert "unknown_exhibit" in res.stdout and "1:15" in res.stdout  # the @ of the citation


def test_row_in_a_named_sheet(arch: Archive, truth: dict[str, Any]) -> None:
    xlsx = next(x for x in truth["registers"] if x.endswith(".xlsx"))
    register = exhibit_by_path(arch, xlsx)
    assert arch.tables(arch.resolve(register["id"])), "the xlsx register has no extracted sheets"
    person = truth["registers"][xlsx][11]
    ok, missing = _verdicts(arch, f"[@{register['id']}, sheet {person['sheet']}, row {person['row']}, "
                                  f"quote \"{person['id']}\"] [@{register['id']}, sheet {person['sheet']}, row 9999]")
    assert (ok["verdict"], ok["quote_verdict"]) == ("resolved", "found")
    assert missing["verdict"] == "missing_row"


def test_quotation_of_an_ocr_scan(arch: Archive, truth: dict[str, Any]) -> None:
    p = next(x for x in truth["phrases"] if x.get("ocr"))
    scan = exhibit_by_path(arch, p["file"])
    [r] = _verdicts(arch, f"“{p['query']}” [@{scan['id']}, p. {p['page']}]")
    assert r["verdict"] == "resolved"
    assert r["quote_verdict"] in ("found", "found_approx")  # OCR may differ by a character: a warning then


def test_english_quotation_of_the_telegram_is_checked_through_its_translation(
        engine_archive: Path, truth: dict[str, Any], tmp_path: Path) -> None:
    copy_archive = engine_archive
    original_path, translated_path = translation_pair(truth)
    p = next(x for x in truth["phrases"] if x["file"] == translated_path and x["query"] == "escapes")
    with Archive.open(copy_archive) as arch:
        original = exhibit_by_path(arch, original_path)
        translation = exhibit_by_path(arch, translated_path)
    report = tmp_path / "en.md"
    report.write_text(f"The centres must “prevent {p['query']}” [@{original['id']}, p. {p['page']}].\n",
                      encoding="utf-8")
    before = _cli("report", "check", str(report), "--archive", str(copy_archive), "--json")
    assert before.exit_code == 1
    [r] = json.loads(before.stdout)["results"]
    assert r["quote_verdict"] == "not_found" and "translation link" in r["message"]

    res = _cli("translation", "link", original["id"], translation["sha256"][:12], "--archive", str(copy_archive),
               "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["new"] is True
    listed = json.loads(_cli("translation", "ls", "--archive", str(copy_archive), "--json").stdout)
    assert [(x["original"], x["translation"]) for x in listed] == [(original["id"], translation["id"])]
    with Archive.open(copy_archive) as arch:
        events = [e for e in arch.custody_events(translation["sha256"]) if e.event == "translation_linked"]
    assert len(events) == 1 and events[0].details["translation_of"] == original["id"]

    after = _cli("report", "check", str(report), "--archive", str(copy_archive), "--json")
    assert after.exit_code == 0, after.stdout
    [r] = json.loads(after.stdout)["results"]
    assert (r["quote_verdict"], r["via"]) == ("found_in_translation", translation["id"])
    assert r["found"][0]["page"] == p["page"]
    assert p["query"] in r["excerpt"]


def test_linking_an_exhibit_to_itself_is_refused(engine_archive: Path) -> None:
    res = _cli("translation", "link", "EX-000001", "EX-000001", "--archive", str(engine_archive))
    assert res.exit_code != 0
    assert "same exhibit" in str(res.exception)


def test_a_report_with_bom_and_crlf_keeps_its_positions(arch: Archive, truth: dict[str, Any], tmp_path: Path,
                                                        engine_reports_archive: Path) -> None:
    p = phrase(truth, "双门双锁")
    tele = exhibit_by_path(arch, p["file"])
    report = tmp_path / "windows.md"
    line = f"See “{p['query']}” [@{tele['id']}, p. {p['page']}]."
    report.write_bytes(f"\ufeff# T\r\n\r\n{line}\r\n".encode())
    res = _cli("report", "check", str(report), "--archive", str(engine_reports_archive), "--json")
    assert res.exit_code == 0, res.stdout
    doc = json.loads(res.stdout)
    assert doc["sha256"] == hashlib.sha256(report.read_bytes()).hexdigest()
    [r] = doc["results"]
    assert (r["line"], r["column"], r["quote_verdict"]) == (3, line.index("@") + 1, "found")


def test_a_sha256_prefix_shared_by_two_exhibits_is_ambiguous(tmp_path: Path) -> None:
    from exhibit.archive import custody

    arch = Archive.init(tmp_path / "a")
    with arch.transaction() as db:
        for sha in ("ab12cd34" + "0" * 56, "ab12cd34" + "1" * 56):
            db.execute("INSERT INTO exhibits(sha256, size, first_received) VALUES (:s, 1, :t)",
                       {"s": sha, "t": custody.utc_now()})
    [amb, one] = _verdicts(arch, "[@sha256:ab12cd34, p. 1] [@ab12cd341, p. 1]")
    assert amb["verdict"] == "ambiguous_exhibit" and amb["severity"] == "error"
    assert one["verdict"] == "missing_page" and one["id"] == "EX-000002"  # resolved, but has no pages
    arch.close()


def test_latin_uyghur_quotation_of_an_arabic_script_scan(arch: Archive, truth: dict[str, Any]) -> None:
    path, info = next((p, f) for p, f in truth["files"].items() if f.get("latin"))
    scan = exhibit_by_path(arch, path)
    text = " ".join(f"“{line.rstrip('.')}” [@{scan['id']}, p. 1]." for line in info["latin"])
    results = _verdicts(arch, text)
    assert [r["verdict"] for r in results] == ["resolved"] * len(info["latin"])
    assert all(r["quote_verdict"] in ("found", "found_approx") for r in results), results


def test_a_backwards_range_is_an_error_not_a_crash(arch: Archive, truth: dict[str, Any]) -> None:
    p = phrase(truth, "结业")
    tele = exhibit_by_path(arch, p["file"])
    [r] = _verdicts(arch, f"“{p['query']}” [@{tele['id']}, pp. 2-1]")
    assert r["verdict"] == "missing_page" and "backwards" in r["message"] and f"p. {p['page']}" in r["message"]


def test_the_documented_verdicts_are_the_verdicts_with_their_severities() -> None:
    # docs/reports.md's two tables are what users read; the Verdict enum is what the checker gives
    from exhibit.reports import Severity, Verdict

    doc = (Path(__file__).resolve().parents[2] / "docs" / "reports.md").read_text(encoding="utf-8")
    documented = {v: s for v, s in re.findall(r"^\| `(\w+)` \| (\w+) \|", doc, re.MULTILINE)}
    assert documented == {str(v): str(v.severity) for v in Verdict}
    assert {v.passes for v in Verdict if v.severity is Severity.ERROR} == {False}
    assert all(v.passes for v in Verdict if v.severity is not Severity.ERROR)
