"""Scanner streaks: thin dark lines from dirt on the glass that run the full length of the image.

A streak through a checkbox looks like a stroke, so it is found once per page (on the small
working image) and painted out of each box ROI before measuring. Found in image coordinates, as
the scanner makes them: columns (sheet feed direction) and, for images rotated after scanning, rows.
"""

from __future__ import annotations

import cv2
import numpy as np

from scanner.imageops import ink_grey, pyramid_to, true_runs

STREAK_CONTRAST = 10  # grey levels darker than the neighbourhood across the line
STREAK_COVER = 0.95  # of the image length; printed rules stop at the margins (<= 90 % of A4 width)


def find_streaks(image: np.ndarray) -> dict[str, list[tuple[int, int]]]:
    """{"cols": [(x0, x1)], "rows": [(y0, y1)]} in full-resolution pixels (half-open ranges)."""
    work, f = pyramid_to(image, 1800)
    g = ink_grey(work)
    out: dict[str, list[tuple[int, int]]] = {"cols": [], "rows": []}
    for axis, key in ((1, "cols"), (0, "rows")):
        k = (7, 1) if axis == 1 else (1, 7)
        bg = cv2.dilate(g, cv2.getStructuringElement(cv2.MORPH_RECT, k))
        dark = (cv2.subtract(bg, g) > STREAK_CONTRAST).astype(np.uint8)
        frac = cv2.reduce(dark, 0 if axis == 1 else 1, cv2.REDUCE_AVG, dtype=cv2.CV_32F).ravel()
        for a, b in true_runs(frac >= STREAK_COVER):
            if b - a <= 3:  # streaks are thin; a wide dark band is a page edge or a shadow
                out[key].append((int(np.floor(a / f)) - 1, int(np.ceil(b / f)) + 1))
    return out


def _in_crop(streaks: dict | None, x0: int, y0: int, h: int, w: int) -> list[tuple[str, int, int]]:
    """The streaks crossing a crop of h x w at image (x0, y0): ("cols" | "rows", start, end) in crop pixels."""
    out = []
    for key, off, n in (("cols", x0, w), ("rows", y0, h)):
        for a, b in streaks.get(key, ()) if streaks else ():
            if b - off > 0 and a - off < n:
                out.append((key, a - off, b - off))
    return out


def painted_mask(shape: tuple[int, int], x0: int, y0: int, streaks: dict | None) -> np.ndarray | None:
    """The pixels `paint_out` replaces in a crop of `shape` at image (x0, y0): 255 there, else 0; None if none.

    What lay under a streak is not known, and is not paper: a crease running along a painted-out
    streak row loses that stretch, and no longer crosses a box's ROI from side to side (`measure`).
    """
    h, w = shape
    runs = _in_crop(streaks, x0, y0, h, w)
    if not runs:
        return None
    mask = np.zeros((h, w), np.uint8)
    for key, a, b in runs:
        if key == "cols":
            mask[:, max(a, 0):min(b, w)] = 255
        else:
            mask[max(a, 0):min(b, h), :] = 255
    return mask


def paint_out(crop: np.ndarray, x0: int, y0: int, streaks: dict | None) -> np.ndarray:
    """Replace streak columns/rows inside a grey crop (top-left at image x0, y0) by their neighbours."""
    h, w = crop.shape[:2]
    runs = _in_crop(streaks, x0, y0, h, w)
    if not runs:
        return crop
    fixed = crop.copy()
    for key, a, b in runs:  # columns first, then rows
        if key == "cols":
            left, right = fixed[:, max(a - 1, 0)], fixed[:, min(b, w - 1)]
            fixed[:, max(a, 0):min(b, w)] = np.maximum(left, right)[:, None]
        else:
            top, bottom = fixed[max(a - 1, 0), :], fixed[min(b, h - 1), :]
            fixed[max(a, 0):min(b, h), :] = np.maximum(top, bottom)[None, :]
    return fixed
