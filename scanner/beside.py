"""Ink beside the boxes: an answer marked next to its box instead of in it.

People do not always mark inside the box: they circle or underline the option's printed label, or
tick beside the box. The boxes then read empty and the row's value would be lost without a word -
the worst kind of error here. So around every choice row read as accepted, the reader looks for pen
ink that is neither print (labels, rules, box outlines: the geometry says where) nor the overshoot
of a mark in a box; a row with such ink goes to a person (`ink_beside_boxes`), who sees the crop.

The zone of a row: its boxes and the labels printed right of them, 1.6 mm above and below the boxes
(rows are ~8 mm apart: zones of neighbouring rows stay apart) and 6 mm beyond the first box and the
last label. Ink there is pen darkness above the boxes' own ink threshold against the local paper
(shaded bands and shadows are the paper), minus specks and lines running through the whole zone
(creases, streaks). Under a label, where its rect reaches over the descenders, a straight line
still counts: people underline. A 1-bit page keeps only the darkest part of a pencil loop and
breaks thin lines, but its paper is clean: there less ink raises the doubt, and short breaks in
an underline are bridged.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence

import cv2
import numpy as np

from scanner.decide import FieldDecision
from scanner.geometry import chord, fit_line, warp_rect_grey
from scanner.imageops import component_stats
from scanner.measure import CREASE_MAX_DARK, MIN_T_INK, RES, LocalPaper, ink_threshold

PAD_MM = 1.6  # the zone reaches this far above and below the row's boxes (1.0 missed an underline sloping
# away below its label on a rough scan; +6 false alarms in ~11,500 re-read fields)
SIDE_MM = 6.0  # ... and this far left of its first box and right of its last box or label (a tick beside it)
LABEL_GAP_MM = 4.0  # printed text starting within this distance right of a box is that box's label
BOX_MASK_MM = 0.8  # a printed outline (stroke, blur, registration error) lies within this of the box rect
PRINT_MASK_MM = 0.5  # printed text and rules within this of their rect
FRAME_MASK_MM = 1.0  # a text area's frame (and the writing in it, which may stray over it)
MARK_MASK_MM = 2.5  # a mark in a box runs past it by up to this (the overshoot of a tick or cross) ...
CIRCLE_MASK_MM = 4.0  # ... a loop drawn around the box by up to this
EDGE_STRIP_MM = 0.8  # a flat strip no taller than this along the zone's top or bottom is print outside it
QUICK_RES = 4.0  # px per mm of the cheap first look (a quarter of the pixels) ...
QUICK_WIN_PX = int(2.0 * QUICK_RES) | 1  # ... its paper: the lightest within 2 mm (> LOCAL_WIN_MM) ...
QUICK_T = 0.6 * MIN_T_INK  # ... its threshold: a 0.3 mm stroke keeps >= 60 % of its darkness on a 0.25 mm grid
QUICK_SHARE = 0.5  # ... and the share of BESIDE_MM2 it must find to look closer
THICK_WIN_PX = int(2.0 * RES) | 1  # the lightest paper within 2 mm, against which a thick stroke is whole ...
THICK_MARGIN = 0.05  # ... darker than the ink threshold by this much (a shaded band's edge is not) ...
HALO_PX = int(0.6 * RES) | 1  # ... where that paper is at least 0.6 mm across: a sharpened scan or photo rims
# print with a thin light halo, and against the halo the plain paper beside every label read as ink
TEXT_MIN_MM = 1.0  # printed rects at least this tall are text (thinner ones are rules) ...
DESCENDER_SHARE = 0.25  # ... whose bottom quarter lies below the baseline (the descenders) ...
UNDERLINE_GAP_MM = 0.3  # ... from this far below the baseline (letters sit on it, blurred) ...
UNDERLINE_MM = 2.5  # ... where a straight horizontal run this long is a pen line under or through it (print
# descenders stay shorter; 3.0 missed a ballpoint line under the two-letter "Ny", 0 new false alarms in
# ~17,000 re-read fields)
UNDER_LABEL_MIN_MM = 1.8  # a flat stroke this long (the hook of a "y" stays shorter; it is masked anyway) ...
UNDER_LABEL_FLAT = 0.35  # ... no taller than this share of its length ...
UNDER_LABEL_MM2 = 0.4  # ... holding this much ink ...
UNDER_LABEL_SHARE = 0.5  # ... under this share of a label (or of itself) ...
UNDER_LABEL_BELOW_MM = 1.5  # ... from its descender band down to this far below it: an underline, whatever its ink
UNDERLINE_SKIP_MM = 0.5  # ... on a 1-bit page also across gaps this short in a band's lower half (the threshold
# broke a ballpoint underline in two; across the whole band, the feet of letters on a phone photo joined up so)
SNAP_NEAR_MM = 30.0  # print within this of a box (centre to centre) moves with that box's snap
SPECK_MM2 = 0.12  # ink components smaller than this are noise
PIECE_MM = 1.0  # ink this long and ...
CREASE_WIDTH_MM = 0.6  # ... no wider on average may be a piece of a crease: ...
CHORD_MIN_MM = 8.0  # ... it is when its line, followed across the zone for at least this much outside print ...
CREASE_SUPPORT = 0.5  # ... finds ink on this share of its way, or ...
CREASE_CONTRAST = 0.03  # ... is darker along its way (median) than the paper beside it by this much ...
THIRD_SEEN_MM = 1.0  # ... in each third of its way that holds at least this much outside print (>= 2) ...
CREASE_SPREAD = 0.85  # ... with ink from end to end of this share of the visible way (a crease runs on to
# the zone's ends; an underline, however long, stops with its word: 6 mm or more before the end)
SIDE_LOOK_MM = 1.5  # ... looked at this far to either side - in each third of the way
ON_LINE_MM = 0.5  # ink this close to a candidate line is refitted with it
MAX_PIECES = 24  # at most this many pieces (the longest) are followed as possible creases
CLIP_SHARE = 0.6  # a thin piece at the zone's edge along this much of its line's short way through: a crease
CREASE_SOLID_1BIT = 0.95  # ... and on a 1-bit page (where a fold's shadow is cut to black dashes or lost) a line
# inked along this share of its visible way is a pen's
CREASE_ALIGN = 0.2  # two pieces of ink are dashes of one line when both run along it (within ~12 degrees)
BESIDE_MM2 = 1.0  # pen ink beside the boxes from this much: a tick ~2.5 mm2, a circled label >= 8 mm2 ...
BESIDE_MM2_BILEVEL = 0.6  # ... on a 1-bit page from this much: the threshold keeps only the darkest part of a
# pencil loop (a circle around "Kvinne" left 0.83 mm2 outside the label) and leaves the paper clean

Rect = Sequence[float]  # x, y, w, h in mm


def _grown(r: Rect, mm: float) -> tuple[float, float, float, float]:
    x, y, w, h = (float(v) for v in r)
    return x - mm, y - mm, w + 2 * mm, h + 2 * mm


def label_of(box: Rect, printed: Sequence[Rect] | np.ndarray) -> Rect | None:
    """The printed rect that is this box's label: starts just right of it, on its line."""
    x, y, w, h = (float(v) for v in box)
    P = np.asarray(printed, dtype=np.float64).reshape(-1, 4)
    gap = P[:, 0] - (x + w)
    cy = y + h / 2
    ok = (gap >= 0.0) & (gap <= LABEL_GAP_MM) & (P[:, 1] <= cy) & (cy <= P[:, 1] + P[:, 3])
    if not ok.any():
        return None
    return [float(v) for v in P[np.flatnonzero(ok)[np.argmin(gap[ok])]]]


def row_zones(options: Sequence[dict], printed: Sequence[Rect] | np.ndarray) -> list[tuple[float, float, float, float]]:
    """The zones (mm) to look in for a field: one per line of boxes (a field may wrap)."""
    lines: list[list[Rect]] = []
    for o in options:
        r = o["rect_mm"]
        line = next((ln for ln in lines if abs(float(ln[0][1]) - float(r[1])) < 1.0), None)
        if line is None:
            lines.append([r])
        else:
            line.append(r)
    zones = []
    for line in lines:
        right = []
        for b in line:
            lab = label_of(b, printed)
            right.append(float(b[0]) + float(b[2]) if lab is None else float(lab[0]) + float(lab[2]))
        x0 = min(float(b[0]) for b in line) - SIDE_MM
        x1 = max(right) + SIDE_MM
        y0 = min(float(b[1]) for b in line) - PAD_MM
        y1 = max(float(b[1]) + float(b[3]) for b in line) + PAD_MM
        zones.append((x0, y0, x1 - x0, y1 - y0))
    return zones


@functools.lru_cache(maxsize=512)
def _zones_cached(boxes: tuple, printed_key: bytes) -> list[tuple[float, float, float, float]]:
    """`row_zones` for one field of a layout page (the same for every scan of it)."""
    printed = np.frombuffer(printed_key, dtype=np.float64).reshape(-1, 4)
    return row_zones([{"rect_mm": b} for b in boxes], printed)


def _free(shape: tuple[int, ...], zone: Rect, masks: Sequence[Rect] | np.ndarray, res: float) -> np.ndarray:
    """1 where the zone (warped at `res` px/mm) is outside every mask rect."""
    free = np.ones(shape[:2], np.uint8)
    M = np.asarray(masks, dtype=np.float64).reshape(-1, 4)
    if not len(M):
        return free
    lo = np.floor((M[:, :2] - (float(zone[0]), float(zone[1]))) * res)
    hi = np.ceil((M[:, :2] + M[:, 2:] - (float(zone[0]), float(zone[1]))) * res)
    for x0, y0, x1, y1 in np.maximum(np.hstack([lo, hi]), 0).astype(np.intp).tolist():
        free[y0:y1, x0:x1] = 0
    return free


def _runs_in(ink: np.ndarray, zone: Rect, texts: Sequence[Rect], res: float, skip_mm: float = 0.0) -> np.ndarray:
    """Straight horizontal runs of ink (>= UNDERLINE_MM) in the descender bands of printed text: underlines.

    A printed text rect reaches down to the descenders, over where people underline, so it cannot
    simply be masked out. Below the baseline letters hold no straight stroke that long (only
    descenders: g, j, p, y); a pen line under the label does, also drawn a few degrees off level
    (looked for with +-0.25 mm of slack). Above the baseline print may: the bars of "ST" or "Lav"
    run together into 2.5-3 mm on a blurred scan. `skip_mm`: gaps this short along a run in the lower
    half of a band are bridged.
    """
    inside = ink & np.logical_not(_free(ink.shape, zone, texts, res)).astype(np.uint8)
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (int(round(UNDERLINE_MM * res)), 1))
    # thickened up and down first, so that a line drawn a few degrees off level keeps its length
    up_down = np.ones((2 * max(1, int(round(0.25 * res))) + 1, 1), np.uint8)
    runs = cv2.morphologyEx(cv2.dilate(inside, up_down), cv2.MORPH_OPEN, k) & inside
    gap = int(round(skip_mm * res))
    if gap and len(texts):
        # a line broken by short gaps, looked for in the lower half of the bands only: the feet of
        # letters, bolder on a dark scan, reach the top of a band and their gaps are as short
        T = np.asarray(texts, dtype=np.float64).reshape(-1, 4)
        low = np.column_stack([T[:, 0], T[:, 1] + T[:, 3] / 2, T[:, 2], T[:, 3] / 2])
        deep = inside & np.logical_not(_free(ink.shape, zone, low, res)).astype(np.uint8)
        joined = cv2.morphologyEx(cv2.dilate(deep, up_down), cv2.MORPH_CLOSE, np.ones((1, gap + 1), np.uint8))
        runs |= cv2.morphologyEx(joined, cv2.MORPH_OPEN, k) & deep
    return runs


def _underlines_a_label(kept: np.ndarray, zone: Rect, bands: Sequence[Rect]) -> bool:
    """True when a flat straight stroke lies right under a label, along a good part of it.

    A pencil underline under a two-letter label ("Ny") is ~2 mm long and may hold less ink than a
    row's doubt needs; but nothing printed lies outside the print's masks, and noise or a fold (taken
    out before) does not make a short flat stroke right under a word.
    """
    n, labels, stats = component_stats(kept)
    zx, zy = float(zone[0]), float(zone[1])
    for x, y, w, h, area in (tuple(int(v) for v in st) for st in stats[1:]):
        if w < UNDER_LABEL_MIN_MM * RES or h > UNDER_LABEL_FLAT * w or area < UNDER_LABEL_MM2 * RES * RES:
            continue
        x0, x1, yc = zx + x / RES, zx + (x + w) / RES, zy + (y + h / 2) / RES
        for bx, by, bw, bh in (tuple(float(v) for v in b) for b in bands):
            over = min(x1, bx + bw) - max(x0, bx)
            if over >= UNDER_LABEL_SHARE * min(x1 - x0, bw) and by <= yc <= by + bh + UNDER_LABEL_BELOW_MM:
                return True
    return False


def least_ink_mm2(bilevel: bool) -> float:
    """How much pen ink beside a row's boxes sends it to review (mm2)."""
    return BESIDE_MM2_BILEVEL if bilevel else BESIDE_MM2


def _darker_than_lightest(g: np.ndarray, win_px: int, t: float, across_px: int = 1) -> np.ndarray:
    """1 where a pixel is darker by `t` (share) than the lightest paper within `win_px` around it.

    across_px: only paper at least this wide counts (a grey opening first drops thinner light lines).
    """
    paper = cv2.erode(g, cv2.getStructuringElement(cv2.MORPH_RECT, (across_px, across_px))) if across_px > 1 else g
    top = cv2.dilate(paper, cv2.getStructuringElement(cv2.MORPH_RECT, (win_px, win_px)))
    return cv2.compare(cv2.subtract(top, g), cv2.multiply(top, t, dtype=cv2.CV_8U), cv2.CMP_GE) & 1


def beside_ink_mm2(image: np.ndarray, H: np.ndarray, zone: Rect, masks: Sequence[Rect],
                   streaks: dict | None = None, texts: Sequence[Rect] = (), bilevel: bool = False) -> float:
    """Pen ink (mm2) in `zone` outside the `masks` (mm rects: print, boxes, marks in boxes).

    `texts`: the descender bands of the printed text among the masks: straight lines there still count.
    Less ink than `least_ink_mm2(bilevel)` (what would raise a doubt) may be returned as 0.
    """
    least_mm2 = least_ink_mm2(bilevel)
    skip_mm = UNDERLINE_SKIP_MM if bilevel else 0.0
    # first a cheap look at QUICK_RES that can only see more ink than the real one: darkness against
    # the lightest paper around each pixel (>= the local median level), at a threshold and an area
    # low enough for thin strokes thinned by the coarser grid. Nearly every row ends here.
    g = warp_rect_grey(image, H, zone, QUICK_RES, streaks=streaks or None, perspective=True)
    quick = _darker_than_lightest(g, QUICK_WIN_PX, QUICK_T)
    seen = cv2.countNonZero(quick & _free(g.shape, zone, masks, QUICK_RES))
    if len(texts) and seen < QUICK_SHARE * least_mm2 * QUICK_RES ** 2:
        seen += cv2.countNonZero(_runs_in(quick, zone, texts, QUICK_RES, skip_mm))
    if seen < QUICK_SHARE * least_mm2 * QUICK_RES ** 2:
        return 0.0
    g = warp_rect_grey(image, H, zone, RES, streaks=streaks or None, perspective=True)
    free = _free(g.shape, zone, masks, RES)
    L8, sigma = LocalPaper(g).maps()
    t = ink_threshold(sigma)
    raw = np.greater(L8, int(t * 255)).astype(np.uint8)
    # the local level is a median over 1.25 mm: inside a felt-tip stroke it is the ink itself, which
    # leaves holes. Against the lightest paper within 2 mm (a shaded band's edge adds <= 0.06) the
    # stroke is whole
    raw |= _darker_than_lightest(g, THICK_WIN_PX, t + THICK_MARGIN, HALO_PX)
    if len(texts):
        free = free | _runs_in(raw, zone, texts, RES, skip_mm)  # an underline is looked at like the rest
    ink = raw & free
    if cv2.countNonZero(ink) < UNDER_LABEL_MM2 * RES * RES:
        return 0.0  # too little for any answer (nearly every row): no need to look closer
    ink = cv2.medianBlur(ink * 255, 3) // 255
    n, labels, stats = component_stats(ink)
    if n <= 1:
        return 0.0
    zh, zw = ink.shape
    x, y, w, h, area = (stats[1:, i] for i in range(5))
    keep = area >= SPECK_MM2 * RES * RES
    # the edge of a printed frame or rule just outside the zone, reaching in where the page is not
    # mapped to the last half millimetre (phone photos): a flat strip along the top or bottom
    keep &= ~(((y == 0) | (y + h >= zh)) & (h <= EDGE_STRIP_MM * RES) & (w >= 2 * h))
    kept = np.r_[0, keep.astype(np.uint8)][labels].astype(np.uint8)
    pieces = [i for i in np.flatnonzero(keep)
              if max(w[i], h[i]) >= PIECE_MM * RES and area[i] <= CREASE_WIDTH_MM * RES * max(w[i], h[i])]
    pieces = sorted(pieces, key=lambda i: -max(w[i], h[i]))[:MAX_PIECES]  # the longest bound the work
    if pieces:
        kept &= ~_crease_lines(L8, raw & free, free, [stats[i + 1] for i in pieces], labels,
                               [i + 1 for i in pieces], bilevel) & 1
    found = float(cv2.countNonZero(kept)) / (RES * RES)
    if found < least_mm2 and len(texts) and _underlines_a_label(kept, zone, texts):
        return least_mm2  # little ink, but the shape of an underline right under a label: an answer's mark
    return found


def _crease_lines(dark: np.ndarray, ink: np.ndarray, free: np.ndarray, stats: list, labels: np.ndarray,
                  ids: list[int], bilevel: bool = False) -> np.ndarray:
    """Mask of straight lines crossing the whole zone (creases, folds, streaks) that thin ink lies on.

    A crease runs straight from one edge of the zone to another: a faint grey line, darker than the
    paper beside it all along, crossing the ink threshold in dashes. Lines through the centres of
    two thin pieces of ink at least CHORD_MIN_MM apart (and each piece's own line, for a crease in
    one piece) are followed across the zone, outside the print and boxes. Where ink lies on most of
    the way (CREASE_SUPPORT), or the paper on the line is darker than the paper 1.5 mm to either
    side (medians along the way, CREASE_CONTRAST), the line is a crease: all ink along it goes.
    A pen stroke beside a box - an arc of a loop around a label, a tick, a label's underline - ends
    where the pen stopped, well before the zone does: along most of its line there is only paper.
    A line darker than CREASE_MAX_DARK (share of the paper, median along it) is pen ink, however straight
    and long; on a 1-bit page, where a fold can be as black as a pen, a line unbroken along
    CREASE_SOLID_1BIT of its visible way is.
    """
    zh, zw = dark.shape
    k5 = np.ones((5, 5), np.uint8)  # +-2 px: a slanted line's pixels form a staircase
    near, support = cv2.dilate(dark, k5), cv2.dilate(ink, k5)
    out = np.zeros(dark.shape, np.uint8)
    width = max(3, int(round(2 * CREASE_WIDTH_MM * RES)))
    centres = [(float(st[0] + st[2] / 2), float(st[1] + st[3] / 2)) for st in stats]
    dirs = []
    for k in ids:
        ys, xs = np.nonzero(labels == k)
        vx, vy, _, _ = fit_line(xs, ys)
        dirs.append((vx, vy))
    lines = [(cx, cy, vx, vy) for (cx, cy), (vx, vy) in zip(centres, dirs, strict=True)]
    for k, st, (vx, vy) in zip(ids, stats, dirs, strict=True):
        # a crease clipping a corner or an edge of the zone: too short inside it to follow, but the
        # piece runs from the zone's edge along most of its line's short way through the zone
        x, y, w, h = (int(v) for v in st[:4])
        if x > 0 and y > 0 and x + w < zw and y + h < zh:
            continue
        ys, xs = np.nonzero(labels == k)
        cx, cy = float(xs.mean()), float(ys.mean())
        t0, t1 = chord(cx, cy, vx, vy, zw, zh)
        along = (xs - cx) * vx + (ys - cy) * vy
        if t1 - t0 < CHORD_MIN_MM * RES and np.ptp(along) >= CLIP_SHARE * (t1 - t0):
            cv2.line(out, (int(cx + vx * t0), int(cy + vy * t0)), (int(cx + vx * t1), int(cy + vy * t1)), 1, width)
    for i, j in itertools.combinations(range(len(centres)), 2):
        (xa, ya), (xb, yb) = centres[i], centres[j]
        d = float(np.hypot(xb - xa, yb - ya))
        # two dashes of one crease lie along the line joining them
        if d >= CHORD_MIN_MM * RES and all(abs((xb - xa) * v[1] - (yb - ya) * v[0]) <= CREASE_ALIGN * d
                                           for v in (dirs[i], dirs[j])):
            lines.append((xa, ya, xb - xa, yb - ya))
    iy, ix = np.nonzero(ink)
    for x0, y0, vx, vy in lines:
        n = float(np.hypot(vx, vy))
        vx, vy = vx / n, vy / n
        # refit on all the ink near the line: dashes far apart pin a faint crease down better than two
        on = np.abs((ix - x0) * vy - (iy - y0) * vx) <= ON_LINE_MM * RES
        if np.count_nonzero(on) >= 2 * PIECE_MM * RES:
            vx, vy, x0, y0 = fit_line(ix[on], iy[on], cv2.DIST_HUBER)
        t0, t1 = chord(x0, y0, vx, vy, zw, zh)
        tt = np.arange(t0, t1, 1.0)
        px, py = np.rint(x0 + vx * tt).astype(int), np.rint(y0 + vy * tt).astype(int)
        ok = (px >= 0) & (px < zw) & (py >= 0) & (py < zh)
        px, py = px[ok], py[ok]
        seen = free[py, px] > 0
        if np.count_nonzero(seen) < CHORD_MIN_MM * RES:
            continue
        # a crease all the way: each third of the way across the zone shows it where print does not
        # hide it (a pen stroke lies in one third, or two at most)
        thirds = [(qx[s], qy[s]) for qx, qy, s in zip(np.array_split(px, 3), np.array_split(py, 3),
                                                       np.array_split(seen, 3), strict=True)]
        thirds = [(qx, qy) for qx, qy in thirds if qx.size >= THIRD_SEEN_MM * RES]
        inked = np.flatnonzero(seen & (support[py, px] > 0))  # ink on the way, where it lies ...
        visible = np.flatnonzero(seen)  # ... against the stretch of the way print leaves visible
        spread = (inked[-1] - inked[0]) / max(int(visible[-1] - visible[0]), 1) if inked.size else 0.0
        if not bilevel and inked.size and np.median(near[py[inked], px[inked]]) >= CREASE_MAX_DARK * 255:
            continue  # as dark as a pen all along: a row struck through with a ruler, not a fold
        if bilevel and inked.size >= CREASE_SOLID_1BIT * visible.size:
            continue  # 1 bit: unbroken wherever print leaves it visible - a pen line (a fold comes through in dashes)
        if (len(thirds) >= 2 and spread >= CREASE_SPREAD
                and all(_shows_line(near, support, qx, qy, vx, vy) for qx, qy in thirds)):
            cv2.line(out, (int(px[0]), int(py[0])), (int(px[-1]), int(py[-1])), 1, width)
    return out


def _shows_line(near: np.ndarray, support: np.ndarray, px: np.ndarray, py: np.ndarray, vx: float, vy: float) -> bool:
    """True if a line shows along these points: ink on most of them, or darker than the paper beside it."""
    if px.size == 0:
        return False
    if np.count_nonzero(support[py, px]) >= CREASE_SUPPORT * px.size:
        return True
    zh, zw = near.shape
    side = []
    for o in (-1.0, 1.0):  # the paper beside the line, on both sides
        qx = np.rint(px - vy * o * SIDE_LOOK_MM * RES).astype(int)
        qy = np.rint(py + vx * o * SIDE_LOOK_MM * RES).astype(int)
        q = (qx >= 0) & (qx < zw) & (qy >= 0) & (qy < zh)
        if np.count_nonzero(q) >= 0.5 * px.size:
            side.append(float(np.median(near[qy[q], qx[q]])))
    return bool(side) and float(np.median(near[py, px])) - max(side) >= CREASE_CONTRAST * 255


def doubt_ink_beside_boxes(fields: dict[str, FieldDecision], page_fields: list[dict], image: np.ndarray,
                           H: np.ndarray, printed: Sequence[Rect], streaks: dict | None = None,
                           bilevel: bool = False) -> None:
    """Send choice rows with pen ink beside their boxes to review (see the module docstring).

    Rows already with a person stay as they are, except a required row left empty (`no_mark`):
    the ink beside it is the better evidence, so it takes that reason.
    """
    choice = [f for f in page_fields if f.get("kind") in ("single", "multi") and f.get("options")]
    todo = [f for f in choice if (fd := fields.get(str(f["id"]))) is not None
            and (fd.status == "accepted" or fd.reason == "no_mark")]
    if not todo:
        return
    masks, bands = _page_masks(fields, choice, page_fields, printed)
    pkey = np.asarray(printed, dtype=np.float64).reshape(-1, 4).tobytes()
    least = least_ink_mm2(bilevel)
    for f in todo:
        fd = fields[str(f["id"])]
        for zone in _zones_cached(tuple(tuple(float(v) for v in o["rect_mm"]) for o in f["options"]), pkey):
            if beside_ink_mm2(image, H, zone, _overlapping(masks, zone), streaks,
                              _overlapping(bands, zone), bilevel) >= least:
                fd.status, fd.reason, fd.confidence = "review", "ink_beside_boxes", min(fd.confidence, 0.5)
                break


QUIET_SPECK_MM2 = 0.1  # faint ink beside a faint writer's row below this (after a 3x3 median) is noise, not a mark


def faint_ink_beside(fields: dict[str, FieldDecision], page_fields: list[dict], image: np.ndarray, H: np.ndarray,
                     printed: Sequence[Rect], streaks: dict | None = None) -> Callable[[str, float], float]:
    """`look(field_id, t)`: pen ink (mm2) beside that row's boxes darker than `t` against the local paper.

    For a faint writer's row read as empty (`writer.quiet_box`): the ink threshold of
    `doubt_ink_beside_boxes` is above a faint pencil, so a label circled or underlined in it, or a tick
    beside the box, passed as no answer (a faint-pencil stress run with answers marked beside the
    boxes). Here the threshold is the caller's - a share of the writer's faintest mark - and nothing
    is taken out but print, boxes and specks: a crease or a shadow's edge only keeps the row with a
    person. Without the print (`printed` empty) no row can vouch for itself: infinite ink.
    """
    @functools.cache
    def page() -> tuple[dict[str, dict], np.ndarray, np.ndarray, bytes]:  # on the first look: most pages need none
        choice = [f for f in page_fields if f.get("kind") in ("single", "multi") and f.get("options")]
        masks, bands = _page_masks(fields, choice, page_fields, printed)
        return ({str(f["id"]): f for f in choice}, masks, bands,
                np.asarray(printed, dtype=np.float64).reshape(-1, 4).tobytes())

    def look(fid: str, t: float) -> float:
        if not len(printed):
            return float("inf")
        by_id, masks, bands, pkey = page()
        f = by_id.get(fid)
        if f is None:
            return float("inf")
        found = 0.0
        for zone in _zones_cached(tuple(tuple(float(v) for v in o["rect_mm"]) for o in f["options"]), pkey):
            g = warp_rect_grey(image, H, zone, RES, streaks=streaks or None, perspective=True)
            L8, _ = LocalPaper(g).maps()
            raw = np.greater(L8, int(t * 255)).astype(np.uint8)
            texts = _overlapping(bands, zone)
            ink = raw & _free(g.shape, zone, _overlapping(masks, zone), RES)
            if len(texts):
                ink |= _runs_in(raw, zone, texts, RES)
            found += cv2.countNonZero(cv2.medianBlur(ink * 255, 3)) / (RES * RES)
        return found

    return look


def _overlapping(rects: np.ndarray, zone: Rect) -> np.ndarray:
    """The rects (N x 4, mm) that overlap the zone."""
    zx, zy, zw, zh = (float(v) for v in zone)
    return rects[(rects[:, 0] < zx + zw) & (zx < rects[:, 0] + rects[:, 2])
                 & (rects[:, 1] < zy + zh) & (zy < rects[:, 1] + rects[:, 3])]


def _page_masks(fields: dict[str, FieldDecision], choice: list[dict], page_fields: list[dict],
                printed: Sequence[Rect]) -> tuple[np.ndarray, np.ndarray]:
    """(masks, underline bands) of a page, mm rects: what is not pen ink beside a box, and where it may be.

    Boxes are masked where they were found (each is snapped to its printed outline), grown by a
    marked box's overshoot; print and text frames move with the nearest box's snap - on a phone photo
    the mapping may be a millimetre off, and so is the print beside the boxes. The bands are the
    descender strips of the printed text (not rules), where people underline.
    """
    shifts: list[tuple[float, float, float, float]] = []  # box centre x, y (mm) and its snap dx, dy
    boxes: list[tuple[float, float, float, float]] = []
    for f in choice:
        fd = fields.get(str(f["id"]))
        states = {b.value: b for b in fd.boxes} if fd is not None else {}
        for o in f["options"]:
            b = states.get(str(o["value"]))
            dx, dy = (float(v) for v in (b.measures.get("snap_mm", (0.0, 0.0)) if b is not None else (0.0, 0.0)))
            x, y, w, h = (float(v) for v in o["rect_mm"])
            shifts.append((x + w / 2, y + h / 2, dx, dy))
            grow = BOX_MASK_MM if b is None or b.state == "empty" else (
                CIRCLE_MASK_MM if b.why == "circled" else MARK_MASK_MM)
            boxes.append(_grown((x + dx, y + dy, w, h), grow))
    S = np.asarray(shifts, dtype=np.float64).reshape(-1, 4)
    P = np.asarray(printed, dtype=np.float64).reshape(-1, 4)
    frames = np.asarray([f["rect_mm"] for f in page_fields if f.get("kind") == "text" and f.get("rect_mm")],
                        dtype=np.float64).reshape(-1, 4)
    R = np.vstack([P, frames])
    grow = np.r_[np.full(len(P), PRINT_MASK_MM), np.full(len(frames), FRAME_MASK_MM)]
    shift = np.zeros((len(R), 2))
    if len(S) and len(R):
        c = R[:, :2] + R[:, 2:] / 2
        dist = np.hypot(c[:, None, 0] - S[None, :, 0], c[:, None, 1] - S[None, :, 1])
        k = np.argmin(dist, axis=1)
        near = dist[np.arange(len(R)), k] <= SNAP_NEAR_MM
        shift[near] = S[k[near], 2:]
    G = np.column_stack([R[:, 0] + shift[:, 0] - grow, R[:, 1] + shift[:, 1] - grow,
                         R[:, 2] + 2 * grow, R[:, 3] + 2 * grow])
    txt = np.flatnonzero((np.arange(len(R)) < len(P)) & (R[:, 3] >= TEXT_MIN_MM))
    band = DESCENDER_SHARE * R[txt, 3] - UNDERLINE_GAP_MM + grow[txt]
    bands = np.column_stack([G[txt, 0], G[txt, 1] + G[txt, 3] - band, G[txt, 2], band])
    return np.vstack([np.asarray(boxes, dtype=np.float64).reshape(-1, 4), G]), bands
