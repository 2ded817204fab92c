"""The benchmark's second mark renderer (bench/other_hands.py): every style leaves ink in its box, every
writing ink below the label band of its area, a cancellation is the ward's fill, and the ward is itself
again once the context closes."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import other_hands  # noqa: E402

import formkit.simulate.fill as ward_fill  # noqa: E402


@pytest.mark.parametrize("style", other_hands.STYLES)
def test_every_style_inks_its_box(style, monkeypatch):
    monkeypatch.setattr(other_hands, "STYLES", (style,))
    img = np.full((200, 200), 255, np.uint8)
    rect = (80.0, 80.0, 133.0, 133.0)  # a 4.5 mm box at 300 dpi
    info = other_hands.draw_other_mark(img, rect, 300.0, "tick", np.random.default_rng(1), "ballpoint_black")
    inside = img[84:129, 84:129]
    assert info.kind == style and (inside < 128).mean() > 0.02, (style, (inside < 128).mean())


@pytest.mark.parametrize("style", other_hands.WRITING)
def test_every_writing_inks_its_area_below_the_label(style, monkeypatch):
    monkeypatch.setattr(other_hands, "WRITING", (style,))
    img = np.full((400, 900), 255, np.uint8)
    rect = (100.0, 100.0, 800.0, 300.0)  # 59 x 17 mm at 300 dpi, the label band its top 3.5 mm (41 px)
    info = other_hands.draw_other_writing(img, rect, 300.0, np.random.default_rng(2), "ballpoint_black")
    ys, xs = np.nonzero(img < 160)
    assert info.kind == style and ys.size > 20, style
    assert ys.min() >= 141 and ys.max() < 300 and xs.min() >= 100 and xs.max() < 800, (style, ys.min(), ys.max())


def test_a_cancellation_is_the_wards_fill_and_the_ward_comes_back():
    img = np.full((200, 200), 255, np.uint8)
    info = other_hands.draw_other_mark(img, (80.0, 80.0, 133.0, 133.0), 300.0, "fill", np.random.default_rng(1))
    assert info.kind == "fill" and (img[86:127, 86:127] < 128).mean() > 0.8
    ward = ward_fill.draw_mark, ward_fill.draw_handwriting
    with other_hands.other_hands():
        assert ward_fill.draw_mark is other_hands.draw_other_mark
        assert ward_fill.draw_handwriting is other_hands.draw_other_writing
    assert (ward_fill.draw_mark, ward_fill.draw_handwriting) == ward


def test_an_answer_marked_on_its_label_is_never_a_dot():
    """A dot on a word sits in its letters as a smudge (a pencil one on "Mann" was no answer a person could read):
    the other hand marks a label in any of its other shapes."""
    from formkit.simulate.marks import LABEL_MARK

    label = (150.0, 120.0, 450.0, 180.0)
    kinds = {other_hands.draw_other_mark(np.full((300, 600), 255, np.uint8), label, 300.0, LABEL_MARK,
                                         np.random.default_rng(seed), "pencil").kind for seed in range(80)}
    assert "big_dot" not in kinds and len(kinds) >= 6
    in_boxes = {other_hands.draw_other_mark(np.full((300, 600), 255, np.uint8), (250.0, 120.0, 310.0, 180.0), 300.0,
                                            "circle", np.random.default_rng(seed), "pencil").kind for seed in range(80)}
    assert "big_dot" in in_boxes  # in a box a dot is an answer


def test_the_ward_circles_a_label_as_it_circles_a_box():
    from formkit.simulate.marks import LABEL_MARK, draw_mark

    label = (150.0, 120.0, 450.0, 180.0)
    a, b = (np.full((300, 600), 255, np.uint8) for _ in range(2))
    draw_mark(a, label, 300.0, LABEL_MARK, np.random.default_rng(3), "pencil")
    draw_mark(b, label, 300.0, "circle", np.random.default_rng(3), "pencil")
    assert np.array_equal(a, b) and (a < 200).sum() > 300
