"""The redaction mode over HTTP: proposals shown to confirm, a preview, a verified export logged with the
user and the purpose; a viewer cannot remove a proposal and so cannot export what was proposed readable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from fixtures import ID_1, NAME_HAN, NAME_LATIN, REASON
from readout import holds, pymupdf_text, seq_of

from exhibit.archive import Archive

ROLES = ("viewer", "investigator")


def _login(c: TestClient, name: str, password: str) -> str:
    r = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
    assert token
    r = c.post("/login", data={"name": name, "password": password, "csrf_token": token.group(1), "next": "/"},
               follow_redirects=False)
    assert r.status_code == 303
    return str(c.get("/api/me").json()["csrf_token"])


@pytest.fixture()
def clients(arch: Archive) -> Iterator[dict[str, tuple[TestClient, str]]]:
    from exhibit.web import accounts
    from exhibit.web.app import create_app

    accounts.ensure_schema(arch)
    for role in ROLES:
        accounts.add_user(arch, role, role, f"{role}-password-1", actor="pytest")
    app = create_app(arch.root)
    out = {}
    for role in ROLES:
        c = TestClient(app, base_url="http://testserver")
        out[role] = (c, _login(c, role, f"{role}-password-1"))
    yield out
    for c, _ in out.values():
        c.close()


def _keys(html: str) -> list[str]:
    return re.findall(r'name="keep" value="([^"]+)"', html)


def test_the_exhibit_page_links_to_the_redaction_mode_which_shows_the_proposals(arch: Archive, clients) -> None:  # type: ignore[no-untyped-def]
    c, _ = clients["viewer"]
    ex = arch.exhibit(seq_of(arch, "register.pdf"))
    assert f"/exhibits/{ex.id}/redact?page=1" in c.get(f"/exhibits/{ex.id}").text
    r = c.get(f"/exhibits/{ex.id}/redact?page=1")
    assert r.status_code == 200
    assert NAME_LATIN in r.text and NAME_HAN in r.text and ID_1 in r.text
    assert len(set(_keys(r.text))) == 4


def test_an_investigator_exports_a_verified_page_logged_with_purpose(arch: Archive, clients, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c, csrf = clients["investigator"]
    ex = arch.exhibit(seq_of(arch, "register.pdf"))
    keys = sorted(set(_keys(c.get(f"/exhibits/{ex.id}/redact?page=1").text)))
    preview = c.get(f"/exhibits/{ex.id}/redact/preview.png", params={"page": 1, "keep": keys})
    assert preview.status_code == 200 and preview.content[:8] == b"\x89PNG\r\n\x1a\n"
    r = c.post(f"/exhibits/{ex.id}/redact/export", data={"csrf_token": csrf, "page": "1", "keep": keys,
                                                          "box": ["72,50,300,70"], "purpose": "press annex"})
    assert r.status_code == 200, r.text
    assert "attachment" in r.headers["content-disposition"]
    out = tmp_path / "dl.pdf"
    out.write_bytes(r.content)
    text = pymupdf_text(out)
    assert not holds(text, NAME_LATIN) and not holds(text, NAME_HAN) and not holds(text, ID_1)
    assert REASON in text and "人员名单" not in text  # the drawn box took the title
    exported = [e for e in arch.custody_events() if e.event == "exported" and e.details.get("via") == "web"]
    assert exported[-1].actor == "investigator" and exported[-1].details["purpose"] == "press annex"


def test_a_viewer_cannot_remove_a_proposal_or_export_without_purpose(arch: Archive, clients) -> None:  # type: ignore[no-untyped-def]
    c, csrf = clients["viewer"]
    ex = arch.exhibit(seq_of(arch, "register.pdf"))
    page = c.get(f"/exhibits/{ex.id}/redact?page=1").text
    assert "disabled" in page
    keys = sorted(set(_keys(page)))
    r = c.post(f"/exhibits/{ex.id}/redact/export", data={"csrf_token": csrf, "page": "1", "keep": keys[1:],
                                                          "purpose": "curious"})
    assert r.status_code == 403 and "investigator" in r.text
    r = c.post(f"/exhibits/{ex.id}/redact/export", data={"csrf_token": csrf, "page": "1", "keep": keys,
                                                          "purpose": ""})
    assert r.status_code == 400 and "purpose" in r.text
    r = c.post(f"/exhibits/{ex.id}/redact/export", data={"page": "1", "keep": keys, "purpose": "x"})
    assert r.status_code == 403  # no CSRF token
