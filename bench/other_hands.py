"""Other hands: answers drawn by a second renderer, written apart from the ward's (`--hands other`).

The reader's rules were tuned on the ward's marks. These are drawn another way - other shapes (a small
tick in a corner, a long check running out of the box, a dash through it, a small x, a tick gone over
twice, a vee, a big dot, a zig-zag with paper between its strokes, a heavy cross, a "1"), strokes of one
width with ballpoint skips instead of the ward's tremor and pressure, composited on their own - so a stress
run shows what the reader does with marks it has never seen. Cancellations keep the ward's fill (the form's
convention); the truth is the ward's answers, unchanged.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import cv2
import numpy as np

import formkit.simulate.fill as ward_fill
from formkit.simulate.marks import PENS, MarkInfo, Pen, Rect

STYLES = ("corner_tick", "long_check", "dash", "small_x", "retraced", "vee", "big_dot", "zigzag", "heavy_x", "hook")
MAX_WIDTH_MM = 1.3  # a heavy hand, not a marker: wider, a cross in a 4.5 mm box is a blot (a fill to any eye)

Polylines = list[np.ndarray]
Disc = tuple[float, float, float]  # centre (u, v) in box units, radius in mm


def shape(style: str, rng: np.random.Generator, h_mm: float, w_mm: float, overshoot_mm: float,
          pen_mm: float) -> tuple[Polylines, float, list[Disc]]:
    """Polylines in box units (u right, v down; the box is [0, 1]^2), a width factor and filled discs."""
    def j(s: float = 0.05) -> float:
        return float(rng.normal(0, s))

    if style == "corner_tick":
        cx, cy = rng.choice([0.3, 0.7]), rng.choice([0.3, 0.7])
        return [np.array([[-0.5, 0.0], [-0.1, 0.45], [0.6, -0.55]]) * rng.uniform(0.35, 0.5) + [cx, cy]], 1.0, []
    if style == "long_check":  # the long arm runs on up and out of the box
        e = min(overshoot_mm + 1.0, 3.0) / w_mm
        return [np.array([[0.15 + j(), 0.45 + j()], [0.42 + j(), 0.85 + j()],
                          [1.0 + e * rng.uniform(0.5, 1), -e * rng.uniform(0.5, 1)]])], 1.0, []
    if style == "dash":  # through the box, out of it by up to 1.5 mm each side
        v, e = 0.5 + j(0.1), rng.uniform(0.0, min(overshoot_mm, 1.5)) / w_mm
        return [np.array([[-e + j(), v + j(0.03)], [1 + e + j(), v + j(0.03)]])], 1.0, []
    if style == "small_x":
        s, c = rng.uniform(0.4, 0.6), np.array([0.5 + j(0.08), 0.5 + j(0.08)])
        return [np.array([[-0.5, -0.5], [0.5, 0.5]]) * s + c, np.array([[0.5, -0.5], [-0.5, 0.5]]) * s + c], 1.0, []
    if style == "retraced":
        p = np.array([[0.2, 0.5], [0.45, 0.8], [0.85, 0.15]])
        return [p + [j(), j()], p + [j(0.04), j(0.04)]], 1.0, []
    if style == "vee":
        return [np.array([[0.2 + j(), 0.2 + j()], [0.5 + j(), 0.85 + j()], [0.8 + j(), 0.2 + j()]])], 1.0, []
    if style == "big_dot":
        return [], 1.0, [(0.5 + j(0.08), 0.5 + j(0.08), float(rng.uniform(0.6, 1.1)))]
    if style == "zigzag":  # passes at least two pen widths apart: paper shows between them (closer, a fill)
        v0, v1 = rng.uniform(0.15, 0.35), rng.uniform(0.55, 0.8)
        n = int(min(rng.integers(3, 6), max(2, (v1 - v0) * h_mm / (2.2 * pen_mm) + 1)))
        pts: list[list[float]] = []
        for i, v in enumerate(np.linspace(v0, v1, n)):
            left, right = 0.15 + j(0.03), 0.85 + j(0.03)
            pts += [[left, v], [right, v + 0.05]] if i % 2 == 0 else [[right, v], [left, v + 0.05]]
        return [np.array(pts)], 1.0, []
    if style == "heavy_x":
        return [np.array([[0.1 + j(), 0.1 + j()], [0.9 + j(), 0.9 + j()]]),
                np.array([[0.9 + j(), 0.1 + j()], [0.1 + j(), 0.9 + j()]])], 1.6, []
    if style == "hook":  # a "1" written in the box
        return [np.array([[0.35, 0.3], [0.55, 0.15], [0.55, 0.85]]) + [j(), j()]], 1.0, []
    raise ValueError(f"unknown style {style!r}; expected one of {STYLES}")


def draw_other_mark(image: np.ndarray, rect_px: Rect, dpi: float, kind: str, rng: np.random.Generator,
                    pen: Pen | str = "ballpoint_black", *, max_overshoot_mm: float = 2.0) -> MarkInfo:
    """`marks.draw_mark`'s signature; `kind` "fill" (a cancellation) is the ward's, any other an other hand's."""
    if kind == "fill":
        return _WARD_DRAW_MARK(image, rect_px, dpi, kind, rng, pen, max_overshoot_mm=max_overshoot_mm)
    pen = PENS[pen] if isinstance(pen, str) else pen
    style = STYLES[int(rng.integers(len(STYLES)))]
    ppm = dpi / 25.4
    x0, y0, x1, y1 = rect_px
    pen_mm = float(rng.uniform(*pen.width_mm))
    polys, factor, discs = shape(style, rng, (y1 - y0) / ppm, (x1 - x0) / ppm, max_overshoot_mm,
                                 float(np.mean(pen.width_mm)))
    width_px = min(pen_mm * factor, MAX_WIDTH_MM) * ppm
    pad = int(6 * ppm)
    h_img, w_img = image.shape[:2]
    px0, py0 = max(0, int(x0) - pad), max(0, int(y0) - pad)
    px1, py1 = min(w_img, int(x1) + pad), min(h_img, int(y1) + pad)
    ss = 4  # supersampled, for anti-aliasing
    layer = np.zeros(((py1 - py0) * ss, (px1 - px0) * ss), np.uint8)
    a = np.deg2rad(rng.normal(0, 4))
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])

    def to_layer(p: np.ndarray) -> np.ndarray:
        q = (np.asarray(p, float) - 0.5) @ rot.T + 0.5
        return np.stack([x0 + q[:, 0] * (x1 - x0) - px0, y0 + q[:, 1] * (y1 - y0) - py0], 1) * ss

    for poly in polys:
        q = to_layer(poly)
        steps: list[np.ndarray] = []
        for p0, p1 in zip(q[:-1], q[1:], strict=True):  # 0.3 mm steps: width jitter and skips per step
            n = max(2, int(np.hypot(*(p1 - p0)) / (0.3 * ppm * ss)))
            steps += [p0 + (p1 - p0) * t for t in np.linspace(0, 1, n, endpoint=False)]
        steps.append(q[-1])
        for p0, p1 in zip(steps[:-1], steps[1:], strict=True):
            if pen.grain > 0.1 and rng.random() < pen.grain * 0.25:
                continue  # the ball skipped
            th = max(1, int(round(width_px * ss * rng.uniform(0.8, 1.2))))
            a16, b16 = np.rint(p0 * 16).astype(int), np.rint(p1 * 16).astype(int)
            cv2.line(layer, (int(a16[0]), int(a16[1])), (int(b16[0]), int(b16[1])), int(255 * rng.uniform(0.85, 1.0)),
                     th, cv2.LINE_AA, shift=4)
    for u, v, r_mm in discs:
        c = to_layer(np.array([[u, v]]))[0]
        cv2.circle(layer, (int(c[0]), int(c[1])), int(r_mm * ppm * ss), 255, -1, cv2.LINE_AA)
    cover = cv2.resize(layer, (px1 - px0, py1 - py0), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    opacity = float(rng.uniform(*pen.opacity))
    colour = np.array(pen.colour, np.float32) / 255
    patch = image[py0:py1, px0:px1].astype(np.float32)
    if image.ndim == 2:
        patch *= 1 - cover * opacity * (1 - float(colour @ np.array([0.299, 0.587, 0.114], np.float32)))
    else:
        patch *= 1 - (cover * opacity)[:, :, None] * (1 - colour)
    image[py0:py1, px0:px1] = np.clip(patch, 0, 255).astype(np.uint8)
    return MarkInfo(style, pen.name, opacity)


_WARD_DRAW_MARK = ward_fill.draw_mark


@contextlib.contextmanager
def other_hands() -> Iterator[None]:
    """While open, the ward fills forms with other hands' marks."""
    ward_fill.draw_mark = draw_other_mark
    try:
        yield
    finally:
        ward_fill.draw_mark = _WARD_DRAW_MARK
