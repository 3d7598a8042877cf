"""Fixtures of the web tests: a copy of the dev archive with a hostile file and three accounts, and clients."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_helpers import ROLES, add_hostile_file, add_users, derive, login  # noqa: F401


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def web_archive(request: pytest.FixtureRequest, dev_archive: Path,
                tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """(archive root, {role: password}): a copy of the dev archive, shared by the HTTP tests, with its catalog
    on each engine (PostgreSQL: the prepared archive moved there by `catalog copy`)."""
    from pg_support import to_engine

    work = tmp_path_factory.mktemp("web")
    root = work / "archive"
    shutil.copytree(dev_archive, root)
    add_hostile_file(root, work)
    derive(root)
    users = add_users(root)
    server = request.getfixturevalue("postgres_server") if request.param == "postgresql" else None
    return to_engine(root, request.param, server), users


@pytest.fixture(scope="session")
def web_app(web_archive: tuple[Path, dict[str, str]]):  # type: ignore[no-untyped-def]
    from exhibit.web.app import create_app
    from exhibit.web.settings import WebSettings

    return create_app(web_archive[0], WebSettings(login_attempts=1000))


@pytest.fixture(scope="session")
def clients(web_app, web_archive) -> Iterator[dict[str, tuple[TestClient, str]]]:  # type: ignore[no-untyped-def]
    """{role: (signed-in client, csrf token)} plus "anon": (client without a session, "")."""
    out: dict[str, tuple[TestClient, str]] = {}
    for role in ROLES:
        c = TestClient(web_app, base_url="http://testserver")
        out[role] = (c, login(c, role, web_archive[1][role]))
    out["anon"] = (TestClient(web_app, base_url="http://testserver"), "")
    yield out
    for c, _ in out.values():
        c.close()


@pytest.fixture(scope="session")
def telegram(web_archive: tuple[Path, dict[str, str]], truth: dict) -> tuple[str, int, str]:  # type: ignore[type-arg]
    """(exhibit ID, page number, phrase): a Chinese phrase that truth.json places on a later page of a text-layer
    PDF (the telegram, in the sample), and where the archive has it."""
    from exhibit.archive import Archive

    phrase = next(p for p in truth["phrases"] if p["file"].endswith(".pdf") and p.get("page", 1) > 1
                  and not p.get("ocr") and all("\u4e00" <= c <= "\u9fff" for c in p["query"]))
    with Archive.open(web_archive[0]) as arch:
        ex = next(e for e in arch.exhibits() if phrase["file"] in e.path_names)
        page = next(p.number for p in arch.pages(ex.seq) if phrase["query"] in p.text)
    assert page == phrase["page"]
    return ex.id, page, phrase["query"]
