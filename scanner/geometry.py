"""Page geometry in millimetres (origin top-left, y down) and the mm -> pixel mapping.

The mapping is a 3x3 homography H with px ~ H @ [x_mm, y_mm, 1]. Everything that crops or
measures goes through `warp_rect`, which samples an upright, axis-aligned mm rectangle at a chosen
resolution straight from the source image (no full-page warp: ROIs keep reading fast).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

Rect = Sequence[float]  # [x, y, w, h] in mm


def rect_corners(rect: Rect) -> np.ndarray:
    """Corners TL, TR, BR, BL of an mm rect as a (4, 2) float array."""
    x, y, w, h = (float(v) for v in rect)
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], dtype=np.float64)


def chord(x0: float, y0: float, vx: float, vy: float, w: int, h: int) -> tuple[float, float]:
    """Where the line (x0, y0) + t (vx, vy) runs inside a w x h pixel area: (t entering, t leaving)."""
    ts = sorted(t for p0, v, size in ((x0, vx, w), (y0, vy, h)) if abs(v) > 1e-6
                for t in ((-p0) / v, (size - 1 - p0) / v))
    return ts[len(ts) // 2 - 1], ts[len(ts) // 2]  # the middle pair: entering and leaving the area


def fit_line(xs: np.ndarray, ys: np.ndarray, dist: int = cv2.DIST_L2) -> tuple[float, float, float, float]:
    """(vx, vy, x0, y0) of the straight line through the points: unit direction and a point on it."""
    vx, vy, x0, y0 = cv2.fitLine(np.column_stack([xs, ys]).astype(np.float32), dist, 0, 0.01, 0.01).ravel()
    return float(vx), float(vy), float(x0), float(y0)


def off_line(xs: np.ndarray, ys: np.ndarray, line: tuple[float, float, float, float]) -> np.ndarray:
    """Each point's distance from the line (vx, vy, x0, y0) given by `fit_line`."""
    vx, vy, x0, y0 = line
    return np.abs((xs - x0) * vy - (ys - y0) * vx)


def map_points(H: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Apply a homography to (N, 2) points."""
    pts = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
    ph = np.hstack([pts, np.ones((len(pts), 1))]) @ H.T
    return ph[:, :2] / ph[:, 2:3]


def local_scale(H: np.ndarray, x_mm: float, y_mm: float) -> float:
    """Pixels per mm of the mapping around a point (geometric mean of the two axes)."""
    sx, sy = axis_scales(H, x_mm, y_mm)
    return float(np.sqrt(max(sx * sy, 1e-12)))


def axis_scales(H: np.ndarray, x_mm: float, y_mm: float) -> tuple[float, float]:
    """Pixels per mm of the mapping around a point along the page's width and along its height (a fax in
    standard mode: 8 across, 3.9 down)."""
    p = map_points(H, np.array([[x_mm, y_mm], [x_mm + 1.0, y_mm], [x_mm, y_mm + 1.0]]))
    return float(np.hypot(*(p[1] - p[0]))), float(np.hypot(*(p[2] - p[0])))


def rect_to_px(H: np.ndarray, rect: Rect) -> np.ndarray:
    """The four mapped corners (TL, TR, BR, BL in page terms) of an mm rect, in image pixels."""
    return map_points(H, rect_corners(rect))


def warp_rect(img: np.ndarray, H: np.ndarray, rect: Rect, px_per_mm: float,
              border: int = 255, interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
    """Sample the mm rect [x, y, w, h] upright at `px_per_mm` (output pixel centres at mm sample points)."""
    x, y, w, h = (float(v) for v in rect)
    s = float(px_per_mm)
    out_w, out_h = max(1, round(w * s)), max(1, round(h * s))
    # dst pixel (u, v) centre -> mm (x + (u + .5)/s, y + (v + .5)/s) -> src px via H.
    # Image pixel centres are at integer coordinates in OpenCV; a mm point on the page maps there.
    S = np.array([[1.0 / s, 0.0, x + 0.5 / s], [0.0, 1.0 / s, y + 0.5 / s], [0.0, 0.0, 1.0]])
    M = H @ S
    bv = (border,) * (img.shape[2] if img.ndim == 3 else 1)
    return cv2.warpPerspective(img, M, (out_w, out_h), flags=interpolation | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=bv)


def fit_mapping(mm_pts: np.ndarray, px_pts: np.ndarray, model: str) -> np.ndarray | None:
    """Least-squares mm->px mapping: 'homography' (>=4 pts), 'affine' (>=3) or 'similarity' (>=2).

    Plain least squares, never a robust (median) fit: the points are the corners of a few small
    markers, and a robust fit would discard a whole correct marker as an outlier and extrapolate
    across the page from the corners of the other two (a 5 mm error on three-marker pages).
    Wrong markers are rejected a level up, marker by marker (`register`).
    """
    src = np.asarray(mm_pts, dtype=np.float64).reshape(-1, 2)
    dst = np.asarray(px_pts, dtype=np.float64).reshape(-1, 2)
    n = len(src)
    if model == "homography" and n >= 4:
        H, _ = cv2.findHomography(src, dst, 0)
        return H
    if model == "affine" and n >= 3:
        M = np.column_stack([src, np.ones(n)])
        A, *_ = np.linalg.lstsq(M, dst, rcond=None)
        if np.linalg.matrix_rank(M) < 3:
            return None
        return np.vstack([A.T, [0.0, 0.0, 1.0]])
    if n >= 2:
        # x' = a x - b y + tx, y' = b x + a y + ty
        M = np.zeros((2 * n, 4))
        M[0::2] = np.column_stack([src[:, 0], -src[:, 1], np.ones(n), np.zeros(n)])
        M[1::2] = np.column_stack([src[:, 1], src[:, 0], np.zeros(n), np.ones(n)])
        (a, b, tx, ty), *_ = np.linalg.lstsq(M, dst.reshape(-1), rcond=None)
        if a == 0 and b == 0:
            return None
        return np.array([[a, -b, tx], [b, a, ty], [0.0, 0.0, 1.0]])
    return None


def orientation_of(H: np.ndarray, page_size_mm: Sequence[float]) -> int:
    """Clockwise rotation (0/90/180/270) of the page's x axis as seen in the image."""
    cx, cy = float(page_size_mm[0]) / 2, float(page_size_mm[1]) / 2
    p = map_points(H, np.array([[cx, cy], [cx + 10.0, cy]]))
    dx, dy = p[1] - p[0]
    ang = np.degrees(np.arctan2(dy, dx))  # image y grows down: +90 means x axis points down = 90 cw
    return int(round(ang / 90.0)) % 4 * 90


def warp_rect_grey(img: np.ndarray, H: np.ndarray, rect: Rect, px_per_mm: float,
                   border: int = 255, streaks: dict | None = None, perspective: bool = False) -> np.ndarray:
    """Fast `warp_rect` for small rects: crop the source, ink-grey it, warp with the local affine of H.

    Over a box-sized ROI the perspective part of H changes the result by far less than a pixel, and
    an affine warp of a small grey crop is several times cheaper than a full-colour perspective warp.
    `perspective=True` keeps the full mapping (large areas on phone photos). `streaks` (image px,
    from `find_streaks`) are painted out of the source crop before warping.
    """
    return _warp_rect_grey(img, H, rect, px_per_mm, border, streaks, perspective, False)[0]


def warp_rect_grey_painted(img: np.ndarray, H: np.ndarray, rect: Rect, px_per_mm: float,
                           streaks: dict | None = None,
                           perspective: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """`warp_rect_grey`, and where streaks were painted out of it (bool, warped alike; None: nowhere)."""
    g, painted = _warp_rect_grey(img, H, rect, px_per_mm, 255, streaks, perspective, True)
    if painted is None:
        return g, None
    mask = painted > 0
    return g, mask if mask.any() else None


def _warp_rect_grey(img: np.ndarray, H: np.ndarray, rect: Rect, px_per_mm: float, border: int, streaks: dict | None,
                    perspective: bool, want_painted: bool) -> tuple[np.ndarray, np.ndarray | None]:
    from scanner.imageops import ink_grey

    x, y, w, h = (float(v) for v in rect)
    s = float(px_per_mm)
    out_w, out_h = max(1, round(w * s)), max(1, round(h * s))
    S = np.array([[1.0 / s, 0.0, x + 0.5 / s], [0.0, 1.0 / s, y + 0.5 / s], [0.0, 0.0, 1.0]])
    M = H @ S  # dst px -> src px
    dst = np.array([[0.0, 0.0], [out_w, 0.0], [0.0, out_h], [out_w, out_h]])
    src = map_points(M, dst)
    ih, iw = img.shape[:2]
    x0 = int(max(0, np.floor(src[:, 0].min()) - 2))
    y0 = int(max(0, np.floor(src[:, 1].min()) - 2))
    x1 = int(min(iw, np.ceil(src[:, 0].max()) + 3))
    y1 = int(min(ih, np.ceil(src[:, 1].max()) + 3))
    if x1 <= x0 or y1 <= y0:
        return np.full((out_h, out_w), border, np.uint8), None
    crop = ink_grey(img[y0:y1, x0:x1])
    painted = None
    if streaks:
        from scanner.streaks import paint_out, painted_mask

        crop = paint_out(crop, x0, y0, streaks)
        painted = painted_mask(crop.shape[:2], x0, y0, streaks) if want_painted else None
    if painted is not None:  # warped with the grey, as a second channel
        crop = cv2.merge([crop, painted])
    if perspective:
        # the affine through three corners predicts the fourth: if it lands within a quarter pixel
        # (any flatbed scan), the cheaper affine warp gives the same image
        pred = src[1] + src[2] - src[0]
        perspective = bool(np.hypot(*(pred - src[3])) > 0.25)
    if perspective:
        T = np.array([[1.0, 0.0, -x0], [0.0, 1.0, -y0], [0.0, 0.0, 1.0]])
        out = cv2.warpPerspective(crop, T @ M, (out_w, out_h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                  borderMode=cv2.BORDER_CONSTANT, borderValue=(border, 0))
    else:
        A = cv2.getAffineTransform(dst[:3].astype(np.float32), (src[:3] - (x0, y0)).astype(np.float32))
        out = cv2.warpAffine(crop, A, (out_w, out_h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=(border, 0))
    if painted is None:
        return out, None
    return np.ascontiguousarray(out[:, :, 0]), np.ascontiguousarray(out[:, :, 1])
