"""Handwriting areas: an upright crop for people, and whether anything was written in it.

We do not read handwriting (OCR error rates are far above OMR's); we only decide presence. The
printed label sits in the top band of the area, and the printed frame around it; both are kept in
the crop (context for the reviewer) but excluded from the decision, as are long straight lines
(ruling, folds), specks, and thin strips along the crop border (frame remnants, scanner borders).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from scanner.geometry import chord, fit_line, off_line, warp_rect, warp_rect_grey
from scanner.imageops import clamp, component_stats, ink_grey, median, quantile, true_runs
from scanner.rims import RIM_DARK, rim_residue

CROP_RES = 8.0  # px per mm of the crop (203 dpi): legible for a person, small for storage
LABEL_BAND_MM = 4.5  # top band of the area holding the printed label
INSET_MM = 1.0  # stay clear of the printed frame
MIN_DARKNESS = 0.10  # floor of the ink threshold (pencil at 150 dpi peaks ~0.2); raised with measured noise
MAX_DARKNESS = 0.22
FAINT_FLOOR = 0.05  # second opinion for "empty": threshold from the noise alone, down to this floor
HALFTONE_DILUTION = 2.0  # a 0.3 mm stroke averaged over a 0.68 mm screen cell keeps ~half its darkness
LINE_MM = 4.5  # straight thin components this long are streaks, folds, ruling (or pieces of them)
PRESENT_MM2 = 4.0  # ink area that is certainly writing (a short word is 5-15 mm2)
ABSENT_MM2 = 1.2  # below this: nothing written (between: review)
VANISHED_SPECKS_MM2 = 4.0  # on a 1-bit scan, this much dark in specks (before cleaning) is writing the
# threshold cut up: a pencil that came through as a scatter of dots (blank areas: <= 3.0 mm2 in ~1,350) ...
SPECK_CHAIN_MM = 1.5  # ... or specks lying within this of each other in a chain of ...
SPECK_CHAIN_MIN = 4  # ... at least this many: a short pencil signature cut to a few dots along its line
# (2.4 mm2 in all; blank 1-bit areas: chains of <= 2 in 585, however many dots their paper keeps)
HOUGH_MM = 15.0  # straight segments this long are never handwriting
THIN_LOOK_MM = 2.25  # a thin stroke is looked for by averaging along short lines this long, every 15 degrees ...
THIN_SIGMAS = 6.0  # ... darker than the zone's averaged paper by this many of its noise sigmas ...
THIN_MIN = 0.04  # ... and never by less than this (a sharpened scan clips the paper's noise to nothing) ...
THIN_STROKE_MM = 4.0  # ... in one piece this long, clear of the zone's edges, and no line across it (`thin_stroke_mm`)
THIN_LINE_MM = 1.2  # a piece longer than HOUGH_MM this thin on average is a fold's or streak's line
FOLD_REACH_MM = 1.0  # ink this close to the line of a long straight line the cleaning took out may be its remains
BULGE_MM = 0.75  # a long line the cleaning took out swells this much over its usual width ...
BULGE_LEN_MM = 2.0  # ... along this much of its length: something written on it went with it (`line_bulge_mm2`)
BULGE_REACH_MM = 2.5  # ... its width counted this far from its line (a streak crossing it adds a step or two)
DASH_MM = 4.0  # a straight chain of thin pieces this long, stopping short of the zone's ends, is a faint dash ...
DASH_LINK_MM = 1.5  # ... its pieces this close to one another (a faint dash breaks into pieces 1-1.5 mm apart) ...
DASH_BAND_MM = 0.5  # ... and this close to one line ...
DASH_EDGE_MM = 2.0  # ... ending this far from the zone's edges along it (a crease or streak crosses the zone),
# or nearer if its line does not run on beyond the printed frame there (a faint-pencil dash ended 1.25 mm short
# of a comment box's frame and read absent, accepted: other-hands stress run)
SHOW_THROUGH_SHARE = 0.8  # writing lying this much on the print of the sheet's other side, mirrored ...
SHOW_THROUGH_REACH_MM = 2.0  # ... or within this of it (a duplex printer sets the two sides 1-2 mm apart),
SHOW_THROUGH_AVOID = 0.25  # ... keeping off the paper beside that print 4x more than writing put anywhere,
SHOW_THROUGH_DARK = 0.3  # ... and no darker than this (paper lets through well under a third of black print):
# its ghost, through thin paper (a duplex-printing script: 6 empty areas read as written at 8-20 % show-through)
SPECK_MM2 = 0.12  # components smaller than this are noise
RIM_LEFT_SHARE = 0.05  # an area whose ink is rims of round stains but for less than the present bar, or but for this
# share of it (a large ring's rim wavers off any circle in slivers: two rings of 147 mm2 left 5.4 mm2 over, and an
# empty comment area read as written - a stain hunt), goes to a person (`round_stain`)
SPECK_FIELD_PIECE_MM2 = 0.75  # on a 1-bit page, "writing" whose every piece is smaller than this is a field of
# specks: a paper's noise the scanner's threshold scattered over two empty comment areas kept 21-27 of them over
# the present bar (4.0-4.7 mm2, none over 0.44 mm2), read as writing (hunt s1624). Of the 6,741 areas over the bar
# on the 1-bit and halftone pages of 51 kept stress stacks that reached this look, one right one has no larger
# piece (a light pencil cut to dots, 0.56 mm2 at most); the next is 0.81 (docs/benchmarks.md, thirty-first session)
COLLINEAR_MM = 0.6  # ink within this distance of one straight line ...
OFF_LINE_MM = 1.5  # ... and a stroke reaching this far from a line it touches is writing on it (a tick: >= 2 mm)
OUTSIDE_MM = 0.6  # the crop's strip beyond the printed frame (1 mm margin less the frame stroke)
CROSSING_THICK_MM = 1.5  # a component crossing the zone edge to edge is a line when no thicker on average ...
CROSSING_MAX_SLOPE = 0.5  # ... runs within ~27 degrees of crossing straight ...
# ... and carries on past the frame at both ends (`_drop_frame_crossings`)
COLLINEAR_SHARE = 0.9  # ... making up this share of what is left ...
# ... and spread along at least HOUGH_MM: remains of a crease or streak; in a zone shorter than that along
DASHED_SHARE = 0.75  # the line (a crease crossing a 22 mm area top to bottom): along this share of the zone ...
DASHED_MIN_MM = 8.0  # ... and never less than this (a one-line area is left to `_drop_frame_crossings`)
PEN_LINE_DARK = 0.50  # a straight line this dark (share of the paper) is a pen's, not a fold's (<= ~0.4) ...
PEN_LINE_PIECE_MM = 4.0  # ... in pieces this long (a fold near that darkness breaks into dashes) ...
EDGE_LINE_SLACK_MM = 1.0  # ... unless its line, followed to the zone's edges, meets dark ink within this there
STRIKE_MM = 15.0  # ... and crosses the zone this far (the area struck out) or runs on past the frame (a fold)
PEN_LINE_MM2 = 2.0  # ... this much of it (a 5 mm stroke), clear of the frame, is a question for a person
BAND_FRAME_MM = 0.8  # the label band's ink is looked for from this far below the frame's top line ...
BAND_BELOW_MM = 1.0  # ... to this far into the zone (what only touches the zone's top edge is dropped there)
BAND_DESCENDER_MM = 0.8  # the label's letters are found above this height over the zone (not its tails)
LABEL_GAP_MM = 4.0  # a gap this wide in the band's print ends the label (its words are closer)
LETTER_ROW_SHARE = 0.25  # rows of a label's columns this dense (share of its densest) hold its letters ...
UNDERLINE_MM = 2.5  # ... and what lies below them this wide is not a letter's tail (g, comma: <= ~1.5 mm) ...
UNDER_DARK = 0.5  # ... when this dark (share of the label's median): pen dashes 1.1-1.4, a photo's grain 0.3
BAND_SPECK_MM2 = 0.4  # pieces of ink smaller than this in the band are noise there (a photo's grain joins pairs
# of pixels above the threshold; a pen's dash or letter stroke is one piece of >= 1 mm2)
SHADE_CLOSE_MM = 2.5  # the paper level at a pixel: pen strokes (felt tip and blur <= ~2 mm) closed over first ...
SHADE_WIN_MM = 4.0  # ... then the median over this window (what is left of dense writing is a minority;
# a shadow wider than half of it sets the level) ...
SHADE_REACH_MM = 12.0  # ... at its darkest this far around: the shadiest paper near a pixel
SHADE_GAIN = 2.0  # ink must be at least half as dark against that paper as against the zone's own level


@dataclass
class TextArea:
    field_id: str
    state: str  # present | absent | uncertain | preprinted
    value: str | None  # "present" or None
    status: str  # accepted | review
    reason: str | None
    confidence: float
    ink_mm2: float
    crop: np.ndarray  # upright, includes frame and label band
    strength: float = 0.0  # median darkness of the writing (present areas; faint pencil ~0.15, pen >= 0.4)
    faint_t: float = 0.0  # absent areas: the darkness threshold of the second, noise-only look ...
    faint_mm2: float = 0.0  # ... and the ink area it found, never less than ink_mm2 (below ABSENT_MM2, or the
    # area is not absent)
    frame: float = -1.0  # contrast of the printed frame where it is weakest (`frame_contrast`; -1: not measured)

    def to_dict(self) -> dict:
        return {"field_id": self.field_id, "kind": "text", "state": self.state, "value": self.value,
                "status": self.status, "reason": self.reason, "confidence": round(self.confidence, 3),
                "ink_mm2": round(self.ink_mm2, 2), "faint_t": round(self.faint_t, 4),
                "faint_mm2": round(self.faint_mm2, 2), "frame": round(self.frame, 3)}


FRAME_QUANTILE = 0.1  # the frame's contrast is taken where it is weakest: its 10th percentile over 1 mm steps


def frame_contrast(g: np.ndarray, res: float = CROP_RES) -> float:
    """How dark the area's printed frame stands against the paper beside it, where it is weakest.

    `g`: the grey crop, 1 mm beyond the frame on every side. Per 1 mm step along each side, the darkest
    point across the frame line (within 0.8 mm of it) against the lightest; FRAME_QUANTILE of all steps.
    Glare on a photo lifts print and writing alike: a frame there keeps 0.1-0.25 where the same page's
    other frames keep 0.4-0.6, and writing under it can fade below what the reader looks for.
    """
    h, w = g.shape
    m, d = int(round(res)), int(round(0.8 * res))
    steps = []
    for strip in (g[max(0, m - d):m + d, m:w - m], g[h - m - d:h - m + d, m:w - m],
                  g[m:h - m, max(0, m - d):m + d].T, g[m:h - m, w - m - d:w - m + d].T):
        if strip.size == 0:
            continue
        across = 1.0 - strip.min(axis=0).astype(np.float32) / np.maximum(strip.max(axis=0), 1).astype(np.float32)
        n = int(across.size // res)
        if n:
            steps.append(across[:int(n * res)].reshape(n, -1).max(axis=1))
    return quantile(np.concatenate(steps), FRAME_QUANTILE) if steps else -1.0


def crop_area(image: np.ndarray, H: np.ndarray, rect_mm, res: float = CROP_RES) -> np.ndarray:
    """The area rectified upright, 1 mm beyond its frame so the reviewer sees the edge of the writing."""
    x, y, w, h = (float(v) for v in rect_mm)
    return warp_rect(image, H, [x - 1.0, y - 1.0, w + 2.0, h + 2.0], res)


@lru_cache(maxsize=4)
def _line_kernels(length: int) -> tuple[np.ndarray, ...]:
    """Averaging kernels along a one-pixel line `length` px long, every 15 degrees (`thin_stroke_mm`)."""
    out = []
    c = (length - 1) / 2
    for a in np.radians(np.arange(0, 180, 15)):
        k = np.zeros((length, length), np.float32)
        dx, dy = np.cos(a) * c, np.sin(a) * c
        cv2.line(k, (int(round(c - dx)), int(round(c - dy))), (int(round(c + dx)), int(round(c + dy))), 1.0, 1)
        out.append(k / k.sum())
    return tuple(out)


@dataclass
class WritingZone:
    """Darkness of the writing zone of a crop and its noise threshold, computed once per area.

    The ink area is then asked for at one or two threshold floors (the fixed floor, and the noise
    alone for the "is it really empty" second opinion) without measuring the paper twice.
    """

    d: np.ndarray | None  # darkness 0..1 relative to the local paper level (None: empty zone)
    noise_t: float  # 5 sigma above the median darkness: where the noise alone puts the threshold
    res: float
    crop: np.ndarray | None = None  # the whole crop (grey): the frame and 1 mm beyond it all round ...
    origin: tuple[int, int] = (0, 0)  # ... and where the zone starts in it (row, column)
    _counted: dict = field(default_factory=dict)  # threshold -> (ink mm2, the cleaned ink mask, that mask before
    # its specks and border slivers were dropped)

    def threshold(self, floor: float) -> float:
        return clamp(self.noise_t, floor, MAX_DARKNESS)

    def strength(self, floor: float = MIN_DARKNESS) -> float:
        """Median darkness of what lies above the ink threshold: how dark the writer's pen is."""
        if self.d is None:
            return 0.0
        v = self.d[self.d > self.threshold(floor)]
        return median(v) if v.size else 0.0

    def speck_chain(self, floor: float = MIN_DARKNESS) -> int:
        """The most specks above the ink threshold linked within SPECK_CHAIN_MM of one another.

        A scanner's leftover dots lie scattered over a 1-bit page; what the threshold leaves of light
        pencil writing lies along the writing's line.
        """
        if self.d is None:
            return 0
        # slivers of the frame along the border are not writing
        dots = np.ascontiguousarray(self.d[2:-2, 2:-2] > self.threshold(floor)).astype(np.uint8)
        n, labels = cv2.connectedComponents(dots, connectivity=8)
        if n <= 2:
            return n - 1
        k = int(SPECK_CHAIN_MM * self.res) | 1
        chains = cv2.connectedComponents(cv2.dilate(dots, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))),
                                         connectivity=8)[1]
        on = dots > 0
        pairs = np.unique(chains[on].astype(np.int64) * n + labels[on])  # each speck once per chain
        return int(np.bincount(pairs // n).max())

    def kept_ink(self, floor: float = MIN_DARKNESS) -> np.ndarray | None:
        """The cleaned ink mask `ink_mm2` counted at `floor` (None: no ink, or an empty zone)."""
        self.ink_mm2(floor)
        return self._counted.get(self.threshold(floor), (0.0, None, None))[1]

    def largest_piece_mm2(self, floor: float = MIN_DARKNESS) -> float:
        """Area (mm2) of the largest piece of the cleaned ink counted at `floor` (`ink_mm2`).

        Writing is strokes: even a pencil word the threshold broke up keeps pieces of a letter's size.
        A 1-bit scan's noise is specks, each a few pixels, however many of them survive the cleaning.
        """
        kept = self.kept_ink(floor)
        if kept is None:
            return 0.0
        n, _, stats = component_stats(kept)
        return float(stats[1:, cv2.CC_STAT_AREA].max()) / self.res ** 2 if n > 1 else 0.0

    def faint_dash_mm(self, floor: float = MIN_DARKNESS) -> float:
        """Length (mm) of the longest straight chain of thin pieces above the ink threshold that stops short
        of the zone's ends: a faint pencil dash ("nothing to add").

        At half resolution a faint pencil stroke is one pixel wide, and the cleaning's 3x3 median takes it
        whole: three such dashes read absent, accepted (an other-hands stress run). Its pieces (>= 3 px,
        within DASH_LINK_MM of one another) lie within DASH_BAND_MM of one line, over DASH_MM..HOUGH_MM, and end
        >= DASH_EDGE_MM from the zone's edges along that line (or nearer, where the line does not run on beyond
        the printed frame), with no more pieces on the line beyond them; a crease or a streak crosses the zone
        (broken up, its pieces lie on one line), and a photo's grain does not line up (the ward's empty areas:
        <= 2.5 mm). The zone's top rows are looked at too (2 px by the frame are not): a dash drawn at the
        height of a one-line area's label, right of it, lies half on them (an other-hands stress run).
        """
        if self.d is None:
            return 0.0
        m = np.ascontiguousarray(self.d[:-2, 2:-2] > self.threshold(floor)).astype(np.uint8)
        if cv2.countNonZero(m) < 8:
            return 0.0
        _, labels, stats = component_stats(m)
        m = np.r_[0, stats[1:, cv2.CC_STAT_AREA] >= 3].astype(np.uint8)[labels]
        k = int(DASH_LINK_MM * self.res) | 1
        chains = cv2.connectedComponents(cv2.dilate(m, np.ones((k, k), np.uint8)), connectivity=8)[1]
        ay, ax = np.nonzero(m)
        ids = chains[ay, ax]
        order = np.argsort(ids, kind="stable")  # the pieces' pixels grouped by chain, in one pass
        starts = np.flatnonzero(np.r_[True, np.diff(ids[order]) != 0, True])
        zh, zw = m.shape
        best = 0.0
        for a0, a1 in zip(starts[:-1], starts[1:], strict=True):
            if a1 - a0 < 8:
                continue
            ys, xs = ay[order[a0:a1]], ax[order[a0:a1]]
            line = vx, vy, x0, y0 = fit_line(xs, ys)
            if off_line(xs, ys, line).max() > DASH_BAND_MM * self.res:
                continue  # not one straight stroke
            along = (xs - x0) * vx + (ys - y0) * vy
            span = float(along.max() - along.min()) / self.res
            level = abs(vx) >= abs(vy)
            gaps = (xs.min(), zw - 1 - xs.max()) if level else (ys.min(), zh - 1 - ys.max())
            if span > HOUGH_MM or span <= best:
                continue
            near = [g < DASH_EDGE_MM * self.res for g in gaps]
            if all(near) or (any(near) and self._runs_out_at(line, level, near.index(True), floor)):
                continue  # from end to end of the zone, or near one end and on beyond the frame there: a crease
            a = (ax - x0) * vx + (ay - y0) * vy
            beyond = ((off_line(ax, ay, line) <= DASH_BAND_MM * self.res)
                      & ((a < along.min() - self.res) | (a > along.max() + self.res)))
            if np.count_nonzero(beyond) < 0.25 * xs.size:  # more pieces on its line: a crease, broken up
                best = span
        return best

    def pen_line_mm2(self, dark_from: float = PEN_LINE_DARK) -> float:
        """Ink darker than `dark_from` (mm2) inside the zone, straight lines included, but not lines crossing
        it edge to edge (a streak, a fold, the area struck out) nor slivers along its border (the frame)."""
        if self.d is None:
            return 0.0
        dark = cv2.medianBlur((self.d > dark_from).astype(np.uint8) * 255, 3) // 255
        if not cv2.countNonZero(dark):
            return 0.0
        whole = dark
        dark = _drop_components(dark, self.res, count=True, lines=False, across_kept=True)
        n, labels, stats = component_stats(dark)
        zh, zw = dark.shape
        r = max(1, int(round(EDGE_LINE_SLACK_MM * self.res)))
        near = cv2.dilate(whole, np.ones((2 * r + 1, 2 * r + 1), np.uint8))  # a short piece's line is a bit off
        total = 0
        for i in range(1, n):
            x, y, w, h, area = (int(v) for v in stats[i])
            if max(w, h) < PEN_LINE_PIECE_MM * self.res or (y == 0 and y + h >= zh) or (x == 0 and x + w >= zw):
                continue
            ys, xs = np.nonzero(labels == i)
            line = fit_line(xs, ys)
            if _runs_edge_to_edge(line, near) and self._a_crossing_line(line, dark_from):
                continue  # a piece of a line crossing the zone (a streak or fold broken up by the threshold)
            total += area
        return float(total) / self.res ** 2

    def _a_crossing_line(self, line: tuple, dark_from: float) -> bool:
        """Whether a piece whose `line` (`fit_line`) meets ink at both of the zone's edges is a line across the
        area: one that crosses it the long way (STRIKE_MM: the area struck out, a streak) or runs on past the
        printed frame at both ends (a fold across a one-line area).

        A one-line signature zone is ~5.5 mm tall: faint pencil initials "LL" filled it top to bottom, each
        upright was cut as a thin run and each foot, on the zone's bottom edge, as a border sliver; the
        pen-line look then took the uprights for a line crossing the zone and the area read absent,
        accepted (an other-hands stress run on a sharpened scan).
        """
        vx, vy, x0, y0 = line
        zh, zw = self.d.shape
        t0, t1 = chord(x0, y0, vx, vy, zw, zh)
        if t1 - t0 >= STRIKE_MM * self.res:
            return True
        down = abs(vy) >= abs(vx)
        a, b = (vx / vy, x0 - vx / vy * y0) if down else (vy / vx, y0 - vy / vx * x0)
        return self.carries_on_outside(down, float(a), float(b),
                                       0.75 * min(dark_from, self.threshold(MIN_DARKNESS)))

    def steady_ink_mm2(self, floor: float = MIN_DARKNESS, near: float = 0.0) -> float:
        """`ink_mm2` counting only ink darker than the shadiest paper around it, too.

        The zone's paper level is the brightest paper within ~3 mm: along a hard shadow's edge the
        shaded paper is measured against the lit paper beside it and reads as a broad dark band, which
        the line rules do not take for a line (a shadow stress run accepted 43 empty areas as written).
        Shaded paper is no darker than the shadow's own paper nearby (the paper level - strokes closed
        over, then a median - at its darkest within SHADE_REACH_MM, looked for over the whole crop): pen
        ink is, in the shade or out of it. Pencil right beside a deep shadow, or beside a printed band
        just outside the frame, may fail this too; the area then goes to a person, never to "empty".
        Where no ink pixel fails it, the answer is `ink_mm2`'s; else the cleaned ink less what failed, its
        new specks and slivers dropped, when that is at least `near`; below it, counted again from the start.
        """
        if self.d is None or self.crop is None:
            return 0.0
        # the whole crop (label band, frame, 1 mm beyond): a shadow reaching in from outside shows its body
        g = self.crop
        ch, cw = g.shape
        small = cv2.resize(g, (max(1, cw // 2), max(1, ch // 2)), interpolation=cv2.INTER_AREA)
        c = max(1, int(round(SHADE_CLOSE_MM * self.res / 2)))
        k = max(3, int(SHADE_WIN_MM * self.res / 2) | 1)
        reach = max(3, int(SHADE_REACH_MM * self.res / 2) | 1)
        level = cv2.medianBlur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((c, c), np.uint8)), k)
        shady = cv2.erode(level, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach)))
        r0, c0 = self.origin
        zh, zw = self.d.shape
        P = cv2.resize(shady, (cw, ch), interpolation=cv2.INTER_LINEAR)[r0:r0 + zh, c0:c0 + zw]
        P = np.maximum(P.astype(np.float32), 1.0)
        d = np.minimum(self.d, SHADE_GAIN * (P - g[r0:r0 + zh, c0:c0 + zw]) / P)
        t = self.threshold(floor)
        ink = self.ink_mm2(floor)
        kept = self._counted[t][1]
        if kept is None:
            return ink
        over = self.d > t
        # the cleaning's median (`_ink_mask`) fills in pixels just under the threshold between darker ones:
        # those fail when they are under half of it against the shadiest paper. Along a faint hard shadow's
        # edge on a noisy photo the band is about as dark as the threshold, and a star-shaped shadow across
        # two empty comment areas left 24-30 mm2 of such pixels, never tested: both read as written, accepted
        # (hunt s1528). Half, not all of it: pale pencil beside a label (the shadiest paper there is the
        # label's) lost its filled-in pixels too, broke into pieces in a line and read as a fold's remains.
        lost = (over & (d <= t)) | (~over & (kept > 0) & (d <= t / 2))
        if not lost.any():
            return ink
        # the cleaned ink less what failed, cleaned of what that left in specks and slivers (a shadow's
        # band gone, its fringe breaks up): not counted again from the start
        rest = _drop_components(kept & ~lost.astype(np.uint8), self.res, count=True)
        left = float(np.count_nonzero(rest) - _collinear_residue(rest, self.res)) / self.res ** 2
        if left >= near:
            return left
        return _ink_mm2(d, t, self.res, self)  # near the limit: counted again from the start, exactly

    def share_within(self, rects_px: Sequence[tuple[int, int, int, int]], floor: float = MIN_DARKNESS) -> float:
        """Share of the counted ink (`ink_mm2`'s cleaned mask) inside `rects_px` ((x0, y0, x1, y1) zone px)."""
        kept = self._counted.get(self.threshold(floor), (0.0, None, None))[1] if self.d is not None else None
        n = int(np.count_nonzero(kept)) if kept is not None else 0
        if not n:
            return 0.0
        return float(np.count_nonzero(_rects_mask(kept.shape, rects_px) & (kept > 0))) / n

    def area_within(self, rects_px: Sequence[tuple[int, int, int, int]]) -> float:
        """Share of the zone's area inside `rects_px` ((x0, y0, x1, y1) zone px)."""
        if self.d is None or not self.d.size:
            return 0.0
        return float(np.count_nonzero(_rects_mask(self.d.shape, rects_px))) / self.d.size

    def mm_to_px(self, rects_mm: Sequence[Sequence[float]], crop_origin_mm: tuple[float, float],
                 grow_mm: float = 0.0) -> list[tuple[int, int, int, int]]:
        """Page rects (mm) as (x0, y0, x1, y1) zone pixels, grown by `grow_mm`; the crop starts at `crop_origin_mm`."""
        r0, c0 = self.origin
        out = []
        for x, y, w, h in rects_mm:
            x0 = (x - grow_mm - crop_origin_mm[0]) * self.res - c0
            y0 = (y - grow_mm - crop_origin_mm[1]) * self.res - r0
            out.append((int(np.floor(x0)), int(np.floor(y0)), int(np.ceil(x0 + (w + 2 * grow_mm) * self.res)),
                        int(np.ceil(y0 + (h + 2 * grow_mm) * self.res))))
        return out

    def band_ink_mm2(self, floor: float = MIN_DARKNESS, margin_mm: float = 1.0) -> float:
        """Ink (mm2) in the label band beside the printed label and just below it: writing set high.

        The zone starts below the label band, and what only touches its top edge goes with the border's
        slivers; the band is otherwise blank paper beside a label at its left. A dash or initials written
        high in a one-line area (name, signature) were read as nothing: an other-hands stress run accepted
        5 such areas as empty. The label's columns (its ink above the descender line, 1 mm beyond its
        right end) are left out, except for what lies wholly below its letters (`_below_the_letters`); so
        are the frame's top line and sides, and pieces under BAND_SPECK_MM2.
        """
        if self.crop is None or self.d is None:
            return 0.0
        top, side = self.origin
        r = self.res
        g = self.crop
        h, w = g.shape
        r0, r1 = int(round((margin_mm + BAND_FRAME_MM) * r)), min(h, top + int(round(BAND_BELOW_MM * r)))
        if r1 - r0 < 3 or w - 2 * side < 8:
            return 0.0
        t = self.threshold(floor)
        d = local_darkness(g[r0:r1, side:w - side], r)
        ink = d > t
        # the frame's top line (blurred, or low on a photo) touches the strip's top edge: not the label's letters
        ink[_top_line(ink, r)] = False
        body = ink[:max(1, top - int(round(BAND_DESCENDER_MM * r)) - r0)]  # the label's letters, not its tails
        cols = np.flatnonzero(body.any(axis=0))
        # the label begins at the area's left edge: everything up to its last letter, and 1 mm more, is print
        gap = int(round(LABEL_GAP_MM * r))
        end = 0
        for c in cols:
            if c - end > gap and end > 0:
                break
            end = int(c)
        label_cols = end + int(round(r))
        ink[:, :label_cols] = _below_the_letters(ink[:, :label_cols], d[:, :label_cols], t, len(body), r)
        n, _, stats = component_stats(ink.astype(np.uint8))
        if n <= 1:
            return 0.0
        x, y, cw, ch, area = (stats[1:, i] for i in range(5))
        sh, sw = ink.shape
        # a line crossing the strip from side to side or top to bottom is the frame, a fold or a streak
        frame = ((x <= 1) & (x + cw >= sw - 1)) | ((y <= 1) & (y + ch >= sh - 1))
        keep = (area >= BAND_SPECK_MM2 * r * r) & ~frame
        return float(area[keep].sum()) / r ** 2

    def standing_mm2(self, floor: float = MIN_DARKNESS) -> float:
        """Ink (mm2) that `ink_mm2` dropped as border slivers though it stands across the zone's edge.

        A sliver of the frame lies along the edge it touches; a thin stroke standing on it - an upright of
        faint pencil initials in a ~3 mm one-line zone, its foot below the zone - is writing cut off by the
        zone's edge. Not counted as writing (a crease's end stands so too), but not nothing either: faint
        pencil initials "LL" in a one-line department area read absent, accepted (an other-hands stress run).
        """
        self.ink_mm2(floor)
        kept, before = self._counted[self.threshold(floor)][1:]
        if before is None:
            return 0.0
        across = _drop_components(before, self.res, count=True, across_kept=True)
        return float(np.count_nonzero(across & ~kept.astype(bool))) / self.res ** 2

    def raw_mm2(self, floor: float = MIN_DARKNESS) -> float:
        """Everything darker than the ink threshold, specks and lines included (mm2)."""
        return 0.0 if self.d is None else float(np.count_nonzero(self.d > self.threshold(floor))) / self.res ** 2

    def ink_mm2(self, floor: float = MIN_DARKNESS) -> float:
        """Ink (mm2) above the threshold at `floor`, cleaned (`_ink_mm2`); counted once per threshold."""
        if self.d is None:
            return 0.0
        t = self.threshold(floor)
        if t not in self._counted:
            self._counted[t] = _clean_ink(self.d, t, self.res, self)
        return self._counted[t][0]

    def thin_stroke_mm(self) -> float:
        """Length (mm) of the longest thin stroke the paper's noise hides from the ink threshold, found by its line.

        A faint-pencil tick in a signature area, one pixel wide at half resolution and 0.2-0.3 dark on a noisy
        shadowed scan whose noise put the ink threshold at 0.21, left nothing over it once the cleaning's median
        had run: the area read absent, accepted (other-hands stress run, seed 1306). Averaged along its own
        direction (THIN_LOOK_MM), a stroke keeps its darkness while the noise's drops: the darkest of twelve
        directions, against that look's own median and noise, finds it. Slivers along the zone's edges (the frame,
        the label's tails) and thin lines longer than any stroke (folds, streaks) are not strokes.
        """
        if self.d is None or min(self.d.shape) < 8:
            return 0.0
        # capped at the ink threshold: a dark speck (a fibre in recycled paper) averages away as a pale star
        d = np.minimum(self.d, self.threshold(MIN_DARKNESS)).astype(np.float32)
        kernels = _line_kernels(int(THIN_LOOK_MM * self.res) | 1)
        look = cv2.filter2D(d, -1, kernels[0], borderType=cv2.BORDER_REFLECT)
        for k in kernels[1:]:  # in place: stacking twelve looks to take their maximum cost 5x the looks
            cv2.max(look, cv2.filter2D(d, -1, k, borderType=cv2.BORDER_REFLECT), dst=look)
        e = 2
        core = look[e:-e:2, e:-e:2]  # every other pixel each way: the paper's level and noise, at a quarter of the cost
        med = float(np.median(core))
        sigma = 1.4826 * float(np.median(np.abs(core - med)))
        seen = (look > med + max(THIN_SIGMAS * sigma, THIN_MIN)).astype(np.uint8)
        seen[-e:], seen[:, :e], seen[:, -e:] = 0, 0, 0
        n, labels, stats = component_stats(seen)
        zh, zw = seen.shape
        # a sliver no thicker than 0.75 mm within 1 mm of an edge is the frame's or the label's
        edge, flat = int(round(1.0 * self.res)), int(round(0.75 * self.res))
        best = 0.0
        for i in range(1, n):
            x, y, w, h, area = (int(v) for v in stats[i])
            if y < e + 1 or (h <= flat and (y <= edge or y + h >= zh - edge)) or (
                    w <= flat and (x <= edge or x + w >= zw - edge)):
                continue
            if max(w, h) > HOUGH_MM * self.res:
                if w >= zw - 2 * (e + edge) or h >= zh - 2 * (e + edge):
                    continue  # across the whole zone: a fold or a streak, bent or not
                if area <= THIN_LINE_MM * self.res * float(np.hypot(w, h)):
                    continue  # one thin line longer than any stroke, straight or bent (writing this long is rows tall)
            best = max(best, float(np.hypot(w, h)) / self.res)
        return best

    def _cleaned_away(self, floor: float) -> tuple[np.ndarray, np.ndarray] | None:
        """(the ink `ink_mm2` kept, the ink its line removal took out) at `floor`; None when there was no ink."""
        self.ink_mm2(floor)
        t = self.threshold(floor)
        _, kept, before = self._counted.get(t, (0.0, None, None))
        if kept is None or before is None or self.d is None:
            return None
        return kept, _ink_mask(self.d, t) & ~before & 1

    def line_bulge_mm2(self, floor: float = MIN_DARKNESS) -> float:
        """Ink (mm2) the cleaning took out with a long straight line where that line swells past its own width.

        A fold or a streak is about as wide all along; a word written on it makes it swell. A tiny pencil word
        (~4 x 1 mm) written on a fold's line across a comment area went with the line, too pale to be kept as
        writing on a line (`_writing_on_a_line`), and the area read absent, accepted (a rough third-hands stress
        run). Along each long line taken out, the line's width at every step of its length (pixels across it, within
        BULGE_REACH_MM of it: a streak crossing it is no swelling) against its median width: stretches over
        BULGE_LEN_MM at least BULGE_MM wider count, with what they add.
        """
        cleaned = self._cleaned_away(floor)
        if cleaned is None:
            return 0.0
        removed = cleaned[1]
        min_len = HOUGH_MM * self.res
        n, labels, stats = component_stats(removed)
        total = 0.0
        for i in range(1, n):
            if max(int(stats[i, cv2.CC_STAT_WIDTH]), int(stats[i, cv2.CC_STAT_HEIGHT])) < min_len:
                continue
            ys, xs = np.nonzero(labels == i)
            line = fit_line(xs, ys, cv2.DIST_HUBER)
            near = off_line(xs, ys, line) <= BULGE_REACH_MM * self.res  # a line crossing this one is not its width
            vx, vy, x0, y0 = line
            along = np.rint((xs[near] - x0) * vx + (ys[near] - y0) * vy).astype(np.int64)
            width = np.bincount(along - along.min()).astype(np.float64)  # pixels across the line at each step
            usual = float(np.median(width[width > 0]))
            for a, b in true_runs(width >= usual + BULGE_MM * self.res):
                if b - a >= BULGE_LEN_MM * self.res:
                    total += float((width[a:b] - usual).sum())
        return total / self.res ** 2

    def off_fold_mm2(self, floor: float = MIN_DARKNESS) -> float:
        """`ink_mm2` less the ink lying on the line of a long straight line the cleaning took out (a fold, a streak).

        A crease is taken out as straight pieces; where it fades or bends, pieces of it under LINE_MM stay
        in its gaps, each too short to look straight, and together they pass for a word: a rough scan's crease
        across an empty comment area left 4.06 mm2 there, read as writing and accepted (stress run, seed 1202).
        Every long line found in what was taken out (HOUGH_MM), followed across the whole zone, takes the ink
        within FOLD_REACH_MM of it with it. Writing the line crosses loses that much too: only a doubt.
        """
        mm2 = self.ink_mm2(floor)
        cleaned = self._cleaned_away(floor)
        if cleaned is None:
            return mm2
        kept, removed = cleaned
        min_len = int(HOUGH_MM * self.res)
        if cv2.countNonZero(removed) < min_len:
            return mm2
        segs = cv2.HoughLinesP(removed, 1, np.pi / 360, threshold=int(0.8 * min_len), minLineLength=min_len,
                               maxLineGap=max(2, int(0.5 * self.res)))
        if segs is None:
            return mm2
        near = np.zeros_like(kept)
        reach = int(round(FOLD_REACH_MM * self.res))
        for x1, y1, x2, y2 in np.asarray(segs).reshape(-1, 4).astype(np.float64):
            band = cv2.line(np.zeros_like(kept), (int(x1), int(y1)), (int(x2), int(y2)), 1, 2 * reach + 1)
            if np.count_nonzero(band & removed) > CROSSING_THICK_MM * self.res * float(np.hypot(x2 - x1, y2 - y1)):
                continue  # a broad band taken out (a shadow's edge), not a line: its lines run every way
            _draw_whole_line(near, (x1, y1, x2, y2), 2 * reach + 1)
        return mm2 - np.count_nonzero((kept > 0) & (near > 0)) / self.res ** 2

    def off_ring_mm2(self, floor: float = MIN_DARKNESS, enough: float = float("inf")) -> float:
        """`ink_mm2` less the ink lying on the rim of a round stain (`rims.rim_residue`).

        A coffee ring's rim crossing an empty comment box is a smooth arc 0.5-1.5 mm wide, as dark as
        pencil: no line rule takes it out (a stain stress run accepted 23 empty areas as written).
        Not looked for when the ink left would be `enough` whatever the rims took.
        """
        mm2 = self.ink_mm2(floor)
        kept = self.kept_ink(floor)
        if kept is None:
            return mm2
        # a rim is pale (median <= RIM_DARK): it takes at most twice the pale ink with it
        pale = np.count_nonzero((kept > 0) & (self.d <= RIM_DARK)) / self.res ** 2
        if mm2 - 2 * pale >= enough:
            return mm2
        return mm2 - rim_residue(kept, self.d, self.res) / self.res ** 2

    def _runs_out_at(self, line: tuple, level: bool, end: int, floor: float) -> bool:
        """`carries_on_outside` for a line fitted on the dash look's pixels (the zone less 2 px at the sides and
        bottom), at 3/4 of the look's threshold: a crease fades along its length, and only a clear stop makes
        a dash."""
        vx, vy, x0, y0 = (float(v) for v in line)
        x0 = x0 + 2
        t = 0.75 * self.threshold(floor)
        if level:  # y = a*x + b
            a = vy / vx
            return self.carries_on_outside(False, a, y0 - a * x0, t, (end,))
        a = vx / vy  # x = a*y + b
        return self.carries_on_outside(True, a, x0 - a * y0, t, (end,))

    def carries_on_outside(self, along_rows: bool, a: float, b: float, t: float, at: tuple[int, ...] = (0, 1)) -> bool:
        """True when the line (zone coords) x = a*y + b (along_rows) or y = a*x + b runs on outside the frame.

        Looked for in the strips of the crop beyond the printed frame at both ends (`at`: 0 the start, 1 the
        far end; the crop reaches 1 mm past the frame): darker than `t` against the strip's own paper,
        within half a millimetre of where the line lands, on at least half the strip's lines.
        """
        if self.crop is None:
            return False
        g = self.crop.astype(np.float32)
        r0, c0 = self.origin
        m = max(1, int(OUTSIDE_MM * self.res))
        w = max(1, int(round(0.5 * self.res)))
        if not along_rows:  # work on the transpose: the line then runs along the rows
            g, r0, c0 = g.T, c0, r0
        n, width = g.shape
        ends = []
        for rows in [(range(0, m), range(n - m, n))[i] for i in at]:
            hits = 0
            for r in rows:
                c = int(round(a * (r - r0) + b + c0))
                if not 0 <= c < width:
                    continue
                paper = float(np.median(g[r]))
                dark = (paper - float(g[r, max(0, c - w):c + w + 1].min())) / max(paper, 1.0)
                hits += dark > t
            ends.append(hits * 2 >= len(rows))
        return all(ends)


def local_darkness(grey: np.ndarray, res: float) -> np.ndarray:
    """Darkness 0..1 against the local paper level: the lightest paper within ~3 mm, smoothed."""
    k = max(7, int(3.0 * res) | 1)
    bg = cv2.blur(cv2.dilate(grey, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))), (k, k))
    bgf = np.maximum(bg.astype(np.float32), 1.0)
    return (bgf - grey) / bgf


def _top_line(ink: np.ndarray, res: float) -> np.ndarray:
    """Pieces touching the strip's top edge and under 0.8 mm tall: the frame's top line (blurred, or sitting low)."""
    _, labels, stats = component_stats(ink.astype(np.uint8))
    line = (stats[:, cv2.CC_STAT_TOP] == 0) & (stats[:, cv2.CC_STAT_HEIGHT] < 0.8 * res)
    line[0] = False
    return line[labels]


def _below_the_letters(ink: np.ndarray, d: np.ndarray, t: float, letters_h: int, res: float) -> np.ndarray:
    """The ink under a printed label that is not the label's: what lies below its letters' rows.

    A dash drawn right under the label was left out with the label's columns: an other-hands stress run
    accepted 11 areas with such a line as empty. The letters' rows are found on the ink itself (a phone
    photo may sit the label half a millimetre off): the rows as dense as the label's print (>= LETTER_ROW_SHARE
    of its densest row above `letters_h`), the run of them holding the most ink. Below them only the letters'
    tails reach - narrow (a "g", a comma), and joined to the letters - and, on a blurred photo, their shadow
    and grain, just over the ink threshold `t` (darkness `d`). Kept: pieces there as dark as a pen (>= UNDER_DARK
    of the label's median darkness, and twice `t`) that stand apart from the letters, or are UNDERLINE_MM wide
    (a dash touching a "g"'s tail).
    """
    rows = np.count_nonzero(ink, axis=1)
    if letters_h <= 0 or not rows[:letters_h].any():
        return np.zeros_like(ink)
    dense = rows >= max(1.0, LETTER_ROW_SHARE * float(rows[:letters_h].max()))
    # the letters are the run of dense rows holding the most ink that starts above `letters_h`; a run above it
    # may be the frame's top line (the label sitting lower than the geometry says), one below it a line drawn
    edges = np.flatnonzero(np.diff(np.r_[0, dense.astype(np.int8), 0]))
    runs = [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True) if a < letters_h]
    cut = max(runs, key=lambda ab: int(rows[ab[0]:ab[1]].sum()))[1]
    below = ink.copy()
    below[:cut] = False
    if not below.any():
        return below
    below &= d > max(2.0 * t, UNDER_DARK * float(np.median(d[:cut][ink[:cut]])))
    _, labels, stats = component_stats(below.astype(np.uint8))
    keep = (stats[:, cv2.CC_STAT_TOP] > cut) | (stats[:, cv2.CC_STAT_WIDTH] >= UNDERLINE_MM * res)
    keep[0] = False
    return keep[labels]


def writing_zone(crop_grey: np.ndarray, res: float, margin_mm: float = 1.0,
                 label_band_mm: float = LABEL_BAND_MM) -> WritingZone:
    """The writing zone of a crop made by `crop_area` (grey): below the label band, inside the frame."""
    g = crop_grey
    h, w = g.shape
    top = int(round((margin_mm + label_band_mm) * res))
    side = int(round((margin_mm + INSET_MM) * res))
    zone = g[top:h - side, side:w - side]
    if zone.size == 0:
        return WritingZone(None, 0.0, res)
    d = local_darkness(zone, res)
    sample = d[::3, ::3]
    med = median(sample)
    sigma = 1.4826 * median(np.abs(sample - med))
    return WritingZone(d, 5.0 * sigma + med, res, g, (top, side))


def writing_ink_mm2(crop_grey: np.ndarray, res: float, margin_mm: float = 1.0,
                    label_band_mm: float = LABEL_BAND_MM, floor: float = MIN_DARKNESS) -> float:
    """Area (mm2) of pen ink in the writing zone of a crop made by `crop_area` (grey).

    `label_band_mm`: height of the printed label at the top of the area (the geometry says how much;
    a small header cell has a shorter label band than a large writing area).
    """
    return writing_zone(crop_grey, res, margin_mm, label_band_mm).ink_mm2(floor)


def _ink_mm2(d: np.ndarray, t: float, res: float, zone: WritingZone | None = None) -> float:
    """Ink above darkness `t`, with lines, streaks, specks and border slivers taken out (mm2)."""
    return _clean_ink(d, t, res, zone)[0]


def _ink_mask(d: np.ndarray, t: float) -> np.ndarray:
    """Pixels darker than `t`, salt noise dropped (3x3 median): where `_clean_ink` starts."""
    return cv2.medianBlur((d > t).astype(np.uint8) * 255, 3) // 255


def _draw_whole_line(mask: np.ndarray, seg: Sequence[float], thickness: int) -> None:
    """Draw the straight line through the segment (x1, y1, x2, y2) from edge to edge of `mask`, in place."""
    x1, y1, x2, y2 = (float(v) for v in seg)
    length = max(float(np.hypot(x2 - x1, y2 - y1)), 1e-9)
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    big = 4 * max(mask.shape)
    cv2.line(mask, (int(x1 - ux * big), int(y1 - uy * big)), (int(x1 + ux * big), int(y1 + uy * big)), 1, thickness)


def _clean_ink(d: np.ndarray, t: float, res: float,
               zone: WritingZone | None = None) -> tuple[float, np.ndarray | None, np.ndarray | None]:
    """(`_ink_mm2`, the cleaned ink mask it counted, that mask before step 3; None when there was no ink)."""
    ink = _ink_mask(d, t)
    if not cv2.countNonZero(ink):
        return 0.0, None, None  # most empty areas: nothing below is worth running
    # 1. whole components that are straight lines (a streak or fold crossing an empty area), and thin
    #    ones crossing the zone edge to edge that carry on beyond the printed frame (a crease through a
    #    one-line area, too short there to look straight)
    strong = d > 2.0 * t  # a stroke on a line is rescued from it only when this dark (`_writing_on_a_line`)
    ink = _drop_components(ink, res, count=False, strong=strong)
    if zone is not None:
        ink = _drop_frame_crossings(ink, res, zone, t, strong)
    # 2. thin straight runs that touch other ink (a streak crossing a fold; ruling under writing):
    #    cut along a few degrees off axis with a 4 mm kernel, but only where the ink is thin across
    #    the run (the long strokes of a thick felt-tip signature stay), and long segments at any
    #    angle found by a Hough transform.
    zh, zw = ink.shape
    min_len = int(HOUGH_MM * res)
    votes = int(0.8 * min_len)
    segs = cv2.HoughLinesP(ink, 1, np.pi / 360, threshold=votes, minLineLength=min_len,
                           maxLineGap=max(2, int(0.5 * res))) if _may_hold_a_crossing_line(ink, votes) else None
    if segs is not None:
        cut = np.zeros_like(ink)
        for x1, y1, x2, y2 in np.asarray(segs).reshape(-1, 4).astype(np.float64):
            # only lines that run across most of the area (streaks, folds); a row of cursive writing
            # can line up for a while, but not straight across the whole frame
            if abs(x2 - x1) < 0.6 * zw and abs(y2 - y1) < 0.6 * zh:
                continue
            # a streak or fold crosses the whole area: erase the full line, not just the found piece
            _draw_whole_line(cut, (x1, y1, x2, y2), max(3, int(round(1.0 * res))))
        ink &= ~cut & 1
    L = int(round(4.0 * res))
    t = max(2, int(round(0.8 * res)))
    for kl, kt in (((L, 1), (1, t)), ((1, L), (t, 1))):
        # the zone's edges are paper here: by default an opening takes the image's border for ink, and an
        # upright standing on the zone's bottom edge would count as a run reaching on below it
        run = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kl),
                               borderType=cv2.BORDER_CONSTANT, borderValue=0)
        thick = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kt))
        ink &= ~cv2.dilate(run & ~thick, np.ones((3, 3), np.uint8)) & 1
    # 3. what is left: specks, border slivers and line fragments out, the rest is writing
    kept = _drop_components(ink, res, count=True, strong=strong)
    return float(np.count_nonzero(kept) - _collinear_residue(kept, res)) / (res * res), kept, ink


def _runs_edge_to_edge(line: tuple, ink: np.ndarray) -> bool:
    """True when a piece's straight `line` (`fit_line`) finds `ink` where it enters and leaves the zone."""
    vx, vy, x0, y0 = line
    zh, zw = ink.shape
    t0, t1 = chord(x0, y0, vx, vy, zw, zh)  # where the line enters and leaves the zone
    ends = []
    for a, b in ((t0, t0 + 4), (t1 - 4, t1)):  # the first and last 4 px of the way
        tt = np.linspace(a, b, 5)
        px = np.clip(np.rint(x0 + vx * tt).astype(int), 0, zw - 1)
        py = np.clip(np.rint(y0 + vy * tt).astype(int), 0, zh - 1)
        ends.append(bool(ink[py, px].any()))
    return all(ends)


def _drop_frame_crossings(ink: np.ndarray, res: float, zone: WritingZone, t: float,
                          strong: np.ndarray | None = None) -> np.ndarray:
    """Remove thin components that cross the zone edge to edge and run on outside the frame at both ends.

    A crease or fold crosses a one-line text area in ~4.5 mm: as short as the straight-line rule's
    minimum, and a slant widens it across (a rough scan read one as writing). Handwriting may touch
    both edges of a short zone (a tall "1"), but it does not carry on past the printed frame on both
    sides in line with itself.
    """
    if not ((ink[0].any() and ink[-1].any()) or (ink[:, 0].any() and ink[:, -1].any())):
        return ink  # nothing touches two opposite edges (nearly every area): no labelling needed
    n, labels, stats = component_stats(ink)
    zh, zw = ink.shape
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        down, across = y == 0 and y + h >= zh, x == 0 and x + w >= zw
        if not (down or across):
            continue
        if area > CROSSING_THICK_MM * res * (h if down else w):
            continue  # thicker on average than a fold line
        ys, xs = np.nonzero(labels == i)
        a, b = np.polyfit(ys, xs, 1) if down else np.polyfit(xs, ys, 1)
        if (abs(a) <= CROSSING_MAX_SLOPE and zone.carries_on_outside(down, float(a), float(b), t)
                and not (strong is not None and _writing_on_a_line(labels == i, res, strong))):
            ink[labels == i] = 0
    return ink


def _may_hold_a_crossing_line(ink: np.ndarray, votes: int) -> bool:
    """False when no segment the Hough step would keep can exist: then it is not run (~40 % of its cost).

    A segment needs `votes` ink pixels on it, and its ends are ink pixels; only segments spanning
    >= 60 % of the zone's width or height are kept. Ink with fewer pixels, or whose bounding box is
    smaller than that both ways (a short word in a large area), holds none.
    """
    if cv2.countNonZero(ink) < votes:
        return False
    _, _, bw, bh = cv2.boundingRect(ink)
    zh, zw = ink.shape
    return bw - 1 >= 0.6 * zw or bh - 1 >= 0.6 * zh


def _collinear_residue(kept: np.ndarray, res: float) -> int:
    """Ink pixels that are the broken remains of one straight line across the zone (else 0).

    A faint crease or streak survives thresholding only as a dashed row of short pieces, each too
    small to look straight on its own. Taken together they lie within a pen width of one straight
    line longer than any handwritten stroke (HOUGH_MM); handwriting never does (a row of writing is
    >= 2 mm tall, and a continuous pen line is already removed as a straight component). A zone can be
    shorter than HOUGH_MM along the line (a crease crossing a comment box top to bottom, its ends lost
    in the margins): then the pieces must reach along DASHED_SHARE of the zone, and DASHED_MIN_MM.
    """
    ys, xs = np.nonzero(kept)
    if xs.size < 8:
        return 0
    xs, ys = xs.astype(np.float32), ys.astype(np.float32)
    near = np.ones(xs.size, bool)
    for band in (2.0, COLLINEAR_MM):  # least-squares line, refitted once on the pixels near it
        x0, y0 = float(xs[near].mean()), float(ys[near].mean())
        dx, dy = xs[near] - x0, ys[near] - y0
        ang = 0.5 * np.arctan2(2.0 * float((dx * dy).sum()), float((dx * dx).sum() - (dy * dy).sum()))
        vx, vy = float(np.cos(ang)), float(np.sin(ang))
        near = np.abs((xs - x0) * vy - (ys - y0) * vx) <= band * res
        if near.mean() < COLLINEAR_SHARE:
            return 0
    along = (xs[near] - x0) * vx + (ys[near] - y0) * vy
    zh, zw = kept.shape
    chord = min(zw / max(abs(vx), 1e-6), zh / max(abs(vy), 1e-6))  # the zone's extent along the line, px
    if along.max() - along.min() < min(HOUGH_MM * res, max(DASHED_MIN_MM * res, DASHED_SHARE * chord)):
        return 0
    return int(np.count_nonzero(near))


def _drop_components(ink: np.ndarray, res: float, count: bool, lines: bool = True,
                     strong: np.ndarray | None = None, across_kept: bool = False):
    """Remove straight-line components (and, when counting, specks and border slivers).

    Returns the cleaned mask (with count=True: after dropping specks and border slivers too;
    lines=False keeps the straight lines). `strong`: pixels dark enough that a stroke of them touching a
    line is kept from it (`_writing_on_a_line`); without it a line-shaped component goes whole.
    `across_kept`: a thin piece touching an edge is a sliver only when it lies along that edge (the frame's
    remains); one standing across it is a stroke (an upright of initials standing on the zone's bottom).
    """
    n, labels, stats = component_stats(ink)
    if n <= 1:
        return ink
    x, y, ww, hh, area = (stats[1:, i] for i in range(5))
    zh, zw = ink.shape
    # straight lines at any small angle (scanner streaks, folds, ruling on a skewed page): long,
    # narrow for their length, and thin on average (area / length)
    long_side = np.maximum(ww, hh).astype(np.float64)
    straight = ((long_side >= LINE_MM * res) & (np.minimum(ww, hh) <= 0.07 * long_side + 0.5 * res)
                & (area / np.maximum(long_side, 1) <= 1.0 * res))
    if strong is not None:
        for i in np.flatnonzero(straight):
            straight[i] = not _writing_on_a_line(labels == i + 1, res, strong)
    if not count:
        if not straight.any():
            return ink
        lut = np.r_[0, (~straight).astype(np.uint8)]
        return lut[labels].astype(np.uint8)
    if across_kept:
        touches = (((y == 0) | (y + hh >= zh)) & (ww >= hh)) | (((x == 0) | (x + ww >= zw)) & (hh >= ww))
    else:
        touches = (x == 0) | (y == 0) | (x + ww >= zw) | (y + hh >= zh)
    thin = np.minimum(ww, hh) < 0.8 * res
    keep = (area >= SPECK_MM2 * res * res) & ~(touches & thin) & (~straight if lines else True)
    return np.r_[0, keep.astype(np.uint8)][labels].astype(np.uint8)


def _writing_on_a_line(piece: np.ndarray, res: float, strong: np.ndarray) -> bool:
    """A line-shaped component that holds more than its line: writing touching a streak, a fold or the frame.

    A tick in a header cell on a phone photo touched the cell's bottom line, which showed in the zone: the
    two made one long, flat, thin-on-average component, dropped whole as a line (an other-hands stress run).
    Here >= ABSENT_MM2 of it lies off its line (beyond COLLINEAR_MM; the line fitted robustly) in one piece
    reaching OFF_LINE_MM from it, and `strong` (twice the ink threshold: a photo's grain and shade along a
    frame line at the faint threshold are not), so it is not taken whole; the thin-run cut that follows
    takes the line's own pixels and leaves the rest.
    """
    ys, xs = np.nonzero(piece)
    dist = off_line(xs, ys, fit_line(xs, ys, cv2.DIST_HUBER))
    off = (dist > COLLINEAR_MM * res) & strong[ys, xs]
    if np.count_nonzero(off) < ABSENT_MM2 * res * res or dist.max() < OFF_LINE_MM * res:
        return False
    rest = np.zeros(piece.shape, np.uint8)
    rest[ys[off], xs[off]] = 1
    _, _, stats = component_stats(rest)
    return int(stats[1:, cv2.CC_STAT_AREA].max()) >= ABSENT_MM2 * res * res  # one stroke, not grain along the line


def _rects_mask(shape: tuple[int, ...], rects_px: Sequence[tuple[int, int, int, int]]) -> np.ndarray:
    """True inside any of `rects_px` ((x0, y0, x1, y1) px, clipped to `shape`)."""
    inside = np.zeros(shape[:2], bool)
    for x0, y0, x1, y1 in rects_px:
        inside[max(0, y0):max(0, y1), max(0, x0):max(0, x1)] = True
    return inside


def _on_back_print(zone: WritingZone, rects_px: list[tuple[int, int, int, int]]) -> bool:
    """The zone's ink lies on `rects_px` (the other side's print) as a ghost of it would, not as writing would."""
    on = zone.share_within(rects_px)
    return on >= SHOW_THROUGH_SHARE and 1.0 - on <= SHOW_THROUGH_AVOID * (1.0 - zone.area_within(rects_px))


def read_text_area(image: np.ndarray, H: np.ndarray, field_id: str, rect_mm,
                   preprinted: bool = False, label_band_mm: float = LABEL_BAND_MM,
                   streaks: dict | None = None, bilevel: bool = False, halftone: bool = False,
                   back_print_mm: Sequence[Sequence[Sequence[float]]] = ()) -> TextArea:
    """Crop a text field and decide present / absent / uncertain.

    preprinted: the form printed a value into this frame (formkit knows, we cannot): print and
    handwriting are not told apart, so the area is reported as `preprinted`, value None, with the
    crop for a person, rather than as handwriting.
    streaks: scanner streaks found on the page (`find_streaks`, image px). A streak crossing the
    area is a straight line too short or too broken for the line removal when the area is small;
    it is painted out of the image the decision is made on (the crop for people keeps it).
    bilevel: the page is a 1-bit scan, whose threshold drops a light pencil's writing down to a
    scatter of specks (see `VANISHED_SPECKS_MM2`).
    halftone: the page was descreened from a dithered 1-bit scan: a thin stroke kept only part of its
    darkness, so an empty area's noise-only look (`faint_t`, what `could_hide` weighs against the
    writer's pen) is reported HALFTONE_DILUTION times less sensitive than its threshold.
    back_print_mm: the print on the other side of the sheet as it would show through, one list of rects (page
    mm) per way the sheet may have been turned (mirrored left-right, top-bottom). Thin paper lets it through
    as a faint ghost - a grid of boxes, a heading - that reads as writing. Faint writing lying
    >= SHOW_THROUGH_SHARE on one of them (within SHOW_THROUGH_REACH_MM), and keeping off the rest of the
    area far more than writing placed anywhere would (SHOW_THROUGH_AVOID), is not trusted: `show_through`.
    """
    crop = crop_area(image, H, rect_mm)
    if streaks and (streaks.get("cols") or streaks.get("rows")):
        x, y, w, h = (float(v) for v in rect_mm)
        g = warp_rect_grey(image, H, [x - 1.0, y - 1.0, w + 2.0, h + 2.0], CROP_RES, streaks=streaks,
                           perspective=True)
    else:
        g = ink_grey(crop)
    x, y = float(rect_mm[0]), float(rect_mm[1])
    ta = _judge_text_area(field_id, crop, g, preprinted, label_band_mm, bilevel, halftone,
                          (back_print_mm, (x - 1.0, y - 1.0)))
    ta.frame = frame_contrast(g)
    return ta


def _judge_text_area(field_id: str, crop: np.ndarray, g: np.ndarray, preprinted: bool, label_band_mm: float,
                     bilevel: bool, halftone: bool, back: tuple = ((), (0.0, 0.0))) -> TextArea:
    """`read_text_area`'s decision on the crop `crop` and its grey `g`; `back`: (back_print_mm, crop origin mm)."""
    # presence is judged at half resolution, min-pooled so thin pencil keeps its full darkness
    h2, w2 = g.shape[0] // 2 * 2, g.shape[1] // 2 * 2
    small = cv2.erode(g[:h2, :w2], np.ones((2, 2), np.uint8), anchor=(0, 0))[::2, ::2]
    zone = writing_zone(np.ascontiguousarray(small), CROP_RES / 2, label_band_mm=label_band_mm)
    mm2 = zone.ink_mm2(MIN_DARKNESS)
    if preprinted:
        return TextArea(field_id, "preprinted", None, "accepted", None, 1.0, mm2, crop)
    if mm2 >= PRESENT_MM2:
        if not (bilevel or halftone) and zone.steady_ink_mm2(MIN_DARKNESS, 2 * PRESENT_MM2) < PRESENT_MM2:
            # the "writing" fades against the paper right around it: a shadow's edge, maybe writing too
            return TextArea(field_id, "uncertain", "present", "review", "uneven_light", 0.3, mm2, crop)
        rim_bar = max(PRESENT_MM2, RIM_LEFT_SHARE * mm2)
        if zone.off_ring_mm2(MIN_DARKNESS, rim_bar) < rim_bar:
            # all of it lies on pale smooth round bands: a coffee ring's rim, or one drawn curve
            return TextArea(field_id, "uncertain", "present", "review", "round_stain", 0.3, mm2, crop)
        if zone.off_fold_mm2(MIN_DARKNESS) < PRESENT_MM2:
            # what makes it writing lies on the line of a fold or streak taken out: maybe its remains
            return TextArea(field_id, "uncertain", "present", "review", "uncertain_writing", 0.3, mm2, crop)
        if (bilevel or halftone) and zone.largest_piece_mm2(MIN_DARKNESS) < SPECK_FIELD_PIECE_MM2:
            # nothing but specks, none of a stroke's size: a 1-bit scan's noise over an empty area, or a light
            # pencil the threshold cut to dots - a person sees which
            return TextArea(field_id, "uncertain", "present", "review", "specks", 0.3, mm2, crop)
        if back[0] and zone.strength() <= SHOW_THROUGH_DARK and any(
                _on_back_print(zone, zone.mm_to_px(rects, back[1], SHOW_THROUGH_REACH_MM)) for rects in back[0]):
            # it lies on the other side's print, mirrored: maybe that print's ghost through thin paper
            return TextArea(field_id, "uncertain", "present", "review", "show_through", 0.3, mm2, crop)
        conf = 0.5 + 0.5 * min(1.0, (mm2 - PRESENT_MM2) / PRESENT_MM2)
        return TextArea(field_id, "present", "present", "accepted", None, conf, mm2, crop, zone.strength())
    if mm2 < ABSENT_MM2:
        # "empty" must hold when the ink threshold follows the measured noise alone (no fixed floor): light
        # ink on a clean photo lies between the two, and is then a question for a person, not an absence
        # the same threshold (noise above the fixed floor) gives the same area: no second count then
        same_t = zone.threshold(FAINT_FLOOR) == zone.threshold(MIN_DARKNESS)
        # the lower threshold can find less: strokes that join up there are long enough to be cut as lines
        low = mm2 if same_t else max(mm2, zone.ink_mm2(FAINT_FLOOR))
        if low >= ABSENT_MM2:
            return TextArea(field_id, "uncertain", "present", "review", "faint_writing", 0.3, low, crop)
        if bilevel and (zone.raw_mm2() >= VANISHED_SPECKS_MM2 or zone.speck_chain() >= SPECK_CHAIN_MIN):
            return TextArea(field_id, "uncertain", "present", "review", "faint_writing", 0.3, mm2, crop)
        if (zone.pen_line_mm2() >= PEN_LINE_MM2
                or zone.pen_line_mm2(zone.threshold(MIN_DARKNESS)) >= ABSENT_MM2):
            # what the line removal took was pen-dark: a straight stroke (a signature's, a dash, the area
            # struck out), not a fold. At the ink threshold too, with the absent bar: a pencil dash (0.2-0.45
            # dark) in a comment box is a straight stroke that stops short of both edges, which a fold or a
            # streak does not. On a 1-bit page a fold is as black as a pen, but it still crosses the zone
            # (its broken pieces meet ink on their line at both edges): 5 mm dashes there read absent,
            # accepted (other-hands stress runs, 5 areas); the ward's 1-bit stacks lost no area to review.
            # On a descreened halftone page too: a 10 mm ballpoint dash in a signature area was taken out
            # with the lines and read absent, accepted (other-hands stress run). There a fold's pieces may
            # be too far apart to meet ink at the zone's edges: it then goes to a person (a synthetic fold
            # did, 3 times in 9), which on a halftone scan, a rare setting, is the price.
            return TextArea(field_id, "uncertain", "present", "review", "pen_line", 0.3, mm2, crop)
        if zone.line_bulge_mm2(MIN_DARKNESS) >= ABSENT_MM2:
            # a long line taken out (a fold, a streak) swells where something is written on it: maybe a word
            return TextArea(field_id, "uncertain", "present", "review", "uncertain_writing", 0.3, mm2, crop)
        if zone.band_ink_mm2(MIN_DARKNESS) >= ABSENT_MM2:
            # written high, beside the label or on the zone's top edge: not nothing, for a person to see
            return TextArea(field_id, "uncertain", "present", "review", "uncertain_writing", 0.3, mm2, crop)
        if mm2 + zone.standing_mm2() >= ABSENT_MM2 or (
                not same_t and zone.ink_mm2(FAINT_FLOOR) + zone.standing_mm2(FAINT_FLOOR) >= ABSENT_MM2):
            # thin strokes standing on the zone's edge, their feet beyond it: initials in a one-line area
            return TextArea(field_id, "uncertain", "present", "review", "faint_writing", 0.3, mm2, crop)
        if not (bilevel or halftone) and max(zone.faint_dash_mm(),
                                             0.0 if same_t else zone.faint_dash_mm(FAINT_FLOOR)) >= DASH_MM:
            # a faint pencil dash, one pixel wide here: the cleaning's median took it. Looked for with the
            # noise's own threshold too, as "empty" is: a faint-pencil dash 0.06-0.15 dark on a clean scan
            # broke into pieces under 3 px at the ink floor and read absent, accepted (other-hands stress
            # runs: 5 areas in 5,130 fields)
            return TextArea(field_id, "uncertain", "present", "review", "faint_writing", 0.3, mm2, crop)
        if not (bilevel or halftone) and zone.thin_stroke_mm() >= THIN_STROKE_MM:
            # a stroke too thin and pale for the threshold, seen along its own line: a faint tick or initial
            return TextArea(field_id, "uncertain", "present", "review", "faint_writing", 0.3, mm2, crop)
        conf = 0.5 + 0.5 * min(1.0, (ABSENT_MM2 - mm2) / ABSENT_MM2)
        look = zone.threshold(FAINT_FLOOR) * (HALFTONE_DILUTION if halftone else 1.0)
        return TextArea(field_id, "absent", None, "accepted", None, conf, mm2, crop,
                        faint_t=min(1.0, look), faint_mm2=low)
    return TextArea(field_id, "uncertain", "present", "review", "uncertain_writing", 0.3, mm2, crop)
