"""Rims of round stains (a coffee cup's ring) in a text area's ink: pale smooth round bands, not writing.

A ring's rim crossing an empty comment or signature area survives every line rule of `handwriting`:
it is curved, 0.5-1.5 mm wide and as pale as pencil. A stain stress run accepted 23 such areas as
written. `rim_residue` counts the ink that lies on such rims; an area whose ink is all rim goes to a
person (`round_stain`), never to "present" or "empty" on the reader's word.
"""

from __future__ import annotations

import cv2
import numpy as np

from scanner.imageops import component_stats

ARC_MM = 1.0  # ink within this distance of a smooth round curve (a rim 0.5-1.5 mm wide) ...
ARC_SHARE = 0.9  # ... making up this share of what is left ...
ARC_RADIUS_MM = (4.0, 40.0)  # ... of a cup's size (a line is a circle of infinite radius: the line rules) ...
ARC_MIN_MM = 8.0  # ... along at least this much of it: the rim of a coffee ring, not writing
RIM_PIECE_MM = 6.0  # ... each piece this long keeping its distance from the centre within ARC_MM
RIM_ENTERING_MM = 3.0  # a smooth curve this long entering the zone from its edge may be a rim's piece
RIM_GAP_MM = 1.5  # pieces of ink closer than this are judged together (a rim broken by a paler stretch)
RIM_SOLID = 0.45  # the offsets across a rim spread like a solid band's (sd <= this x its thickness; ~0.29)
RIM_CONTINUOUS = 0.8  # a rim's curve runs through its ink along this share of the way (writing: now and then)
RIM_DARK = 0.40  # a rim is paler than this (median darkness); ballpoint, gel and felt-tip writing is darker
RIM_TRACE = 0.5  # the curve runs through ink, or through darkness of this share of the ink threshold: a pale
# rim breaks up at the threshold (a faint ring's curve ran through its ink along 62-77 % of the way only)


def rim_residue(kept: np.ndarray, d: np.ndarray, res: float) -> int:
    """Ink pixels that are the rims of round stains across the zone (else 0).

    Like `handwriting._collinear_residue` for round curves: the ink taken together, else each group of pieces
    closer than RIM_GAP_MM, else each piece, counts as a rim when it lies on one smooth round band of
    a cup's size (`_on_one_circle`), or is a short smooth band coming in through the zone's edge
    (`_smooth_curve`). Writing is not: a word's letters stand off any curve through them, and a word is
    shorter than a rim. Two rings, or a ring and a drip, are two groups. A rim is pale (a grey scan
    sees a brown stain's 15-35 % at 0.1-0.25): ink darker than RIM_DARK is a pen's, whatever its shape.
    """
    ys, xs = np.nonzero(kept)
    if xs.size < 16:
        return 0
    trace = (d >= RIM_TRACE * float(d[ys, xs].min())).astype(np.uint8)  # (the ink threshold: its faintest ink)
    if _median(d[ys, xs]) <= RIM_DARK:
        whole = _on_one_circle(xs.astype(np.float64), ys.astype(np.float64), res, trace)
        if whole:
            return whole
    # pieces of one rim that the threshold broke apart (a paler stretch) are judged together first,
    # then, if they are no rim together (two rings touching), one by one
    k = max(3, int(round(RIM_GAP_MM * res)) | 1)
    n, groups, gstats = component_stats(cv2.dilate(kept, np.ones((k, k), np.uint8)))
    groups = np.where(kept > 0, groups, 0)
    _, pieces, pstats = component_stats(kept)
    zh, zw = kept.shape
    small = np.maximum(pstats[:, 2], pstats[:, 3]) < RIM_ENTERING_MM * res  # pieces too short to judge

    def rim(cy: np.ndarray, cx: np.ndarray) -> int:
        if cx.size < 16:
            return 0
        if _median(d[cy, cx]) > RIM_DARK:
            return 0
        fx, fy = cx.astype(np.float64), cy.astype(np.float64)
        extent = max(np.ptp(fx), np.ptp(fy))
        on = _on_one_circle(fx, fy, res, trace) if extent >= ARC_MIN_MM * res / 2 else 0
        if not on and extent >= RIM_ENTERING_MM * res and (
                cx.min() == 0 or cy.min() == 0 or cx.max() >= zw - 1 or cy.max() >= zh - 1):
            on = _smooth_curve(fx, fy, res, trace)  # a rim's short piece cutting a corner of the zone
        return on

    total = 0
    for i in range(1, n):
        x0, y0, w, h = (int(v) for v in gstats[i, :4])
        if max(w, h) < RIM_ENTERING_MM * res:
            continue
        box = (slice(y0, y0 + h), slice(x0, x0 + w))
        gy, gx = np.nonzero(groups[box] == i)
        gy, gx = gy + y0, gx + x0
        on = rim(gy, gx)
        if not on:
            ids = pieces[gy, gx]
            on = sum(rim(gy[ids == j], gx[ids == j]) for j in np.unique(ids) if not small[j])
        if not on and n - 1 <= TOUCHING_GROUPS_MAX and _median(d[gy, gx]) <= RIM_DARK:
            on = _touching_rims(gx.astype(np.float64), gy.astype(np.float64), res, trace)
        total += on
    return total


RIM_SEARCH = 60  # circles tried through 3 of a group's points when two rings touch (one component, two circles)
RIM_TRIES = 3  # ... the best-supported ones checked in turn until one makes a rim (a stain hunt: the best took in a few
# points of the other ring where the two meet and failed the rim's test; the next one, through the same ring, passed)
TOUCHING_GROUPS_MAX = 2  # ... looked for only in an area holding at most this many groups of ink: lines of pale
# pencil writing make many (and the search over each of them cost 9 ms per page)


def _touching_rims(x: np.ndarray, y: np.ndarray, res: float, trace: np.ndarray) -> int:
    """Points on up to two rims that touch or overlap: found one at a time, each checked by `_on_one_circle`.

    Two cups' rings touching make one piece of ink that no single circle fits, and an empty comment area
    with two rings read as written (a stain hunt). Circles through 3 of the points (RIM_SEARCH tries,
    seeded: the same page reads the same) are ranked by how many points lie on them (within ARC_MM); the
    first of the RIM_TRIES best whose points make a rim is taken, and the rest looked at once more. The
    best-supported circle alone may take in a few points of the other ring where the two meet, and fail the
    rim's test for them (a stain hunt: the next one, through the same ring, passed).
    """
    rng = np.random.default_rng(0)
    total = 0
    for _ in range(2):
        if x.size < 16:
            break
        found = []  # (points on it, the mask of those points)
        for _ in range(RIM_SEARCH):
            i = rng.choice(x.size, 3, replace=False)
            a = np.column_stack([x[i], y[i], np.ones(3)])
            if abs(np.linalg.det(a)) < 1e-6:
                continue
            sol = np.linalg.solve(a, -(x[i] ** 2 + y[i] ** 2))
            cx, cy = -sol[0] / 2, -sol[1] / 2
            r2 = cx * cx + cy * cy - sol[2]
            if r2 <= 0 or not ARC_RADIUS_MM[0] * res <= np.sqrt(r2) <= ARC_RADIUS_MM[1] * res:
                continue
            near = np.abs(np.hypot(x - cx, y - cy) - np.sqrt(r2)) <= ARC_MM * res
            found.append((int(near.sum()), near))
        found.sort(key=lambda f: -f[0])
        on, best = 0, None
        for n, near in found[:RIM_TRIES]:
            on = _on_one_circle(x[near], y[near], res, trace) if n >= 16 else 0
            if on:
                best = near
                break
        if best is None:
            break
        total += on
        x, y = x[~best], y[~best]
    return total


def _median(v: np.ndarray) -> float:
    """The (upper) median by one partition: np.median's checks cost more than the work here."""
    return float(np.partition(v, v.size // 2)[v.size // 2])


def _smooth_curve(x: np.ndarray, y: np.ndarray, res: float, mask: np.ndarray) -> int:
    """How many of the points lie within ARC_MM of one gentle curve (a parabola along their main axis).

    A ring clipping a corner of a small area leaves a piece too short to show its circle; coming in
    from outside the zone as one smooth stroke, it is a stain's rim as likely as a pen's.
    """
    pts = np.column_stack([x - x.mean(), y - y.mean()])
    v = np.linalg.eigh(np.cov(pts.T))[1]
    u, across = pts @ v[:, 1], pts @ v[:, 0]
    if np.ptp(u) < RIM_ENTERING_MM * res:
        return 0
    coef = np.polyfit(u, across, 2)
    resid = across - np.polyval(coef, u)
    near = np.abs(resid) <= ARC_MM * res
    if near.mean() < ARC_SHARE or not _solid_band(resid[near], u[near]):
        return 0
    uu = np.arange(float(u.min()), float(u.max()), 1.0)
    vv = np.polyval(coef, uu)
    px, py = x.mean() + uu * v[0, 1] + vv * v[0, 0], y.mean() + uu * v[1, 1] + vv * v[1, 0]
    h, w = mask.shape
    ends_out = [min(px[i], py[i], w - 1 - px[i], h - 1 - py[i]) <= 2.0 for i in (0, -1)]
    if not any(ends_out) or _continuity(px, py, mask) < RIM_CONTINUOUS:
        return 0  # it must come in through the zone's edge (a word touching it lies along it)
    return int(np.count_nonzero(near))


def _on_one_circle(x: np.ndarray, y: np.ndarray, res: float, mask: np.ndarray) -> int:
    """How many of the points lie on one rim of a cup's size along >= ARC_MIN_MM (0 if they do not).

    A rim is round but not a true circle (a tilted cup, a wavering edge): the points are ordered by
    angle around the centre of their best circle, and along every RIM_PIECE_MM of the way their distance
    from that centre must follow a straight trend within ARC_MM (a letter's strokes go in and out by
    its height, 2-3 mm); the curve so found must run through ink (`mask`) along >= RIM_CONTINUOUS of
    the way (a line of writing crosses it now and then; `mask`: the ink, or the pale trace a rim leaves
    between its pieces).
    """
    a = np.column_stack([x, y, np.ones(x.size)])
    sol = np.linalg.lstsq(a, -(x ** 2 + y ** 2), rcond=None)[0]
    cx, cy = -sol[0] / 2, -sol[1] / 2
    r2 = cx * cx + cy * cy - sol[2]
    if r2 <= 0:
        return 0
    r = float(np.sqrt(r2))
    if not ARC_RADIUS_MM[0] * res <= r <= ARC_RADIUS_MM[1] * res:
        return 0
    ang = np.arctan2(y - cy, x - cx)
    order = np.sort(ang)
    gaps = np.diff(np.r_[order, order[0] + 2 * np.pi])
    start = float(order[(int(np.argmax(gaps)) + 1) % order.size])  # the covered way begins after the widest gap
    along = np.mod(ang - start, 2 * np.pi) * r
    if float(along.max()) < ARC_MIN_MM * res:
        return 0
    rho = np.hypot(x - cx, y - cy)
    piece = RIM_PIECE_MM * res
    on = 0
    curve_x, curve_y = [], []
    for p0 in np.arange(0.0, float(along.max()) + 1.0, piece):
        sel = (along >= p0) & (along < p0 + piece)
        if np.count_nonzero(sel) < 8:
            continue
        # along one piece the rim keeps nearly the same distance from the centre: a straight trend
        coef = np.polyfit(along[sel], rho[sel], 1)
        resid = rho[sel] - np.polyval(coef, along[sel])
        near = np.abs(resid) <= ARC_MM * res
        if near.mean() < ARC_SHARE or not _solid_band(resid[near], along[sel][near]):
            return 0
        on += int(np.count_nonzero(near))
        s = np.arange(p0, min(p0 + piece, float(along.max())), 1.0)
        t = start + s / r
        curve_x.append(cx + np.polyval(coef, s) * np.cos(t))
        curve_y.append(cy + np.polyval(coef, s) * np.sin(t))
    if not curve_x or _continuity(np.concatenate(curve_x), np.concatenate(curve_y), mask) < RIM_CONTINUOUS:
        return 0
    return on


def _solid_band(resid: np.ndarray, along: np.ndarray) -> bool:
    """True when pixels offset `resid` across a curve (at `along` it) fill one solid band along it.

    A band of thickness t (= pixels per pixel of the way it covers; a paler gap covers none) spreads
    its offsets evenly over t: sd ~ 0.29 t. A zigzag of pencil strokes, as thick on average, spreads
    them over its letters' height instead.
    """
    covered = np.unique(np.rint(along)).size
    t = resid.size / max(covered, 1)
    return float(np.std(resid)) <= RIM_SOLID * max(t, 1.0)


def _continuity(cx: np.ndarray, cy: np.ndarray, mask: np.ndarray) -> float:
    """Share of the points (a curve sampled every pixel) with ink in `mask` within one pixel."""
    h, w = mask.shape
    xi, yi = np.rint(cx).astype(int), np.rint(cy).astype(int)
    hit = np.zeros(xi.size, bool)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            xx, yy = xi + dx, yi + dy
            ok = (xx >= 0) & (xx < w) & (yy >= 0) & (yy < h)
            hit[ok] |= mask[yy[ok], xx[ok]] > 0
    return float(hit.mean()) if hit.size else 0.0
