"""The web app in a real browser (headless Debian chromium through Playwright), page by page, with screenshots."""

from __future__ import annotations

import io
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import add_users, derive

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="bash scripts/setup-system.sh installs chromium")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def server(copy_archive: Path) -> Iterator[tuple[str, dict[str, str], Path]]:
    """(base URL, {role: password}, archive): uvicorn on loopback in a thread, over a copy of the dev archive."""
    import uvicorn

    from exhibit.web.app import create_app

    derive(copy_archive)
    passwords = add_users(copy_archive)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(copy_archive), host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", passwords, copy_archive
    srv.should_exit = True
    t.join(10)


@pytest.fixture()
def shots(tmp_path: Path) -> Iterator[Any]:
    """shoot(page, name): a full-page screenshot under the test's tmp dir, copied to test-artifacts/screenshots/."""
    folder = tmp_path / "screenshots"
    folder.mkdir()

    def shoot(page: Any, name: str) -> Path:
        p = folder / f"{name}.png"
        page.screenshot(path=str(p), full_page=True)
        return p

    yield shoot
    dest = REPO / "test-artifacts" / "screenshots"
    dest.mkdir(parents=True, exist_ok=True)
    for p in folder.iterdir():
        shutil.copy(p, dest / p.name)


@pytest.fixture()
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _login(page: Any, base: str, name: str, password: str) -> None:
    page.goto(base + "/")
    assert "/login" in page.url
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url


def _highlighted_pixels(png: bytes) -> int:
    import numpy as np
    from PIL import Image

    a = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    # the highlight is a translucent yellow over the page: red and green high, blue clearly lower
    return int(((a[..., 0] > 200) & (a[..., 1] > 170) & (a[..., 2] < 150)).sum())


def test_investigator_searches_reads_checks_judges_and_logs_out(server, browser, shots, telegram) -> None:  # type: ignore[no-untyped-def]
    base, pw, root = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # CSP violations land here

    page.goto(base + "/search")
    shots(page, "01-login")
    _login(page, base, "investigator", pw["investigator"])

    # search 积分管理 and open the hit
    page.fill("input[name=q]", "积分管理")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("li.hit a.hit-title")
    assert page.locator("li.hit mark").first.inner_text().strip() == "积分管理"
    shots(page, "02-search")
    page.click(f"li.hit a.hit-title[href^='/exhibits/{telegram[0]}?page={telegram[1]}&']")
    page.wait_for_selector("#pageimage")
    assert page.evaluate("document.getElementById('pageimage').naturalWidth") > 0
    src = page.get_attribute("#pageimage", "src")
    png = page.request.get(base + src).body()
    assert _highlighted_pixels(png) > 200, "no highlight drawn on the page image"
    assert "积分管理" in page.locator(".doctext").inner_text()
    shots(page, "03-viewer")

    # a register record with an anomaly, its badge explained, its row in context
    page.goto(base + "/records?code=*")
    shots(page, "04-registers")
    page.click("table.records tbody tr >> nth=0 >> a >> nth=0")
    page.wait_for_selector("dl.anomalies dd")
    assert len(page.locator("dl.anomalies dd").first.inner_text()) > 20  # the explanation, in words
    assert page.locator("tr.current").count() == 1  # the source row, highlighted in its register
    shots(page, "05-record")

    # a person
    page.goto(base + "/people?q=" + "Mamat Tursun")
    shots(page, "06-people")

    # judge a link in the review queue
    page.goto(base + "/review")
    pending = int(page.locator("p.muted").first.inner_text().split()[0])
    shots(page, "07-review")
    page.click("form.judge button[value=accept]")
    page.wait_for_selector("p.notice")
    assert "accept" in page.locator("p.notice").inner_text()
    assert f"{pending - 1} pair" in page.content()  # judged: one fewer waits
    shots(page, "08-judged")

    # a Uyghur scan: its text right to left
    from exhibit.archive import Archive

    with Archive.open(root) as arch:
        ug = next(e.id for e in arch.exhibits() if "scans/uyghur_notice.png" in e.path_names)
    page.goto(f"{base}/exhibits/{ug}")
    assert page.locator(".doctext[lang=ug]").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.querySelector('.doctext[lang=ug]')).direction") == "rtl"
    shots(page, "09-uyghur")

    for path, name in [("/status", "09-status"), ("/custody", "10-custody"), ("/charts", "11-charts"),
                       ("/exhibits", "12-exhibits")]:
        page.goto(base + path)
        shots(page, name)

    # log out: back to the login page, and the pages are closed again
    page.click("form.logout button")
    page.wait_for_url("**/login")
    page.goto(base + "/status")
    assert "/login" in page.url
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_viewer_is_refused_an_identified_export(server, browser, shots) -> None:  # type: ignore[no-untyped-def]
    base, pw, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, base, "viewer", pw["viewer"])
    page.goto(base + "/records")
    assert page.locator("input[name=identified]").count() == 0  # the form does not even offer it
    shots(page, "13-viewer-registers")
    # ask anyway, as a crafted form would
    with page.expect_navigation():
        page.evaluate("""() => {
            const f = document.querySelector('form[action="/records/export"]');
            for (const [k, v] of [['identified', '1'], ['purpose', 'curious']]) {
                const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v;
                f.appendChild(i);
            }
            f.submit();
        }""")
    assert "viewers may export pseudonymised records only" in page.content()
    shots(page, "14-viewer-refused")
