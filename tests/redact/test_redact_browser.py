"""The redaction mode in a real browser (headless Debian chromium through Playwright): an investigator opens
a register page, sees the proposals over it, draws a box, previews, and downloads the verified copy."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, serve
from fixtures import ID_1, ID_2, NAME_HAN, NAME_LATIN, REASON
from readout import holds, pymupdf_text, seq_of

from exhibit.archive import Archive

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="bash scripts/setup-system.sh installs chromium")]


@pytest.fixture()
def server(arch: Archive) -> Iterator[str]:
    """The web app on loopback over the test's archive, with an investigator account (the browser and
    screenshot fixtures are the shared ones of tests/conftest.py)."""
    from exhibit.web import accounts
    from exhibit.web.app import create_app

    accounts.ensure_schema(arch)
    accounts.add_user(arch, "investigator", "investigator", "investigator-password-1", actor="pytest")
    with serve(create_app(arch.root)) as base:
        yield base


def _wait_until(page: Any, expression: str, timeout: float = 30.0) -> None:
    """Poll an expression with evaluate (wait_for_function evaluates a string, which the CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"never true: {expression}"
        time.sleep(0.1)


def test_an_investigator_redacts_a_register_page_and_downloads_it(arch: Archive, server: str, browser: Any,
                                                                   shots: Any, tmp_path: Path) -> None:
    ex = arch.exhibit(seq_of(arch, "register.pdf"))
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # CSP violations land here
    page.goto(server + "/login")
    page.fill("input[name=name]", "investigator")
    page.fill("input[name=password]", "investigator-password-1")
    page.click("button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{server}/exhibits/{ex.id}")
    page.click("text=Redact for publication")
    page.wait_for_selector("#redact-image")
    _wait_until(page, "document.getElementById('redact-image').naturalWidth > 0")
    overlays = page.locator(".region.proposal")
    assert overlays.count() == 4
    box = overlays.first.bounding_box()
    assert box and box["width"] > 5 and box["height"] > 3  # laid over the page by the script
    shots(page, "redact-01-proposals")

    # click a proposal off and on again: the checkbox follows
    key = overlays.first.get_attribute("data-key")
    overlays.first.click()
    assert not page.locator(f'input[type=checkbox][value="{key}"]').is_checked()
    overlays.first.click()
    assert page.locator(f'input[type=checkbox][value="{key}"]').is_checked()

    # draw a box over the register's title by dragging on the page
    img = page.locator("#redact-image").bounding_box()
    width = float(page.get_attribute("#redact-page", "data-width") or 0)
    scale = img["width"] / width
    page.mouse.move(img["x"] + 70 * scale, img["y"] + 45 * scale)
    page.mouse.down()
    page.mouse.move(img["x"] + 200 * scale, img["y"] + 58 * scale, steps=5)
    page.mouse.move(img["x"] + 300 * scale, img["y"] + 68 * scale, steps=5)
    page.mouse.up()
    assert page.locator("#drawn-boxes li").count() == 1
    page.click("#preview-button")
    _wait_until(page, "document.getElementById('preview-image').naturalWidth > 0")
    shots(page, "redact-02-drawn-and-preview")

    page.fill("input[name=purpose]", "annex of the report")
    with page.expect_download() as dl:
        page.click("#export-button")
    out = tmp_path / "downloaded.pdf"
    dl.value.save_as(out)
    text = pymupdf_text(out)
    for secret in (NAME_LATIN, NAME_HAN, ID_1, ID_2):
        assert not holds(text, secret), secret
    assert text.count(REASON) == 2 and "人员名单" not in text
    shots(page, "redact-03-exported")
    assert not [e for e in errors if "Content Security Policy" in e], errors
