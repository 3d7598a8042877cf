"""What the pages show: search hits and facets, highlighted page images, Uyghur text, status, verify, registers."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from web_helpers import login

from exhibit.archive import Archive


def _yellow(png: bytes) -> int:
    a = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int(((a[..., 0] > 200) & (a[..., 1] > 170) & (a[..., 2] < 150)).sum())


def _exhibit_of(root: Path, path: str) -> str:
    with Archive.open(root) as arch:
        return next(e.id for e in arch.exhibits() if path in e.path_names)


def test_search_page_shows_marked_snippets_linking_to_the_highlighted_page(clients, telegram) -> None:  # type: ignore[no-untyped-def]
    client, _ = clients["viewer"]
    html = client.get("/search", params={"q": telegram[2]}).text
    assert f"<mark>{telegram[2]}</mark>" in html
    links = re.findall(r'href="(/exhibits/EX-\d+\?[^"]+)"', html)
    assert links and all("hl=" in x for x in links)
    link = next(x for x in links if x.startswith(f"/exhibits/{telegram[0]}?page={telegram[1]}&"))
    viewer = client.get(link.replace("&amp;", "&")).text
    img = re.search(r'<img src="([^"]+\.png\?[^"]*)"', viewer)
    assert img and "hl=" in img.group(1)
    assert _yellow(client.get(img.group(1).replace("&amp;", "&")).content) > 200


def test_facet_links_narrow_the_search(clients) -> None:  # type: ignore[no-untyped-def]
    client, _ = clients["viewer"]
    html = client.get("/search", params={"q": "一体化联合作战平台"}).text
    facet = re.search(r'href="/search\?q=([^"]*ocr%3Atrue[^"]*)"', html)
    assert facet, "no OCR facet link"
    narrowed = client.get("/search?q=" + facet.group(1)).text
    assert "hit" in narrowed and "text layer" not in narrowed
    total = int(re.search(r"(\d+) hits?", narrowed).group(1))  # type: ignore[union-attr]
    assert total >= 1


def test_html_in_register_cells_is_shown_as_text(clients, web_archive) -> None:  # type: ignore[no-untyped-def]
    client, _ = clients["viewer"]
    html = client.get("/search", params={"q": "zzhostile"}).text
    assert "zzhostile" in html and "<img src=x" not in html and "&lt;img src=x onerror=alert(3)&gt;" in html
    ex = _exhibit_of(web_archive[0], "cells.csv")
    with Archive.open(web_archive[0]) as arch:
        table = arch.tables(arch.resolve(ex))[0].id
    page = client.get(f"/exhibits/{ex}", params={"table": table}).text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(3)&gt;" in page


def test_malformed_query_says_where(clients) -> None:  # type: ignore[no-untyped-def]
    client, _ = clients["viewer"]
    r = client.get("/search", params={"q": '证据 "unclosed'})
    assert r.status_code == 200 and 'class="error"' in r.text
    assert "^" in r.text


def test_ocr_scan_is_highlighted_from_its_word_boxes(clients, web_archive, truth) -> None:  # type: ignore[no-untyped-def]
    client, _ = clients["viewer"]
    phrase = next(p for p in truth["phrases"] if p.get("ocr") and p["file"].endswith(".png"))
    ex = _exhibit_of(web_archive[0], phrase["file"])
    plain = client.get(f"/exhibits/{ex}/pages/1.png").content
    marked = client.get(f"/exhibits/{ex}/pages/1.png", params={"hl": phrase["query"]}).content
    assert _yellow(marked) > _yellow(plain) + 200


def test_uyghur_page_text_is_right_to_left(clients, web_archive) -> None:  # type: ignore[no-untyped-def]
    client, _ = clients["viewer"]
    ex = _exhibit_of(web_archive[0], "scans/uyghur_notice.png")
    html = client.get(f"/exhibits/{ex}").text
    assert re.search(r'class="doctext" lang="ug" dir="rtl"', html)


def test_status_page_lists_every_file_with_a_problem_and_why(clients, web_archive, truth) -> None:  # type: ignore[no-untyped-def]
    from markupsafe import escape

    client, _ = clients["viewer"]
    html = client.get("/status").text
    with Archive.open(web_archive[0]) as arch:
        problems = [e.as_json() for e in arch.exhibits() if e.status != "ok"]
    # the dev cache's broken files (encrypted.pdf opens with its password, so it may be ok)
    assert {p for e in problems for p in e["paths"]} >= {p for p, s in truth["hostile"].items()
                                                          if s not in ("ok", "encrypted")}
    for e in problems:
        assert e["id"] in html and str(escape(e["reason"] or "")) in html
    counts = client.get("/api/status").json()["by_status"]
    assert sum(counts.values()) == len(list(Archive.open(web_archive[0]).exhibits()))


def test_verify_button_verifies_and_logs(clients) -> None:  # type: ignore[no-untyped-def]
    client, csrf = clients["investigator"]
    html = client.post("/custody/verify", data={"csrf_token": csrf}).text
    assert "All blobs and the custody log verify." in html
    events = client.get("/api/custody").json()["events"]
    assert any(e["event"] == "verified" and e["actor"] == "investigator" for e in events)


def test_register_filter_by_check_shows_the_planted_anomaly(clients, truth) -> None:  # type: ignore[no-untyped-def]
    client, _ = clients["viewer"]
    planted = next(a for a in truth["anomalies"] if a["type"] == "bad_checksum")
    html = client.get("/records", params={"code": "bad_checksum", "q": planted["name_zh"]}).text
    assert planted["name_zh"] in html and 'class="badge anomaly" title="The last character' in html
    rid = re.search(r'href="/records/([^"]+)"', html).group(1)  # type: ignore[union-attr]
    rec = client.get(f"/records/{rid}").text
    assert 'id="row-current"' in rec and planted["id"][:6] in rec


def test_admin_adds_a_user_whose_password_is_shown_once(clients, web_app) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    client, csrf = clients["admin"]
    html = client.post("/admin/users", data={"name": "colleague", "role": "viewer", "csrf_token": csrf}).text
    pw = re.search(r'<code class="secret">([^<]+)</code>', html).group(1)  # type: ignore[union-attr]
    assert pw not in client.get("/admin/users").text
    with TestClient(web_app) as c:
        login(c, "colleague", pw)
        assert c.get("/api/me").json()["role"] == "viewer"


def test_api_search_and_exhibit_follow_the_cli_shapes(clients, telegram) -> None:  # type: ignore[no-untyped-def]
    client, _ = clients["viewer"]
    r: dict[str, Any] = client.get("/api/search", params={"q": telegram[2]}).json()
    assert r["total"] >= 1 and {"id", "sha256", "path", "page", "sheet", "row", "snippet", "score"} <= set(r["hits"][0])
    ex = client.get(f"/api/exhibits/{telegram[0]}").json()
    assert {"id", "sha256", "size", "paths", "media_type", "status", "reason", "pages", "parent", "metadata",
            "custody"} <= set(ex)
    assert client.get("/api/search", params={"q": '"unclosed'}).status_code == 400



def test_report_citation_links_open_the_cited_page_with_the_quote_marked(clients, telegram) -> None:  # type: ignore[no-untyped-def]
    from exhibit.reports import citation_url, parse

    client, _ = clients["viewer"]
    groups = parse(f"“{telegram[2]}” [@{telegram[0]}, p. {telegram[1]}].")
    url = citation_url(groups[0].citations[0])
    html = client.get(url).text
    assert f"<mark>{telegram[2]}</mark>" in html
    assert f"page {telegram[1]} of" in html and 'class="cited"' in html


def test_register_pages_read_only_as_far_as_they_show(clients, web_archive) -> None:  # type: ignore[no-untyped-def]
    from exhibit.records import iter_records

    client, _ = clients["viewer"]
    with Archive.open(web_archive[0]) as arch:
        n = sum(1 for _ in iter_records(arch))
    first = client.get("/records").text
    assert "of more" in first and 'rel="next"' in first
    last_page = -(-n // 20)
    last = client.get("/records", params={"page": last_page}).text
    assert f"{n} records" in last and 'rel="next"' not in last
    assert client.get("/api/records", params={"page": n // 1000 + 1, "size": 1000}).json()["paging"]["total"] == n


def test_two_investigators_coding_one_record_through_the_api_are_both_kept(clients, web_archive) -> None:  # type: ignore[no-untyped-def]
    from exhibit.archive import Archive
    from exhibit.coding import store
    from exhibit.records import iter_records

    with Archive.open(web_archive[0]) as arch:
        record_id = list(iter_records(arch))[-1]["record_id"]
        category = store.current_codebook(arch).ids()[0]
    inv, inv_csrf = clients["investigator"]
    adm, adm_csrf = clients["admin"]
    first = inv.post("/api/coding/code", json={"record_id": record_id, "categories": [category], "note": "first"},
                     headers={"X-CSRF-Token": inv_csrf})
    assert first.status_code == 200, first.text
    second = adm.post("/api/coding/code", json={"record_id": record_id, "categories": ["none"]},
                      headers={"X-CSRF-Token": adm_csrf})
    assert second.status_code == 200, second.text
    assert first.json()["coded_by"] == "investigator" and second.json()["categories"] == []
    viewer, viewer_csrf = clients["viewer"]
    assert viewer.post("/api/coding/code", json={"record_id": record_id, "categories": ["none"]},
                       headers={"X-CSRF-Token": viewer_csrf}).status_code == 403
    bad = inv.post("/api/coding/code", json={"record_id": record_id, "categories": ["no-such-category"]},
                   headers={"X-CSRF-Token": inv_csrf})
    assert bad.status_code == 400 and category in bad.text  # the message names the known categories
    with Archive.open(web_archive[0]) as arch:
        coders = [r[0] for r in arch.catalog.execute(
            "SELECT coder FROM code_hand WHERE record_id = :r ORDER BY id", {"r": record_id})]
    assert coders[-2:] == ["investigator", "admin"]  # the earlier judgement is kept, not overwritten
