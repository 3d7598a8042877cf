"""Security behaviour of the web app: escaping hostile names and text, cookies, headers, rate limits, custody."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from markupsafe import escape
from web_helpers import HOSTILE_NAME, login

from exhibit.archive import Archive
from exhibit.web.app import create_app
from exhibit.web.settings import WebSettings


def _hostile_id(root: Path) -> str:
    with Archive.open(root) as arch:
        return next(e.id for e in arch.exhibits() if HOSTILE_NAME in e.path_names)


def test_hostile_file_name_and_html_content_are_shown_as_text(clients, web_archive) -> None:  # type: ignore[no-untyped-def]
    client, _ = clients["viewer"]
    ex = _hostile_id(web_archive[0])
    pages = [client.get(f"/exhibits/{ex}").text, client.get("/exhibits?page=1").text + client.get("/exhibits?page=2").text,
             client.get("/custody").text]
    for html in pages:
        assert "<script>alert" not in html and "onerror=alert" not in html.replace("onerror=alert(2)&gt;", "")
        assert "<img src=x" not in html
    viewer = pages[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.txt" in viewer  # the name, escaped
    with Archive.open(web_archive[0]) as arch:
        text = arch.page(arch.resolve(ex), 1).text  # type: ignore[union-attr]
    assert "hostile" in text and str(escape(text)) in viewer  # the document text, escaped
    assert "<script src=\"/static/app.js\" defer></script>" in viewer  # our only script


def test_hostile_file_downloads_as_an_attachment_with_a_safe_name(clients, web_archive) -> None:  # type: ignore[no-untyped-def]
    client, _ = clients["investigator"]
    r = client.get(f"/exhibits/{_hostile_id(web_archive[0])}/download")
    assert r.status_code == 200
    cd = r.headers["content-disposition"]
    assert cd.startswith("attachment;") and "<" not in cd and '"' not in cd.split("filename", 1)[1].strip("=\"")[:-1]
    assert "script%3E.txt" in cd  # the name survives, percent-encoded (RFC 5987)
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert b"<script>" in r.content  # the original bytes, untouched


def test_search_snippet_of_hostile_text_is_escaped(clients) -> None:  # type: ignore[no-untyped-def]
    client, _ = clients["viewer"]
    html = client.get("/search", params={"q": "hostile"}).text
    assert "<script>alert" not in html and "<img src=x" not in html


def test_every_response_carries_the_security_headers(clients, telegram) -> None:  # type: ignore[no-untyped-def]
    client, _ = clients["viewer"]
    for path in ["/login", "/search", f"/exhibits/{telegram[0]}", "/api/status", "/static/app.css", "/nowhere"]:
        h = client.get(path).headers
        csp = h["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "same-origin"
        assert h["x-frame-options"] == "DENY"
        assert h["cache-control"] == ("private, max-age=3600" if path.startswith("/static/") else "no-store")


def test_templates_have_no_inline_script_or_style() -> None:
    root = Path(__file__).resolve().parents[2] / "exhibit" / "web" / "templates"
    for t in root.glob("*.html"):
        text = t.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), t.name
        assert "<style" not in text and " style=" not in text and not re.search(r"\bon[a-z]+=", text), t.name


def _login_response(client: TestClient, name: str, password: str) -> object:
    r = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token},
                       follow_redirects=False)


def test_session_cookie_is_httponly_samesite_and_secure_behind_tls(web_archive) -> None:  # type: ignore[no-untyped-def]
    root, pw = web_archive
    for secure in (False, True):
        with TestClient(create_app(root, WebSettings(secure_cookies=secure)), base_url="https://testserver") as c:
            r = _login_response(c, "viewer", pw["viewer"])
            cookie = next(v for v in r.headers.get_list("set-cookie") if v.startswith("exhibit_session="))  # type: ignore[attr-defined]
            assert "HttpOnly" in cookie and "SameSite=lax" in cookie
            assert ("Secure" in cookie) is secure


def test_login_without_its_csrf_token_is_refused(web_archive) -> None:  # type: ignore[no-untyped-def]
    root, pw = web_archive
    with TestClient(create_app(root)) as c:
        r = c.post("/login", data={"name": "viewer", "password": pw["viewer"]}, follow_redirects=False)
        assert r.status_code == 403
        c.get("/login")
        r = c.post("/login", data={"name": "viewer", "password": pw["viewer"], "csrf_token": "forged"},
                   follow_redirects=False)
        assert r.status_code == 403


def test_login_is_rate_limited_per_ip_and_user(web_archive) -> None:  # type: ignore[no-untyped-def]
    root, pw = web_archive
    app = create_app(root, WebSettings(login_attempts=3, login_window_s=600))
    with TestClient(app) as c:
        for _ in range(3):
            assert _login_response(c, "investigator", "wrong password!").status_code == 401  # type: ignore[attr-defined]
        # even the right password is refused until the window passes
        assert _login_response(c, "investigator", pw["investigator"]).status_code == 429  # type: ignore[attr-defined]
        # another user from the same address is not blocked
        assert _login_response(c, "viewer", pw["viewer"]).status_code == 303  # type: ignore[attr-defined]
        # but a spray of names from one address is
        for i in range(27):
            _login_response(c, f"guess{i}", "wrong password!")
        assert _login_response(c, "admin", pw["admin"]).status_code == 429  # type: ignore[attr-defined]


def test_logins_exports_and_downloads_are_custody_events(web_archive, telegram) -> None:  # type: ignore[no-untyped-def]
    root, pw = web_archive
    with TestClient(create_app(root)) as c:
        csrf = login(c, "investigator", pw["investigator"])
        assert c.get(f"/exhibits/{telegram[0]}/download").status_code == 200
        r = c.post("/records/export", data={"format": "csv", "identified": "1", "purpose": "court filing",
                                            "csrf_token": csrf})
        assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment")
        r = c.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
        assert r.status_code == 303
        assert c.get("/api/me").status_code == 401  # the session is gone
    with Archive.open(root) as arch:
        events = [e for e in arch.custody_events() if "investigator" in e.actor]
    kinds = [(e.event, e.details.get("what"), e.details.get("identified")) for e in events]
    assert ("web_login", None, None) in kinds and ("web_logout", None, None) in kinds
    assert ("exported", "original", None) in kinds
    assert any(e.event == "exported" and e.details.get("identified") is True
               and e.details.get("purpose") == "court filing" for e in events)


def test_viewer_is_refused_an_identified_export_but_gets_a_pseudonymised_one(clients, truth) -> None:  # type: ignore[no-untyped-def]
    client, csrf = clients["viewer"]
    r = client.post("/records/export", data={"format": "csv", "identified": "1", "purpose": "x", "csrf_token": csrf})
    assert r.status_code == 403
    r = client.post("/records/export", data={"format": "csv", "csrf_token": csrf})
    assert r.status_code == 200
    some_id = truth["registers"]["registers/墨玉县学员花名册_2018.xlsx"][0]["id"]
    assert some_id not in r.text and r.text.count("\n") > 10
    # the exported file does not stay behind on the server's disk
    import tempfile

    assert not list(Path(tempfile.gettempdir()).glob("exhibit-export-*/records.csv"))


def test_viewer_cannot_judge_links_or_download_originals(clients, telegram) -> None:  # type: ignore[no-untyped-def]
    client, csrf = clients["viewer"]
    assert client.post("/review/judge", data={"a": "1", "b": "2", "verdict": "accept", "csrf_token": csrf},
                       follow_redirects=False).status_code == 403
    assert client.post("/api/link/judge", json={"a": "1", "b": "2", "verdict": "accept"},
                       headers={"X-CSRF-Token": csrf}).status_code == 403
    assert client.get(f"/exhibits/{telegram[0]}/download").status_code == 403


def test_login_redirects_only_within_the_site(web_archive) -> None:  # type: ignore[no-untyped-def]
    root, pw = web_archive
    with TestClient(create_app(root)) as c:
        r = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
        r = c.post("/login", data={"name": "viewer", "password": pw["viewer"], "csrf_token": token,
                                   "next": "//evil.example/"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
