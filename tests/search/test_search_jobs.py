"""Indexing on several cores finds exactly what indexing on one core finds, on generated archives."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from search_helpers import add_exhibit, new_archive

from exhibit.archive import Archive
from exhibit.search import open_index, rebuild, search
from exhibit.search.index import writer_threads

# Random text over small alphabets so that words and bigrams repeat across pages and queries hit many.
HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质"
LATIN = ["tursun", "mamat", "camp", "training", "report", "bulletin", "order", "quota", "village", "police"]
UYGHUR = ["مەمەت", "تۇرسۇن", "لاگېر", "دوكلات", "يېزا", "ساقچى"]


def _text(rnd: random.Random) -> str:
    parts = []
    for _ in range(rnd.randint(5, 30)):
        kind = rnd.random()
        if kind < 0.6:
            parts.append("".join(rnd.choice(HAN[:60]) for _ in range(rnd.randint(2, 12))))
        elif kind < 0.85:
            parts.append(" ".join(rnd.choice(LATIN) for _ in range(rnd.randint(1, 4))))
        else:
            parts.append(rnd.choice(UYGHUR))
    return "，".join(parts)


def _archive(root: Path, seed: int) -> tuple[Archive, list[str]]:
    """Exhibits with pages and register rows, and queries drawn from their own texts."""
    rnd = random.Random(seed)
    arch = new_archive(root)
    texts: list[str] = []
    for i in range(rnd.randint(60, 90)):
        pages = [_text(rnd) for _ in range(rnd.randint(1, 12))]
        rows = [[_text(rnd)[:20], str(rnd.randint(10**17, 10**18 - 1))] for _ in range(rnd.randint(0, 20))]
        add_exhibit(arch, f"folder{i % 7}/doc{i}.pdf", pages, rows=rows or None,
                    source=rnd.choice(["text", "ocr"]), lang=rnd.choice(["zh", "ug", "en"]))
        texts += pages
    queries: list[str] = []
    for _ in range(25):
        t = rnd.choice(texts)
        han = [w for w in t.replace(" ", "，").split("，") if w and w[0] in HAN]
        if han:
            w = rnd.choice(han)
            start = rnd.randrange(len(w))
            queries.append(w[start:start + rnd.choice([1, 2, 4])])
    queries += rnd.sample(LATIN, 4) + [f'"{LATIN[0]} {LATIN[1]}"', UYGHUR[0], f"{LATIN[2]} {HAN[3]}{HAN[4]}"]
    return arch, queries


Hits = dict[str, tuple[int, list[tuple[str, int, str, int, float]]]]


def _hits(arch: Archive, queries: list[str]) -> Hits:
    """Every hit of every query (a limit above the total), as a sorted list: BM25 ties may come in
    another order from other segments, what is found and how it scores may not differ."""
    out: Hits = {}
    for q in queries:
        first = search(arch, q, limit=1)
        res = search(arch, q, limit=max(first.total, 1) + 10)
        out[q] = (res.total, sorted((h.id, h.page or 0, h.sheet or "", h.row or 0, round(h.score, 4)) for h in res.hits))
    return out


@pytest.mark.parametrize("seed", range(3))
def test_a_reindex_on_two_cores_finds_what_one_core_finds(tmp_path: Path, seed: int) -> None:
    arch, queries = _archive(tmp_path / "a", seed)
    one = rebuild(arch, jobs=1)
    single = _hits(arch, queries)
    two = rebuild(arch, jobs=2)
    # two indexing threads wrote two segments: the comparison is between differently built indexes
    assert open_index(arch).searcher().num_segments >= 2
    assert (one.units, one.exhibits) == (two.units, two.exhibits) and one.units > 100
    assert sum(total for total, _ in single.values()) > 0  # the queries find things
    assert _hits(arch, queries) == single


def test_jobs_become_writer_threads_within_tantivys_limit() -> None:
    assert writer_threads(1) == 1
    assert writer_threads(3) == 3
    assert writer_threads(64) == 8
    assert writer_threads(0) == 1
    assert writer_threads(None) >= 1
