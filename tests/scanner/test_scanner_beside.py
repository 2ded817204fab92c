"""Ink beside the boxes: an answer circled on its label or ticked next to its box goes to a person."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import scanner
from scanner.beside import label_of, row_zones


def _read(synth, page, with_print: bool = True, img=None):  # type: ignore[no-untyped-def]
    img = page.grey() if img is None else img
    loc = scanner.locate(img, synth.FURNITURE)
    return scanner.read(img, loc, synth.GEOMETRY["fields"], page.printed if with_print else ())


def _label(page, field_id: str, value: str) -> list[float]:  # type: ignore[no-untyped-def]
    from scanner_synth import option_rect
    lab = label_of(option_rect(field_id, value), page.printed)
    assert lab is not None
    return lab


def _circle(page, rect, width_mm: float = 0.45) -> None:  # type: ignore[no-untyped-def]
    x, y, w, h = rect
    c = (page.px(x + w / 2), page.px(y + h / 2))
    cv2.ellipse(page.img, c, (page.px(w / 2 + 1.3), page.px(h / 2 + 1.2)), -3, 15, 345, (30, 30, 30),
                max(1, round(width_mm * page.s)), cv2.LINE_AA, 4)


def test_labels_and_zones_come_from_the_print(synth, blank_form) -> None:  # type: ignore[no-untyped-def]
    page = blank_form.copy()
    lab = _label(page, "optional", "b")
    assert 61.5 < lab[0] < 68 and lab[1] < 134 < lab[1] + lab[3]  # "b" printed 2 mm right of its box at x=60
    zones = row_zones(next(f for f in synth.GEOMETRY["fields"] if f["id"] == "optional")["options"], page.printed)
    assert len(zones) == 1 and zones[0][0] == pytest.approx(14.0) and zones[0][2] > 100 - 17


@pytest.mark.parametrize("how", ["circle_label", "underline_label", "tick_beside_box"])
def test_an_answer_marked_beside_an_optional_row_goes_to_review(synth, blank_form, how: str) -> None:  # type: ignore[no-untyped-def]
    page = blank_form.copy()
    lab = _label(page, "optional", "b")
    if how == "circle_label":
        _circle(page, lab)
    elif how == "underline_label":
        page.line((lab[0] - 0.5, lab[1] + lab[3] + 0.9), (lab[0] + lab[2] + 1.0, lab[1] + lab[3] + 1.1), 0.4)
    else:
        page.mark("tick", [55.0, 129.5, 4.0, 4.0], width_mm=0.4)  # just left of box "b" (x=60)
    fd = _read(synth, page).fields["optional"]
    assert fd.value is None
    assert (fd.status, fd.reason) == ("review", "ink_beside_boxes")


def test_an_underline_inside_the_label_rect_ten_degrees_off_level(synth, blank_form) -> None:  # type: ignore[no-untyped-def]
    """Under the baseline, within the label's own print rect: only its straightness tells it from the print."""
    page = blank_form.copy()
    lab = _label(page, "focus", "diagnosis")
    y = lab[1] + lab[3] + 0.3
    page.line((lab[0] - 0.2, y), (lab[0] + lab[2] + 0.2, y - 0.176 * (lab[2] + 0.4)), 0.3)  # 10 degrees
    fd = _read(synth, page).fields["focus"]
    assert (fd.value, fd.status, fd.reason) == ([], "review", "ink_beside_boxes")


def test_a_clean_empty_optional_row_is_still_accepted_empty(synth, blank_form) -> None:  # type: ignore[no-untyped-def]
    fd = _read(synth, blank_form.copy()).fields["optional"]
    assert (fd.value, fd.status) == (None, "accepted")


def test_a_circled_label_in_a_multiple_choice_row_with_other_marks(synth, blank_form) -> None:  # type: ignore[no-untyped-def]
    page = blank_form.copy()
    from scanner_synth import option_rect
    page.mark("cross", option_rect("focus", "history"))
    _circle(page, _label(page, "focus", "diagnosis"))
    fd = _read(synth, page).fields["focus"]
    assert fd.value == ["history"] and (fd.status, fd.reason) == ("review", "ink_beside_boxes")


@pytest.mark.parametrize("kind", ["big_cross", "circle", "tick"])
def test_marks_in_boxes_with_their_overshoot_are_not_ink_beside(synth, blank_form, kind: str) -> None:  # type: ignore[no-untyped-def]
    page = blank_form.copy()
    from scanner_synth import option_rect
    page.mark(kind, option_rect("optional", "b"))
    page.mark(kind, option_rect("setting", "ward"))
    r = _read(synth, page)
    assert (r.fields["optional"].value, r.fields["optional"].status) == ("b", "accepted")
    assert (r.fields["setting"].value, r.fields["setting"].status) == ("ward", "accepted")


def test_a_crease_through_the_row_is_not_ink_beside(synth, blank_form) -> None:  # type: ignore[no-untyped-def]
    page = blank_form.copy()
    page.line((12.0, 131.0), (198.0, 133.5), 0.25, (150, 150, 150))  # a fold line across the page
    fd = _read(synth, page).fields["optional"]
    assert (fd.value, fd.status) == (None, "accepted")


def test_a_required_empty_row_names_the_ink_beside_it(synth, blank_form) -> None:  # type: ignore[no-untyped-def]
    page = blank_form.copy()
    _circle(page, _label(page, "setting", "emergency"))
    fd = _read(synth, page).fields["setting"]
    assert (fd.value, fd.status, fd.reason) == (None, "review", "ink_beside_boxes")
    assert _read(synth, blank_form.copy()).fields["setting"].reason == "no_mark"


def test_a_tick_between_two_rating_boxes_goes_to_review(synth, blank_form) -> None:  # type: ignore[no-untyped-def]
    page = blank_form.copy()
    from scanner_synth import option_rect
    x, y, w, _ = option_rect("rating", "4")
    page.mark("tick", [x + w + 0.7, y + 0.3, 3.2, 3.6], width_mm=0.4)  # in the 4 mm gap between 4 and 5
    fd = _read(synth, page).fields["rating"]
    assert (fd.value, fd.status, fd.reason) == (None, "review", "ink_beside_boxes")


def test_noisy_jpeg_scan_of_an_empty_row_raises_no_doubt(synth, blank_form) -> None:  # type: ignore[no-untyped-def]
    page = blank_form.copy()
    img = synth.jpeg(synth.noise(page.grey(), 6.0, seed=3), 45)
    fd = _read(synth, page, img=img).fields["optional"]
    assert (fd.value, fd.status) == (None, "accepted")


def _sharpened_photo(synth, img, amount: float = 2.0):  # type: ignore[no-untyped-def]
    """A phone photo as a document-scanning app delivers it: soft optics, then strongly sharpened."""
    photo = cv2.GaussianBlur(synth.phone_photo(img, seed=5), (0, 0), 0.8).astype(np.float32)
    return np.clip(photo + amount * (photo - cv2.GaussianBlur(photo, (0, 0), 1.5)), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("beside", [False, True])
def test_a_sharpened_photo_rims_print_with_light_halos_that_are_not_paper(synth, blank_form, beside: bool) -> None:  # type: ignore[no-untyped-def]
    """Sharpening leaves a thin light halo around every letter and outline: against the halo the plain
    paper beside them read as ink (a phone batch sent a quarter of its rows to review). The paper is
    what is light over at least 0.6 mm; a label circled in pen still counts."""
    page = blank_form.copy()
    from scanner_synth import option_rect
    page.mark("tick", option_rect("optional", "a"), width_mm=0.4)
    if beside:
        _circle(page, _label(page, "optional", "c"))
    fields = _read(synth, page, img=_sharpened_photo(synth, page.img)).fields
    assert (fields["focus"].value, fields["focus"].status) == ([], "accepted")  # empty, print all along it
    fd = fields["optional"]
    assert fd.value == "a"
    assert (fd.status, fd.reason) == (("review", "ink_beside_boxes") if beside else ("accepted", None))


def test_without_the_print_the_reader_cannot_look_beside(synth, blank_form) -> None:  # type: ignore[no-untyped-def]
    page = blank_form.copy()
    _circle(page, _label(page, "optional", "b"))
    assert _read(synth, page, with_print=False).fields["optional"].status == "accepted"
    assert np.isfinite(_read(synth, page).fields["optional"].confidence)


def test_a_pen_line_where_print_hides_most_of_the_row_is_not_taken_for_a_crease() -> None:
    """A crease crosses the whole zone; an underline stops with its word, even where print hides the rest.

    Seen only through the gaps between masked print, the underline's own line found ink on nearly every
    visible step of the way, and was dropped as a crease (a stress run lost an underlined answer so).
    """
    from scanner.beside import beside_ink_mm2

    s = 300 / 25.4
    img = np.full((int(40 * s), int(140 * s)), 235, np.uint8)
    H = np.array([[s, 0, 0], [0, s, 0], [0, 0, 1]], dtype=np.float64)  # mm -> px, page at the origin
    zone = (10.0, 10.0, 120.0, 7.0)
    cv2.line(img, (int(52 * s), int(15.5 * s)), (int(68 * s), int(15.3 * s)), 60, max(1, int(0.35 * s)), cv2.LINE_AA)
    masks = [(10.0, 10.0, 40.0, 7.0), (70.0, 10.0, 60.0, 7.0)]  # print and boxes all around the word
    assert beside_ink_mm2(img, H, zone, masks) >= 1.0
    # the same line running on through the zone end to end is a crease
    cv2.line(img, (int(10 * s), int(15.6 * s)), (int(130 * s), int(15.2 * s)), 150, max(1, int(0.25 * s)), cv2.LINE_AA)
    cv2.line(img, (int(52 * s), int(15.5 * s)), (int(68 * s), int(15.3 * s)), 150, max(1, int(0.25 * s)), cv2.LINE_AA)
    assert beside_ink_mm2(img, H, zone, [(10.0, 10.0, 15.0, 7.0), (110.0, 10.0, 20.0, 7.0)]) < 1.0


def test_a_long_underline_in_a_short_row_is_not_a_crease() -> None:
    """An underline as long as most of its row (one long label) still stops 6 mm before the row ends."""
    from scanner.beside import beside_ink_mm2

    s = 300 / 25.4
    img = np.full((int(30 * s), int(90 * s)), 235, np.uint8)
    H = np.array([[s, 0, 0], [0, s, 0], [0, 0, 1]], dtype=np.float64)
    zone = (10.0, 10.0, 65.0, 7.0)  # 6 mm margin, a 5 mm box at 16 mm, its 47 mm label, 6 mm margin
    cv2.line(img, (int(23 * s), int(15.6 * s)), (int(69 * s), int(15.8 * s)), 70, max(1, int(0.35 * s)), cv2.LINE_AA)
    masks = [(15.2, 10.2, 6.6, 6.6), (22.5, 11.0, 47.0, 3.5)]  # the box and the label above the line
    assert beside_ink_mm2(img, H, zone, masks) >= 1.0


def test_an_underline_sloping_away_below_its_label(synth, blank_form) -> None:  # type: ignore[no-untyped-def]
    """Drawn in a hurry, an underline starts 2 mm under the label and sinks; the row's zone must reach it
    (a rough-scan stress run accepted such a row as unanswered)."""
    page = blank_form.copy()
    lab = _label(page, "optional", "b")
    bottom = lab[1] + lab[3]
    page.line((lab[0] - 0.5, bottom + 2.0), (lab[0] + lab[2] + 1.0, bottom + 2.8), 0.4)
    fd = _read(synth, page).fields["optional"]
    assert (fd.value, fd.status, fd.reason) == (None, "review", "ink_beside_boxes")


def test_a_short_underline_in_a_descender_band_counts() -> None:
    """Under a label of one or two letters ("Ny") an underline is ~2.6 mm: a run of that length in the
    label's descender band is a pen line (a 1-bit stress run accepted such a row as unanswered); the
    shorter strokes print leaves there (descenders) are not."""
    from scanner.beside import _runs_in
    from scanner.measure import RES

    zone = (0.0, 0.0, 20.0, 6.0)
    band = [(5.0, 3.0, 4.4, 1.2)]  # "Ny" with its mask: 4.4 mm wide
    ink = np.zeros((int(6 * RES), int(20 * RES)), np.uint8)
    y = int(3.5 * RES)
    ink[y:y + 3, int(5.8 * RES):int(8.4 * RES)] = 1  # 2.6 mm of pen line
    assert _runs_in(ink, zone, band, RES).sum() >= 2.5 * RES * 3
    ink[:] = 0
    ink[y:y + 3, int(5.8 * RES):int(8.0 * RES)] = 1  # 2.2 mm: no
    assert _runs_in(ink, zone, band, RES).sum() == 0


def _arcs_through(page, rect, width_mm: float = 0.25) -> None:  # type: ignore[no-untyped-def]
    """What a 1-bit threshold left of a pencil loop around a label: its two steep sides, crossing the print."""
    x, y, w, h = rect
    for fx, lean in ((0.2, -0.3), (0.8, 0.3)):
        page.line((x + fx * w - lean, y - 1.0), (x + fx * w + lean, y + h + 0.6), width_mm)


def test_what_a_1bit_threshold_left_of_a_circled_label_still_goes_to_review(synth, blank_form) -> None:  # type: ignore[no-untyped-def]
    """A bilevel scan kept two short pieces of a pencil loop around a label, mostly inside its print.

    Outside the print they hold ~0.7 mm2 of ink: less than a grey page's limit (1 mm2: its paper shows
    grain), more than a 1-bit page's clean paper ever shows (a stress run accepted "no answer" so).
    """
    page = blank_form.copy()
    _arcs_through(page, _label(page, "focus", "diagnosis"))
    fd = _read(synth, page, img=synth.bilevel(page.grey())).fields["focus"]
    assert (fd.value, fd.status, fd.reason) == ([], "review", "ink_beside_boxes")
    clean = _read(synth, blank_form.copy(), img=synth.bilevel(blank_form.copy().grey())).fields
    assert not [f for f, fd in clean.items() if fd.reason == "ink_beside_boxes"]  # print alone, bolder in 1 bit


def test_an_underline_a_1bit_threshold_broke_in_two_still_counts(synth, blank_form) -> None:  # type: ignore[no-untyped-def]
    """Under a label a 1-bit scan kept a ballpoint underline as two 1.3 mm dashes (a stress run accepted
    that row as unanswered): on a 1-bit page short gaps along a run in the descender band are bridged."""
    page = blank_form.copy()
    lab = _label(page, "focus", "diagnosis")
    y = lab[1] + lab[3] + 0.2
    for x0 in (lab[0] + 1.0, lab[0] + 3.0):  # 1.3 mm dashes, ~0.35 mm of paper between their round ends
        page.line((x0, y), (x0 + 1.3, y), 0.35)
    fd = _read(synth, page, img=synth.bilevel(page.grey())).fields["focus"]
    assert (fd.value, fd.status, fd.reason) == ([], "review", "ink_beside_boxes")


@pytest.mark.parametrize("bilevel", [False, True])
def test_a_row_struck_through_with_a_ruler_goes_to_review(synth, blank_form, bilevel: bool) -> None:  # type: ignore[no-untyped-def]
    """A pen line drawn straight through a whole row, past both its ends, looks like a fold in geometry
    only: a fold is a grey shadow (<= ~0.35 of the paper's tone), a pen line is dark; on a 1-bit page,
    where both can be black, a fold comes through in dashes or not at all, a pen line unbroken. With a tick in
    one box the row read that tick, accepted, though the assessor may have struck the row out. The boxes the
    line crosses already say so (`pen_line_through`: a line as dark as a pen is not erased as a fold; on a 1-bit
    page every line is black, and a fold through a box goes to a person too)."""
    from scanner_synth import option_rect

    page = blank_form.copy()
    x, y, w, h = option_rect("rating", "4")
    page.mark("tick", [x, y, w, h], width_mm=0.45)
    page.line((10.0, y + h / 2 + 0.4), (150.0, y + h / 2 - 0.3), 0.45)  # far beyond the first and last box
    fd = _read(synth, page, img=synth.bilevel(page.grey()) if bilevel else None).fields["rating"]
    assert (fd.value, fd.status, fd.reason) == ("4", "review", "uncertain_mark")
    assert {b.why for b in fd.boxes if b.value != "4"} == {"pen_line_through"}, [b.to_dict() for b in fd.boxes]
    if bilevel:
        return
    page = blank_form.copy()
    page.mark("tick", [x, y, w, h], width_mm=0.45)
    page.line((10.0, y + h / 2 + 0.4), (150.0, y + h / 2 - 0.3), 0.3, (175, 175, 175))  # a fold's grey line
    fold = _read(synth, page).fields["rating"]
    assert (fold.value, fold.status) == ("4", "accepted")


def test_a_short_faint_underline_under_a_two_letter_label_goes_to_review(synth, blank_form) -> None:  # type: ignore[no-untyped-def]
    """A pencil underline of ~2.3 mm under "Ny" held ~0.75 mm2 of ink, under the 1 mm2 a row's doubt needs
    on a grey page (a stress run accepted that row as unanswered). A flat stroke right under a label is an
    underline whatever its ink; a speck or a dot there is not."""
    page = blank_form.copy()
    lab = _label(page, "optional", "b")  # a one-letter label, 2 mm wide
    y = lab[1] + lab[3] + 0.9
    page.line((lab[0] - 0.1, y), (lab[0] + 2.0, y + 0.1), 0.2, (150, 150, 150))  # ~0.8 mm2
    fd = _read(synth, page).fields["optional"]
    assert (fd.value, fd.status, fd.reason) == (None, "review", "ink_beside_boxes")
    page = blank_form.copy()
    page.line((lab[0] + 0.5, y), (lab[0] + 1.0, y), 0.4, (120, 120, 120))  # a dot of a pencil resting there
    fd = _read(synth, page).fields["optional"]
    assert (fd.value, fd.status) == (None, "accepted")
