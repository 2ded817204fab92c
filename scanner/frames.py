"""Is a printed frame visible where a folded or torn corner could have covered it?

A dog-ear (or a torn-off corner, a sticky note) hides whatever lies under it, and its edge can look
like writing. When a corner marker is missing, fields near that corner are doubted. But a flap is
one connected piece reaching in from the page corner: it cannot cover any part of a framed area
without covering part of the frame (the area does not reach the page corner). So where the whole
frame is printed and visible near the missing corner, nothing covers the area.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scanner.geometry import warp_rect_grey

FRAME_RES = 4.0  # px per mm: a 0.35 mm grey frame line still shows at ~0.3 darkness
FRAME_SEARCH_MM = 1.2  # the frame is looked for this far either side of where the mapping puts it
FRAME_SEEN = 0.15  # darkness (relative to the paper beside it) at which a step of the frame counts as seen
FRAME_SEEN_SHARE = 0.95  # this share of 1 mm steps along the frame must be seen


def frame_visible(image: np.ndarray, H: np.ndarray, rect_mm: Sequence[float],
                  region_mm: Sequence[float] | None = None) -> bool:
    """True when the printed frame of `rect_mm` is seen along its whole length inside `region_mm`.

    region_mm (x0, y0, x1, y1): only the part of the frame inside it is checked (the corner square
    of a missing marker); None checks the whole frame. False when no part of the frame lies inside.
    """
    x, y, w, h = (float(v) for v in rect_mm)
    rx0, ry0, rx1, ry1 = region_mm if region_mm is not None else (x - 1, y - 1, x + w + 1, y + h + 1)
    m = FRAME_SEARCH_MM
    edges = [("h", y, x, x + w), ("h", y + h, x, x + w), ("v", x, y, y + h), ("v", x + w, y, y + h)]
    steps_seen, steps = 0, 0
    for kind, at, a0, a1 in edges:
        lo, hi = max(a0, rx0 if kind == "h" else ry0), min(a1, rx1 if kind == "h" else ry1)
        inside = (ry0 <= at <= ry1) if kind == "h" else (rx0 <= at <= rx1)
        if not inside or hi - lo < 1.0:
            continue
        if kind == "h":
            g = warp_rect_grey(image, H, [lo, at - m, hi - lo, 2 * m], FRAME_RES)
        else:
            g = warp_rect_grey(image, H, [at - m, lo, 2 * m, hi - lo], FRAME_RES).T
        # per column across the line: a line is darker than the paper beside it (a dark scanner lid
        # where the corner is torn off is dark all across; a flap is blank all across)
        g = g.astype(np.float64)
        across = 1.0 - g.min(axis=0) / np.maximum(g.max(axis=0), 1.0)
        n = int(across.size // FRAME_RES)
        if n == 0:
            continue
        per_mm = across[:int(n * FRAME_RES)].reshape(n, -1).max(axis=1)
        steps += n
        steps_seen += int(np.count_nonzero(per_mm >= FRAME_SEEN))
    return steps > 0 and steps_seen >= FRAME_SEEN_SHARE * steps
