"""The benchmark's third mark renderer (bench/third_hands.py): every style leaves ink in or at its box, every
writing ink below the label band of its area (a flourish may run past the frame's right side), a pencil's
grain follows the paper's tooth, a cancellation is the ward's fill, and the ward is itself again afterwards."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import third_hands  # noqa: E402

import formkit.simulate.fill as ward_fill  # noqa: E402
from formkit.simulate.marks import BESIDE_TICK, draw_mark  # noqa: E402

BOX = (80.0, 80.0, 133.0, 133.0)  # a 4.5 mm box at 300 dpi


@pytest.mark.parametrize("style", third_hands.STYLES)
def test_every_style_inks_its_box(style, monkeypatch):
    monkeypatch.setattr(third_hands, "STYLES", (style,))
    img = np.full((200, 200), 255, np.uint8)
    info = third_hands.draw_third_mark(img, BOX, 300.0, "tick", np.random.default_rng(1), "ballpoint_black")
    inside = img[80:134, 80:134]
    assert info.kind == style and (inside < 160).sum() >= 40, (style, int((inside < 160).sum()))


def test_an_answer_ticked_beside_its_box_is_never_a_tapped_dot():
    """A dot next to a box is what a resting pen leaves: drawn as the answer, the bench's truth asked the reader
    for what a person could not read either (a hunt: 0.2 mm2 beside a box, read as an empty row). In a box, the
    third hand still taps dots."""
    beside = {third_hands.draw_third_mark(np.full((200, 200), 255, np.uint8), BOX, 300.0, BESIDE_TICK,
                                          np.random.default_rng(seed), "ballpoint_black").kind for seed in range(60)}
    assert "tap_dot" not in beside and len(beside) >= 6
    inside = {third_hands.draw_third_mark(np.full((200, 200), 255, np.uint8), BOX, 300.0, "tick",
                                          np.random.default_rng(seed), "ballpoint_black").kind for seed in range(60)}
    assert "tap_dot" in inside


def test_the_ward_draws_a_tick_beside_a_box_as_its_tick():
    a, b = (np.full((200, 200), 255, np.uint8) for _ in range(2))
    draw_mark(a, BOX, 300.0, "tick", np.random.default_rng(4), "pencil", max_overshoot_mm=0.3)
    draw_mark(b, BOX, 300.0, BESIDE_TICK, np.random.default_rng(4), "pencil", max_overshoot_mm=0.3)
    assert np.array_equal(a, b) and (a < 200).any()


def test_a_loose_scribble_leaves_paper_between_its_passes_even_in_felt_tip(monkeypatch):
    """Passes closer than ~2 pen widths would blot the box out: a cancellation, not an answer."""
    monkeypatch.setattr(third_hands, "STYLES", ("loose_scribble",))
    for seed in range(6):
        img = np.full((200, 200), 255, np.uint8)
        third_hands.draw_third_mark(img, BOX, 300.0, "tick", np.random.default_rng(seed), "felt_tip")
        assert (img[86:127, 86:127] < 128).mean() < 0.6, seed


@pytest.mark.parametrize("style", third_hands.WRITING)
def test_every_writing_inks_its_area_below_the_label(style, monkeypatch):
    monkeypatch.setattr(third_hands, "WRITING", (style,))
    img = np.full((400, 900), 255, np.uint8)
    rect = (100.0, 100.0, 800.0, 300.0)  # 59 x 17 mm at 300 dpi, the label band its top 3.5 mm (41 px)
    info = third_hands.draw_third_writing(img, rect, 300.0, np.random.default_rng(2), "ballpoint_black")
    ys, xs = np.nonzero(img < 160)
    assert info.kind == style and ys.size > 20, style
    right = 800 + (36 if style == "flourish" else 0)  # a signature's flourish may run up to 3 mm past the frame
    assert ys.min() >= 141 and ys.max() < 300 and xs.min() >= 100 and xs.max() < right, (style, ys.min(), ys.max())


def test_pencil_grain_is_the_papers_tooth():
    """The same sheet shows the same grain wherever a pencil crosses it: a texture of the paper, not noise."""
    a = third_hands.paper_tooth((300, 300), 11.8)
    b = third_hands.paper_tooth((300, 300), 11.8)
    assert a is b and a.min() >= 0.35 and a.max() <= 1.0 and a.std() > 0.1


def test_a_cancellation_is_the_wards_fill_and_the_ward_comes_back():
    img = np.full((200, 200), 255, np.uint8)
    info = third_hands.draw_third_mark(img, BOX, 300.0, "fill", np.random.default_rng(1))
    assert info.kind == "fill" and (img[86:127, 86:127] < 128).mean() > 0.8
    ward = ward_fill.draw_mark, ward_fill.draw_handwriting
    with third_hands.third_hands():
        assert ward_fill.draw_mark is third_hands.draw_third_mark
        assert ward_fill.draw_handwriting is third_hands.draw_third_writing
    assert (ward_fill.draw_mark, ward_fill.draw_handwriting) == ward


def test_a_circle_round_a_label_is_a_loop_round_it_not_a_mark_on_its_letters():
    """An answer marked beside the box circles the label: the third hand draws its own loop round the rect,
    leaving the rect's middle (the label's letters) alone."""
    img = np.full((300, 600), 255, np.uint8)
    label = (150.0, 120.0, 450.0, 180.0)  # a 25 x 5 mm label at 300 dpi
    info = third_hands.draw_third_mark(img, label, 300.0, "circle", np.random.default_rng(4), "ballpoint_blue")
    ink = img < 200
    assert info.kind == "loop" and not ink[130:170, 170:430].any() and ink.sum() > 300
