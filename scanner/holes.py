"""Filing holes: a punched sheet fed over a scanner's dark backing shows its holes as dark discs.

They sit 12 mm from the sheet's edge (ISO 838; US 1/2 in), which on our forms is the edge of the
comment and signature frames: a hole reaching into an empty signature area read as writing. Once
the page is registered they are found in page coordinates (strips along the two long edges, solid
round discs of 4.5-8.5 mm) and painted over with the paper around them before anything is read.
"""

from __future__ import annotations

import cv2
import numpy as np

from scanner.geometry import local_scale, map_points, warp_rect_grey
from scanner.imageops import component_stats, ink_grey

HOLE_MM = (4.5, 8.5)  # diameters: ISO 838 6 mm, US 1/4 in; a little blur or print scale either way
EDGE_BAND_MM = 18.0  # a hole's centre lies within this of the page's long edge: 12 mm from the paper's,
# 5-15 mm in page coordinates at 94-100 % print scale, a printer's offset either way; the nearest boxes
# (the rating grid's last column) are centred >= 20 mm in
STRIP_RES = 2.0  # px/mm of the edge strips searched (a hole is 12 px across)
DARK = 0.35  # darker than the paper around by this share (the blank-page test's ink level)
CORNER_MM = 12.0  # the highest hole (ISO 4-hole, 28.5 mm) is >= 20 mm from the top even at 94 % print scale
FILL = (0.65, 0.93)  # share of its bounding box a disc fills (pi/4 = 0.785, up to 0.9 when only ~11 px
# across, as in the blank-page count at 75 dpi; a printed square fills ~1.0)
PAINT_MARGIN_MM = 0.6  # painted beyond the hole's edge: its blurred rim and shadow
_SOLID = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (int(2.0 * STRIP_RES) | 1,) * 2)


def disc_like(stats: np.ndarray, px_per_mm: float) -> np.ndarray:
    """Which components (rows of `component_stats`: x, y, w, h, area) are solid discs a hole's size."""
    w, h, area = (stats[:, i].astype(np.float64) for i in (2, 3, 4))
    lo, hi = (v * px_per_mm for v in HOLE_MM)
    fill = area / np.maximum(w * h, 1.0)
    return ((w >= lo) & (w <= hi) & (h >= lo) & (h <= hi) & (np.abs(w - h) <= 0.25 * np.maximum(w, h))
            & (fill >= FILL[0]) & (fill <= FILL[1]))


def find_holes(image: np.ndarray, H: np.ndarray, page_size_mm: tuple[float, float],
               keep_out_mm: list | tuple = ()) -> list[list[float]]:
    """Filing holes as [x_mm, y_mm, radius_mm] in page coordinates (usually none: ~2 ms a page).

    `keep_out_mm`: rects (mm) of printed furniture by the edge - the corner markers, whose solid
    inner cells look like discs once the thin parts are gone.
    """
    w, h = (float(v) for v in page_size_mm)
    e = EDGE_BAND_MM
    # the long edges: a binder's holes (ISO 838) go along the side a portrait page is filed by
    strips = ([-3.0, 0.0, e + 3.0, h], [w - e, 0.0, e + 3.0, h])
    found: list[list[float]] = []
    for x0, y0, sw, sh in strips:
        g = warp_rect_grey(image, H, [x0, y0, sw, sh], STRIP_RES)
        k = int(12.0 * STRIP_RES) | 1  # wider than a hole: the background is the paper around it
        bg = cv2.blur(cv2.dilate(g, np.ones((k, k), np.uint8)), (k, k)).astype(np.float32)
        dark = ((bg - g) / np.maximum(bg, 1.0) > DARK).astype(np.uint8)
        # only what is solid for 2 mm across: print, frames and pen strokes crossing a hole drop out
        dark = cv2.morphologyEx(dark, cv2.MORPH_OPEN, _SOLID)
        n, _, stats = component_stats(dark)
        discs = disc_like(stats[1:n], STRIP_RES)
        for (x, y, cw, ch, _), disc in zip(stats[1:n].tolist(), discs.tolist(), strict=True):
            if not disc:
                continue
            dw, dh = cw / STRIP_RES, ch / STRIP_RES
            cx, cy = x0 + (x + cw / 2) / STRIP_RES, y0 + (y + ch / 2) / STRIP_RES
            if min(cx, w - cx) > e or not CORNER_MM <= cy <= h - CORNER_MM:
                continue  # by a long edge, clear of the corners (a dark border or a folded corner)
            if any(kx - 1.0 <= cx <= kx + kw + 1.0 and ky - 1.0 <= cy <= ky + kh + 1.0
                   for kx, ky, kw, kh in keep_out_mm):
                continue
            if all(np.hypot(cx - fx, cy - fy) > 3.0 for fx, fy, _ in found):
                found.append([round(cx, 2), round(cy, 2), round(max(dw, dh) / 2, 2)])
    return found


def paint_holes(image: np.ndarray, H: np.ndarray, holes: list[list[float]]) -> np.ndarray:
    """A copy of the image with each hole (and its rim) filled with the paper level just around it."""
    out = image.copy()
    ih, iw = image.shape[:2]
    for x, y, r in holes:
        (cx, cy), = map_points(H, np.array([[x, y]]))
        s = local_scale(H, x, y)
        r_px, outer = int(round((r + PAINT_MARGIN_MM) * s)), int(round((r + 2.5) * s))
        x0, y0 = max(0, int(cx) - outer - 1), max(0, int(cy) - outer - 1)
        x1, y1 = min(iw, int(cx) + outer + 2), min(ih, int(cy) + outer + 2)
        if x1 <= x0 or y1 <= y0:
            continue
        c = (int(round(cx)) - x0, int(round(cy)) - y0)
        ring = np.zeros((y1 - y0, x1 - x0), np.uint8)  # the paper just around the hole, in a local window
        cv2.circle(ring, c, outer, 1, -1)
        cv2.circle(ring, c, r_px + 1, 0, -1)
        around = image[y0:y1, x0:x1][ring.astype(bool)]
        if around.size == 0:
            continue
        if image.ndim == 2:
            level: float | tuple = float(np.median(around))
        else:  # the paper's colour: the median of the pixels whose ink-grey is the paper's
            g = ink_grey(around.reshape(-1, 1, image.shape[2])).ravel()
            paper = around[g >= np.median(g)]
            level = tuple(float(v) for v in np.median(paper, axis=0))
        cv2.circle(out, (int(round(cx)), int(round(cy))), r_px, level, -1)
    return out
