"""Reading order on the degraded-scan grid: turned, tilted, two-column and table pages come out in the order
a person reads them, with their rotation and skew on the page and boxes on the scan's own pixels."""

from __future__ import annotations

from pathlib import Path

import pytest
from ocr_grid import LAYOUTS, ROTATIONS, SKEWS, Case, pairwise, photographs, scan
from rapidfuzz.distance import Levenshtein

from exhibit.ocr import ocr_image
from exhibit.ocr.layout import measure

CASES = pairwise()


def _cer(hyp: str, ref: str) -> float:
    h, r = "".join(hyp.split()), "".join(ref.split())
    return Levenshtein.distance(h, r) / len(r)


def _bag_cer(hyp: str, ref: str) -> float:
    """The same characters ignoring their order: what OCR got right whatever the layout did."""
    return _cer("".join(sorted("".join(hyp.split()))), "".join(sorted("".join(ref.split()))))


def test_the_grid_covers_every_pair_of_skew_rotation_layout_and_degradation() -> None:
    seen = {(c.skew, c.rotation, c.layout) for c in CASES}
    assert {(s, r) for s in SKEWS for r in ROTATIONS} <= {(s, r) for s, r, _ in seen}
    assert {(r, lay) for r in ROTATIONS for lay in LAYOUTS} <= {(r, lay) for _, r, lay in seen}
    assert {c.script for c in CASES} == {"han", "arab"}


@pytest.mark.parametrize("skew", SKEWS)
@pytest.mark.parametrize("rotation", ROTATIONS)
def test_the_frame_of_a_page_is_measured_up_to_a_half_turn(skew: float, rotation: int) -> None:
    page = scan(Case(skew, rotation, "plain", "clean", seed=rotation + int(skew)))
    frame = measure(page.image)
    assert frame.rotation == rotation % 180
    assert abs(frame.skew - skew) <= 0.5, frame


def test_photographs_cover_every_layout_both_scripts_and_a_turned_page() -> None:
    cases = photographs()
    assert {c.layout for c in cases} == set(LAYOUTS) and {c.script for c in cases} == {"han", "arab"}
    assert all(c.keystone >= 0.04 for c in cases) and {c.rotation for c in cases} > {0}


@pytest.mark.parametrize("case", CASES + photographs(), ids=lambda c: c.name)
def test_lines_come_out_in_reading_order_with_rotation_skew_and_boxes(case: Case, tmp_path: Path) -> None:
    """Scans of the pairwise grid, and pages photographed at an angle on a desk (keystone 4-8%): read in
    order, with the page's turn and tilt, and each box on its line in the image as stored."""
    page = scan(case)
    r = ocr_image(page.image, "chi_sim+uig+eng", None, tmp_path)
    assert r.status is None, r.meta
    bag = _bag_cer(r.text, page.text)
    assert bag <= 0.25, (case.name, r.text)  # the characters were read at all (Uyghur faxes: ~17%)
    assert _cer(r.text, page.text) <= bag + 0.02, (case.name, r.text, page.text)
    assert r.meta["rotation"] == case.rotation
    assert abs(r.meta["skew"] - case.skew) <= 1.0
    # Every box sits on its line in the scan as stored, whatever turn the page had.
    w, h = page.image.size
    hits = 0
    for x0, y0, x1, y1, text, _ in r.meta["boxes"]:
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h
        # Generated lines share words, so any truth line about as close as the closest may be the one.
        far = [Levenshtein.normalized_distance(text, line) for line in page.lines]
        near = [page.boxes[i] for i, d in enumerate(far) if d <= min(far) + 0.1]
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        hits += any(bx0 - 15 <= cx <= bx1 + 15 and by0 - 15 <= cy <= by1 + 15 for bx0, by0, bx1, by1 in near)
    assert hits >= 0.9 * len(r.meta["boxes"]), (case.name, r.meta["boxes"], page.boxes)
