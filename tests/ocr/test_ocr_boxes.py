"""Boxes stored with a page stay on their text after the page was turned, tilted or photographed (issue 15):
a known word's stored box, in the stored image's own pixels, covers that word as it lies in the image."""

from __future__ import annotations

from pathlib import Path

import pytest
from ocr_grid import HAN_WORDS, ROTATIONS, UYGHUR_WORDS, Case, Scan, scan

from exhibit.ocr import ocr_image

CASES = [Case(skew, rotation, "plain", "clean", "han", 40 + rotation // 90 + int(skew))
         for rotation in ROTATIONS for skew in (0.0, 6.0)]
CASES += [Case(-5.0, 90, "plain", "clean", "arab", 50), Case(0.0, 270, "columns", "clean", "han", 51, 0.06)]
SLACK = 12  # pixels: an engine's box hugs the ink, the truth's the font's full line height


def _known_word(page: Scan, script: str) -> tuple[int, str]:
    """A word that occurs once on the page, on a line below the first (truth line index, word)."""
    vocabulary = UYGHUR_WORDS if script == "arab" else HAN_WORDS
    for i, line in enumerate(page.lines[1:], start=1):
        tokens = line.split() if script == "arab" else [w for w in vocabulary if w in line]
        for w in tokens:
            if len(w) >= 2 and page.text.count(w) == 1:
                return i, w
    raise AssertionError("no word occurs once on the generated page")


def _inside(inner: tuple[float, ...], outer: tuple[float, ...], slack: float) -> bool:
    return (outer[0] - slack <= inner[0] and inner[2] <= outer[2] + slack
            and outer[1] - slack <= inner[1] and inner[3] <= outer[3] + slack)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_known_words_stored_box_lands_on_that_word(case: Case, tmp_path: Path) -> None:
    page = scan(case)
    line, word = _known_word(page, case.script)
    truth = page.word_box(line, word)
    x0, y0, x1, y1 = (round(v) for v in truth)
    assert page.image.convert("L").crop((x0, y0, x1, y1)).getextrema()[0] < 128  # the word's ink is there
    r = ocr_image(page.image, "chi_sim+uig+eng", None, tmp_path)
    assert r.meta["rotation"] == case.rotation
    w, h = page.image.size
    assert (r.meta["width"], r.meta["height"]) == (w, h)
    holding = [b for b in r.meta["boxes"] if word in "".join(str(b[4]).split())]
    assert holding, (case.name, word, r.text)
    # The box that holds the word covers it in the stored image, and is no more than the word's line.
    assert any(_inside(truth, b[:4], SLACK) and _inside(b[:4], page.boxes[line], SLACK) for b in holding), \
        (case.name, word, truth, page.boxes[line], holding)
    if case.script == "han" and not case.skew:
        # The viewer's highlight (web/render.py) narrows the line box to the word along the way the line
        # reads in the stored image: on the word, whichever way the page was turned.
        from exhibit.web.render import ocr_boxes

        cx, cy = (truth[0] + truth[2]) / 2, (truth[1] + truth[3]) / 2
        marks = ocr_boxes(r.meta, [word])
        assert any(m[0] - SLACK <= cx <= m[2] + SLACK and m[1] - SLACK <= cy <= m[3] + SLACK for m in marks), \
            (case.name, word, truth, marks)
        long_side = max(truth[2] - truth[0], truth[3] - truth[1])
        assert all(max(m[2] - m[0], m[3] - m[1]) <= 3 * long_side + SLACK for m in marks)  # the word, not the line


def test_the_generators_word_boxes_follow_the_turn() -> None:
    """The truth itself: a word's box on a page turned a quarter is taller than wide, as its line is."""
    page = scan(Case(0.0, 90, "plain", "clean", "han", 60))
    line, word = _known_word(page, "han")
    x0, y0, x1, y1 = page.word_box(line, word)
    assert y1 - y0 > x1 - x0
