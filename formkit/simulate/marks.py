"""Human-looking pen marks drawn into a page image.

Why this exists: the reader is judged on real scans it has never seen, so the marks here must vary
the way people's marks do -- shape (tick, cross, slash, dot, solid fill, circle around the box),
pen (ballpoint, felt tip, blue gel, pencil, *faint* pencil), size, angle, pressure, tremor and
overshoot. Everything is drawn from a `numpy.random.Generator`, so a seed reproduces a page.

Model: a stroke is a smooth path (Bezier / Catmull-Rom through a few control points, plus
low-frequency tremor), drawn with a pressure-varying width on a 4x supersampled patch, downsampled
to an anti-aliased coverage map, and composited *multiplicatively* (ink over paper and over print,
so crossing strokes get darker, as with real ink). Images are modified in place; both greyscale
(H, W) and RGB (H, W, 3) uint8 arrays are accepted.

Overshoot guarantee: ink of a box mark never lands further than `max_overshoot_mm` (default 2 mm)
outside the box. Shapes are designed to stay within that; a hard clip is the safety net. With the
contract's >= 3 mm gaps a mark therefore never reaches a neighbouring box.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

MARK_KINDS: tuple[str, ...] = ("tick", "cross", "slash", "dot", "fill", "circle")
"""Box-mark shapes. `fill` is the solid scribble that means *cancelled* by convention."""
BESIDE_TICK = "tick_beside"
"""A tick drawn in free space next to a box, as the answer (`fill.Styles.beside_marks`): the ward draws it as a
tick; another hand (bench/third_hands.py) draws it only in a shape a person would read as an answer there."""
LABEL_MARK = "label_circle"
"""An answer marked on its option's label instead of in the box (`fill.Styles.beside_marks`): the ward circles
the word; another hand marks it in its own way, but never with a dot, which sits in the letters as a smudge
(bench/other_hands.py)."""

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels (float, sub-pixel)


@dataclass(frozen=True)
class Pen:
    """A writing instrument: ink colour (RGB), nib width and opacity ranges, texture.

    `grain` > 0 breaks the stroke up with paper-tooth texture (pencil) or ink skips (ballpoint).
    """

    name: str
    colour: tuple[int, int, int]
    width_mm: tuple[float, float]
    opacity: tuple[float, float]
    grain: float = 0.0

    @property
    def faint(self) -> bool:
        """True for pens whose marks may vanish in a bilevel (1-bit) scan."""
        return self.name == "faint_pencil"


PENS: dict[str, Pen] = {
    p.name: p
    for p in (
        Pen("ballpoint_black", (28, 28, 36), (0.30, 0.50), (0.80, 0.95), 0.18),
        Pen("ballpoint_blue", (24, 46, 150), (0.30, 0.50), (0.80, 0.95), 0.18),
        Pen("gel_blue_light", (60, 100, 205), (0.40, 0.60), (0.80, 0.95), 0.05),
        Pen("felt_tip", (14, 14, 20), (0.60, 1.00), (0.92, 1.00), 0.03),
        Pen("pencil", (85, 85, 92), (0.30, 0.50), (0.55, 0.75), 0.45),
        Pen("faint_pencil", (150, 150, 156), (0.20, 0.35), (0.30, 0.50), 0.55),
    )
}

DEFAULT_PEN_WEIGHTS: dict[str, float] = {
    "ballpoint_black": 0.33,
    "ballpoint_blue": 0.33,
    "gel_blue_light": 0.09,
    "felt_tip": 0.12,
    "pencil": 0.08,
    "faint_pencil": 0.05,
}
"""Share of forms filled with each pen (one pen per form): mostly ballpoints, some felt tips and
gel pens, a few pencils and faint pencils. A stress test can pass its own weights via `Styles`."""


def choose_pen(rng: np.random.Generator, weights: dict[str, float] | None = None) -> Pen:
    """Draw a pen according to `weights` (pen name -> relative weight)."""
    w = weights or DEFAULT_PEN_WEIGHTS
    names = list(w)
    p = np.array([w[n] for n in names], dtype=float)
    return PENS[names[int(rng.choice(len(names), p=p / p.sum()))]]


@dataclass
class Stroke:
    """One pen-down path in pixels: points (N, 2), per-point width (px) and intensity (0..1)."""

    points: np.ndarray
    widths: np.ndarray
    intensity: np.ndarray


# --------------------------------------------------------------------------------------------
# path helpers


def _bezier(ctrl: np.ndarray, n: int) -> np.ndarray:
    """Points on a cubic Bezier curve given its 4 control points."""
    t = np.linspace(0.0, 1.0, max(n, 2))[:, None]
    p0, p1, p2, p3 = ctrl
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3


def _catmull_rom(pts: np.ndarray, step: float) -> np.ndarray:
    """Smooth curve through `pts` (handwriting): points spaced about `step` apart."""
    if len(pts) < 2:
        return pts.copy()
    p = np.vstack([pts[0], pts, pts[-1]])
    out = [pts[:1]]
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        n = max(2, int(np.linalg.norm(p2 - p1) / step) + 1)
        t = np.linspace(0, 1, n)[1:, None]
        seg = 0.5 * (
            2 * p1
            + (-p0 + p2) * t
            + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
            + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
        )
        out.append(seg)
    return np.vstack(out)


def _arc_length(pts: np.ndarray) -> float:
    return float(np.sum(np.linalg.norm(np.diff(pts, axis=0), axis=1))) if len(pts) > 1 else 0.0


def _resample(pts: np.ndarray, step: float) -> np.ndarray:
    """Resample a polyline at equal spacing, so tremor and pressure are per-length, not per-point."""
    if len(pts) < 2:
        return pts.copy()
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    if s[-1] <= 0:
        return pts[:1].copy()
    n = max(2, int(s[-1] / step) + 1)
    u = np.linspace(0, s[-1], n)
    return np.stack([np.interp(u, s, pts[:, 0]), np.interp(u, s, pts[:, 1])], axis=1)


def _smooth_noise(rng: np.random.Generator, n: int, knots: int) -> np.ndarray:
    """Low-frequency noise in [-1, 1]-ish of length n (random knots, linearly interpolated)."""
    k = max(2, knots)
    vals = rng.normal(0.0, 1.0, k)
    return np.interp(np.linspace(0, k - 1, n), np.arange(k), vals)


def _make_stroke(
    pts: np.ndarray,
    px_per_mm: float,
    pen: Pen,
    rng: np.random.Generator,
    *,
    width_px: float,
    tremor_mm: float = 0.06,
    taper: bool = True,
) -> Stroke:
    """Turn a clean path into a hand-drawn stroke: tremor, pressure-varying width and intensity."""
    step = max(0.15 * px_per_mm, 0.6)
    p = _resample(pts, step)
    n = len(p)
    length_mm = _arc_length(p) / px_per_mm
    if n >= 2 and tremor_mm > 0:
        knots = max(2, int(length_mm / 1.2) + 2)
        d = np.diff(p, axis=0, prepend=p[:1] - (p[1:2] - p[:1]))
        normal = np.stack([-d[:, 1], d[:, 0]], axis=1)
        normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-9)
        p = p + normal * (_smooth_noise(rng, n, knots) * tremor_mm * px_per_mm)[:, None]
    t = np.linspace(0.0, 1.0, n)
    pressure = 1.0 + 0.12 * _smooth_noise(rng, n, max(2, int(length_mm / 3) + 2))
    if taper:
        # pen lands and lifts: thinner and lighter at both ends
        ends = np.clip(np.minimum(t, 1 - t) * max(length_mm, 1e-3) / 0.8, 0, 1)
        pressure = pressure * (0.55 + 0.45 * np.sqrt(ends))
    widths = np.clip(width_px * pressure, 0.6, None)
    intensity = np.clip(0.75 + 0.25 * pressure, 0.3, 1.0)
    if pen.grain > 0.1 and n > 4:
        # ink skips / light pressure spots along the stroke
        for _ in range(int(rng.poisson(length_mm / 12.0))):
            c = int(rng.integers(0, n))
            half = max(1, int(rng.uniform(0.2, 0.6) * px_per_mm / step))
            intensity[max(0, c - half) : c + half] *= rng.uniform(0.35, 0.7)
    return Stroke(p, widths, intensity)


# --------------------------------------------------------------------------------------------
# compositing


def render_strokes(
    image: np.ndarray,
    strokes: Sequence[Stroke],
    pen: Pen,
    rng: np.random.Generator,
    *,
    opacity: float | None = None,
    clip: Rect | None = None,
) -> None:
    """Composite strokes into `image` in place (multiplicative ink, anti-aliased, textured).

    Each stroke is its own layer so that crossings darken like real ink; `clip` (pixel rect)
    hard-limits where ink may land.
    """
    if not strokes:
        return
    h_img, w_img = image.shape[:2]
    op = float(rng.uniform(*pen.opacity)) if opacity is None else opacity
    allp = np.vstack([s.points for s in strokes])
    pad = max(float(np.max(s.widths)) for s in strokes) + 2
    x0 = int(np.floor(allp[:, 0].min() - pad))
    y0 = int(np.floor(allp[:, 1].min() - pad))
    x1 = int(np.ceil(allp[:, 0].max() + pad))
    y1 = int(np.ceil(allp[:, 1].max() + pad))
    if clip is not None:
        x0, y0 = max(x0, int(np.floor(clip[0]))), max(y0, int(np.floor(clip[1])))
        x1, y1 = min(x1, int(np.ceil(clip[2]))), min(y1, int(np.ceil(clip[3])))
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w_img), min(y1, h_img)
    if x1 <= x0 or y1 <= y0:
        return
    colour = np.array(pen.colour, dtype=np.float32) / 255.0
    if image.ndim == 2:
        colour = np.array([0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]], dtype=np.float32)
    patch = image[y0:y1, x0:x1].astype(np.float32)
    if patch.ndim == 2:
        patch = patch[:, :, None]
    ph, pw = patch.shape[:2]
    for s in strokes:
        # each stroke is rasterised on its own small bounding box (words of a text area are many
        # small strokes in a large frame), supersampled for sub-pixel anti-aliasing
        spad = float(np.max(s.widths)) + 2
        sx0 = max(0, int(np.floor(s.points[:, 0].min() - spad)) - x0)
        sy0 = max(0, int(np.floor(s.points[:, 1].min() - spad)) - y0)
        sx1 = min(pw, int(np.ceil(s.points[:, 0].max() + spad)) - x0)
        sy1 = min(ph, int(np.ceil(s.points[:, 1].max() + spad)) - y0)
        if sx1 <= sx0 or sy1 <= sy0:
            continue
        sw, sh = sx1 - sx0, sy1 - sy0
        ss = 4 if sw * sh < 250_000 else 2
        layer = np.zeros((sh * ss, sw * ss), np.uint8)
        q = (s.points - [x0 + sx0, y0 + sy0]) * ss
        for i in range(len(q) - 1):
            a = (int(round(q[i, 0] * 16)), int(round(q[i, 1] * 16)))
            b = (int(round(q[i + 1, 0] * 16)), int(round(q[i + 1, 1] * 16)))
            th = max(1, int(round(s.widths[i] * ss)))
            val = int(round(255 * s.intensity[i]))
            cv2.line(layer, a, b, val, th, cv2.LINE_AA, shift=4)
        if len(q) == 1:
            cv2.circle(layer, (int(q[0, 0]), int(q[0, 1])), max(1, int(s.widths[0] * ss / 2)), 255, -1)
        cov = cv2.resize(layer, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
        if pen.grain > 0:
            tex = 1.0 + rng.standard_normal((sh, sw), dtype=np.float32) * np.float32(pen.grain)
            tex = cv2.GaussianBlur(tex, (0, 0), 0.7)
            cov = cov * np.clip(tex, 0.0, 1.0)
        a = (cov * np.float32(op))[:, :, None]
        patch[sy0:sy1, sx0:sx1] *= 1.0 - a * (1.0 - colour)
    out = np.clip(patch, 0, 255).astype(np.uint8)
    image[y0:y1, x0:x1] = out[:, :, 0] if image.ndim == 2 else out


# --------------------------------------------------------------------------------------------
# box marks


def _box_frame(rect: Rect, rng: np.random.Generator, max_rot_deg: float = 8.0):
    """Map box-normalised (u, v) in [0, 1]^2 to pixels, with a small random rotation about the centre."""
    x0, y0, x1, y1 = rect
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    ang = np.deg2rad(rng.uniform(-max_rot_deg, max_rot_deg))
    ca, sa = np.cos(ang), np.sin(ang)

    def to_px(uv: np.ndarray) -> np.ndarray:
        u = (np.asarray(uv, float)[:, 0] - 0.5) * w
        v = (np.asarray(uv, float)[:, 1] - 0.5) * h
        return np.stack([cx + ca * u - sa * v, cy + sa * u + ca * v], axis=1)

    return to_px


def _shape_tick(rng: np.random.Generator) -> list[np.ndarray]:
    s = rng.uniform(0.65, 1.1)
    ox, oy = rng.normal(0, 0.06, 2)
    a = np.array([rng.uniform(0.10, 0.30), rng.uniform(0.40, 0.60)])
    b = np.array([rng.uniform(0.35, 0.50), rng.uniform(0.80, 0.98)])
    c = np.array([rng.uniform(0.85, 1.12), rng.uniform(-0.12, 0.15)])
    down = _bezier(np.array([a, a + (b - a) * 0.4, b - [0.02, 0.05], b]), 12)
    up = _bezier(np.array([b, b + [0.1, -0.25], c - (c - b) * 0.4 + [0.05, 0.0], c]), 20)
    path = np.vstack([down, up[1:]])
    return [(path - 0.5) * s + 0.5 + [ox, oy]]


def _shape_cross(rng: np.random.Generator) -> list[np.ndarray]:
    s = rng.uniform(0.65, 1.12)
    ox, oy = rng.normal(0, 0.05, 2)
    out = []
    for start, end in (((0.1, 0.1), (0.9, 0.9)), ((0.9, 0.1), (0.1, 0.9))):
        p0 = np.array(start) + rng.normal(0, 0.05, 2)
        p3 = np.array(end) + rng.normal(0, 0.05, 2)
        bend = rng.normal(0, 0.06, 2)
        ctrl = np.array([p0, p0 + (p3 - p0) / 3 + bend, p0 + 2 * (p3 - p0) / 3 + bend, p3])
        out.append((_bezier(ctrl, 16) - 0.5) * s + 0.5 + [ox, oy])
    if rng.random() < 0.5:
        out.reverse()
    return out


def _shape_slash(rng: np.random.Generator) -> list[np.ndarray]:
    s = rng.uniform(0.7, 1.15)
    p0 = np.array([rng.uniform(0.05, 0.25), rng.uniform(0.75, 0.95)])
    p3 = np.array([rng.uniform(0.75, 0.95), rng.uniform(0.05, 0.25)])
    bend = rng.normal(0, 0.07, 2)
    ctrl = np.array([p0, p0 + (p3 - p0) / 3 + bend, p0 + 2 * (p3 - p0) / 3 + bend, p3])
    return [(_bezier(ctrl, 16) - 0.5) * s + 0.5]


def _shape_dot(rng: np.random.Generator, w_mm: float) -> list[np.ndarray]:
    """A pressed dot: a small, lumpy spiral of radius ~0.5-1 mm near the centre."""
    r = rng.uniform(0.5, 1.0) / max(w_mm, 1e-3)
    c = 0.5 + rng.normal(0, 0.06, 2)
    turns = rng.uniform(1.5, 3.0)
    t = np.linspace(0, 1, 48)
    ang = rng.uniform(0, 2 * np.pi) + 2 * np.pi * turns * t
    rad = r * (0.2 + 0.8 * t) * (1 + 0.2 * _smooth_noise(rng, len(t), 6))
    squash = rng.uniform(0.7, 1.0)
    return [np.stack([c[0] + rad * np.cos(ang), c[1] + squash * rad * np.sin(ang)], axis=1)]


def _shape_fill(rng: np.random.Generator, w_mm: float, h_mm: float, pen_w_mm: float) -> list[np.ndarray]:
    """A scribbled solid box: the 'cancelled' convention.

    One or two back-and-forth passes at random angles, line spacing about one pen width (so the
    zigzag stays visible, as on paper), turning at the box edges and sometimes a little beyond.
    """
    out = []
    passes = 2 if rng.random() < 0.75 else 1
    base = rng.uniform(-25, 25)
    size = max(w_mm, h_mm, 1e-3)
    for k in range(passes):
        ang = np.deg2rad(base + (rng.uniform(50, 90) if k else 0.0))
        spacing = pen_w_mm * rng.uniform(0.65, 1.1) / size
        n = int(np.ceil(1.5 / spacing)) + 1  # the rotated square is up to sqrt(2) larger
        offs = np.linspace(-0.75, 0.75, n)
        d, nrm = np.array([np.cos(ang), np.sin(ang)]), np.array([-np.sin(ang), np.cos(ang)])
        pts = []
        for i, o in enumerate(offs):
            ends = (-0.8, 0.8) if i % 2 == 0 else (0.8, -0.8)
            for e in ends:
                pts.append(0.5 + d * (e + rng.normal(0, 0.03)) + nrm * (o + rng.normal(0, spacing * 0.15)))
        z = np.array(pts)
        lo, hi = rng.uniform(-0.04, 0.04, 2), rng.uniform(0.96, 1.04, 2)
        z = np.clip(z, lo, hi)  # the hand turns at the box edge (or just past it)
        keep = np.ones(len(z), bool)
        keep[1:] = np.any(np.abs(np.diff(z, axis=0)) > 1e-3, axis=1)  # drop runs collapsed onto a corner
        out.append(_catmull_rom(z[keep], step=0.02))
    return out


def _shape_circle(
    rng: np.random.Generator, w_mm: float, h_mm: float, margin_max_mm: float
) -> list[np.ndarray]:
    """A loop drawn *around* the box; the interior stays mostly white.

    The margin (gap between box edge midpoint and the loop) is chosen so the loop usually clears
    the box corners but never leaves the overshoot allowance. Loops are lumpy, a little oval and
    do not close exactly.
    """
    hi = max(0.6, margin_max_mm)
    m = rng.uniform(min(1.0, hi - 0.2), hi)
    ax = (0.5 * w_mm + m) / max(w_mm, 1e-3)
    ay = (0.5 * h_mm + m * rng.uniform(0.75, 1.0)) / max(h_mm, 1e-3)
    if rng.random() < 0.5:
        ax, ay = ay * h_mm / max(w_mm, 1e-3), ax * w_mm / max(h_mm, 1e-3)
    start = rng.uniform(0, 2 * np.pi)
    sweep = rng.uniform(2.0, 2.3) * np.pi * (1 if rng.random() < 0.7 else -1)
    t = np.linspace(0, 1, 72)
    ang = start + sweep * t
    # lumpy radius, spiralling in a little so the ends do not meet
    lump = 1.0 + 0.04 * _smooth_noise(rng, len(t), 5) - 0.06 * t
    c = 0.5 + rng.normal(0, 0.08 / max(w_mm, 1e-3), 2)
    return [np.stack([c[0] + ax * lump * np.cos(ang), c[1] + ay * lump * np.sin(ang)], axis=1)]


@dataclass
class MarkInfo:
    """What was drawn: the shape, the pen and the opacity used (0..1)."""

    kind: str
    pen: str
    opacity: float


def draw_mark(
    image: np.ndarray,
    rect_px: Rect,
    dpi: float,
    kind: str,
    rng: np.random.Generator,
    pen: Pen | str = "ballpoint_black",
    *,
    max_overshoot_mm: float = 2.0,
) -> MarkInfo:
    """Draw one human-looking mark of `kind` (see MARK_KINDS) into the box `rect_px`, in place.

    `rect_px` is the printed box outline (x0, y0, x1, y1) in pixels. Ink stays within the box
    grown by `max_overshoot_mm`.
    """
    if kind == BESIDE_TICK:
        kind = "tick"
    elif kind == LABEL_MARK:
        kind = "circle"
    if kind not in MARK_KINDS:
        raise ValueError(f"unknown mark kind {kind!r}; expected one of {MARK_KINDS}")
    pen = PENS[pen] if isinstance(pen, str) else pen
    px_per_mm = dpi / 25.4
    x0, y0, x1, y1 = rect_px
    w_mm, h_mm = (x1 - x0) / px_per_mm, (y1 - y0) / px_per_mm
    width_mm = float(rng.uniform(*pen.width_mm))
    if kind == "tick":
        shapes = _shape_tick(rng)
    elif kind == "cross":
        shapes = _shape_cross(rng)
    elif kind == "slash":
        shapes = _shape_slash(rng)
    elif kind == "dot":
        shapes = _shape_dot(rng, w_mm)
        width_mm *= 1.4
    elif kind == "fill":
        shapes = _shape_fill(rng, w_mm, h_mm, width_mm)
    else:
        shapes = _shape_circle(rng, w_mm, h_mm, max_overshoot_mm - 0.5 * width_mm - 0.25)
    to_px = _box_frame(rect_px, rng, max_rot_deg=3.0 if kind in ("circle", "fill") else 9.0)
    strokes = [
        _make_stroke(
            to_px(s),
            px_per_mm,
            pen,
            rng,
            width_px=width_mm * px_per_mm,
            tremor_mm=0.04 if kind == "fill" else rng.uniform(0.03, 0.09),
            taper=kind != "dot",
        )
        for s in shapes
    ]
    g = max_overshoot_mm * px_per_mm
    opacity = float(rng.uniform(*pen.opacity))
    render_strokes(image, strokes, pen, rng, opacity=opacity, clip=(x0 - g, y0 - g, x1 + g, y1 + g))
    return MarkInfo(kind, pen.name, opacity)


def draw_line(
    image: np.ndarray,
    p0_px: tuple[float, float],
    p1_px: tuple[float, float],
    dpi: float,
    rng: np.random.Generator,
    pen: Pen | str = "ballpoint_black",
) -> MarkInfo:
    """One hand-drawn straight stroke from p0 to p1 (pixels), in place: an underline, a dash."""
    pen = PENS[pen] if isinstance(pen, str) else pen
    px_per_mm = dpi / 25.4
    a, b = np.asarray(p0_px, float), np.asarray(p1_px, float)
    mid = (a + b) / 2 + np.array([0.0, rng.normal(0, 0.15) * px_per_mm])  # a slight sag
    pts = _bezier(np.array([a, a + (mid - a) * 0.9, b + (mid - b) * 0.9, b]), 16)
    width_mm = float(rng.uniform(*pen.width_mm))
    stroke = _make_stroke(pts, px_per_mm, pen, rng, width_px=width_mm * px_per_mm, tremor_mm=rng.uniform(0.03, 0.08))
    opacity = float(rng.uniform(*pen.opacity))
    render_strokes(image, [stroke], pen, rng, opacity=opacity)
    return MarkInfo("line", pen.name, opacity)


# --------------------------------------------------------------------------------------------
# handwriting


def _word_path(
    rng: np.random.Generator, x: float, baseline: float, xh: float, letters: int, slant: float
) -> tuple[np.ndarray, float, list[np.ndarray]]:
    """Control points of one cursive-ish word (mm); returns (points, end_x, extra short strokes)."""
    pts = [[x, baseline - rng.uniform(0, 0.3) * xh]]
    extras: list[np.ndarray] = []
    cx = x
    for _ in range(letters):
        lw = xh * rng.uniform(0.55, 1.05)
        r = rng.random()
        if r < 0.18:
            top = baseline - xh * rng.uniform(1.7, 2.2)  # ascender (l, h, k, d)
        elif r < 0.28:
            top = baseline - xh * rng.uniform(0.8, 1.1)
            pts.append([cx + lw * 0.5, baseline + xh * rng.uniform(0.6, 0.9)])  # descender (g, p, y)
        else:
            top = baseline - xh * rng.uniform(0.8, 1.1)
        if rng.random() < 0.25:  # a small loop: go up, come back left a little
            pts.append([cx + lw * 0.45, top])
            pts.append([cx + lw * 0.25, top + xh * 0.35])
        elif rng.random() < 0.3:  # a round letter (o, a, c): counter-clockwise loop
            mid = baseline - xh * 0.5
            pts.append([cx + lw * 0.75, baseline - xh * rng.uniform(0.85, 1.05)])
            pts.append([cx + lw * 0.2, baseline - xh * 0.8])
            pts.append([cx + lw * 0.15, mid + xh * 0.35])
            pts.append([cx + lw * 0.6, baseline + 0.05 * xh])
            pts.append([cx + lw * 0.8, mid])
        else:
            pts.append([cx + lw * 0.4, top])
        pts.append([cx + lw, baseline + rng.normal(0, 0.06) * xh])
        if rng.random() < 0.08:  # i-dot or t-bar, drawn after the word
            if rng.random() < 0.5:
                d = np.array([[cx + lw * 0.4, baseline - xh * 1.5], [cx + lw * 0.45, baseline - xh * 1.55]])
            else:
                d = np.array([[cx, baseline - xh * 1.1], [cx + lw * 0.9, baseline - xh * 1.2]])
            extras.append(d)
        cx += lw
    p = np.array(pts, float)
    # slant: shear x by height above the baseline
    p[:, 0] += (baseline - p[:, 1]) * slant
    for e in extras:
        e[:, 0] += (baseline - e[:, 1]) * slant
    return p, cx, extras


def draw_handwriting(
    image: np.ndarray,
    rect_px: Rect,
    dpi: float,
    rng: np.random.Generator,
    pen: Pen | str = "ballpoint_blue",
    *,
    max_lines: int | None = None,
    label_band_mm: float = 3.5,
    signature: bool = False,
) -> MarkInfo:
    """Write cursive-looking 'words' in lines inside a text frame `rect_px`, in place.

    Not real letters: smooth loops with ascenders, descenders, slant and baseline drift -- enough
    for a reader that decides "is there writing here?" and crops the area for a human. The top
    `label_band_mm` of the frame holds the printed label, so writing starts below it (ascenders
    may touch it, as they do). `signature` draws one large, fast, loopy scrawl instead of lines.
    """
    pen = PENS[pen] if isinstance(pen, str) else pen
    ppm = dpi / 25.4
    x0, y0, x1, y1 = (v / ppm for v in rect_px)  # work in mm
    band = label_band_mm if (y1 - y0) - label_band_mm >= 3.5 else 0.0
    top = y0 + band
    fh = y1 - top
    width_mm = float(rng.uniform(*pen.width_mm))
    opacity = float(rng.uniform(*pen.opacity))
    strokes: list[Stroke] = []

    def word(x: float, baseline: float, xh: float, letters: int, slant: float) -> float:
        pts, end, extras = _word_path(rng, x, baseline, xh, letters, slant)
        strokes.append(
            _make_stroke(
                _catmull_rom(pts * ppm, step=0.2 * ppm),
                ppm,
                pen,
                rng,
                width_px=width_mm * ppm,
                tremor_mm=0.03,
            )
        )
        for e in extras:
            strokes.append(_make_stroke(e * ppm, ppm, pen, rng, width_px=width_mm * ppm, tremor_mm=0.02))
        return end

    if signature:
        # signatures are large and careless of the label: they use the whole frame height
        full = y1 - y0
        xh = float(np.clip(full * rng.uniform(0.22, 0.33), 1.5, 5.0))
        slant = np.tan(np.deg2rad(rng.uniform(10, 35)))
        x = x0 + rng.uniform(3, 15)
        baseline = y0 + full * rng.uniform(0.72, 0.85)
        for _ in range(int(rng.integers(1, 3))):
            x = word(x, baseline, xh, int(rng.integers(3, 8)), slant) + xh * rng.uniform(0.8, 1.5)
        if rng.random() < 0.5:  # the underline flourish
            tail = np.array(
                [[x0 + rng.uniform(2, 8), baseline + 0.3 * xh], [x, baseline + rng.uniform(-0.2, 0.5) * xh]]
            )
            strokes.append(_make_stroke(tail * ppm, ppm, pen, rng, width_px=width_mm * ppm))
    else:
        line_h = min(rng.uniform(6.0, 8.5), max(fh, 2.0) * 0.95)
        xh = float(np.clip(line_h * rng.uniform(0.26, 0.33), 1.0, 3.0))
        n_fit = max(1, int((fh + 0.5) // line_h))
        n_lines = int(rng.integers(1, n_fit + 1)) if max_lines is None else min(max_lines, n_fit)
        slant = np.tan(np.deg2rad(rng.uniform(-5, 22)))
        margin = rng.uniform(1.5, 4.0)
        for li in range(n_lines):
            baseline = top + min(fh - 0.5 * xh, (li + 1) * line_h - 0.3 * line_h + rng.normal(0, 0.3))
            x = x0 + margin + rng.uniform(0, 2)
            right = x1 - 2.0 if li < n_lines - 1 else x0 + (x1 - x0) * rng.uniform(0.25, 0.95)
            drift = rng.normal(0, 0.004)  # baseline slope, mm per mm
            while True:
                letters = int(rng.integers(2, 9))
                if x + letters * xh * 0.8 > right:
                    break
                x = word(x, baseline + (x - x0) * drift, xh, letters, slant) + xh * rng.uniform(0.9, 1.8)
        if not strokes:  # very narrow frame: one short word
            word(x0 + 1.0, top + fh * 0.75, min(xh, fh * 0.4), 3, slant)
    # writing may cross the frame a little (descenders), never far
    g = 1.5 * ppm
    render_strokes(
        image,
        strokes,
        pen,
        rng,
        opacity=opacity,
        clip=(rect_px[0] - g, rect_px[1] - g, rect_px[2] + g, rect_px[3] + g),
    )
    return MarkInfo("signature" if signature else "handwriting", pen.name, opacity)
