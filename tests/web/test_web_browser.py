"""The web app in a real browser (headless Debian chromium through Playwright), page by page, with screenshots."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, login, serve
from web_helpers import add_users, derive

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="bash scripts/setup-system.sh installs chromium")]


@pytest.fixture()
def server(copy_archive: Path) -> Iterator[tuple[str, dict[str, str], Path]]:
    """(base URL, {role: password}, archive): uvicorn on loopback in a thread, over a copy of the dev archive."""
    from exhibit.web.app import create_app

    derive(copy_archive)
    passwords = add_users(copy_archive)
    with serve(create_app(copy_archive)) as base:
        yield base, passwords, copy_archive


def _login(page: Any, base: str, name: str, password: str) -> None:
    login(page, base, name, password)


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

    # search the phrase and open the hit
    page.fill("input[name=q]", telegram[2])
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("li.hit a.hit-title")
    assert page.locator("li.hit mark").first.inner_text().strip() == telegram[2]
    shots(page, "02-search")
    page.click(f"li.hit a.hit-title[href^='/exhibits/{telegram[0]}?page={telegram[1]}&']")
    page.wait_for_selector("#pageimage")
    assert page.evaluate("document.getElementById('pageimage').naturalWidth") > 0
    src = page.get_attribute("#pageimage", "src")
    png = page.request.get(base + src).body()
    assert _highlighted_pixels(png) > 200, "no highlight drawn on the page image"
    assert telegram[2] in page.locator(".doctext").inner_text()
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
