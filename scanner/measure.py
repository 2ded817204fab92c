"""Measurement of one checkbox: snap to the printed outline, then measure ink relative to local paper.

Nothing here decides; it produces numbers (kept with the record for audit) that `decide` turns
into a state. All measures are relative to the paper level estimated around the box, so a colour
cast, a light gradient or a grey scanner background do not move them; blue ink stays dark because
the grey is the minimum over colour channels.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from scanner.geometry import warp_rect_grey, warp_rect_grey_painted
from scanner.imageops import clamp, hist256, hist_median_mad, line_kernels, median, paper_level, quantile, true_runs

RES = 8.0  # px per mm of the measuring grid (203 dpi): a 0.3 mm pencil line is still 2-3 px
SNAP_MM = 1.5  # search radius for the printed outline
SNAP_TRUST = 0.2  # an outline this dark is the box, wherever the search found it within SNAP_MM ...
SNAP_SIGMAS = 12.0  # ... or this many noise sigmas above the paper ...
SNAP_TRUST_MIN = 0.08  # ... but never fainter than this
RING_OUT_MM = 3.5  # how far outside the box the ring analysis looks (circles drawn around a box)
RING_IN_MM = 0.6  # ring starts this far outside the outline (keeps the printed stroke out)
INSET = 0.15  # interior = box shrunk by 15 % of its size on every side (excludes the outline)
MIN_T_INK = 0.10  # darkness (relative to paper) that counts as ink; raised with measured noise
MAX_T_INK = 0.22
INK_SIGMAS = 4.0  # ... to this many noise sigmas
MIN_T_RING = 0.07  # the same for strokes around a box against the local paper: long arcs only count
MIN_T_FAINT = 0.05  # floor of the "any trace" threshold: faint pencil the ink threshold misses ...
FAINT_SIGMAS = 6.0  # ... else this many noise sigmas
SMOOTH_T_MIN = 0.035  # floor of the trace threshold after 3x3 averaging ...
SMOOTH_SIGMAS = 3.0  # ... else this many pixel-noise sigmas (averaging leaves ~0.4-0.6 of the noise: >= 5 sigma)
LINE_MM = 7.0  # straight runs at least this long in the ring are printed rules, not pen ...
LOOP_MARGIN_MM = 2.5  # ... nor shorter than the box side plus twice how far a loop around it stands off
CIRCLE_MIN_SECTORS = 4  # below this many inked directions the ring cannot hold a circle: skip analysis
CIRCLE_ONLY_BELOW = 0.10  # ring analysis only for boxes without a clear mark inside (= decide.MARK_MIN)
TIGHT_LOOP_PX = 2  # at half resolution (0.5 mm): a loop touching the outline reaches past it this far
ARC_MIN_MM = 4.5  # a pen stroke in the ring must span this much to count towards a circle
LOOP_PIECE_MM = 1.0  # where a loop drawn round the box crosses the ring, its pieces run round the box this far
HOLE_MIN_MM2 = 0.1  # smaller specks of paper inside ink are pen skips and noise
GAP_MM = 1.0  # diameter of a clear paper disc that no fill leaves but the space between two strokes does
GAP_EDGE_MM = 0.6  # the printed outline (stroke and blur) lies within this of the box's outer edge
GAPS_FROM = (0.30, 0.70)  # gaps are counted only for heavy marks: solid >= [0] or coverage >= [1]

_K3 = np.ones((3, 3), np.uint8)
_K5 = np.ones((5, 5), np.uint8)
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
    x_arms_at: float = -1.0  # the same two with the lines laid through where the arms cross (`crossing_profile`;
    x_between_at: float = -1.0  # -1: not measured, on boxes inked nearly all over)
    holes: int = -1  # paper areas enclosed by ink inside the box (loops of a scribble; -1: not measured)
    stroke_mm: float = -1.0  # width of the pen strokes in the box (a blob or fill: its thickness; -1: not measured)
    edge_paper: float = -1.0  # share of the strip just inside the outline that is paper (-1: not measured)
    centre_ink: float = -1.0  # inked share of the interior's middle third (-1: not measured - only boxes with a
    # mark inside); a tick, cross, slash, dot or fill passes through it, an outline traced inside the box does not
    trace_strength: float = 0.0  # median darkness of the faint trace (a stroke below the ink threshold)
    ring_strength: float = 0.0  # median darkness of the strokes counted around the box (0: none counted)
    ring_tone: float = -1.0  # share of those strokes lying on a printed tone (a tinted row; -1: none counted)
    ring_pieces: int = -1  # directions (of 8) reached by pieces of those strokes running round the box for
    # LOOP_PIECE_MM at least (`ring_pieces`: a tint's nubs on the outline point away from it; -1: none counted)
    trace_runs_out: bool = False  # the faint trace is a straight line that carries on well outside the box
    reach_mm: float = -1.0  # how far beyond the outline pale ink joined to the mark's runs (`pale_reach_mm`; -1:
    # not measured - only boxes with a mark inside)
    tone: float = -1.0  # darkness of the interior's paper, away from the ink (a faint fill under a mark;
    # -1: not measured - only boxes with a mark inside)
    paper_step: float = 0.0  # how much darker the darkest side of the paper around the box is than the
    # lightest (a shadow's edge; measured only for boxes with ink or a trace)
    peak: float = -1.0  # darkest point of the interior after 3x3 averaging, lines through the box erased (-1: not
    # measured - boxes with ink inside): on an empty box, the most any pen stroke could have left there
    local_peak: float = -1.0  # the interior's sharpest ink against the paper right around each pixel (`LocalPaper`;
    # 99th percentile of that darkness), measured for pale ink only (-1: not measured). A pen's stroke, or a dot's
    # rim, stands out from the paper beside it by about half its darkness; a soft shadow's shade, wider than the
    # window, is that paper and hardly stands out at all
    fill_light: float = -1.0  # a fill's paler parts against its darker ones: 20th / 80th percentile of the interior's
    # darkness (-1: not measured - only boxes inked like a fill). Scribbled solid ~1; strokes with paper between <<1
    pen_line_ink: float = 0.0  # share of the interior whose ink went with a line through the box as dark as a pen
    # (a stroke struck through the box and on across its label, not a fold: `pen_line_share`)
    side_ink_mm: float = -1.0  # longest stretch along one side of ink between the outline and the interior, above
    # those strips' own level (`side_ink_mm`: a stroke along the box's floor; -1: not measured)
    band_erased: float = -1.0  # share of the interior above the faint threshold that the through-line erase took
    # for a band's (a fold's shadow, a printed tint) when it left less than TRACE_WORTH (-1: it did not)
    in_shade: BoxMeasure | None = None  # the box measured again against the darker paper (paper_step large)

    def to_dict(self) -> dict:
        out = {k: (round(v, 4) if isinstance(v, float) else [round(x, 3) for x in v]
                   if isinstance(v, tuple) else v) for k, v in self.__dict__.items() if k != "in_shade"}
        if self.in_shade is not None:
            out["in_shade"] = {k: out_v for k, out_v in self.in_shade.to_dict().items()
                               if k in ("coverage", "faint", "solid", "strength", "ring_sectors", "background")}
        return out


@lru_cache(maxsize=8)
def _shifts(search: int) -> tuple[np.ndarray, np.ndarray]:
    """The snap's candidate offsets -search..search and their penalties (read-only: shared by every box)."""
    s = np.arange(-search, search + 1)
    penalty = 0.004 * np.abs(s)
    s.flags.writeable = penalty.flags.writeable = False
    return s, penalty


def _snap(D3: np.ndarray, box_px: tuple[float, float, float, float], search: int) -> tuple[int, int, float]:
    """Best (dx, dy) shift of the box frame over the darkness map (uint8, 3x3 averaged), from its printed edges.

    Separable: vertical edges are found on the column profile of the box's central rows, horizontal
    edges on the row profile of its central columns (the centre stays inside the box for any shift
    in the search range). Each pair of edges must both be dark (a mean + minimum score), so one pen
    stroke parallel to an edge does not win alone.
    """
    x0, y0, x1, y1 = box_px
    e = 0.15 * RES  # outline centre lies ~half a stroke inside the outer edge
    xl, xr = math.floor(x0 + e), math.floor(x1 - e)  # (np.floor on a Python float costs ~1 us)
    yt, yb = math.floor(y0 + e), math.floor(y1 - e)
    h, w = D3.shape
    if xl - search < 0 or yt - search < 0 or xr + search >= w or yb + search >= h:
        return 0, 0, 0.0
    s, penalty = _shifts(search)
    c0, c1 = (yt + search, yb - search) if yb - yt > 2 * search + 4 else (yt + 2, yb - 1)
    r0, r1 = (xl + search, xr - search) if xr - xl > 2 * search + 4 else (xl + 2, xr - 1)
    # profiles as exact integer sums (the darkness 0..1 is the mean / 255): cheaper than float means
    P = cv2.reduce(D3[c0:c1, :], 0, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel() * (1.0 / (255.0 * (c1 - c0)))
    Q = cv2.reduce(D3[:, r0:r1], 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel() * (1.0 / (255.0 * (r1 - r0)))
    lp, rp = P[xl - search:xl + search + 1], P[xr - search:xr + search + 1]  # at the shifts s (views)
    tq, bq = Q[yt - search:yt + search + 1], Q[yb - search:yb + search + 1]
    ix = int(np.argmax(0.5 * (lp + rp) / 2 + 0.5 * np.minimum(lp, rp) - penalty))
    iy = int(np.argmax(0.5 * (tq + bq) / 2 + 0.5 * np.minimum(tq, bq) - penalty))
    return int(s[ix]), int(s[iy]), float((lp[ix] + rp[ix] + tq[iy] + bq[iy]) / 4.0)


@lru_cache(maxsize=64)
def _sector_map(h: int, w: int, cx2: int, cy2: int) -> np.ndarray:
    """Direction (0..7) of every pixel seen from the box centre (given in half pixels)."""
    ys, xs = np.mgrid[0:h, 0:w]
    ang = np.arctan2(ys + 0.5 - cy2 / 2.0, xs + 0.5 - cx2 / 2.0)
    return (((ang + np.pi) / (np.pi / 4)).astype(np.int64) % 8).astype(np.uint8)


@lru_cache(maxsize=8)
def _ring_band(shape: tuple[int, int], box: tuple[int, int, int, int],
               masked: tuple[tuple[int, int, int, int], ...], scale: int = 2) -> np.ndarray:
    """The ring around a box at 1/`scale` of the measuring resolution (uint8 1/0, read-only: shared by the
    faint loop hint and the ring look of one box): the box, RING_IN_MM around it and the neighbouring
    printed boxes (with the same margin) left out. `box` and `masked` are in full-resolution pixels."""
    x0, y0, x1, y1 = (v // scale for v in box)
    h, w = shape
    gap = int(round(RING_IN_MM * RES / scale))
    band = np.ones((h, w), np.uint8)
    band[max(0, y0 - gap):y1 + gap, max(0, x0 - gap):x1 + gap] = 0
    for mx0, my0, mx1, my1 in masked:  # neighbouring printed boxes (outline + interior)
        band[max(0, my0 // scale - gap):max(0, my1 // scale + gap),
             max(0, mx0 // scale - gap):max(0, mx1 // scale + gap)] = 0
    band.setflags(write=False)
    return band


def faint_loop_hint(dark: np.ndarray, t_low8: int, t8: int, box: tuple[int, int, int, int],
                    masked: list[tuple[int, int, int, int]]) -> bool:
    """True when strokes fainter than the ink threshold (darker than `t_low8`) reach >= CIRCLE_MIN_SECTORS
    directions around the box: maybe a loop in faint pencil, to be looked at against the local paper.

    A faint-pencil loop around an empty box is 0.08-0.14 dark, at the ink threshold: it broke into
    pieces shorter than an arc and the row read as empty (a required row went to review as `no_mark`
    with the answer plain to see; an optional one would have been silently empty but for the faint
    writer rule). Only thin strokes count: the fringe of darker ink (print, pen) is left out, and so is
    what a 1.25 mm square fits in (a shaded band, a shadow: on office scans they set off a look at one
    box in six, for nothing).
    """
    if t_low8 >= t8:
        return False
    small = cv2.resize(dark, (dark.shape[1] // 2, dark.shape[0] // 2), interpolation=cv2.INTER_AREA)
    faint = (small > t_low8).astype(np.uint8)
    if np.count_nonzero(faint) < 4:
        return False
    # (at half resolution, 0.25 mm pixels, and from 60 % of the threshold: a stroke is at most 4 px wide
    # there, gone in a 5x5 opening; a band or a shadow is solid and stays)
    # each step only takes pixels away: too few left after the cheaper ones (nearly every box) ends the look
    # before the opening (~40 % of the look's time)
    pen = faint & ~cv2.dilate((small > t8).astype(np.uint8), _K3)
    if np.count_nonzero(pen) < 4:
        return False
    pen &= _ring_band(small.shape, box, tuple(masked))
    if np.count_nonzero(pen) < 4:
        return False
    pen &= ~cv2.morphologyEx((small > int(0.6 * t_low8)).astype(np.uint8), cv2.MORPH_OPEN, _K5)
    if np.count_nonzero(pen) < 4:
        return False
    x0, y0, x1, y1 = (v // 2 for v in box)
    counts = np.bincount(_sector_map(*small.shape, x0 + x1, y0 + y1)[pen.astype(bool)], minlength=8)
    return int((counts >= 2).sum()) >= CIRCLE_MIN_SECTORS


TONE_CLEAR_MM = 0.4  # the interior's paper is taken this far from any ink (a stroke's blurred fringe is not paper)
TONE_AREA_MIN = 0.15  # ... and not measured when less than this share of the interior is left


def interior_tone(inner: np.ndarray, ink: np.ndarray) -> float:
    """Median darkness (0..1) of the interior's paper TONE_CLEAR_MM away from the ink; -1 when too little is left.

    A box ticked and then filled in faint pencil to cancel it: the fill is a tone below the ink
    threshold, the tick shows through it, and the box read as ticked (a faint-pencil stress run
    accepted a cancelled answer). Clean paper inside a box measures about 0 against the ring's paper.
    """
    r = max(1, int(round(TONE_CLEAR_MM * RES)))
    near = cv2.dilate(ink.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_RECT, (2 * r + 1, 2 * r + 1)))
    paper = inner[near == 0]
    if paper.size < TONE_AREA_MIN * inner.size:
        return -1.0
    return median(paper) / 255.0


PRINT_DARK = 0.45  # print's core is darker than this (and its fringe lies next to it); a stain's rim is paler
REACH_JOIN_MM = 1.0  # pale ink outside the box this close to the mark's pale ink is one stroke with it


def pale_reach_mm(dark: np.ndarray, t8: int, box: tuple[float, float, float, float],
                  interior: tuple[slice, slice]) -> float:
    """How far (mm) beyond the box pale ink runs that is one stroke with the pale ink inside (0: none).

    A mark ends at its box or overshoots it by a millimetre or two; a coffee ring's rim clipping a box's
    corner runs on for centimetres (a stain check read a clipped corner of an empty box as a slash). Only
    pale ink counts (print and its fringe are left out, so a label cannot join in); the printed outline
    cuts a rim where it crosses it, so ink outside joins the mark's when it comes within REACH_JOIN_MM.
    """
    printed = cv2.dilate((dark >= int(255 * PRINT_DARK)).astype(np.uint8), _K3).astype(bool)
    pale = ((dark > t8) & ~printed).astype(np.uint8)
    inner = np.zeros_like(pale)
    inner[interior] = pale[interior]
    if not inner.any():
        return 0.0
    k = int(round(REACH_JOIN_MM * RES)) * 2 + 1
    near = cv2.dilate(inner, np.ones((k, k), np.uint8))
    n, labels = cv2.connectedComponents(pale, connectivity=8)
    joined = np.zeros(n, bool)  # by label: a table lookup, not np.unique and np.isin (~10x cheaper)
    joined[labels[(near > 0) & (pale > 0)]] = True
    joined[0] = False
    if not joined.any():
        return 0.0
    ys, xs = np.nonzero(joined[labels])
    x0, y0, x1, y1 = box
    beyond = np.maximum(np.maximum(x0 - xs, xs - x1), np.maximum(y0 - ys, ys - y1))
    return max(0.0, float(beyond.max()) / RES)


LOOP_WIN_MM = 2.25  # the paper level for a faint loop: median over this window (>= 4x a pencil stroke's width)
FAINT_LOOP_SECTORS = 7  # the faint loop look counts only a loop reaching this many directions (decide.CIRCLE_SECTORS):
# on a noisy scan its low threshold joins noise, creases and band edges into stray arcs (partial rings)


def loop_look(g: np.ndarray) -> tuple[np.ndarray, int]:
    """Darkness (uint8) against the paper right around each pixel, averaged 3x3, and its threshold.

    For a loop in faint pencil at the ink threshold: averaged along the stroke it stays in one piece
    where single pixels break it up, and against the median over LOOP_WIN_MM a 0.3-0.6 mm stroke
    keeps its full darkness while a shaded band or a shadow is part of the level. At full resolution,
    unlike LocalPaper's half resolution, the median keeps a band's edge where it is: no faint line
    along it, which this low threshold would join into arcs. Threshold: SMOOTH_SIGMAS of the residual's
    noise, at least SMOOTH_T_MIN.
    """
    return _loop_look(g, _loop_paper(g))


def _loop_paper(g: np.ndarray) -> np.ndarray:
    """The paper level right around each pixel: the median over LOOP_WIN_MM (>= 1)."""
    return np.maximum(cv2.medianBlur(g, int(round(LOOP_WIN_MM * RES)) | 1), 1)


def _loop_look(g: np.ndarray, P: np.ndarray) -> tuple[np.ndarray, int]:
    loop = cv2.blur(cv2.divide(cv2.subtract(P, g), P, scale=255.0), (3, 3))
    return loop, int(255 * max(SMOOTH_T_MIN, SMOOTH_SIGMAS * residual_noise(P, g)))


@dataclass
class _Tone:
    """Where a box's surroundings lie on a tone (a printed tint, as dark as ink against the row's white): the
    paper level right around the pixel is itself at least TONE_LEVEL of the ink threshold dark. `stray`: the
    tone's pixels that do not stand out from that level (`loop_look`): tint, not pen."""

    loop: np.ndarray
    t_loop8: int
    stray: np.ndarray
    level: np.ndarray  # the paper level right around each pixel, as darkness against the row's paper (uint8)

    @classmethod
    def of(cls, g: np.ndarray, bg: float, t8: int) -> _Tone:
        P = _loop_paper(g)
        loop, t_loop8 = _loop_look(g, P)
        level = cv2.LUT(P, _darkness_lut(bg))
        return cls(loop, t_loop8, (level >= TONE_LEVEL * t8) & (loop <= t_loop8), level)


def residual_noise(P: np.ndarray, g: np.ndarray) -> float:
    """The paper's noise sigma (relative to its level) from the residual of `g` against its paper level `P`.

    Over the whole area, every other pixel: print and ink are a minority, a median is robust to them.
    """
    r = (P[::2, ::2].astype(np.int16) - g[::2, ::2]).ravel()
    if r.size < 64:
        return MIN_T_FAINT / FAINT_SIGMAS
    mad = hist_median_mad(np.bincount((r + 255).astype(np.int64), minlength=511))[1]
    return 1.4826 * mad / max(float(np.mean(P[::2, ::2])), 1.0)


def _ring_sectors(ink: np.ndarray, box: tuple[int, int, int, int],
                  masked: list[tuple[int, int, int, int]]) -> tuple[int, float, np.ndarray | None]:
    """Directions (of 8) around the box reached by long pen strokes in the ring; ring ink fraction; and
    the mask (at half resolution) of the strokes that were counted, None when there were none.

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
    band = _ring_band((h, w), box, tuple(masked))
    pen = small & band
    ring_px = int(np.count_nonzero(band))
    npen = int(np.count_nonzero(pen))
    ring_ink = npen / max(ring_px, 1)
    if npen < 4:
        return 0, ring_ink, None
    smap = _sector_map(h, w, x0 + x1, y0 + y1)
    counts = np.bincount(smap[pen.astype(bool)], minlength=8)
    if int((counts >= 2).sum()) < CIRCLE_MIN_SECTORS:
        return 0, ring_ink, None
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
    lines = np.zeros_like(allink)
    for kernel in line_kernels(L):  # level, and slanted a few degrees (a crease, a skewed rule)
        lines |= cv2.morphologyEx(allink, cv2.MORPH_OPEN, kernel)
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
            arcs = (labels == k) & (band > 0)
            if int((np.bincount(smap[arcs], minlength=8) >= 2).sum()) >= CIRCLE_MIN_SECTORS:
                return 8, ring_ink, arcs
            # else the outline's fringe, not a loop: a tint's texture joined to the outline all round reaches past
            # it as far, but hardly into the ring (looked at below as any other ink)
    pen = allink & band
    if int((np.bincount(smap[pen.astype(bool)], minlength=8) >= 2).sum()) < CIRCLE_MIN_SECTORS:
        return 0, float(np.count_nonzero(pen)) / max(ring_px, 1), None
    n, labels, stats, _ = cv2.connectedComponentsWithStats(allink, connectivity=8)
    ext = np.maximum(stats[:, 2], stats[:, 3])
    big = ext >= ARC_MIN_MM * RES / 2  # printed glyphs are < ~3.5 mm; an arc of a drawn circle is long
    big[0] = False
    ring_ink = float(np.count_nonzero(pen)) / max(ring_px, 1)
    if not big.any():
        return 0, ring_ink, None
    arcs = big[labels] & (band > 0)
    counts = np.bincount(smap[arcs], minlength=8)
    return int((counts >= 2).sum()), ring_ink, arcs


def ring_pieces(arcs: np.ndarray, box: tuple[int, int, int, int]) -> int:
    """Directions (of 8) around the box reached by pieces of the counted ring strokes `arcs` (half resolution)
    that run round the box for LOOP_PIECE_MM at least; `box` in full-resolution pixels.

    A loop drawn round the box crosses the ring as strokes running round it. A printed tint's texture, or a
    dither's, joined to the box's outline pokes out of it into the ring: nubs pointing away from the box, no
    wider across than a speck. Counted as a tight loop's arcs, such nubs on an empty box in a dithered tinted
    row reached all 8 directions, and the box read circled, the row's only answer, accepted (a third-hands
    stress run). Each piece's run round the box is its extent across the line from the box's centre to it.
    In the kept stacks, re-read (52,004 fields on pages with rings), the circles drawn that reach fewer than
    4 directions so are 4 pencil loops a 1-bit scan cut to dots: those rows now go to a person.
    """
    x0, y0, x1, y1 = (v // 2 for v in box)
    h, w = arcs.shape
    n, labels, _, centroids = cv2.connectedComponentsWithStats(arcs.astype(np.uint8), connectivity=8)
    if n <= 1:
        return 0
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    ys, xs = np.nonzero(labels)
    lab = labels[ys, xs]
    ux, uy = centroids[:, 0] - cx, centroids[:, 1] - cy
    norm = np.maximum(np.hypot(ux, uy), 1e-6)
    across = (xs * -uy[lab] + ys * ux[lab]) / norm[lab]  # position across each piece's own ray from the centre
    lo, hi = np.full(n, np.inf), np.full(n, -np.inf)
    np.minimum.at(lo, lab, across)
    np.maximum.at(hi, lab, across)
    runs_round = (hi - lo + 1.0) >= LOOP_PIECE_MM * RES / 2
    runs_round[0] = False
    counts = np.bincount(_sector_map(h, w, x0 + x1, y0 + y1)[runs_round[labels]], minlength=8)
    return int((counts >= 2).sum())


TONE_LEVEL = 0.5  # the paper right around a pixel is a tone from this share of the ink threshold's darkness
TONE_LOOK_FROM = 0.05  # a ring this much inked (against the row's paper), or seen as a circle, is checked for a
# tone under it ...
TONE_SHARE = 0.02  # ... which it is when this share of it is tone (`_Tone.stray`) ...
TONE_INK_SHARE = 0.3  # ... and at least this share of its ink is
TONE_STROKE_DARK = 0.15  # arcs found only against the paper around them count from this darkness there (a dot
# screen's texture: median 0.05, 99th percentile 0.10 over 193 boxes of a dark-toner stack; a ballpoint circle 0.3)


def _ring_off_tone(ink: np.ndarray, looped: np.ndarray | None, tone: _Tone,
                   box: tuple[int, int, int, int], masked: list[tuple[int, int, int, int]],
                   seen: tuple[int, float, np.ndarray | None]) -> tuple[int, float, np.ndarray | None]:
    """The ring's look again without the tone under it, where there is one.

    Against the ring's paper level (the white above and below the row) a shaded row is just below the ink
    threshold, as the form prints it. A laser printer's dark toner prints its light tint as a dot screen up
    to twice as dark: every box of an empty row saw ink all around it and read as maybe circled (other-printer
    stress runs: 155 of 855 fields to a person), and a circle drawn round a box in such a row was lost with
    the tint, which the printed-rule look takes out whole; the tint's speckle along a box's outline joined it
    all round, as a loop drawn tight round the box does, and an empty box was read as circled (the only mark
    of its row on a faint writer's page: accepted, a silent error). Where the ring is tone (TONE_SHARE of it,
    and TONE_INK_SHARE of its ink; `_Tone`: a pixel whose own paper level is dark and which does not stand
    out from it), the ring is looked at again without it; a faint pencil loop stands out from the tint and
    stays (`looped`, the faint loop look's ink, is kept whole). The new look may take directions away.
    Directions it adds are a stroke the tint hid (a ballpoint circle in a tint of 20 % cover was read as an
    empty box) or the dot screen's own texture, which stands out too and made whole rings: only arcs as dark
    as a pen's (TONE_STROKE_DARK) count, and make at most a maybe-circle (a person looks).
    """
    h, w = ink.shape[0] // 2, ink.shape[1] // 2
    band = _ring_band((h, w), box, tuple(masked)).astype(bool)
    half = (w, h)
    stray = np.count_nonzero(cv2.resize((ink & tone.stray).astype(np.uint8) * 255, half,
                                        interpolation=cv2.INTER_AREA)[band])
    inked = np.count_nonzero(cv2.resize(ink.astype(np.uint8) * 255, half, interpolation=cv2.INTER_AREA)[band])
    if stray < TONE_SHARE * max(np.count_nonzero(band), 1) or stray < TONE_INK_SHARE * inked:
        return seen
    own = ink & ~tone.stray
    if looped is not None:
        own |= looped
    again = _ring_sectors(own.astype(np.uint8), box, masked)
    if again[0] < seen[0]:
        return again  # the tone's ring taken out
    if again[0] > seen[0] and again[0] >= CIRCLE_MIN_SECTORS and again[2] is not None and again[2].any():
        small = cv2.resize(tone.loop, half, interpolation=cv2.INTER_AREA)
        if median(small[again[2]]) / 255.0 >= TONE_STROKE_DARK:  # a stroke the tint hid: a person looks
            return min(again[0], FAINT_LOOP_SECTORS - 1), again[1], again[2]
    return seen


FILL_LIGHT_FROM = 0.7  # a box inked over this much of its interior, in solid blobs: how even is the ink?
PEN_LINE_CORE_Q = 90  # a line's core: this percentile of the darkness of the pixels erased with it
CREASE_MAX_DARK = 0.45  # a fold's line is fainter than this (fold shadows ~0.1-0.35): a darker one is a pen's
HALFTONE_PEN_DARK = 0.3  # ... on a page descreened from halftone dots, whose thin strokes kept about half their
# darkness: a blue ballpoint dash struck through a box and on into both labels came out 0.42 at its core and
# was erased as a fold, the box read empty (other-hands stress runs, 2 rows in 2,565 fields; the ward's
# halftone pages erased nothing darker than 0.18)
LINE_INK_PLUS = 12  # pen ink on a line through a box is darker than the line's own level by more than this
LINE_INK_SPREADS = 4  # ... or than this many of the line's own spreads (a fold varies along its length)
LINE_LEVEL_Q = 25  # a line's level: this percentile of its core outside the box (labels it crosses add to it)


@dataclass
class _Line:
    """A straight line across the ROI: for axis 0 (near-horizontal) pixel (rows[k, i], i) for each step i
    along it and k across its 5 px width; for axis 1 the same on the transposed ROI."""

    axis: int
    rows: np.ndarray  # (5, n) int


def _erase_lines(Dm: np.ndarray, lines: list[_Line], box: tuple[float, float, float, float],
                 painted: np.ndarray | None = None) -> np.ndarray:
    """Remove through-lines from the darkness map (a copy), but only up to each line's own darkness.

    A line's darkness is its core (the darkest pixel across it, per step along it) where it runs
    outside the box, taken low (LINE_LEVEL_Q): the labels and box edges it runs through only ever add
    darkness and can take up half of those steps. A fold, a crease, a streak or the grey band behind a
    rating row is erased; a pen stroke lying on it is much darker and stays (a blanket erase once wiped
    a clear tick off a shaded row). `painted` (bool, True where a streak was painted out): steps of a
    line there say nothing about its darkness and are left out of its level.
    """
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    mx, my = int(round(INSET * (x1 - x0))), int(round(INSET * (y1 - y0)))
    out = Dm
    for axis in (0, 1):
        group = [ln.rows for ln in lines if ln.axis == axis]
        if not group:
            continue
        rows = np.stack(group)  # (lines, 5, steps)
        M = Dm if axis == 0 else Dm.T
        a0, a1, b0, b1, ma = (x0, x1, y0 + my, y1 - my, mx) if axis == 0 else (y0, y1, x0 + mx, x1 - mx, my)
        cols = np.arange(rows.shape[2])
        vals = M[rows, cols]
        core = vals.max(axis=1)  # (lines, steps)
        outside = (cols < a0) | (cols >= a1)
        if not outside.any():
            continue
        if painted is None:
            co = np.sort(core[:, outside].astype(np.float64), axis=1)
            # per line, as np.percentile and np.median give them along the axis (~6x cheaper on a few lines)
            level = np.array([quantile(c, LINE_LEVEL_Q / 100) for c in co])
            half = co[:, :max(1, co.shape[1] // 2)]  # the lower half: the line itself, not the labels it crosses
            spread = np.array([median(np.abs(h - v)) for h, v in zip(half, level, strict=True)])
        else:
            G = painted if axis == 0 else painted.T
            known = outside[None, :] & ~G[rows, cols].any(axis=1)
            level, spread = _line_levels(core, np.where(known.any(axis=1)[:, None], known, outside[None, :]))
        inside = (rows >= b0) & (rows < b1) & ((cols >= a0 + ma) & (cols < a1 - ma))[None, None, :]
        steps_in = inside.any(axis=1)
        in_core = np.where(inside, vals, 0).max(axis=1).astype(np.float64)
        n_in = steps_in.sum(axis=1)
        in_med = np.array([median(in_core[i, steps_in[i]]) if n_in[i] else np.inf for i in range(len(rows))])
        # print around a white box (the band behind a rating row) is not a line through it
        keep = ~(in_med < 0.5 * level)
        if not keep.any():
            continue
        limit = np.minimum(255.0, level + np.maximum(LINE_INK_PLUS, LINE_INK_SPREADS * spread))
        sel = (vals <= limit[:, None, None]) & keep[:, None, None]
        if out is Dm:
            out = Dm.copy()
        O = out if axis == 0 else out.T
        O[rows[sel], np.broadcast_to(cols, vals.shape)[sel]] = 0
    return out


def pen_line_share(before: np.ndarray, after: np.ndarray, t8: int, pen_dark: float = CREASE_MAX_DARK) -> float:
    """Share of an interior whose ink the through-line erase took, when that ink is as dark as a pen's.

    The erase is for folds, creases and shaded bands, all paler than CREASE_MAX_DARK at their core (the
    line's darkest tenth of pixels, PEN_LINE_CORE_Q: a soft scan spreads a red dash's core into a pale
    fringe, whose median is a fold's). A line that dark through a box is a pen's: a dash struck through
    the box and on across its label fills the side strips like a crease (with the label's letters), and
    erased, the box read empty - a silent error.
    On a 1-bit page every line is black: a fold through a box there goes to a person too. `pen_dark`: the
    darkness from which the line is a pen's (lower on a descreened page: HALFTONE_PEN_DARK).
    """
    gone = (before > t8) & (after <= t8)
    if not gone.any() or np.percentile(before[gone], PEN_LINE_CORE_Q) < pen_dark * 255:
        return 0.0
    return float(np.count_nonzero(gone)) / gone.size


def _line_levels(core: np.ndarray, use: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per line: its level (LINE_LEVEL_Q of its core over the steps `use`) and its spread (`_erase_lines`)."""
    level, spread = np.zeros(len(core)), np.zeros(len(core))
    for i in range(len(core)):
        co = np.sort(core[i, use[i]].astype(np.float64))
        level[i] = quantile(co, LINE_LEVEL_Q / 100)  # np.percentile's number, ~6x cheaper
        spread[i] = median(np.abs(co[:max(1, co.size // 2)] - level[i]))
    return level, spread


def _through_lines(mask: np.ndarray, box: tuple[float, float, float, float], share: float = 0.75,
                   clear: np.ndarray | None = None) -> list[_Line]:
    """Straight lines that cross the whole ROI through the box (folds, creases, streaks at an angle, rules).

    A line seen in both side strips (left and right of the box, or above and below) at matching
    positions, with a slope of at most ~6 deg, cannot be a pen mark in the box: a mark does not run
    5 mm straight out of both sides. `share`: how much of each side strip's row the line must cover
    (labels and box outlines in a strip interrupt a crease). A wide band (a fold's shadow) gives one
    line per row. `clear` (bool, optional): where the ROI is surely paper (well under the mask's
    threshold); a line with a stretch of it in a side strip ends there (`_breaks_off`) and is not one
    of these. Returns those lines (to ignore: see `_erase_lines`); an empty list when there are none.
    """
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    gap = int(1.5 * RES)
    out: list[_Line] = []
    for axis in (0, 1):  # 0: near-horizontal lines (left/right strips), 1: near-vertical
        m = mask if axis == 0 else mask.T
        a0, a1 = (x0, x1) if axis == 0 else (y0, y1)
        n = m.shape[1]
        s1, s2 = m[:, 2:max(3, a0 - gap)], m[:, min(n - 3, a1 + gap):n - 2]
        if s1.shape[1] < 8 or s2.shape[1] < 8:
            continue
        f1 = s1.mean(axis=1) >= share
        f2 = s2.mean(axis=1) >= share
        if not f1.any() or not f2.any():
            continue
        c1 = (2 + max(3, a0 - gap)) / 2.0
        c2 = (min(n - 3, a1 + gap) + n - 2) / 2.0
        r1, r2 = np.flatnonzero(f1), np.flatnonzero(f2)
        tol = 0.1 * (c2 - c1) + 2
        xs = np.arange(n)
        outside = np.r_[2:max(3, a0), min(n - 3, a1):n - 2]  # strips and the gaps between them and the box
        # what every candidate shares, made once (a wide band makes a candidate of every row)
        x_out, oc, xc, last = outside[None, :], outside[None, :] - c1, xs - c1, m.shape[0] - 1
        cl = None if clear is None else clear if axis == 0 else clear.T
        for p in r1:
            q = r2[np.abs(r2 - p) <= tol]
            if q.size == 0:
                continue
            # of the candidate ends, the nearest of those whose straight line is best supported all the
            # way to the box (a label in a strip can fill the strip's rows too; in a wide band every row does)
            if q.size == 1:
                qq = int(q[0])  # (the only one is the best supported)
            else:
                ys = np.round(p + oc * ((q[:, None] - p) / (c2 - c1))).astype(int)
                support = m[np.clip(ys, 0, last), x_out].mean(axis=1)
                good = q[support >= support.max() - 0.1]
                qq = int(good[np.argmin(np.abs(good - p))])
            ys = np.round(p + xc * (qq - p) / (c2 - c1)).astype(int)
            rows = np.clip(ys[None, :] + _ACROSS, 0, last)
            if cl is not None and _breaks_off(cl[rows, xs].all(axis=0), (2, max(3, a0 - gap)),
                                              (min(n - 3, a1 + gap), n - 2)):
                continue
            out.append(_Line(axis, rows))
    return out


_ACROSS = np.arange(-2, 3)[:, None]  # a through-line's 5 px across it


LINE_BREAK_MM = 0.5  # a stretch of clear paper this long on a line in a side strip: the line ends there


def _sure_paper(D: np.ndarray, t8: int, painted: np.ndarray | None) -> np.ndarray:
    """Where darkness map D is surely paper: under half the threshold `t8` its lines are seen at, and
    not painted out (a streak's stretch is unknown, not paper)."""
    clear = np.less_equal(D, t8 // 2)
    return clear if painted is None else clear & ~painted


def _breaks_off(clear: np.ndarray, *strips: tuple[int, int]) -> bool:
    """Whether a line has a stretch of clear paper in a side strip (`clear`: per step along the line,
    whether all of its width there is surely paper).

    A fold or crease runs on across the sheet; where it crosses a label its print adds to it. A pen
    stroke struck through a box ends a few mm out, and the strip's label beside it (the word before the
    box, the option's own label) then fills the rest of the strip: with the share test alone the stroke
    was taken for a crease, erased, and the box read empty - a silent error. The clear paper between the
    stroke's end and the label tells them apart. "Clear" is well under the line's own threshold: a faint
    crease on a noisy scan dips under that threshold here and there, and is still a crease.
    """
    need = int(round(LINE_BREAK_MM * RES))
    for s0, s1 in strips:
        c = clear[s0:s1]
        if np.count_nonzero(c) < need:  # too few clear steps for one stretch (most lines): ~10x cheaper than runs
            continue
        edges = np.diff(c.view(np.int8), prepend=0, append=0)
        if ((np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)) >= need).any():
            return True
    return False


def measure_box(image: np.ndarray, H: np.ndarray, rect_mm: Sequence[float],
                neighbours_mm: Sequence[Sequence[float]] = (), streaks: dict | None = None,
                pen_dark: float = CREASE_MAX_DARK) -> BoxMeasure:
    """Measure one printed box (rect_mm = outer edge of its outline) on a registered image.

    neighbours_mm: other printed boxes near this one; they are masked out of the ring analysis.
    pen_dark: a line through the box this dark is a pen's, not a fold's (`pen_line_share`).
    """
    x, y, w, h = (float(v) for v in rect_mm)
    m = SNAP_MM + RING_OUT_MM
    g, painted = warp_rect_grey_painted(image, H, [x - m, y - m, w + 2 * m, h + 2 * m], RES, streaks=streaks)
    return _measure_roi(g, x - m, y - m, rect_mm, neighbours_mm, painted=painted, pen_dark=pen_dark)


def measure_boxes(image: np.ndarray, H: np.ndarray, rects_mm: Sequence[Sequence[float]],
                  neighbours_mm: Sequence[Sequence[Sequence[float]]], streaks: dict | None = None,
                  pen_dark: float = CREASE_MAX_DARK) -> list[BoxMeasure]:
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
        return [measure_box(image, H, r, nb, streaks, pen_dark) for r, nb in zip(rects_mm, neighbours_mm, strict=True)]
    band, painted = warp_rect_grey_painted(image, H, [fx0, fy0, fx1 - fx0 + 1.0 / RES, fy1 - fy0 + 1.0 / RES], RES,
                                           streaks=streaks, perspective=True)
    out = []
    local = LocalPaper(band)
    for r, nb in zip(rects_mm, neighbours_mm, strict=True):
        x, y, w, h = (float(v) for v in r)
        c0, r0 = int(round((x - m - fx0) * RES)), int(round((y - m - fy0) * RES))
        rows, cols = slice(r0, r0 + int(round((h + 2 * m) * RES))), slice(c0, c0 + int(round((w + 2 * m) * RES)))
        g = np.ascontiguousarray(band[rows, cols])
        out.append(_measure_roi(g, fx0 + c0 / RES, fy0 + r0 / RES, r, nb, local.view(r0, c0, *g.shape),
                                painted=_any_or_none(painted[rows, cols]) if painted is not None else None,
                                pen_dark=pen_dark))
    return out


def _any_or_none(mask: np.ndarray) -> np.ndarray | None:
    """The mask, or None when it is empty."""
    return mask if mask.any() else None


QUIET_RING_PX = 10  # the ring's darkest stroke is the darkness this many of its pixels reach (a pencil stroke
# 1 mm long covers ~20 at RES; a speck of dust or noise fewer)


def ring_darkest(image: np.ndarray, H: np.ndarray, rect_mm: Sequence[float], neighbours_mm: Sequence[Sequence[float]],
                 snap_mm: Sequence[float] = (0.0, 0.0), streaks: dict | None = None) -> float:
    """Darkness (0..1) of the darkest pen stroke anywhere in the ring around a box, against the paper right
    around it (`loop_look`: a shaded row or a shadow is the level, not a stroke).

    The ring's own measures look at the ink threshold, or below it only for thin strokes outside any
    shaded area: a faint-pencil loop drawn round a box in a shaded row left them at 0 with the loop
    plain to see. This look sees it, and is run only where an empty box must vouch for itself on a
    faint writer's page (`writer.quiet_box`). The box itself (with RING_IN_MM), neighbouring boxes
    and printed text are left out, as in the ring's measures.
    """
    x, y, w, h = (float(v) for v in rect_mm)
    m = SNAP_MM + RING_OUT_MM
    g = warp_rect_grey(image, H, [x - m, y - m, w + 2 * m, h + 2 * m], RES, streaks=streaks)
    loop, _ = loop_look(g)
    dx, dy = (float(v) * RES for v in snap_mm)
    box = (int(round(m * RES + dx)), int(round(m * RES + dy)), int(round((m + w) * RES + dx)),
           int(round((m + h) * RES + dy)))
    masked = tuple(neighbour_boxes_px(neighbours_mm, x - m, y - m, dx, dy))
    vals = loop[_ring_band(loop.shape, box, masked, 1).astype(bool)]
    if vals.size < QUIET_RING_PX:
        return 1.0
    return float(np.partition(vals, vals.size - QUIET_RING_PX)[vals.size - QUIET_RING_PX]) / 255.0


def neighbour_boxes_px(neighbours_mm: Sequence[Sequence[float]], ox: float, oy: float,
                       dx: float, dy: float) -> list[tuple[int, int, int, int]]:
    """Neighbouring printed boxes (mm rects) as (x0, y0, x1, y1) pixels of an ROI whose corner is (ox, oy) mm.

    Plain Python: a box has a handful of neighbours, and NumPy's set-up cost was most of the time.
    """
    out = []
    for r in neighbours_mm:
        x, y, w, h = map(float, r)  # (a generator expression cost 40 % more)
        mx0, my0 = (x - ox) * RES + dx, (y - oy) * RES + dy
        out.append((int(mx0), int(my0), math.ceil(mx0 + w * RES), math.ceil(my0 + h * RES)))
    return out


def near_roi(masked: list[tuple[int, int, int, int]], shape: tuple[int, ...]) -> list[tuple[int, int, int, int]]:
    """The rects of `masked` (px) that reach an ROI of `shape` with the widest margin any look masks them with.

    The others mask nothing there: of a box's ~12 neighbours a few lie near it, and laying out the ring's
    band with them all was ~40 % of the ring look's time.
    """
    h, w = shape[:2]
    m = MASK_REACH_PX
    return [r for r in masked if r[2] + m > 0 and r[3] + m > 0 and r[0] - m < w and r[1] - m < h]


def ink_threshold(sigma: float) -> float:
    """The darkness (share of the paper's) from which a pixel is ink, given the paper's noise `sigma`."""
    return clamp(INK_SIGMAS * sigma, MIN_T_INK, MAX_T_INK)


def snap_trust(sigma: float) -> float:
    """Darkness of the printed outline from which its found position is trusted over the mapping.

    A clean scan's outline is 0.5-0.9; glare on a phone photo washed one out to 0.19, and the box,
    measured where the mapping put it ~0.7 mm off, took its own outline for a mark. So the bar is
    the lower of SNAP_TRUST and SNAP_SIGMAS noise sigmas (never below SNAP_TRUST_MIN).
    """
    return max(SNAP_TRUST_MIN, min(SNAP_TRUST, SNAP_SIGMAS * sigma))


PAPER_STEP = 0.18  # one side of the paper around a box this much darker than another: a shadow's edge
# (printed row shading is 0.06, a header band 0.12; a phone's soft shadow changes < 0.1 over a box's ring)
STEP_FROM = 0.03  # ... looked for around boxes with at least this much ink or trace inside (or a ring)
STEP_MASK_MM = 1.5  # neighbouring boxes and printed text are kept out of the sectors this far around
# (a cancelled box in the next row fills a sector; a mark overshoots its box by up to ~2 mm)
STEP_SECTOR_MIN = 0.25  # a sector with less of its area left than this says nothing
MASK_REACH_PX = int(round(max(STEP_MASK_MM, RING_IN_MM) * RES)) + 1  # a neighbour masks no further out than this


def paper_sides(g: np.ndarray, zone: tuple[int, int, int, int],
                masked: Sequence[tuple[int, int, int, int]] = ()) -> tuple[float, float]:
    """(step, darkest level): the paper's median grey in the 8 sectors around `zone` (x0, y0, x1, y1 px).

    A median per sector, with neighbouring boxes and printed text (`masked`, px rects) left out: ink
    and a loop drawn around the box stay a minority of a sector; a shadow covering more than half of
    one sets its level. step = 1 - darkest / lightest.
    """
    H, W = g.shape
    zx0, zy0, zx1, zy1 = max(0, zone[0]), max(0, zone[1]), min(W, zone[2]), min(H, zone[3])
    free = np.ones((H, W), bool)
    pad = int(round(STEP_MASK_MM * RES))
    for x0, y0, x1, y1 in masked:
        free[max(0, y0 - pad):max(0, y1 + pad), max(0, x0 - pad):max(0, x1 + pad)] = False
    levels = []
    for r0, r1 in ((0, zy0), (zy0, zy1), (zy1, H)):
        for c0, c1 in ((0, zx0), (zx0, zx1), (zx1, W)):
            if (r0, c0) == (zy0, zx0) or r1 - r0 < 4 or c1 - c0 < 4:
                continue
            keep = free[r0:r1:2, c0:c1:2]
            px = g[r0:r1:2, c0:c1:2][keep]
            if px.size >= STEP_SECTOR_MIN * keep.size and px.size >= 16:
                levels.append(float(np.partition(px, px.size // 2)[px.size // 2]))  # the median, 5x cheaper
    if len(levels) < 2 or max(levels) < 1.0:
        return 0.0, 0.0
    return 1.0 - min(levels) / max(levels), min(levels)


@lru_cache(maxsize=512)
def _darkness_lut(bg: float) -> np.ndarray:
    """Grey level -> darkness 0..255 relative to the paper level `bg` (read-only: shared between boxes)."""
    lut = np.clip(np.rint((bg - np.arange(256.0)) * (255.0 / bg)), 0, 255).astype(np.uint8)
    lut.flags.writeable = False
    return lut


def _measure_roi(g: np.ndarray, ox: float, oy: float, rect_mm: Sequence[float],
                 neighbours_mm: Sequence[Sequence[float]], local: Callable | None = None,
                 paper_at: float | None = None, painted: np.ndarray | None = None,
                 pen_dark: float = CREASE_MAX_DARK) -> BoxMeasure:
    """Measure a box on `g`, its ROI warped at RES with the top-left pixel's corner at (ox, oy) mm.

    local: the local paper level for this ROI (`LocalPaper.view`), when it comes from a shared band.
    paper_at: measure against this paper grey level instead of the ring's (the shaded side of a shadow).
    painted: where a scanner streak was painted out of the ROI (bool): not paper but unknown, so a crease
    or fold is still found running through the box where a streak along it cut a stretch out of it (a
    crease along a painted-out streak row, read as a tick on a rough scan).
    pen_dark: a line through the box this dark is a pen's, not a fold's (`pen_line_share`).
    A box with ink inside whose surrounding paper is much darker on one side than another (a hard
    shadow's edge: the light, not the pen, changes there) is measured a second time against the darker
    side (`in_shade`); `decide` sends it to a person when the two readings disagree.
    """
    x, y, w, h = (float(v) for v in rect_mm)
    x0, y0 = (x - ox) * RES, (y - oy) * RES
    x1, y1 = x0 + w * RES, y0 + h * RES
    # paper level and noise from the ring outside the box (mostly paper; labels are a minority)
    r_in = int(round(0.8 * RES))
    hist = hist256(g)
    zone = (int(x0) - r_in, int(y0) - r_in, int(x1) + r_in, int(y1) + r_in)
    box_zone = g[zone[1]:zone[3], zone[0]:zone[2]]
    if box_zone.size:
        hist -= hist256(box_zone)
    bg, sigma = paper_level(hist, paper_at)
    t_ink = ink_threshold(sigma)
    # darkness 0..255 relative to the paper level, by table lookup (one pass over the ROI)
    D8 = cv2.LUT(g, _darkness_lut(bg))
    dx, dy, outline = _snap(cv2.blur(D8, (3, 3)), (x0, y0, x1, y1), int(round(SNAP_MM * RES)))
    if outline < snap_trust(sigma):
        dx, dy = 0, 0  # no printed outline found (lost in the scan?): trust the mapping
    bx0, by0, bx1, by1 = x0 + dx, y0 + dy, x1 + dx, y1 + dy
    ix0, ix1 = int(round(bx0 + INSET * w * RES)), int(round(bx1 - INSET * w * RES))
    iy0, iy1 = int(round(by0 + INSET * h * RES)), int(round(by1 - INSET * h * RES))
    Dm0 = Dm = cv2.medianBlur(D8, 3)  # drops salt noise, keeps 2-3 px strokes
    pen_line_ink = 0.0
    t8 = int(t_ink * 255)
    t_faint = clamp(FAINT_SIGMAS * sigma, MIN_T_FAINT, t_ink)
    if np.count_nonzero(Dm[iy0:iy1, ix0:ix1] > int(t_faint * 255)):  # only worth it if there is ink inside
        seen = Dm > int(t_faint * 255)
        lines = _through_lines(seen if painted is None else seen | painted, (bx0, by0, bx1, by1),
                               clear=_sure_paper(Dm, int(t_faint * 255), painted))
        if lines:
            Dm = _erase_lines(Dm, lines, (bx0, by0, bx1, by1), painted)
            pen_line_ink = pen_line_share(Dm0[iy0:iy1, ix0:ix1], Dm[iy0:iy1, ix0:ix1], t8, pen_dark)
    inner = Dm[iy0:iy1, ix0:ix1]
    ink_i = inner > t8
    n_in = max(ink_i.size, 1)
    n_ink = int(np.count_nonzero(ink_i))
    coverage = n_ink / n_in
    box_i = (bx0, by0, bx1, by1)
    interior = (slice(iy0, iy1), slice(ix0, ix1))
    L8, sigma_l = None, sigma
    tone, reach, centre, edge = -1.0, -1.0, -1.0, -1.0
    if coverage >= CIRCLE_ONLY_BELOW:
        tone = interior_tone(inner, ink_i)
        centre = centre_share(ink_i)
        edge = edge_paper(Dm[int(round(by0)):int(round(by1)), int(round(bx0)):int(round(bx1))] > t8)
        reach = pale_reach_mm(Dm, t8, (bx0, by0, bx1, by1), interior)
        # a clear amount of ink: the box is decided by it, faint traces and the ring are not looked at
        t_smooth8 = int(255 * max(SMOOTH_T_MIN, SMOOTH_SIGMAS * sigma))
        look = _Trace(inner > int(t_faint * 255), cv2.blur(inner, (3, 3)) > t_smooth8, 0.0)
    else:
        look = _trace_look(Dm0, interior, box_i, sigma, t_ink, painted)
        if sigma > LOCAL_LOOK_SIGMA and look.peak >= SMOOTH_T_MIN:
            # the ring's noise is above what paper grain gives: its level may not be this box's paper (a
            # shaded row, a shadow). Where the paper right around each pixel is much quieter, look again
            # against it (on a merely noisy scan both agree, and one look is enough).
            L8, sigma_l = (local or LocalPaper(g).view(0, 0, *g.shape))()
            if sigma > LOCAL_GAIN * sigma_l:
                look = look.widened_by(_trace_look(L8, interior, box_i, sigma_l, t_ink, painted))
            else:
                L8, sigma_l = None, sigma
    faint, faint_smooth = look.faint / n_in, look.smooth / n_in
    band_erased = -1.0
    if max(faint, coverage) < TRACE_WORTH:
        unerased = float(np.count_nonzero(Dm0[iy0:iy1, ix0:ix1] > int(t_faint * 255))) / n_in
        band_erased = unerased if unerased >= BAND_ERASED_FROM else -1.0
    runs_out = False
    if coverage < CIRCLE_ONLY_BELOW and faint >= RUN_OUT_FROM:
        runs_out = trace_runs_out(look.faint_mask, L8 if L8 is not None else Dm0, (ix0, iy0), box_i,
                                  int(255 * max(SMOOTH_T_MIN, SMOOTH_SIGMAS * sigma_l)))
    # the exact integer sum over the count, as NumPy's mean gives it (its float sum of integers is exact), 7x cheaper
    darkness = cv2.sumElems(D8[iy0:iy1, ix0:ix1])[0] / ink_i.size / 255.0 if ink_i.size else 0.0
    strength = median(inner[ink_i]) / 255.0 if n_ink else 0.0
    local_peak = -1.0
    if coverage >= CIRCLE_ONLY_BELOW and strength < PALE_MARK_STRENGTH:
        L8p, _ = (local or LocalPaper(g).view(0, 0, *g.shape))()
        local_peak = quantile(L8p[iy0:iy1, ix0:ix1], 99 / 100) / 255.0  # np.percentile's number, ~5x cheaper
    solid = 0.0
    if coverage > 0.25:
        m8 = cv2.morphologyEx(ink_i.astype(np.uint8), cv2.MORPH_CLOSE, _K3)
        m8 = cv2.morphologyEx(m8, cv2.MORPH_OPEN, _SOLID, borderType=cv2.BORDER_REPLICATE)
        solid = cv2.countNonZero(m8) / m8.size  # 0/1: the mean, as NumPy gives it
    gaps, x_arms, x_between, thick, holes = -1, -1.0, -1.0, -1.0, -1
    x_arms_at, x_between_at = -1.0, -1.0
    fill_light = -1.0
    if coverage >= FILL_LIGHT_FROM and solid >= FILL_LIGHT_FROM:
        lo, hi = quantile(inner, 20 / 100), quantile(inner, 80 / 100)  # np.percentile's numbers
        fill_light = float(lo / hi) if hi > 0 else 1.0
    if solid >= GAPS_FROM[0] or coverage >= GAPS_FROM[1]:
        e = GAP_EDGE_MM * RES  # the whole box inside its printed outline: pockets of a cross reach the edges
        region = Dm[int(round(by0 + e)):int(round(by1 - e)), int(round(bx0 + e)):int(round(bx1 - e))] > t8
        gaps, holes = paper_pockets(region)
        x_arms, x_between = cross_profile(region)
        if coverage < CROSSING_LOOK_BELOW and gaps < CROSSING_LOOK_GAPS:
            x_arms_at, x_between_at = crossing_profile(region)
        thick = stroke_width(region)
    # not measured: a box with ink inside is decided by its interior
    sectors, ring_ink, ring_strength, ring_tone, pieces = -1, -1.0, 0.0, -1.0, -1
    masked = near_roi(neighbour_boxes_px(neighbours_mm, ox, oy, dx, dy), g.shape)  # for the ring and the paper's sides
    if coverage < CIRCLE_ONLY_BELOW:
        ink_all = Dm > t8  # against the ring's level: a shaded band is just below the ink threshold
        Dring = Dm
        box_px = (int(round(bx0)), int(round(by0)), int(round(bx1)), int(round(by1)))
        if L8 is not None:  # a circle in faint pencil around a box in a shaded row: against the local paper
            ink_all = ink_all | (int(255 * clamp(INK_SIGMAS * sigma_l, MIN_T_RING, MAX_T_INK)) < L8)
            Dring = np.maximum(Dm, L8)
        sectors, ring_ink, arcs = _ring_sectors(ink_all.astype(np.uint8), box_px, masked)
        looped, tint = None, None  # tint: the look against the paper right around each pixel, made once
        if sectors < FAINT_LOOP_SECTORS and faint_loop_hint(Dm, int(255 * MIN_T_RING), t8, box_px, masked):
            tint = _Tone.of(g, bg, t8)
            seen = _ring_sectors((ink_all | (tint.loop > tint.t_loop8)).astype(np.uint8), box_px, masked)
            if seen[0] >= FAINT_LOOP_SECTORS:  # a loop all around, or nothing: the look is for faint loops only
                sectors, ring_ink, arcs = seen
                Dring = np.maximum(Dring, tint.loop)
                looped = tint.loop > tint.t_loop8
        if ring_ink >= TONE_LOOK_FROM or sectors >= CIRCLE_MIN_SECTORS:
            tint = tint or _Tone.of(g, bg, t8)
            sectors, ring_ink, arcs = _ring_off_tone(ink_all, looped, tint, box_px, masked, (sectors, ring_ink, arcs))
        if arcs is not None and sectors >= CIRCLE_MIN_SECTORS and arcs.any():
            half = (Dring.shape[1] // 2, Dring.shape[0] // 2)
            ring_strength = median(cv2.resize(Dring, half, interpolation=cv2.INTER_AREA)[arcs]) / 255.0
            level = cv2.resize((tint or _Tone.of(g, bg, t8)).level, half, interpolation=cv2.INTER_AREA)
            ring_tone = float(np.count_nonzero(level[arcs] >= TONE_LEVEL * t8)) / float(np.count_nonzero(arcs))
            pieces = ring_pieces(arcs, box_px)
    side = side_ink_mm(Dm, (bx0, by0, bx1, by1), (ix0, iy0, ix1, iy1), t8) if coverage < CIRCLE_ONLY_BELOW else -1.0
    m = BoxMeasure(coverage=coverage, faint=faint, faint_smooth=faint_smooth, darkness=darkness, strength=strength,
                   solid=solid, ring_sectors=sectors, ring_ink=ring_ink, background=bg, noise=sigma, t_ink=t_ink,
                   snap_mm=(dx / RES, dy / RES), outline=outline, gaps=gaps,
                   edge_paper=edge, x_arms=x_arms, x_between=x_between, x_arms_at=x_arms_at,
                   x_between_at=x_between_at,
                   stroke_mm=thick, holes=holes, trace_strength=look.strength, ring_strength=ring_strength,
                   ring_tone=ring_tone, ring_pieces=pieces,
                   trace_runs_out=runs_out, tone=tone, reach_mm=reach, centre_ink=centre,
                   peak=look.peak if coverage < CIRCLE_ONLY_BELOW else -1.0, pen_line_ink=pen_line_ink,
                   fill_light=fill_light, side_ink_mm=side, local_peak=local_peak, band_erased=band_erased)
    if paper_at is None and (max(coverage, faint, faint_smooth) >= STEP_FROM or sectors >= CIRCLE_MIN_SECTORS):
        m.paper_step, darkest = paper_sides(g, zone, masked)
        if m.paper_step >= PAPER_STEP:
            m.in_shade = _measure_roi(g, ox, oy, rect_mm, neighbours_mm, local, paper_at=darkest,
                                       painted=painted, pen_dark=pen_dark)
    return m


OUTLINE_CLEAR_MM = 0.35  # the printed outline (0.25 mm, drawn inside the box's rect) and its edge
STRIP_FROM_MM = 0.5  # a stroke in the strip reaches this far in from the box's edge (the outline's ink: <= 0.4)
STRIP_MIN_PX = 4  # ... over this many pixels at least, or the strips are not looked at
OUTSIDE_PX = 2  # the bands across the sides start this far outside the box's edge
THICK_PX = 3  # a stroke laid against the outline widens its dark band by this much (0.375 mm) at least
PAST_BOX_MM = (0.5, 1.5)  # beyond the box's corners, clear of its outline: where a crease along a side runs on ...
PAST_BOX_SHARE = 0.8  # ... darker than half the ink threshold (fainter outside than the stretch counted inside)
# along this share of the way, at both ends, within PAST_SLACK_MM further out (a crease runs a little askew)
PAST_SLACK_MM = 0.5


def side_ink_mm(D: np.ndarray, box: tuple[float, float, float, float], inner: tuple[int, int, int, int], t8: int,
                res: float = RES) -> float:
    """Longest stretch (mm) along one side of the box of ink between its printed outline and its interior.

    The interior leaves out 15 % of the box on every side, so that the outline never counts as ink; a stroke
    drawn there - along the box's floor, hugging a side - is not seen by it, and a pencil stroke along the floor
    of a box read empty, accepted (a third-hands stress run). Across each side, from outside the outline inwards,
    the outline is the darkest point near the box's edge and the paper beyond it only gets lighter; ink in the
    strip either rises again by `t8` after that (a stroke apart from the outline) or makes the outline's band of
    ink (darker than `t8`) THICK_PX wider than its median over the four sides (a stroke laid against it). Blur, a
    heavy print and a box shifted by a pixel or two move or widen the outline on all sides alike. A line along
    a side that runs on past the box at both ends is a crease or a fold (rough scans: 12 of 273,632 empty boxes).
    """
    bx0, by0, bx1, by1 = (int(round(v)) for v in box)
    ix0, iy0, ix1, iy1 = inner
    c = int(round(STRIP_FROM_MM * res))
    if (np.count_nonzero(D[by0 + c:by1 - c, bx0 + c:bx1 - c] > t8)
            - np.count_nonzero(D[iy0:iy1, ix0:ix1] > t8) < STRIP_MIN_PX):
        return 0.0  # the strips' inner half is paper (nearly every empty box): nothing to look at
    m = OUTSIDE_PX
    if min(bx0, by0) < m or by1 + m > D.shape[0] or bx1 + m > D.shape[1] or ix1 <= ix0 or iy1 <= iy0:
        return -1.0
    rows = ((by0 - m, iy0 + 1), (iy1 - 1, by1 + m))  # the top and bottom strips' rows, the side strips' columns
    cols = ((bx0 - m, ix0 + 1), (ix1 - 1, bx1 + m))
    bands = (D[slice(*rows[0]), ix0:ix1].T, D[slice(*rows[1]), ix0:ix1][::-1].T,
             D[iy0:iy1, slice(*cols[0])], D[iy0:iy1, slice(*cols[1])][:, ::-1])
    clear = int(round(OUTLINE_CLEAR_MM * res))
    if min(b.shape[1] for b in bands) <= m + clear:
        return -1.0
    b0, b1 = int(round(PAST_BOX_MM[0] * res)), int(round(PAST_BOX_MM[1] * res))
    if min(bx0, by0) < b1 or by1 + b1 > D.shape[0] or bx1 + b1 > D.shape[1]:
        return -1.0
    # the same strips beyond the box at both ends (positions along the side x depth): a crease along the side
    k = int(round(PAST_SLACK_MM * res))  # a crease runs a little askew: looked for a bit further out there
    wide_rows, wide_cols = ((rows[0][0] - k, rows[0][1]), (rows[1][0], rows[1][1] + k)), \
        ((cols[0][0] - k, cols[0][1]), (cols[1][0], cols[1][1] + k))
    past = [(D[slice(*r), bx0 - b1:bx0 - b0].T, D[slice(*r), bx1 + b0:bx1 + b1].T) for r in wide_rows] + \
           [(D[by0 - b1:by0 - b0, slice(*c)], D[by1 + b0:by1 + b1, slice(*c)]) for c in wide_cols]
    looks = []  # per side not a crease: (how far ink rises again past the outline, the outline's ink width)
    for b, ends in zip(bands, past, strict=True):
        if all(np.count_nonzero(e.max(axis=1) > t8 // 2) >= PAST_BOX_SHARE * e.shape[0] for e in ends):
            continue  # a line along the side runs on past the box at both ends: a crease or a fold
        b = b.astype(np.int16)
        depth = np.arange(b.shape[1])
        o = b[:, :min(b.shape[1], m + clear + 1)].argmax(axis=1)
        peak = b[np.arange(b.shape[0]), o]
        after = depth[None, :] >= o[:, None]
        b2 = np.where(after, b, peak[:, None])
        light = after & (b2 < t8)
        looks.append(((b2 - np.minimum.accumulate(b2, axis=1)).max(axis=1),
                      np.where(light.any(axis=1), light.argmax(axis=1), b.shape[1]) - o))
    wide = float(np.median(np.concatenate([w for _, w in looks if w.any()] or [np.zeros(1)]))) + THICK_PX
    return max((e - a for r, w in looks for a, e in true_runs((r >= t8) | (w >= wide))), default=0) / res


PALE_MARK_STRENGTH = 0.40  # ink inside a box paler than this (pencil, a shadow's shade) is also looked at against
# the paper right around it (`local_peak`); pens and felt tips are darker
LOCAL_WIN_MM = 1.25  # the local paper level: median over this window (wider than a pencil or ballpoint stroke)
LOCAL_LOOK_SIGMA = MIN_T_FAINT / 6  # below this ring noise the faint look is at its floor: the local look adds nothing
LOCAL_GAIN = 1.5  # ... and unless the local paper is this much quieter than the ring, it adds too little


@dataclass
class _Trace:
    """What the faint look saw in a box interior: pixel masks and the median darkness of the trace."""

    faint_mask: np.ndarray  # above the faint threshold
    smooth_mask: np.ndarray  # above the trace threshold after 3x3 averaging
    strength: float
    peak: float = 0.0  # the darkest point of the interior after 3x3 averaging

    @property
    def faint(self) -> int:
        return int(np.count_nonzero(self.faint_mask))

    @property
    def smooth(self) -> int:
        return int(np.count_nonzero(self.smooth_mask))

    def widened_by(self, local: _Trace) -> _Trace:
        """Faint pixels seen by either look; the averaged trace from the local look only.

        Either look may see a faint stroke the other misses (a wide faint patch is part of the local
        level; a shaded row raises the ring's noise and hides pencil from the ring's look). The averaged
        trace is the most sensitive look and the one a shadow edge or a band boundary fools: it is
        judged against the local paper alone.
        """
        return _Trace(self.faint_mask | local.faint_mask, local.smooth_mask,
                      local.strength if local.faint_mask.any() else self.strength, max(self.peak, local.peak))


BAND_ERASED_FROM = 0.3  # a box-wide trace (this share of the interior) erased with a band through it: recorded
TRACE_WORTH = 0.03  # a faint trace over less of the interior than this is below every decision (decide: 0.04)
TRACE_LINE_SHARE = 0.6  # the faint looks take lines that cover this much of the side strips (coverage: 0.75):
# erasing there only takes a crease's trace out of the faint looks; a pen's ink is still seen at the ink threshold


def _trace_look(D: np.ndarray, interior: tuple[slice, slice], box: tuple[float, float, float, float],
                sigma: float, t_ink: float, painted: np.ndarray | None = None) -> _Trace:
    """Faint traces in a box interior on darkness map D (uint8, noise `sigma` relative to paper).

    Straight lines running through the box and out both sides (a crease, a fold, a scanner streak)
    are removed first, up to their own darkness: they are traces of the paper, not of a pen. `painted`:
    painted-out streaks (`_measure_roi`).
    """
    t_faint = int(255 * clamp(FAINT_SIGMAS * sigma, MIN_T_FAINT, t_ink))
    t_smooth = int(255 * max(SMOOTH_T_MIN, SMOOTH_SIGMAS * sigma))
    S = cv2.blur(D, (3, 3))
    worth = TRACE_WORTH * S[interior].size  # less trace than this decides nothing: no need to look closer
    if np.count_nonzero(S[interior] > t_smooth) >= worth or np.count_nonzero(D[interior] > t_faint) >= worth:
        lines = _through_lines(t_smooth < S if painted is None else (t_smooth < S) | painted, box, TRACE_LINE_SHARE,
                               _sure_paper(S, t_smooth, painted))
        if lines:
            D = _erase_lines(D, lines, box, painted)
            S = cv2.blur(D, (3, 3))
    inner = D[interior]
    fm = inner > t_faint
    n = int(np.count_nonzero(fm))
    strength = median(inner[fm]) / 255.0 if n >= max(1.0, worth) else 0.0
    si = S[interior]
    return _Trace(fm, si > t_smooth, strength, float(si.max()) / 255.0 if si.size else 0.0)


class LocalPaper:
    """The paper level right around each pixel of a warped area, computed once and on first use.

    The level is the median over LOCAL_WIN_MM: pen strokes and printed lines are narrower and drop
    out, a shaded band or a shadow edge is wider and becomes the level. The boxes of a field share
    one warped band, so they share one computation; each box takes its slice (`view`).
    """

    def __init__(self, g: np.ndarray, win_mm: float = LOCAL_WIN_MM) -> None:
        self.g = g
        self.win_mm = win_mm  # wider for dense print (a label's bold letters are no minority over 1.25 mm)
        self._maps: tuple[np.ndarray, float] | None = None
        self._raw: np.ndarray | None = None

    def maps(self) -> tuple[np.ndarray, float]:
        """(darkness uint8 against the local level, median-filtered; the paper's noise sigma)."""
        if self._maps is None:
            g = self.g
            h, w = g.shape
            # at half the resolution (0.25 mm pixels; coarser smears the edge of a shaded band into a
            # faint line along it), with a 5x5 median: many times faster than a larger one
            k = int(round(self.win_mm * RES / 2)) | 1
            P = cv2.resize(cv2.medianBlur(cv2.resize(g, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA),
                                          k), (w, h), interpolation=cv2.INTER_LINEAR)
            P = np.maximum(P, 1)
            self._raw = cv2.divide(cv2.subtract(P, g), P, scale=255.0)
            self._maps = (cv2.medianBlur(self._raw, 3), residual_noise(P, g))
        return self._maps

    def darkness(self) -> np.ndarray:
        """Darkness (uint8) against the local level, not median-filtered: thin print keeps its true profile."""
        self.maps()
        assert self._raw is not None
        return self._raw

    def view(self, r0: int, c0: int, h: int, w: int) -> Callable[[], tuple[np.ndarray, float]]:
        """The darkness map and noise for the ROI at rows r0:r0+h, cols c0:c0+w of the area."""
        def local() -> tuple[np.ndarray, float]:
            L8, sigma = self.maps()
            return L8[r0:r0 + h, c0:c0 + w], sigma
        return local


RUN_OUT_FROM = 0.05  # a faint trace this large is checked for running out of the box (`trace_runs_out`)
RUN_OUT_MM = (2.2, 4.5)  # ... looked for this far beyond the outline (a pen's overshoot stays closer)
RUN_OUT_SHARE = 0.5  # ... on this share of the way, on both sides


def trace_runs_out(trace: np.ndarray, D: np.ndarray, origin: tuple[int, int],
                   box: tuple[float, float, float, float], t8: int) -> bool:
    """True when a faint trace in a box is one straight line that carries on beyond the box on both sides.

    A crease, a fold or a ruled line crosses a box and runs on; a pen stroke (a slash, a tick's arm)
    ends at the box or overshoots it by a millimetre or two. Fits the trace's main axis and looks for
    darkness (above t8 on D, within 1 px across) along it 2.2-4.5 mm beyond the outline on either side.
    """
    ys, xs = np.nonzero(trace)
    if xs.size < 8:
        return False
    pts = np.column_stack([xs + origin[0], ys + origin[1]]).astype(np.float64)
    c = pts.mean(axis=0)
    w, v = np.linalg.eigh(np.cov((pts - c).T))
    if w[0] * 16 > w[1]:  # not a thin straight line
        return False
    u = v[:, 1]
    x0, y0, x1, y1 = box
    h, wd = D.shape
    sides = []
    for sign in (-1.0, 1.0):
        # distance along u from the centre to the box outline, then beyond it
        tx = ((x1 if sign * u[0] > 0 else x0) - c[0]) / (sign * u[0]) if abs(u[0]) > 1e-6 else np.inf
        ty = ((y1 if sign * u[1] > 0 else y0) - c[1]) / (sign * u[1]) if abs(u[1]) > 1e-6 else np.inf
        edge = min(tx, ty)
        d = edge + np.arange(RUN_OUT_MM[0] * RES, RUN_OUT_MM[1] * RES)
        # rounded before the bounds test: a point at wd - 1.4 rounds to wd - 1, whose neighbour is off the ROI
        px = np.round(c[0] + sign * u[0] * d).astype(int)
        py = np.round(c[1] + sign * u[1] * d).astype(int)
        ok = (px >= 1) & (px <= wd - 2) & (py >= 1) & (py <= h - 2)
        if ok.sum() < RES:
            return False  # too little room in the ROI to tell
        px, py = px[ok], py[ok]
        near = np.maximum.reduce([D[py + dy, px + dx] for dy in (-1, 0, 1) for dx in (-1, 0, 1)])
        sides.append(float(np.mean(near > t8)))
    return min(sides) >= RUN_OUT_SHARE


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


def centre_share(ink: np.ndarray) -> float:
    """Inked share of the middle third (each way) of a box interior's ink mask."""
    h, w = ink.shape
    mid = ink[h // 3:h - h // 3, w // 3:w - w // 3]
    return float(mid.mean()) if mid.size else 0.0


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
    return _best_pair(_line_profile(ink, float(ys.mean()), float(xs.mean())))


CROSSING_LOOK_BELOW = 0.88  # a box inked over more of its interior is read as a fill or not (decide.FILL_COVERAGE),
CROSSING_LOOK_GAPS = 3  # and a heavy mark with this many clear pockets by them (decide.HEAVY_GAPS_DENSE): where a
# cross's arms meet is looked for (~2-4 ms a box) only on the others
CROSSING_SEARCH_MM = 0.25  # a thick cross's arms meet up to ~0.5 mm off the centre of its ink: searched in steps
CROSSING_STEPS = 2  # of this, this many each way


def crossing_profile(ink: np.ndarray, res: float = RES) -> tuple[float, float]:
    """`cross_profile` with the lines laid through the point where the arms cross, not the ink's centre.

    A felt-tip cross whose arms differ in length or weight (one arm run out past the interior, the other
    cut short by it) has its ink's centre up to ~0.5 mm off the crossing: a line through the centre runs off
    an arm (`arms` 0.82-0.90) and through the thick crossing blob (`between` up to 0.78), and four plain
    felt-tip X's of the ward's office stacks went to a person (`between_mark_and_fill`). Here the lines are
    laid through each inked point of a grid around the centre and the most cross-like pair is kept. A fill
    stays inked on every line wherever they cross.
    """
    ys, xs = np.nonzero(ink)
    h, w = ink.shape
    if ys.size < 10 or h < 8 or w < 8:
        return 0.0, 1.0
    offsets = np.arange(-CROSSING_STEPS, CROSSING_STEPS + 1) * CROSSING_SEARCH_MM * res
    cy = (float(ys.mean()) + offsets)[:, None].repeat(len(offsets), axis=1).ravel()
    cx = (float(xs.mean()) + offsets)[None, :].repeat(len(offsets), axis=0).ravel()
    iy, ix = np.rint(cy).astype(int), np.rint(cx).astype(int)
    on = (iy >= 0) & (iy < h) & (ix >= 0) & (ix < w)
    on[on] = ink[iy[on], ix[on]]  # the arms cross on ink
    if not on.any():
        return 0.0, 1.0
    return _best_pair(_line_profile(ink, cy[on], cx[on]))


def _line_profile(ink: np.ndarray, cy: float | np.ndarray, cx: float | np.ndarray) -> np.ndarray:
    """Inked share of each line through (cx, cy) at CROSS_ANGLES, over its length inside `ink`: (angles,), or
    (points, angles) for arrays of points."""
    h, w = ink.shape
    r = np.arange(-max(h, w), max(h, w) + 1, 0.75)
    cyv, cxv = np.atleast_1d(cy)[:, None, None], np.atleast_1d(cx)[:, None, None]
    px = cxv + np.cos(CROSS_ANGLES)[None, :, None] * r[None, None, :]
    py = cyv + np.sin(CROSS_ANGLES)[None, :, None] * r[None, None, :]
    inside = (px >= 0) & (px <= w - 1) & (py >= 0) & (py <= h - 1)
    vals = ink[np.clip(np.rint(py), 0, h - 1).astype(int), np.clip(np.rint(px), 0, w - 1).astype(int)] & inside
    prof = vals.sum(axis=2) / np.maximum(inside.sum(axis=2), 1)
    return prof if np.ndim(cy) else prof[0]


def _best_pair(prof: np.ndarray) -> tuple[float, float]:
    """(arms, between) of the most cross-like pair of lines in a `_line_profile`: the fullest line and one
    CROSS_SEP_DEG from it, `arms` the weaker of them, `between` the fuller of the two valleys' emptiest lines.
    For several profiles (one per row), the most cross-like pair of any; the first of equals, as a scan in order
    of the rows, then of separation, keeps it."""
    rows = np.atleast_2d(prof)
    n = rows.shape[1]
    p = rows[np.arange(len(rows))[:, None], (rows.argmax(axis=1)[:, None] + np.arange(n)) % n]  # the fullest first
    seps, arc_a, arc_b = _PAIRS
    arms = np.minimum(p[:, :1], p[:, seps])
    between = np.maximum(np.where(arc_a[None], p[:, None, :], np.inf).min(axis=2),
                         np.where(arc_b[None], p[:, None, :], np.inf).min(axis=2))
    contrast = arms - between
    k = np.unravel_index(int(np.argmax(contrast)), contrast.shape)
    if contrast[k] <= -1.0:
        return 0.0, 1.0
    return float(arms[k]), float(between[k])


def _pairs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For the fullest line at index 0: each second line's index CROSS_SEP_DEG away, and which lines lie in the
    valley between them on either side (boolean, one row per second line)."""
    n = len(CROSS_ANGLES)
    step = 180 // n
    seps = np.arange(CROSS_SEP_DEG[0] // step, CROSS_SEP_DEG[1] // step + 1)
    idx = np.arange(n)
    return seps, (idx > 0) & (idx < seps[:, None]), idx > seps[:, None]


_PAIRS = _pairs()


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


