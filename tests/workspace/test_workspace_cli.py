"""The workspace from the command line: tag, note, highlight, search filters, saved searches and alerts after
an ingest, download, the report draft, and highlights through `exhibit ocr --force`."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner
from workspace_support import Cache, sentence, seq_of, word

from exhibit.archive import Archive, ex_id
from exhibit.cli.main import app


def run(archive: Path, *args: str, actor: str | None = None, ok: bool = True) -> Any:
    extra = ["--actor", actor] if actor else []
    res = CliRunner().invoke(app, [*args, "--archive", str(archive), *extra])
    if ok:
        assert res.exit_code == 0, (args, res.output, res.exception)
    return res


def js(archive: Path, *args: str, actor: str | None = None) -> Any:
    return json.loads(run(archive, *args, "--json", actor=actor).stdout)


def test_tag_and_search_by_tag_note_and_author(ws_archive: Path, ws_cache: Cache) -> None:
    rng = random.Random(11)
    tag, noteword = word(rng, 4), word(rng, 4)
    with Archive.open(ws_archive) as arch:
        pdf, scan = seq_of(arch, ws_cache.pdf), seq_of(arch, ws_cache.scan)
    common = ws_cache.pdf_lines[0][1].split()[0]
    everything = js(ws_archive, "search", common, "--limit", "100")
    assert any(h["id"] == ex_id(pdf) for h in everything["hits"])
    js(ws_archive, "tag", ex_id(pdf), "--add", tag, actor="ana")
    tagged = js(ws_archive, "search", f"tag:{tag}", "--limit", "100", "--facets")
    assert tagged["total"] == len(ws_cache.pdf_lines) and {h["id"] for h in tagged["hits"]} == {ex_id(pdf)}
    assert tagged["facets"]["tag"] == {tag: len(ws_cache.pdf_lines)}
    words_and_tag = js(ws_archive, "search", f"{common} tag:{tag}")
    assert {h["id"] for h in words_and_tag["hits"]} == {ex_id(pdf)}
    assert js(ws_archive, "search", f"{common} -tag:{tag}", "--limit", "100")["total"] == \
        everything["total"] - words_and_tag["total"]
    run(ws_archive, "note", ex_id(scan), f"see *{noteword}* later", actor="ben")
    assert {h["id"] for h in js(ws_archive, "search", f"note:{noteword}")["hits"]} == {ex_id(scan)}
    assert {h["id"] for h in js(ws_archive, "search", "noted_by:ben")["hits"]} == {ex_id(scan)}
    run(ws_archive, "note", ex_id(pdf), f"private {noteword}", "--private", actor="cem")
    # cem's private note is found by cem only
    assert {h["id"] for h in js(ws_archive, "search", f"note:{noteword}", actor="cem")["hits"]} == {ex_id(scan), ex_id(pdf)}
    assert {h["id"] for h in js(ws_archive, "search", f"note:{noteword}", actor="ben")["hits"]} == {ex_id(scan)}


def test_bulk_tag_of_search_results(ws_archive: Path, ws_cache: Cache) -> None:
    res = js(ws_archive, "tag", "--search", ws_cache.marker, "--add", "to-translate", actor="ana")
    assert [c["target"]["key"].split(":")[0] for c in res["changes"]] == ["page"]
    with Archive.open(ws_archive) as arch:
        seq = seq_of(arch, ws_cache.pdf)
    assert res["changes"][0]["target"]["key"] == f"page:{seq}:2"
    assert js(ws_archive, "tags") == [{"tag": "to-translate", "count": 1}]


def test_highlight_ls_gives_citations_and_the_draft_passes_report_check(ws_archive: Path, ws_cache: Cache,
                                                                        tmp_path: Path) -> None:
    with Archive.open(ws_archive) as arch:
        pdf, scan = seq_of(arch, ws_cache.pdf), seq_of(arch, ws_cache.scan)
    quote = " ".join(ws_cache.pdf_lines[1][2].split()[:3])
    run(ws_archive, "highlight", ex_id(pdf), "--page", "2", "--quote", quote, "--comment", "see [@EX-999999]",
        actor="ana")
    run(ws_archive, "highlight", ex_id(scan), "--page", "1", "--rect", "0.1,0.1,0.5,0.3", actor="ben")
    run(ws_archive, "tag", ex_id(pdf), ex_id(scan), "--add", "key-evidence", actor="ana")
    items = js(ws_archive, "highlight", "ls")
    assert len(items) == 2 and all(i["citation"] for i in items)
    assert {i["author"] for i in items} == {"ana", "ben"}
    draft = run(ws_archive, "report", "draft", "--tag", "key-evidence").stdout
    assert draft.count("[@EX-") == 2 and f"## {ex_id(pdf)}" in draft and f"## {ex_id(scan)}" in draft
    (tmp_path / "draft.md").write_text(draft, encoding="utf-8")
    checked = json.loads(run(ws_archive, "report", "check", str(tmp_path / "draft.md"), "--json").stdout)
    # exactly the two highlights are cited: the comment's bracket is text, not a citation of a missing exhibit
    assert checked["ok"] and checked["citations"] == 2, checked
    assert {(r["id"], r["page"]) for r in checked["results"]} == {(ex_id(pdf), 2), (ex_id(scan), 1)}
    assert [r["quote_verdict"] for r in checked["results"] if r["quote"]] == ["found"]


def test_a_highlight_on_an_ocr_page_survives_ocr_force(ws_archive: Path, ws_cache: Cache, tmp_path: Path) -> None:
    with Archive.open(ws_archive) as arch:
        seq = seq_of(arch, ws_cache.scan)
        words = arch.pages(seq)[0].text.split()
    quote = " ".join(words[2:4])
    h = js(ws_archive, "highlight", ex_id(seq), "--page", "1", "--quote", quote, actor="ana")
    run(ws_archive, "ocr", ex_id(seq), "--force", "--json")
    run(ws_archive, "reindex")
    [after] = js(ws_archive, "highlight", "ls", "--exhibit", ex_id(seq))
    assert after["highlight_id"] == h["highlight_id"] and after["anchor"] in ("anchored", "reanchored")
    (tmp_path / "r.md").write_text(after["citation"] + "\n", encoding="utf-8")
    run(ws_archive, "report", "check", str(tmp_path / "r.md"))


def test_a_saved_search_alerts_on_a_new_matching_ingest_once(ws_archive: Path, tmp_path: Path) -> None:
    rng = random.Random(23)
    term = word(rng, 5)
    run(ws_archive, "saved", "add", "watch", term, actor="ana")
    assert js(ws_archive, "alerts", actor="ana") == {"alerts": []}
    new = tmp_path / "batch2"
    new.mkdir()
    (new / "later.txt").write_text(f"{sentence(rng)} {term} {sentence(rng)}\n", encoding="utf-8")
    (new / "other.txt").write_text(f"{sentence(rng)}\n", encoding="utf-8")
    run(ws_archive, "ingest", str(new), "--json")
    [alert] = js(ws_archive, "alerts", actor="ana")["alerts"]
    assert alert["name"] == "watch" and alert["new_hits"] == 1 and alert["hits"][0]["path"] == "later.txt"
    # another user does not see ana's private saved search
    assert js(ws_archive, "alerts", actor="ben") == {"alerts": []}
    run(ws_archive, "alerts", "--seen", actor="ana")
    assert js(ws_archive, "alerts", actor="ana") == {"alerts": []}


def test_download_of_a_tag_matches_exhibit_ls_and_is_a_custody_event(ws_archive: Path, ws_cache: Cache,
                                                                     tmp_path: Path) -> None:
    with Archive.open(ws_archive) as arch:
        chosen = [seq_of(arch, ws_cache.pdf), seq_of(arch, ws_cache.scan)]
    run(ws_archive, "tag", *map(ex_id, chosen), "--add", "checked", actor="ana")
    out = tmp_path / "dl.zip"
    res = js(ws_archive, "download", "--tag", "checked", "--out", str(out), "--purpose", "editor review",
             actor="ana")
    assert res["files"] == 2
    listing = {e["id"]: e for e in js(ws_archive, "ls")}
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["purpose"] == "editor review" and manifest["tag"] == "checked"
        assert {f["id"] for f in manifest["files"]} == set(map(ex_id, chosen))
        for f in manifest["files"]:
            assert f["sha256"] == listing[f["id"]]["sha256"] and f["paths"] == listing[f["id"]]["paths"]
            assert hashlib.sha256(zf.read(f["file"])).hexdigest() == f["sha256"]
            assert f["custody"]["events"] >= 2 and f["first_receipt"]
    with Archive.open(ws_archive) as arch:
        last = arch.custody_events()[-1]
    assert last.event == "downloaded" and last.actor == "ana" and last.details["purpose"] == "editor review"
    assert run(ws_archive, "download", "--tag", "checked", "--out", str(out), ok=False).exit_code != 0


def test_download_of_a_search_holds_its_hits_csv(ws_archive: Path, ws_cache: Cache, tmp_path: Path) -> None:
    out = tmp_path / "q.zip"
    js(ws_archive, "download", ws_cache.marker, "--out", str(out), "--purpose", "p")
    with zipfile.ZipFile(out) as zf:
        rows = list(csv.DictReader(io.StringIO(zf.read("hits.csv").decode("utf-8"))))
        names = zf.namelist()
    assert len(rows) == 1 and rows[0]["page"] == "2" and ws_cache.marker in rows[0]["snippet"]
    assert all(n.startswith("files/") or n in ("hits.csv", "manifest.json") for n in names)


@pytest.mark.parametrize("kind", ["tagged", "noted"])
def test_activity_lists_who_did_what(ws_archive: Path, kind: str) -> None:
    run(ws_archive, "tag", "EX-000001", "--add", "x", actor="ana")
    run(ws_archive, "note", "EX-000001", "y", actor="ben")
    items = js(ws_archive, "activity", "--kind", kind)
    assert items and all(i["kind"] == kind for i in items)
    assert {i["actor"] for i in items} == {"ana" if kind == "tagged" else "ben"}
    assert any(i["kind"] == "ingested" for i in js(ws_archive, "activity"))


def test_a_register_row_is_tagged_and_cited_by_sheet_and_row(ws_archive: Path, ws_cache: Cache, tmp_path: Path) -> None:
    rng = random.Random(41)
    person = rng.choice(ws_cache.people)
    hit = next(h for h in js(ws_archive, "search", f'"{person.id_number}"')["hits"] if h["row"])
    ref = f"{hit['id']}:t{hit['table_id']}:r{hit['row']}"
    [change] = js(ws_archive, "tag", ref, "--add", "checked")["changes"]
    citation = change["target"]["citation"]
    assert citation == f"[@{hit['id']}, sheet {hit['sheet']}, row {hit['row']}]"
    (tmp_path / "row.md").write_text(f"“{person.id_number}” {citation}\n", encoding="utf-8")
    run(ws_archive, "report", "check", str(tmp_path / "row.md"))


def test_person_data_in_hits_csv_is_pseudonymised_unless_identified(ws_archive: Path, ws_cache: Cache,
                                                                   tmp_path: Path) -> None:
    run(ws_archive, "records", "extract", "--json")
    person = random.Random(43).choice(ws_cache.people)

    def hits_csv(*extra: str) -> str:
        out = tmp_path / f"p{len(extra)}.zip"
        js(ws_archive, "download", f'"{person.name_zh}"', "--out", str(out), "--purpose", "p", *extra)
        with zipfile.ZipFile(out) as zf:
            return zf.read("hits.csv").decode("utf-8")

    plain = hits_csv()
    assert person.name_zh not in plain and person.id_number not in plain
    assert person.id_number[:10] in plain  # region and birth year stay
    assert "P-" in plain                   # the name's pseudonym
    identified = hits_csv("--identified")
    assert person.name_zh in identified and person.id_number in identified


def test_a_record_is_a_target_with_its_source_row(ws_archive: Path, ws_cache: Cache, tmp_path: Path) -> None:
    run(ws_archive, "records", "extract", "--json")
    rec = random.Random(47).choice(js(ws_archive, "records", "ls"))
    [change] = js(ws_archive, "tag", f"record:{rec['record_id']}", "--add", "checked")["changes"]
    target = change["target"]
    assert (target["kind"], target["id"], target["row"]) == ("record", rec["source"]["id"], rec["source"]["row"])
    (tmp_path / "rec.md").write_text(f"“{rec['id_number_raw'] or rec['id_number']}” {target['citation']}\n",
                                     encoding="utf-8")
    run(ws_archive, "report", "check", str(tmp_path / "rec.md"))
    note = js(ws_archive, "note", f"record:{rec['record_id']}", "source row checked against the scan")
    assert note["target"]["key"] == f"record:{rec['record_id']}"
