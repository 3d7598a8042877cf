"""Hostile numbers and queries: every numeric parameter of every route (read from the app) refuses numbers
out of its range with 400/404 and a message, never 500; queries nested past any use are a QueryError
naming the position, on the web (400) and in the CLI (exit 2)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hostile.gen_web import (
    NOT_INTEGERS,
    OUT_OF_RANGE,
    QUERY_PIECES,
    Param,
    hostile_numbers,
    hostile_refs,
    nested_queries,
    numeric_parameters,
    parameters,
    path_parameters,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from exhibit.errors import QueryError
from exhibit.search import parse


def _app_parameters() -> list[Param]:
    """The parameters of the app's routes, read from an app over an empty archive (the routes do not depend
    on what the archive holds)."""
    from exhibit.archive import Archive
    from exhibit.web.app import create_app

    with tempfile.TemporaryDirectory() as d:
        Archive.init(Path(d) / "a").close()
        return parameters(create_app(Path(d) / "a"))


PARAMS = _app_parameters()
NUMERIC = [p for p in PARAMS if p.numeric]
PATHS = [p for p in PARAMS if p.where == "path"]
QUERIED = [p for p in PARAMS if p.name == "q" and p.where == "query"]
# Values that may be in range for some parameter (an offset of 0; pydantic reads " 1 " and Arabic-Indic
# digits as numbers; an empty query value is the default): anything but a 5xx.
MAYBE_VALID = {"0", "", " 1 ", "١٢"}
NEVER_VALID = [*OUT_OF_RANGE, *(v for v in NOT_INTEGERS if v not in MAYBE_VALID)]


def test_the_enumeration_sees_every_route(web_app) -> None:  # type: ignore[no-untyped-def]
    """The lists above come from the app itself: the numeric parameters of the viewer and the API are all in."""
    assert {(p.path, p.name) for p in numeric_parameters(web_app)} >= {
        ("/exhibits/{ref}/pages/{number}.png", "number"), ("/api/search", "offset"), ("/exhibits/{ref}", "row"),
        ("/api/records", "page"), ("/review/judge", "n")}
    assert {p.name for p in path_parameters(web_app)} >= {"ref", "number", "record_id", "cluster_id", "name"}


@pytest.fixture(scope="module")
def valid(telegram: tuple[str, int, str], web_archive: tuple[Path, Any]) -> dict[str, str]:
    """A value that names something real for each path parameter, and the required query and form fields."""
    from exhibit.archive import Archive
    from exhibit.link import clusters
    from exhibit.records import iter_records

    with Archive.open(web_archive[0]) as arch:
        rid = next(iter(iter_records(arch)))["record_id"]
        cid = clusters(arch)[0].cluster_id
    return {"ref": telegram[0], "number": str(telegram[1]), "record_id": rid, "cluster_id": cid,
            "name": "categories_by_register.png", "q": telegram[2], "a": "x", "b": "y", "verdict": "unsure"}


def send(client: TestClient, csrf: str, p: Param, value: str, valid: dict[str, str]) -> Any:
    """The request of route `p` with `value` for parameter `p` and a real value for every other one."""
    path = p.path
    for name in [q.name for q in PATHS if q.path == p.path and q.method == p.method]:
        path = path.replace("{" + name + "}", quote(value if name == p.name and p.where == "path" else valid[name],
                                                    safe=""))
    params = {q.name: valid[q.name] for q in PARAMS
              if q.path == p.path and q.method == p.method and q.where == "query" and q.name in ("q",)
              and q.path.startswith("/api")}
    if p.where == "query":
        params[p.name] = value
    if p.method == "GET":
        return client.get(path, params=params, follow_redirects=False)
    form = {q.name: valid.get(q.name, "") for q in PARAMS
            if q.path == p.path and q.method == p.method and q.where == "body"}
    if p.where == "body":
        form[p.name] = value
    if path.startswith("/api"):
        return client.post(path, json=form, params=params, headers={"X-CSRF-Token": csrf}, follow_redirects=False)
    return client.post(path, data={**form, "csrf_token": csrf}, params=params, follow_redirects=False)


@pytest.mark.parametrize("p", NUMERIC, ids=lambda p: f"{p.method} {p.path} {p.where}:{p.name}")
def test_every_numeric_parameter_refuses_numbers_out_of_its_range(clients, valid, p: Param) -> None:  # type: ignore[no-untyped-def]
    client, csrf = clients["admin"]
    for value in hostile_numbers():
        r = send(client, csrf, p, value, valid)
        assert r.status_code < 500, (value[:50], r.text[:300])
        if value in NEVER_VALID:
            assert r.status_code in (400, 404), (value[:50], r.status_code)
            assert p.name in r.text and "try again" in r.text, r.text[:300]  # what is wrong, what to do


@pytest.mark.parametrize("p", PATHS, ids=lambda p: f"{p.method} {p.path} {p.name}")
def test_every_path_parameter_refuses_numbers_and_ids_built_of_them(clients, valid, p: Param) -> None:  # type: ignore[no-untyped-def]
    client, csrf = clients["admin"]
    for value in hostile_refs():
        if value.strip() == "":
            continue  # an empty path segment is another route (or a redirect to it)
        r = send(client, csrf, p, value, valid)
        if p.numeric and value in MAYBE_VALID:  # a page number: " 1 " is page 1
            assert r.status_code < 500, (value[:50], r.text[:300])
        else:
            assert r.status_code in (400, 404), (value[:50], r.status_code, r.text[:300])


@pytest.mark.parametrize("query", nested_queries(500), ids=lambda q: q[:12])
def test_deeply_nested_query_is_a_query_error_naming_its_position(query: str) -> None:
    with pytest.raises(QueryError) as e:
        parse(query)
    assert e.value.position is not None and 0 <= e.value.position < len(query)


@pytest.mark.parametrize("p", QUERIED, ids=lambda p: f"{p.method} {p.path}")
def test_every_query_parameter_takes_nested_queries_without_a_500(clients, valid, p: Param) -> None:  # type: ignore[no-untyped-def]
    client, csrf = clients["viewer"]
    for query in nested_queries(500):
        r = send(client, csrf, p, query, valid)
        assert r.status_code in (200, 400), (query[:20], r.status_code, r.text[:300])
        if p.path == "/api/search" and "(" * 500 in query:
            assert r.status_code == 400 and "nests too deeply" in r.json()["detail"]["message"]


@pytest.mark.timeout(120)
def test_a_nested_query_does_not_hold_up_another_request(clients) -> None:  # type: ignore[no-untyped-def]
    client, _ = clients["viewer"]
    other, _ = clients["investigator"]
    with ThreadPoolExecutor(4) as pool:
        hostile = [pool.submit(client.get, "/api/search", params={"q": q}) for q in nested_queries(500)]
        meanwhile = pool.submit(other.get, "/api/me")
        assert meanwhile.result(timeout=60).json()["name"] == "investigator"
        assert all(f.result(timeout=60).status_code == 400 for f in hostile)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(QUERY_PIECES), max_size=40).map("".join) | st.text(max_size=60))
def test_any_query_string_parses_or_is_a_query_error(query: str) -> None:
    try:
        parse(query)
    except QueryError as e:
        assert str(e) and (e.position is None or 0 <= e.position <= len(query))


@settings(derandomize=True, max_examples=25, deadline=None)
@given(query=st.lists(st.sampled_from(QUERY_PIECES), min_size=1, max_size=30).map("".join))
def test_any_query_string_is_answered_200_or_400_by_the_api(clients, query: str) -> None:  # type: ignore[no-untyped-def]
    client, _ = clients["viewer"]
    r = client.get("/api/search", params={"q": query})
    assert r.status_code in (200, 400), r.text[:300]
    if r.status_code == 400 and isinstance(r.json()["detail"], dict):
        assert r.json()["detail"]["message"]


def test_the_cli_says_a_nested_query_nests_too_deeply_and_exits_2(web_archive: tuple[Path, Any]) -> None:
    exhibit = str(Path(sys.executable).parent / "exhibit")
    r = subprocess.run([exhibit, "search", "(" * 500 + "x" + ")" * 500, "--archive", str(web_archive[0])],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr[-2000:]
    assert "nests too deeply" in r.stdout + r.stderr and "Traceback" not in r.stderr
