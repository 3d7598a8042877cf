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
