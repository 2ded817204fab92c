"""Swapping the ward's pen for another renderer's while a stack is filled (`--hands other|third`)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator

import numpy as np

import formkit.simulate.fill as ward_fill
from formkit.simulate.marks import PENS, MarkInfo, Pen, Rect

WARD_DRAW_MARK = ward_fill.draw_mark  # the ward's own: cancellations keep the form's convention (a fill)
WARD_DRAW_HANDWRITING = ward_fill.draw_handwriting


@contextlib.contextmanager
def drawn_by(draw_mark: Callable, draw_handwriting: Callable | None) -> Iterator[None]:
    """While open, the ward fills forms with `draw_mark` (and `draw_handwriting`, unless None)."""
    ward_fill.draw_mark = draw_mark
    if draw_handwriting is not None:
        ward_fill.draw_handwriting = draw_handwriting
    try:
        yield
    finally:
        ward_fill.draw_mark, ward_fill.draw_handwriting = WARD_DRAW_MARK, WARD_DRAW_HANDWRITING


def keeps_the_wards_fill(draw: Callable) -> Callable:
    """`marks.draw_mark`'s signature for another hand's `draw` (its pen resolved to a `Pen`): a cancellation
    ("fill") stays the ward's, the form's convention, whoever answers."""
    @functools.wraps(draw)
    def draw_mark(image: np.ndarray, rect_px: Rect, dpi: float, kind: str, rng: np.random.Generator,
                  pen: Pen | str = "ballpoint_black", *, max_overshoot_mm: float = 2.0) -> MarkInfo:
        if kind == "fill":
            return WARD_DRAW_MARK(image, rect_px, dpi, kind, rng, pen, max_overshoot_mm=max_overshoot_mm)
        return draw(image, rect_px, dpi, kind, rng, PENS[pen] if isinstance(pen, str) else pen,
                    max_overshoot_mm=max_overshoot_mm)
    return draw_mark
