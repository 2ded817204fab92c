"""Page-level trust: the print vouching for a poor marker fit, corners whose marker is missing, print washed out.

Each decides whether what the boxes read may stand although the page is not perfect.
"""

from __future__ import annotations

import numpy as np

from scanner.decide import FieldDecision
from scanner.frames import frame_visible
from scanner.reading import PageReading

PRINT_CHECK_MIN_BOXES = 12  # a page needs this many printed boxes to vouch for its own mapping ...
PRINT_CHECK_SHARE = 0.95  # ... this share of them found ...
PRINT_CHECK_SNAP_MM = 0.75  # ... within this of where the mapping puts them (box pitch >= 8 mm) ...
PRINT_CHECK_OUTLINE = 0.30  # ... with a clearly printed outline
WASHED_OUTLINE = 0.25  # a box whose printed outline is fainter than this sits in washed-out print (scans and
# photos of the benchmark: >= 0.27; under glare on a phone photo 0.15-0.25): an empty box there proves little


def print_confirms_mapping(fields: dict[str, FieldDecision]) -> bool:
    """True when the printed boxes themselves show the page mapping is right to well under a box pitch.

    A poor marker fit (a marker torn, folded or misread; a curled page) makes every value doubtful:
    a box could be measured in its neighbour's place. But each box's outline is searched for
    (+-1.5 mm) before it is measured; when nearly all boxes of the page are found where the mapping
    says, with a clear outline, the mapping is locally right everywhere they are - a shift of a
    whole box pitch would leave the end boxes of a row or grid on bare paper or labels.
    """
    ms = [b.measures for fd in fields.values() for b in fd.boxes]
    if len(ms) < PRINT_CHECK_MIN_BOXES:
        return False
    ok = sum(1 for m in ms if float(m.get("outline", 0.0)) >= PRINT_CHECK_OUTLINE
             and max(abs(float(v)) for v in m.get("snap_mm", (9.0, 9.0))) <= PRINT_CHECK_SNAP_MM)
    return ok >= PRINT_CHECK_SHARE * len(ms)


CORNER_MM = 45.0  # a corner whose marker is missing is folded, torn or covered: distrust what lies this close


def _corner_squares(found: list[int], page_size_mm,
                    reach_mm: float = CORNER_MM) -> list[tuple[float, float, float, float]]:
    """(x0, y0, x1, y1) squares at the corners whose marker (0-3: TL, TR, BR, BL) was not found."""
    w, h = (float(v) for v in page_size_mm)
    r = reach_mm
    sq = {0: (0.0, 0.0, r, r), 1: (w - r, 0.0, w, r), 2: (w - r, h - r, w, h), 3: (0.0, h - r, r, h)}
    return [sq[m] for m in range(4) if m not in found]


def _touches(rect_mm, square) -> bool:
    x, y, rw, rh = (float(v) for v in rect_mm)
    return x < square[2] and x + rw > square[0] and y < square[3] and y + rh > square[1]


def near_missing_corner(rect_mm, found: list[int], page_size_mm=(210.0, 297.0), reach_mm: float = CORNER_MM) -> bool:
    """True if the rect reaches into the corner square of a marker that was not found.

    Markers 0-3 sit at the TL, TR, BR, BL corners. When one is missing although the others were
    found, that corner is usually folded over (a dog-ear), torn off or covered: a grey flap there
    looks like writing or a filled box, so nothing read near it may be accepted unseen.
    """
    return any(_touches(rect_mm, sq) for sq in _corner_squares(found, page_size_mm, reach_mm))


def doubt_near_missing_corners(out: PageReading, page_fields: list[dict], found: list[int],
                                page_size_mm, image: np.ndarray, H: np.ndarray) -> None:
    """Fields near a corner whose marker is missing go to review - unless the print shows nothing covers them.

    Every printed outline of the field (a box's, a text area's frame) must then be seen along its whole
    length inside the corner square: a flap cannot reach into a framed area without hiding its frame.
    """
    if len(set(found) & {0, 1, 2, 3}) == 4:
        return
    squares = _corner_squares(found, page_size_mm)
    for f in page_fields:
        fid = str(f.get("id"))
        rects = [o["rect_mm"] for o in f.get("options", [])] or ([f["rect_mm"]] if f.get("rect_mm") else [])
        near = [(r, sq) for r in rects for sq in squares if _touches(r, sq)]
        if not near:
            continue
        item = out.fields.get(fid) or out.texts.get(fid)
        if item is None or item.status != "accepted":
            continue
        if all(frame_visible(image, H, r, sq) for r, sq in near):
            continue
        item.status, item.reason = "review", "corner_not_found"
        item.confidence = min(item.confidence, 0.5)


def doubt_washed_out_print(fields: dict[str, FieldDecision]) -> None:
    """Rows read with an empty box whose own print is washed out go to review (`washed_out`).

    Glare on a phone photo (or a scan far too light) lifts print and ink alike: where a box's printed
    outline keeps under WASHED_OUTLINE of the paper's tone (>= 0.36 on every phone photo of the
    benchmark without glare), a pencil tick in or beside it fades below what the reader looks for (a glare
    stress run lost one beside a box so). A row that read "no answer" there, or a multiple-choice row that
    read such a box as empty, cannot vouch for it. A single-choice row with its answer clearly marked
    stands (a second, faded mark could only have made it a question; a light streak across one outline
    on a rough scan, a descreened halftone page: 13 such rows in 55,005 re-read fields, all right).
    """
    for fd in fields.values():
        if fd.status != "accepted" or (fd.kind == "single" and fd.value is not None):
            continue
        if any(b.state == "empty" and 0 <= float(b.measures.get("outline", 1.0)) < WASHED_OUTLINE for b in fd.boxes):
            fd.status, fd.reason, fd.confidence = "review", "washed_out", min(fd.confidence, 0.5)
