"""Where a page's text runs: its orientation and skew, turning it upright, and the order a person reads its lines.

The page frame is found before OCR on a small binarised copy (tens of milliseconds against seconds of
OCR): the angle that makes the row profile of ink sharpest (projection-profile deskew) within ±12°,
tried on the page as it is and turned a quarter; whether the upright page is upside down only the
engines can tell (PP-OCR's direction classifier, Tesseract's confidence), see `exhibit.ocr._read`.
Lines are then ordered in the upright frame by recursive cuts along white space (XY-cut), columns
before rows, except where the block is a table (three or more columns, or ruled), whose rows are read
across. Boxes found in the upright image are mapped back into the stored image for highlighting.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from exhibit.ocr.engines import Line
from exhibit.text.script import Script, script_counts

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

MAX_SKEW = 12.0        # degrees searched either side; the target is ±10°
MIN_SKEW = 0.3         # smaller tilts are reported as none
APPLY_SKEW = 2.0       # below this a page is read as it lies: the engines handle the tilt, and resampling
                       # cost the sample's 1°-tilted Uyghur notice two digits (2.2% -> 5.4% CER)
ANALYSIS_SIDE = 640    # long side of the copy the frame is measured on
QUARTER_RATIO = 1.3    # the turned copy's row profile must be this much sharper to call the page turned


@dataclass(frozen=True)
class Frame:
    """How the stored image relates to the upright page: the upright page was turned `rotation` degrees
    counter-clockwise (0, 90, 180, 270) and then tilted `skew` degrees counter-clockwise (as PIL's
    Image.rotate turns), so the stored image is upright.rotate(rotation + skew, expand=True)."""

    rotation: int = 0
    skew: float = 0.0

    @property
    def angle(self) -> float:
        return (self.rotation + self.skew) % 360

    @property
    def identity(self) -> bool:
        return self.rotation == 0 and abs(self.skew) < APPLY_SKEW

    def flipped(self) -> Frame:
        """The same frame, upside down (what the engines say when the analysis could not tell)."""
        return replace(self, rotation=(self.rotation + 180) % 360)


def measure(image: Image.Image) -> Frame:
    """The frame of a page, up to a half turn: rotation 0 or 90, and the skew."""
    import cv2
    import numpy as np

    a = np.asarray(image.convert("L"))
    if a.size == 0 or min(a.shape) < 16:
        return Frame()
    f = ANALYSIS_SIDE / max(a.shape)
    small = cv2.resize(a, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else a
    ink = page_ink(small)
    ink = cv2.medianBlur(ink.astype(np.uint8), 3)  # speckle is not text: it would flatten every profile
    if int(ink.sum()) < 50:
        return Frame()
    coarse = [float(x) for x in range(-int(MAX_SKEW), int(MAX_SKEW) + 1)]
    s0, a0 = _sharpest(ink, coarse)
    turned = np.ascontiguousarray(np.rot90(ink, -1))  # undoes a quarter turn counter-clockwise
    s90, a90 = _sharpest(turned, coarse[::2])
    if s90 > QUARTER_RATIO * s0:
        base, best, rotation = turned, a90, 90
    else:
        base, best, rotation = ink, a0, 0
    fine = [best + d / 10 for d in range(-10, 11, 2)]
    _, best = _sharpest(base, fine)
    skew = -best if abs(best) >= MIN_SKEW else 0.0
    return Frame(rotation, round(skew, 2))


DESK_CONTRAST = 60  # the image's edge this much darker than the paper: a photograph of a page on a desk


def page_mask(grey: np.ndarray, shrink: bool = True) -> np.ndarray | None:
    """Where the page is, on a photograph of a page lying on something darker (a desk, a hand, a scanner
    lid): the largest bright region, its convex hull, shrunk by a hundredth of the image so the page's
    own edge is not taken for ink. None when the image is the page edge to edge (a scan)."""
    import cv2
    import numpy as np

    edge = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    paper = int(np.percentile(grey, 90))
    if paper - int(np.median(edge)) < DESK_CONTRAST:
        return None
    lit = (grey > (int(np.median(edge)) + paper) // 2).astype(np.uint8)
    bright = cv2.morphologyEx(lit, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))  # text inside the page
    n, labels, stats, _ = cv2.connectedComponentsWithStats(bright)
    if n < 2:
        return None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    if stats[biggest, cv2.CC_STAT_AREA] < 0.2 * grey.size:
        return None
    pts = cv2.findNonZero((labels == biggest).astype(np.uint8))
    mask = np.zeros(grey.shape, np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(pts), 1)
    if not shrink:
        return mask.astype(bool)
    k = max(3, round(0.01 * max(grey.shape)))
    return cv2.erode(mask, np.ones((2 * k + 1, 2 * k + 1), np.uint8)).astype(bool)


@dataclass(frozen=True)
class Rectified:
    """A photographed page cut out of its photograph along its four corners and made rectangular."""

    image: Image.Image
    back: tuple[float, ...] | None  # 3x3 row by row: rectified -> photograph; None: the image as it was
    size: tuple[int, int]           # the photograph's size


def rectify(image: Image.Image) -> Rectified:
    """The page of a photograph (a page on a darker desk, taken at an angle) as a flat rectangle: its
    corners from the page's outline (`page_mask`, on the small analysis copy), the keystone undone by the
    projection onto a rectangle of the page's own longest edges. A scan (paper to the edges) or an outline
    that is no quadrilateral comes back as it is."""
    import cv2
    import numpy as np
    from PIL import Image

    same = Rectified(image, None, image.size)
    a = np.asarray(image.convert("L"))
    if a.size == 0 or min(a.shape) < 16:
        return same
    f = min(1.0, ANALYSIS_SIDE / max(a.shape))
    small = cv2.resize(a, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else a
    mask = page_mask(small, shrink=False)
    if mask is None:
        return same
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    hull = cv2.convexHull(max(contours, key=cv2.contourArea))
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(quad) != 4 or cv2.contourArea(quad) < 0.95 * cv2.contourArea(hull):
        return same
    pts = quad.reshape(4, 2).astype("float32") / f
    s, d = pts.sum(axis=1), pts[:, 0] - pts[:, 1]
    tl, br, tr, bl = pts[np.argmin(s)], pts[np.argmax(s)], pts[np.argmax(d)], pts[np.argmin(d)]
    w = round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    h = round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    corners = np.array([tl, tr, br, bl], dtype="float32")
    rect = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype="float32")
    forward = cv2.getPerspectiveTransform(corners, rect)
    flat = cv2.warpPerspective(np.asarray(image), forward, (w, h), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)
    back = cv2.getPerspectiveTransform(rect, corners)
    return Rectified(Image.fromarray(flat, image.mode), tuple(float(v) for v in back.ravel()), image.size)


def page_ink(grey: np.ndarray) -> np.ndarray:
    """Ink (1) and paper (0) by Otsu's threshold over the page alone: on a photograph what lies around the
    page is neither, and counted as ink it would outweigh every line of text."""
    import cv2
    import numpy as np

    mask = page_mask(grey)
    if mask is None or not mask.any():
        _, ink = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
        out: np.ndarray = ink.astype(np.uint8)
        return out
    t, _ = cv2.threshold(grey[mask].reshape(-1, 1), 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    found: np.ndarray = ((grey <= t) & mask).astype(np.uint8)
    return found


def _sharpest(ink: np.ndarray, angles: list[float]) -> tuple[float, float]:
    """The angle (cv2 degrees, counter-clockwise) whose turned copy has the sharpest row profile: sum of
    squared differences between neighbouring rows' ink, highest when lines lie exactly horizontal."""
    import cv2
    import numpy as np

    h, w = ink.shape
    best = (-1.0, 0.0)
    for angle in angles:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        turned = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_NEAREST)
        p = turned.sum(axis=1, dtype=np.float64)
        s = float(np.square(np.diff(p)).sum())
        if s > best[0]:
            best = (s, angle)
    return best


@dataclass(frozen=True)
class Upright:
    """A page turned upright, with the affine map back to the stored image's pixels."""

    image: Image.Image
    frame: Frame
    back: tuple[tuple[float, float, float], tuple[float, float, float]]  # 2x3: upright -> stored
    size: tuple[int, int]  # the stored image's size
    # A photographed page: the 3x3 projection (row by row) from the rectified page that `back` maps
    # into, to the stored photograph (see `rectify`); None for a scan.
    photo: tuple[float, ...] | None = None

    def to_stored(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """A box in the upright image as the box around it in the stored image (clipped to it)."""
        (a, b, c), (d, e, f) = self.back
        xs, ys = [], []
        for x, y in ((box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3])):
            u, v = a * x + b * y + c, d * x + e * y + f
            if self.photo is not None:
                p = self.photo
                z = p[6] * u + p[7] * v + p[8]
                u, v = (p[0] * u + p[1] * v + p[2]) / z, (p[3] * u + p[4] * v + p[5]) / z
            xs.append(u)
            ys.append(v)
        w, h = self.size
        return (max(0.0, min(xs)), max(0.0, min(ys)), min(float(w), max(xs)), min(float(h), max(ys)))


def upright(image: Image.Image, frame: Frame) -> Upright:
    """The stored image turned into the frame's upright page (the same image when nothing needs turning)."""
    import cv2
    import numpy as np
    from PIL import Image

    w, h = image.size
    if frame.identity:
        return Upright(image, frame, ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0)), (w, h))
    angle = frame.angle if abs(frame.skew) >= APPLY_SKEW else float(frame.rotation)
    a = np.asarray(image)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = round(h * sin + w * cos), round(h * cos + w * sin)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    paper = _paper(a)
    if angle % 90 == 0:  # quarter turns are exact: no resampling blur
        out = np.ascontiguousarray(np.rot90(a, -int(angle // 90) % 4))  # clockwise, as -angle in cv2
    else:
        out = cv2.warpAffine(a, m, (nw, nh), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT,
                             borderValue=paper)
    back = cv2.invertAffineTransform(m)
    rows = (tuple(float(v) for v in back[0]), tuple(float(v) for v in back[1]))
    return Upright(Image.fromarray(out, image.mode), frame, rows, (w, h))  # type: ignore[arg-type]


def _paper(a: np.ndarray) -> int | tuple[int, ...]:
    """The background colour: the most common grey (or the median colour of a colour page)."""
    import numpy as np

    if a.ndim == 2:
        return int(np.bincount(a.ravel(), minlength=256).argmax())
    return tuple(int(v) for v in np.median(a.reshape(-1, a.shape[2]), axis=0))


def ruled_rows(image: Image.Image) -> list[tuple[int, int, int]]:
    """Horizontal rules of the upright page (x0, x1, y): the lines that make a block a table."""
    import cv2
    import numpy as np

    a = np.asarray(image.convert("L"))
    if a.size == 0:
        return []
    ink = page_ink(a) * np.uint8(255)
    length = max(20, a.shape[1] // 8)
    runs = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(runs)
    return [(int(x), int(x + bw), int(y + bh // 2)) for x, y, bw, bh, _ in stats[1:n]]


def reading_order(lines: list[Line], rules: list[tuple[int, int, int]] | None = None) -> list[list[Line]]:
    """Lines of an upright page as visual rows in the order a person reads them: blocks cut along white
    space, columns before rows (left to right, right to left on an Arabic-script page), a table's rows
    across its columns; each row's lines left to right (right to left when mostly Arabic script)."""
    lines = [ln for ln in lines if ln.text.strip()]
    if not lines:
        return []
    c = script_counts("".join(ln.text for ln in lines))
    rtl = c[Script.ARAB] > c[Script.HANI] + c[Script.LATN]
    out: list[list[Line]] = []
    _cut(lines, rules or [], rtl, out, 0)
    return out


def _cut(lines: list[Line], rules: list[tuple[int, int, int]], rtl: bool, out: list[list[Line]], depth: int) -> None:
    one_row = rows(lines)
    if len(one_row) == 1:
        # A block one line high is a row, however wide its gaps: the 印发 line of an official document
        # (office on the left, date on the right) is one line to read, not two columns.
        out.extend(one_row)
        return
    if len(lines) > 1 and depth < 12:
        h = sorted(ln.height for ln in lines)[len(lines) // 2]
        cols = _split(lines, axis=0, min_gap=max(8, round(0.9 * h)))
        if len(cols) > 1 and not _table(cols, rules):
            for col in (reversed(cols) if rtl else cols):
                _cut(col, rules, rtl, out, depth + 1)
            return
        if len(cols) == 1:
            bands = _split(lines, axis=1, min_gap=1)
            if len(bands) > 1:
                for band in bands:
                    _cut(band, rules, rtl, out, depth + 1)
                return
    out.extend(rows(lines))


def _split(lines: list[Line], axis: int, min_gap: int) -> list[list[Line]]:
    """Lines grouped by the white gaps between them along x (axis 0) or y (axis 1); along y a line's
    box is shrunk by a fifth of its height, since neighbouring lines' boxes often touch."""
    def span(ln: Line) -> tuple[float, float]:
        if axis == 0:
            return ln.x0, ln.x1
        trim = 0.2 * ln.height
        return ln.y0 + trim, ln.y1 - trim

    ordered = sorted(lines, key=lambda ln: span(ln)[0])
    groups: list[list[Line]] = [[ordered[0]]]
    end = span(ordered[0])[1]
    for ln in ordered[1:]:
        a, b = span(ln)
        if a - end >= min_gap:
            groups.append([ln])
        else:
            groups[-1].append(ln)
        end = max(end, b)
    return groups


def _table(cols: list[list[Line]], rules: list[tuple[int, int, int]]) -> bool:
    """Is a block cut into these columns a table (rows read across) rather than columns of text? Three or
    more columns are; two are when horizontal rules cross the gap between them at two heights or more."""
    if len(cols) >= 3:
        return True
    left = max(ln.x1 for ln in cols[0])
    right = min(ln.x0 for ln in cols[1])
    top = min(ln.y0 for col in cols for ln in col)
    bottom = max(ln.y1 for col in cols for ln in col)
    crossing = [r for r in rules if r[0] <= left and r[1] >= right and top - 40 <= r[2] <= bottom + 40]
    return len(crossing) >= 2


def rows(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into visual rows (top to bottom), each row in reading order: right to left
    when it is mostly Arabic script."""
    out: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: (ln.y0 + ln.y1) / 2):
        mid = (ln.y0 + ln.y1) / 2
        if out:
            last = out[-1]
            top = min(r.y0 for r in last)
            bottom = max(r.y1 for r in last)
            if top <= mid <= bottom and min(ln.y1, bottom) - max(ln.y0, top) >= 0.5 * min(ln.height, bottom - top):
                last.append(ln)
                continue
        out.append([ln])
    for row in out:
        c = script_counts("".join(r.text for r in row))
        row.sort(key=lambda r: -r.x1 if c[Script.ARAB] > c[Script.HANI] + c[Script.LATN] else r.x0)
    return out
