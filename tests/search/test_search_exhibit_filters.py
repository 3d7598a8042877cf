"""Exhibit filters (tag:, a selection) give the same hits whichever way search() applies them: the hits of a
rare query filtered by their exhibit, or a common one intersected with the exhibits in tantivy. Generated
archives of pages and table rows over a small vocabulary, so that some words are rare and some common;
expected hits are counted from the generated text itself."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from search_helpers import add_exhibit

import exhibit.search as search_
from exhibit import search, workspace
from exhibit.archive import Archive, ex_id

PLANS = {"post-filter": (10**9, 1.0), "intersect": (-1, 0.0)}  # (POST_FILTER_BASE, POST_FILTER_PER_EXHIBIT)


@contextmanager
def plan(name: str) -> Iterator[None]:
    saved = search_.POST_FILTER_BASE, search_.POST_FILTER_PER_EXHIBIT
    search_.POST_FILTER_BASE, search_.POST_FILTER_PER_EXHIBIT = PLANS[name]
    try:
        yield
    finally:
        search_.POST_FILTER_BASE, search_.POST_FILTER_PER_EXHIBIT = saved


def build(root: Path, seed: int) -> tuple[Archive, dict[tuple[int, str, int], set[str]], list[int], list[str]]:
    """An archive of random exhibits; (units: (seq, "page"|"row", n) -> words, tagged seqs, vocabulary)."""
    rng = random.Random(seed)
    letters = "bcdfghjklmnpqrstvwz"
    vocab = ["".join(rng.choice(letters) + rng.choice("aeiou") for _ in range(3)) for _ in range(25)]
    weights = [1.0 / (k + 1) for k in range(len(vocab))]  # Zipf-like: a few common words, many rare ones
    arch = Archive.init(root)
    units: dict[tuple[int, str, int], set[str]] = {}
    for k in range(rng.randint(40, 70)):
        pages = [" ".join(rng.choices(vocab, weights, k=rng.randint(3, 9))) for _ in range(rng.randint(1, 4))]
        rows = ([[" ".join(rng.choices(vocab, weights, k=2)), str(rng.randint(1, 99))]
                 for _ in range(rng.randint(1, 5))] if rng.random() < 0.3 else None)
        seq = add_exhibit(arch, f"gen/{seed}/{k:03d}.pdf", pages, lang="en", rows=rows)
        for n, text in enumerate(pages, 1):
            units[(seq, "page", n)] = set(text.split())
        for n, row in enumerate(rows or [], 1):
            units[(seq, "row", n)] = set(" ".join(row).split())
    search.rebuild(arch)
    seqs = sorted({u[0] for u in units})
    tagged = sorted(rng.sample(seqs, len(seqs) // 4))
    workspace.tag(arch, [workspace.target(arch, ex_id(s)) for s in tagged], add=["gen-tag"], actor="ana")
    return arch, units, tagged, vocab


@pytest.mark.parametrize("seed", range(3))
def test_a_tag_filter_gives_the_same_hits_by_either_plan_and_exactly_the_tagged_ones(tmp_path: Path,
                                                                                    seed: int) -> None:
    arch, units, tagged, vocab = build(tmp_path / "a", seed)
    with arch:
        for word in vocab:
            expected = {(s, kind, n) for (s, kind, n), words in units.items() if word in words and s in tagged}
            seen = {}
            for name in PLANS:
                with plan(name):
                    res = workspace.search(arch, f"{word} tag:gen-tag", viewer="ana", limit=1000)
                    top = workspace.search(arch, f"{word} tag:gen-tag", viewer="ana", limit=5)
                got = {(h.seq, "row" if h.row is not None else "page", h.row or h.page) for h in res.hits}
                assert res.total == len(expected), (word, name)
                assert got == expected, (word, name)
                seen[name] = [(h.seq, h.page, h.row, round(h.score, 5)) for h in top.hits]
            assert seen["post-filter"] == seen["intersect"], word


@pytest.mark.parametrize("seed", range(2))
def test_filters_combine_with_negation_selection_and_stand_alone(tmp_path: Path, seed: int) -> None:
    arch, units, tagged, vocab = build(tmp_path / "a", seed + 10)
    rng = random.Random(seed)
    with arch:
        for _ in range(8):
            a, b = rng.sample(vocab, 2)
            within = set(rng.sample(sorted({u[0] for u in units}), 20))
            cases = {
                f"{a} -{b} tag:gen-tag": lambda w, s, a=a, b=b: a in w and b not in w and s in tagged,
                "tag:gen-tag": lambda w, s: s in tagged,
                f"-tag:gen-tag {a}": lambda w, s, a=a: a in w and s not in tagged,
            }
            for q, keep in cases.items():
                for name in PLANS:
                    with plan(name):
                        plain = workspace.search(arch, q, viewer="ana", limit=1000)
                        inside = workspace.search(arch, q, viewer="ana", limit=1000, within=within)
                    want = {u for u, words in units.items() if keep(words, u[0])}
                    assert plain.total == len(want), (q, name)
                    assert inside.total == len({u for u in want if u[0] in within}), (q, name)
                    assert {h.seq for h in inside.hits} <= within


def test_a_tag_filter_follows_every_change_of_the_tags(tmp_path: Path) -> None:
    """Marks are read once per state of the archive: a tag added or removed shows in the next search."""
    arch, units, tagged, vocab = build(tmp_path / "a", 7)
    rng = random.Random(7)
    everyone = sorted({u[0] for u in units})
    with arch:
        for _ in range(4):
            gone, new = rng.choice(tagged), rng.choice([s for s in everyone if s not in tagged])
            workspace.tag(arch, [workspace.target(arch, ex_id(gone))], remove=["gen-tag"], actor="ana")
            workspace.tag(arch, [workspace.target(arch, ex_id(new))], add=["gen-tag"], actor="ben")
            tagged = sorted({*tagged, new} - {gone})
            res = workspace.search(arch, "tag:gen-tag", viewer="ana", limit=1000)
            assert {h.seq for h in res.hits} == set(tagged)
            assert res.total == sum(1 for u in units if u[0] in tagged)


# -- the index's labels: each document carries its exhibit's tags as they were when it was written ------------
def _names_now(arch: Archive) -> dict[int, set[str]]:
    return {s: set(n) for s, n in workspace.Marks(arch, None).labels_of(None).items()}


def _relabel(arch: Archive, rng: random.Random, everyone: list[int], names: list[str], k: int) -> None:
    """Tag k exhibits with one of `names` and untag k that carry one, as an analyst would between syncs."""
    now = _names_now(arch)
    for s in rng.sample(everyone, k):
        workspace.tag(arch, [workspace.target(arch, ex_id(s))], add=[rng.choice(names)], actor="ana")
    carrying = sorted(s for s, n in now.items() if n)
    for s in rng.sample(carrying, min(k, len(carrying))):
        workspace.tag(arch, [workspace.target(arch, ex_id(s))], remove=sorted(now[s]), actor="ben")


LABEL_STATES = ("never-synced", "synced", "drifted", "crashed-after-commit", "crashed-then-drifted")


@pytest.mark.parametrize("state", LABEL_STATES)
@pytest.mark.parametrize("seed", range(2))
def test_tag_filters_are_exact_whatever_the_tags_the_documents_carry(tmp_path: Path, state: str, seed: int) -> None:
    """However far the tags the index's documents carry are from the tags now (never written, written,
    changed since, or a sync that committed and died before recording its state), tag: finds exactly the
    exhibits tagged now, by every plan, and the tag facet counts them."""
    arch, units, _, vocab = build(tmp_path / "a", seed + 20)
    rng = random.Random(seed)
    everyone = sorted({u[0] for u in units})
    names = ["gen-tag", "Gen-Tag", "gen-other", "Probe"]
    labels = workspace.Marks(arch, None)
    with arch:
        _relabel(arch, rng, everyone, names, 8)
        if state != "never-synced":
            rep = search.sync(arch, labels=labels)
            assert rep.exhibits == len({s for s in everyone if _names_now(arch).get(s)})  # every tagged one
        if state in ("drifted", "crashed-after-commit", "crashed-then-drifted"):
            idx = search.open_index(arch, catch_up=False)
            before, head_before = idx.labelled()[0], idx.labels_head()
            _relabel(arch, rng, everyone, names, 6)
            if state.startswith("crashed"):
                search.sync(arch, labels=labels)
                after = idx._labels_by_exhibit()
                changed = {s for s in everyone if after.get(s) != {k: sorted(n) for k, n in _inverse(before).items()}.get(s)}
                assert changed
                # what a sync records before its commit: the old tags, these exhibits unsure
                idx._write_state(arch.feed.mark(), idx.common, _inverse(before), changed, head_before)
                idx._searcher = None
            if state == "crashed-then-drifted":
                _relabel(arch, rng, everyone, names, 6)
        now = _names_now(arch)
        queries = {
            "tag:gen-tag": lambda s: "gen-tag" in now.get(s, set()),
            "tag:GEN-TAG": lambda s: bool(now.get(s, set()) & {"gen-tag", "Gen-Tag"}),
            "tag:gen*": lambda s: any(n.casefold().startswith("gen") for n in now.get(s, set())),
            "tag:probe": lambda s: "Probe" in now.get(s, set()),
            "tag:missing": lambda s: False,
        }
        # the exhibits of a tag as the index's labels and the changes since give them, without reading
        # the tag's exhibits from the catalog: the same as that reading, in every state but the first
        idx = search.open_index(arch, catch_up=False)
        marks = workspace.Marks(arch, "ana")
        from_labels = search._marks_now(idx, marks, *idx.labelled())
        assert from_labels is not None
        assert (from_labels == marks.exhibits_with) == (state == "never-synced")
        for value in ("gen-tag", "GEN-TAG", "gen*", "probe", "missing"):
            assert from_labels("tag", value) == marks.exhibits_with("tag", value), (state, value)
        for q, keep in queries.items():
            for word in [*vocab[:3], *vocab[-3:]]:
                want = {u for u, words in units.items() if word in words and keep(u[0])}
                for name in PLANS:
                    with plan(name):
                        res = workspace.search(arch, f"{word} {q}", viewer="ana", limit=1000, facets=True)
                    got = {(h.seq, "row" if h.row is not None else "page", h.row or h.page) for h in res.hits}
                    assert (res.total, got) == (len(want), want), (state, q, word, name)
                    facet = res.facets["tag"] if res.facets else {}
                    for tag in ("gen-tag", "Probe"):
                        n = sum(1 for u, words in units.items()
                                if word in words and keep(u[0]) and tag in now.get(u[0], set()))
                        assert facet.get(tag, 0) == n, (state, q, word, tag)


def _inverse(by_tag: dict[str, frozenset[int]]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for name in sorted(by_tag):
        for s in by_tag[name]:
            out.setdefault(s, []).append(name)
    return out


def test_a_sync_with_labels_writes_again_only_the_exhibits_whose_tags_changed(tmp_path: Path) -> None:
    arch, units, tagged, _ = build(tmp_path / "a", 31)
    labels = workspace.Marks(arch, None)
    everyone = sorted({u[0] for u in units})
    with arch:
        first = search.sync(arch, labels=labels)
        assert first.exhibits == len(tagged)
        assert first.units == sum(1 for u in units if u[0] in tagged)
        assert search.sync(arch, labels=labels).exhibits == 0  # nothing changed: nothing written
        fresh = [s for s in everyone if s not in tagged][:3]
        workspace.tag(arch, [workspace.target(arch, ex_id(s)) for s in fresh], add=["gen-tag"], actor="ana")
        workspace.tag(arch, [workspace.target(arch, ex_id(tagged[0]))], remove=["gen-tag"], actor="ana")
        again = search.sync(arch, labels=labels)
        assert again.exhibits == len(fresh) + 1
        idx = search.open_index(arch, catch_up=False)
        assert idx.labelled()[0]["gen-tag"] == frozenset([*tagged[1:], *fresh])
        assert idx.labelled()[1] == frozenset()
        # a rebuild keeps the tags: without a Labels, the ones the documents carried
        search.rebuild(arch)
        assert idx.labelled()[0]["gen-tag"] == frozenset([*tagged[1:], *fresh])
