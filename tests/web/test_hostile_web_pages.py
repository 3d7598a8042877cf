"""Hostile pages: tall, wide and huge PDF pages are drawn within the pixel budget, long highlight terms are
refused or highlighted in linear time, and meanwhile an unrelated request answers; the request deadline and
the render slots hold."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hostile.gen_web import long_page_text, long_terms, pdf_page, tall_and_wide_pages
from PIL import Image
from web_helpers import add_users, login

from exhibit.web.bounds import MAX_HL_CHARS, MAX_RENDER_PIXELS


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str], Path]]:
    """(app, {file name: exhibit ID}, archive root) over an archive of the hostile pages."""
    from exhibit.archive import Archive
    from exhibit.config import Config
    from exhibit.ingest import ingest
    from exhibit.web.app import create_app
    from exhibit.web.settings import WebSettings

    work = tmp_path_factory.mktemp("hostile-web")
    src, root = work / "src", work / "archive"
    src.mkdir()
    for name, w, h in tall_and_wide_pages():
        pdf_page(src / f"{name}.pdf", w, h)
    (src / "long.txt").write_text(long_page_text(), encoding="utf-8")
    with Archive.init(root) as arch:
        ingest(arch, [src], Config(jobs=1, ocr=False, custodian="pytest"))
        ids = {p.rsplit("/", 1)[-1]: e.id for e in arch.exhibits() for p in e.path_names}
    pw = add_users(root)
    app = create_app(root, WebSettings(login_attempts=1000))
    app.state.passwords = pw
    yield app, ids, root


@pytest.fixture(scope="module")
def viewer(hostile: tuple[Any, dict[str, str], Path]) -> TestClient:
    app = hostile[0]
    c = TestClient(app)
    login(c, "viewer", app.state.passwords["viewer"])
    return c


@pytest.fixture(scope="module")
def other(hostile: tuple[Any, dict[str, str], Path]) -> TestClient:
    app = hostile[0]
    c = TestClient(app)
    login(c, "investigator", app.state.passwords["investigator"])
    return c


def _meanwhile(hostile_calls: list[Any], other: TestClient) -> list[Any]:
    """Run the hostile requests in threads and, while they run, an unrelated one: it answers normally (within
    the client's patience, not a wall-clock assertion); then the hostile ones' responses."""
    with ThreadPoolExecutor(len(hostile_calls) + 1) as pool:
        futures = [pool.submit(call) for call in hostile_calls]
        meanwhile = pool.submit(other.get, "/api/me")
        assert meanwhile.result(timeout=60).json()["name"] == "investigator"
        return [f.result(timeout=120) for f in futures]


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("name", "width", "height"), tall_and_wide_pages(), ids=lambda v: str(v))
def test_a_page_of_any_size_is_drawn_within_the_pixel_budget(hostile, viewer, other, name, width, height) -> None:  # type: ignore[no-untyped-def]
    ids = hostile[1]
    url = f"/exhibits/{ids[name + '.pdf']}/pages/1.png"
    r, = _meanwhile([lambda: viewer.get(url, params={"hl": "tallmarker"})], other)
    # drawn smaller; only a page beyond what MuPDF opens may have no image
    assert r.status_code == 200 or (name == "huge" and r.status_code == 404), r.text[:300]
    if r.status_code == 200:
        img = Image.open(io.BytesIO(r.content))
        assert img.width * img.height <= MAX_RENDER_PIXELS
        assert img.width <= 1200 * 1.01


@pytest.mark.timeout(300)
def test_many_tall_pages_at_once_are_drawn_or_refused_as_busy(hostile, viewer, other) -> None:  # type: ignore[no-untyped-def]
    url = f"/exhibits/{hostile[1]['tall.pdf']}/pages/1.png"
    calls = [lambda k=k: viewer.get(url, params={"hl": f"tallmarker{k}"}) for k in range(12)]
    answers = _meanwhile(calls, other)
    assert {r.status_code for r in answers} <= {200, 503}
    assert any(r.status_code == 200 for r in answers)
    assert all("try again" in r.text for r in answers if r.status_code == 503)


def _long_page(hostile: tuple[Any, dict[str, str], Path]) -> str:
    return hostile[1]["long.txt"]


def test_a_highlight_term_longer_than_the_bound_is_refused_with_a_message(hostile, viewer) -> None:  # type: ignore[no-untyped-def]
    r = viewer.get(f"/exhibits/{_long_page(hostile)}", params={"hl": "a" * 1000})
    assert r.status_code == 400 and "hl" in r.text and str(MAX_HL_CHARS) in r.text
    r = viewer.get(f"/exhibits/{hostile[1]['tall.pdf']}/pages/1.png", params={"hl": "a" * 1000})
    assert r.status_code == 400


@pytest.mark.timeout(300)
def test_long_highlight_terms_on_a_long_page_do_not_hold_up_other_requests(hostile, viewer, other) -> None:  # type: ignore[no-untyped-def]
    terms = long_terms(MAX_HL_CHARS)
    url = f"/exhibits/{_long_page(hostile)}"
    r, = _meanwhile([lambda: viewer.get(url, params={"hl": terms})], other)
    assert r.status_code == 200 and "tailmarker" in r.text
    r = viewer.get(url, params={"hl": "tailmarker"})
    assert "<mark>tailmarker</mark>" in r.text


def test_the_highlighter_marks_across_line_breaks_and_case_and_escapes_the_rest() -> None:
    from exhibit.web.display import mark_terms

    out = str(mark_terms('<b>证据\n材料</b> Witness state\nment "x"', ["证据材料", "witness statement", "<b>"]))
    assert out == ('<mark>&lt;b&gt;</mark><mark>证据\n材料</mark>&lt;/b&gt; <mark>Witness state\nment</mark> '
                   '&quot;x&quot;')


def test_render_slots_refuse_beyond_running_and_waiting() -> None:
    from exhibit.web.render import RenderSlots

    slots = RenderSlots(running=1, waiting=0, patience=0.1)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with slots.slot() as ok:
            assert ok
            holding.set()
            release.wait(30)

    t = threading.Thread(target=hold)
    t.start()
    assert holding.wait(30)
    with slots.slot() as ok:
        assert not ok
    release.set()
    t.join(30)
    with slots.slot() as ok:
        assert ok


def test_a_request_past_its_deadline_is_answered_503_saying_so(hostile) -> None:  # type: ignore[no-untyped-def]
    from exhibit.web.app import create_app
    from exhibit.web.settings import WebSettings

    # no request that touches the catalog (every signed-in one does, in a thread) answers within a microsecond
    app = create_app(hostile[2], WebSettings(request_deadline_s=1e-6))
    r = TestClient(app).get("/api/me")
    assert r.status_code == 503 and "no answer within" in r.json()["detail"]
    assert r.headers["content-security-policy"]
