"""Pen marks: where they land, how dark they are, and that a seed reproduces them."""

from __future__ import annotations

import numpy as np
import pytest

from formkit.simulate.marks import MARK_KINDS, PENS, draw_handwriting, draw_mark

DPI = 200
PPM = DPI / 25.4
BOX = (100.0, 100.0, 100.0 + 6 * PPM, 100.0 + 6 * PPM)  # a 6 mm box


def _canvas() -> np.ndarray:
    return np.full((300, 300), 255, np.uint8)


def _interior(img: np.ndarray, shrink: float = 0.15) -> np.ndarray:
    x0, y0, x1, y1 = BOX
    dx, dy = (x1 - x0) * shrink, (y1 - y0) * shrink
    return img[int(y0 + dy) : int(y1 - dy), int(x0 + dx) : int(x1 - dx)]


def _ink_outside(img: np.ndarray, grow_mm: float) -> int:
    x0, y0, x1, y1 = BOX
    g = grow_mm * PPM
    mask = img < 250
    mask[
        max(0, int(np.floor(y0 - g))) : int(np.ceil(y1 + g)),
        max(0, int(np.floor(x0 - g))) : int(np.ceil(x1 + g)),
    ] = False
    return int(mask.sum())


@pytest.mark.parametrize("kind", ["tick", "cross", "slash", "fill"])
def test_mark_darkens_its_box(kind: str) -> None:
    for seed in range(8):
        img = _canvas()
        draw_mark(img, BOX, DPI, kind, np.random.default_rng(seed), "ballpoint_black")
        inner = _interior(img)
        assert (inner < 200).mean() > 0.04, (kind, seed)
        assert inner.mean() < 255 - 8, (kind, seed)


def test_fill_covers_most_of_the_box() -> None:
    for seed in range(6):
        img = _canvas()
        draw_mark(img, BOX, DPI, "fill", np.random.default_rng(seed), "ballpoint_blue")
        assert (_interior(img, 0.1) < 160).mean() > 0.5


def test_circle_leaves_interior_white_and_rings_the_box() -> None:
    for seed in range(8):
        img = _canvas()
        draw_mark(img, BOX, DPI, "circle", np.random.default_rng(seed), "ballpoint_black")
        assert (_interior(img, 0.2) < 200).mean() < 0.03
        assert _ink_outside(img, 0.0) > 0.5 * PPM * 5  # a loop of ink outside the box


def test_no_mark_reaches_a_neighbour_3mm_away() -> None:
    rng = np.random.default_rng(42)
    overshoots = 0
    for i in range(60):
        img = _canvas()
        draw_mark(img, BOX, DPI, MARK_KINDS[i % len(MARK_KINDS)], rng, list(PENS)[i % len(PENS)])
        assert _ink_outside(img, 2.0 + 0.1) == 0
        overshoots += _ink_outside(img, 0.3) > 0
    assert overshoots >= 10  # people do overshoot: strokes leave the box, up to 2 mm


def test_faint_pencil_is_fainter_than_ink() -> None:
    ink, faint = _canvas(), _canvas()
    draw_mark(ink, BOX, DPI, "cross", np.random.default_rng(1), "ballpoint_black")
    draw_mark(faint, BOX, DPI, "cross", np.random.default_rng(1), "faint_pencil")
    assert PENS["faint_pencil"].faint
    assert np.percentile(faint, 0.5) > np.percentile(ink, 0.5) + 60  # darkest pixels much lighter
    assert faint.min() > 120


def test_blue_ink_is_blue_on_rgb() -> None:
    img = np.full((300, 300, 3), 255, np.uint8)
    draw_mark(img, BOX, DPI, "fill", np.random.default_rng(0), "ballpoint_blue")
    inner = _interior(img).reshape(-1, 3).astype(int)
    assert (inner[:, 2] - inner[:, 0]).mean() > 30


def test_same_seed_same_mark() -> None:
    a, b, c = _canvas(), _canvas(), _canvas()
    draw_mark(a, BOX, DPI, "tick", np.random.default_rng(5), "pencil")
    draw_mark(b, BOX, DPI, "tick", np.random.default_rng(5), "pencil")
    draw_mark(c, BOX, DPI, "tick", np.random.default_rng(6), "pencil")
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_marks_vary_between_calls() -> None:
    rng = np.random.default_rng(3)
    shapes = []
    for _ in range(5):
        img = _canvas()
        draw_mark(img, BOX, DPI, "tick", rng, "ballpoint_black")
        shapes.append(img < 200)
    assert all(not np.array_equal(shapes[0], s) for s in shapes[1:])


def test_handwriting_stays_in_its_frame() -> None:
    img = np.full((400, 1400), 255, np.uint8)
    frame = (100.0, 100.0, 100.0 + 150 * PPM, 100.0 + 20 * PPM)
    for seed in range(3):
        img[:] = 255
        draw_handwriting(img, frame, DPI, np.random.default_rng(seed), "ballpoint_blue")
        x0, y0, x1, y1 = frame
        inside = img[int(y0) : int(y1), int(x0) : int(x1)]
        assert (inside < 200).mean() > 0.01
        g = int(1.5 * PPM) + 2
        outside = img < 250
        outside[int(y0) - g : int(y1) + g, int(x0) - g : int(x1) + g] = False
        assert outside.sum() == 0
