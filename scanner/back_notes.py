"""Handwriting on a page that carries no form code: a note on the back of a sheet.

An assessor whose comment box is full goes on writing on the back ("se baksiden"). The blank test
(`identify.ink_fraction`) counts ink darker than 0.35 over ~20 mm2: it ignores show-through, and so
also a pencil note, any faint-pencil note and a short ballpoint line. Such a back was filed as
`blank`, and nobody would ever have read the comment. This look runs only on pages the blank test
passed. It finds pen strokes against the local paper at 150-220 dpi and keeps those that group like
writing: a cluster of strokes at least a few mm long, thicker across than a crease or a streak, not
a filled patch (a stain, a shadow), not a sparse net (folds crossing), not mostly straight runs (a
folded corner's edges) and not a ring (a cup's).

Show-through is the danger: the front's print and writing seen through the sheet form mirrored
strokes too. On a normal scanner they stay far below the stroke darkness kept here; a scanner set
dark lifts them. The darkest show-through on the back of a formkit page is its corner markers'
(solid black print). When they show, the bar for strokes rises above them.
"""

from __future__ import annotations

import cv2
import numpy as np

from scanner.imageops import component_stats, halved, hist256, hist_median_mad, ink_grey, line_kernels, pyramid_to

WORK_LONG_SIDE = 2600  # px: 150-220 dpi on A4 (a 200-dpi scan as it is: halved, a faint-pencil stroke was lost)
PAPER_WIN_MM = 3.0  # the local paper level: a max filter this wide (wider than any stroke)
T_PIXEL = 0.08  # a pixel this much darker than its paper may be a stroke (show-through on a normal scan <= 0.06)
NOISE_SIGMAS = 6.0  # ... and this many noise sigmas above the paper's median
T_STROKE = 0.10  # a stroke group's median darkness must reach this (faint pencil ~0.12-0.15; a scanner set dark
# lifts show-through to ~0.08-0.13)
GHOST_MARGIN = 1.5  # ... and this many times the darkness of the markers' show-through, where it shows
SPECK_MM = 0.6  # pieces shorter than this are dust and paper specks
HOLE_RIM_MM = (4.5, 10.0)  # a filing hole, whatever is left of it against the local paper (its rim, or the disc
HOLE_EDGE_MM = 32.0  # blurred wider): a square piece this size centred this near an image edge (a rough scan's
# shift and scale put a hole 12 mm from the sheet's edge 26 mm from the image's)
MARGIN = 0.04  # of the image: pieces in the outer band are scanner borders and shadows of the sheet's edge
JOIN_MM = 2.5  # strokes this close belong to one group (letters of a word, words of a line)
GROUP_LONG_MM = 4.0  # a group shorter than this along its main axis is a dot or a blot, not writing (a
# felt-tip word of three letters is ~5 mm)
GROUP_THICK_MM = 1.2  # ... and one thinner than this across it is a line (a crease, a scanner streak)
GROUP_FILL_MAX = 0.5  # ... one covering more of its box than this is a patch (a stain, a shadow)
GROUP_FILL_MIN = 0.02  # ... and less than this a net of lines across the sheet (folds crossing); writing covers
# 7-20 % of its box
LINE_MM = 4.0  # straight runs this long (level or tilted a few degrees) are a rule, a crease, a folded corner's
LINE_SHARE_MAX = 0.5  # edge: a sparse group (< LINES_FILL of its box: edges, not a pen's dense strokes, in which
LINES_FILL = 0.06  # any straight run fits) whose strokes are more than this share of such runs is not writing
RING_SPREAD = 0.2  # a group whose points lie within this share of their mean distance from its centre: a ring
RING_MIN_MM = 2.0  # ... of at least this radius (a cup's rim)
GHOST_SIDE_MM = (6.0, 20.0)  # a marker's show-through: a solid square this size ...
GHOST_CORNER_MM = 40.0  # ... within this distance of two image edges
GHOST_FILL = 0.25
GHOST_DARK_MAX = 0.3  # ... and paler than this: show-through is faint by nature (a felt-tip word in a corner is not)
NOTE_MM2 = 3.0  # strokes kept over this area: a note (a short word in ballpoint is ~5-10 mm2)
NOTE_INK_MAX = 0.015  # a page with more dark ink than this (`identify.ink_fraction`; three lines of handwriting
# ~0.002-0.005, a typed letter ~0.04) is taken for a stranger's page, not a note


def note_mm2(image: np.ndarray) -> float:
    """Area (mm2) of pen strokes that group like writing, on a page image at any resolution."""
    g, _ = pyramid_to(ink_grey(image), WORK_LONG_SIDE)
    g = ink_grey(g)
    h, w = g.shape
    ppm = max(h, w) / 297.0  # the sheet fills a scan closely enough
    small = halved(g)  # the paper level varies slowly: found at half this resolution, 4x cheaper
    k = int(round(PAPER_WIN_MM * ppm / 2)) | 1
    paper = cv2.resize(cv2.blur(cv2.dilate(small, np.ones((k, k), np.uint8)), (k, k)), (w, h),
                       interpolation=cv2.INTER_LINEAR)
    # darkness 0..255 (cv2.max, not np.maximum: the same pixels, ~5x cheaper over a page)
    d8 = cv2.divide(cv2.subtract(paper, g), cv2.max(paper, 1), scale=255.0)
    med, mad = hist_median_mad(hist256(np.ascontiguousarray(d8[::3, ::3])))
    t8 = int(max(255 * T_PIXEL, med + NOISE_SIGMAS * 1.4826 * mad))
    strokes, ghost = _strokes(d8, t8, ppm)
    if not strokes.any():
        return 0.0
    j = int(round(JOIN_MM * ppm)) | 1
    n, labels, stats = component_stats(cv2.dilate(strokes, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (j, j))))
    groups = []
    for i in range(1, n):
        x, y, bw, bh, _ = (int(v) for v in stats[i])
        inside = (strokes[y:y + bh, x:x + bw] > 0) & (labels[y:y + bh, x:x + bw] == i)
        ys, xs = np.nonzero(inside)
        if xs.size < 4:
            continue
        dark = float(np.median(d8[y:y + bh, x:x + bw][inside])) / 255.0
        fill = xs.size / float(bw * bh)
        if (GROUP_FILL_MIN <= fill < GROUP_FILL_MAX and _writing_shape(xs, ys, ppm)
                and not (fill < LINES_FILL and _mostly_lines(inside, ppm))):
            groups.append((dark, xs.size / ppm / ppm))
    bar = max(T_STROKE, GHOST_MARGIN * ghost)
    return float(sum(mm2 for dark, mm2 in groups if dark >= bar))


def _strokes(d8: np.ndarray, t8: int, ppm: float) -> tuple[np.ndarray, float]:
    """The pieces darker than `t8` that may be pen - not specks, not at the image's border, not filing holes
    (a square piece a hole's size by the edge, the disc or its rim: a felt-tip word in mid-sheet is as
    round and as solid) - and the darkness of the corner markers' show-through (0 when none shows)."""
    n, labels, stats = component_stats((d8 > t8).astype(np.uint8))
    if n <= 1:
        return np.zeros(d8.shape, np.uint8), 0.0
    h, w = d8.shape
    x, y, bw, bh, area = (stats[1:, i] for i in range(5))
    ghost = 0.0
    for k in np.flatnonzero(_marker_ghost(x, y, bw, bh, area / np.maximum(bw * bh, 1), w, h, ppm)):
        piece = labels[y[k]:y[k] + bh[k], x[k]:x[k] + bw[k]] == k + 1
        dark = float(np.median(d8[y[k]:y[k] + bh[k], x[k]:x[k] + bw[k]][piece])) / 255.0
        if dark <= GHOST_DARK_MAX:
            ghost = max(ghost, dark)
    mx, my = int(MARGIN * w), int(MARGIN * h)
    lo, hi = (v * ppm for v in HOLE_RIM_MM)
    cx, cy = x + bw / 2, y + bh / 2
    by_edge = np.minimum.reduce([cx, cy, w - cx, h - cy]) <= HOLE_EDGE_MM * ppm
    hole = by_edge & (bw >= lo) & (bw <= hi) & (bh >= lo) & (bh <= hi) & (np.abs(bw - bh) <= 0.25 * np.maximum(bw, bh))
    keep = ((x > mx) & (y > my) & (x + bw < w - mx) & (y + bh < h - my) & ~hole
            & (np.maximum(bw, bh) >= SPECK_MM * ppm))
    lut = np.zeros(n, np.uint8)
    lut[1:][keep] = 1
    return lut[labels], ghost


def _writing_shape(xs: np.ndarray, ys: np.ndarray, ppm: float) -> bool:
    """Long enough, thick enough across its main axis (not a line) and not a ring."""
    pts = np.column_stack([xs, ys]).astype(np.float64)
    c = pts - pts.mean(axis=0)
    lo, hi = np.linalg.eigvalsh(c.T @ c / len(pts))
    if 4 * np.sqrt(max(hi, 0.0)) / ppm < GROUP_LONG_MM or 4 * np.sqrt(max(lo, 0.0)) / ppm < GROUP_THICK_MM:
        return False
    r = np.hypot(c[:, 0], c[:, 1])
    return not (r.std() < RING_SPREAD * r.mean() and r.mean() > RING_MIN_MM * ppm)


def _mostly_lines(group: np.ndarray, ppm: float) -> bool:
    """True when most of a group's strokes lie on straight runs >= LINE_MM (the edges of a folded corner)."""
    mask = group.astype(np.uint8)
    joined = cv2.dilate(mask, np.ones((3, 3), np.uint8))  # a grainy edge's dots make one run
    lines = np.zeros_like(mask)
    for kernel in line_kernels(int(round(LINE_MM * ppm))):
        lines |= cv2.morphologyEx(joined, cv2.MORPH_OPEN, kernel)
    return cv2.countNonZero(lines & mask) > LINE_SHARE_MAX * cv2.countNonZero(mask)


def _marker_ghost(x: np.ndarray, y: np.ndarray, bw: np.ndarray, bh: np.ndarray, fill: np.ndarray, w: int, h: int,
                  ppm: float) -> np.ndarray:
    """Which pieces are solid squares a marker's size in a corner: a corner marker's show-through."""
    lo, hi = (v * ppm for v in GHOST_SIDE_MM)
    cx, cy = x + bw / 2, y + bh / 2
    corner = (np.minimum(cx, w - cx) < GHOST_CORNER_MM * ppm) & (np.minimum(cy, h - cy) < GHOST_CORNER_MM * ppm)
    square = ((np.minimum(bw, bh) >= lo) & (np.maximum(bw, bh) <= hi)
              & (np.abs(bw - bh) <= 0.3 * np.maximum(bw, bh)))
    return corner & square & (fill >= GHOST_FILL)
