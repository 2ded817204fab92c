"""Filing holes over a scanner's dark backing: found by the long edges, painted out before reading."""

import numpy as np
import pytest

import scanner
from scanner.holes import find_holes, paint_holes


def test_holes_are_found_by_the_edge_and_markers_are_not(synth, blank_form):
    markers = [m["rect_mm"] for m in synth.FURNITURE["markers"]]
    loc = scanner.locate(blank_form.img, synth.FURNITURE)
    assert loc.holes == [] and find_holes(blank_form.img, loc.registration.H, (210, 297), markers) == []
    img = synth.punch(blank_form.img)
    loc = scanner.locate(img, synth.FURNITURE)
    assert len(loc.holes) == 4
    for (x, y, r), want in zip(sorted(loc.holes, key=lambda h: h[1]), (28.5, 108.5, 188.5, 268.5), strict=True):
        assert abs(x - 12.0) < 0.6 and abs(y - want) < 0.6 and 2.5 < r < 3.7
    assert loc.to_dict()["holes"] == loc.holes


@pytest.mark.parametrize("x_mm", [12.0, 15.5])  # the sheet punched, or punched and printed off-centre
def test_a_hole_reaching_into_an_empty_signature_area_is_not_writing(synth, blank_form, x_mm):
    img = synth.punch(blank_form.img, ys=(225.0,), x_mm=x_mm)  # the signature area is [15, 215, 85, 20]
    loc = scanner.locate(img, synth.FURNITURE)
    assert len(loc.holes) == 1
    r = scanner.read(img, loc, synth.geometry()["fields"])
    assert (r.texts["signature"].value, r.texts["signature"].status) == (None, "accepted")
    assert r.fields["setting"].reason == "no_mark"  # the rest reads as before


def test_painting_leaves_the_rest_of_the_page_alone(synth, blank_form):
    img = synth.punch(blank_form.img, ys=(150.0,))
    loc = scanner.locate(img, synth.FURNITURE)
    out = paint_holes(img, loc.registration.H, loc.holes)
    assert out is not img and img[round(150 * 3508 / 297), round(12 * 3508 / 297)].max() < 60  # input kept
    ppm = 3508 / 297.0
    disc = out[round(147 * ppm):round(153 * ppm), round(9 * ppm):round(15 * ppm)]
    assert disc.min() > 200  # the hole is paper now
    changed = np.any(out != img, axis=2)
    ys, xs = np.nonzero(changed)
    assert xs.max() < 17 * ppm and ys.min() > 145 * ppm and ys.max() < 155 * ppm  # and nothing else is


def test_a_small_blurred_hole_is_still_a_disc_and_a_square_is_not():
    """At 200 dpi the blank-page count sees a hole ~11 px across, blurred and thresholded squarer than a
    disc: 109 of 121 pixels (measured on a simulated back page that went to the clerk as unidentified)."""
    from scanner.holes import disc_like

    stats = np.array([[382, 67, 11, 11, 109],  # that hole
                      [200, 200, 11, 11, 121],  # a solid square (a printed marker cell, a filled box)
                      [300, 300, 30, 30, 700]])  # a 15 mm blot
    assert disc_like(stats, 1.96).tolist() == [True, False, False]
    assert disc_like(np.array([[100, 100, 18, 18, 254]]), 3.0).tolist() == [True]  # 6 mm at 3 px/mm
