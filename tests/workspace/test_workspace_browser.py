"""The workspace in a real browser (headless Debian chromium through Playwright): two investigators tag,
note, highlight a passage and a rectangle, cite, save a search, see its alert after an ingest, and download
a tag's files; screenshots saved under test-artifacts/screenshots/."""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, login, serve
from typer.testing import CliRunner
from workspace_support import Cache, add_users, sentence, seq_of, word

from exhibit.archive import Archive, ex_id
from exhibit.cli.main import app as cli

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="bash scripts/setup-system.sh installs chromium")]


def _cli(root: Path, *args: str) -> Any:
    res = CliRunner().invoke(cli, [*args, "--archive", str(root)])
    assert res.exit_code == 0, (args, res.output)
    return res.stdout


def _select(page: Any, text: str) -> None:
    """Select `text` inside the page text, as a reader's mouse would."""
    page.evaluate("""(text) => {
        const root = document.querySelector('.pagecol .doctext');
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const i = n.data.indexOf(text);
            if (i >= 0) {
                const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + text.length);
                const s = window.getSelection(); s.removeAllRanges(); s.addRange(r); return;
            }
        }
        throw new Error('not on the page: ' + text);
    }""", text)


def test_two_investigators_share_a_workspace(ws_archive: Path, ws_cache: Cache, browser: Any, shots: Any,
                                             tmp_path: Path) -> None:
    from exhibit.web.app import create_app

    rng = random.Random(31)
    pw = add_users(ws_archive, {"ana": "investigator", "ben": "investigator"})
    with Archive.open(ws_archive) as arch:
        pdf, scan = ex_id(seq_of(arch, ws_cache.pdf)), ex_id(seq_of(arch, ws_cache.scan))
    note_text = f"Compare with the **{word(rng)}** notice"
    passage = " ".join(ws_cache.pdf_lines[0][2].split()[1:3])
    watched = word(rng, 5)
    errors: list[str] = []
    with serve(create_app(ws_archive)) as base:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        page = ctx.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        login(page, base, "ana", pw["ana"])

        # tag a search result
        page.goto(f"{base}/search?q={ws_cache.marker}")
        page.check("li.hit input[name=targets]")
        page.fill("form.bulk-tag input[name=add]", "to-translate")
        page.click("form.bulk-tag button")
        page.wait_for_load_state()
        shots(page, "ws-01-search-tagged")

        # tag the exhibit, note it, highlight a passage
        page.goto(f"{base}/exhibits/{pdf}")
        page.fill("form.tag-form input[name=add]", "key-evidence")
        page.click("form.tag-form button")
        page.wait_for_selector("li.tag >> text=key-evidence")
        page.fill("form.note-form textarea", note_text)
        page.click("form.note-form button")
        page.wait_for_selector(".note-body strong")
        _select(page, passage)
        assert page.input_value("form.highlight-form textarea[name=quote]") == passage
        page.fill("form.highlight-form input[name=comment]", "the order")
        page.click("form.highlight-form button")
        page.wait_for_selector("li.highlight.text code.citation")
        shots(page, "ws-02-exhibit-marked")

        # a rectangle on the scan
        page.goto(f"{base}/exhibits/{scan}")
        page.fill("form.tag-form input[name=add]", "key-evidence")
        page.click("form.tag-form button")
        page.wait_for_selector("#pageimage")
        box = page.locator("#pageimage").bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.1)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.4, steps=5)
        page.mouse.up()
        rect = [float(x) for x in page.input_value("form.highlight-form input[name=rect]").split(",")]
        assert rect[0] == pytest.approx(0.1, abs=0.02) and rect[3] == pytest.approx(0.4, abs=0.02)
        page.click("form.highlight-form button")
        page.wait_for_selector("li.highlight.rect")
        assert page.locator(".hl-rect").count() == 1
        shots(page, "ws-03-scan-rectangle")
        page.click("form.logout button")
        page.wait_for_url("**/login")

        # ben sees it all, copies the citation, saves a search
        login(page, base, "ben", pw["ben"])
        page.goto(f"{base}/exhibits/{pdf}")
        assert "key-evidence" in page.locator("ul.tags").inner_text()
        assert page.locator(".note-body strong").count() == 1
        page.click("li.highlight.text button.copy-citation")
        citation = page.evaluate("navigator.clipboard.readText()")
        assert passage in citation and f"[@{pdf}, p. 1]" in citation
        shots(page, "ws-04-seen-by-ben")
        (tmp_path / "cite.md").write_text(f"As ordered, {citation}.\n", encoding="utf-8")
        _cli(ws_archive, "report", "check", str(tmp_path / "cite.md"))
        page.goto(f"{base}/search?q={watched}")
        page.fill("form.save-search input[name=name]", "watch")
        page.click("form.save-search button")
        page.wait_for_load_state()
        assert page.locator(".alerts-badge").count() == 0

        # a new file matching it arrives
        batch = tmp_path / "batch2"
        batch.mkdir()
        (batch / "new.txt").write_text(f"{sentence(rng)} {watched}\n", encoding="utf-8")
        _cli(ws_archive, "ingest", str(batch), "--json")
        page.goto(f"{base}/workspace")
        assert page.locator(".alerts-badge").inner_text().strip() == "1"
        assert "new.txt" in page.locator("section.alerts").inner_text()
        shots(page, "ws-05-alert")

        # download the tag's files
        page.select_option("form.download-form select[name=tag]", "key-evidence")
        page.fill("form.download-form input[name=purpose]", "legal review")
        with page.expect_download() as dl:
            page.click("form.download-form button")
        out = tmp_path / "key.zip"
        dl.value.save_as(out)
        page.goto(f"{base}/activity")
        assert "downloaded" in page.locator("table.activity").inner_text()
        shots(page, "ws-06-activity")
        ctx.close()
    listing = {e["id"]: e for e in json.loads(_cli(ws_archive, "ls", "--json"))}
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert {f["id"] for f in manifest["files"]} == {pdf, scan}
    for f in manifest["files"]:
        assert (f["sha256"], f["paths"]) == (listing[f["id"]]["sha256"], listing[f["id"]]["paths"])
    assert not [e for e in errors if "Content Security Policy" in e], errors
