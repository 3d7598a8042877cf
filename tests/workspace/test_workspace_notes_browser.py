"""Editing and deleting your own note on the exhibit page, in a real browser (headless Debian chromium): the
edit is a new revision, the page says "edited" and shows the earlier text; a colleague gets no edit or delete
button on it; a deleted note leaves the page and keeps its revisions in the catalog."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, login, serve
from workspace_support import Cache, add_users, seq_of, word

from exhibit import workspace
from exhibit.archive import Archive, ex_id

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="bash scripts/setup-system.sh installs chromium")]


def test_you_edit_and_delete_your_own_note_and_its_history_stays(ws_archive: Path, ws_cache: Cache, browser: Any,
                                                                 shots: Any) -> None:
    from exhibit.web.app import create_app

    rng = random.Random(61)
    first, second = word(rng, 4), word(rng, 4)
    pw = add_users(ws_archive, {"ana": "investigator", "ben": "investigator"})
    with Archive.open(ws_archive) as arch:
        pdf = ex_id(seq_of(arch, ws_cache.pdf))
    with serve(create_app(ws_archive)) as base:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        login(page, base, "ana", pw["ana"])
        page.goto(f"{base}/exhibits/{pdf}")
        page.fill("form.note-form textarea", f"first draft {first}")
        page.click("form.note-form button")
        note = page.locator("article.note", has_text=first)
        note.wait_for()
        assert note.locator(".badge.edited").count() == 0
        note.locator("details.note-edit summary").click()
        note.locator("form.note-edit-form textarea").fill(f"second thought **{second}**")
        note.locator("form.note-edit-form button").click()
        page.wait_for_selector(f"article.note .note-body strong >> text={second}")
        note = page.locator("article.note", has_text=second)
        assert note.locator(".badge.edited").inner_text().strip() == "edited"
        note.locator("details.note-history summary").click()
        history = note.locator("details.note-history li.note-revision")
        assert history.count() == 2
        assert f"first draft {first}" in history.nth(1).inner_text()  # newest first, the earlier text kept
        shots(page, "ws-notes-01-edited")
        page.click("form.logout button")
        page.wait_for_url("**/login")

        login(page, base, "ben", pw["ben"])  # a colleague reads it, history included, and cannot change it
        page.goto(f"{base}/exhibits/{pdf}")
        note = page.locator("article.note", has_text=second)
        assert note.locator(".badge.edited").count() == 1
        assert note.locator("details.note-edit").count() == 0 and note.locator("form.note-delete-form").count() == 0
        page.click("form.logout button")
        page.wait_for_url("**/login")

        login(page, base, "ana", pw["ana"])
        page.goto(f"{base}/exhibits/{pdf}")
        page.locator("article.note", has_text=second).locator("form.note-delete-form button").click()
        page.wait_for_load_state()
        assert page.locator("article.note", has_text=second).count() == 0
        shots(page, "ws-notes-02-deleted")
        ctx.close()
    with Archive.open(ws_archive) as arch:
        assert not workspace.notes(arch, "ana")
        noted = [e for e in arch.custody_events() if e.event.startswith("note")]
        assert [e.event for e in noted] == ["noted", "note_edited", "note_deleted"]
        kept = workspace.note(arch, int(noted[0].details["note"]), "ana")
        assert kept.deleted and [r.text for r in kept.revisions] == [f"first draft {first}", f"second thought **{second}**"]
