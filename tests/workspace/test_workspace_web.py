"""The workspace over HTTP: every new route refuses a missing session, a too-low role and a missing CSRF
token; private notes stay their author's; hostile notes and tags render inert."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from workspace_support import Cache, add_users, seq_of

from exhibit.archive import Archive, ex_id

USERS = {"vera": "viewer", "ana": "investigator", "ben": "investigator", "adm": "admin"}


def _login(c: TestClient, name: str, password: str) -> str:
    r = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
    assert token
    r = c.post("/login", data={"name": name, "password": password, "csrf_token": token.group(1), "next": "/"},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    return str(c.get("/api/me").json()["csrf_token"])


@pytest.fixture()
def web(ws_archive: Path) -> Iterator[tuple[dict[str, tuple[TestClient, str]], Path]]:
    from exhibit.web.app import create_app
    from exhibit.web.settings import WebSettings

    pw = add_users(ws_archive, USERS)
    app = create_app(ws_archive, WebSettings(login_attempts=1000))
    out: dict[str, tuple[TestClient, str]] = {}
    for name in USERS:
        c = TestClient(app, base_url="http://testserver")
        out[name] = (c, _login(c, name, pw[name]))
    out["anon"] = (TestClient(app, base_url="http://testserver"), "")
    yield out, ws_archive
    for c, _ in out.values():
        c.close()


# (method, path, JSON body or form, least role, is a page)
def routes(ref: str, quote: str) -> list[tuple[str, str, dict[str, Any] | None, str, bool]]:
    return [
        ("GET", "/api/tags", None, "viewer", False),
        ("POST", "/api/tags", {"targets": [ref], "add": ["checked"]}, "investigator", False),
        ("GET", f"/api/exhibits/{ref}/workspace", None, "viewer", False),
        ("POST", "/api/notes", {"target": ref, "text": "n"}, "investigator", False),
        ("GET", "/api/highlights", None, "viewer", False),
        ("POST", "/api/highlights", {"exhibit": ref, "page": 1, "quote": quote}, "investigator", False),
        ("GET", "/api/saved", None, "viewer", False),
        ("POST", "/api/saved", {"name": "s", "query": "x"}, "viewer", False),
        ("GET", "/api/alerts", None, "viewer", False),
        ("POST", "/api/alerts/seen", {}, "viewer", False),
        ("POST", "/api/download", {"ids": [ref], "purpose": "p"}, "investigator", False),
        ("GET", "/api/activity", None, "viewer", False),
        ("GET", "/workspace", None, "viewer", True),
        ("GET", "/activity", None, "viewer", True),
        ("POST", "/workspace/tag", {"targets": ref, "add": "checked", "next": "/"}, "investigator", True),
        ("POST", "/workspace/note", {"target": ref, "text": "n", "next": "/"}, "investigator", True),
        ("POST", "/workspace/highlight", {"exhibit": ref, "page": "1", "quote": quote, "next": "/"}, "investigator", True),
        ("POST", "/workspace/saved", {"name": "s", "query": "x"}, "viewer", True),
        ("POST", "/workspace/alerts/seen", {}, "viewer", True),
        ("POST", "/workspace/download", {"tag": "checked", "purpose": "p"}, "investigator", True),
    ]


def _call(c: TestClient, method: str, path: str, body: dict[str, Any] | None, page: bool, csrf: str | None) -> Any:
    headers = {"x-csrf-token": csrf} if csrf and not page else {}
    if method == "GET":
        return c.get(path, follow_redirects=False)
    if page:
        form = dict(body or {})
        if csrf:
            form["csrf_token"] = csrf
        return c.post(path, data=form, follow_redirects=False)
    return c.post(path, json=body, headers=headers, follow_redirects=False)


def _first_words(arch_root: Path, cache: Cache) -> tuple[str, str]:
    with Archive.open(arch_root) as arch:
        seq = seq_of(arch, cache.pdf)
    return ex_id(seq), " ".join(cache.pdf_lines[0][1].split()[:2])


def test_every_route_refuses_anonymous_low_roles_and_missing_csrf(web: Any, ws_cache: Cache) -> None:
    clients, root = web
    ref, quote = _first_words(root, ws_cache)
    clients["ana"][0].post("/api/tags", json={"targets": [ref], "add": ["checked"]},
                           headers={"x-csrf-token": clients["ana"][1]})
    for method, path, body, role, page in routes(ref, quote):
        anon = _call(clients["anon"][0], method, path, body, page, None)
        if page and method == "GET":
            assert anon.status_code == 303 and "/login" in anon.headers["location"], path
        else:
            assert anon.status_code in (401, 303), (path, anon.status_code)
            assert anon.status_code == 401 or "/login" in anon.headers["location"]
        if method == "POST":
            c, _ = clients["ana"]
            assert _call(c, method, path, body, page, None).status_code == 403, path  # no CSRF token
        if role == "investigator":
            c, csrf = clients["vera"]
            assert _call(c, method, path, body, page, csrf).status_code == 403, path
        c, csrf = clients["ana"]
        r = _call(c, method, path, body, page, csrf)
        assert r.status_code in (200, 303), (path, r.status_code, r.text[:300])


def test_private_notes_stay_with_their_author(web: Any, ws_cache: Cache) -> None:
    clients, root = web
    ref, _ = _first_words(root, ws_cache)
    c, csrf = clients["ana"]
    secret = "only-ana-" + ref
    n = c.post("/api/notes", json={"target": ref, "text": secret, "private": True},
               headers={"x-csrf-token": csrf}).json()
    assert c.get(f"/api/notes/{n['note_id']}").status_code == 200
    assert secret in c.get(f"/exhibits/{ref}").text
    for other in ("ben", "adm", "vera"):
        oc, ocsrf = clients[other]
        assert oc.get(f"/api/notes/{n['note_id']}").status_code == 404
        assert oc.post(f"/api/notes/{n['note_id']}", json={"text": "x"},
                       headers={"x-csrf-token": ocsrf}).status_code in (403, 404)
        assert secret not in json.dumps(oc.get(f"/api/exhibits/{ref}/workspace").json())
        assert secret not in oc.get(f"/exhibits/{ref}").text
        assert secret not in json.dumps(oc.get("/api/activity").json())
    assert secret not in c.get("/api/activity").text  # the shared log never holds a private note's words


def test_a_script_note_and_a_markup_tag_render_inert(web: Any, ws_cache: Cache) -> None:
    clients, root = web
    ref, _ = _first_words(root, ws_cache)
    c, csrf = clients["ana"]
    tag = '"><img src=x onerror=alert(1)>'
    assert c.post("/api/tags", json={"targets": [ref], "add": [tag]}, headers={"x-csrf-token": csrf}).status_code == 200
    assert c.post("/api/notes", json={"target": ref, "text": "<script>alert(1)</script> **bold**"},
                  headers={"x-csrf-token": csrf}).status_code == 200
    for path in (f"/exhibits/{ref}", "/workspace"):
        html = c.get(path).text
        assert "<img src=x" not in html and "<script>alert" not in html, path
    html = c.get(f"/exhibits/{ref}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<strong>bold</strong>" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html or "&quot;&gt;&lt;img" in html


def test_viewers_read_what_investigators_wrote(web: Any, ws_cache: Cache) -> None:
    clients, root = web
    ref, quote = _first_words(root, ws_cache)
    c, csrf = clients["ana"]
    h = c.post("/api/highlights", json={"exhibit": ref, "page": 1, "quote": quote, "comment": "c"},
               headers={"x-csrf-token": csrf}).json()
    vc, _ = clients["vera"]
    seen = vc.get(f"/api/exhibits/{ref}/workspace").json()
    assert [x["citation"] for x in seen["highlights"]] == [h["citation"]]
    assert h["citation"] in vc.get(f"/exhibits/{ref}").text.replace("&#34;", '"').replace("&quot;", '"')


def test_the_zip_download_streams_with_its_manifest(web: Any, ws_cache: Cache) -> None:
    clients, root = web
    ref, _ = _first_words(root, ws_cache)
    c, csrf = clients["ana"]
    r = c.post("/api/download", json={"ids": [ref], "purpose": "court bundle"}, headers={"x-csrf-token": csrf})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert [f["id"] for f in manifest["files"]] == [ref] and manifest["actor"] == "ana"
    assert c.get("/api/activity", params={"kind": "exported"}).json()[0]["event"] == "downloaded"


def test_openapi_lists_the_workspace(web: Any) -> None:
    c, _ = web[0]["ana"]
    paths = c.get("/api/openapi.json").json()["paths"]
    assert {"/api/tags", "/api/notes", "/api/highlights", "/api/saved", "/api/alerts", "/api/download",
            "/api/activity"} <= set(paths)


def test_you_edit_and_delete_only_your_own_note(web: Any, ws_cache: Cache) -> None:
    clients, root = web
    ref, _ = _first_words(root, ws_cache)
    ana, ana_csrf = clients["ana"]
    ben, ben_csrf = clients["ben"]
    n = ana.post("/api/notes", json={"target": ref, "text": "first"}, headers={"x-csrf-token": ana_csrf}).json()
    edit, delete = f"/api/notes/{n['note_id']}", f"/api/notes/{n['note_id']}/delete"
    assert ben.post(edit, json={"text": "taken"}, headers={"x-csrf-token": ben_csrf}).status_code == 403
    assert ben.post(delete, headers={"x-csrf-token": ben_csrf}).status_code == 403
    assert ana.post(edit, json={"text": "second"}).status_code == 403  # no CSRF token
    assert clients["anon"][0].post(edit, json={"text": "x"}).status_code == 401
    r = ana.post(edit, json={"text": "second"}, headers={"x-csrf-token": ana_csrf})
    assert [h["text"] for h in r.json()["history"]] == ["first", "second"]
    page = ana.get(f"/exhibits/{ref}").text
    assert 'class="badge edited"' in page and "first" in page and "note-edit-form" in page
    assert "note-edit-form" not in ben.get(f"/exhibits/{ref}").text
    form = {"csrf_token": ana_csrf, "next": f"/exhibits/{ref}"}
    assert ana.post(f"/workspace/note/{n['note_id']}/delete", data=form, follow_redirects=False).status_code == 303
    assert ana.get(f"/api/exhibits/{ref}/workspace").json()["notes"] == []
    assert [h["text"] for h in ana.get(f"/api/notes/{n['note_id']}").json()["history"]] == ["first", "second"]
