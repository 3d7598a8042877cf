"""Tags, notes and highlights through the library: custody events, history, privacy, inert rendering,
re-anchoring and orphaning when the page text changes."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from workspace_support import Cache, seq_of, word

from exhibit import workspace
from exhibit.archive import Archive, Page, ex_id
from exhibit.archive.custody import broken_links
from exhibit.errors import UserError
from exhibit.reports import check_text
from exhibit.workspace import Anchor

HOSTILE_TAGS = ['"><img src=x onerror=alert(1)>', "<script>alert(1)</script>", "key-evidence\u202e"]


@pytest.mark.parametrize("seed", range(3))
def test_tags_on_every_kind_of_target_are_custody_events_and_removable(ws_archive: Path, ws_cache: Cache,
                                                                        seed: int) -> None:
    rng = random.Random(seed)
    names = [word(rng) for _ in range(3)]
    with Archive.open(ws_archive) as arch:
        seq = seq_of(arch, ws_cache.pdf)
        page = rng.randint(1, len(ws_cache.pdf_lines))
        targets = [workspace.target(arch, ex_id(seq)), workspace.target(arch, f"{ex_id(seq)}:p{page}"),
                   workspace.target(arch, arch.exhibit(seq).sha256[:12])]
        before = len(arch.custody_events())
        changes = workspace.tag(arch, targets, add=names, actor="ana")
        # the SHA-256 prefix names the same exhibit as the ID: its tags are not added twice
        assert len(changes) == 2 * len(names)
        events = arch.custody_events()[before:]
        assert [e.event for e in events] == ["tagged"] * len(changes)
        assert all(e.actor == "ana" and e.exhibit_sha256 == arch.exhibit(seq).sha256 for e in events)
        assert {t.tag for t in workspace.tags(arch, exhibit_seq=seq)} == set(names)
        removed = workspace.tag(arch, targets[:1], remove=names[:1], actor="ben")
        assert [(c[1], c[2]) for c in removed] == [(names[0], "removed")]
        assert arch.custody_events()[-1].event == "untagged"
        left = {(t.target.key, t.tag) for t in workspace.tags(arch, exhibit_seq=seq)}
        assert (f"exhibit:{seq}", names[0]) not in left and (f"page:{seq}:{page}", names[0]) in left
        assert broken_links(arch.catalog) == []


def test_a_missing_page_or_row_is_refused_with_what_to_do(ws_archive: Path, ws_cache: Cache) -> None:
    with Archive.open(ws_archive) as arch:
        seq = seq_of(arch, ws_cache.pdf)
        with pytest.raises(UserError, match="no page 99"):
            workspace.target(arch, f"{ex_id(seq)}:p99")
        with pytest.raises(UserError, match="no table"):
            workspace.target(arch, f"{ex_id(seq)}:t999:r1")
        with pytest.raises(UserError, match="no such person"):
            workspace.target(arch, "cluster:C-nobody")
        with pytest.raises(UserError, match="no such record"):
            workspace.target(arch, "record:R-nobody")


@pytest.mark.parametrize("tag", HOSTILE_TAGS)
def test_tags_with_markup_or_controls_are_stored_as_text_or_refused(ws_archive: Path, tag: str) -> None:
    with Archive.open(ws_archive) as arch:
        t = workspace.target(arch, "EX-000001")
        if "\u202e" in tag:
            with pytest.raises(UserError, match="control or format"):
                workspace.tag(arch, [t], add=[tag])
            return
        workspace.tag(arch, [t], add=[tag], actor="ana")
        assert [x.tag for x in workspace.tags(arch, target=t)] == [tag]


def test_notes_keep_every_revision_and_private_notes_stay_private(ws_archive: Path) -> None:
    rng = random.Random(5)
    first, second = word(rng, 4), word(rng, 4)
    with Archive.open(ws_archive) as arch:
        t = workspace.target(arch, "EX-000002")
        shared = workspace.add_note(arch, t, f"**{first}**", actor="ana")
        private = workspace.add_note(arch, t, f"mine {second}", actor="ana", private=True)
        edited = workspace.edit_note(arch, shared.note_id, f"now {second}", actor="ben")
        assert [r.text for r in edited.revisions] == [f"**{first}**", f"now {second}"]
        assert [r.actor for r in edited.revisions] == ["ana", "ben"] and edited.author == "ana"
        assert {n.note_id for n in workspace.notes(arch, "ana", target=t)} == {shared.note_id, private.note_id}
        assert {n.note_id for n in workspace.notes(arch, "ben", target=t)} == {shared.note_id}
        with pytest.raises(UserError, match="private"):
            workspace.note(arch, private.note_id, "ben")
        with pytest.raises(UserError, match="private"):
            workspace.edit_note(arch, private.note_id, "taken over", actor="ben")
        events = [e for e in arch.custody_events() if e.event.startswith("note")]
        assert [e.event for e in events] == ["noted", "noted", "note_edited"]
        # the custody log is shared: a private note's words never reach it
        assert all(second not in str(e.details) and first not in str(e.details) for e in events)
        workspace.delete_note(arch, shared.note_id, actor="ana")
        assert shared.note_id not in {n.note_id for n in workspace.notes(arch, "ben")}
        assert len(workspace.note(arch, shared.note_id, "ben").revisions) == 2  # deleting hides, keeps history


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                                  "[x](javascript:alert(1))", "<a href='javascript:alert(1)'>x</a>"])
def test_a_note_renders_inert(text: str) -> None:
    html = workspace.render_note(text)
    assert "<script" not in html and "<img" not in html and 'href="javascript:' not in html
    assert "<a href='javascript" not in html


def test_a_text_highlight_offers_a_citation_report_check_passes(ws_archive: Path, ws_cache: Cache) -> None:
    rng = random.Random(7)
    with Archive.open(ws_archive) as arch:
        seq = seq_of(arch, ws_cache.pdf)
        for _ in range(4):
            page = rng.randint(1, len(ws_cache.pdf_lines))
            line = rng.choice(ws_cache.pdf_lines[page - 1])
            words = line.split()
            k = rng.randint(1, len(words) - 1)
            quote = " ".join(words[k - 1:k + 1])
            h = workspace.highlight(arch, ex_id(seq), page, quote=quote, comment="why", actor="ana")
            assert h.anchor is Anchor.ANCHORED and h.citation is not None
            assert h.citation.endswith(f"[@{ex_id(seq)}, p. {page}]")
            result = check_text(arch, f"As the file says, {h.citation}.\n")
            assert result.ok and len(result.citations) == 1, result.as_json()


def test_a_quote_not_on_the_page_is_refused(ws_archive: Path, ws_cache: Cache) -> None:
    with Archive.open(ws_archive) as arch:
        seq = seq_of(arch, ws_cache.pdf)
        with pytest.raises(UserError, match="not on this page"):
            workspace.highlight(arch, ex_id(seq), 1, quote=ws_cache.marker)  # the marker is on page 2 only


def test_a_rectangle_highlight_cites_the_page(ws_archive: Path, ws_cache: Cache) -> None:
    with Archive.open(ws_archive) as arch:
        seq = seq_of(arch, ws_cache.scan)
        h = workspace.highlight(arch, ex_id(seq), 1, rect=(0.1, 0.1, 0.6, 0.3), comment="stamp", actor="ana")
        assert h.rect == (0.1, 0.1, 0.6, 0.3) and h.citation == f"[@{ex_id(seq)}, p. 1]"
        assert check_text(arch, f"The stamp {h.citation}.\n").ok
        with pytest.raises(UserError, match="fractions"):
            workspace.highlight(arch, ex_id(seq), 1, rect=(0.6, 0.1, 0.2, 0.3))


def _replace(arch: Archive, seq: int, number: int, text: str) -> None:
    pages = arch.pages(seq)
    with arch.transaction():
        arch.replace_pages(seq, [Page(p.number, text if p.number == number else p.text, p.source, p.lang, p.meta)
                                 for p in pages])


@pytest.mark.parametrize("seed", range(3))
def test_a_highlight_is_reanchored_when_the_text_moves_and_orphaned_when_it_goes(ws_archive: Path,
                                                                                  ws_cache: Cache, seed: int) -> None:
    rng = random.Random(seed)
    with Archive.open(ws_archive) as arch:
        seq = seq_of(arch, ws_cache.scan)
        text = arch.pages(seq)[0].text
        words = text.split()
        k = rng.randint(2, len(words) - 2)
        quote = " ".join(words[k:k + 2])
        h = workspace.highlight(arch, ex_id(seq), 1, quote=quote, actor="ana")
        # OCR again: new line breaks and a new first line move the quote
        moved = word(rng).upper() + "\n" + text.replace(" ", "\n", 3)
        _replace(arch, seq, 1, moved)
        [again] = workspace.highlights(arch, exhibit_seq=seq)
        assert again.anchor is Anchor.REANCHORED and again.start is not None and again.start > (h.start or 0)
        assert again.current is not None and again.current.split() == quote.split()
        assert check_text(arch, f"{again.citation}\n").ok
        assert arch.custody_events()[-1].event == "highlight_reanchored"
        _replace(arch, seq, 1, " ".join(w for w in moved.split() if w not in quote.split()))
        [gone] = workspace.highlights(arch, exhibit_seq=seq)
        assert gone.anchor is Anchor.ORPHANED and gone.citation is None and gone.quote == quote
        assert arch.custody_events()[-1].event == "highlight_orphaned"


def test_the_workspace_moves_to_postgresql_with_catalog_copy_and_keeps_working(ws_base: Path, ws_cache: Cache,
                                                                                 postgres_server: str,
                                                                                 tmp_path: Path) -> None:
    import shutil

    from pg_support import to_engine

    from exhibit.archive.engine import Dialect
    from exhibit.workspace import saved

    rng = random.Random(9)
    name, text, edit = word(rng), word(rng, 4), word(rng, 4)
    root = tmp_path / "archive"
    shutil.copytree(ws_base, root)
    with Archive.open(root) as arch:
        seq = seq_of(arch, ws_cache.pdf)
        t = workspace.target(arch, ex_id(seq))
        workspace.tag(arch, [t], add=[name], actor="ana")
        n = workspace.edit_note(arch, workspace.add_note(arch, t, text, actor="ana").note_id, edit, actor="ana")
        quote = " ".join(ws_cache.pdf_lines[0][1].split()[:2])
        h = workspace.highlight(arch, ex_id(seq), page=1, quote=quote, comment=text, actor="ben")
        saved.save(arch, "mine", f"tag:{name}", owner="ana")
        before = ([x.as_json() for x in workspace.tags(arch)], [x.as_json(history=True) for x in workspace.notes(arch, "ana")],
                  [x.as_json() for x in workspace.highlights(arch)], [s.as_json() for s in saved.searches(arch, "ana")])
    to_engine(root, "postgresql", postgres_server)
    with Archive.open(root) as arch:
        assert arch.dialect is Dialect.POSTGRESQL
        after = ([x.as_json() for x in workspace.tags(arch)], [x.as_json(history=True) for x in workspace.notes(arch, "ana")],
                 [x.as_json() for x in workspace.highlights(arch)], [s.as_json() for s in saved.searches(arch, "ana")])
        assert after == before
        assert saved.alerts(arch, "ana") == []  # what ana had seen came along
        # new rows take keys past the copied ones (the identities were moved on)
        n2 = workspace.add_note(arch, t, "after the move", actor="ben")
        h2 = workspace.highlight(arch, ex_id(seq), page=1, quote=quote, actor="ben")
        assert n2.note_id > n.note_id and h2.highlight_id > h.highlight_id
        assert {x.note_id for x in workspace.notes(arch, "ben", target=t)} == {n.note_id, n2.note_id}
        assert broken_links(arch.catalog) == []
