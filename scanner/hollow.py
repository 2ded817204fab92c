"""A 1-bit page thresholded locally: its blots come through hollow.

Some scanners' black-and-white mode compares each pixel with the mean around it (a "dynamic" or
adaptive threshold) instead of one fixed level. Inside a blot wider than about half that window the
mean is the blot itself, and the pixel comes out white: a cancelling fill arrives as its own edges -
ink along the outline (`decide`: `ink_along_outline`) or, with a window under ~3-4 mm, a thick frame
around an empty box, which looks like a loop drawn round the box (`circled`). The page's own markers
tell: the middle of their widest black parts (>= 2 mm from white) is white on such a page and black on
any other.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from scanner.geometry import map_points
from scanner.registration import MARKER_DICT

CELLS = 6  # a 4x4 marker with its border: 6 x 6 cells
DEEP_CELLS = 1.2  # points this far (in cells: 2 mm on a 10 mm marker) from white in the ideal marker ...
HOLLOW_SHARE = 0.5  # ... of which at least this share white on the page: its blots are hollowed
MIN_POINTS = 12  # fewer deep points seen (markers lost, none with a wide black part): no verdict


@lru_cache(maxsize=64)
def _deep_points(marker_id: int) -> np.ndarray:
    """(N, 2) points, in marker cells from its top-left corner, at least DEEP_CELLS from white."""
    px = 10
    m = cv2.aruco.generateImageMarker(MARKER_DICT, marker_id, CELLS * px)
    m = cv2.copyMakeBorder(m, px, px, px, px, cv2.BORDER_CONSTANT, value=255)  # the paper around it
    dist = cv2.distanceTransform((m < 128).astype(np.uint8), cv2.DIST_L2, 5)
    ys, xs = np.nonzero(dist >= DEEP_CELLS * px)
    pts = np.c_[xs, ys][::3].astype(np.float32)  # every third: plenty, and cheap
    return (pts - px + 0.5) / px


def blots_hollowed(image: np.ndarray, H: np.ndarray, markers: list[dict]) -> bool:
    """Whether the widest black parts of the page's markers came through white (1-bit `image`).

    `H`: the page's mm -> px mapping; `markers`: the furniture's [{"id", "rect_mm"}]. Looked for where
    the mapping puts every marker, found or not: on such a page the detector misses the markers whose
    wide black parts came out hollow (two of the four), and the other two still register the page.
    """
    h, w = image.shape[:2]
    seen = white = 0
    for m in markers:
        pts = _deep_points(int(m["id"]))
        if not len(pts):
            continue
        x0, y0, mw, mh = (float(v) for v in m["rect_mm"])
        mm = np.c_[x0 + pts[:, 0] * mw / CELLS, y0 + pts[:, 1] * mh / CELLS]
        q = map_points(H, mm)
        x, y = np.rint(q[:, 0]).astype(int), np.rint(q[:, 1]).astype(int)
        inside = (x >= 0) & (x < w) & (y >= 0) & (y < h)
        v = image[y[inside], x[inside]]
        if v.ndim > 1:
            v = v.min(axis=1)
        seen += int(inside.sum())
        white += int(np.count_nonzero(v > 127))
    return seen >= MIN_POINTS and white >= HOLLOW_SHARE * seen
