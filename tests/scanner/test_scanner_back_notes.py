"""A note written on the back of a sheet is not a blank page; show-through, stains and creases are.

The backs are made here the way the ward makes them: a filled front (the form, with heavy felt-tip
writing on it), its back with the front showing through, then a scanner profile.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import scanner
from formkit.simulate.effects import apply_profile
from formkit.simulate.marks import PENS, draw_handwriting
from formkit.simulate.stacks import blank_back
from scanner.back_notes import NOTE_MM2, note_mm2

DPI = 300
PPM = DPI / 25.4


def _front(page, rng: np.random.Generator) -> np.ndarray:  # type: ignore[no-untyped-def]
    """A form page with three blocks of felt-tip writing: the strongest show-through a back gets."""
    img = np.dstack([page.grey()] * 3)
    for y in (60.0, 140.0, 220.0):
        x0, y0 = 30 * PPM, y * PPM
        draw_handwriting(img, (x0, y0, x0 + 120 * PPM, y0 + 20 * PPM), DPI, rng, "felt_tip", max_lines=2,
                         label_band_mm=0.0)
    return cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)


@pytest.fixture(scope="module")
def back(blank_form) -> np.ndarray:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(4)
    return blank_back(blank_form.grey().shape, rng, _front(blank_form, rng))


def _with_note(back: np.ndarray, pen: str, seed: int, w_mm: float = 60.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = back.copy()
    x0, y0 = 40 * PPM, 150 * PPM
    draw_handwriting(img, (x0, y0, x0 + w_mm * PPM, y0 + 8 * PPM), DPI, rng, PENS[pen], max_lines=1,
                     label_band_mm=0.0)
    return img


def _scan(img: np.ndarray, seed: int, profile: str = "office300") -> np.ndarray:
    return apply_profile(profile, img, DPI, np.random.default_rng(seed), rotation=0).image


@pytest.mark.parametrize("pen", ["ballpoint_blue", "pencil", "faint_pencil"])
def test_a_short_note_on_a_back_is_not_blank(back, synth, pen: str) -> None:  # type: ignore[no-untyped-def]
    """A few words, too little dark ink for the blank test: the page goes to a person, not to `blank`."""
    loc = scanner.locate(_scan(_with_note(back, pen, 1), 2), synth.FURNITURE)
    assert loc.blank is False and not loc.registered and loc.qr_text is None
    assert loc.note_mm2 >= NOTE_MM2
    assert loc.to_dict()["note_mm2"] == round(loc.note_mm2, 2)


@pytest.mark.parametrize("profile", ["office300", "office200", "rough"])
def test_a_back_showing_its_front_through_stays_blank(back, synth, profile: str) -> None:  # type: ignore[no-untyped-def]
    loc = scanner.locate(_scan(back, 3, profile), synth.FURNITURE)
    assert loc.blank is True and loc.note_mm2 < NOTE_MM2


def test_a_scanner_set_dark_lifts_the_show_through_but_not_over_the_bar(back) -> None:  # type: ignore[no-untyped-def]
    """Gamma 2.2: the show-through of the front's writing reaches stroke darkness; the markers' show-through
    sets the bar above it, and a faint-pencil note still clears it."""
    lut = (255.0 * (np.arange(256) / 255.0) ** 2.2).astype(np.uint8)
    dark = cv2.LUT(_scan(back, 5), lut)
    assert note_mm2(dark) < NOTE_MM2
    assert note_mm2(cv2.LUT(_scan(_with_note(back, "faint_pencil", 6, w_mm=100.0), 5), lut)) >= NOTE_MM2


def test_stains_creases_and_specks_are_not_a_note(back) -> None:  # type: ignore[no-untyped-def]
    img = _scan(back, 7).astype(np.float32)
    ring = np.zeros(img.shape, np.uint8)
    cv2.circle(ring, (int(100 * PPM), int(120 * PPM)), int(38 * PPM), 1, int(1.5 * PPM))  # a cup's ring
    img[ring > 0] *= 0.78
    crease = np.zeros(img.shape, np.uint8)
    cv2.line(crease, (0, int(148 * PPM)), (img.shape[1], int(150 * PPM)), 1, 2)  # the sheet folded once
    img[crease > 0] *= 0.8
    rng = np.random.default_rng(8)
    for _ in range(40):  # dust
        y, x = rng.integers(200, img.shape[0] - 200), rng.integers(200, img.shape[1] - 200)
        img[y:y + 3, x:x + 3] = 70
    assert note_mm2(np.clip(img, 0, 255).astype(np.uint8)) < NOTE_MM2


@pytest.mark.parametrize("turn", [0, 1, 2])
def test_a_code_read_through_the_paper_is_not_the_page_s_own(blank_form, synth, turn: int) -> None:  # type: ignore[no-untyped-def]
    """A 1-bit scanner can turn a front's show-through black; the decoders read its mirrored QR code. The page
    is not that form page (it would have been read as a second, unregistered copy of it)."""
    ghost = np.ascontiguousarray(np.rot90(blank_form.grey()[:, ::-1], turn))
    loc = scanner.locate(ghost, synth.FURNITURE)
    assert loc.show_through is True and loc.qr_text is None and not loc.registered and loc.blank is False
    assert loc.to_dict()["show_through"] is True
    upright = scanner.locate(np.ascontiguousarray(np.rot90(blank_form.grey(), turn)), synth.FURNITURE)
    assert upright.show_through is False and upright.qr_text == synth.QR_TEXT


def test_a_thresholded_back_showing_its_front_is_show_through(back, synth) -> None:  # type: ignore[no-untyped-def]
    loc = scanner.locate(_scan(back, 3, "bilevel"), synth.FURNITURE)  # this draw's threshold blackens the ghost
    assert loc.show_through is True and loc.qr_text is None
