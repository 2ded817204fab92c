"""Third hands: answers drawn by a third renderer, apart from the ward's and the other hands' (`--hands third`).

The reader's rules were tuned on the ward's marks and checked on the other hands'. These differ from both in
shape and in how ink meets paper:

* shapes neither draws: a slash corner to corner, a tiny tick, an "o" inside the box, a plus, a loose scribble
  over half the box with paper between its passes, a check whose long arm runs 3-6 mm out of the box, a small
  tapped dot, an x whose strokes cross off centre, a short stroke along the box's floor;
* strokes with pressure: each tapers in and out, starts with a small blob where the pen came down, and its ink
  thins and thickens slowly along its length (not the ward's tremor nor the other hands' one-width line);
* ink laid over the paper (alpha blending towards the pen's colour), where the other two multiply: a pencil's
  grain is the paper's tooth, a fixed texture per sheet rather than noise per stroke.

In text areas they sign with a looping flourish that may run past the frame, write a small cursive word, a
number with its unit, or a word sitting on the frame's bottom line. Cancellations keep the ward's fill (the
form's convention). The truth is the ward's answers, unchanged.
"""

from __future__ import annotations

import contextlib

import cv2
import numpy as np
from hands import drawn_by, keeps_the_wards_fill

from formkit.simulate.marks import BESIDE_TICK, LABEL_MARK, PENS, MarkInfo, Pen, Rect

STYLES = ("slash", "tiny_tick", "inner_o", "plus", "loose_scribble", "far_check", "tap_dot", "offset_x", "floor_line")
BESIDE_STYLES = tuple(s for s in STYLES if s != "tap_dot")  # an answer ticked next to its box: not a tapped dot,
# which is what a pen resting on the paper leaves (0.2-0.8 mm2: a person could not read it as the answer either)
WRITING = ("flourish", "small_word", "number_unit", "on_the_line")

Path = np.ndarray  # (n, 2) points, box units (u right, v down; the box is [0, 1]^2) or mm for writing


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 24) -> Path:
    t = np.linspace(a0, a1, n)
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], 1)


def mark_paths(style: str, rng: np.random.Generator, w_mm: float, pen_mm: float) -> list[Path]:
    """The strokes of one mark, in box units (`w_mm` the box's side, `pen_mm` the stroke's width)."""
    def j(s: float = 0.04) -> float:
        return float(rng.normal(0, s))

    if style == "slash":  # corner to corner, either way, sometimes past the corners
        e = float(rng.uniform(0.0, 1.5)) / w_mm
        a, b = ([-e, 1 + e], [1 + e, -e]) if rng.random() < 0.7 else ([-e, -e], [1 + e, 1 + e])
        return [np.array([[a[0] + j(), a[1] + j()], [b[0] + j(), b[1] + j()]])]
    if style == "tiny_tick":  # 1.5-2.4 mm across, near the centre
        s = float(rng.uniform(1.5, 2.4)) / w_mm
        c = np.array([0.5 + j(0.08), 0.55 + j(0.08)])
        return [np.array([[-0.4, 0.0], [-0.1, 0.35], [0.5, -0.5]]) * s + c]
    if style == "inner_o":
        r = float(rng.uniform(0.22, 0.34))
        a0 = float(rng.uniform(0, 2 * np.pi))
        return [_arc(0.5 + j(0.05), 0.5 + j(0.05), r, r * rng.uniform(0.85, 1.1), a0, a0 + 2 * np.pi + 0.4)]
    if style == "plus":
        return [np.array([[0.2 + j(), 0.5 + j()], [0.8 + j(), 0.5 + j()]]),
                np.array([[0.5 + j(), 0.2 + j()], [0.5 + j(), 0.8 + j()]])]
    if style == "loose_scribble":  # over about half the box, passes >= 2.2 pen widths apart (closer: a fill)
        span = float(rng.uniform(0.3, 0.5))
        n = int(min(rng.integers(3, 5), max(2, span * w_mm / (2.2 * pen_mm) + 1)))
        v = np.linspace(0.25, 0.25 + span, n)
        pts = []
        for i, vv in enumerate(v):
            pts += [[0.2 + j(), vv + j(0.02)], [0.75 + j(), vv + 0.06 + j(0.02)]][:: 1 if i % 2 == 0 else -1]
        return [np.array(pts)]
    if style == "far_check":  # the long arm runs 3-6 mm up and out to the right
        e = float(rng.uniform(3.0, 6.0)) / w_mm
        return [np.array([[0.2 + j(), 0.5 + j()], [0.45 + j(), 0.85 + j()], [0.9 + 0.6 * e, 0.3 - 0.8 * e]])]
    if style == "tap_dot":  # a pen tapped in the box: a blob only (drawn as a very short stroke)
        c = np.array([0.5 + j(0.1), 0.5 + j(0.1)])
        return [np.array([c, c + [0.03, 0.02]])]
    if style == "offset_x":  # the strokes cross away from the centre, one shorter
        cx, cy = 0.5 + rng.choice([-0.15, 0.15]), 0.5 + rng.choice([-0.15, 0.15])
        return [np.array([[0.15 + j(), 0.15 + j()], [0.85 + j(), 0.85 + j()]]),
                np.array([[cx + 0.3 + j(), cy - 0.3 + j()], [cx - 0.2 + j(), cy + 0.2 + j()]])]
    if style == "floor_line":  # a short stroke along the box's floor, inside it
        v = float(rng.uniform(0.72, 0.85))
        return [np.array([[0.15 + j(), v + j(0.02)], [0.85 + j(), v + j(0.02)]])]
    raise ValueError(f"unknown style {style!r}; expected one of {STYLES}")


def lay_strokes(image: np.ndarray, strokes_px: list[Path], width_px: float, pen: Pen, rng: np.random.Generator,
                ppm: float, tooth: np.ndarray | None = None) -> float:
    """Lay pressure strokes (pixel paths) on `image` in place: tapered, a blob where each starts, ink density
    drifting along it, alpha-blended towards the pen's colour. Returns the opacity used."""
    pts = np.vstack(strokes_px)
    pad = 2 * width_px + 4
    h_img, w_img = image.shape[:2]
    px0, py0 = max(0, int(pts[:, 0].min() - pad)), max(0, int(pts[:, 1].min() - pad))
    px1, py1 = min(w_img, int(pts[:, 0].max() + pad) + 1), min(h_img, int(pts[:, 1].max() + pad) + 1)
    if px1 <= px0 or py1 <= py0:
        return 0.0
    ss = 4
    layer = np.zeros(((py1 - py0) * ss, (px1 - px0) * ss), np.float32)
    step = 0.05 * ppm * ss
    for path in strokes_px:
        q = (np.asarray(path, float) - [px0, py0]) * ss
        seg = np.hypot(*np.diff(q, axis=0).T)
        length = float(seg.sum())
        n = max(2, int(length / step))
        s = np.interp(np.linspace(0, length, n), np.r_[0, np.cumsum(seg)], np.arange(len(q)))
        i = np.minimum(s.astype(int), len(q) - 2)
        f = (s - i)[:, None]
        line = q[i] * (1 - f) + q[i + 1] * f
        t = np.linspace(0, 1, n)
        taper = np.clip(np.minimum(t / 0.12, (1 - t) / 0.2), 0.35, 1.0)  # in and out
        blob = 1.0 + 0.6 * np.exp(-((t * length / (ppm * ss)) / 0.25) ** 2)  # the pen came down here
        drift = 1.0 + 0.15 * np.sin(2 * np.pi * (t * rng.uniform(0.5, 1.5) + rng.random()))
        for (x, y), k, d in zip(line, taper * blob, drift, strict=True):
            r = max(1, int(round(0.5 * width_px * ss * k)))
            cv2.circle(layer, (int(round(x)), int(round(y))), r, float(min(1.0, d)), -1, cv2.LINE_AA)
    cover = cv2.resize(layer, (px1 - px0, py1 - py0), interpolation=cv2.INTER_AREA)
    if tooth is not None:  # a pencil leaves graphite on the paper's high points only
        cover *= tooth[py0:py1, px0:px1]
    opacity = float(rng.uniform(*pen.opacity))
    a = np.clip(cover * opacity, 0, 1)
    patch = image[py0:py1, px0:px1].astype(np.float32)
    colour = np.array(pen.colour, np.float32)
    if image.ndim == 2:
        colour = np.float32(colour @ np.array([0.299, 0.587, 0.114], np.float32))
        patch = patch * (1 - a) + colour * a
    else:
        patch = patch * (1 - a[:, :, None]) + colour * a[:, :, None]
    image[py0:py1, px0:px1] = np.clip(patch, 0, 255).astype(np.uint8)
    return opacity


_TOOTH: dict[tuple[int, int, float], np.ndarray] = {}


def paper_tooth(shape: tuple[int, ...], ppm: float) -> np.ndarray:
    """A fixed texture per sheet size and resolution: where graphite catches (0.35-1), grains ~0.1 mm."""
    key = (int(shape[0]), int(shape[1]), round(float(ppm), 3))
    if key not in _TOOTH:
        g = np.random.default_rng(20261124).random(key[:2], dtype=np.float32)
        g = cv2.GaussianBlur(g, (0, 0), max(0.5, 0.05 * ppm))
        g = (g - g.mean()) / (g.std() + 1e-6)
        _TOOTH[key] = np.clip(0.75 + 0.25 * g, 0.35, 1.0).astype(np.float32)
    return _TOOTH[key]


def _tooth_for(image: np.ndarray, pen: Pen, ppm: float) -> np.ndarray | None:
    return paper_tooth(image.shape, ppm) if pen.name in ("pencil", "faint_pencil") else None


@keeps_the_wards_fill
def draw_third_mark(image: np.ndarray, rect_px: Rect, dpi: float, kind: str, rng: np.random.Generator, pen: Pen, *,
                    max_overshoot_mm: float = 2.0) -> MarkInfo:
    """`marks.draw_mark`'s signature; `kind` "fill" (a cancellation) is the ward's, "circle" (round a box, or a label
    when the answer is marked beside the box) a third hand's loop, a tick beside a box (`BESIDE_TICK`) one of its
    BESIDE_STYLES, any other one of its STYLES."""
    ppm = dpi / 25.4
    x0, y0, x1, y1 = rect_px
    a = np.deg2rad(rng.normal(0, 5))
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    width = float(rng.uniform(*pen.width_mm))
    if kind in ("circle", LABEL_MARK):  # a loop round the box or a label (an answer marked beside the box)
        style = "loop"
        gap = float(rng.uniform(0.8, 1.6))  # mm between the rect and the loop
        a0 = float(rng.uniform(0, 2 * np.pi))
        shapes = [_arc(0.5, 0.5, 0.5 + gap * ppm / (x1 - x0), 0.5 + gap * ppm / (y1 - y0), a0,
                       a0 + 2 * np.pi * rng.uniform(1.02, 1.15), 48)]
    else:
        styles = BESIDE_STYLES if kind == BESIDE_TICK else STYLES
        style = styles[int(rng.integers(len(styles)))]
        shapes = mark_paths(style, rng, (x1 - x0) / ppm, width)
    paths = [((p - 0.5) @ rot.T + 0.5) * [x1 - x0, y1 - y0] + [x0, y0] for p in shapes]
    width *= 2.2 if style == "tap_dot" else 1.0
    opacity = lay_strokes(image, paths, width * ppm, pen, rng, ppm, _tooth_for(image, pen, ppm))
    return MarkInfo(style, pen.name, opacity)


def _loops(rng: np.random.Generator, n: int, h: float, slant: float = 0.3) -> Path:
    """A cursive run of `n` loops h mm tall (a trochoid), from (0, 0) on the baseline."""
    t = np.linspace(0, 2 * np.pi * n, 40 * n)
    r = float(rng.uniform(0.55, 0.8))
    x = 0.28 * h * (t / np.pi) - r * 0.3 * h * np.sin(t)
    y = -0.5 * h * (1 - np.cos(t)) * rng.uniform(0.7, 1.0)
    return np.stack([x - slant * y, y], 1)


def writing_paths(style: str, rng: np.random.Generator) -> list[Path]:
    """Strokes in mm from (0, 0) at the start of the baseline."""
    if style == "flourish":  # a signature: loops, then a long underline swept back under them
        body = _loops(rng, int(rng.integers(3, 7)), float(rng.uniform(3.0, 5.0)))
        end = body[-1]
        sweep = np.array([end, [end[0] + 2, 0.8], [-1.0, 1.2 + rng.normal(0, 0.3)]])
        return [body, sweep]
    if style == "small_word":
        return [_loops(rng, int(rng.integers(2, 5)), float(rng.uniform(1.6, 2.4)))]
    if style == "number_unit":  # "20 min"
        h = float(rng.uniform(2.5, 3.5))
        two = _arc(0.3 * h, -0.75 * h, 0.3 * h, 0.25 * h, np.pi, 2.2 * np.pi, 12)
        two = np.vstack([two, [[0, 0], [0.65 * h, 0]]])
        zero = _arc(1.15 * h, -0.5 * h, 0.28 * h, 0.5 * h, 0, 2 * np.pi, 20)
        unit = _loops(rng, 3, 0.55 * h) + [1.8 * h, 0]
        return [two, zero, unit]
    if style == "on_the_line":  # a word whose baseline sits on the frame's bottom line (placed there)
        return [_loops(rng, int(rng.integers(3, 6)), float(rng.uniform(2.0, 3.0)))]
    raise ValueError(f"unknown writing {style!r}; expected one of {WRITING}")


def draw_third_writing(image: np.ndarray, rect_px: Rect, dpi: float, rng: np.random.Generator,
                       pen: Pen | str = "ballpoint_blue", *, max_lines: int | None = None,
                       label_band_mm: float = 3.5, signature: bool = False) -> MarkInfo:
    """`marks.draw_handwriting`'s signature: a flourish, a small word, a number with its unit, or a word on
    the frame's bottom line, below the label band (the truth stays "written")."""
    pen = PENS[pen] if isinstance(pen, str) else pen
    ppm = dpi / 25.4
    x0, y0, x1, y1 = (v / ppm for v in rect_px)
    band = label_band_mm if (y1 - y0) - label_band_mm >= 3.5 else 0.0
    style = "flourish" if signature and rng.random() < 0.7 else WRITING[int(rng.integers(len(WRITING)))]
    width = float(rng.uniform(*pen.width_mm))
    paths = writing_paths(style, rng)
    allp = np.vstack(paths)
    w = float(np.ptp(allp[:, 0]))
    over = float(rng.uniform(0.0, 3.0)) if style == "flourish" else 0.0  # may run past the frame's right side
    bx = float(rng.uniform(x0 + 1.5, max(x0 + 1.6, x1 - 1.5 - w + over)))
    low = y1 - 0.2 if style == "on_the_line" else y1 - 1.2
    by = float(rng.uniform(min(y0 + band + 1.0 + max(0.0, -allp[:, 1].min()), low), low))
    opacity = lay_strokes(image, [(p + [bx, by]) * ppm for p in paths], width * ppm, pen, rng, ppm,
                          _tooth_for(image, pen, ppm))
    return MarkInfo(style, pen.name, opacity)


def third_hands(writing: bool = True) -> contextlib.AbstractContextManager[None]:
    """While open, the ward fills forms with third hands' marks (and, `writing`, their writing)."""
    return drawn_by(draw_third_mark, draw_third_writing if writing else None)
