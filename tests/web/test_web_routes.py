"""Every route: refused without a session, with too low a role and without a CSRF token; allowed otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

# (method, path, least role, form data). Pages redirect to /login without a session; /api answers 401.
ROUTES: list[tuple[str, str, str, dict[str, Any] | None]] = [
    ("GET", "/", "viewer", None),
    ("GET", "/search?q=测试", "viewer", None),
    ("GET", "/exhibits", "viewer", None),
    ("GET", "/exhibits/{ex}", "viewer", None),
    ("GET", "/exhibits/{ex}/pages/{page}.png?hl=测试", "viewer", None),
    ("GET", "/exhibits/{ex}/download", "investigator", None),
    ("GET", "/status", "viewer", None),
    ("GET", "/custody", "viewer", None),
    ("POST", "/custody/verify", "investigator", {}),
    ("GET", "/records", "viewer", None),
    ("GET", "/records/{rid}", "viewer", None),
    ("POST", "/records/export", "viewer", {"format": "csv"}),
    ("POST", "/records/export", "investigator", {"format": "csv", "identified": "1", "purpose": "test"}),
    ("GET", "/people?q=Mamat+Tursun", "viewer", None),
    ("GET", "/people/{cid}", "viewer", None),
    ("GET", "/review", "viewer", None),
    ("POST", "/review/judge", "investigator", {"a": "{rid}", "b": "{rid2}", "verdict": "unsure"}),
    ("GET", "/charts", "viewer", None),
    ("GET", "/charts/categories_by_register.png", "viewer", None),
    ("GET", "/admin/users", "admin", None),
    ("POST", "/admin/users", "admin", {"name": "newcomer", "role": "viewer"}),
    ("POST", "/logout", "viewer", {}),
    ("GET", "/api/docs", "viewer", None),
    ("GET", "/api/openapi.json", "viewer", None),
    ("GET", "/api/me", "viewer", None),
    ("GET", "/api/search?q=测试", "viewer", None),
    ("GET", "/api/exhibits", "viewer", None),
    ("GET", "/api/exhibits/{ex}", "viewer", None),
    ("GET", "/api/status", "viewer", None),
    ("GET", "/api/custody", "viewer", None),
    ("POST", "/api/verify", "investigator", {}),
    ("GET", "/api/records", "viewer", None),
    ("GET", "/api/records/{rid}", "viewer", None),
    ("POST", "/api/records/export", "viewer", {"format": "csv"}),
    ("POST", "/api/records/export", "investigator", {"format": "csv", "identified": True, "purpose": "test"}),
    ("GET", "/api/people?q=Mamat", "viewer", None),
    ("GET", "/api/link/clusters", "viewer", None),
    ("GET", "/api/link/review", "viewer", None),
    ("POST", "/api/link/judge", "investigator", {"a": "x", "b": "y", "verdict": "unsure"}),
    ("POST", "/api/coding/code", "investigator", {"record_id": "{rid}", "categories": ["none"]}),
    ("GET", "/api/users", "admin", None),
]
LOWER = {"viewer": None, "investigator": "viewer", "admin": "investigator"}


@pytest.fixture(autouse=True)
def _ids(telegram: tuple[str, int, str], web_archive: tuple[Any, Any]) -> None:
    """Fill the placeholders of ROUTES from the archive: an exhibit and page, two records, a person."""
    from exhibit.archive import Archive
    from exhibit.link import clusters
    from exhibit.records import iter_records

    if not _IDS:
        with Archive.open(web_archive[0]) as arch:
            recs = [r["record_id"] for _, r in zip(range(2), iter_records(arch), strict=False)]
            _IDS.update({"{ex}": telegram[0], "{page}": str(telegram[1]), "{rid}": recs[0], "{rid2}": recs[1],
                         "{cid}": clusters(arch)[0].cluster_id})


_IDS: dict[str, str] = {}


def _fill(text: str) -> str:
    for k, v in _IDS.items():
        text = text.replace(k, v)
    return text


def _send(client: TestClient, method: str, path: str, data: dict[str, Any] | None,
          csrf: str | None) -> Any:
    path = _fill(path)
    data = {k: _fill(v) if isinstance(v, str) else v for k, v in (data or {}).items()}
    headers = {"X-CSRF-Token": csrf} if csrf and path.startswith("/api") else {}
    if method == "GET":
        return client.get(path, follow_redirects=False)
    if path.startswith("/api"):
        return client.post(path, json=data or {}, headers=headers, follow_redirects=False)
    form = dict(data or {})
    if csrf:
        form["csrf_token"] = csrf
    return client.post(path, data=form, follow_redirects=False)


@pytest.mark.parametrize(("method", "path", "role", "data"), ROUTES)
def test_route_without_a_session_is_refused(clients, method, path, role, data) -> None:  # type: ignore[no-untyped-def]
    anon, _ = clients["anon"]
    r = _send(anon, method, path, data, None)
    if path.startswith("/api"):
        assert r.status_code == 401
    else:
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


@pytest.mark.parametrize(("method", "path", "role", "data"),
                         [r for r in ROUTES if LOWER[r[2]] is not None])
def test_route_with_too_low_a_role_is_forbidden(clients, method, path, role, data) -> None:  # type: ignore[no-untyped-def]
    client, csrf = clients[LOWER[role]]
    assert _send(client, method, path, data, csrf).status_code == 403


@pytest.mark.parametrize(("method", "path", "role", "data"), [r for r in ROUTES if r[0] == "POST"])
def test_post_without_csrf_token_is_forbidden(clients, method, path, role, data) -> None:  # type: ignore[no-untyped-def]
    client, _ = clients["admin"]
    assert _send(client, method, path, data, None).status_code == 403
    client_wrong, _ = clients["admin"]
    assert _send(client_wrong, method, path, data, "not-the-token").status_code == 403


@pytest.mark.parametrize(("method", "path", "role", "data"),
                         [r for r in ROUTES if r[0] == "GET"])
def test_route_with_the_role_answers(clients, method, path, role, data) -> None:  # type: ignore[no-untyped-def]
    client, csrf = clients[role]
    r = _send(client, method, path, data, csrf)
    assert r.status_code in (200, 303), r.text[:500]


TRAVERSALS = [
    "/static/%2e%2e/%2e%2e/catalog.sqlite",
    "/static/..%2f..%2f..%2fcatalog.sqlite",
    "/static/%2e%2e%2fapp.py",
    "/static/..%5c..%5capp.py",
    "/exhibits/..%2f..%2fcatalog.sqlite",
    "/exhibits/..%2f..%2fcatalog.sqlite/download",
    "/exhibits/%2e%2e%2f%2e%2e%2fexhibit.json/download",
    "/exhibits/....%2f%2fcatalog.sqlite/download",
    "/exhibits/..%2Fblobs/download",
    "/exhibits/{ex}/pages/..%2f..%2fcatalog.sqlite.png",
    "/charts/..%2f..%2fcatalog.sqlite",
    "/charts/%2e%2e%2f%2e%2e%2fcatalog.sqlite",
    "/api/exhibits/..%2f..%2fcatalog.sqlite",
    "/api/exhibits/%2Fetc%2Fpasswd",
    "/exhibits/%2Fetc%2Fpasswd/download",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_finds_nothing(clients, path) -> None:  # type: ignore[no-untyped-def]
    client, _ = clients["admin"]
    r = client.get(_fill(path), follow_redirects=False)
    assert r.status_code == 404
    assert b"SQLite format" not in r.content and b"root:" not in r.content
