"""Whether an image carries text worth reading: PP-OCR's detection model alone, on a downscaled copy."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

# The pass looks at the image with its longest side at SIDE pixels. At 960 a 10-point line of an A4 scan
# (about 25 px high at 150 dpi) is still 14 px high, which the detector finds with certainty; a photograph
# costs about a fifth of what full detection at the recogniser's own size costs, and a tenth or less of a
# whole OCR (recognition of false regions and Tesseract's passes for Uyghur and English).
SIDE = 960
# A region whose mean text probability reaches REGION_SCORE is a candidate: RapidOCR's own threshold, the
# regions a full OCR would go on to recognise (a line of a degraded fax scores 0.5 to 0.6). On photographs
# the detector also fires on blobs (the edge of a shape, a patterned shirt): those are about as high as
# they are wide, and a line of text is not. So a candidate is text when it is line-shaped (LINE_ASPECT,
# horizontal or vertical), or when the recogniser reads at least two characters in it with confidence
# (a short word, a large sign). The pass errs towards reading: one region anywhere sends the whole image
# to OCR.
REGION_SCORE = 0.5
LINE_ASPECT = 3.0
READ_CONFIDENCE = 0.8
MODEL = "PP-OCRv4 det"


class Decision(Enum):
    """What the pass decided for an image."""

    TEXT = "text"        # OCR it
    NO_TEXT = "no_text"  # metadata only; `exhibit ocr --force` reads it all the same


@dataclass(frozen=True)
class Presence:
    """The pass's decision; the best text region's detection score (0.0 when there is none, the best
    candidate's when none was text); how many regions were text, of how many candidates; the size of
    the copy it looked at."""

    decision: Decision
    score: float
    regions: int
    candidates: int
    width: int
    height: int

    def as_meta(self) -> dict[str, Any]:
        """What is stored on the page (meta "text_presence")."""
        return {"decision": self.decision.value, "score": round(self.score, 4), "regions": self.regions,
                "candidates": self.candidates, "threshold": REGION_SCORE, "size": [self.width, self.height],
                "model": MODEL}


def text_presence(image: Image.Image) -> Presence:
    """Run the detection model of the process's RapidOCR engine (the same ONNX session OCR uses) on the
    image downscaled to SIDE, with RapidOCR's own pre- and post-processing."""
    import numpy as np
    from PIL import Image as PILImage
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

    from exhibit.ocr.engines import rapidocr

    engine = rapidocr()
    det = engine.text_det
    small = _on_white(image)
    scale = SIDE / max(small.size)
    if scale < 1:
        # Pillow's reducing resize: far cheaper than resizing the full-size array in RapidOCR
        small = small.resize((max(1, round(small.width * scale)), max(1, round(small.height * scale))),
                             PILImage.Resampling.BILINEAR, reducing_gap=2.0)
    arr = np.asarray(small)
    batch = DetPreProcess(SIDE, "max", det.mean, det.std)(arr)
    if batch is None:  # an image too small to resize to the model's 32-pixel grid has no readable text
        return Presence(Decision.NO_TEXT, 0.0, 0, 0, small.width, small.height)
    boxes, scores = det.postprocess_op(det.infer(batch)[0], arr.shape[:2])
    candidates = [(det.order_points_clockwise(box), float(score)) for box, score in zip(boxes, scores, strict=True)
                  if score >= REGION_SCORE]
    text_scores = [score for box, score in candidates if _is_text(engine, arr, box)]
    best = max(text_scores or [score for _, score in candidates], default=0.0)
    return Presence(Decision.TEXT if text_scores else Decision.NO_TEXT, best, len(text_scores), len(candidates),
                    small.width, small.height)


def _on_white(image: Image.Image) -> Image.Image:
    """RGB, transparency flattened onto white as OCR flattens it (a scan saved with the paper
    transparent would otherwise be black text on black)."""
    from PIL import Image as PILImage

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        return PILImage.alpha_composite(PILImage.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba).convert("RGB")
    return image.convert("RGB")


def _is_text(engine: Any, arr: Any, box: Any) -> bool:
    import numpy as np

    w = float(np.linalg.norm(box[0] - box[1]))
    h = float(np.linalg.norm(box[0] - box[3]))
    if min(w, h) <= 3:
        return False
    if max(w, h) / min(w, h) >= LINE_ASPECT:
        return True
    x0, y0 = np.maximum(box.min(axis=0).astype(int), 0)
    x1, y1 = box.max(axis=0).astype(int) + 1
    crop = arr[y0:y1, x0:x1, ::-1]  # RapidOCR's recogniser reads BGR, as OpenCV loads images
    if not crop.size:
        return False
    (text, confidence), = engine.text_rec([np.ascontiguousarray(crop)])[0]
    return len("".join(str(text).split())) >= 2 and float(confidence) >= READ_CONFIDENCE
