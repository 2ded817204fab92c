"""Other hands: answers drawn by a second renderer, written apart from the ward's (`--hands other`).

The reader's rules were tuned on the ward's marks. These are drawn another way - other shapes (a small
tick in a corner, a long check running out of the box, a dash through it, a small x, a tick gone over
twice, a vee, a big dot, a zig-zag with paper between its strokes, a heavy cross, a "1"), strokes of one
width with ballpoint skips instead of the ward's tremor and pressure, composited on their own - so a stress
run shows what the reader does with marks it has never seen. Cancellations keep the ward's fill (the form's
convention). In text areas they write little (`draw_other_writing`): initials, a short word, a dash, two
digits or a tick, where the ward writes lines of words. The truth is the ward's answers, unchanged.
"""

from __future__ import annotations

import contextlib

import cv2
import numpy as np
from hands import drawn_by, keeps_the_wards_fill

from formkit.simulate.marks import LABEL_MARK, PENS, MarkInfo, Pen, Rect

STYLES = ("corner_tick", "long_check", "dash", "small_x", "retraced", "vee", "big_dot", "zigzag", "heavy_x", "hook")
LABEL_STYLES = tuple(s for s in STYLES if s != "big_dot")  # an answer marked on its label: a dot there sits in the
# letters as a smudge of ~1 mm (a pencil one, seen on a scan, was no answer a person could read either)
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


@keeps_the_wards_fill
def draw_other_mark(image: np.ndarray, rect_px: Rect, dpi: float, kind: str, rng: np.random.Generator, pen: Pen, *,
                    max_overshoot_mm: float = 2.0) -> MarkInfo:
    """`marks.draw_mark`'s signature; `kind` "fill" (a cancellation) is the ward's, any other an other hand's (on a
    label, `LABEL_MARK`, one of its LABEL_STYLES)."""
    styles = LABEL_STYLES if kind == LABEL_MARK else STYLES
    style = styles[int(rng.integers(len(styles)))]
    ppm = dpi / 25.4
    x0, y0, x1, y1 = rect_px
    pen_mm = float(rng.uniform(*pen.width_mm))
    polys, factor, discs = shape(style, rng, (y1 - y0) / ppm, (x1 - x0) / ppm, max_overshoot_mm,
                                 float(np.mean(pen.width_mm)))
    a = np.deg2rad(rng.normal(0, 4))
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])

    def to_px(p: np.ndarray) -> np.ndarray:
        q = (np.asarray(p, float) - 0.5) @ rot.T + 0.5
        return np.stack([x0 + q[:, 0] * (x1 - x0), y0 + q[:, 1] * (y1 - y0)], 1)

    opacity = ink(image, [to_px(p) for p in polys], [(*to_px(np.array([[u, v]]))[0], r * ppm) for u, v, r in discs],
                  min(pen_mm * factor, MAX_WIDTH_MM) * ppm, pen, rng, ppm)
    return MarkInfo(style, pen.name, opacity)


def ink(image: np.ndarray, polys_px: list[np.ndarray], discs_px: list[tuple[float, float, float]], width_px: float,
        pen: Pen, rng: np.random.Generator, ppm: float) -> float:
    """Draw polylines (and filled discs: x, y, radius) in pixels into `image`, in place; returns the opacity.

    One width with +-20 % jitter and ballpoint skips per 0.3 mm step (not the ward's tremor and pressure),
    anti-aliased on a 4x layer, composited multiplicatively in the pen's colour.
    """
    pts = np.vstack([*polys_px, *[np.array([[x, y]]) for x, y, _ in discs_px]])
    pad = width_px + max([r for _, _, r in discs_px], default=0.0) + 4
    h_img, w_img = image.shape[:2]
    px0, py0 = max(0, int(pts[:, 0].min() - pad)), max(0, int(pts[:, 1].min() - pad))
    px1, py1 = min(w_img, int(pts[:, 0].max() + pad) + 1), min(h_img, int(pts[:, 1].max() + pad) + 1)
    if px1 <= px0 or py1 <= py0:
        return 0.0
    ss = 4  # supersampled, for anti-aliasing
    layer = np.zeros(((py1 - py0) * ss, (px1 - px0) * ss), np.uint8)
    step = max(1.0, 0.3 * ppm) * ss  # 0.3 mm
    for poly in polys_px:
        q = (np.asarray(poly, float) - [px0, py0]) * ss
        steps: list[np.ndarray] = []
        for p0, p1 in zip(q[:-1], q[1:], strict=True):
            n = max(2, int(np.hypot(*(p1 - p0)) / step))
            steps += [p0 + (p1 - p0) * t for t in np.linspace(0, 1, n, endpoint=False)]
        steps.append(q[-1])
        for p0, p1 in zip(steps[:-1], steps[1:], strict=True):
            if pen.grain > 0.1 and rng.random() < pen.grain * 0.25:
                continue  # the ball skipped
            th = max(1, int(round(width_px * ss * rng.uniform(0.8, 1.2))))
            a16, b16 = np.rint(p0 * 16).astype(int), np.rint(p1 * 16).astype(int)
            cv2.line(layer, (int(a16[0]), int(a16[1])), (int(b16[0]), int(b16[1])), int(255 * rng.uniform(0.85, 1.0)),
                     th, cv2.LINE_AA, shift=4)
    for x, y, r in discs_px:
        cv2.circle(layer, (int((x - px0) * ss), int((y - py0) * ss)), int(r * ss), 255, -1, cv2.LINE_AA)
    cover = cv2.resize(layer, (px1 - px0, py1 - py0), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    opacity = float(rng.uniform(*pen.opacity))
    colour = np.array(pen.colour, np.float32) / 255
    patch = image[py0:py1, px0:px1].astype(np.float32)
    if image.ndim == 2:
        patch *= 1 - cover * opacity * (1 - float(colour @ np.array([0.299, 0.587, 0.114], np.float32)))
    else:
        patch *= 1 - (cover * opacity)[:, :, None] * (1 - colour)
    image[py0:py1, px0:px1] = np.clip(patch, 0, 255).astype(np.uint8)
    return opacity


WRITING = ("initials", "short_word", "dash", "digits", "tick")  # what an other hand writes in a text area


def _letters(rng: np.random.Generator, n: int, h: float) -> list[np.ndarray]:
    """`n` block letters (polylines, mm, from x = 0 at the baseline y = 0), each ~0.7 h wide."""
    shapes = [np.array([[0, -1], [0, 0], [0.6, 0]]), np.array([[0, 0], [0.3, -1], [0.6, 0]]),
              np.array([[0.6, -1], [0.6, -0.1], [0.3, 0], [0, -0.2]]), np.array([[0, 0], [0, -1], [0.6, 0], [0.6, -1]]),
              np.array([[0.6, -0.9], [0.1, -1], [0, -0.5], [0.5, -0.5], [0.6, 0], [0, 0]])]
    out = []
    for i in range(n):
        glyph = shapes[int(rng.integers(len(shapes)))] * h + rng.normal(0, 0.05 * h, (1, 2))
        out.append(glyph + [i * 0.85 * h, 0])
    return out


def _writing(style: str, rng: np.random.Generator) -> list[np.ndarray]:
    """Polylines in mm, from (0, 0) at the start of the baseline, for one of WRITING."""
    if style == "initials":
        return _letters(rng, 2, float(rng.uniform(3.0, 5.0)))
    if style == "short_word":  # a few small letters: "ok", "bra", "god"
        return _letters(rng, int(rng.integers(2, 4)), float(rng.uniform(2.2, 3.2)))
    if style == "dash":
        length = float(rng.uniform(4.0, 10.0))
        return [np.array([[0, -1.0], [length, -1.0 + rng.normal(0, 0.2)]])]
    if style == "digits":  # "15", "20"
        h = float(rng.uniform(3.0, 4.0))
        one = np.array([[0.1, -0.8], [0.35, -1], [0.35, 0]]) * h
        zero = np.array([[0.3, -1], [0, -0.7], [0, -0.3], [0.3, 0], [0.6, -0.3], [0.6, -0.7], [0.3, -1]]) * h
        return [one, zero + [0.7 * h, 0]]
    if style == "tick":
        s = float(rng.uniform(3.0, 5.0))
        return [np.array([[0, -0.5], [0.3, 0], [1, -1.1]]) * s]
    raise ValueError(f"unknown writing {style!r}; expected one of {WRITING}")


def draw_other_writing(image: np.ndarray, rect_px: Rect, dpi: float, rng: np.random.Generator,
                       pen: Pen | str = "ballpoint_blue", *, max_lines: int | None = None,
                       label_band_mm: float = 3.5, signature: bool = False) -> MarkInfo:
    """`marks.draw_handwriting`'s signature: a little writing - initials, a short word, a dash, two digits or
    a tick - somewhere below the label band (the truth stays "written")."""
    pen = PENS[pen] if isinstance(pen, str) else pen
    ppm = dpi / 25.4
    x0, y0, x1, y1 = (v / ppm for v in rect_px)
    band = label_band_mm if (y1 - y0) - label_band_mm >= 3.5 else 0.0
    style = WRITING[int(rng.integers(len(WRITING)))]
    polys = _writing(style, rng)
    allp = np.vstack(polys)
    w, h = float(np.ptp(allp[:, 0])), float(np.ptp(allp[:, 1]))
    bx = float(rng.uniform(x0 + 1.5, max(x0 + 1.6, x1 - 1.5 - w)))
    by = float(rng.uniform(min(y0 + band + 1.0 + h, y1 - 1.2), y1 - 1.2))  # the baseline
    opacity = ink(image, [(p + [bx, by]) * ppm for p in polys], [], float(rng.uniform(*pen.width_mm)) * ppm,
                  pen, rng, ppm)
    return MarkInfo(style, pen.name, opacity)


def other_hands(writing: bool = True) -> contextlib.AbstractContextManager[None]:
    """While open, the ward fills forms with other hands' marks (and, `writing`, their few words)."""
    return drawn_by(draw_other_mark, draw_other_writing if writing else None)
