"""Measurement of one checkbox: snap to the printed outline, then measure ink relative to local paper.

Nothing here decides; it produces numbers (kept with the record for audit) that `decide` turns
into a state. All measures are relative to the paper level estimated around the box, so a colour
cast, a light gradient or a grey scanner background do not move them; blue ink stays dark because
the grey is the minimum over colour channels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from scanner.geometry import warp_rect_grey

RES = 8.0  # px per mm of the measuring grid (203 dpi): a 0.3 mm pencil line is still 2-3 px
SNAP_MM = 1.5  # search radius for the printed outline
RING_OUT_MM = 3.5  # how far outside the box the ring analysis looks (circles drawn around a box)
RING_IN_MM = 0.6  # ring starts this far outside the outline (keeps the printed stroke out)
INSET = 0.15  # interior = box shrunk by 15 % of its size on every side (excludes the outline)
MIN_T_INK = 0.10  # darkness (relative to paper) that counts as ink; raised with measured noise
MAX_T_INK = 0.22
MIN_T_FAINT = 0.05  # floor of the "any trace" threshold: faint pencil the ink threshold misses
SMOOTH_T_MIN = 0.035  # floor of the trace threshold after 3x3 averaging ...
SMOOTH_SIGMAS = 3.0  # ... else this many pixel-noise sigmas (averaging leaves ~0.4-0.6 of the noise: >= 5 sigma)
LINE_MM = 7.0  # straight runs at least this long in the ring are printed rules, not pen ...
LOOP_MARGIN_MM = 2.5  # ... nor shorter than the box side plus twice how far a loop around it stands off
CIRCLE_MIN_SECTORS = 4  # below this many inked directions the ring cannot hold a circle: skip analysis
CIRCLE_ONLY_BELOW = 0.10  # ring analysis only for boxes without a clear mark inside (= decide.MARK_MIN)
TIGHT_LOOP_PX = 2  # at half resolution (0.5 mm): a loop touching the outline reaches past it this far
ARC_MIN_MM = 4.5  # a pen stroke in the ring must span this much to count towards a circle
HOLE_MIN_MM2 = 0.1  # smaller specks of paper inside ink are pen skips and noise
GAP_MM = 1.0  # diameter of a clear paper disc that no fill leaves but the space between two strokes does
GAP_EDGE_MM = 0.6  # the printed outline (stroke and blur) lies within this of the box's outer edge
GAPS_FROM = (0.30, 0.70)  # gaps are counted only for heavy marks: solid >= [0] or coverage >= [1]

_K3 = np.ones((3, 3), np.uint8)
_SOLID = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (int(round(1.6 * RES)), int(round(1.6 * RES))))


@dataclass
class BoxMeasure:
    coverage: float  # fraction of the interior that is ink
    faint: float  # fraction of the interior with any trace above noise (>= coverage)
    faint_smooth: float  # fraction of the interior with a trace after 3x3 averaging (coherent strokes)
    darkness: float  # mean darkness 0..1 of the interior
    strength: float  # median darkness of the ink pixels (faint pencil ~0.2, pen 0.5-0.9)
    solid: float  # fraction of the interior in solid blobs >= ~1.6 mm across (fill, not strokes)
    ring_sectors: int  # of 8 directions around the box reached by pen strokes outside it (-1: not measured)
    ring_ink: float  # fraction of the ring band that is ink (neighbour boxes removed; -1: not measured)
    background: float  # paper grey level around the box
    noise: float  # paper noise sigma relative to the paper level
    t_ink: float  # darkness threshold used for "ink"
    snap_mm: tuple[float, float]  # how far the outline was found from where the mapping put it
    outline: float  # mean darkness along the snapped outline (printed box seen: > ~0.25)
    gaps: int = -1  # separate clear paper areas in the interior holding a GAP_MM disc (-1: not measured)
    x_arms: float = -1.0  # inked share of the weaker of two crossing lines through the ink (-1: not measured)
    x_between: float = -1.0  # ... and of the fuller line between them (a cross: low)
    holes: int = -1  # paper areas enclosed by ink inside the box (loops of a scribble; -1: not measured)
    stroke_mm: float = -1.0  # width of the pen strokes in the box (a blob or fill: its thickness; -1: not measured)
    edge_paper: float = -1.0  # share of the strip just inside the outline that is paper (-1: not measured)

    def to_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else [round(x, 3) for x in v]
                    if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


def _hist256(g: np.ndarray) -> np.ndarray:
    """Grey-level counts of a uint8 image (int64; cv2.calcHist is ~2x faster than np.bincount here)."""
    return cv2.calcHist([g], [0], None, [256], [0, 256]).ravel().astype(np.int64)


def _hist_quantile(hist: np.ndarray, q: float) -> float:
    c = np.cumsum(hist)
    if c[-1] == 0:
        return 0.0
    return float(np.searchsorted(c, q * c[-1]))


def _snap(D3: np.ndarray, box_px: tuple[float, float, float, float], search: int) -> tuple[int, int, float]:
    """Best (dx, dy) shift of the box frame over the darkness map, from its printed edges.

    Separable: vertical edges are found on the column profile of the box's central rows, horizontal
    edges on the row profile of its central columns (the centre stays inside the box for any shift
    in the search range). Each pair of edges must both be dark (a mean + minimum score), so one pen
    stroke parallel to an edge does not win alone.
    """
    x0, y0, x1, y1 = box_px
    e = 0.15 * RES  # outline centre lies ~half a stroke inside the outer edge
    xl, xr = int(np.floor(x0 + e)), int(np.floor(x1 - e))
    yt, yb = int(np.floor(y0 + e)), int(np.floor(y1 - e))
    h, w = D3.shape
    if xl - search < 0 or yt - search < 0 or xr + search >= w or yb + search >= h:
        return 0, 0, 0.0
    s = np.arange(-search, search + 1)
    c0, c1 = (yt + search, yb - search) if yb - yt > 2 * search + 4 else (yt + 2, yb - 1)
    r0, r1 = (xl + search, xr - search) if xr - xl > 2 * search + 4 else (xl + 2, xr - 1)
    P = D3[c0:c1, :].mean(axis=0)
    Q = D3[:, r0:r1].mean(axis=1)
    penalty = 0.004 * np.abs(s)
    lp, rp = P[xl + s], P[xr + s]
    tq, bq = Q[yt + s], Q[yb + s]
    ix = int(np.argmax(0.5 * (lp + rp) / 2 + 0.5 * np.minimum(lp, rp) - penalty))
    iy = int(np.argmax(0.5 * (tq + bq) / 2 + 0.5 * np.minimum(tq, bq) - penalty))
    return int(s[ix]), int(s[iy]), float((lp[ix] + rp[ix] + tq[iy] + bq[iy]) / 4.0)


@lru_cache(maxsize=64)
def _sector_map(h: int, w: int, cx2: int, cy2: int) -> np.ndarray:
    """Direction (0..7) of every pixel seen from the box centre (given in half pixels)."""
    ys, xs = np.mgrid[0:h, 0:w]
    ang = np.arctan2(ys + 0.5 - cy2 / 2.0, xs + 0.5 - cx2 / 2.0)
    return (((ang + np.pi) / (np.pi / 4)).astype(np.int64) % 8).astype(np.uint8)


def _ring_sectors(ink: np.ndarray, box: tuple[int, int, int, int],
                  masked: list[tuple[int, int, int, int]]) -> tuple[int, float]:
    """Directions (of 8) around the box reached by long pen strokes in the ring; and ring ink fraction.

    A loop drawn around a box often touches the box's corners; the printed outline then joins its
    arcs into one component, so components are taken with the outline kept (printed labels stand
    >= 1.5 mm off and stay separate, small glyphs). Runs at half the measuring resolution: a pen
    stroke is still >= 2 px there.
    """
    x0, y0, x1, y1 = (v // 2 for v in box)
    small = cv2.resize(ink, (ink.shape[1] // 2, ink.shape[0] // 2), interpolation=cv2.INTER_AREA)
    small = (small > 0).astype(np.uint8)
    h, w = small.shape
    gap = int(round(RING_IN_MM * RES / 2))
    band = np.ones((h, w), np.uint8)
    band[max(0, y0 - gap):y1 + gap, max(0, x0 - gap):x1 + gap] = 0
    for mx0, my0, mx1, my1 in masked:  # neighbouring printed boxes (outline + interior)
        band[max(0, my0 // 2 - gap):max(0, my1 // 2 + gap), max(0, mx0 // 2 - gap):max(0, mx1 // 2 + gap)] = 0
    pen = small & band
    ring_px = int(np.count_nonzero(band))
    npen = int(np.count_nonzero(pen))
    ring_ink = npen / max(ring_px, 1)
    if npen < 4:
        return 0, ring_ink
    smap = _sector_map(h, w, x0 + x1, y0 + y1)
    counts = np.bincount(smap[pen.astype(bool)], minlength=8)
    if int((counts >= 2).sum()) < CIRCLE_MIN_SECTORS:
        return 0, ring_ink
    # everything but the neighbours and the interior: the outline stays to join arcs touching it
    keep = np.ones((h, w), np.uint8)
    for mx0, my0, mx1, my1 in masked:
        keep[max(0, my0 // 2 - gap):max(0, my1 // 2 + gap), max(0, mx0 // 2 - gap):max(0, mx1 // 2 + gap)] = 0
    inset = max(2, (x1 - x0) // 5)
    keep[y0 + inset:y1 - inset, x0 + inset:x1 - inset] = 0
    allink = small & keep
    # printed rules (frame and row lines) first: straight runs longer than anything a loop around the
    # box makes (the outline with a loop hugging it spans the box side plus the loop's margins)
    L = int(max(LINE_MM, max(x1 - x0, y1 - y0) * 2 / RES + 2 * LOOP_MARGIN_MM) * RES / 2)
    lines = cv2.morphologyEx(allink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (L, 1)))
    lines |= cv2.morphologyEx(allink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, L)))
    allink = allink & ~cv2.dilate(lines, _K3)
    # a tight loop touches the outline: the outline's component then reaches past the box on all sides
    s0, s1 = 2, 6  # 0.5-1.5 mm outside each side: a tight loop leaves ink on all four
    if (allink[max(0, y0 - s1):y0 - s0, x0:x1].any() and allink[y1 + s0:y1 + s1, x0:x1].any()
            and allink[y0:y1, max(0, x0 - s1):x0 - s0].any() and allink[y0:y1, x1 + s0:x1 + s1].any()):
        n, labels, stats, _ = cv2.connectedComponentsWithStats(allink, connectivity=8)
    else:
        n = 0
    edge = np.concatenate([labels[y0, x0:x1], labels[y1 - 1, x0:x1],
                           labels[y0:y1, x0], labels[y0:y1, x1 - 1]]) if n else np.zeros(0, np.int32)
    edge = edge[edge > 0]
    if edge.size:
        k = int(np.bincount(edge).argmax())
        bx, by, bw, bh = stats[k, 0], stats[k, 1], stats[k, 2], stats[k, 3]
        reach = min(x0 - bx, y0 - by, bx + bw - x1, by + bh - y1)
        if reach >= TIGHT_LOOP_PX and max(bw, bh) <= 2.5 * max(x1 - x0, y1 - y0):
            return 8, ring_ink
    pen = allink & band
    if int((np.bincount(smap[pen.astype(bool)], minlength=8) >= 2).sum()) < CIRCLE_MIN_SECTORS:
        return 0, float(np.count_nonzero(pen)) / max(ring_px, 1)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(allink, connectivity=8)
    ext = np.maximum(stats[:, 2], stats[:, 3])
    big = ext >= ARC_MIN_MM * RES / 2  # printed glyphs are < ~3.5 mm; an arc of a drawn circle is long
    big[0] = False
    ring_ink = float(np.count_nonzero(pen)) / max(ring_px, 1)
    if not big.any():
        return 0, ring_ink
    counts = np.bincount(smap[big[labels] & (band > 0)], minlength=8)
    return int((counts >= 2).sum()), ring_ink


LINE_INK_PLUS = 12  # pen ink on a line through a box is darker than the line's own level by more than this
LINE_INK_SPREADS = 4  # ... or than this many of the line's own spreads (a fold varies along its length)


def _erase_lines(Dm: np.ndarray, lines: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """Remove through-lines from the darkness map, but only up to the line's own darkness.

    The line's darkness is taken where it runs outside the box. A fold, a streak or the grey band
    behind a rating row is erased; a pen stroke lying on it is much darker and stays (a blanket
    erase once wiped a clear tick off a shaded row).
    """
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    outside = lines.astype(bool).copy()
    outside[max(0, y0):max(0, y1), max(0, x0):max(0, x1)] = False
    vals = Dm[outside]
    if vals.size == 0:
        return Dm
    level = float(np.median(vals))  # the line itself; neighbouring print it runs through is a minority
    mx, my = int(round(INSET * (x1 - x0))), int(round(INSET * (y1 - y0)))
    inner = lines[y0 + my:y1 - my, x0 + mx:x1 - mx].astype(bool)
    if inner.any() and float(np.median(Dm[y0 + my:y1 - my, x0 + mx:x1 - mx][inner])) < 0.5 * level:
        return Dm  # print around a white box (the band behind a rating row), not a line through it
    spread = float(np.median(np.abs(vals - level)))
    limit = min(255.0, level + max(LINE_INK_PLUS, LINE_INK_SPREADS * spread))
    return np.where(lines.astype(bool) & (Dm <= limit), 0, Dm).astype(np.uint8)


def _through_lines(mask: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray | None:
    """Straight lines that cross the whole ROI through the box (folds, streaks at an angle, rules).

    A line seen in both side strips (left and right of the box, or above and below) at matching
    positions, with a slope of at most ~6 deg, cannot be a pen mark in the box: a mark does not run
    5 mm straight out of both sides. Returns a mask of those lines (to ignore: see `_erase_lines`), or None.
    """
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    h, w = mask.shape
    gap = int(1.5 * RES)
    out = None
    for axis in (0, 1):  # 0: near-horizontal lines (left/right strips), 1: near-vertical
        m = mask if axis == 0 else mask.T
        a0, a1 = (x0, x1) if axis == 0 else (y0, y1)
        n = m.shape[1]
        s1, s2 = m[:, 2:max(3, a0 - gap)], m[:, min(n - 3, a1 + gap):n - 2]
        if s1.shape[1] < 8 or s2.shape[1] < 8:
            continue
        f1 = s1.mean(axis=1) >= 0.75
        f2 = s2.mean(axis=1) >= 0.75
        if not f1.any() or not f2.any():
            continue
        c1 = (2 + max(3, a0 - gap)) / 2.0
        c2 = (min(n - 3, a1 + gap) + n - 2) / 2.0
        r1, r2 = np.flatnonzero(f1), np.flatnonzero(f2)
        tol = 0.1 * (c2 - c1) + 2
        for p in r1:
            q = r2[np.abs(r2 - p) <= tol]
            if q.size == 0:
                continue
            qq = int(q[np.argmin(np.abs(q - p))])
            if out is None:
                out = np.zeros((h, w), np.uint8)
            slope = (qq - p) / (c2 - c1)
            xs = np.arange(n)
            ys = np.round(p + (xs - c1) * slope).astype(int)
            for dy in (-2, -1, 0, 1, 2):
                yy = np.clip(ys + dy, 0, m.shape[0] - 1)
                if axis == 0:
                    out[yy, xs] = 1
                else:
                    out[xs, yy] = 1
    return out


def measure_box(image: np.ndarray, H: np.ndarray, rect_mm: Sequence[float],
                neighbours_mm: Sequence[Sequence[float]] = (), streaks: dict | None = None) -> BoxMeasure:
    """Measure one printed box (rect_mm = outer edge of its outline) on a registered image.

    neighbours_mm: other printed boxes near this one; they are masked out of the ring analysis.
    """
    x, y, w, h = (float(v) for v in rect_mm)
    m = SNAP_MM + RING_OUT_MM
    g = warp_rect_grey(image, H, [x - m, y - m, w + 2 * m, h + 2 * m], RES, streaks=streaks)
    return _measure_roi(g, x - m, y - m, rect_mm, neighbours_mm)


def measure_boxes(image: np.ndarray, H: np.ndarray, rects_mm: Sequence[Sequence[float]],
                  neighbours_mm: Sequence[Sequence[Sequence[float]]], streaks: dict | None = None) -> list[BoxMeasure]:
    """`measure_box` for the boxes of one field from a single warp of the band around them.

    One perspective warp of the field band replaces a warp per box; each box's ROI is a slice of it
    (box positions land within half a measuring pixel, which the outline snap absorbs). Boxes spread
    over a large area (the band would be mostly unused) are warped one by one.
    """
    if not rects_mm:
        return []
    m = SNAP_MM + RING_OUT_MM
    a = np.asarray(rects_mm, dtype=np.float64).reshape(-1, 4)
    fx0, fy0 = float(a[:, 0].min()) - m, float(a[:, 1].min()) - m
    fx1, fy1 = float((a[:, 0] + a[:, 2]).max()) + m, float((a[:, 1] + a[:, 3]).max()) + m
    own = float(((a[:, 2] + 2 * m) * (a[:, 3] + 2 * m)).sum())
    if len(a) == 1 or (fx1 - fx0) * (fy1 - fy0) > 1.5 * own:
        return [measure_box(image, H, r, nb, streaks) for r, nb in zip(rects_mm, neighbours_mm, strict=True)]
    band = warp_rect_grey(image, H, [fx0, fy0, fx1 - fx0 + 1.0 / RES, fy1 - fy0 + 1.0 / RES], RES,
                          streaks=streaks, perspective=True)
    out = []
    for r, nb in zip(rects_mm, neighbours_mm, strict=True):
        x, y, w, h = (float(v) for v in r)
        c0, r0 = int(round((x - m - fx0) * RES)), int(round((y - m - fy0) * RES))
        g = band[r0:r0 + int(round((h + 2 * m) * RES)), c0:c0 + int(round((w + 2 * m) * RES))]
        out.append(_measure_roi(np.ascontiguousarray(g), fx0 + c0 / RES, fy0 + r0 / RES, r, nb))
    return out


def _measure_roi(g: np.ndarray, ox: float, oy: float, rect_mm: Sequence[float],
                 neighbours_mm: Sequence[Sequence[float]]) -> BoxMeasure:
    """Measure a box on `g`, its ROI warped at RES with the top-left pixel's corner at (ox, oy) mm."""
    x, y, w, h = (float(v) for v in rect_mm)
    x0, y0 = (x - ox) * RES, (y - oy) * RES
    x1, y1 = x0 + w * RES, y0 + h * RES
    # paper level and noise from the ring outside the box (mostly paper; labels are a minority)
    r_in = int(round(0.8 * RES))
    hist = _hist256(g)
    box_zone = g[int(y0) - r_in:int(y1) + r_in, int(x0) - r_in:int(x1) + r_in]
    if box_zone.size:
        hist -= _hist256(box_zone)
    bg = max(_hist_quantile(hist, 0.85), 1.0)
    lo = int(bg * 0.85)
    paper = hist.copy()
    paper[:lo] = 0
    med = _hist_quantile(paper, 0.5)
    dev = np.abs(np.arange(256) - med)
    order = np.argsort(dev, kind="stable")
    mad = float(dev[order][np.searchsorted(np.cumsum(paper[order]), 0.5 * max(paper.sum(), 1))])
    sigma = 1.4826 * mad / bg
    t_ink = float(np.clip(4.0 * sigma, MIN_T_INK, MAX_T_INK))
    t_faint = float(np.clip(6.0 * sigma, MIN_T_FAINT, t_ink))
    # darkness 0..255 relative to the paper level, by table lookup (one pass over the ROI)
    D8 = cv2.LUT(g, np.clip(np.rint((bg - np.arange(256.0)) * (255.0 / bg)), 0, 255).astype(np.uint8))
    D3 = cv2.blur(D8, (3, 3)).astype(np.float32) * np.float32(1.0 / 255.0)
    dx, dy, outline = _snap(D3, (x0, y0, x1, y1), int(round(SNAP_MM * RES)))
    if outline < 0.2:
        dx, dy = 0, 0  # no printed outline found (lost in the scan?): trust the mapping
    bx0, by0, bx1, by1 = x0 + dx, y0 + dy, x1 + dx, y1 + dy
    ix0, ix1 = int(round(bx0 + INSET * w * RES)), int(round(bx1 - INSET * w * RES))
    iy0, iy1 = int(round(by0 + INSET * h * RES)), int(round(by1 - INSET * h * RES))
    Dm = cv2.medianBlur(D8, 3)  # drops salt noise, keeps 2-3 px strokes
    t8 = int(t_ink * 255)
    if np.count_nonzero(Dm[iy0:iy1, ix0:ix1] > int(t_faint * 255)):  # only worth it if there is ink inside
        lines = _through_lines(Dm > int(t_faint * 255), (bx0, by0, bx1, by1))
        if lines is not None:
            Dm = _erase_lines(Dm, lines, (bx0, by0, bx1, by1))
    inner = Dm[iy0:iy1, ix0:ix1]
    ink_i = inner > t8
    n_in = max(ink_i.size, 1)
    n_ink = int(np.count_nonzero(ink_i))
    coverage = n_ink / n_in
    faint = int(np.count_nonzero(inner > int(t_faint * 255))) / n_in
    # the same trace after averaging 3x3: a faint pencil stroke is coherent over its width and length,
    # scan noise is not - on a noisy scan it shows a stroke that no single pixel can
    t_smooth = int(255 * max(SMOOTH_T_MIN, SMOOTH_SIGMAS * sigma))
    faint_smooth = int(np.count_nonzero(cv2.blur(inner, (3, 3)) > t_smooth)) / n_in if inner.size else 0.0
    darkness = float(D8[iy0:iy1, ix0:ix1].mean()) / 255.0 if ink_i.size else 0.0
    strength = float(np.median(inner[ink_i])) / 255.0 if n_ink else 0.0
    solid = 0.0
    if coverage > 0.25:
        m8 = cv2.morphologyEx(ink_i.astype(np.uint8), cv2.MORPH_CLOSE, _K3)
        m8 = cv2.morphologyEx(m8, cv2.MORPH_OPEN, _SOLID, borderType=cv2.BORDER_REPLICATE)
        solid = float(m8.mean())
    gaps, edge, x_arms, x_between, thick, holes = -1, -1.0, -1.0, -1.0, -1.0, -1
    if solid >= GAPS_FROM[0] or coverage >= GAPS_FROM[1]:
        e = GAP_EDGE_MM * RES  # the whole box inside its printed outline: pockets of a cross reach the edges
        region = Dm[int(round(by0 + e)):int(round(by1 - e)), int(round(bx0 + e)):int(round(bx1 - e))] > t8
        gaps, holes = paper_pockets(region)
        x_arms, x_between = cross_profile(region)
        thick = stroke_width(region)
        edge = edge_paper(Dm[int(round(by0)):int(round(by1)), int(round(bx0)):int(round(bx1))] > t8)
    sectors, ring_ink = -1, -1.0  # not measured: a box with ink inside is decided by its interior
    if coverage < CIRCLE_ONLY_BELOW:
        masked = []
        if len(neighbours_mm):
            nb = np.asarray(neighbours_mm, dtype=np.float64).reshape(-1, 4)
            mx0, my0 = (nb[:, 0] - ox) * RES + dx, (nb[:, 1] - oy) * RES + dy
            masked = list(zip(mx0.astype(np.int64).tolist(), my0.astype(np.int64).tolist(),
                              np.ceil(mx0 + nb[:, 2] * RES).astype(np.int64).tolist(),
                              np.ceil(my0 + nb[:, 3] * RES).astype(np.int64).tolist(), strict=True))
        ink_all = (Dm > t8).astype(np.uint8)
        sectors, ring_ink = _ring_sectors(ink_all, (int(round(bx0)), int(round(by0)), int(round(bx1)),
                                                    int(round(by1))), masked)
    return BoxMeasure(coverage=coverage, faint=faint, faint_smooth=faint_smooth, darkness=darkness, strength=strength,
                      solid=solid, ring_sectors=sectors, ring_ink=ring_ink, background=bg, noise=sigma, t_ink=t_ink,
                      snap_mm=(dx / RES, dy / RES), outline=outline, gaps=gaps,
                      edge_paper=edge, x_arms=x_arms, x_between=x_between,
                      stroke_mm=thick, holes=holes)


def paper_pockets(ink: np.ndarray, res: float = RES) -> tuple[int, int]:
    """(gaps, holes) of the paper inside a box outline (`ink` mask), from one labelling of the paper.

    gaps: separate paper areas that each hold a clear GAP_MM disc. Tells heavy strokes from a fill:
    the arms of a tick or cross, however thick the pen, leave separate areas of paper between them
    (a cross four, a tick two); a cancelling fill is meant to blot the box out and leaves none, or
    one strip along an edge where the scribble fell short.
    holes: paper areas wholly surrounded by ink (>= HOLE_MIN_MM2): the loops of a scribble or a
    zig-zag. A tick, a cross or a dot encloses none (the paper between strokes opens to the edge).
    """
    paper = (ink == 0).astype(np.uint8)
    if not paper.any():
        return 0, 0
    n, labels, stats, _ = cv2.connectedComponentsWithStats(paper, connectivity=4)
    # beyond the interior is the printed outline: a pocket must lie wholly inside (conservative)
    dist = cv2.distanceTransform(cv2.copyMakeBorder(paper, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0), cv2.DIST_L2, 3)
    core = dist[1:-1, 1:-1] >= 0.5 * GAP_MM * res
    gaps = int(np.unique(labels[core]).size) if core.any() else 0
    h, w = ink.shape
    x, y, bw, bh, area = (stats[1:, i] for i in range(5))
    inner = (x > 0) & (y > 0) & (x + bw < w) & (y + bh < h)
    return gaps, int((inner & (area >= HOLE_MIN_MM2 * res * res)).sum())


def clear_areas(ink: np.ndarray, res: float = RES) -> int:
    """Separate paper areas inside a box outline that each hold a clear GAP_MM disc (see `paper_pockets`)."""
    return paper_pockets(ink, res)[0]


EDGE_BAND_MM = (0.6, 1.1)  # the strip just inside the printed outline


def edge_paper(ink: np.ndarray, res: float = RES) -> float:
    """Share of the strip just inside the printed outline that is paper (`ink`: the box from its outer edges).

    A cancelling fill reaches the outline almost everywhere; a pressed dot leaves the strip clear.
    """
    a, b = int(round(EDGE_BAND_MM[0] * res)), int(round(EDGE_BAND_MM[1] * res))
    h, w = ink.shape
    if h < 2 * b + 2 or w < 2 * b + 2:
        return 0.0
    m = ink.astype(np.float32)
    seq = np.concatenate([m[a:b, a:w - a].mean(axis=0), m[a:h - a, w - b:w - a].mean(axis=1),
                          m[h - b:h - a, a:w - a].mean(axis=0), m[a:h - a, a:b].mean(axis=1)])
    return float((seq < 0.5).mean())


CROSS_ANGLES = np.deg2rad(np.arange(0, 180, 5))
CROSS_SEP_DEG = (50, 130)  # the two arms of a cross meet at roughly right angles (hand-drawn: 50-130 deg)


def cross_profile(ink: np.ndarray) -> tuple[float, float]:
    """How much a heavy mark looks like two strokes crossing: (arms, between).

    Lines at every 5 deg are laid through the centre of the ink across the box interior `ink`;
    each line's inked share is its profile. A cross has two lines almost fully inked (its arms,
    `arms` = the weaker of the two) and clear paper on the lines between them (`between` = the
    fuller of the two valleys, only the crossing blob is inked there). A fill or cross-hatching is
    inked on every line; a dot on none end to end; a scribble rarely has two straight arms.
    """
    ys, xs = np.nonzero(ink)
    h, w = ink.shape
    if ys.size < 10 or h < 8 or w < 8:
        return 0.0, 1.0
    cy, cx = float(ys.mean()), float(xs.mean())
    r = np.arange(-max(h, w), max(h, w) + 1, 0.75)
    px = cx + np.cos(CROSS_ANGLES)[:, None] * r[None, :]
    py = cy + np.sin(CROSS_ANGLES)[:, None] * r[None, :]
    inside = (px >= 0) & (px <= w - 1) & (py >= 0) & (py <= h - 1)
    vals = ink[np.clip(np.rint(py), 0, h - 1).astype(int), np.clip(np.rint(px), 0, w - 1).astype(int)] & inside
    prof = vals.sum(axis=1) / np.maximum(inside.sum(axis=1), 1)
    n = len(CROSS_ANGLES)
    step = 180 // n
    i1 = int(np.argmax(prof))
    best = (0.0, 1.0)
    lo, hi = CROSS_SEP_DEG[0] // step, CROSS_SEP_DEG[1] // step
    for d in range(lo, hi + 1):
        i2 = (i1 + d) % n
        arc_a = [(i1 + k) % n for k in range(1, d)]
        arc_b = [(i2 + k) % n for k in range(1, n - d)]
        arms = float(min(prof[i1], prof[i2]))
        between = float(max(prof[arc_a].min(), prof[arc_b].min()))
        if arms - between > best[0] - best[1]:
            best = (arms, between)
    return best


def stroke_width(ink: np.ndarray, res: float = RES) -> float:
    """Width (mm) of the ink's strokes: twice the distance to paper that 90 % of the stroke centres stay within.

    A felt-tip tick is a line ~0.6-1.2 mm wide (blur included) however much of the box it covers;
    a fill, a half-filled box or a pressed dot is a block several mm thick.
    """
    if not ink.any():
        return 0.0
    d = cv2.distanceTransform(cv2.copyMakeBorder(ink.astype(np.uint8), 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0),
                              cv2.DIST_L2, 3)[1:-1, 1:-1]
    # stroke centres: local maxima of the distance (the ridge), not every ink pixel
    ridge = (d >= cv2.dilate(d, _K3) - 1e-6) & (d > 0)
    return float(2.0 * np.percentile(d[ridge], 90) / res)


