"""The web pages of versions and dates: the side-by-side diff and the filtered timeline show the same data
as their JSON, and every timeline point links to a page that exists."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from forensic_fixtures import docx_file, photo, sentences, text_pdf

from exhibit.archive import Archive
from exhibit.config import Config
from exhibit.documents import versions
from exhibit.ingest import ingest

DRAFT = sentences(31, 8)
LATER = [*DRAFT[:3], *sentences(32, 1), *DRAFT[4:]]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    from exhibit.web import accounts
    from exhibit.web.app import create_app
    from exhibit.web.settings import WebSettings

    tmp = tmp_path_factory.mktemp("web")
    src = tmp / "src"
    src.mkdir()
    docx_file(src / "draft.docx", DRAFT)
    text_pdf(src / "later.pdf", LATER, {"creationDate": "D:20170601090000+08'00'"})
    photo(src / "IMG_20180314_102231.jpg", 1, original="2018:03:14 10:22:31")
    root = tmp / "archive"
    with Archive.init(root) as arch:
        ingest(arch, [src], Config(jobs=1, ocr=False, custodian="pytest"))
        versions.sync(arch)
        ids = {Path(e.path).stem: e.id for e in arch.exhibits()}
        pw = accounts.generate_password()
        accounts.add_user(arch, "viewer", "viewer", pw, actor="pytest")
    c = TestClient(create_app(root, WebSettings(login_attempts=1000)), base_url="http://testserver")
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
    assert token
    r = c.post("/login", data={"name": "viewer", "password": pw, "csrf_token": token.group(1), "next": "/"},
               follow_redirects=False)
    assert r.status_code == 303
    yield c, ids
    c.close()


def test_the_diff_page_shows_the_changed_sentence_on_both_sides(client: tuple[TestClient, dict[str, str]]) -> None:
    c, ids = client
    j = c.get("/api/versions/diff", params={"a": ids["draft"], "b": ids["later"]}).json()
    assert j["changes"] == 1 and j["similarity"] >= versions.DEFAULT_THRESHOLD
    r = c.get("/versions/diff", params={"a": ids["draft"], "b": ids["later"]})
    assert r.status_code == 200
    assert f"<del>{DRAFT[3]}</del>" in r.text and f"<ins>{LATER[3]}</ins>" in r.text
    assert c.get("/versions/diff", params={"a": ids["draft"], "b": "EX-999999"}).status_code == 404


def test_similar_json_lists_the_other_version(client: tuple[TestClient, dict[str, str]]) -> None:
    c, ids = client
    got = c.get(f"/api/exhibits/{ids['draft']}/similar").json()
    assert [s["id"] for s in got["similar"]] == [ids["later"]]


def test_the_timeline_filters_and_every_point_links_to_its_evidence(client: tuple[TestClient, dict[str, str]]) -> None:
    c, ids = client
    every = c.get("/api/timeline").json()
    assert every["kinds"]["photo_taken"] == 1 and every["kinds"]["received"] == 3
    photos = c.get("/api/timeline", params={"kind": "photo_taken"}).json()["points"]
    assert [p["id"] for p in photos] == [ids["IMG_20180314_102231"]]
    dated = c.get("/api/timeline", params={"from": "2017-01-01", "to": "2017-12-31"}).json()["points"]
    assert dated and all(p["date"].startswith("2017") for p in dated)
    r = c.get("/timeline", params={"kind": "file_created"})
    assert r.status_code == 200 and r.text.count("<time ") == len(
        c.get("/api/timeline", params={"kind": "file_created"}).json()["points"])
    for p in every["points"]:
        assert c.get(p["link"].split("#")[0]).status_code == 200, p
    assert c.get("/api/timeline", params={"kind": "nonsense"}).status_code == 400
